"""Where medassist keeps things. Read once at an entry point, then passed down (no globals).

Every path can be set by an environment variable, so tests and shared installs can point
medassist elsewhere without touching the user's own files.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path  # the user's data: library, index, history, config
    cache: Path  # re-creatable: converted model weights
    mirror: Path | None  # local mirror of the starter library's raw files, if any
    chroma_url: str | None = None  # a shared Chroma server (http://host:port) instead of the index on disk
    verifiers: str = "rules"  # the support check: rules, plus nli:PATH and/or judge (MEDASSIST_VERIFIER)

    @property
    def library_dir(self) -> Path:
        return self.home / "library"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def index_location(self) -> Path | str:
        """Where the index lives: the Chroma server if one is configured, else `index_dir`."""
        return self.chroma_url or self.index_dir

    @property
    def history_db(self) -> Path:
        return self.home / "history.sqlite3"

    @property
    def config_file(self) -> Path:
        return self.home / "config.json"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        import platformdirs

        env = dict(os.environ if env is None else env)
        home = Path(env.get("MEDASSIST_HOME") or platformdirs.user_data_dir("medassist"))
        cache = Path(env.get("MEDASSIST_CACHE") or platformdirs.user_cache_dir("medassist"))
        mirror = env.get("MEDASSIST_GUIDELINES_MIRROR")
        chroma_url = (env.get("MEDASSIST_CHROMA_URL") or "").strip() or None
        if chroma_url and not chroma_url.startswith(("http://", "https://")):
            from .errors import UserError

            raise UserError(f"MEDASSIST_CHROMA_URL must be an http(s) address such as http://localhost:8000, "
                            f"not '{chroma_url}'.")
        return cls(home=home.expanduser(), cache=cache.expanduser(), mirror=Path(mirror) if mirror else None,
                   chroma_url=chroma_url, verifiers=(env.get("MEDASSIST_VERIFIER") or "rules").strip())
