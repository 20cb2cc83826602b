"""Where a statement of the passages says otherwise than a claim: every fact on which they differ, as
(kind, readable reason), read by the rule verifier for both its contradictions and its support check.

    _conflicts(claim, unit) -> [("SEX", "sex: the claim says female, the passage says male")]

Kinds: the facets (polarity, population, numbers, timing, grade: facets.facet_conflicts), the test,
procedure or drug named (interventions.py), and a one-word opposite ("normal" for "abnormal").
"""
from __future__ import annotations

import re

from .facets import Facets, facet_conflicts
from .interventions import classify, intervention_conflict
from .lexicon import concepts, word_for
from .negation import negates
from .quantities import same_quantity
from .synonyms import antonyms
from .units import Unit


def spelled_out_in(claim: Facets, stems: set[str]) -> set[str]:
    """The claim's abbreviations whose long form is among `stems` ("EPDS" where the unit spells it out)."""
    return {short for short, long in claim.short_forms.items() if long and long <= stems}


_CASE = {"SEX", "PREG", "SMOKE", "RISK", "AGEGRP", "number", "excluded"}


def another_case(conflicts: list[tuple[str, str]]) -> bool:
    """A statement that differs from the claim both in what it recommends (polarity or grade) and in who
    or how much is about another case (the next recommendation of the list, an I statement on higher
    doses), not a contradiction of this one: a wrong claim changes one fact of the statement it is about."""
    kinds = {kind for kind, _ in conflicts}
    return bool(kinds & {"polarity", "grade"}) and bool(kinds & _CASE)


def states(unit: Unit, claim: Facets, kind: str) -> bool:
    """Does the (supporting) unit itself state the claim's `kind` of fact?"""
    f = unit.facets
    if kind == "grade":
        return bool(f.grades)
    if kind == "number":
        return bool(claim.quantities) and all(any(same_quantity(p, q) for p in f.quantities) for q in claim.quantities)
    if kind == "preference":
        return f.prefers is not None
    if kind == "intervention":
        return True  # it names the claim's intervention, or it would not support it
    return bool(f.values.get(kind))


def conflicts(claim: Facets, unit: Unit) -> list[tuple[str, str]]:
    """Every fact on which the unit says otherwise than the claim: (kind, readable reason)."""
    return facet_conflicts(claim, unit.facets) + _intervention(claim, unit) + _opposite(claim, unit)


def _intervention(claim: Facets, unit: Unit) -> list[tuple[str, str]]:
    stated = spelled_out_in(claim, set(unit.facets.concepts))  # "EPDS" where the unit says what it stands for
    stated |= unit.topic  # what the guideline is about ("after lower limb amputation"), not an alternative
    reason = intervention_conflict([t for t in claim.concepts if t not in stated], unit.facets.concepts, claim.text,
                                   unit.facets.text) or _drug_for_procedure(claim, unit)
    return [("intervention", reason)] if reason else []


def _drug_for_procedure(claim: Facets, unit: Unit) -> str | None:
    """The claim gives a medication where the unit gives only a procedure or counseling ("prescribing weight-loss
    medication" for "behavioral counseling for weight loss")."""
    theirs = unit.facets.concepts
    if "medic" not in concepts(claim.text) or "medic" in theirs or any(classify(t) == "drug" for t in theirs):
        return None
    done = [t for t in dict.fromkeys(theirs) if classify(t) == "procedure" and t not in claim.concepts]
    if not done:
        return None
    return f"the claim names a medication; the passage names {', '.join(word_for(t, unit.facets.text) for t in done)}"


def _opposite(claim: Facets, unit: Unit) -> list[tuple[str, str]]:
    """The claim says the opposite of the unit in one word ("normal" where it says "abnormal", "low" for "high")."""
    if negates(claim.text) or negates(unit.facets.text):
        return []  # "no refrigerator is available" is "refrigeration is unavailable"
    mine, theirs = set(claim.concepts), set(unit.facets.concepts)
    for token in (t for t in claim.concepts if t not in theirs):  # in the claim's order: the same reason every run
        if re.search(rf"\bhow {re.escape(token)}", claim.text, re.IGNORECASE):
            continue  # "how long to continue" asks; it says nothing long
        other = next((a for a in sorted(antonyms(token)) if a in theirs and a not in mine), None)
        if other:
            return [("opposite", f"the claim says {word_for(token, claim.text)}, the passage says "
                                 f"{word_for(other, unit.facets.text)}")]
    return []
