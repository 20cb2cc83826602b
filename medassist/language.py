"""Which language a question is in, from its script alone (no model, no dictionary).

Enough to tell whether an index's embedder can read the question: kana (with or without kanji)
is Japanese, Hangul Korean, kanji without kana Chinese, and Cyrillic, Arabic, Hebrew, Greek,
Thai and Devanagari name their main language. Latin script counts as English: French or German
look the same to this check (an English embedder then ranks them poorly, without a notice).
A question in several scripts ("HbA1cの目標は？") takes the script with the most weight; a CJK
character weighs two Latin letters, since it carries about a word.
"""
from __future__ import annotations

import re

NAMES = {"en": "English", "ja": "Japanese", "zh": "Chinese (or kanji-only Japanese)", "ko": "Korean",
         "ru": "Russian", "ar": "Arabic", "he": "Hebrew", "el": "Greek", "th": "Thai", "hi": "Hindi"}
# (name, characters, weight); "kana" and "han" are settled below (Japanese or Chinese)
_SCRIPTS = [
    ("en", re.compile(r"[A-Za-z\u00c0-\u024f]"), 1),
    ("kana", re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d]"), 2),
    ("han", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"), 2),
    ("ko", re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]"), 2),
    ("ru", re.compile(r"[\u0400-\u04ff]"), 1),
    ("ar", re.compile(r"[\u0600-\u06ff\u0750-\u077f]"), 1),
    ("he", re.compile(r"[\u0590-\u05ff]"), 1),
    ("el", re.compile(r"[\u0370-\u03ff]"), 1),
    ("th", re.compile(r"[\u0e00-\u0e7f]"), 1),
    ("hi", re.compile(r"[\u0900-\u097f]"), 1),
]


def question_language(text: str) -> str | None:
    """A code of NAMES, or None for a text without letters (digits, punctuation: any embedder reads it)."""
    weight = {name: len(rx.findall(text)) * w for name, rx, w in _SCRIPTS}
    if weight["kana"]:  # kanji with kana is Japanese
        weight["ja"], weight["han"] = weight["kana"] + weight["han"], 0
    weight["zh"] = weight.pop("han")
    weight.pop("kana")
    best = max(weight, key=lambda k: weight[k])
    return best if weight[best] else None


def language_name(code: str | None) -> str:
    return NAMES.get(code or "", code or "unknown")
