"""Retrieval: the guideline library, its index, and search over it.

This package is the only place that knows about Chroma and LangChain; what leaves it is
`Passage`s and plain reports.
"""
from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import UserError
from ..types import Passage
from .embedder import DEFAULT_EMBEDDER, Embedder, EmbedderInfo

__all__ = ["DEFAULT_EMBEDDER", "EmbedderInfo", "IndexReport", "Retriever", "build_index", "rebuild_index"]


def embedding_text(p: Passage) -> str:
    # The title and section travel with the text: a chunk alone often does not name its topic.
    return f"{p.title}. {p.section}: {p.text}"


@dataclass
class IndexReport:
    documents: int = 0
    chunks: int = 0
    added: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    seconds: float = 0.0


class Retriever:
    """Embeds questions and finds the passages that answer them. Opens lazily, once."""

    def __init__(self, index_dir: Path, embedder: Embedder | None = None):
        self.index_dir = Path(index_dir)
        self._embedder = embedder
        self._index = None
        self._lexical = None  # (chunk count it was built at, LexicalIndex)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = Embedder()
        return self._embedder

    @property
    def index(self):
        if self._index is None:
            from .store import GuidelineIndex

            self._index = GuidelineIndex.open(self.index_dir, self.embedder.info)
        return self._index

    def check(self) -> int:
        """Open the index now (so a missing or damaged one is reported before any model loads)."""
        n = self.index.count()
        if n == 0:
            from .store import BUILD_HINT

            raise UserError(f"The guideline index at {self.index_dir} is empty. Build it with: {BUILD_HINT}")
        return n

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.embedder.embed(texts)

    def lexical(self):
        """The BM25 index over the stored chunks, rebuilt when the store has changed."""
        from .lexical import LexicalIndex

        count = self.index.count()
        if self._lexical is None or self._lexical[0] != count:
            records = self.index.records()
            self._lexical = (count, LexicalIndex([p.chunk_id for p in records],
                                                 [embedding_text(p) for p in records]))
        return self._lexical[1]

    def search(self, question: str, k: int = 5, mode: str = "hybrid") -> list[Passage]:
        """Top-k passages. hybrid: dense and BM25 rankings fused by reciprocal rank; scores shown
        are always the cosine similarity of passage and question."""
        from .lexical import reciprocal_rank_fusion

        if k < 1:
            raise UserError("k must be at least 1.")
        if mode not in ("hybrid", "dense", "bm25"):
            raise UserError(f"Unknown retrieval mode '{mode}': use hybrid, dense or bm25.")
        query = self.embedder.embed([question])[0]
        if mode == "dense":
            return self.index.query(query, k)
        depth = max(30, 3 * k)  # candidates from each ranking before fusion
        keyword = [i for i, _ in self.lexical().search(question, depth)]
        if mode == "bm25":
            return self.index.passages(keyword[:k], query)
        dense = self.index.query(query, depth)
        order = reciprocal_rank_fusion([[p.chunk_id for p in dense], keyword], k)
        known = {p.chunk_id: p for p in dense}
        known.update({p.chunk_id: p for p in self.index.passages([i for i in order if i not in known], query)})
        return [known[i] for i in order if i in known]


def build_index(files: list[Path], index_dir: Path, embedder: Embedder | None = None,
                on_progress: Callable[[str, int, int], None] | None = None, batch_size: int = 64) -> IndexReport:
    """Chunk, embed and store `files`; chunks already stored (same content id) are skipped."""
    from .chunking import chunk_document
    from .documents import read_ngc_xml
    from .store import GuidelineIndex

    started = time.perf_counter()
    embedder = embedder or Embedder()
    index = GuidelineIndex.open(index_dir, embedder.info, create=True)
    report = IndexReport()
    chunks: dict[str, Passage] = {}
    for i, path in enumerate(files, 1):
        try:
            doc = read_ngc_xml(path)
        except UserError as exc:
            report.failed.append((str(path), str(exc)))
            continue
        report.documents += 1
        for c in chunk_document(doc):
            chunks.setdefault(c.chunk_id, c)
        if on_progress:
            on_progress("read", i, len(files))
    report.chunks = len(chunks)
    todo = [chunks[i] for i in index.missing_ids(list(chunks))]
    report.unchanged = report.chunks - len(todo)
    todo.sort(key=lambda p: len(embedding_text(p)))  # similar lengths batch together: less padding
    for start in range(0, len(todo), batch_size):
        batch = todo[start:start + batch_size]
        index.add(batch, embedder.embed([embedding_text(p) for p in batch], batch_size=batch_size))
        report.added += len(batch)
        if on_progress:
            on_progress("embed", report.added, len(todo))
    index.record(chunking={"sections": "clinical", "chunk_chars": 900, "overlap": 120},
                 last_build=time.time(), chunks=index.count())
    report.seconds = time.perf_counter() - started
    return report


def rebuild_index(index_dir: Path) -> Path | None:
    """Move the current index aside (never deleted) so a fresh one can be built in its place."""
    index_dir = Path(index_dir)
    if not index_dir.exists():
        return None
    aside = index_dir.with_name(f"{index_dir.name}.old-{time.strftime('%Y%m%d-%H%M%S')}")
    shutil.move(str(index_dir), aside)
    return aside
