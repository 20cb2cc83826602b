"""Red flags: a deterministic check on the question, before any model runs.

Patterns name clear emergency presentations. It errs on the side of showing the notice: a
clinician asking about anaphylaxis management sees it too, which costs one line of screen.
"""
from __future__ import annotations

import re

from .types import Notice

EMERGENCY_NOTICE = (
    "EMERGENCY: this question describes a possible medical emergency ({what}). If a patient is affected now, "
    "call your local emergency number (911 in the US, 112 in the EU, 999 in the UK) or follow your emergency "
    "protocol. medassist is a research tool and must not delay emergency care."
)

_I = re.IGNORECASE
# (label, pattern or (pattern, pattern) that must both occur)
RED_FLAGS: list[tuple[str, re.Pattern[str] | tuple[re.Pattern[str], ...]]] = [
    ("chest pain with breathlessness",
     (re.compile(r"chest\s+(pain|tightness|pressure)|angina", _I),
      re.compile(r"breath|dyspn|sob\b|can'?t\s+breathe|difficulty\s+breathing", _I))),
    ("chest pain with sweating or radiating pain",
     (re.compile(r"chest\s+(pain|tightness|pressure)", _I),
      re.compile(r"sweat|diaphore|radiat\w*\s+to\s+(the\s+)?(left\s+)?(arm|jaw)", _I))),
    ("signs of stroke", re.compile(
        r"fac(e|ial)\s+(droop|weakness)|slurred\s+speech|sudden\s+(numbness|weakness|confusion|loss\s+of\s+vision|"
        r"severe\s+headache)|one[- ]sided\s+weakness|hemipar|\bstroke\b|\bFAST\s+positive", _I)),
    ("suicidal intent or self-harm", re.compile(
        r"suicid|kill\s+(my|him|her|them)sel(f|ves)|end\s+(my|his|her|their)\s+life|want\s+to\s+die|self[- ]harm|"
        r"overdos\w*\s+on\s+purpose", _I)),
    ("anaphylaxis", re.compile(
        r"anaphyla|throat\s+(swelling|closing|tight)|(lip|tongue|face)\s+swelling.*(breath|wheez)", _I)),
    ("overdose or poisoning", re.compile(
        r"overdos|took\s+too\s+many|swallowed\s+(a\s+)?(bottle|pills|bleach|poison)|poisoning", _I)),
    ("loss of consciousness or not breathing", re.compile(
        r"unconscious|unresponsive|not\s+breathing|stopped\s+breathing|no\s+pulse|cardiac\s+arrest|collapsed", _I)),
    ("severe bleeding", re.compile(r"(severe|heavy|uncontrol\w+|massive)\s+(bleeding|haemorrhage|hemorrhage)|"
                                   r"vomiting\s+blood|coughing\s+up\s+blood", _I)),
    ("seizure", re.compile(r"status\s+epilepticus|seizure\s+(lasting|for)\s+(more\s+than\s+)?\d+|"
                           r"(ongoing|continuous)\s+seizure", _I)),
    ("sepsis or meningitis signs", re.compile(r"non[- ]blanching\s+rash|stiff\s+neck.*fever|fever.*stiff\s+neck|"
                                              r"septic\s+shock", _I)),
    # Japanese: MedSwallow users ask in Japanese.
    ("緊急症状 (emergency symptoms)", re.compile(r"胸痛.*(息切れ|呼吸困難)|(息切れ|呼吸困難).*胸痛|自殺|死にたい|"
                                              r"アナフィラキシー|過量服薬|意識(が)?ない|呼吸(が)?(止|停)|脳卒中|ろれつ")),
]


def red_flags(question: str) -> list[str]:
    """Labels of the emergency patterns the question matches (empty: none)."""
    hits = []
    for label, rule in RED_FLAGS:
        if isinstance(rule, tuple):
            if all(r.search(question) for r in rule):
                hits.append(label)
        elif rule.search(question):
            hits.append(label)
    return hits


def emergency_notice(question: str) -> Notice | None:
    hits = red_flags(question)
    return Notice("emergency", EMERGENCY_NOTICE.format(what="; ".join(hits))) if hits else None
