"""Retrieval: the guideline library, its index, and search over it.

This package is the only place that knows about Chroma and LangChain; what leaves it is
`Passage`s and plain reports.
"""
from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..embedders import DEFAULT_EMBEDDER, EmbedderInfo
from ..errors import UserError
from ..types import Passage
from .embedder import Embedder, LoadingEmbedder
from .ranking import Ranking

__all__ = ["DEFAULT_EMBEDDER", "EmbedderInfo", "Ranking", "Retriever", "SearchFilters", "build_index", "open_index",
           "rebuild_index"]


# Publisher boilerplate in titles ("…: U.S. Preventive Services Task Force recommendation statement")
# names no topic; it cost ~10 word pieces on every chunk of those guidelines.
_TITLE_BOILERPLATE = re.compile(r"^final recommendation statement:\s*|:\s*[^:]*recommendation statement\.?$|"
                                r"\.\s*in:\s.*$", re.IGNORECASE)


def embedding_text(p: Passage) -> str:
    """What is embedded (and keyword-indexed) for a chunk: the topic (title) and the section path
    travel with the text, since a chunk alone often does not name its topic."""
    title = _TITLE_BOILERPLATE.sub("", p.title).strip() or p.title
    return f"{title}. {p.section.replace(' › ', ', ')}: {p.text}"


@dataclass(frozen=True)
class SearchFilters:
    """Restrict retrieval to some documents. Organisation matches case-insensitively within the name."""

    organisation: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    documents: tuple[str, ...] = ()

    @classmethod
    def from_text(cls, organisation: str | None = None, year: str | None = None, documents=()) -> SearchFilters:
        """From what a person types: year '2015', '2012-2016', '2014-' or '-2010'; documents as ids."""
        import re

        year_from = year_to = None
        if year and year.strip():
            m = re.fullmatch(r"\s*(\d{4})?\s*(-)?\s*(\d{4})?\s*", year)
            if not m or not (m.group(1) or m.group(3)):
                raise UserError(f"Year '{year}' is not a year or range: use 2015, 2012-2016, 2014- or -2010.")
            year_from = int(m.group(1)) if m.group(1) else None
            year_to = int(m.group(3)) if m.group(3) else (year_from if not m.group(2) else None)
        if isinstance(documents, str):
            documents = [d for d in re.split(r"[,\s]+", documents) if d]
        return cls(organisation=(organisation or "").strip() or None, year_from=year_from, year_to=year_to,
                   documents=tuple(documents or ()))

    def __bool__(self) -> bool:
        return bool(self.organisation or self.year_from or self.year_to or self.documents)

    def allows(self, record) -> bool:
        if self.organisation and self.organisation.lower() not in record.organisation.lower():
            return False
        if (self.year_from or self.year_to) and record.year is None:
            return False
        if self.year_from and record.year < self.year_from:
            return False
        if self.year_to and record.year > self.year_to:
            return False
        return not self.documents or record.document_id in self.documents


