"""What a statement says of whom, and where a claim swaps it.

    group_numbers(tokens, text)   {("male", "35")}: a number said of a group ("men older than 35")
    by_age(plain)                 {("600 units", {18 y min, 70 y max}), ("fluoxetin", {8 y min})}: an amount or a
                                  drug said for an age band, one per part of a sentence that gives one of each

A wrong claim often keeps every number, group and drug of the statement and swaps which goes with
which ("600 IU for adults over 70" where 600 IU is for 18 to 70); these catch that.
"""
from __future__ import annotations

import re

from .interventions import classify
from .lexicon import canonical_text, concepts
from .quantities import DAYS, Quantity, bound_word, quantities

GROUPS = ("SEX", "AGEGRP", "RISK", "SMOKE", "PREG")
_SAID_FOR = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)((?:\s+(?!and\b|or\b|but\b)[a-zA-Z][\w:/.-]*){0,5}?)\s+"
                       r"(?:for|in|among)\s+(?:[a-z]+\s+)?(?:SEX|AGEGRP|RISK|SMOKE|PREG):(\w+)")
# Parts of a sentence: "600 IU in adults aged 18 to 70 years and 800 IU in adults older than 70" has two ("8 years
# or older" and "the Food and Drug Administration" have one each).
_JOIN = re.compile(r",|;|\b(?:and|or)\b|\bwhile\b|\bwhereas\b")
_OR_MORE = re.compile(r"\s+(?:older|younger|more|less|greater|above|below|over|under|higher|lower|longer|shorter)\b")


def _parts(plain: str) -> list[str]:
    plain = re.sub(r"\bfood and drug administration\b", "fda", plain)
    parts, start = [], 0
    for m in _JOIN.finditer(plain):
        if re.search(r"\d\s*[a-z]{0,6}\s*$", plain[start:m.start()]) and _OR_MORE.match(plain, m.end()):
            continue  # "8 years or older" is one age
        parts.append(plain[start:m.start()])
        start = m.end()
    return [*parts, plain[start:]]


AgeBand = tuple[str, frozenset[Quantity]]


def group_numbers(tokens: list[str], text: str) -> set[tuple[str, str]]:
    """(group, number) pairs: a number within a few words after a group ("men >age 35"), or said of the group
    named after it ("1 oz per day for men or 0.5 oz per day for women")."""
    bindings: set[tuple[str, str]] = set()
    group, since = None, 99
    for t in tokens:
        if ":" in t and t.split(":")[0] in GROUPS:
            group, since = t.split(":", 1)[1], 0
        elif t[0].isdigit() and group and since <= 4:
            bindings.add((group, t))
        since += 1
    said_for = {(m.group(3), m.group(1)) for m in _SAID_FOR.finditer(canonical_text(text))}
    if said_for:
        bindings = {b for b in bindings if b[1] not in {n for _, n in said_for}} | said_for
    return bindings


def by_age(plain: str) -> set[AgeBand]:
    """What each part of `plain` (numeric_text) gives for the age band it names: one amount, or one drug."""
    out: set[AgeBand] = set()
    for part in _parts(plain):
        found = quantities(part)
        ages = frozenset(q for q in found if q.unit == "year")
        if not ages:
            continue
        amounts = [q for q in found if q.unit and q.unit not in DAYS and q.unit not in ("times", "percent")]
        drugs = {t for t in concepts(part) if classify(t) == "drug"}
        if len(amounts) == 1:
            out.add((str(Quantity(amounts[0].value, amounts[0].unit)), ages))
        elif not amounts and len(drugs) == 1:
            drug = next(iter(drugs))
            written = re.search(rf"\b{re.escape(drug)}\w*", part)  # "fluoxetine", not its stem
            out.add((written.group(0) if written else drug, ages))
    return out


def group_conflict(mine: set[tuple[str, str]], theirs: set[tuple[str, str]]) -> str | None:
    """A number said of a group in the claim that the passage says of another group ("men older than 45"
    where the passage says men older than 35 and women older than 45)."""
    for group, number in sorted(mine):  # sorted: the same reason on every run
        said = {n for g, n in theirs if g == group}
        if said and number not in said and any(n == number for _, n in theirs):
            return f"the claim says {number} for {group}; the passage says {', '.join(sorted(said))}"
    return None


def age_conflict(mine: set[AgeBand], theirs: set[AgeBand]) -> str | None:
    """An amount or drug the claim gives an age band the passage gives another one, while the passage gives
    the claim's for another band: the bands swapped."""
    for what, ages in sorted(mine, key=str):
        said = {w for w, band in theirs if band == ages}
        elsewhere = any(w == what and band != ages for w, band in theirs)
        if said and what not in said and elsewhere:
            if len(ages) == 1:
                only = next(iter(ages))
                band = f"{bound_word(only)} {only}".strip()
            else:
                band = " to ".join(str(q) for q in sorted(ages, key=lambda q: q.value))
            return f"the claim says {what} for those aged {band}; the passage says {', '.join(sorted(said))}"
    return None
