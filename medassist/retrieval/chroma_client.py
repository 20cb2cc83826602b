"""Chroma clients for an index: one directory on this machine, or a Chroma server by URL.

Kept apart from the index itself (store.py) so the read-only status path can reach a server without the
index's write logic, and so the one lock every Chroma open takes lives in one place.
"""
from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlparse

from ..errors import IndexDamaged, UserError

# Chroma keeps one System per store path in a process, shared by every client of that path, and a reopen
# stops it. Opening, reopening and reading therefore take turns across threads (the web UI's compare runs
# models in threads): without this, one thread's reopen or first open broke another's client mid-call.
CHROMA_LOCK = threading.RLock()

REBUILD_HINT = "`medassist index rebuild` (the old directory is kept aside, not deleted)"


def is_server(location: Path | str) -> bool:
    return isinstance(location, str) and location.startswith(("http://", "https://"))


def disk_client(path: Path):
    try:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        with CHROMA_LOCK:
            return chromadb.PersistentClient(path=str(path / "chroma"),
                                             settings=ChromaSettings(anonymized_telemetry=False))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a Rust panic in Chroma's start-up is no Exception
        raise IndexDamaged(f"The index at {path} is damaged: Chroma cannot open it ({exc}). Rebuild it with "
                           f"{REBUILD_HINT}.") from None


def server_client(url: str, token: str | None = None):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    u = urlparse(url)
    headers = {"x-chroma-token": token} if token else None
    try:
        client = chromadb.HttpClient(host=u.hostname or "localhost",
                                     port=u.port or (443 if u.scheme == "https" else 8000),
                                     ssl=u.scheme == "https", headers=headers,
                                     settings=ChromaSettings(anonymized_telemetry=False))
        client.heartbeat()
    except Exception as exc:
        raise UserError(f"Cannot reach the Chroma server at {url} ({type(exc).__name__}: {exc}). Start it (for example "
                        "`chroma run --path /srv/medassist-index --port 8000`) or unset MEDASSIST_CHROMA_URL to use "
                        "the index on this machine.") from None
    return client
