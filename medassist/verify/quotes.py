"""The guideline's own sentences that answer the question, quoted verbatim above the model's answer.

Chosen extractively from the retrieved passages (so a weak model cannot misread them): among the
statements that take a position (a grade, or recommend / against / insufficient), those that share
most of the question's content words, preferring graded statements and higher-ranked passages.
"""
from __future__ import annotations

from ..types import Passage, Quote
from .lexicon import SOFT_STEMS, concepts
from .units import passage_units

MAX_QUOTES = 2
MIN_OVERLAP = 0.34  # share of the question's content words a quoted statement must hold itself
# Question words say what is asked, not what about.
_ASKING = frozenset(concepts("which who what when how often should does do is are can may need needs "
                             "recommended recommend advised appropriate patient patients my our get worth still"))


def lead_quotes(question: str, passages: list[Passage], max_quotes: int = MAX_QUOTES) -> list[Quote]:
    wanted = [t for t in dict.fromkeys(concepts(question)) if t not in SOFT_STEMS and t not in _ASKING]
    if not wanted or not passages:
        return []
    scored = []
    for unit in passage_units(passages):
        f = unit.facets
        if not (f.polarity or f.grades) or len(unit.text) < 40:
            continue
        own = set(f.concepts)
        overlap = sum(t in own for t in wanted) / len(wanted)
        topical = sum(t in own or t in unit.context for t in wanted) / len(wanted)
        if overlap < MIN_OVERLAP:
            continue
        score = overlap + 0.5 * topical + (0.25 if f.grades else 0.0) + 0.1 / unit.source
        scored.append((score, unit))
    scored.sort(key=lambda x: -x[0])
    out: list[Quote] = []
    for score, unit in scored:
        if len(out) == max_quotes or (out and score < 0.8 * scored[0][0]):
            break
        if any(q.text == unit.text for q in out):
            continue
        p = passages[unit.source - 1]
        out.append(Quote(source=unit.source, text=unit.text.replace("**", ""), grade=unit.grade,
                         page=p.page_at(unit.offset)))
    return out
