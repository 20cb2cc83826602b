"""IgakuQA marked as the exam is: points per exam year, prohibited choices per question, pass or fail.

Two rule sets; every table names the one it uses:
  medassist  the exam's: an answer is the set of letters it names (spaces, full width, case and a letter
             named twice do not change it), a numeric entry is read by value through the printed answer
             boxes, and the ministry's rulings in igakuqa_rulings.json apply (alternatives accepted,
             questions excluded), each with its source;
  reference  IgakuQA's own scripts/evaluate_main.py, exactly: the answer text split on "," and compared
             as a sorted list with the answer as written ("a, c" reads as ["a", " c"] and is wrong), 116A71
             credited to everyone, 112B30 accepting a or d. The published tables use it.
Points are counted over every question of the exam: a question not asked (an image question the model
cannot see, a numeric entry in log-likelihood mode) scores nothing, as a blank answer sheet would; that
is how the model cards count. Pass marks (required; general+clinical; at most 3 questions with a
prohibited choice picked) come from igakuqa_rulings.json. An exam with blocks missing, lines unreadable
or questions not asked (--limit) is scored as far as it goes and gets no verdict.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from ..errors import UserError
from .items import Item

RULINGS_FILE = Path(__file__).with_name("igakuqa_rulings.json")


@dataclass(frozen=True)
class Rules:
    name: str  # "medassist" | "reference"
    label: str
    credit_all: frozenset[str] = frozenset()
    accept: dict[str, tuple[frozenset[str], ...]] = field(default_factory=dict)
    excluded: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def rulings_data() -> dict:
    return json.loads(RULINGS_FILE.read_text(encoding="utf-8"))


def _accept(pairs) -> dict[str, tuple[frozenset[str], ...]]:
    return {pid: tuple(frozenset(a) for a in answers) for pid, answers in pairs}


def rule_sets() -> dict[str, Rules]:
    data = rulings_data()
    r, ref = data["rulings"], data["reference_script"]
    medassist = Rules(
        "medassist", "medassist rules (the exam's: answers as sets of letters, the ministry's rulings)",
        credit_all=frozenset(p for p, v in r.items() if v["treatment"] == "credit_all"),
        accept=_accept((p, v["answers"]) for p, v in r.items() if v["treatment"] == "accept"),
        excluded=frozenset(p for p, v in r.items() if v["treatment"] == "excluded"))
    reference = Rules("reference", "reference rules (IgakuQA's evaluate_main.py, as the published tables)",
                      credit_all=frozenset(ref["credit_all"]), accept=_accept(ref["accept"].items()))
    return {"medassist": medassist, "reference": reference}


def load_pass_marks(path: str | None = None) -> dict[str, dict]:
    """The bundled marks per exam ("112": {...}), plus a user file {"117": [required, its max, general, its max]}."""
    marks = {k: dict(v) for k, v in rulings_data()["exams"].items()}
    if path:
        try:
            extra = json.loads(Path(path).read_text(encoding="utf-8"))
            for exam, v in extra.items():
                base = marks.get(str(exam), {"blocks": "ABCDEF", "required_blocks": "BE", "max_kinki_questions": 3})
                marks[str(exam)] = {**base, "required": [int(v[0]), int(v[1])],
                                    "general_clinical": [int(v[2]), int(v[3])], "source": f"user file {path}"}
        except (OSError, ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
            raise UserError(f"--pass-marks {path}: expected JSON like {{\"117\": [160, 200, 220, 300]}} "
                            f"(required mark, its maximum, general+clinical mark, its maximum) ({exc}).") from None
    return marks


# -- reading one answer --------------------------------------------------------------------
def read_letters(text: str | None, item: Item) -> frozenset[str] | None:
    """The letters an answer names ("a, c", "ａｃ", "A,C", "a,c,c" all name a and c), or None if it names
    anything that is not a choice (prose, "f")."""
    if not text:
        return None
    t = re.sub(r"[\s,、，/]+", "", unicodedata.normalize("NFKC", text).lower())
    return frozenset(t) if t and all(c in item.options for c in t) else None


_NUMBER = re.compile(r"\d(?:[\d,，]*\d)?(?:\.\d+)?")


def number_in(text: str | None) -> Decimal | None:
    """The first number written in `text` ("26Torr" -> 26, "1,130 kcal" -> 1130); answer boxes ①② are not digits."""
    if not text:
        return None
    t = unicodedata.normalize("NFKC", re.sub(r"[①-⑳]", " ", text))
    m = _NUMBER.search(t)
    try:
        return Decimal(re.sub(r"[,，]", "", m.group(0))) if m else None
    except InvalidOperation:
        return None


def official_value(item: Item) -> Decimal | None:
    """The number a numeric-entry answer stands for: its digits written into the printed boxes, so "21"
    under "①.②g/日" is 2.1, "04" under "①.②" is 0.4 and "130" under "1, ①②③ kcal" is 1130."""
    digits, boxes = item.answer[0].replace(".", ""), item.answer_boxes
    if boxes and len(re.findall(r"[①-⑳]", boxes)) == len(digits):
        filled = iter(digits)
        return number_in(re.sub(r"[①-⑳]", lambda _: next(filled), boxes).replace(" ", ""))
    return number_in(item.answer[0])


def mark(item: Item, text: str | None, rules: Rules) -> tuple[bool, frozenset[str]]:
    """(correct, letters read) for one question answered with `text` (None: no answer read)."""
    if rules.name == "reference":  # evaluate_main.py: sorted(prediction.split(',')) == sorted(answer)
        pred = sorted(text.split(",")) if text is not None else None
        accepted = [sorted(a) for a in rules.accept.get(item.id, ())] + [sorted(item.written or item.answer)]
        return item.id in rules.credit_all or pred in accepted, frozenset(pred or ())
    if item.numeric:
        value, want = number_in(text), official_value(item)
        return item.id in rules.credit_all or (value is not None and value == want), frozenset()
    letters = read_letters(text, item) or frozenset()
    accepted_sets = {frozenset(item.answer), *map(frozenset, item.alternatives), *rules.accept.get(item.id, ())}
    return item.id in rules.credit_all or (bool(letters) and letters in accepted_sets), letters


def points_of(item: Item, rules: Rules) -> int:
    return 0 if item.id in rules.excluded else item.points


def why_rules_differ(item: Item, text: str | None, rules: dict[str, Rules]) -> str:
    if item.id in rules["reference"].credit_all:
        return f"the reference credits {item.id} to everyone; medassist marks it as released"
    if item.numeric:
        return "medassist reads the number by value through the answer boxes; the reference compares text"
    if item.alternatives:
        return f"the answer is written {' or '.join(item.written)!r}: either is accepted; the reference compares text"
    if text and re.search(r"\s", text):
        return f"spaces: the reference splits {text!r} into {text.split(',')}"
    if text and len(read_letters(text, item) or ()) < len(re.sub(r"[\s,]", "", text)):
        return "a letter named twice: the reference compares lists, the exam reads the letters marked"
    if text and unicodedata.normalize("NFKC", text).lower() != text:
        return "full-width or capital letters"
    return "the ministry's ruling on this question (igakuqa_rulings.json)"


# -- an exam -----------------------------------------------------------------------------
def _blank(info: dict | None) -> dict:
    return {"year": (info or {}).get("year"), "questions": 0, "asked": 0, "skipped_images": 0, "skipped_numeric": 0,
            "numeric_asked": 0, "not_asked": 0, "unreadable": 0, "points": 0, "max_points": 0, "required": 0,
            "required_max": 0, "general": 0, "general_max": 0, "kinki_questions": 0}


def score_exams(items: list[Item], answered: dict[str, str | None], rules: Rules,
                skipped: dict[str, str] | None = None, unreadable: dict[str, int] | None = None,
                blocks: dict[str, set[str]] | None = None, marks: dict | None = None) -> dict[str, dict]:
    """Per exam ("112"): points over every question, the parts the pass criteria use, and the verdict.

    items: every question loaded; answered: id -> the answer given to each question asked (None when none
    was read); skipped: id -> "image" | "numeric" for questions left out by policy (scored as blank);
    questions in neither were not asked (a --limit run, a prediction file without them): partial.
    An exam of which no question was asked is left out.
    """
    skipped, unreadable = skipped or {}, unreadable or {}
    marks = load_pass_marks() if marks is None else marks
    exams: dict[str, dict] = {}
    for item in items:
        number, block = item.exam.split("-")
        e = exams.setdefault(number, _blank(marks.get(number)))
        part = "required" if block in marks.get(number, {}).get("required_blocks", "BE") else "general"
        pts = points_of(item, rules)
        e["questions"] += 1
        e["max_points"] += pts
        e[f"{part}_max"] += pts
        if item.id in answered:
            e["asked"] += 1
            e["numeric_asked"] += item.numeric
            correct, letters = mark(item, answered[item.id], rules)
            e["kinki_questions"] += bool(letters & set(item.kinki))  # the ministry counts questions, not choices
        else:
            why = skipped.get(item.id, "")
            e[{"image": "skipped_images", "numeric": "skipped_numeric"}.get(why, "not_asked")] += 1
            correct = item.id in rules.credit_all  # credited to every candidate, answer or not
        if correct:
            e["points"] += pts
            e[part] += pts
    exams = {n: e for n, e in exams.items() if e["asked"]}  # an exam not sat at all is not scored (--limit)
    for number, e in exams.items():
        found = "".join(sorted((blocks or {}).get(number, ())))
        e["blocks"], e["rules"] = found, rules.name
        e["unreadable"] = int(unreadable.get(number, 0))
        _verdict(e, marks.get(number), found)
    return dict(sorted(exams.items()))


def _verdict(e: dict, info: dict | None, found: str) -> None:
    expected = (info or {}).get("blocks", "")
    missing = "".join(b for b in expected if b not in found) if found else ""
    e["missing_blocks"] = missing
    e["mark"] = None if not info else {"required": info["required"], "general_clinical": info["general_clinical"],
                                       "max_kinki_questions": info["max_kinki_questions"], "source": info["source"]}
    e["complete"] = not (e["not_asked"] or missing or e["unreadable"])
    e["passed"] = None
    if e["not_asked"]:
        e["verdict"], e["why"] = "partial", f"{e['not_asked']} of {e['questions']} questions not asked"
    elif missing or e["unreadable"]:
        e["verdict"] = "incomplete"
        e["why"] = "; ".join(x for x in (f"block(s) {', '.join(missing)} missing" if missing else "",
                                         f"{e['unreadable']} question(s) unreadable" if e["unreadable"] else "") if x)
    elif not info:
        e["verdict"], e["why"] = "no mark", "no pass mark bundled for this exam (add one with --pass-marks)"
    elif [e["required_max"], e["general_max"]] != [info["required"][1], info["general_clinical"][1]]:
        e["verdict"] = "no mark"
        e["why"] = (f"the data's maxima ({e['required_max']}, {e['general_max']}) differ from the announced "
                    f"({info['required'][1]}, {info['general_clinical'][1]})")
    else:
        failed = []
        if e["required"] < info["required"][0]:
            failed.append(f"required {e['required']}/{e['required_max']} < {info['required'][0]}")
        if e["general"] < info["general_clinical"][0]:
            failed.append(f"general+clinical {e['general']}/{e['general_max']} < {info['general_clinical'][0]}")
        if e["kinki_questions"] > info["max_kinki_questions"]:
            failed.append(f"{e['kinki_questions']} questions with a prohibited choice > {info['max_kinki_questions']}")
        e["passed"] = not failed
        e["verdict"], e["why"] = ("pass", "") if not failed else ("fail", "; ".join(failed))


def answers_of(rows: list[dict]) -> dict[str, str | None]:
    """A run's per-item rows as answer texts ("a,c"), the form prediction files use."""
    return {r["id"]: (",".join(r["prediction"]) if r.get("prediction") else None) for r in rows}


def select_asked(items: list[Item], include_images: bool, mode: str) -> tuple[list[Item], dict[str, str]]:
    """The questions a run asks, and why the others are left out (scored as blank answers)."""
    asked, skipped = [], {}
    for item in items:
        if not item.text_only and not include_images:
            skipped[item.id] = "image"
        elif item.numeric and mode != "generate":  # no options to score: only a written number can answer
            skipped[item.id] = "numeric"
        else:
            asked.append(item)
    return asked, skipped
