"""The guideline index: Chroma holding chunks plus a registry of documents, on disk or on a server.

Two collections:
- chunks (`guidelines`): one record per passage, metadata naming its document by content key;
- documents (`documents`): one record per document (id = sha256 of its content) with its sources,
  chunk count and status, and the mean of its chunk embeddings.

A document is visible only once its record says `complete`. Writes go: record `writing` →
chunks → record `complete`; removals: record `deleting` → chunks → record gone. A process killed
at any point leaves records in `writing`/`deleting` whose chunks readers ignore and the next
writer removes, so every document is either whole or absent. Single-record writes are atomic in
Chroma (one SQLite transaction), which is all this relies on.

On disk, a marker file (`medassist-index.json`) says the directory is an index and which embedder
built it; the same facts live in the documents collection's metadata, which is all a server has.
"""
from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IndexBusy, IndexDamaged, IndexMissing, UserError
from ..types import Passage
from .chroma_client import CHROMA_LOCK, REBUILD_HINT, disk_client, is_server, server_client
from .embedder import EmbedderInfo

MARKER = "medassist-index.json"
FORMAT_VERSION = 2
CHUNKS, DOCS = "guidelines", "documents"
BUILD_HINT = ("medassist guidelines pull && medassist index (the starter library), or medassist index add PATH "
              "(your own guideline files)")
STALE_SECONDS = 3600  # on a shared server, a `writing` record older than this belongs to a dead writer


@dataclass
class DocumentRecord:
    key: str  # sha256 of the content
    document_id: str  # what users type: "ngc-10008", "sepsis-protocol"
    title: str
    organisation: str = ""
    year: int | None = None
    url: str = ""
    format: str = ""
    sources: list[str] = field(default_factory=list)  # every file (or file#record) holding this content
    chunks: int = 0
    status: str = "complete"  # writing | complete | deleting
    added: float = 0.0

    def metadata(self) -> dict[str, Any]:
        meta = {k: v for k, v in asdict(self).items() if k not in ("key", "sources") and v is not None}
        meta["sources"] = json.dumps(self.sources)
        return meta

    @classmethod
    def from_metadata(cls, key: str, meta: dict[str, Any]) -> DocumentRecord:
        fields = {k: meta[k] for k in cls.__dataclass_fields__ if k in meta and k != "sources"}
        return cls(key=key, sources=json.loads(meta.get("sources") or "[]"), **fields)


def _chunk_metadata(p: Passage, key: str) -> dict[str, Any]:
    meta = {"doc_key": key, "document_id": p.document_id, "title": p.title, "organisation": p.organisation,
            "section": p.section, "url": p.url, "source": p.source}
    for name in ("year", "page", "page_end"):
        if getattr(p, name) is not None:
            meta[name] = getattr(p, name)
    if p.grade:
        meta["grade"] = p.grade
    if p.page_spans:
        meta["page_spans"] = json.dumps(p.page_spans)
    return meta


def _passage(chunk_id: str, text: str, meta: dict[str, Any], score: float) -> Passage:
    return Passage(chunk_id=chunk_id, document_id=meta.get("document_id", ""), title=meta.get("title", ""),
                   organisation=meta.get("organisation", ""), year=meta.get("year"), section=meta.get("section", ""),
                   text=text, url=meta.get("url", ""), page=meta.get("page"), source=meta.get("source", ""),
                   score=score, page_end=meta.get("page_end"), grade=meta.get("grade", ""),
                   page_spans=tuple(tuple(x) for x in json.loads(meta.get("page_spans") or "[]")))


