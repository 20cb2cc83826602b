"""Sentences and their comparable form: shared by chunking (never split a sentence), the support
check (one claim per sentence) and the labelled sets (is this statement in that passage?).

    split_sentences("The USPSTF recommends X. (B recommendation) See below.")
      -> ["The USPSTF recommends X. (B recommendation)", "See below."]
    normalise("**Men** aged 65–75")  -> "men aged 65-75"

Guideline prose is full of full stops that end nothing ("e.g.", "U.S.", "vs.", "2.5 mg", "et al.");
a grade in brackets after a statement ("(B recommendation)", "(Strong For)") belongs to it; a Markdown
list item or table row is a unit of its own even without a full stop.
"""
from __future__ import annotations

import re
import unicodedata

# Words whose full stop ends no sentence (lower-cased, without the stop).
ABBREVIATIONS = frozenset(
    "e.g i.e vs v etc et al approx ca cf fig figs no nos ref refs dr mr mrs ms prof st jr sr dept univ inc ltd co "  # noqa: SIM905 (a word list reads best as words)
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.s.a e.u min max mg mcg kg mo wk yr yrs hr hrs "
    "sec vol ed eds p pp ch sect resp incl esp".split())

# A grade or strength in brackets after a statement: "(B recommendation)", "(I statement)", "[EO]",
# "(Strong For; Reviewed, New-replaced)", "(Category IB)", "(Strong Recommendation, Low-Quality Evidence)",
# "(Consensus–Panel Expertise)", "(Grade A)". Bare letters only in square brackets ("[B]").
_GRADE_WORDS = (
    r"[ABCDI]\s+(?:recommendation|statement)|I\s+statement|"
    r"(?:strong|weak|moderate|conditional)\s+(?:for|against|recommendation|strength)\b[^()\[\]]{0,60}|"
    r"category\s+I{1,3}[ABC]?\b[^()\[\]]{0,20}|I{1,3}[ABC]|grade\s+[A-D]\b[^()\[\]]{0,30}|"
    r"consensus\s*[-–]\s*[a-z ]{3,30}|(?:N/A|not applicable);[^()\[\]]{0,40}|"
    r"(?:level|grade|strength|quality)\s+of\s+(?:evidence|recommendation)\s*[:=]?[^()\[\]]{1,40}|"
    r"(?:LE|SOR|GR)\s*[:=]\s*[^()\[\]]{1,20}")
GRADE = re.compile(rf"\(\s*(?P<p>{_GRADE_WORDS})\s*\)|\[\s*(?P<b>{_GRADE_WORDS}|EO|[A-D]|I)\s*\]", re.IGNORECASE)
GRADE_TAIL = re.compile(rf"^\s*(?:{GRADE.pattern})\s*[.;]?\s*$", re.IGNORECASE)


def grade_of(sentence: str) -> str | None:
    """The grade or strength a statement carries in brackets ("B recommendation", "Strong For"), if any."""
    found = [m.group("p") or m.group("b") for m in GRADE.finditer(sentence.replace("*", "").replace("_", " "))]
    # "Weak For; Reviewed, New-replaced" -> "Weak For": the review status is no grade
    return re.sub(r"\s+", " ", found[-1].split(";")[0]).strip() if found else None


def _is_grade(piece: str) -> bool:
    return bool(GRADE_TAIL.match(piece.replace("*", "").replace("_", " ")))


_END = re.compile(r"[.!?。！？]")
_CLOSERS = "\"'”’)]*_"
_TABLE_ROW = re.compile(r"^\s*\|")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)]|[a-z][.)])\s+")


