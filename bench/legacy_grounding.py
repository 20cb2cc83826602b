"""The support check as it was before the verifier (frozen here, for bench/verifier_quality.py only).

It measured topical similarity, not support: it judged supported 17 of 20 contradicting claims in
the first test. Kept so that the benchmark prints today's figures beside the old ones in one run.

Original docstring: Does the evidence support the answer? Checked sentence by sentence, whatever the model cited.

Small models cite unreliably (the default writes no [n] at all), so every sentence is matched to
the passage that supports it best, by two signals:
- lexical: the share of the sentence's content words found in the passage (extractive answers);
- semantic: cosine similarity of the sentence to the passage's closest sentence (paraphrases).
Their mean is the support score, scaled by the share of the sentence's numbers (ages, doses,
intervals) that the passage contains: in medicine a wrong number is a wrong claim. At or above
SUPPORT_THRESHOLD the sentence counts as supported.
A marker the model wrote counts when its passage supports the sentence; else the best one is shown.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from medassist.text import STOPWORDS as _STOPWORDS
from medassist.types import Passage


@dataclass
class SentenceSupport:
    text: str
    cited: list[int]
    supported_by: int | None
    score: float
    invalid_citations: list[int] = field(default_factory=list)

    @property
    def supported(self) -> bool:
        return self.supported_by is not None

SUPPORT_THRESHOLD = 0.55
MIN_CLAIM_WORDS = 3  # "Yes." is not a claim; it is checked together with the sentence after it

_MARKER = re.compile(r"\s*\[(\d+(?:\s*[,–-]\s*\d+)*)\]")
_LEADING_MARKERS = re.compile(r"(?:\s*\[\d+(?:\s*[,–-]\s*\d+)*\])+[.]?")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|\n+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_WORD = re.compile(r"[A-Za-z0-9\u3040-\u30ff\u4e00-\u9fff]+(?:[-'][A-Za-z0-9]+)*")


def cited_numbers(sentence: str) -> list[int]:
    nums: list[int] = []
    for group in _MARKER.findall(sentence):
        for part in re.split(r"\s*,\s*", group):
            if re.fullmatch(r"\d+\s*[–-]\s*\d+", part):
                a, b = (int(x) for x in re.split(r"\s*[–-]\s*", part))
                nums.extend(range(min(a, b), max(a, b) + 1) if abs(b - a) < 20 else [a, b])
            else:
                nums.append(int(part))
    return list(dict.fromkeys(nums))


def content_words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text.replace("**", "")) if w.lower() not in _STOPWORDS and len(w) > 1}


def split_sentences(text: str) -> list[str]:
    """Sentences, with trailing [n] markers kept on the sentence they follow."""
    pieces = [s.strip() for s in _SENTENCE_END.split(text.strip()) if s and s.strip()]
    out: list[str] = []
    for piece in pieces:
        lead = _LEADING_MARKERS.match(piece)
        if out and lead:  # "… smoked. [1] Next" — the marker belongs to the previous sentence
            out[-1] += " " + lead.group(0).strip()
            piece = piece[lead.end():].strip()
        if piece and out and _MARKER.sub("", piece).strip(" .") == "":
            out[-1] += " " + piece
        elif piece:
            out.append(piece)
    # Merge non-claims ("Yes.") forward into the sentence they introduce.
    merged: list[str] = []
    carry = ""
    for s in out:
        s = f"{carry} {s}".strip() if carry else s
        if len(content_words(_MARKER.sub("", s))) < MIN_CLAIM_WORDS:
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


def check_support(answer: str, passages: list[Passage],
                  embed: Callable[[list[str]], np.ndarray] | None) -> list[SentenceSupport]:
    """One SentenceSupport per sentence of `answer`, against sources [1..len(passages)]."""
    sentences = split_sentences(answer)
    if not sentences:
        return []
    bare = [_MARKER.sub("", s).strip() for s in sentences]
    k = len(passages)
    lexical = np.zeros((len(sentences), k))
    passage_words = [content_words(p.text) for p in passages]
    for i, s in enumerate(bare):
        words = content_words(s)
        for j, pw in enumerate(passage_words):
            lexical[i, j] = len(words & pw) / len(words) if words else 0.0
    semantic = np.zeros((len(sentences), k))
    if embed is not None and k:
        windows = [(j, w) for j, p in enumerate(passages) for w in split_sentences(p.text.replace("**", ""))]
        if windows:
            vecs = embed(bare + [w for _, w in windows])
            sent_vecs, win_vecs = vecs[: len(bare)], vecs[len(bare):]
            sims = sent_vecs @ win_vecs.T  # unit vectors: cosine
            owner = np.array([j for j, _ in windows])
            for j in range(k):
                cols = owner == j
                if cols.any():
                    semantic[:, j] = sims[:, cols].max(axis=1)
    score = (lexical + semantic) / 2 if embed is not None else lexical
    passage_numbers = [set(_NUMBER.findall(p.text)) for p in passages]
    for i, s in enumerate(bare):
        numbers = set(_NUMBER.findall(s))
        if numbers:
            for j, pn in enumerate(passage_numbers):
                score[i, j] *= len(numbers & pn) / len(numbers)

    out = []
    for i, s in enumerate(sentences):
        cited = cited_numbers(s)
        invalid = [n for n in cited if not 1 <= n <= k]
        supported_by, best = None, 0.0
        if k:
            valid_cited = [n for n in cited if 1 <= n <= k and score[i, n - 1] >= SUPPORT_THRESHOLD]
            j = (valid_cited[0] - 1) if valid_cited else int(score[i].argmax())
            best = float(score[i, j])
            supported_by = j + 1 if best >= SUPPORT_THRESHOLD else None
        out.append(SentenceSupport(text=s, cited=cited, supported_by=supported_by, score=best,
                                   invalid_citations=invalid))
    return out


def annotated(sentences: list[SentenceSupport]) -> str:
    """The answer with each sentence followed by the source that supports it (verified here,
    whatever the model wrote), or by [unsupported]."""
    parts = []
    for s in sentences:
        text = _MARKER.sub("", s.text).strip()
        parts.append(f"{text} [{s.supported_by}]" if s.supported else f"{text} [unsupported]")
    return " ".join(parts)
