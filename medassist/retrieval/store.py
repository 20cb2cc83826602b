"""The guideline index on disk: a persistent Chroma collection plus a marker file saying what it is.

The marker (`medassist-index.json`) records the embedding model, so an index is never queried
or extended with vectors from another model, and a directory that is not an index is never
touched.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IndexDamaged, IndexMissing, UserError
from ..types import Passage
from .embedder import EmbedderInfo

MARKER = "medassist-index.json"
FORMAT_VERSION = 1
COLLECTION = "guidelines"
BUILD_HINT = "medassist guidelines pull && medassist index"


def _metadata(p: Passage) -> dict[str, Any]:
    meta = {"document_id": p.document_id, "title": p.title, "organisation": p.organisation,
            "section": p.section, "url": p.url, "source": p.source}
    if p.year is not None:
        meta["year"] = p.year
    if p.page is not None:
        meta["page"] = p.page
    return meta


def _passage(chunk_id: str, text: str, meta: dict[str, Any], score: float) -> Passage:
    return Passage(chunk_id=chunk_id, document_id=meta.get("document_id", ""), title=meta.get("title", ""),
                   organisation=meta.get("organisation", ""), year=meta.get("year"), section=meta.get("section", ""),
                   text=text, url=meta.get("url", ""), page=meta.get("page"), source=meta.get("source", ""),
                   score=score)


class GuidelineIndex:
    def __init__(self, path: Path, collection, marker: dict[str, Any]):
        self.path = path
        self.collection = collection
        self.marker = marker

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, embedder: EmbedderInfo, create: bool = False) -> GuidelineIndex:
        path = Path(path)
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
            marker = {"format": FORMAT_VERSION, "embedder": embedder.__dict__, "created": time.time()}
            _write_json(marker_file, marker)
        try:
            marker = json.loads(marker_file.read_text())
            recorded = EmbedderInfo(**marker["embedder"])
        except (ValueError, KeyError, TypeError) as exc:
            raise IndexDamaged(f"The index at {path} is damaged: {MARKER} is unreadable ({exc}). Rebuild it with "
                               f"`medassist index rebuild` (the old directory is kept aside, not deleted).") from None
        if recorded != embedder:
            raise UserError(
                f"The index at {path} was built with {recorded.name} ({recorded.revision}, {recorded.dimension} "
                f"dims); this run uses {embedder.name} ({embedder.revision}). Rebuild it for this model with "
                "`medassist index rebuild`."
            )
        try:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            client = chromadb.PersistentClient(path=str(path / "chroma"),
                                               settings=ChromaSettings(anonymized_telemetry=False))
            collection = client.get_or_create_collection(COLLECTION, embedding_function=None,
                                                         configuration={"hnsw": {"space": "cosine"}})
        except Exception as exc:  # Chroma raises many types for a broken store
            raise IndexDamaged(f"The index at {path} is damaged: Chroma cannot open it ({exc}). Rebuild it with "
                               "`medassist index rebuild` (the old directory is kept aside, not deleted).") from None
        return cls(path, collection, marker)

    # -- writing -----------------------------------------------------------------------------
    def missing_ids(self, ids: list[str]) -> list[str]:
        """Those of `ids` not stored yet (content-derived ids: stored means unchanged)."""
        found: set[str] = set()
        for i in range(0, len(ids), 1000):
            found |= set(self.collection.get(ids=ids[i:i + 1000], include=[])["ids"])
        return [i for i in ids if i not in found]

    def add(self, passages: list[Passage], embeddings: np.ndarray) -> None:
        if not passages:
            return
        self.collection.upsert(ids=[p.chunk_id for p in passages], embeddings=embeddings.tolist(),
                               documents=[p.text for p in passages], metadatas=[_metadata(p) for p in passages])

    def record(self, **fields: Any) -> None:
        """Note facts about the build (library, chunking) in the marker file."""
        self.marker.update(fields)
        _write_json(self.path / MARKER, self.marker)

    # -- reading -----------------------------------------------------------------------------
    def count(self) -> int:
        return self.collection.count()

    def query(self, embedding: np.ndarray, k: int, where: dict | None = None) -> list[Passage]:
        n = self.count()
        if n == 0:
            return []
        res = self.collection.query(query_embeddings=[embedding.tolist()], n_results=min(k, n), where=where,
                                    include=["documents", "metadatas", "distances"])
        return [_passage(i, t, m, 1.0 - d) for i, t, m, d in
                zip(res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0])]

    def records(self) -> list[Passage]:
        """Every stored chunk (for keyword search), unscored."""
        res = self.collection.get(include=["documents", "metadatas"])
        return [_passage(i, t, m, 0.0) for i, t, m in zip(res["ids"], res["documents"], res["metadatas"])]

    def passages(self, ids: list[str], query: np.ndarray) -> list[Passage]:
        """The chunks `ids`, in that order, scored by cosine similarity to `query`."""
        if not ids:
            return []
        res = self.collection.get(ids=ids, include=["documents", "metadatas", "embeddings"])
        found = {i: _passage(i, t, m, float(np.dot(np.asarray(e, dtype=np.float32), query)))
                 for i, t, m, e in zip(res["ids"], res["documents"], res["metadatas"], res["embeddings"])}
        return [found[i] for i in ids if i in found]

    def documents(self) -> dict[str, int]:
        """document id -> number of chunks."""
        counts: dict[str, int] = {}
        for meta in self.collection.get(include=["metadatas"])["metadatas"]:
            counts[meta["document_id"]] = counts.get(meta["document_id"], 0) + 1
        return counts


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2, default=str))
    os.replace(tmp, path)
