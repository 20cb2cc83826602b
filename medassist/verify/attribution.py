"""Who makes the recommendation. A claim that puts it in one body's mouth ("The USPSTF recommends
...") is not supported by a statement that another body, or "several organizations", makes: guideline
summaries often report what other groups recommend beside their own verdict (the USPSTF's own verdict
on blood pressure screening in children is "insufficient evidence", while "several organizations
recommend" it)."""
from __future__ import annotations

import re

# canonical name -> how guidelines and answers write it
BODIES = {
    "USPSTF": r"USPSTF|U\.?\s?S\.? Preventive Services Task Force|(?:the )?Task Force",
    "AAP": r"AAP|American Academy of Pediatrics",
    "AAFP": r"AAFP|American Academy of Family Physicians",
    "ACOG": r"ACOG|American College of Obstetricians and Gynecologists",
    "ACP": r"ACP|American College of Physicians",
    "ACS": r"American Cancer Society",
    "ADA": r"American Diabetes Association",
    "AHA": r"AHA|American Heart Association",
    "CDC": r"CDC|ACIP|Centers for Disease Control(?: and Prevention)?|Advisory Committee on Immunization Practices",
    "WHO": r"WHO|World Health Organi[sz]ation",
    "NICE": r"NICE|National Institute for Health and Care Excellence",
    "VA/DoD": r"VA/DoD|Department of Veterans Affairs|Department of Defense",
    "others": r"(?:several|some|other|many|various|most|numerous) (?:professional |medical )?"
              r"(?:organi[sz]ations|groups|societies|bodies|experts|guidelines)",
}
_WHO = "|".join(f"(?P<b{i}>{rx})" for i, rx in enumerate(BODIES.values()))
_NAMES = list(BODIES)
# the body, then (within a few words, no sentence break) the verb that makes it the recommender
_SAYS = re.compile(rf"(?<![\w/])(?:{_WHO})(?![\w/])[^.;:]{{0,40}}?\b(?:recommends?|recommended|advises?|advised|"
                   r"suggests?|endorses?|concludes?|found|finds)\b", re.IGNORECASE)
_CASE_SENSITIVE = {"AAP", "ACP", "AHA", "CDC", "WHO", "NICE"}  # short names that are also English words


def _named(m: re.Match) -> str | None:
    """The canonical name of the body a match of _WHO found (short names only in capitals: "who" is no WHO)."""
    for i, name in enumerate(_NAMES):
        found = m.group(f"b{i}")
        if found and (name not in _CASE_SENSITIVE or found.isupper() or " " in found):
            return name
    return None


def recommender(text: str) -> str | None:
    """The body the text says recommends (its canonical name, "others" for "several organizations"), or
    None when the text names no recommender."""
    return next((name for m in _SAYS.finditer(text) if (name := _named(m))), None)


def named_bodies(text: str) -> set[str]:
    """The bodies a text names at all ("In the VA/DoD pregnancy guideline, how early …" -> {"VA/DoD"})."""
    found = {_named(m) for m in re.finditer(rf"(?<![\w/])(?:{_WHO})(?![\w/])", text, re.IGNORECASE)}
    return {name for name in found if name and name != "others"}


def asked_conflict(question: str | None, claim: str, passage: str) -> str | None:
    """A reason when the question asks about one body's guideline and the sentence gives another body's
    recommendation: said so itself ("The USPSTF recommends aspirin after 12 weeks"), or, when it names
    no one, taken from a passage that says so. It answers nothing about the guideline asked about (the
    VA/DoD says before 16 weeks). A question naming several bodies compares them: no conflict."""
    asked = named_bodies(question) if question else set()
    if len(asked) != 1:
        return None
    theirs = recommender(claim) or recommender(passage)
    if theirs is None or theirs in asked:
        return None
    said = "what several organizations recommend" if theirs == "others" else f"the {theirs}'s recommendation"
    return f"this is {said}; the question asks about the {next(iter(asked))} guideline"


def attribution_conflict(claim: str, passage: str) -> str | None:
    """A reason when the claim names one recommender and the passage another; None otherwise (also when
    either names none: "Screening is recommended" says nothing about who)."""
    mine, theirs = recommender(claim), recommender(passage)
    if mine is None or theirs is None or mine == theirs or mine == "others":
        return None
    said = "several organizations (not the guideline's own verdict)" if theirs == "others" else theirs
    return f"who recommends it: the claim says {mine}; the passage says {said}"
