"""Benchmark items and the loaders that read each published format into them.

    MIRAGE JSON   {task: {id: {question, options{A..}, answer}}}     medqa, medmcqa, pubmedqa (PubMedQA*)
    MedQA JSONL   {question, options{A..E}, answer_idx, meta_info}    4 or 5 options, as published
    MedMCQA JSONL {id, question, opa..opd, cop (1-based), subject_name}
    PubMedQA      ori_pqal.json + test_ground_truth.json              pubmedqa-rc: abstract as context
    IgakuQA       NNN-X.jsonl (+ _metadata.jsonl)                     Japanese, a-e, several correct letters

Every error names the file, the line (for JSON Lines) and the missing field, and says what to do.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    options: dict[str, str]  # letter -> option text, in the order shown: {"A": "...", "B": "..."}
    answer: tuple[str, ...]  # correct letter(s); IgakuQA items may need several, all of them
    subject: str = ""  # per-subject breakdown key (MedMCQA subject, MedQA step, IgakuQA category)
    context: str = ""  # text the question is about (PubMedQA-rc: the abstract)
    points: int = 1  # IgakuQA: 1 or 3
    exam: str = ""  # IgakuQA: the block, e.g. "112-A"
    kinki: tuple[str, ...] = ()  # IgakuQA: prohibited choices (禁忌肢)
    text_only: bool = True  # IgakuQA: False when the question needs an image
    source: str = ""  # file:line it came from


class DataFormatError(UserError):
    pass


def _need(obj: dict, key: str, where: str, hint: str):
    if not isinstance(obj, dict) or key not in obj or obj[key] in (None, ""):
        raise DataFormatError(f"{where}: field '{key}' is missing. {hint}")
    return obj[key]


def _check_answer(letters: tuple[str, ...], options: dict[str, str], where: str) -> tuple[str, ...]:
    bad = [x for x in letters if x not in options]
    if not letters or bad:
        raise DataFormatError(f"{where}: answer {list(letters)} is not among the options "
                              f"{list(options)}. Fix the item or drop it from the file.")
    return letters


def _json_lines(path: Path):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                yield where, json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataFormatError(f"{where}: not valid JSON ({exc.msg}). Each line must be one JSON object.") from None


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataFormatError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}).") from None
    except OSError as exc:
        raise DataFormatError(f"{path}: cannot be read ({exc.strerror}).") from None


# -- MIRAGE --------------------------------------------------------------------------------
def load_mirage(path: Path, task: str) -> list[Item]:
    data = _read_json(path)
    if not isinstance(data, dict) or task not in data:
        keys = list(data)[:5] if isinstance(data, dict) else type(data).__name__
        raise DataFormatError(f"{path}: expected MIRAGE's {{\"{task}\": {{id: item}}}} layout, found keys {keys}.")
    items = []
    for qid, raw in data[task].items():
        where = f"{path} item {qid}"
        options = _need(raw, "options", where, "MIRAGE items hold options as {\"A\": text, ...}.")
        answer = _need(raw, "answer", where, "MIRAGE items hold the correct letter in 'answer'.")
        items.append(Item(id=str(qid), question=_need(raw, "question", where, ""), options=dict(options),
                          answer=_check_answer((str(answer),), options, where), source=where))
    return items


# -- MedQA JSON Lines ----------------------------------------------------------------------
def load_medqa_jsonl(path: Path) -> list[Item]:
    items = []
    for i, (where, raw) in enumerate(_json_lines(path)):
        options = _need(raw, "options", where, "MedQA lines hold options as {\"A\": text, ...} (4 or 5).")
        if not isinstance(options, dict) or not 2 <= len(options) <= 5:
            raise DataFormatError(f"{where}: 'options' must map 2-5 letters to texts.")
        letter = raw.get("answer_idx")
        if not letter:  # some copies carry only the answer's text
            text = _need(raw, "answer", where, "MedQA lines need 'answer_idx' (a letter) or 'answer' (its text).")
            letter = next((k for k, v in options.items() if v == text), None) or "?"
        items.append(Item(id=str(raw.get("id", i)), question=_need(raw, "question", where, ""), options=dict(options),
                          answer=_check_answer((letter,), options, where), subject=str(raw.get("meta_info", "")),
                          source=where))
    return items


# -- MedMCQA JSON Lines --------------------------------------------------------------------
def load_medmcqa_jsonl(path: Path) -> list[Item]:
    items = []
    for i, (where, raw) in enumerate(_json_lines(path)):
        options = {L: str(_need(raw, key, where, "MedMCQA lines hold options in opa, opb, opc, opd."))
                   for L, key in zip("ABCD", ("opa", "opb", "opc", "opd"))}
        cop = _need(raw, "cop", where, "MedMCQA's test split has no answers; use the dev or train file.")
        try:
            letter = "ABCD"[int(cop) - 1] if int(cop) >= 1 else "?"  # cop is 1-based in the published files
        except (ValueError, IndexError):
            letter = "?"
        items.append(Item(id=str(raw.get("id", i)), question=_need(raw, "question", where, ""), options=options,
                          answer=_check_answer((letter,), options, where), subject=str(raw.get("subject_name", "")),
                          source=where))
    return items


# -- PubMedQA reading comprehension ----------------------------------------------------------
PUBMEDQA_OPTIONS = {"A": "yes", "B": "no", "C": "maybe"}


def load_pubmedqa_rc(directory: Path) -> list[Item]:
    """The 500-id official test split of PubMedQA-L, each question with its abstract (minus the conclusion)."""
    pqal, split = directory / "ori_pqal.json", directory / "test_ground_truth.json"
    for p in (pqal, split):
        if not p.exists():
            raise DataFormatError(f"{p} is missing: pubmedqa-rc needs ori_pqal.json and test_ground_truth.json "
                                  "from github.com/pubmedqa/pubmedqa in one folder.")
    data, truth = _read_json(pqal), _read_json(split)
    letter = {v: k for k, v in PUBMEDQA_OPTIONS.items()}
    items = []
    for pmid, label in truth.items():
        where = f"{pqal} item {pmid}"
        raw = data.get(pmid)
        if raw is None:
            raise DataFormatError(f"{split}: id {pmid} is not in {pqal.name}.")
        contexts = _need(raw, "CONTEXTS", where, "Each PubMedQA item holds its abstract sections in CONTEXTS.")
        if label not in letter:
            raise DataFormatError(f"{split}: id {pmid} has label '{label}'; expected yes, no or maybe.")
        items.append(Item(id=pmid, question=_need(raw, "QUESTION", where, ""), options=dict(PUBMEDQA_OPTIONS),
                          answer=(letter[label],), context="\n".join(contexts), subject=str(raw.get("YEAR", "")),
                          source=where))
    return items


# -- IgakuQA -------------------------------------------------------------------------------
def load_igakuqa(directory: Path) -> list[Item]:
    blocks = sorted(p for p in directory.glob("*.jsonl") if re.fullmatch(r"\d{3}-[A-Za-z]", p.stem))
    if not blocks:
        raise DataFormatError(f"{directory}: no IgakuQA blocks (files like 112-A.jsonl) found. IgakuQA has no "
                              "licence, so medassist ships no copy: point --data at a folder holding it.")
    items = []
    for block in blocks:
        meta = {}
        meta_file = block.with_name(f"{block.stem}_metadata.jsonl")
        if meta_file.exists():
            for where, raw in _json_lines(meta_file):
                meta[str(_need(raw, "problem_id", where, ""))] = raw
        for where, raw in _json_lines(block):
            pid = str(_need(raw, "problem_id", where, "IgakuQA lines look like {\"problem_id\": \"112A1\", ...}."))
            choices = _need(raw, "choices", where, "IgakuQA lines list their choices (a-e in order).")
            if not isinstance(choices, list) or not 2 <= len(choices) <= 26:
                raise DataFormatError(f"{where}: 'choices' must be a list of choice texts.")
            options = {chr(ord("a") + i): str(c) for i, c in enumerate(choices)}
            answer = _need(raw, "answer", where, "IgakuQA lines hold the correct letters as a list, e.g. [\"a\"].")
            answer = tuple(answer if isinstance(answer, list) else [answer])
            try:
                points = int(raw.get("points", 1))
            except (TypeError, ValueError):
                raise DataFormatError(f"{where}: 'points' must be 1 or 3, not {raw.get('points')!r}.") from None
            m = meta.get(pid, {})
            items.append(Item(id=pid, question=_need(raw, "problem_text", where, ""), options=options,
                              answer=_check_answer(answer, options, where), points=points, exam=block.stem,
                              subject=str(m.get("category", "")), kinki=tuple(m.get("kinki") or ()),
                              text_only=bool(raw.get("text_only", True)), source=where))
    return items


@dataclass(frozen=True)
class Task:
    name: str
    description: str
    language: str = "en"
    candidates: tuple[str, ...] = field(default=())  # where under --data the task's data may be


TASKS: dict[str, Task] = {t.name: t for t in [
    Task("medqa", "MedQA (USMLE), 4 options, test set", candidates=("mirage/medqa.json", "medqa.json",
         "medqa.jsonl", "medqa/test.jsonl", "medqa/phrases_no_exclude_test.jsonl")),
    Task("medmcqa", "MedMCQA dev set, 4 options", candidates=("mirage/medmcqa.json", "medmcqa.json",
         "medmcqa.jsonl", "medmcqa/dev.json", "medmcqa/dev.jsonl", "dev.json")),
    Task("pubmedqa", "PubMedQA* (500 test questions, no abstract), yes/no/maybe",
         candidates=("mirage/pubmedqa.json", "pubmedqa.json")),
    Task("pubmedqa-rc", "PubMedQA-L reading comprehension (abstract given), official 500-id test split",
         candidates=("pubmedqa", ".")),
    Task("igakuqa", "IgakuQA: Japanese national medical licensing exams 2018-2022", language="ja",
         candidates=("igakuqa", "IgakuQA/data", "data", ".")),
]}


def parse_tasks(text: str) -> list[Task]:
    names = [t.strip() for t in (text or "").split(",") if t.strip()]
    unknown = [n for n in names if n not in TASKS]
    if not names or unknown:
        raise UserError(f"Unknown task(s) {unknown or '(none given)'}. Choose from: {', '.join(TASKS)} "
                        "(comma-separated, e.g. --task medqa,pubmedqa).")
    return [TASKS[n] for n in dict.fromkeys(names)]


def _load_file(task: Task, path: Path) -> list[Item]:
    if path.suffix == ".json":
        head = path.open(encoding="utf-8").read(1).strip()
        if head == "{":
            try:  # a MIRAGE file holds one object; MedMCQA's dev.json is JSON Lines despite its name
                return load_mirage(path, "pubmedqa" if task.name == "pubmedqa" else task.name)
            except DataFormatError:
                if task.name not in ("medqa", "medmcqa"):
                    raise
    if task.name == "medqa":
        return load_medqa_jsonl(path)
    if task.name == "medmcqa":
        return load_medmcqa_jsonl(path)
    raise DataFormatError(f"{path}: not a format medassist reads for {task.name}.")


def load_task(task: Task, data: Path, include_images: bool = False) -> list[Item]:
    """Items of `task` found under `data` (a folder of benchmarks, or the task's own file/folder)."""
    data = Path(data).expanduser()
    if not data.exists():
        raise UserError(f"--data {data} does not exist. Point it at a folder of benchmark files.")
    if task.name in ("pubmedqa-rc", "igakuqa"):
        folders = [data / c for c in task.candidates] if data.is_dir() else []
        for folder in folders:
            marker = "ori_pqal.json" if task.name == "pubmedqa-rc" else "[0-9][0-9][0-9]-?.jsonl"
            if folder.is_dir() and list(folder.glob(marker)):
                items = load_pubmedqa_rc(folder) if task.name == "pubmedqa-rc" else load_igakuqa(folder)
                break
        else:
            if task.name == "igakuqa":
                return load_igakuqa(data if data.is_dir() else data.parent)
            raise UserError(f"No PubMedQA files (ori_pqal.json, test_ground_truth.json) under {data}.")
    else:
        path = data if data.is_file() else next((data / c for c in task.candidates if (data / c).is_file()), None)
        if path is None:
            raise UserError(f"No {task.name} data under {data}: looked for {', '.join(task.candidates)}.")
        items = _load_file(task, path)
    if not include_images:
        items = [i for i in items if i.text_only]
    if not items:
        raise UserError(f"{task.name}: the data under {data} holds no items to score.")
    return items
