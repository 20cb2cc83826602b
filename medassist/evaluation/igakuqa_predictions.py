"""Mark answers produced elsewhere, one per question id: IgakuQA's published baseline outputs or any harness's.

    medassist eval --task igakuqa --data IgakuQA/data --predictions gpt4=IgakuQA/baseline_results

A prediction source is NAME=PATH (or PATH, the name then taken from it):
  - a folder holding files named like the release's baselines, <block>_<NAME>.jsonl
    (baseline_results/2018/112-A_gpt4.jsonl), searched below every year folder;
  - one JSON Lines file holding every question's line.
Each line is {"problem_id": "112A1", "prediction": "a,c", ...} (medassist's own rows, {"id", "prediction":
["a", "c"]}, also read). Both rule sets mark the same answers; see igaku.py.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import UserError
from .igaku import mark, rule_sets
from .igakuqa_load import BLOCK_FILE
from .scoring import summarise

_BASELINE_FILE = re.compile(r"^(\d{3})-([A-Z])_(.+)$")  # 112-A_gpt4


def _split(spec: str) -> tuple[str | None, Path]:
    name, sep, path = spec.partition("=")
    return (name.strip(), Path(path).expanduser()) if sep and name.strip() else (None, Path(spec).expanduser())


def prediction_files(spec: str) -> tuple[str, list[Path]]:
    name, path = _split(spec)
    if not path.exists():
        raise UserError(f"--predictions {spec}: {path} does not exist. Give NAME=FOLDER (files like "
                        "112-A_NAME.jsonl) or NAME=FILE.jsonl.")
    if path.is_file():
        return name or path.stem, [path]
    groups: dict[str, list[Path]] = {}
    for p in sorted(path.rglob("*.jsonl")):
        m = _BASELINE_FILE.match(p.stem)
        if m:
            groups.setdefault(m.group(3), []).append(p)
        elif BLOCK_FILE.match(p.stem):
            groups.setdefault("", []).append(p)  # one model's files named by block alone
    if name is None and len(groups) == 1:
        name, files = next(iter(groups.items()))
        return name or path.name, files
    if name is not None and (name in groups or set(groups) == {""}):
        return name, groups.get(name) or groups[""]
    found = ", ".join(sorted(g for g in groups if g)) or "none"
    raise UserError(f"--predictions {spec}: {'which model? ' if name is None else f'no files <block>_{name}.jsonl; '}"
                    f"prediction sets found under {path}: {found}. Give NAME=FOLDER with one of them.")


def read_predictions(files: list[Path]) -> tuple[dict[str, str | None], list[str]]:
    """problem id -> answer text; a line without an id or an answer is reported and skipped, a repeated id too."""
    answers: dict[str, str | None] = {}
    where_of: dict[str, str] = {}
    problems: list[str] = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                where = f"{path}:{n}"
                try:
                    raw = json.loads(line)
                    pid = str(raw.get("problem_id") or raw.get("id") or "")
                    pred = raw["prediction"]
                except (ValueError, AttributeError, KeyError):
                    problems.append(f"{where}: expected {{\"problem_id\": ..., \"prediction\": ...}}; line skipped.")
                    continue
                if not pid:
                    problems.append(f"{where}: field 'problem_id' is missing; line skipped.")
                    continue
                if pid in answers:
                    problems.append(f"{where}: a second prediction for {pid} (first at {where_of[pid]}); skipped.")
                    continue
                answers[pid] = (",".join(map(str, pred)) if isinstance(pred, list)
                                else None if pred is None else str(pred))
                where_of[pid] = where
    return answers, problems


def mark_predictions(loaded, specs: list[str], marks=None) -> dict:
    """An evaluation summary (as `evaluate` returns) for each prediction source, marked under both rule sets."""
    from .runner import igakuqa_results

    results = []
    medassist = rule_sets()["medassist"]
    by_id = {i.id: i for i in loaded.items}
    for spec in specs:
        name, files = prediction_files(spec)
        answers, problems = read_predictions(files)
        unknown = sorted(set(answers) - set(by_id))
        if unknown:
            problems.append(f"{len(unknown)} predictions for ids not in the data (e.g. {', '.join(unknown[:5])}); "
                            "not marked. Is --data the same release?")
        answered = {pid: text for pid, text in answers.items() if pid in by_id}
        if not answered:
            raise UserError(f"--predictions {spec}: none of its {len(answers)} predictions is for a question "
                            f"under --data ({len(by_id)} questions loaded).")
        rows = [{"id": i.id, "correct": mark(i, answered[i.id], medassist)[0], "subject": i.subject,
                 "prediction": answered[i.id] if answered[i.id] else None}
                for i in loaded.items if i.id in answered]
        summary = summarise(rows, seed=1234)
        summary.update(model=name, task="igakuqa", protocol="predictions", mode="predictions",
                       source=", ".join(sorted({str(f.parent) for f in files})), files=len(files),
                       items_available=len(loaded.items), prediction_problems=problems)
        summary["unparseable"] = sum(1 for i in loaded.items if i.id in answered and not i.numeric
                                     and not mark(i, answered[i.id], medassist)[1])
        summary.update(igakuqa_results(loaded, answered, marks))
        results.append(summary)
    return {"schema": "medassist.eval/1", "results": results}
