"""The offline default verifier: a claim is supported only when one statement of the passages says
all of it, and contradicted when the statement it is about says otherwise.

For each claim, every checkable unit of the passages (a sentence, list item or table row, read
with its paragraph, heading and title) is scored by how much of the claim's content it states:
    coverage = share of the claim's content words (synonyms and word forms merged, attribution and
               filler words aside) found in the unit or its context.
Then:
    supported     a unit covers the claim (coverage >= SUPPORT), states each of its facts (who, how
                  often, numbers, grade) and disagrees on none;
    contradicted  otherwise, a unit on the same topic (coverage >= TOPIC) disagrees on a fact:
                  polarity, population, a number, frequency or timing, the intervention, the grade;
    not found     otherwise (a hedge, a restated question, or facts the passages do not state).
Topic alone never supports: a claim that adds a population, a drug or a number the passage does not
state is not supported, however similar it reads.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..retrieval.ranking import ABBREVIATIONS
from ..types import Passage
from .attribution import asked_conflict
from .conflicts import another_case, conflicts, spelled_out_in, states
from .facets import Facets, facet_conflicts, facets, without_grade
from .interventions import classify
from .lexicon import SOFT_STEMS, concepts, expand_contractions, specific_stems, word_for
from .negation import negates
from .quantities import DAYS, quantities, quantity_problem, same_quantity
from .synonyms import another_form_in, names_a_body_part, names_a_thing, thing_kind
from .synonyms import matches as synonym_in
from .units import ITEM, NEGATION, Unit, clauses, definitions, expanded, passage_units, short_forms, spelled_out

SUPPORT = 0.8  # share of the claim's content words a unit must state
OWN = 0.5  # share of the claim's content a unit must state itself before its context may fill in the rest
TIE = 0.05  # coverage within this of the supporting statement's counts as equally close
MARGIN = 0.15  # a contradiction must come from a statement about as close to the claim as the closest
# A claim that denies an effect ("produce no more weight loss", "did not reduce") needs a passage that denies too.
_DENIES = re.compile(r"\b(?:not|never|cannot)\b|\bno (?:more|less|greater|better|fewer|different|effect|benefit|"
                     r"difference|reduction|increase)\b", re.IGNORECASE)
_ANYNEGATION = re.compile(r"\b(?:not|never|cannot|no|none|neither|nor|without|avoid\w*)\b", re.IGNORECASE)
_EVIDENCE_SAYS = re.compile(r"\bevidence\b|\bstud(?:y|ies)\b|\btrials?\b|\bdata\b", re.IGNORECASE)
_REFUSING = re.compile(r"\b(?:stop|discontinu|ceas|withh[eo]ld|withdraw|refrain|tapering|deprescrib)\w*", re.IGNORECASE)
TOPIC = 0.5  # below this a unit is about something else: its disagreements are not contradictions
MIN_WORDS = 2  # fewer content words than this is no claim ("Yes.")


@dataclass
class Check:
    verdict: str  # supported | contradicted | not_found
    unit: Unit | None
    reason: str
    score: float  # coverage of the claim by the unit the verdict rests on
    by: str = "rules"


# Words that say when, as a number of hours does ("read immediately" is not "read 48 to 72 hours later"):
# a unit must state them itself, like a fact.
_WHEN_WORDS = frozenset({"immedi"})  # "immediately", "promptly", "right away" (lexicon's canonical word)
# Facts of the condition, often named once in a heading or the sentence before: context may state them.
_CONDITION = ("SEV:", "COURSE:", "EXTENT:")


def _is_fact(token: str) -> bool:
    return ":" in token and token.split(":")[0].isupper()


# Where a claim joining two sentences of a statement joins them.
_MOST_SPLITS = 8  # joins tried per claim: each costs two checks, and a run-on sentence may have dozens
_TWO_PARTS = re.compile(r"[;:]\s+|,?\s+[-–—]\s+|,?\s+(?:and|but|plus|then|while)\s+(?:also\s+)?|,\s+(?=stopping\b)|"
                        r",\s+(?:because|since)\s+",
                        re.IGNORECASE)


_COMPARED_ONLY = ("QUANT:only", "QUANT:incl", "QUANT:both", "QUANT:oneof", "SCOPE:in", "SCOPE:out")


def _content(tokens: list[str]) -> list[str]:
    # "only", "including" and timing words are compared as facets (conflicts), not required as words
    return [t for t in dict.fromkeys(tokens) if t not in SOFT_STEMS and t not in _COMPARED_ONLY
            and not t.startswith("TIME:") and t not in ("not", "no", "never", "against", "without")]


def coverage(claim: Facets, unit: Unit) -> tuple[float, float, list[str]]:
    """(share of the claim's content the unit states with its context, share it states itself, the
    content it does not state). Context fills in at most what the unit leaves implicit: below OWN
    of the claim in the unit itself, context counts for nothing."""
    words = _content(claim.concepts)
    if not words:
        return 0.0, 0.0, []
    own = set(unit.facets.concepts)
    # a reworded word ("full" for "complete") is stated too; facts are compared exactly, never as synonyms
    # ("non-opioid" in the claim is "nonopioid" in the unit)
    own |= {t for t in words if t not in own and (synonym_in(t, own) or _narrower_in(t, own) or _kin_in(t, own)
                                                  or ("non" in words and "non" + t in own) or _another_form(t, own))}
    own |= _same_amounts(claim, unit) | spelled_out_in(claim, own)
    if "QUANT:all" in words and _everyone_of_that_age(claim, unit):
        own.add("QUANT:all")  # "all adults aged 18 and over" is "adults aged 18 years or older"
    in_unit = sum(t in own for t in words) / len(words)
    if in_unit < OWN:
        return in_unit, in_unit, [t for t in words if t not in own]
    # Facts (who, how often, all / except) must be the unit's own: a neighbour's population is not this one's.
    # A neighbour that denies something ("… does not reduce mortality") lends its words only to a claim that denies too.
    lent = unit.context - unit.denied if not NEGATION.search(claim.text) else unit.context
    missing = [t for t in words if not (t in own or ((not _is_fact(t) or t.startswith(_CONDITION)) and t in lent
                                                     and not _another_of_kind(t, claim, unit)))]
    return 1 - len(missing) / len(words), in_unit, missing


def _another_of_kind(token: str, claim: Facets, unit: Unit) -> bool:
    """Does the unit itself name another thing of the kind `token` names (a body part, a substance), one the
    claim does not name? (A drug counts as a substance: "alcohol use disorder" against "opioid use disorder".)"""
    kind = thing_kind(token)
    if kind is None:
        return False
    mine = set(claim.concepts)
    return any(t not in mine and (thing_kind(t) == kind or (kind == "substance" and classify(t) == "drug"))
               for t in unit.facets.concepts)


KIN = 7  # letters two word forms share from the start ("prosthesis", "prosthetic"; "analgesia", "analgesic")


def _another_form(token: str, stems: set[str]) -> bool:
    """The same word in another form ("beneficial" for "benefit"), by WordNet; never for facts, drugs or tests."""
    return not _is_fact(token) and not classify(token) and another_form_in(token, stems)


def _kin_in(token: str, stems: set[str]) -> bool:
    """Another form of the same word ("analgesic therapy" for "analgesia")? Never for facts, numbers, drugs or
    tests, which are compared exactly (prednisone is not prednisolone)."""
    if len(token) < KIN or _is_fact(token) or classify(token):
        return False
    return any(len(s) >= KIN and s[:KIN] == token[:KIN] and not _is_fact(s) and not classify(s) for s in stems)


# A group narrowed by what its members have or are ("adults aged 40 to 70 years who are overweight")
_QUALIFIED = re.compile(r"\b(?:who|whose|that)\s+(?:are|is|have|has|had|do|does|did|were|was|currently|also)\b|"
                        r"\bwith (?:a |an )?(?:known|documented|history|diagnos)", re.IGNORECASE)
_NARROWING = ("RISK", "SMOKE", "PREG", "SEV", "COURSE", "EXTENT", "SETTING", "SEX")


def _everyone_of_that_age(claim: Facets, unit: Unit) -> bool:
    """Does the unit speak of everyone of the claim's age band, narrowing it to no group the claim does not name?"""
    f = unit.facets
    ages = [q for q in claim.quantities if q.unit == "year" and q.bound]
    if not ages or not claim.values.get("AGEGRP") or f.values.get("QUANT", set()) & {"only", "except"} \
            or f.polarity == "selective" or _QUALIFIED.search(f.text):
        return False
    if not all(any(p.unit == "year" and p.bound == q.bound and p.value == q.value for p in f.quantities) for q in ages):
        return False
    return all(f.values.get(kind, set()) <= claim.values.get(kind, set()) for kind in _NARROWING)


