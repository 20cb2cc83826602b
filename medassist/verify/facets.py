"""The facts a clinical statement carries, read from its words, and where two statements disagree.

    facets("The USPSTF recommends against routine screening for AAA in women who have never smoked.")
      -> Facets(polarity="against", sex={"female"}, smoking={"never"}, ...)

Each kind of disagreement is one function of `conflicts`, so a verdict can say which part
differs and what the passage says instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..sentences import grade_of
from .attribution import attribution_conflict
from .bindings import age_conflict, by_age, group_conflict, group_numbers
from .lexicon import SOFT_STEMS, concepts, negated, numeric_text
from .negation import denied_words
from .polarity import ANY_LIMIT, ROUTINE, polarity
from .quantities import Quantity, quantities, quantity_problem

# -- preference: "X over Y", "X rather than Y" ---------------------------------------------------
_PREFERENCE = re.compile(r"\b(?:over|rather than|instead of|in preference to|preferred to|in favou?r of|before)\b",
                         re.IGNORECASE)


def preference(text: str) -> tuple[set[str], set[str]] | None:
    """(what is preferred, what it is preferred to): the content words just before and after "over"."""
    m = _PREFERENCE.search(text)
    if not m or re.search(r"\bover (?:the|a|\d)|\bover(?:all|weight)", text[m.start():m.start() + 12], re.IGNORECASE):
        return None
    from .lexicon import SOFT_STEMS

    plain = re.sub(r"\([^()]*\)", " ", text)  # "(see Recommendation 11)" is neither side
    m = _PREFERENCE.search(plain)
    if not m:
        return None
    left = re.split(r"\b(?:suggests?|recommends?|recommended|prefer\w*|offering|use of|of)\b|[,;.:]",
                    plain[max(0, m.start() - 100):m.start()])[-1]
    right = re.split(r"\b(?:to|for|in|because|as|when|if|among)\b|[,;.:]", plain[m.end():m.end() + 100])[0]
    before = [t for t in concepts(left) if _side_word(t) and t not in SOFT_STEMS][-5:]
    after = [t for t in concepts(right) if _side_word(t) and t not in SOFT_STEMS][:5]
    return (set(before), set(after)) if before and after else None


# -- balance: "benefits outweigh harms" -------------------------------------------------------
_WEIGHED = re.compile(r"\b(benefit|harm|risk|cost)s?\b(?:(?!\b(?:benefit|harm|risk|cost)s?\b)[^.;])*?"
                      r"\b(?:outweighs?|outweighed|exceeds?|exceeded)\b(?: the| any| its| their)?"
                      r"(?:\s+\w+){0,2}?\s+(benefit|harm|risk|cost)s?\b", re.IGNORECASE)


def balance(text: str) -> tuple[str, str] | None:
    """(what weighs more, what it outweighs): ("benefit", "risk") for "expected benefits … outweigh risks"."""
    m = _WEIGHED.search(text)
    if not m or m.group(1).lower() == m.group(2).lower():
        return None
    return m.group(1).lower(), m.group(2).lower()


# Conditions that say who a recommendation is for: "adults without obesity" are not "adults with obesity".
_CONDITIONS = frozenset(["obes", "overweight", "diabet", "hypertens", "dyslipidemia", "symptom", "pregnanc", "infect",
                        "cancer", "dementia", "depress", "disabl", "frailti", "fractur", "contraind"])


def _words(tokens: set[str]) -> str:
    return " ".join(t.split(":", 1)[1] + ("-acting" if t.startswith("FORM:") else "") if ":" in t else t
                    for t in sorted(tokens))


def _side_word(token: str) -> bool:
    """A word that can name what is preferred: a plain word, or how it is given ("immediate-release")."""
    return ":" not in token or token.split(":")[0] in ("FORM", "ROUTE", "DOSE", "SETTING")


# -- grade or strength --------------------------------------------------------------------------
# Letters are read in upper case only ("a grade" is no grade A).
_CLAIM_GRADE = re.compile(
    r"\b(?:grade|category|rated|rating(?: of)?|level)\s*:?\s*((?-i:[A-D]|I{1,3}[ABC]?|EO))\b|"
    r"\b((?-i:[A-D]|I))\s+(?:recommendation|statement|grade|rating)\b|"
    r"\b(strong|weak|conditional)(?:ly)?[\s-]+(?:recommendation\s+)?(for|against|recommendation)\b|\bexpert opinion\b|"
    r"\bconsensus\b|\b(?:is\s+)?(?:an?\s+)?((?-i:I{1,3}[ABC]))\b", re.IGNORECASE)


def grade_tokens(grade: str) -> set[str]:
    """The grade tokens of a grade as written after a statement: "B", "EO", "Strong For", "IA" …"""
    bare = grade.strip().strip("[]()")
    if re.fullmatch(r"[A-DI]|EO|I{1,3}[ABC]", bare, re.IGNORECASE):
        return {bare.upper()}
    return grades(f"({bare})")


_ADVERB_GRADE = re.compile(r"\b(strongly|weakly|conditionally) (?:recommend|suggest|advise)(?:s|ed)?( against)?\b",
                           re.IGNORECASE)


def grades(text: str) -> set[str]:
    """Grade tokens a text states: {"B"}, {"strong for"}, {"EO"}, {"IA"} …"""
    out: set[str] = set()
    stated = grade_of(text)
    for source in filter(None, [stated, text.replace("*", "")]):
        for m in _CLAIM_GRADE.finditer(source):
            if m.group(1):
                out.add(m.group(1).upper())
            elif m.group(2):
                out.add(m.group(2).upper())
            elif m.group(3):
                strength = m.group(3).lower().replace("conditional", "weak")
                out.add(strength + ("" if m.group(4).lower() == "recommendation" else " " + m.group(4).lower()))
            elif m.group(5):
                out.add(m.group(5).upper())
            else:
                out.add("EO" if "expert" in m.group(0).lower() else "consensus")
    for m in _ADVERB_GRADE.finditer(text):  # "strongly recommends against": a strong against, said in words
        strength = "strong" if m.group(1).lower() == "strongly" else "weak"
        out.add(strength + (" against" if m.group(2) else ""))
    if stated:
        bare = re.sub(r"\s+", " ", stated.strip()).lower()
        letter = re.fullmatch(r"([a-di])(?: recommendation| statement)?", bare)
        if letter:
            out.add(letter.group(1).upper())
        elif bare == "eo":
            out.add("EO")
    return out


def without_grade(text: str) -> str:
    """The text without the grade it states (compared as a grade, not as words)."""
    from ..sentences import GRADE

    text = re.sub(r"\(?\s*(?:recommendation )?category:?\s*[A-D1-4],?\s*(?:evidence type:?\s*\d)?\s*\)?|"
                  r"\bevidence type:?\s*\d\b|\b(?:high|moderate|low|very low)-quality evidence\b", " ", text,
                  flags=re.IGNORECASE)
    text = GRADE.sub(" ", text.replace("*", ""))
    return _CLAIM_GRADE.sub(" ", text)


def grades_conflict(claim: set[str], passage: set[str]) -> bool:
    """The claim states a grade the passage gives otherwise ("strong" agrees with "strong for")."""
    if not claim or not passage:
        return False
    for g in claim:
        if g in passage or any(p.startswith(g + " ") or g.startswith(p + " ") for p in passage):
            return False
    return True


# -- everything together ------------------------------------------------------------------------
_FACET_LABEL = {"ROUTE": "route", "FORM": "formulation", "SCOPE": "whom the recommendation covers", "SETTING": "setting", "TIME": "timing", "TRIM": "trimester", "DOSE": "dose", "SEX": "sex", "PREG": "pregnancy", "SMOKE": "smoking status", "RISK": "risk level",
                "AGEGRP": "age group", "FREQ": "frequency", "QUANT": "who it applies to",
                "SEV": "severity", "COURSE": "course", "EXTENT": "extent", "EVID": "strength of evidence",
                "PHASE": "when in the course", "SYMPT": "symptoms",
                "DELIVERY": "group or individual"}


@dataclass
class Facets:
    text: str
    concepts: list[str]
    polarity: str | None
    grades: set[str]
    quantities: list[Quantity]
    values: dict[str, set[str]] = field(default_factory=dict)  # SEX -> {"male"}, FREQ -> {"1y"} …
    prefers: tuple[set[str], set[str]] | None = None  # "X over Y": (X words, Y words)
    sequence: dict[str, list[str]] = field(default_factory=dict)  # RISK -> ["high", "low"], in order
    bindings: set[tuple[str, str]] = field(default_factory=set)  # ("male", "35"): a number said of a group
    specific: set[str] = field(default_factory=set)  # stems naming something particular (set for claims)
    excluded: frozenset[str] = frozenset()  # named only to be excluded ("without naloxone")
    denied: frozenset[str] = frozenset()  # words a negation governs ("not likely to produce" -> produc)
    by_age: set = field(default_factory=set)  # {("600 units", {18 y min, 70 y max})}: an amount or drug for an age band
    short_forms: dict[str, set[str]] = field(default_factory=dict)  # "epd" -> concepts of "Edinburgh … Scale" (claims)


# How strong the evidence is, said in words (USPSTF: convincing > adequate > inadequate). Compared, never
# required: a claim that does not say how strong the evidence is says nothing wrong about it.
_EVIDENCE = {
    "high": re.compile(r"\b(?:convincing|good|strong|high[- ]quality|high[- ]certainty)(?: quality)? evidence\b", re.I),
    "moderate": re.compile(r"\b(?:adequate|fair|moderate(?:[- ]quality|[- ]certainty)?|some)(?: quality)? evidence\b",
                           re.I),
    "low": re.compile(r"\b(?:limited|weak|poor|low[- ]quality|low[- ]certainty|inadequate|insufficient|little|minimal|"
                      r"scant)(?: quality)? evidence\b|\bevidence (?:[\w,-]+ ){0,16}?(?:is|are|was|were|remains?) "
                      r"(?:limited|lacking|insufficient|sparse|scarce|weak|inconclusive)\b", re.I)}


_BREASTFEEDING = re.compile(r"\bbreast[- ]?(?:feed|fed)\w*|\blactati(?:ng|on)\b|\bnursing mothers?\b", re.IGNORECASE)


def facets(text: str, grade: str | None = None) -> Facets:
    """The facts of `text`; `grade` is the grade its statement carries when that is written elsewhere
    (after the statement's last sentence)."""
    tokens = concepts(text)
    if ("PREG:yes" in tokens or _BREASTFEEDING.search(text)) and "SEX:female" not in tokens:
        tokens.append("SEX:female")  # pregnancy and breastfeeding say who as well
    values: dict[str, set[str]] = {}
    sequence: dict[str, list[str]] = {}
    for t in tokens:
        if ":" in t and t.split(":")[0].isupper():
            kind, value = t.split(":", 1)
            values.setdefault(kind, set()).add(value)
            sequence.setdefault(kind, []).append(value)
    strength = {level for level, rx in _EVIDENCE.items() if rx.search(text)}
    if strength:
        values["EVID"] = strength
    plain = numeric_text(text)
    return Facets(text, tokens, polarity(text), (grade_tokens(grade) if grade else grades(text)), quantities(plain), values,
                  preference(text), sequence, group_numbers(tokens, text), excluded=negated(text), by_age=by_age(plain),
                  denied=denied_words(text))


_CHOSEN_TIME = re.compile(r"\b(after|before)\b[^.;]{0,60}?\b(?:rather than|instead of|and not|not)\s+(?:\w+\s+){0,2}?"
                          r"(before|after)\b", re.IGNORECASE)


def facet_conflicts(claim: Facets, passage: Facets) -> list[tuple[str, str]]:
    """Where the passage says otherwise than the claim: (kind, readable reason) pairs, empty if nowhere.
    Kinds: polarity, SEX, PREG, SMOKE, RISK, AGEGRP, FREQ, QUANT, preference, grade, number, attribution."""
    reasons = []
    mine_p, theirs_p = claim.polarity, passage.polarity
    # "for" and "selective" agree, unless the "for" says routinely, for everyone
    routine = {mine_p, theirs_p} == {"for", "selective"} and bool(
        ROUTINE.search(claim.text if mine_p == "for" else passage.text))
    limits = {mine_p, theirs_p} == {"for", "against"} and all(ANY_LIMIT.search(f.text) for f in (claim, passage))
    if mine_p and theirs_p and mine_p != theirs_p and ({mine_p, theirs_p} != {"for", "selective"} or routine) \
            and not limits:
        reasons.append(("polarity", f"the claim says {_POLARITY_WORDS[mine_p]}; the passage says "
                                    f"{_POLARITY_WORDS[theirs_p]}"))
    only = "only" in claim.values.get("QUANT", set())
    for kind in ("SEX", "PREG", "SMOKE", "RISK", "AGEGRP", "FREQ", "DOSE", "TIME", "TRIM", "ROUTE", "FORM", "SCOPE", "SETTING", "SEV",
                 "COURSE", "EXTENT", "EVID", "PHASE", "SYMPT", "DELIVERY"):
        mine, theirs = claim.values.get(kind, set()), passage.values.get(kind, set())
        if kind == "TIME" and not _same_anchor(claim.text, passage.text):
            continue  # "only once improvement has been seen" and "prior to botulinum toxin": two events, one order
        if mine and theirs and not mine & theirs and not _compatible(kind, mine, theirs):
            reasons.append((kind, f"{_FACET_LABEL[kind]}: the claim says {', '.join(sorted(mine))}, the passage says "
                                  f"{', '.join(sorted(theirs))}"))
        elif only and mine and theirs and mine < theirs:  # "only after birth" where it says during and after
            reasons.append((kind, f"{_FACET_LABEL[kind]}: the claim says only {', '.join(sorted(mine))}; the passage "
                                  f"says {', '.join(sorted(theirs))}"))
    mine, theirs = claim.values.get("QUANT", set()), passage.values.get("QUANT", set())
    if "all" in mine and "only" in theirs and "all" not in theirs:
        reasons.append(("QUANT", "the claim applies it to all; the passage limits it to a group"))
    if "only" in mine and "all" in theirs and "only" not in theirs:
        reasons.append(("QUANT", "the claim limits it to a group; the passage applies it to all"))
    if ("both" in mine and "oneof" in theirs and "both" not in theirs) or \
            ("oneof" in mine and "both" in theirs and "oneof" not in theirs):
        reasons.append(("QUANT", "the claim says both; the passage says one or the other, not both (or the reverse)"))
    if ("except" in mine and "incl" in theirs and "except" not in theirs) or \
            ("incl" in mine and "except" in theirs and "incl" not in theirs):
        reasons.append(("QUANT", "the claim excludes a group the passage includes (or the reverse)"))
    for kind in ("SEX", "RISK", "SMOKE", "PREG", "AGEGRP"):
        mine_seq, theirs_seq = claim.sequence.get(kind, []), passage.sequence.get(kind, [])
        if len(mine_seq) == len(theirs_seq) > 1 and sorted(mine_seq) != sorted(theirs_seq) \
                and not any(r[0] == kind for r in reasons):
            reasons.append((kind, f"{_FACET_LABEL[kind]}: the claim says {', '.join(mine_seq)}, the passage says "
                                  f"{', '.join(theirs_seq)}"))
    from .interventions import classify

    # only for things that are named (a drug, a test): "buprenorphine alone (without naloxone)"
    dropped = sorted(t for t in set(claim.concepts) - claim.excluded if t in passage.excluded
                     and (classify(t) or t in claim.specific or t in _CONDITIONS))
    if dropped:
        reasons.append(("excluded", f"the passage excludes {', '.join(dropped)}"))
    # and the reverse: "even without obesity-associated conditions" where the passage requires them
    kept = sorted(t for t in claim.excluded if t in passage.concepts and t not in passage.excluded
                  and t not in SOFT_STEMS and _required(t, passage.text) and not _denied_near(t, passage.text))
    if kept:
        reasons.append(("excluded", f"the claim excludes {', '.join(kept)}; the passage names it"))
    chosen = _CHOSEN_TIME.search(claim.text)  # "after the surgery rather than before it"
    if chosen and passage.values.get("TIME") == {chosen.group(2).lower()}:
        reasons.append(("TIME", f"timing: the claim says {chosen.group(1).lower()}, the passage says "
                                f"{chosen.group(2).lower()}"))
    swapped = group_conflict(claim.bindings, passage.bindings) or age_conflict(claim.by_age, passage.by_age)
    if swapped:
        reasons.append(("number", swapped))
    if _reversed(claim.prefers, passage.prefers):
        assert passage.prefers is not None  # _reversed needs both
        reasons.append(("preference", "the claim reverses what the passage prefers: it prefers "
                                      f"{_words(passage.prefers[0])} over {_words(passage.prefers[1])}"))
    mine_b, theirs_b = balance(claim.text), balance(passage.text)
    # harms, risks and costs are one side of the balance, benefits the other
    if mine_b and theirs_b and "benefit" in mine_b and "benefit" in theirs_b \
            and (mine_b[0] == "benefit") != (theirs_b[0] == "benefit"):
        reasons.append(("preference", f"the claim says the {mine_b[0]}s outweigh the {mine_b[1]}s; the passage says "
                                      f"the {theirs_b[0]}s outweigh the {theirs_b[1]}s"))
    if grades_conflict(claim.grades, passage.grades):
        reasons.append(("grade", f"grade: the claim says {', '.join(sorted(claim.grades))}, the passage says "
                                 f"{', '.join(sorted(passage.grades))}"))
    problem = quantity_problem(claim.quantities, passage.quantities)
    if problem and problem[0] == "conflict":
        reasons.append(("number", problem[1]))
    who = attribution_conflict(claim.text, passage.text)
    if who:
        reasons.append(("attribution", who))
    return reasons


_DENIAL = re.compile(r"\b(?:not|no|non|without|never|absence|absent|free|other than|except|excluding|unless|nor|"
                     r"neither|lack\w*)\b", re.IGNORECASE)


def _denied_near(token: str, text: str) -> bool:
    """Is the word with stem `token` denied where the text names it ("who do not have signs", "in the absence
    of trauma")? Every place it is named counts: one denial is enough. A stem the text does not spell out
    (an abbreviation's long form) counts as denied: the rule then stays silent rather than guess."""
    return any(_DENIAL.search(text[max(0, m.start() - 40):m.start()])
               for m in re.finditer(rf"\b{re.escape(token)}", text, re.IGNORECASE)) or not re.search(
        rf"\b{re.escape(token)}", text, re.IGNORECASE)


_WHEN = re.compile(r"\b(?:before|prior to|ahead of|after(?:wards?)?|following|once|until|during|throughout)\s+"
                   r"((?:[\w-]+\s+){0,4}[\w-]+)", re.IGNORECASE)


def _same_anchor(claim: str, passage: str) -> bool:
    """Unless the two tell one order from opposite ends ("X only once Y" against "prior to X, Y"): the claim's
    timing is about what the passage's main clause says, and the passage's timing about the claim's."""
    def split(text: str) -> tuple[set[str], set[str]]:
        anchor = {t for m in _WHEN.finditer(text) for t in concepts(m.group(1)) if ":" not in t}
        return anchor, {t for t in concepts(_WHEN.sub(" ", text)) if ":" not in t} - anchor
    (my_anchor, my_rest), (their_anchor, their_rest) = split(claim), split(passage)
    return not (my_anchor & their_rest and their_anchor & my_rest)


def _required(token: str, text: str) -> bool:
    """Does the text ask for what `token` names ("who also have obesity-associated conditions", "with
    feedback")?"""
    return bool(re.search(rf"\b(?:with|who (?:also )?(?:have|has)|having|in the presence of)\s+(?:[\w-]+\s+){{0,2}}"
                          rf"{re.escape(token)}", text, re.IGNORECASE))


def _reversed(mine, theirs) -> bool:
    """Does the claim prefer what the passage prefers something else to? Only the words that tell the
    two sides apart count ("microprocessor knee units over non-microprocessor knee units")."""
    if not mine or not theirs:
        return False
    my_left, my_right = mine[0] - mine[1], mine[1] - mine[0]
    their_left, their_right = theirs[0] - theirs[1], theirs[1] - theirs[0]
    return bool(my_left & their_right) or bool(my_right & their_left)


def _compatible(kind: str, mine: set[str], theirs: set[str]) -> bool:
    # "adults" and "older adults" are not opposites; "ever smoked" includes former and current smokers
    if kind == "AGEGRP":
        return bool({"adult", "older"} >= mine | theirs)
    if kind == "ROUTE":  # "parenteral" is any of IV, IM or SC
        return "parenteral" in mine | theirs and not {"oral", "topical", "inhaled"} & (mine | theirs)
    if kind == "SMOKE":
        return "ever" in mine | theirs and "never" not in mine | theirs
    return False


_POLARITY_WORDS = {"past": "it was recommended in the past (not now)", "for": "it is recommended", "against": "it is recommended against (or should not be done)",
                   "insufficient": "the evidence is insufficient to recommend for or against",
                   "selective": "it should be offered selectively, as an individual decision"}
