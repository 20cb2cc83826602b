"""An answer as claims: one per sentence, with the [n] markers the model wrote kept on it.

Small models cite unreliably (the default writes no [n] at all), so markers are only read, never
trusted: every claim is checked against every passage.
"""
from __future__ import annotations

import re

from ..sentences import split_sentences as _split

MIN_CLAIM_WORDS = 3  # "Yes." is not a claim; it is checked together with the sentence after it
MARKER = re.compile(r"\s*\[(\d+(?:\s*[,–-]\s*\d+)*)\]")
_LEADING_MARKERS = re.compile(r"(?:\s*\[\d+(?:\s*[,–-]\s*\d+)*\])+[.]?")
_WORD = re.compile(r"[A-Za-z0-9\u3040-\u30ff\u4e00-\u9fff]+")


def cited_numbers(sentence: str) -> list[int]:
    nums: list[int] = []
    for group in MARKER.findall(sentence):
        for part in re.split(r"\s*,\s*", group):
            if re.fullmatch(r"\d+\s*[–-]\s*\d+", part):
                a, b = (int(x) for x in re.split(r"\s*[–-]\s*", part))
                nums.extend(range(min(a, b), max(a, b) + 1) if abs(b - a) < 20 else [a, b])
            else:
                nums.append(int(part))
    return list(dict.fromkeys(nums))


def bare(sentence: str) -> str:
    """The sentence without its [n] markers."""
    return MARKER.sub("", sentence).strip()


def split_claims(text: str) -> list[str]:
    """Sentences of an answer, trailing [n] markers kept on the sentence they follow, and non-claims
    ("Yes.") merged into the sentence they introduce."""
    out: list[str] = []
    for piece in _split(text.strip()):
        lead = _LEADING_MARKERS.match(piece)
        if out and lead:  # "… smoked. [1] Next" — the marker belongs to the previous sentence
            out[-1] += " " + lead.group(0).strip()
            piece = piece[lead.end():].strip()
        if piece and out and MARKER.sub("", piece).strip(" .") == "":
            out[-1] += " " + piece
        elif piece:
            out.append(piece)
    merged: list[str] = []
    carry = ""
    for s in out:
        s = f"{carry} {s}".strip() if carry else s
        if len(_WORD.findall(bare(s))) < MIN_CLAIM_WORDS and not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", s):
            carry = s
            continue
        merged.append(s)
        carry = ""
    if carry:
        if merged:
            merged[-1] += " " + carry
        else:
            merged.append(carry)
    return merged