def _same_amounts(claim: Facets, unit: Unit) -> set[str]:
    """The claim's number and unit words for amounts the unit states in other units ("two years" where it says
    "24 months", "a month" where it says "30 days")."""
    out: set[str] = set()
    for q in claim.quantities:
        if q.unit in DAYS and any(p.unit in DAYS and p.unit != q.unit and same_quantity(p, q)
                                   for p in unit.facets.quantities):
            out |= {f"{q.value:g}", q.unit}
    return out


def _narrower_in(token: str, stems: set[str]) -> bool:
    """Does the unit name a kind of the drug or test the claim names ("corticosteroid" for "steroid")?
    (Only for those: "overweight" is no kind of "weight".)"""
    return len(token) >= 5 and bool(classify(token)) and any(len(s) > len(token) + 2 and s.endswith(token)
                                                              and not s.startswith("non") for s in stems)  # nonopioid


class RuleVerifier:
    name = "rules"

    def check(self, claim_text: str, units: list[Unit], question: str | None = None) -> Check:
        claim_text = expand_contractions(claim_text)
        parts = clauses(claim_text)
        if len(parts) > 1:  # "test for anti-HCV; NAT is not required": a part the passages contradict decides
            contradicted = next((c for c in (self._check(p, units, question) for p in parts)
                                 if c.verdict == "contradicted"), None)
            if contradicted is not None:
                return contradicted
        whole = self._check(claim_text, units, question)
        if whole.verdict == "not_found" or (whole.verdict == "contradicted" and (len(parts) > 1 or _both_amounts(
                claim_text, whole.unit))):
            # (also when the claim says both sides of what it was contradicted on: "above 500 mg/dL a strict diet,
            # and above 1000 mg/dL a very low-fat diet" read whole against the 1000 mg/dL sentence, or "aspirin
            # for high risk, but no longer for low risk"; each part is still checked in full)
            return self._in_two_sentences(claim_text, units, question) or whole
        return whole

    def _in_two_sentences(self, claim_text: str, units: list[Unit], question: str | None) -> Check | None:
        """A claim joining the two sentences of one statement ("screen adults aged 15 to 65, and also younger
        people at increased risk"; "…, stopping once they have not smoked for 15 years") is supported when each
        of its two parts is supported by one of two consecutive sentences of one passage."""
        where = {id(u): i for i, u in enumerate(units)}
        for m in list(_TWO_PARTS.finditer(claim_text))[:_MOST_SPLITS]:
            first, second = claim_text[:m.start()].strip(), claim_text[m.end():].strip()
            a = self._check(first, units, question)
            if a.verdict != "supported" or a.unit is None:
                continue
            b = self._check(second, units, question)
            if b.verdict != "supported" or b.unit is None:
                continue
            i, j = where[id(a.unit)], where[id(b.unit)]
            if abs(i - j) > 1 or a.unit.source != b.unit.source:
                # each part is stated, but not as one statement: is one of them also stated beside the other?
                pairs = [(x, y) for x, y in [(j - 1, j), (j + 1, j), (i, i - 1), (i, i + 1)]
                         if 0 <= x < len(units) and 0 <= y < len(units)]
                i, j = next(((x, y) for x, y in pairs if self._beside(first, units, x, units[y].source, question)
                             and self._beside(second, units, y, units[x].source, question)), (i, j))
                if abs(i - j) > 1:
                    continue
            i, j = sorted((i, j))
            if i == j:
                return Check("supported", a.unit, "the passage states it", min(a.score, b.score))
            one, two = units[i], units[j]
            joined = Unit(one.source, f"{one.text} {two.text}", one.offset, one.facets, one.context | two.context,
                          two.grade or one.grade, one.defined)
            return Check("supported", joined, "the passage states it, in two sentences", min(a.score, b.score))
        return None

    def _beside(self, part: str, units: list[Unit], k: int, source: int, question: str | None) -> bool:
        """Does unit k, of passage `source`, support this part of a claim by itself?"""
        return units[k].source == source and self._check(part, [units[k]], question).verdict == "supported"

    def _check(self, claim_text: str, units: list[Unit], question: str | None = None) -> Check:
        claim_text = spelled_out(claim_text, list(dict.fromkeys(u.text for u in units)))
        defined = {**(units[0].defined or {}), **definitions(claim_text)} if units else definitions(claim_text)
        claim = facets(claim_text)
        claim.specific = specific_stems(without_grade(claim_text))
        words = _content(expanded(without_grade(claim_text), defined))
        claim.concepts = words + [t for t in claim.concepts if _is_fact(t) and t not in words]
        claim.short_forms = short_forms(claim_text, {**ABBREVIATIONS, **defined})
        if len(words) < MIN_WORDS:
            return Check("not_found", None, "the sentence states nothing that could be checked", 0.0)
        if question is not None:
            asked = set(concepts(question))
            if not [t for t in words if t not in asked]:
                return Check("not_found", None, "the sentence only restates the question", 0.0)
        scored = sorted(((coverage(claim, u), u) for u in units), key=lambda x: (-x[0][0], -x[0][1]))
        supporting = [(full, own, u) for (full, own, missing), u in scored
                      if full >= SUPPORT and self._supports(claim, u, missing)]
        # answering a question about one body's guideline, another body's statement supports nothing
        support = next((s for s in supporting if not asked_conflict(question, claim_text, s[2].text)), None)
        closest = scored[0][0][0] if scored else 0.0
        for (full, own, _missing), unit in scored:
            if full < max(TOPIC, closest - MARGIN):
                break
            differ = conflicts(claim, unit)
            if not differ or another_case(differ):
                continue
            if support is None and {kind for kind, _ in differ} == {"number"} and any(
                    f >= full - TIE and states(u, claim, "number") and not facet_conflicts(claim, u.facets)
                    for (f, _o, _m), u in scored):
                continue  # a statement as close states the claim's numbers: the claim is about that one
            if support is not None:
                # Against a statement that supports the claim, another one disagreeing counts only
                # when it is as close to the claim (a false assurance is worse than a false alarm),
                # and not where the supporting statement itself states what it disagrees on.
                if full < support[0] - TIE or own < support[1] - TIE:
                    continue
                # The supporting statement itself settles a population, number or grade on which the
                # other one differs: the other one is about a different case, not a contradiction.
                if any(kind != "polarity" and states(support[2], claim, kind) for kind, _ in differ):
                    continue
            return Check("contradicted", unit, "; ".join(reason for _, reason in differ), full)
        if support is not None:
            return Check("supported", support[2], "the passage states it", support[0])
        if supporting:
            full, _own, unit = supporting[0]
            return Check("not_found", unit, asked_conflict(question, claim_text, unit.text) or "", full)
        if not scored or closest < TOPIC:
            return Check("not_found", scored[0][1] if scored else None, "no passage is about this", closest)
        (full, _own, missing), unit = scored[0]
        said = ", ".join(_readable(missing, claim_text)[:6]) or "every part of it"
        return Check("not_found", unit, f"the passages do not state: {said}", full)

    @staticmethod
    def _supports(claim: Facets, unit: Unit, missing: list[str]) -> bool:
        if any(_is_fact(t) or t[0].isdigit() or "_" in t or t in claim.specific or classify(t) or names_a_thing(t)
               or t in _WHEN_WORDS for t in missing):
            return False  # a population, frequency, number, drug, test or condition the unit does not state
        if any(_another_of_kind(t, claim, unit) for t in missing):
            return False  # "hip OA" where the unit says "OA of the knee"; "fat" where it says "carbohydrate"
        if missing and any((names_a_body_part(t) or names_a_thing(t)) and t not in claim.concepts
                           for t in unit.facets.concepts) and any(names_a_body_part(t) for t in missing):
            return False  # "shoulder arthroscopy" where the unit says "knee arthroscopy": another body part
        # A recommendation (or a grade) is supported only by a statement that makes one, never by
        # a sentence that merely describes the evidence on the same topic.
        if claim.polarity and not unit.facets.polarity and not (
                claim.polarity == "for" and ITEM.match(unit.text) and not _EVIDENCE_SAYS.search(unit.text)):
            return False  # (a list item such as "Consultation with a specialist if …" recommends without a verb;
            # "- Women who have never smoked: adequate evidence shows …" describes the evidence)
        if claim.grades and not unit.facets.grades:
            return False
        if not claim.polarity and _DENIES.search(claim.text):
            # a "without" both say ("in settings without fortification") qualifies; it denies nothing
            shared = {w.lower() for w in _ANYNEGATION.findall(claim.text)} & {"without"}
            if not {w.lower() for w in _ANYNEGATION.findall(unit.facets.text)} - shared:
                return False  # "Bracing is not used until …": a description the unit states without its "not"
        if not claim.polarity and not unit.facets.polarity and NEGATION.search(unit.facets.text) \
                and not _ANYNEGATION.search(claim.text):
            return False  # and the reverse: "X is enough" against "X does not reduce mortality"
        if not claim.polarity and unit.facets.polarity == "against" and not _ANYNEGATION.search(claim.text) \
                and not _REFUSING.search(claim.text):
            return False  # "urine … can be processed" against "… should not be processed" (but "stopping once …")
        if not claim.polarity and unit.facets.polarity == "insufficient":
            return False  # a plain statement of fact against "it is unknown whether X is beneficial"
        # one side denies what the other, which denies nothing, says ("are likely to produce benefit" against
        # "are not likely to produce benefit")
        if (claim.denied & set(unit.facets.concepts) and not negates(unit.facets.text)) or \
                (unit.facets.denied & set(claim.concepts) and not negates(claim.text)):
            return False
        if conflicts(claim, unit):
            return False
        return not quantity_problem(claim.quantities, unit.facets.quantities)