class Retriever:
    """Embeds questions and finds the passages that answer them. Opens lazily, once; sees documents
    added or removed by other processes at its next search.

    The embedder is the one the index records (whatever `new_embedder` says); `new_embedder` (a
    name of medassist.embedders or an EmbedderInfo) builds an index that does not exist yet. An
    `embedder` given ready-made must be the recorded one, or opening the index refuses it."""

    def __init__(self, location: Path | str, embedder: Embedder | None = None, reranker: str | None = "auto",
                 ranking: Ranking | None = None, chroma_token: str | None = None,
                 new_embedder: str | EmbedderInfo | None = None):
        from ..embedders import get_embedder

        self.new_embedder = get_embedder(new_embedder).info if new_embedder else DEFAULT_EMBEDDER
        self.ranking = ranking or Ranking()
        self.chroma_token = chroma_token  # sent to a Chroma server as x-chroma-token
        self.location = location if isinstance(location, str) and "://" in location else Path(location)
        self._embedder: Embedder | LoadingEmbedder | None = embedder
        self._index = None
        self._generation = None
        self._visible: dict = {}  # content key -> DocumentRecord
        self._lexical = None  # (LexicalIndex, doc key per row)
        self._chunk_keys: dict[str, str] = {}  # visible chunk id -> document content key
        self._reranker_choice = reranker
        self._reranker = None
        self.notes: list[str] = []  # e.g. "no cross-encoder on this machine: not reranked"
        self._answer_notes: list[str] = []  # what an answer built on the last search must say (pop_notes)
        self.keywords_only = False  # the last search ranked by BM25 alone: its similarities say little

    @property
    def embedder(self) -> Embedder | LoadingEmbedder:
        if self._embedder is None:
            # loads in the background while files are read (or the index opens)
            self._embedder = LoadingEmbedder(self.recorded_embedder() or self.new_embedder)
        return self._embedder

    def recorded_embedder(self) -> EmbedderInfo | None:
        """The embedder the index records (None: no index yet)."""
        from .readonly import recorded_embedder

        return recorded_embedder(self.location, self.chroma_token)

    def use_embedder(self, info: EmbedderInfo) -> None:
        """Build with `info` from now on (a rebuild with another embedder, once the old index is aside)."""
        if self._embedder is None or self._embedder.info != info:
            self._embedder = LoadingEmbedder(info)
        self.new_embedder = info

    @property
    def weak_match(self) -> float | None:
        """Best similarity below which the last search probably found nothing on the question (None:
        it ranked by keywords alone, and the similarities of an embedder that cannot read the question
        say nothing)."""
        return None if self.keywords_only else self.embedder.info.weak_match

    @property
    def index(self):
        if self._index is None:
            from .chroma_client import CHROMA_LOCK
            from .store import GuidelineIndex

            with CHROMA_LOCK:  # two threads asking at once open it once
                if self._index is None:
                    self._index = GuidelineIndex.open(self.location, self.embedder.info, token=self.chroma_token)
        return self._index

    @classmethod
    def from_settings(cls, settings, rerank: bool = True, **kwargs) -> Retriever:
        """The retriever the settings describe: their index (on disk or a server), their reranker,
        their embedder for a new index."""
        kwargs.setdefault("new_embedder", settings.embedder)
        return cls(settings.index_location, reranker=(settings.reranker or "auto") if rerank else None,
                   chroma_token=settings.chroma_token, **kwargs)

    def _refresh(self) -> None:
        if self.index.stale_chunker and self._generation is None:
            from .ingest import STALE_CHUNKER

            self.notes.append(STALE_CHUNKER)
            self._answer_notes.append(STALE_CHUNKER)
        generation = self.index.generation()
        if generation != self._generation:
            self._visible = self.index.documents()
            self._lexical = None
            self._generation = generation

    def pop_notes(self) -> list[str]:
        """Notes an answer built on the last search must carry (an index to rebuild, a language the
        embedder does not read); each is given once."""
        notes, self._answer_notes = self._answer_notes, []
        return notes

    def reset(self) -> None:
        """Let go of the store (before it is moved or replaced); the next search opens it again."""
        if self._index is not None and self._index.path is not None:
            from chromadb.api.shared_system_client import SharedSystemClient

            from .chroma_client import CHROMA_LOCK

            with CHROMA_LOCK:
                SharedSystemClient.clear_system_cache()
        self._index, self._generation, self._visible, self._lexical = None, None, {}, None

    def documents(self) -> list:
        self._refresh()
        return sorted(self._visible.values(), key=lambda r: r.document_id)

    def check(self) -> int:
        """Open the index now (so a missing or damaged one is reported before any model loads)."""
        self._refresh()
        n = sum(r.chunks for r in self._visible.values())
        if n == 0:
            from .store import BUILD_HINT

            raise UserError(f"The guideline index at {self.location} is empty. Build it with: {BUILD_HINT}")
        return n

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.embedder.embed(texts)

    def lexical(self):
        """The BM25 index over visible chunks (and which chunks are visible), rebuilt when documents
        were added or removed."""
        from .lexical import LexicalIndex

        self._refresh()
        if self._lexical is None:
            ids, keys, _, passages = self.index.chunk_table()
            rows = [j for j, k in enumerate(keys) if k in self._visible]
            self._chunk_keys = {ids[j]: keys[j] for j in rows}
            self._lexical = (LexicalIndex([ids[j] for j in rows], [embedding_text(passages[j]) for j in rows]),
                             np.array([keys[j] for j in rows], dtype=object))
        return self._lexical

    def reranker(self):
        if self._reranker is None and self._reranker_choice:
            from .rerank import find_reranker

            self._reranker, note = find_reranker(self._reranker_choice)
            if note:
                self.notes.append(note)
            self._reranker_choice = None  # looked once
        return self._reranker

    def search(self, question: str, k: int = 5, mode: str = "hybrid",
               filters: SearchFilters | None = None) -> list[Passage]:
        """Top-k passages. hybrid: dense and BM25 rankings fused by reciprocal rank, then the
        ranking steps (ranking.py), then a cross-encoder when one is on this machine. A question in
        a language the index's embedder does not read is ranked by BM25 alone, with a notice (fusing
        a near-random dense ranking in made it worse). Scores shown are always the cosine
        similarity of passage and question."""
        from .lexical import fuse
        from .ranking import choose, expand

        if k < 1:
            raise UserError("k must be at least 1.")
        if mode not in ("hybrid", "dense", "bm25"):
            raise UserError(f"Unknown retrieval mode '{mode}': use hybrid, dense or bm25.")
        self._refresh()
        self.keywords_only = mode == "bm25"
        if not self._visible:
            return []  # an index without documents (yet) answers nothing rather than failing
        allowed = set(self._visible)
        where = None
        if filters:
            allowed = {key for key, r in self._visible.items() if filters.allows(r)}
            if not allowed:
                raise UserError(f"No indexed document matches the filters ({_describe(filters)}). "
                                "`medassist index list` shows what is indexed.")
            if len(allowed) < len(self._visible):
                where = {"doc_key": {"$in": sorted(allowed)}}
        unread = self._unread_language(question, mode)
        if unread and mode == "hybrid":
            mode = "keywords"
        query_text = expand(question) if self.ranking.expand_abbreviations else question
        reranker = self.reranker() if mode == "hybrid" else None
        depth = max(self.ranking.depth, 3 * k)  # candidates from each ranking before fusion
        query = self.embedder.embed_query(query_text)
        lexical, row_keys = self.lexical()
        visible = self._chunk_keys  # chunk id -> key; `where` narrows further when filtering
        if mode == "dense":
            return self.index.passages([i for i, _ in self.index.nearest(query, k, visible, where)], query)
        mask = None if where is None else np.array([key in allowed for key in row_keys], dtype=np.float32)
        scored = lexical.search(query_text, depth, mask)
        keyword = [i for i, _ in scored]
        if mode == "bm25":
            return self.index.passages(keyword[:k], query)
        if mode == "keywords":  # the language fallback: BM25's order, then the ranking steps
            self.keywords_only = True
            return choose(self.index.passages(keyword, query), dict(scored), k, self.ranking)
        dense = [i for i, _ in self.index.nearest(query, depth, visible, where)]
        fused = fuse([dense, keyword])
        order = sorted(fused, key=lambda i: -fused[i])[:depth]
        candidates = self.index.passages(order, query)  # text and metadata of the candidates only
        chosen = choose(candidates, fused, depth if reranker else k, self.ranking)
        return reranker.rerank(question, chosen, k) if reranker else chosen

    def _unread_language(self, question: str, mode: str) -> str | None:
        """The question's language when the index's embedder does not read it (and the notice an
        answer must carry), else None."""
        from ..embedders import covering
        from ..language import language_name, question_language

        info = self.embedder.info
        language = question_language(question)
        if mode == "bm25" or info.covers(language):
            return None
        name = language_name(language)
        how = "matched by keywords alone" if mode == "hybrid" else "ranked by an embedder that cannot read it"
        better = covering(language)
        hint = (f" For {name} questions, rebuild the index with an embedder that reads {name}: "
                f"medassist index rebuild --embedder {better.key} (it keeps your documents; the old index "
                "is kept aside)." if better and better.info != info else "")
        note = (f"This index's embedder ({info.short}) covers {info.describe_languages()}; this {name} "
                f"question was {how}, so the passages may miss what a search that understood it would "
                f"find.{hint}")
        if note not in self._answer_notes:
            self._answer_notes.append(note)
        return language


