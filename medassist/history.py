"""The history log: every answer, as its JSON document, in SQLite (shared by CLI, UI and notebook).

Each entry records who asked when the web UI has logins (`user`), and the UI shows each user only
their own entries: questions can hold patient details. The command line is the administrator's
view: every entry, with its user (`medassist history export`)."""
from __future__ import annotations

import builtins
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
USER_COLUMN = "ALTER TABLE answers ADD COLUMN user TEXT"  # who asked, when the web UI has logins


def open_log(path: Path, schema: str, what: str) -> sqlite3.Connection:
    """A SQLite log shared by threads and processes (WAL: readers never block the writer).
    A damaged file is left as it is, with a message saying so."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if path.exists():  # damage anywhere in the file is found now, read-only, not at the next write
            check = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
            try:
                problem = check.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                check.close()
            if problem != "ok":
                raise sqlite3.DatabaseError(problem.splitlines()[-1][:200])
        db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(schema)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"The {what} {path} cannot be opened ({exc}). It was left as it is; "
                        "move it aside to start a new one.") from None
    return db


class History:
    """`user=None` in list/get means every user's entries (the command line, a UI without logins);
    a user name means that user's entries only."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.db = open_log(self.path, SCHEMA, "history log")
        if "user" not in {row[1] for row in self.db.execute("PRAGMA table_info(answers)")}:
            with self.db:  # a log from before per-user history: its entries belong to no login
                self.db.execute(USER_COLUMN)

    def record(self, document: dict, extra_settings: dict | None = None, user: str | None = None) -> int:
        settings = {**document.get("settings", {}), **(extra_settings or {})}
        try:
            with self.db:
                cur = self.db.execute(
                    "INSERT INTO answers (created, question, model, settings, chunk_ids, answer, timings, document, "
                    "user) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (time.time(), document["question"], document["model"], json.dumps(settings),
                     json.dumps([s["chunk_id"] for s in document["sources"]]), document["answer"],
                     json.dumps(document["timings"]), "{}", user),
                )
                entry_id = cur.lastrowid
                assert entry_id is not None  # set by the INSERT
                document = {**document, "history_id": entry_id}
                self.db.execute("UPDATE answers SET document = ? WHERE id = ?", (json.dumps(document), entry_id))
        except sqlite3.DatabaseError as exc:  # damaged since it was opened, or the disk is full
            raise UserError(f"The answer could not be saved in the history log {self.path} ({exc}).") from None
        return entry_id

    def list(self, limit: int = 20, search: str | None = None, user: str | None = None) -> list[dict]:
        sql = "SELECT id, created, model, question, user FROM answers WHERE 1"
        args: tuple = ()
        if search:
            sql += " AND (question LIKE ? OR answer LIKE ?)"
            args = (f"%{search}%", f"%{search}%")
        if user is not None:
            sql += " AND user = ?"
            args = (*args, user)
        rows = self.db.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [{"id": r[0], "created": r[1], "model": r[2], "question": r[3], "user": r[4]} for r in rows]

    def get(self, entry_id: int, user: str | None = None) -> dict:
        row = self.db.execute("SELECT document, user FROM answers WHERE id = ?", (entry_id,)).fetchone()
        if row is None or (user is not None and row[1] != user):  # another user's entry is as good as absent
            raise UserError(f"No history entry {entry_id}. See `medassist history list`.")
        return json.loads(row[0])

    def export(self, user: str | None = None) -> builtins.list[dict]:  # `list` here is the method below
        """Every entry (of `user`, if named) as its document with who asked: the administrator's export."""
        sql, args = "SELECT document, user FROM answers", tuple[str, ...]()
        if user is not None:
            sql, args = sql + " WHERE user = ?", (user,)
        return [{**json.loads(doc), "user": who} for doc, who in self.db.execute(sql + " ORDER BY id", args)]

    def close(self) -> None:
        self.db.close()
