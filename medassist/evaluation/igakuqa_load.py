"""IgakuQA as released (github.com/jungokasai/IgakuQA): one JSON Lines file per exam block.

    data/2018/112-A.jsonl            {"problem_id": "112A1", "problem_text", "choices": [a..e], "text_only",
                                      "answer": ["e"], "points": "1"}
    data/2018/112-A_metadata.jsonl   {"problem_id", "category", "kinki": ["c"], "human_accuracy", ...}

`--data` may name the release's `data/` folder (one folder per year), a flat folder of blocks, or one
block file; image questions are kept here (text_only False) and filtered by the caller in every case.

What the release holds beyond the plain case, each read rather than refused:
  - numeric entry: "choices": [] and "answer": ["26"], the digits to write into boxes printed in the
    question ("解答：①②Torr"); loaded with numeric=True;
  - alternatives written into one string, "answer": ["a or d"] (112B30): either is marked correct;
  - "points": "0" for questions the ministry excluded from scoring (採点除外);
  - metadata kinki letters with stray spaces or in full width (" e", "ｂ"), or run together ("de");
  - blank choice texts where the choices are a table inside the question (114C11).
A malformed line is reported with file, line and field, and skipped; the rest loads.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from .items import DataFormatError, Item, LoadReport

BLOCK_FILE = re.compile(r"^(\d{3})-([A-Z])$")  # "112-A"; "112-A_metadata", "112-A_gpt4" are not blocks
NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
BOXES = re.compile(r"[①-⑳]")


def block_files(path: Path) -> list[Path]:
    """Every exam block under `path` (the release's year folders, a flat folder), or `path` itself."""
    if path.is_file():
        if not BLOCK_FILE.match(path.stem) or path.suffix != ".jsonl":
            raise DataFormatError(f"{path}: not an IgakuQA block file (expected a name like 112-A.jsonl).")
        return [path]
    return sorted((p for p in path.rglob("*.jsonl") if BLOCK_FILE.match(p.stem)), key=lambda p: (p.stem, str(p)))


def _letters(text: str) -> str:
    """'ｂ' -> 'b', ' e' -> 'e', 'A' -> 'a': full width, stray spaces and case are not part of a letter."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def _answer(raw: list, options: dict[str, str], where: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """(answer, alternatives) from e.g. ["a", "c"] (both needed) or ["a or d"] (either one)."""
    sets: list[tuple[str, ...]] = [()]
    for part in raw:
        if not isinstance(part, str):
            raise DataFormatError(f"{where}: field 'answer' must list letters as strings, found {part!r}.")
        choices = [tuple(sorted(set(re.sub(r"[\s,、，]", "", alt))))
                   for alt in re.split(r"\s+or\s+|または", _letters(part))]
        sets = [s + c for s in sets for c in choices]  # "a or d" with another letter: each alternative gets it
    sets = [tuple(sorted(set(s))) for s in sets]
    bad = sorted({x for s in sets for x in s if x not in options})
    if not sets[0] or bad:
        raise DataFormatError(f"{where}: field 'answer' {raw} names {bad or 'no letter'}, not among the choices "
                              f"{', '.join(options)}. Fix the item or drop it from the file.")
    return sets[0], tuple(sets[1:])


def answer_line(question: str) -> str:
    """The answer boxes as printed after the last 解答：, e.g. "①.②g/日" or "1, ①②③ kcal"."""
    tail = question[question.rfind("解答") + 2:].lstrip("：: ") if "解答" in question else ""
    return tail if BOXES.search(tail) else ""


def _metadata(path: Path, report: LoadReport) -> dict[str, dict]:
    meta: dict[str, dict] = {}
    if not path.exists():
        return meta
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                meta[str(raw["problem_id"])] = raw
            except (ValueError, KeyError, TypeError):
                report.note(f"{path}:{n}: not a metadata line with a 'problem_id'; its category and prohibited "
                            "choices (kinki) are not used.")
    return meta


def _kinki(raw, options: dict[str, str], where: str, report: LoadReport) -> tuple[str, ...]:
    letters: set[str] = set()
    for part in raw if isinstance(raw, list) else [raw] if raw else []:
        text = re.sub(r"[\s,、，]", "", _letters(str(part)))
        if str(part) != text:
            report.note(f"{where}: kinki {part!r} read as {', '.join(text) or 'nothing'} (spaces, width or "
                        "letters run together).")
        letters |= set(text)
    stray = sorted(letters - set(options))
    if stray:
        report.note(f"{where}: kinki names {stray}, not among the choices; ignored.")
    return tuple(sorted(letters & set(options)))


def _item(raw, where: str, exam_block: str, meta: dict, report: LoadReport) -> Item:
    if not isinstance(raw, dict):
        raise DataFormatError(f"{where}: expected one JSON object per line, like {{\"problem_id\": \"112A1\", ...}}.")
    pid = raw.get("problem_id")
    if not pid:
        raise DataFormatError(f"{where}: field 'problem_id' is missing. IgakuQA lines look like "
                              "{\"problem_id\": \"112A1\", ...}.")
    pid = str(pid)
    question = raw.get("problem_text")
    if not isinstance(question, str) or not question.strip():
        raise DataFormatError(f"{where}: field 'problem_text' is missing or empty ({pid}).")
    choices, answer = raw.get("choices"), raw.get("answer")
    if not isinstance(choices, list):
        raise DataFormatError(f"{where}: field 'choices' is missing or not a list ({pid}); give the choices "
                              "a-e in order, or [] for a numeric-entry question.")
    if not isinstance(answer, list) or not answer:
        raise DataFormatError(f"{where}: field 'answer' is missing or empty ({pid}); it lists the correct "
                              "letters, e.g. [\"a\"], or the number to enter, e.g. [\"26\"].")
    try:
        points = int(str(raw.get("points", "1")).strip())
        if points < 0:
            raise ValueError
    except ValueError:
        raise DataFormatError(f"{where}: field 'points' must be 0, 1 or 3, "
                              f"not {raw.get('points')!r} ({pid}).") from None
    text_only = raw.get("text_only", True)
    if not isinstance(text_only, bool):
        raise DataFormatError(f"{where}: field 'text_only' must be true or false, not {text_only!r} ({pid}).")
    m = meta.get(pid, {})
    common: dict[str, Any] = {"id": pid, "question": question, "points": points, "exam": exam_block,
                              "text_only": text_only, "subject": str(m.get("category", "")), "source": where,
                              "written": tuple(str(a) for a in answer)}
    if not choices:  # numeric entry: the digits to write into the printed boxes
        value = unicodedata.normalize("NFKC", str(answer[0])).strip()
        if len(answer) != 1 or not NUMBER.match(value):
            raise DataFormatError(f"{where}: field 'choices' is empty but 'answer' {answer} is not one number "
                                  f"({pid}). A choice question needs its choices; a numeric-entry one, its number.")
        return Item(options={}, answer=(value,), numeric=True, answer_boxes=answer_line(question), **common)
    if not all(isinstance(c, str) for c in choices) or len(choices) > 26:
        raise DataFormatError(f"{where}: field 'choices' must list the choice texts as strings ({pid}).")
    if not all(c.strip() for c in choices):  # 114C11: the choices are a table printed in the question
        report.note(f"{where}: {pid} has blank choice texts; its choices must be read from the question text.")
    options = {chr(ord("a") + i): c for i, c in enumerate(choices)}
    letters, alternatives = _answer(answer, options, where)
    return Item(options=options, answer=letters, alternatives=alternatives,
                kinki=_kinki(m.get("kinki"), options, f"{where} ({pid}, metadata)", report), **common)


def load_igakuqa(path: Path, report: LoadReport) -> list[Item]:
    """Every question of every block under `path`; a bad line is reported (file:line, field) and skipped."""
    blocks = block_files(path)
    if not blocks:
        raise DataFormatError(f"{path}: no IgakuQA blocks (files like 112-A.jsonl, or the release's data/2018/"
                              "112-A.jsonl) found. IgakuQA has no licence, so medassist ships no copy: point "
                              "--data at the release's data/ folder.")
    items: list[Item] = []
    seen: dict[str, Item] = {}
    for block in blocks:
        named = BLOCK_FILE.match(block.stem)
        assert named is not None  # block_files lists only names that match
        exam, letter = named.groups()
        report.blocks.setdefault(exam, set()).add(letter)
        meta = _metadata(block.with_name(f"{block.stem}_metadata.jsonl"), report)
        with open(block, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                where = f"{block}:{n}"
                try:
                    item = _item(json.loads(line), where, block.stem, meta, report)
                except json.JSONDecodeError as exc:
                    report.skip(exam, f"{where}: not valid JSON ({exc.msg}); line skipped. Each line must be "
                                      "one JSON object.")
                    continue
                except DataFormatError as exc:
                    report.skip(exam, f"{exc} Line skipped.")
                    continue
                first = seen.get(item.id)
                if first is not None:  # the same question twice loses nothing; two different ones lose one
                    same = (first.question, first.options, first.answer) == (item.question, item.options, item.answer)
                    message = (f"{where}: problem_id {item.id} was already read at {first.source}; this "
                               + ("copy is skipped. Is the same block under --data twice?" if same else
                                  "different question is skipped. Give each question its own id."))
                    if same:
                        report.note(message)
                    else:
                        report.skip(exam, message)
                    continue
                seen[item.id] = item
                items.append(item)
    return items
