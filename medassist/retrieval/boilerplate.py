"""The reviewed list of text that is left out of the index: nothing else is.

Everything in a guideline's clinical fields is indexed except what matches one of these entries.
Each entry is text that answers no clinical question and is repeated word for word across a
publisher's guidelines (so it would crowd real evidence out). The completeness test
(tests/test_chunk_completeness.py) prints how much each entry removed from the starter library,
so a change here is visible and reviewed.

Two kinds of entry:
- LEGEND_HEADINGS with LEGEND_CONTENT: a subsection is left out when its heading names a grading
  scheme AND its text reads like one. "Definitions" alone is not enough: some guidelines define
  clinical terms under that heading (drug use, misuse), and those stay.
- SENTENCES: single sentences that only point at the legend.
"""
from __future__ import annotations

import re

# Headings of evidence-grading legends ("What the USPSTF Grades Mean", "Levels of Certainty …").
LEGEND_HEADINGS = re.compile(
    r"^(?:definitions?|what the .{0,80}grades mean.*|.*levels? of certainty.*|recommendation categor.*|"
    r"categories of .{0,40}recommendations.*|strength of (?:the )?recommendations?.*|grades? of recommendations?.*|"
    r"grading of recommendations.*|overall strength of evidence.*|(?:overall )?quality of (?:the )?evidence.*|"
    r"levels? of evidence.*|evidence (?:type|rating).*|rating scheme.*|final grade of recommendation|"
    r"net effect of the intervention|overall quality|categorization scheme|recommendation category|"
    r"consensus statements|consensus\s*[-–]\s*(?:panel expertise|adapted)|"
    r"strength of recommendation rating)\W*$", re.IGNORECASE)

# What a legend's text talks about: at least two of these within its first 600 characters.
LEGEND_CONTENT = re.compile(
    r"net benefit|certainty|strength of (?:the )?(?:evidence|recommendation)|quality of (?:the )?evidence|"
    r"level of evidence|grade definition|suggestions for practice|recommends the service|"
    r"recommendation (?:category|categories)|expert opinion|consensus|systematic review|"
    r"benefits (?:clearly )?outweigh|harms outweigh|well-designed|well-executed|randomi[sz]ed,? controlled trials?|"
    r"binary scale|highly confident|desirable outcomes|confidence in the estimate|estimate of effect|"
    r"strong recommendation indicates|best practice|healthcare quality impact|volume of consistent evidence|"
    r"adequate scientific stud(?:y|ies)|further research is (?:very )?(?:un)?likely|improving healthcare quality|"
    r"(?:strong|moderate|optional) recommendation for the statement", re.IGNORECASE)

SENTENCES: dict[str, re.Pattern] = {
    "USPSTF grading preamble": re.compile(
        r"grades its recommendations \(?a, b, c, d,? (?:or|and) i\)? and identifies the levels? of certainty",
        re.IGNORECASE),
    "pointer to the grade definitions": re.compile(
        r"(?:definitions|definition) of (?:these|the) (?:grades|levels|strength|ratings?)[^.]{0,120}"
        r"(?:can be found|are (?:provided|defined|presented)|is (?:provided|presented)) at the end of the "
        r"\W?major recommendations\W? field|"
        r"(?:grades|levels?|strength) of (?:the )?(?:recommendations?|evidence)[^.]{0,160}(?:are|is) defined at the "
        r"end of the \W?major recommendations\W? field", re.IGNORECASE),
}

# Fields that say only that there is nothing to say.
EMPTY_TEXT = re.compile(r"^(?:none|none provided|none available|not stated|not applicable|n/?a)\.?$", re.IGNORECASE)


def is_legend(heading: str, text: str) -> bool:
    """A subsection (its heading and the text under it) that is an evidence-grading legend."""
    bare = heading.strip("*_#: ").strip()
    if not LEGEND_HEADINGS.match(bare):
        return False
    if not text.strip():
        return True  # "Definitions" with nothing under it: the legend follows under its own heading
    return len({m.group(0).lower() for m in LEGEND_CONTENT.finditer(text[:600])}) >= 2


def boilerplate_sentence(sentence: str) -> str | None:
    """The name of the SENTENCES entry `sentence` matches, or None."""
    plain = sentence.replace("*", "")
    return next((name for name, rx in SENTENCES.items() if rx.search(plain)), None)
