"""Keyword search (BM25 via bm25s) with a tokenizer that does not rely on spaces.

Latin-script text is split into words; Japanese and Chinese runs into overlapping character
bigrams (the usual choice for BM25 over CJK without a dictionary), so a Japanese question finds
Japanese passages. Runs are first split by script: kanji and katakana carry the content words,
while single hiragana and common particle/ending runs (の, は, です, ますか) are dropped like
stopwords; other hiragana words (がん, めまい) are kept.
"""
from __future__ import annotations

import re
import unicodedata

from ..text import STOPWORDS

_LATIN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
# kanji (with 々), katakana (with ー), hiragana: one script per run
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005]+|[\u30a0-\u30ff]+|[\u3040-\u309f]+")


HIRAGANA_STOPWORDS = frozenset(
    "です ます でした ました ですか ますか する して した される され ある いる あり ない なく など から まで より "  # noqa: SIM905 (a word list reads best as words)
    "こと もの ため では には とは での への との にも でも とも かつ また および または する べき よう ような "
    "ついて おいて により による において として について とする である であり れる られる".split())


def tokenize(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    tokens = [w for w in _LATIN.findall(text) if w not in STOPWORDS]
    for run in _CJK.findall(text):
        if "\u3040" <= run[0] <= "\u309f" and (len(run) == 1 or run in HIRAGANA_STOPWORDS):
            continue  # a particle or verb ending
        tokens.extend([run[i:i + 2] for i in range(len(run) - 1)] or [run])
    return tokens


class LexicalIndex:
    """BM25 over a fixed list of (id, text); rebuilt when the store changes."""

    def __init__(self, ids: list[str], texts: list[str]):
        import bm25s

        self.ids = ids
        self.bm25 = bm25s.BM25()
        # An empty document still needs a token, or bm25s drops it and ids shift.
        self.bm25.index([tokenize(t) or ["\u2205"] for t in texts], show_progress=False)

    def search(self, query: str, k: int, mask=None) -> list[tuple[str, float]]:
        """Top-k (id, score); `mask` (one 0/1 per id) keeps only some rows (filters).

        Scores every row with `get_scores` and takes the top k with argpartition: at 100k chunks
        this is 0.7 ms against 15 ms for bm25s' own `retrieve`."""
        import numpy as np

        q = tokenize(query)
        if not q or not self.ids or not self.bm25.vocab_dict:  # an empty library: nothing to score
            return []
        scores = self.bm25.get_scores(q)
        if mask is not None:
            scores = scores * mask
        k = min(k, len(self.ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[int(i)], float(scores[i])) for i in top if scores[i] > 0]


def fuse(rankings: list[list[str]], c: int = 60) -> dict[str, float]:
    """id -> sum over rankings of 1 / (c + rank): reciprocal rank fusion (Cormack et al., 2009)."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, 1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (c + rank)
    return fused


def reciprocal_rank_fusion(rankings: list[list[str]], k: int, c: int = 60) -> list[str]:
    """The k ids with the highest fused score, best first."""
    fused = fuse(rankings, c)
    return sorted(fused, key=lambda i: -fused[i])[:k]