class GuidelineIndex:
    def __init__(self, location: Path | str, client, chunks, docs, marker: dict[str, Any]):
        self.location = location
        self.client = client
        self.chunks = chunks
        self.docs = docs
        self.marker = marker

    @property
    def chunker_version(self) -> int:
        """The chunker that built this index (indexes from before the version was recorded: 1)."""
        return int((self.docs.metadata or {}).get("chunker", 1))

    @property
    def stale_chunker(self) -> bool:
        from .chunking import CHUNKER_VERSION

        return self.chunker_version < CHUNKER_VERSION

    def adopt_chunker(self) -> None:
        """An empty index may take the current chunker's number (nothing in it was chunked otherwise)."""
        from .chunking import CHUNKER_VERSION

        meta = dict(self.docs.metadata or {})
        meta["chunker"] = CHUNKER_VERSION
        self.docs.modify(metadata=meta)

    @property
    def path(self) -> Path | None:
        return None if is_server(self.location) else Path(self.location)

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(cls, location: Path | str, embedder: EmbedderInfo, create: bool = False,
             token: str | None = None) -> GuidelineIndex:
        if isinstance(location, str) and is_server(location):
            client = server_client(location, token)
            marker = None
        else:
            path = Path(location)
            marker = _open_marker(path, embedder, create)
            from .readonly import refuse_if_damaged

            refuse_if_damaged(path)  # read-only, before Chroma (which writes on open) touches the file
            client = disk_client(path)
        from .chunking import CHUNKER_VERSION

        meta = {"medassist_format": FORMAT_VERSION, "embedder": json.dumps(embedder.identity()),
                "chunker": CHUNKER_VERSION}
        try:
            with CHROMA_LOCK:
                names = {c.name if hasattr(c, "name") else c for c in client.list_collections()}
                if DOCS not in names and not create and marker is None:
                    raise IndexMissing(f"The Chroma server at {location} holds no medassist index yet. Build it with: "
                                       "medassist index add PATH (or medassist index).")
                docs = client.get_or_create_collection(DOCS, metadata=meta, embedding_function=None,
                                                       configuration={"hnsw": {"space": "cosine"}})
                chunks = client.get_or_create_collection(CHUNKS, embedding_function=None,
                                                         configuration={"hnsw": {"space": "cosine"}})
        except (IndexMissing, UserError, KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # Chroma raises many types for a broken store, Rust panics too
            raise IndexDamaged(f"The index at {location} is damaged: Chroma cannot open it ({exc}). Rebuild it with "
                               f"{REBUILD_HINT}.") from None
        stored = dict(docs.metadata or {})
        if stored.get("embedder") and json.loads(stored["embedder"]) != embedder.identity():
            recorded = EmbedderInfo(**json.loads(stored["embedder"]))
            raise UserError(_other_embedder(location, recorded, embedder))
        if stored.get("medassist_format", FORMAT_VERSION) != FORMAT_VERSION and marker is None:
            raise UserError(f"The index at {location} was built by another version of medassist. Rebuild it with "
                            "`medassist index rebuild`.")
        return cls(location, client, chunks, docs, marker or {})

    # -- writing (call inside `writer()`) ----------------------------------------------------
    @contextmanager
    def writer(self, wait: float = 60.0):
        """One writer at a time. On disk, a file lock (other writers wait `wait` seconds, then get a
        clear message); on a server, content-addressed writes make concurrent writers harmless."""
        if self.path is None:
            self.collect_garbage(min_age=STALE_SECONDS)
            yield self
            return
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.path / "writer.lock"))
        owner = self.path / "writer.pid"
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            who = owner.read_text().strip() if owner.exists() else "another process"
            raise IndexBusy(f"Another medassist process ({who}) is writing to the index. Wait for it to finish, "
                            "then try again; nothing was changed.") from None
        try:
            owner.write_text(f"pid {os.getpid()}")
            self.collect_garbage(min_age=0)
            yield self
        finally:
            lock.release()

    def begin(self, records: list[DocumentRecord]) -> None:
        """Announce documents about to be written (status `writing`): invisible until committed."""
        for r in records:
            r.status, r.added = "writing", time.time()
        self._put(records)

    def add_chunks(self, passages: list[Passage], keys: list[str], embeddings: np.ndarray) -> None:
        if passages:
            self.chunks.upsert(ids=[p.chunk_id for p in passages], embeddings=embeddings,
                               documents=[p.text for p in passages],
                               metadatas=[_chunk_metadata(p, k) for p, k in zip(passages, keys)])

    def commit(self, records: list[DocumentRecord], means: dict[str, np.ndarray] | None = None) -> None:
        for r in records:
            r.status = "complete"
        self._put(records, means)
        self._touch()

    def set_sources(self, record: DocumentRecord, sources: list[str]) -> None:
        record.sources = sources
        self.docs.update(ids=[record.key], metadatas=[record.metadata()])
        self._touch()

    def delete(self, records: list[DocumentRecord]) -> None:
        """Remove documents whole: hidden first, then their chunks, then the record."""
        if not records:
            return
        for r in records:
            r.status = "deleting"
        self.docs.update(ids=[r.key for r in records], metadatas=[r.metadata() for r in records])
        self._touch()
        self._purge([r.key for r in records])

    def collect_garbage(self, min_age: float = 0.0) -> int:
        """Finish what a killed writer left: drop `writing` and `deleting` documents and their chunks."""
        res = self.docs.get(where={"status": {"$in": ["writing", "deleting"]}}, include=["metadatas"])
        now = time.time()
        stale = [k for k, m in zip(res["ids"], res["metadatas"]) if now - float(m.get("added", 0)) >= min_age]
        self._purge(stale)
        return len(stale)

    def _purge(self, keys: list[str]) -> None:
        for key in keys:
            self.chunks.delete(where={"doc_key": key})
        if keys:
            self.docs.delete(ids=keys)

    def _put(self, records: list[DocumentRecord], means: dict[str, np.ndarray] | None = None) -> None:
        if not records:
            return
        dim = json.loads((self.docs.metadata or {}).get("embedder", "{}")).get("dimension", 384)
        found = [(means or {}).get(r.key) for r in records]
        # The documents collection holds each document's mean chunk embedding (a unit vector before that).
        vectors = np.stack([v if v is not None else np.full(dim, dim ** -0.5, dtype=np.float32) for v in found])
        self.docs.upsert(ids=[r.key for r in records], embeddings=vectors, metadatas=[r.metadata() for r in records],
                         documents=[r.title for r in records])

    def _touch(self) -> None:
        """Tell readers the set of visible documents changed."""
        meta = dict(self.docs.metadata or {})
        meta["generation"] = time.time_ns()
        self.docs.modify(metadata=meta)

    def record(self, **fields: Any) -> None:
        """Note facts about the build (chunking, last build) in the marker file (on disk only)."""
        if self.path is not None:
            self.marker.update(fields)
            _write_json(self.path / MARKER, self.marker)

    # -- reading -----------------------------------------------------------------------------
    def _read(self, fn, attempts: int = 4):
        """Run a read; if another process's write made this process's view of the store stale
        (Chroma then raises, e.g. "Error finding id"), reopen the store and try again."""
        for attempt in range(attempts):
            try:
                with CHROMA_LOCK:
                    return fn()
            except (IndexMissing, UserError, KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # PanicException, from Chroma's Rust, is a BaseException
                if attempt == attempts - 1:
                    raise IndexDamaged(f"The index at {self.location} cannot be read ({type(exc).__name__}: "
                                       f"{exc}). If this persists, rebuild it with {REBUILD_HINT}.") from None
                time.sleep(0.1 * (attempt + 1))
                self._reopen()
        raise AssertionError("unreachable")

    def _get_all(self, collection: str, page: int = 5000, **kwargs) -> dict[str, list]:
        """`get` in pages: one call for 100k records overflows SQLite's limit on query variables."""
        out: dict[str, list] = {"ids": [], "documents": [], "metadatas": []}
        offset = 0
        while True:
            res = self._read(lambda offset=offset: getattr(self, collection).get(limit=page, offset=offset, **kwargs))
            for key in out:
                out[key].extend(res.get(key) or [None] * len(res["ids"]))
            if len(res["ids"]) < page:
                return out
            offset += page

    def _reopen(self) -> None:
        if self.path is None:
            return  # a server is always current
        from chromadb.api.shared_system_client import SharedSystemClient

        with CHROMA_LOCK:
            SharedSystemClient.clear_system_cache()
            self.client = disk_client(self.path)
            self.chunks = self.client.get_collection(CHUNKS)
            self.docs = self.client.get_collection(DOCS)

    def generation(self) -> int:
        return self._read(lambda: int((self.client.get_collection(DOCS).metadata or {}).get("generation", 0)))

    def documents(self, status: str = "complete") -> dict[str, DocumentRecord]:
        """content key -> record, for documents in `status`."""
        res = self._get_all("docs", where={"status": status}, include=["metadatas"])
        return {k: DocumentRecord.from_metadata(k, m) for k, m in zip(res["ids"], res["metadatas"])}

    def count(self) -> int:
        """Chunks of complete documents."""
        return sum(r.chunks for r in self.documents().values())

    def nearest(self, embedding: np.ndarray, k: int, visible: set[str] | dict, where: dict | None = None
                ) -> list[tuple[str, float]]:
        """Top-k (chunk id, cosine similarity) among chunk ids in `visible`. Asks Chroma for ids and
        distances only: fetching metadata for every candidate was two thirds of a query's time."""
        if not visible:
            return []
        n = len(visible)  # not chunks.count(): that alone took 9 ms at 100k chunks
        fetch = min(n, k + 16)
        while True:
            res = self._read(lambda fetch=fetch: self.chunks.query(query_embeddings=[embedding], n_results=fetch,
                                                                   where=where, include=["distances"]))
            hits = [(i, 1.0 - d) for i, d in zip(res["ids"][0], res["distances"][0]) if i in visible]
            if len(hits) >= min(k, n) or len(res["ids"][0]) < fetch:
                return hits[:k]
            fetch *= 4  # hidden (half-written) chunks took places: look further

    def chunk_table(self) -> tuple[list[str], list[str], list[str], list[Passage]]:
        """Every stored chunk: (ids, doc keys, texts, passages), for keyword search."""
        res = self._get_all("chunks", include=["documents", "metadatas"])
        passages = [_passage(i, t, m, 0.0) for i, t, m in zip(res["ids"], res["documents"], res["metadatas"])]
        return res["ids"], [m.get("doc_key", "") for m in res["metadatas"]], res["documents"], passages

    def passages(self, ids: list[str], query: np.ndarray) -> list[Passage]:
        """The chunks `ids`, in that order, scored by cosine similarity to `query`."""
        if not ids:
            return []
        res = self._read(lambda: self.chunks.get(ids=ids, include=["documents", "metadatas", "embeddings"]))
        found = {i: _passage(i, t, m, float(np.dot(np.asarray(e, dtype=np.float32), query)))
                 for i, t, m, e in zip(res["ids"], res["documents"], res["metadatas"], res["embeddings"])}
        return [found[i] for i in ids if i in found]

    def document_passages(self, key: str) -> list[Passage]:
        """The chunks of one document, in the order they were stored (reading order)."""
        res = self._read(lambda: self.chunks.get(where={"doc_key": key}, include=["documents", "metadatas"]))
        return [_passage(i, t, m, 0.0) for i, t, m in zip(res["ids"], res["documents"], res["metadatas"])]

    def chunks_of(self, key: str) -> int:
        return len(self.chunks.get(where={"doc_key": key}, include=[])["ids"])


# -- helpers -----------------------------------------------------------------------------------
def _other_embedder(location, recorded: EmbedderInfo, embedder: EmbedderInfo) -> str:
    return (f"The index at {location} was built with {recorded.name} ({recorded.revision}, {recorded.dimension} "
            f"dims); this run uses {embedder.name} ({embedder.revision}, {embedder.dimension} dims). Rebuild it for "
            f"this model with `medassist index rebuild --embedder {embedder.short}`.")


def _open_marker(path: Path, embedder: EmbedderInfo, create: bool) -> dict[str, Any]:
    marker_file = path / MARKER
    if path.exists() and not path.is_dir():
        raise UserError(f"{path} is a file, not an index directory. Choose another index directory.")
    if not marker_file.exists():
        if path.exists() and any(path.iterdir()):
            raise UserError(
                f"{path} is not a medassist index (it has no {MARKER}) and is not empty. "
                "medassist will not overwrite it: choose another directory (MEDASSIST_HOME) or empty it yourself."
            )
        if not create:
            raise IndexMissing(f"No guideline index at {path} yet. Build it with: {BUILD_HINT}")
        path.mkdir(parents=True, exist_ok=True)
        _write_json(marker_file, {"format": FORMAT_VERSION, "embedder": embedder.identity(), "created": time.time()})
    try:
        marker = json.loads(marker_file.read_text())
        recorded = EmbedderInfo(**marker["embedder"])
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexDamaged(f"The index at {path} is damaged: {MARKER} is unreadable ({exc}). Rebuild it with "
                           f"{REBUILD_HINT}.") from None
    if recorded != embedder:
        raise UserError(_other_embedder(path, recorded, embedder))
    if marker.get("format") != FORMAT_VERSION:
        raise UserError(f"The index at {path} was built by an older medassist (format {marker.get('format')}). "
                        "Rebuild it with `medassist index rebuild`.")
    return marker


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2, default=str))
    os.replace(tmp, path)