def _describe(f: SearchFilters) -> str:
    parts = [f"organisation '{f.organisation}'" if f.organisation else "",
             f"years {f.year_from or '…'}–{f.year_to or '…'}" if f.year_from or f.year_to else "",
             f"documents {', '.join(f.documents)}" if f.documents else ""]
    return ", ".join(p for p in parts if p)


def open_index(location: Path | str, embedder: Embedder | LoadingEmbedder, create: bool = True,
               token: str | None = None):
    from .store import GuidelineIndex

    return GuidelineIndex.open(location, embedder.info, create=create, token=token)


def build_index(files: list[Path], location: Path | str, embedder: Embedder | LoadingEmbedder | None = None,
                on_progress: Callable[[str, int, int], None] | None = None, wait: float = 60.0,
                token: str | None = None, **options):
    """Add `files` (or folders) to the index at `location`, creating it if needed (not when no file
    holds a document). Files are read and checked before the writer lock is taken. -> IngestReport"""
    from .chroma_client import is_server
    from .chunking import CHUNKING
    from .ingest import ingest, read_files
    from .store import MARKER

    embedder = embedder or LoadingEmbedder()  # it loads while the files are read
    exists = is_server(location) or (Path(location) / MARKER).exists()
    # An existing index is opened first: a damaged one, or one of another embedder, is refused before
    # minutes of reading.
    index = open_index(location, embedder, create=is_server(location), token=token) if exists else None
    read = read_files(files, on_progress=on_progress, **options)
    if index is None:
        if not read.documents:
            return read.report()  # nothing to index: no empty index is left behind
        index = open_index(location, embedder, token=token)
    with index.writer(wait=wait):
        report = ingest(read, index, embedder, on_progress=on_progress)
        index.record(chunking=CHUNKING, last_build=time.time())
        if index.path is not None:
            from .readonly import save_registry_copy

            save_registry_copy(index.path, index.documents().values())  # what a rebuild re-adds if SQLite breaks
    return report


def rebuild_index(index_dir: Path) -> Path | None:
    """Move the current index aside (never deleted) so a fresh one can be built in its place."""
    if isinstance(index_dir, str) and "://" in index_dir:
        raise UserError("`index rebuild` works on an index on this machine. On a shared Chroma server, ask its "
                        "administrator to delete the medassist collections, then add the documents again.")
    index_dir = Path(index_dir)
    if not index_dir.exists():
        return None
    aside = index_dir.with_name(f"{index_dir.name}.old-{time.strftime('%Y%m%d-%H%M%S')}")
    shutil.move(str(index_dir), aside)
    return aside
