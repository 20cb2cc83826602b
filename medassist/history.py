"""The history log: every answer, as its JSON document, in SQLite (shared by CLI, UI and notebook)."""
from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from .errors import UserError

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,           -- unix time
    question TEXT NOT NULL,
    model TEXT NOT NULL,
    settings TEXT NOT NULL,          -- JSON: generation settings, k, rag on/off
    chunk_ids TEXT NOT NULL,         -- JSON list: sources [1..k] in order
    answer TEXT NOT NULL,
    timings TEXT NOT NULL,           -- JSON: seconds per phase
    document TEXT NOT NULL           -- the whole medassist.answer/1 JSON document
);
CREATE INDEX IF NOT EXISTS answers_created ON answers(created);
"""


def open_log(path: Path, schema: str, what: str) -> sqlite3.Connection:
    """A SQLite log shared by threads and processes (WAL: readers never block the writer).
    A damaged file is left as it is, with a message saying so."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(schema)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"The {what} {path} cannot be opened ({exc}). It was left as it is; "
                        "move it aside to start a new one.") from None
    return db


class History:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.db = open_log(self.path, SCHEMA, "history log")

    def record(self, document: dict, extra_settings: dict | None = None) -> int:
        settings = {**document.get("settings", {}), **(extra_settings or {})}
        with self.db:
            cur = self.db.execute(
                "INSERT INTO answers (created, question, model, settings, chunk_ids, answer, timings, document) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), document["question"], document["model"], json.dumps(settings),
                 json.dumps([s["chunk_id"] for s in document["sources"]]), document["answer"],
                 json.dumps(document["timings"]), "{}"),
            )
            entry_id = cur.lastrowid
            document = {**document, "history_id": entry_id}
            self.db.execute("UPDATE answers SET document = ? WHERE id = ?", (json.dumps(document), entry_id))
        return entry_id

    def list(self, limit: int = 20, search: str | None = None) -> list[dict]:
        sql = "SELECT id, created, model, question FROM answers"
        args: tuple = ()
        if search:
            sql += " WHERE question LIKE ? OR answer LIKE ?"
            args = (f"%{search}%", f"%{search}%")
        rows = self.db.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [{"id": r[0], "created": r[1], "model": r[2], "question": r[3]} for r in rows]

    def get(self, entry_id: int) -> dict:
        row = self.db.execute("SELECT document FROM answers WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise UserError(f"No history entry {entry_id}. See `medassist history list`.")
        return json.loads(row[0])

    def close(self) -> None:
        self.db.close()
