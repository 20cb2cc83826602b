"""Looking at an index on disk without writing to it: is its SQLite file sound, which documents
(and their source files) does its registry hold, and which embedder built it?

Chroma records a write acquisition whenever it opens a store, so even a read-only command would
write to a damaged file through Chroma. These functions open the SQLite file read-only instead:
the integrity check runs before Chroma ever touches the file, and a rebuild can recover the list
of documents from an index Chroma can no longer open. When damage reaches the registry's own pages,
SQLite cannot read it either: every write therefore leaves a plain copy of the registry's sources
beside the store (`documents.json`), which a rebuild reads instead.
"""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from ..errors import IndexDamaged

SQLITE = Path("chroma") / "chroma.sqlite3"
REGISTRY_COPY = "documents.json"  # the registry's documents and sources, as plain JSON beside the store
REBUILD = "medassist index rebuild"


def _connect(index_dir: Path) -> sqlite3.Connection:
    uri = (Path(index_dir) / SQLITE).resolve().as_uri() + "?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=5)


def integrity_problem(index_dir: Path) -> str | None:
    """None when the index's SQLite file passes `PRAGMA quick_check` (or does not exist yet), else
    what SQLite reports. Never writes to the file."""
    path = Path(index_dir) / SQLITE
    if not path.exists():
        return None
    try:
        db = _connect(index_dir)
        try:
            rows = db.execute("PRAGMA quick_check").fetchall()
        finally:
            db.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return None  # a writer holds it right now: that is no damage (Chroma waits for it as usual)
        return str(exc)
    except sqlite3.DatabaseError as exc:
        return str(exc)
    # quick_check reports one row of many lines ("*** in database main ***", "On tree page 137 ...")
    problems = [line for r in rows if r and r[0] != "ok" for line in str(r[0]).splitlines()
                if line.strip() and not line.startswith("***")]
    return "; ".join(problems[:2]) if problems else None


def refuse_if_damaged(index_dir: Path) -> None:
    """Raise IndexDamaged, naming the rebuild command, when the index's SQLite file fails its check.
    Called before Chroma opens the store: Chroma writes on open, and panics on some damage."""
    problem = integrity_problem(index_dir)
    if problem:
        raise IndexDamaged(f"The index at {index_dir} is damaged: its database fails SQLite's integrity check "
                           f"({problem[:200]}). It was left as it is. Rebuild it with `{REBUILD}` (the old index "
                           "is kept aside, not deleted, and your own documents are added again).")


def save_registry_copy(index_dir: Path, records) -> None:
    """Write the plain copy of the registry (call after every change, under the writer lock)."""
    rows = [{"document_id": r.document_id, "sources": list(r.sources), "organisation": r.organisation,
             "year": r.year, "status": r.status} for r in records]
    path = Path(index_dir) / REGISTRY_COPY
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    os.replace(tmp, path)


def recorded_documents(index_dir: Path) -> list[dict]:
    """Every document the registry holds, as {document_id, sources, organisation, year, status}.
    Read straight from SQLite, so it works on an index Chroma cannot open; from the plain copy when
    SQLite cannot read it either; [] if neither can be read."""
    rows = _registry_rows(index_dir)
    if rows is None:
        try:
            rows = json.loads((Path(index_dir) / REGISTRY_COPY).read_text())
        except (OSError, ValueError):
            rows = []
    return rows


def _registry_rows(index_dir: Path) -> list[dict] | None:
    try:
        db = _connect(index_dir)
    except sqlite3.DatabaseError:
        return None
    try:
        rows = db.execute(
            "SELECT m.id, m.key, m.string_value, m.int_value FROM embedding_metadata m "
            "JOIN embeddings e ON e.id = m.id JOIN segments s ON s.id = e.segment_id "
            "JOIN collections c ON c.id = s.collection WHERE c.name = 'documents' "
            "AND m.key IN ('document_id', 'sources', 'organisation', 'year', 'status')").fetchall()
    except sqlite3.DatabaseError:
        return None
    finally:
        db.close()
    docs: dict[int, dict] = {}
    for row_id, key, text, number in rows:
        docs.setdefault(row_id, {})[key] = text if text is not None else number
    out = []
    for d in docs.values():
        try:
            sources = json.loads(d.get("sources") or "[]")
        except ValueError:
            sources = []
        out.append({"document_id": d.get("document_id", ""), "sources": sources,
                    "organisation": d.get("organisation") or "", "year": d.get("year"),
                    "status": d.get("status", "")})
    return out


def recorded_embedder(location: Path | str, token: str | None = None):
    """The embedder an existing index records (an EmbedderInfo as the registry knows it, languages
    included), or None when there is no index yet or its record is unreadable (opening it then
    says why). On disk from the marker file alone; on a server from the collection's metadata."""
    from ..embedders import EmbedderInfo, known
    from .chroma_client import is_server, server_client
    from .store import DOCS, MARKER

    try:
        if is_server(location):
            docs = server_client(str(location), token).get_collection(DOCS)
            identity = json.loads((docs.metadata or {})["embedder"])
        else:
            identity = json.loads((Path(location) / MARKER).read_text())["embedder"]
        recorded = EmbedderInfo(**identity)
    except Exception:  # no index yet, an unreadable marker, a server without the collection
        return None
    choice = known(recorded)
    return choice.info if choice else recorded
