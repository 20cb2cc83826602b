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

    @property
    def library_dir(self) -> Path:
        return self.home / "library"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

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
        return cls(home=home.expanduser(), cache=cache.expanduser(), mirror=Path(mirror) if mirror else None)
