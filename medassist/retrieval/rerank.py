"""Cross-encoder reranking, when a cross-encoder is on this machine (nothing is downloaded).

A cross-encoder reads question and passage together, so it orders the fused candidates better
than either ranking alone. medassist uses one when `MEDASSIST_RERANKER` names a local model
folder or a Hub id already in the Hugging Face cache, or when one of the usual rerankers is
cached; otherwise search goes on unreranked and says so once.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..types import Passage

KNOWN_RERANKERS = ("cross-encoder/ms-marco-MiniLM-L-6-v2", "cross-encoder/ms-marco-MiniLM-L12-v2",
                   "BAAI/bge-reranker-base", "BAAI/bge-reranker-v2-m3", "ncbi/MedCPT-Cross-Encoder")
NOT_FOUND = ("No cross-encoder reranker on this machine: results are fused BM25 + dense, not reranked. "
             "Set MEDASSIST_RERANKER to a local cross-encoder folder (or a cached Hub id) to rerank.")


def _cached(repo: str) -> str | None:
    from huggingface_hub import try_to_load_from_cache

    try:
        hit = try_to_load_from_cache(repo, "config.json")
    except ValueError:  # not a Hub id either (e.g. a folder that does not exist)
        return None
    return str(Path(hit).parent) if isinstance(hit, str) else None


def locate(choice: str = "auto") -> str | None:
    """Path of a local cross-encoder for `choice` (a folder or cached Hub id: MEDASSIST_RERANKER via
    Settings; "auto": the known ones), or None."""
    wanted = None if choice == "auto" else choice
    if wanted:
        if Path(wanted).expanduser().is_dir():
            return str(Path(wanted).expanduser())
        return _cached(wanted)
    return next((p for p in map(_cached, KNOWN_RERANKERS) if p), None)


class Reranker:
    def __init__(self, path: str):
        from sentence_transformers import CrossEncoder

        self.path = path
        from ..loading import LOAD_LOCK

        with LOAD_LOCK:  # one model built at a time in a process
            self.model = CrossEncoder(path, device="cpu", local_files_only=True)

    def rerank(self, question: str, passages: list[Passage], k: int) -> list[Passage]:
        """The k passages the cross-encoder rates highest (scores shown stay cosine similarities)."""
        if not passages:
            return []
        scores = self.model.predict([(question, f"{p.title}. {p.text}") for p in passages], show_progress_bar=False)
        order = sorted(range(len(passages)), key=lambda i: -float(scores[i]))
        return [replace(passages[i]) for i in order[:k]]


def find_reranker(choice: str = "auto") -> tuple[Reranker | None, str | None]:
    """(reranker, None) when one is found, else (None, a note saying retrieval is not reranked)."""
    path = locate(choice)
    if path is None:
        if choice not in ("auto", None):
            return None, f"Reranker '{choice}' is not on this machine (nothing is downloaded): not reranked."
        return None, NOT_FOUND
    try:
        return Reranker(path), None
    except Exception as exc:  # a broken or non-cross-encoder folder: search still works
        return None, f"The reranker at {path} could not be loaded ({type(exc).__name__}: {exc}): not reranked."
