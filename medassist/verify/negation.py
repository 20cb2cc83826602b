"""What a statement says is not so: the words a negation governs ("facet injections are not likely to
produce long-term benefit", "screening every 3 months does not improve detection").

    denied_words("LARC is not safe for adolescents") -> {"safe"}
    denied_words("does not reduce mortality") -> {"reduc"}      (the word the negation is about)

A claim that affirms what its passage denies (or denies what it affirms) says the opposite in the
same words, so word coverage alone would support it. Negations that say what to do ("should not",
"do not use", "not recommended") are compared as polarity, and those that say who ("who have not
smoked", "not pregnant", "whether or not") as populations; neither is read here.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .lexicon import SOFT_STEMS, concepts

# A predicate denied: "is not safe", "does not improve", "are not likely to produce" (the negation after a
# form of be or do; "patients not currently receiving", "has not smoked" say who, and modals say what to do)
_SCOPE = re.compile(r"\b(?:(?:is|are|was|were|does|do|did)\s+not|isn't|aren't|wasn't|weren't|doesn't|don't|didn't)\s+"
                    r"((?:[a-z][\w-]*\s+){0,2}[a-z][\w-]*)", re.IGNORECASE)
_WHO = re.compile(r"\b(?:who|that|whom|which)\s+(?:(?:are|were|have|has|had|do|does|did|is|was)\s+(?:not|never)\b|"
                  r"(?:aren't|weren't|haven't|hasn't|hadn't|don't|doesn't|didn't|isn't|wasn't))[^,;.]*|"
                  r"\bnot (?:currently )?pregnant\b|\bwhether or not\b|\bor not\b|\bnever[- ]smok\w*|\bnot only\b|"
                  r"\bnot (?:at )?(?:high|higher|increased|elevated) risk\b|\bnot to exceed\b|\bnot (?:more|less|fewer|"
                  r"greater|longer|shorter) than\b|\bnot previously\b", re.IGNORECASE)
_ACTION = re.compile(r"^(?:be\s+)?(?:recommend|suggest|advis|indicat|necessar|need|requir|warrant|routine|use|given|"
                     r"offer|perform|start|continu|prescrib|done|do|to\b)", re.IGNORECASE)


@lru_cache(maxsize=20_000)
def denied_words(text: str) -> frozenset[str]:
    plain = _WHO.sub(" ", text.replace("’", "'"))
    # an instruction opening a clause ("Do not use …", "…, don't transfuse …") says what to do
    plain = re.sub(r"(?:^|[,;:])\W*(?:\d+[.)]\s*)?(?:do not|don't|never)\b", " ", plain, flags=re.IGNORECASE)
    out: set[str] = set()
    for m in _SCOPE.finditer(plain):
        governed = m.group(1)
        if _ACTION.match(governed):
            continue  # "is not recommended", "not be used": what to do, read as polarity
        # the word the negation is about: the first that carries content ("not likely to produce" -> produce)
        head = next((t for t in concepts(governed) if ":" not in t and t not in SOFT_STEMS and not t[0].isdigit()),
                    None)
        if head:
            out.add(head)
    return frozenset(out)


@lru_cache(maxsize=20_000)
def negates(text: str) -> bool:
    """Does `text` deny anything at all (who it is about aside)?"""
    return bool(re.search(r"\b(?:not|never|no|none|cannot|without|lack|lacks|lacking|absent)\b|n't\b",
                          _WHO.sub(" ", text), re.IGNORECASE))  # "definitive data are lacking" denies too
