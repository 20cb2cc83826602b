"""Looking at an index on disk without writing to it: is its SQLite file sound, which documents
(and their source files) does its registry hold, and which embedder built it?

Chroma records a write acquisition whenever it opens a store, so even a read-only command would
write to a damaged file through Chroma. These functions open the SQLite file read-only instead:
the integrity check runs before Chroma ever touches the file, and a rebuild can recover the list
of documents from an index Chroma can no longer open.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

SQLITE = Path("chroma") / "chroma.sqlite3"


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
    except sqlite3.DatabaseError as exc:
        return str(exc)
    problems = [r[0] for r in rows if r and r[0] != "ok"]
    return "; ".join(problems[:3]) if problems else None


def recorded_documents(index_dir: Path) -> list[dict]:
    """Every document the registry holds, as {document_id, sources, organisation, year, status}.
    Read straight from SQLite, so it works on an index Chroma cannot open; [] if unreadable."""
    try:
        db = _connect(index_dir)
    except sqlite3.DatabaseError:
        return []
    try:
        rows = db.execute(
            "SELECT m.id, m.key, m.string_value, m.int_value FROM embedding_metadata m "
            "JOIN embeddings e ON e.id = m.id JOIN segments s ON s.id = e.segment_id "
            "JOIN collections c ON c.id = s.collection WHERE c.name = 'documents' "
            "AND m.key IN ('document_id', 'sources', 'organisation', 'year', 'status')").fetchall()
    except sqlite3.DatabaseError:
        return []
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
    from .store import DOCS, MARKER, _server_client, is_server

    try:
        if is_server(location):
            docs = _server_client(str(location), token).get_collection(DOCS)
            identity = json.loads((docs.metadata or {})["embedder"])
        else:
            identity = json.loads((Path(location) / MARKER).read_text())["embedder"]
        recorded = EmbedderInfo(**identity)
    except Exception:  # no index yet, an unreadable marker, a server without the collection
        return None
    choice = known(recorded)
    return choice.info if choice else recorded