def _ends_sentence(text: str, i: int) -> bool:
    """Does the mark at text[i] end a sentence?"""
    mark = text[i]
    if mark in "。！？":
        return True
    j = i + 1
    while j < len(text) and text[j] in _CLOSERS:
        j += 1
    if j < len(text) and not text[j].isspace():
        return False  # "2.5", "U.S.", "e.g.,"
    k = j
    while k < len(text) and text[k].isspace():
        k += 1
    if k >= len(text):
        return True
    nxt = text[k]
    if mark != ".":
        return nxt.isupper() or nxt.isdigit() or nxt in "\"'“‘(*[#|-"
    before = re.search(r"([A-Za-z][A-Za-z.]*)$", text[:i])
    word = before.group(1).lower() if before else ""
    if word in ABBREVIATIONS:
        return False  # "e.g. Aspirin", "U.S. Preventive" ("hepatitis B." does end a sentence)
    return nxt.isupper() or nxt.isdigit() or nxt in "\"'“‘(*[#|-"


_BRACKET = re.compile(r"\s*\**[(\[][^()\[\]]{1,80}[)\]]\**\s*[.;]?")


def _split_line(line: str) -> list[str]:
    out, start, skip_to = [], 0, 0
    for m in _END.finditer(line):
        if m.start() < skip_to or not _ends_sentence(line, m.start()):
            continue
        end = m.end()
        while end < len(line) and line[end] in _CLOSERS:
            end += 1
        # A grade in brackets after the full stop ends the statement it grades: "... smoked. (B recommendation)",
        # also behind a note in brackets: "... (ESRD). (Carryover from 2008) (Weak For)"
        grade = _BRACKET.match(line, end)
        if grade and not _is_grade(grade.group(0)):
            second = _BRACKET.match(line, grade.end())
            grade = second if second and _is_grade(second.group(0)) else None
        if grade and _is_grade(grade.group(0)):
            end = skip_to = grade.end()
        piece = line[start:end].strip()
        if piece:
            out.append(piece)
        start = end
    tail = line[start:].strip()
    if tail:
        out.append(tail)
    # A label of a word or two ("Recommendation 1.", "Yes.") introduces the sentence after it.
    merged: list[str] = []
    carry = ""
    for s in out:
        s = f"{carry} {s}" if carry else s
        carry = ""
        if len(re.findall(r"\w+", s)) < 3 and not _is_grade(s):
            carry = s
            continue
        if merged and _is_grade(s):
            merged[-1] = f"{merged[-1]} {s}"
        else:
            merged.append(s)
    if carry:
        merged.append(carry)
    return merged


def split_sentences(text: str) -> list[str]:
    """Sentences of `text` in order. Lines that are list items, table rows or headings are units of
    their own; a paragraph's wrapped lines are joined first."""
    out: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            out.extend(_split_line(" ".join(para)))
            para.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if _TABLE_ROW.match(line) or line.startswith("#") or _LIST_ITEM.match(line):
            flush()
            if _TABLE_ROW.match(line) or line.startswith("#"):
                out.append(line)
            else:
                out.extend(_split_line(line))
            continue
        para.append(line)
    flush()
    # A grade on a line of its own after a statement belongs to it as well.
    merged: list[str] = []
    for s in out:
        if merged and _is_grade(s):
            merged[-1] = f"{merged[-1]} {s}"
        else:
            merged.append(s)
    return merged


_MARKDOWN = re.compile(r"(\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`|^#{1,6}\s+|^\s*[-*+•]\s+|^\s*>\s?)",
                       re.MULTILINE)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "“": '"', "”": '"', "‘": "'",
                         "’": "'", "\u00a0": " ", "≥": ">=", "≤": "<="})


def normalise(text: str) -> str:
    """The comparable form of a text: Markdown markers, links and table pipes gone, quotes and dashes
    unified, whitespace collapsed, lower case. `normalise(sentence) in normalise(passage)` tells
    whether a passage holds a sentence whole."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    text = _LINK.sub(r"\1", text)
    text = _MARKDOWN.sub("", text)
    text = text.replace("|", " ").replace("\\", "")
    return re.sub(r"\s+", " ", text).strip().lower()