def _both_amounts(claim_text: str, unit: Unit | None) -> bool:
    """Is the claim two parts, one stating the unit's amount and the other another amount of the same kind
    ("above 500 mg/dL …, and above 1000 mg/dL …" against the 1000 mg/dL sentence)?"""
    theirs = unit.facets.quantities if unit is not None else []
    for m in list(_TWO_PARTS.finditer(claim_text))[:_MOST_SPLITS]:
        one, two = quantities(claim_text[:m.start()]), quantities(claim_text[m.end():])
        for a, b in ((one, two), (two, one)):
            if any(any(same_quantity(p, q) for p in theirs) and any(
                    r.unit == q.unit and r.bound == q.bound and not same_quantity(r, q) for r in b) for q in a):
                return True
    return False


def _readable(tokens: list[str], text: str) -> list[str]:
    """What the claim did not have stated, in the claim's own words ("immediately", not "immedi")."""
    return [t.split(":", 1)[1] if _is_fact(t) else word_for(t, text) for t in tokens]


def check_text(claim_text: str, passages: list[Passage]) -> Check:
    """One claim against passages (convenience for tests and benchmarks)."""
    return RuleVerifier().check(claim_text, passage_units(passages))


__all__ = ["Check", "RuleVerifier", "check_text", "coverage", "quantities"]
