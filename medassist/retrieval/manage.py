"""The guideline library as a front end manages it: list, inspect, add (with progress), remove, stats.

Shared by `medassist index` and the web UI's Library tab. Uploaded files are copied into the
library's own storage first, and only from the upload folder the web server itself wrote to.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import UserError


class Library:
    def __init__(self, retriever, uploads_dir: Path):
        self.retriever = retriever  # retrieval.Retriever: one embedder and index handle for the process
        self.uploads_dir = Path(uploads_dir)

    @property
    def index(self):
        return self.retriever.index

    def documents(self) -> list[dict]:
        return [{"document": r.document_id, "title": r.title, "organisation": r.organisation, "year": r.year or "",
                 "chunks": r.chunks, "format": r.format, "sources": "; ".join(r.sources)}
                for r in sorted(self.index.documents().values(), key=lambda r: r.document_id)]

    def stats(self) -> dict:
        index = self.index
        docs = list(index.documents().values())
        formats: dict[str, int] = {}
        for r in docs:
            formats[r.format] = formats.get(r.format, 0) + 1
        size = sum(f.stat().st_size for f in index.path.rglob("*") if f.is_file()) if index.path else None
        return {"location": str(self.retriever.location), "documents": len(docs), "chunks": sum(r.chunks for r in docs),
                "formats": formats, "embedder": json.loads((index.docs.metadata or {}).get("embedder", "{}")),
                "chunking": index.marker.get("chunking"), "bytes_on_disk": size}

    def passages(self, document_id: str) -> list:
        record = next((r for r in self.index.documents().values() if r.document_id == document_id.strip()), None)
        if record is None:
            raise UserError(f"No document '{document_id}' in the library; the list shows every id.")
        return self.index.document_passages(record.key)

    def save_upload(self, path: Path, name: str, allowed_root: Path) -> Path:
        """Copy one uploaded file into the library's storage. Only files under `allowed_root` (where the
        web server wrote the upload) are read: a path sent by a client is never opened."""
        path, root = Path(path).resolve(), Path(allowed_root).resolve()
        if not path.is_file() or root not in path.parents:
            raise UserError(f"Refused '{name}': not a file this server received as an upload.")
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name)[:120] or "upload"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        target = self.uploads_dir / digest / safe  # the file keeps its own name, so the document id does too
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            shutil.copyfile(path, target)
        return target

    def add(self, files: list[Path], on_progress: Callable[[str, int, int], None] | None = None, wait: float = 30.0):
        from . import build_index

        return build_index(files, self.retriever.location, embedder=self.retriever.embedder,
                           on_progress=on_progress, wait=wait)

    def remove(self, document_ids: list[str], wait: float = 30.0) -> list:
        from .ingest import remove

        ids = [d.strip() for d in document_ids if d.strip()]
        if not ids:
            raise UserError("Name the document(s) to remove by id.")
        index = self.index
        with index.writer(wait=wait):
            gone = remove(index, ids)
            index.record(last_change=time.time())
        return gone
