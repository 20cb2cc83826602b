"""What the support check reads in the passages: checkable units (a sentence, a list item, a table row),
each with the context it inherits (its title, headings, neighbouring sentences), and the abbreviations
the passages define.

    passage_units(passages) -> [Unit]   one per sentence, item or row, in passage order
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..sentences import grade_of, split_sentences
from ..types import Passage
from .facets import Facets, facets
from .lexicon import concepts, expand_contractions
from .polarity import polarity

NEGATION = re.compile(r"\b(?:not|never|cannot)\b|\bno\b(?! (?:more|less|fewer|greater|higher|lower|later|earlier|"
                      r"sooner|longer|shorter)(?: \w+)? than\b)", re.IGNORECASE)
ITEM = re.compile(r"^\s*(?:[-*+•|]|\d{1,3}[.)])\s*")


@dataclass
class Unit:
    """One checkable statement of a passage, with what it inherits from around it."""

    source: int  # 1-based passage number
    text: str  # as in the passage
    offset: int  # where it starts in the passage text (the PDF page is read from it)
    facets: Facets
    context: set[str]  # tokens of its paragraph, heading path and title
    grade: str = ""  # the grade its statement carries, as written ("B recommendation")
    defined: dict | None = None  # abbreviations the passages define (shared by all units)
    denied: set[str] = field(default_factory=set)  # context tokens only a negated neighbour gives ("does not reduce")
    topic: set[str] = field(default_factory=set)  # tokens of its title and headings alone


_DEFINED = re.compile(r"([A-Za-z][A-Za-z'\- ]{2,90}?)\s*\(([A-Z][A-Za-z0-9]{1,9}?)s?\)")
_HEADING = re.compile(r"^\s*(?:#{1,6}\s.*|\*\*[^*]+\*\*:?|\*[^*]+\*:?)\s*$")


def definitions(text: str) -> dict[str, str]:
    """Abbreviations a text defines: "contrast-induced nephropathy (CIN)" -> {"CIN": "contrast-induced nephropathy"}."""
    out = {}
    for m in _DEFINED.finditer(text):
        abbr, words = m.group(2), re.split(r"[\s-]+", m.group(1).strip())
        letters = [c for c in abbr.upper() if c.isalpha()]
        if 2 <= len(letters) <= len(words):
            tail = words[-len(letters):]
            if [w[0].upper() for w in tail] == letters:
                out[abbr] = " ".join(tail)
    return out


_ACRONYM = re.compile(r"\b([A-Z]{3,6})(?:s\b|\b)")  # two letters fit too many pairs of words ("VA": "venlafaxine as")
_SMALL = r"(?:(?:of|the|and|for|to|in|on|with)\s+)?"


def spelled_out(claim: str, texts: list[str]) -> str:
    """The claim with each acronym the passages never use written as the words whose initials it is
    there ("EPDS" -> "Edinburgh Postnatal Depression Scale"), so it is compared with what they say."""
    for acronym in dict.fromkeys(_ACRONYM.findall(claim)):
        if any(re.search(rf"\b{acronym}", t) for t in texts):
            continue
        words = rf"[\s-]+{_SMALL}".join(rf"{c}[a-z]{{2,}}" for c in acronym.lower())
        found = next((m for t in texts if (m := re.search(rf"\b{words}\b", t, re.IGNORECASE))), None)
        if found is not None:
            claim = re.sub(rf"\b{acronym}(?=s?\b)", found.group(0), claim)
    return claim


_JOINT = re.compile(r";\s+|,?\s+(?:and|but|while|whereas|however,?)\s+(?=(?:\w+\s+){0,8}?(?:(?:is|are|should|must)\s+"
                    r"(?:not\s+|no\s+longer\s+)?"
                    r"(?:recommended|suggested|advised|indicated)|(?:can|may)\s+(?:still\s+)?be\s+(?:used|given|offered|"
                    r"considered)|(?:should|must)\s+(?:not\s+)?be\s+(?:used|given|offered|performed|done)))",
                    re.IGNORECASE)


def clauses(sentence: str) -> list[str]:
    """A sentence that recommends one thing and not another ("midstream collection is recommended and
    collection with urine bags is not recommended") is checked clause by clause."""
    parts = [p.strip() for p in _JOINT.split(sentence) if p.strip()]
    if len(parts) < 2 or len({polarity(p) for p in parts} - {None}) < 2:
        return [sentence]
    return parts


def expanded(text: str, defined: dict[str, str]) -> list[str]:
    """Concepts of `text`, plus those of the long forms of abbreviations it uses."""
    tokens = concepts(text)
    for abbr, long in defined.items():
        if re.search(rf"\b{re.escape(abbr)}s?\b", text):
            tokens = tokens + concepts(long)
    return tokens


def short_forms(text: str, defined: dict[str, str]) -> dict[str, set[str]]:
    """The abbreviations `text` uses, as their own concept -> the concepts of their long form: a unit that
    spells "EPDS" out states it."""
    return {short: set(concepts(long)) for abbr, long in defined.items() if re.search(rf"\b{re.escape(abbr)}s?\b", text)
            for short in set(concepts(abbr)) - set(concepts(long))}


def passage_units(passages: list[Passage]) -> list[Unit]:
    units: list[Unit] = []
    defined: dict[str, str] = {}
    for p in passages:
        defined.update(definitions(f"{p.title}. {p.text}"))
    for n, p in enumerate(passages, 1):
        head = set(expanded(f"{p.title}. {p.section.replace(' › ', '. ')}", defined))
        cursor = 0
        for para in re.split(r"\n\s*\n", p.text):
            sentences = [c for s in split_sentences(para) if s.strip("*#|- ") and not _HEADING.match(s)
                         for c in clauses(s)]
            plain = [expand_contractions(s) for s in sentences]  # read as the claim is; shown as written
            graded = [grade_of(s) for s in sentences]
            own = [set(expanded(s, defined)) for s in plain]
            for i, s in enumerate(sentences):
                at = p.text.find(s[:30], cursor)
                cursor = at if at >= 0 else cursor
                # A statement's grade follows its last sentence; a list item or row carries its own.
                if graded[i] or ITEM.match(s):
                    grade = graded[i] or ""
                else:
                    grade = next((graded[j] for j in range(i + 1, len(sentences))
                                  if graded[j] or ITEM.match(sentences[j])), "") or ""
                # Context: the topic (title, headings) and, in prose, the sentences either side (a
                # statement may name its subject once for two sentences). List items stand alone.
                denied: set[str] = set()
                if s.lstrip().startswith("|"):  # a table row reads with its table's header row
                    header = next((j for j, x in enumerate(sentences) if x.lstrip().startswith("|")), i)
                    near = own[header] if header != i else set()
                elif ITEM.match(s):
                    near = set()
                else:
                    sides = [j for j in (i - 1, i + 1) if 0 <= j < len(sentences)]
                    near = set().union(*(own[j] for j in sides))
                    # what only a neighbour that denies something gives ("… does not reduce mortality")
                    said = set().union(*(own[j] for j in sides if not NEGATION.search(plain[j])))
                    denied = set().union(*(own[j] for j in sides if NEGATION.search(plain[j]))) - head - said
                f = facets(plain[i], grade=grade or None)
                f.concepts = list(dict.fromkeys(f.concepts + sorted(own[i] - set(f.concepts))))
                units.append(Unit(n, s, max(at, 0), f, head | near, grade or "", denied=denied, topic=head))
        for u in units:
            u.defined = defined
    return units
