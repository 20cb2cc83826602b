"""The guideline library as a front end manages it: list, inspect, add (with progress), remove,
rebuild, stats. The one API for `medassist index` and the web UI's Library tab.

The embedder is chosen per index (medassist.embedders): a new index takes the one `add` names (or
the settings' default); an existing one keeps the one it records, and `rebuild` may change it.

Uploaded files are copied into the library's own storage first, and only from the upload folder
the web server itself wrote to. A rebuild re-adds every document the old index held (the starter
library, the library's own copies of uploads, and every recorded source file still there) and
names the ones it could not.
"""
from __future__ import annotations

import hashlib
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

    def records(self) -> list:
        """The documents in the index (DocumentRecord), by id."""
        return sorted(self.index.documents().values(), key=lambda r: r.document_id)

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
        info = self.embedder()
        return {"location": str(self.retriever.location), "documents": len(docs), "chunks": sum(r.chunks for r in docs),
                "formats": formats, "embedder": {**info.identity(), "key": info.short,  # key: what --embedder takes
                                                 "languages": info.describe_languages()},
                "chunking": index.marker.get("chunking"), "bytes_on_disk": size}

    def embedder(self):
        """The EmbedderInfo the index records (or, before there is one, the one it will be built with)."""
        return self.retriever.recorded_embedder() or self.retriever.new_embedder

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

    def add(self, files: list[Path], on_progress: Callable[[str, int, int], None] | None = None, wait: float = 30.0,
            embedder: str | None = None, **options):
        """Ingest files and folders (options: max_chars, organisation, year, overrides). `embedder`
        (a name of medassist.embedders) builds a new index; an existing one keeps its own. -> IngestReport"""
        from . import build_index

        if embedder:
            self._choose_embedder(embedder)
        return build_index(files, self.retriever.location, embedder=self.retriever.embedder,
                           on_progress=on_progress, wait=wait, token=self.retriever.chroma_token, **options)

    def remove(self, targets: list[str], wait: float = 30.0) -> list:
        """Remove documents by id, by source file, or every document under a folder."""
        from .ingest import remove

        targets = [d.strip() for d in targets if d and d.strip()]
        if not targets:
            raise UserError("Name the document(s) to remove: ids from the list, or their files.")
        index = self.index
        with index.writer(wait=wait):
            gone = remove(index, targets)
            index.record(last_change=time.time())
            if index.path is not None:
                from .readonly import save_registry_copy

                save_registry_copy(index.path, index.documents().values())
        return gone

    def rebuild(self, starter: list[Path], on_progress: Callable[[str, int, int], None] | None = None,
                wait: float = 60.0, embedder: str | None = None):
        """Move the index aside and build it again with today's chunker, re-adding every document it
        held; with `embedder` (a name of medassist.embedders), with that embedder, else the one the
        old index records.
        -> (IngestReport, folder the old index was moved to, [(document, source) not found])"""
        from ..embedders import get_embedder
        from . import rebuild_index
        from .chroma_client import is_server
        from .readonly import recorded_documents

        # chosen and loaded before anything moves: an unknown name, a missing package or altered
        # weights leave the old index where it is
        info = get_embedder(embedder).info if embedder else (self.retriever.recorded_embedder()
                                                             or self.retriever.new_embedder)
        location = self.retriever.location
        if is_server(location):
            raise UserError("`index rebuild` works on an index on this machine. On a shared Chroma server, ask its "
                            "administrator to delete the medassist collections, then add the documents again.")
        files: list[Path] = list(starter)
        overrides: dict[str, dict] = {}  # source -> the organisation and year the user gave it
        missing: list[tuple[str, str]] = []
        for doc in recorded_documents(Path(location)):
            if doc.get("status") == "deleting":
                continue  # being removed when the index broke: the user asked for it to go
            for source in doc["sources"]:
                path = Path(source.split("#", 1)[0])
                if path.is_file():
                    files.append(path)
                    overrides[source] = {"organisation": doc["organisation"], "year": doc["year"]}
                else:
                    missing.append((doc["document_id"], source))
        if self.uploads_dir.is_dir():  # the library's own copies, even if the registry was unreadable
            files += sorted(p for p in self.uploads_dir.rglob("*") if p.is_file())
        self.retriever.use_embedder(info)
        self.retriever.embedder.loaded()
        self.retriever.reset()  # let go of the old store before it moves
        aside = rebuild_index(location)
        report = self.add(list(dict.fromkeys(files)), on_progress=on_progress, wait=wait, overrides=overrides)
        found = {s for o in report.outcomes for s in [o.path]}
        missing = [(d, s) for d, s in missing if s.split("#", 1)[0] not in found]
        return report, aside, missing

    def _choose_embedder(self, name: str) -> None:
        """Build a new index with `name`; refuse it for an index built with another (say how to switch)."""
        from ..embedders import get_embedder

        wanted = get_embedder(name).info
        recorded = self.retriever.recorded_embedder()
        if recorded is not None and recorded != wanted:
            raise UserError(f"The index at {self.retriever.location} was built with {recorded.short}; its "
                            f"documents cannot be mixed with {wanted.short}'s vectors. To switch every document "
                            f"to {wanted.short}: medassist index rebuild --embedder {wanted.short} (the old index "
                            "is kept aside). Or leave out --embedder to add to it with its own.")
        if recorded is None:  # a new index: loaded now, so a missing package creates no index
            self.retriever.use_embedder(wanted)
            self.retriever.embedder.loaded()
