"""Everything medassist reads from its environment, read once at an entry point, then passed down.

No other module reads an environment variable: the command line, the web UI, the notebook widget
and the library API build one `Settings` (`Settings.from_env()`) and hand it to what they call.
Every path can be moved by a variable, so tests and shared installs can point medassist elsewhere
without touching the user's own files.

| variable                      | field           | what it does |
| ----------------------------- | --------------- | ------------ |
| MEDASSIST_HOME                | home            | library, index, history, config (default: the user data dir) |
| MEDASSIST_CACHE               | cache           | converted weights, measured engine choice (default: user cache) |
| MEDASSIST_GUIDELINES_MIRROR   | mirror          | a local folder with the starter library's raw files |
| MEDASSIST_CHROMA_URL          | chroma_url      | a shared Chroma server instead of the index on disk |
| MEDASSIST_CHROMA_TOKEN        | chroma_token    | sent to that server as x-chroma-token |
| MEDASSIST_RERANKER            | reranker        | a local cross-encoder folder or cached Hub id |
| MEDASSIST_EMBEDDER            | embedder        | the embedder a new index is built with (medassist.embedders) |
| MEDASSIST_VERIFIER            | verifiers       | rules (default), plus nli:PATH and/or judge |
| MEDASSIST_ACCEPT_LICENCES     | accept_licences | model ids whose licence is accepted (or all): scripts and CI |
| MEDASSIST_TRUST_REMOTE_CODE   | trusted_code    | repos allowed to run their own Python code |
| MEDASSIST_SERVER_URL          | server_url      | the OpenAI-compatible server (as --server) |
| MEDASSIST_SERVER_API_KEY      | server_api_key  | its API key (or OPENAI_API_KEY) |
| MEDASSIST_ALLOW_HOSTS         | allow_hosts     | servers beyond this machine and private network allowed by name |
| MEDASSIST_THREADS             | threads         | CPU threads for the llama.cpp engines (default: measured) |
| MEDASSIST_BENCHMARKS          | benchmarks      | where `medassist eval` finds benchmark files |
| MEDASSIST_UI_AUTH             | ui_auth         | user:password for the web UI beyond loopback |
| GRADIO_TEMP_DIR               | upload_root     | where Gradio writes uploads (the only place they are read from) |
| HF_HUB_CACHE, HF_HOME         | hf_hub_cache    | the Hugging Face cache the 70B models' weights are looked for in |
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .embedders import DEFAULT as DEFAULT_EMBEDDER


def _names(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


@dataclass(frozen=True)
class Settings:
    home: Path  # the user's data: library, index, history, config
    cache: Path  # re-creatable: converted model weights, the measured engine choice
    mirror: Path | None = None  # local mirror of the starter library's raw files, if any
    chroma_url: str | None = None  # a shared Chroma server (http://host:port) instead of the index on disk
    chroma_token: str | None = None  # sent to that server as x-chroma-token
    reranker: str | None = None  # a cross-encoder folder or cached Hub id (None: look for the usual ones)
    embedder: str = DEFAULT_EMBEDDER  # for a new index; an existing one keeps the embedder it records
    verifiers: str = "rules"  # the support check: rules, plus nli:PATH and/or judge
    accept_licences: tuple[str, ...] = ()  # model ids (or "all") whose licence is accepted without asking
    trusted_code: tuple[str, ...] = ()  # repos allowed to run their own code (auto_map)
    server_url: str | None = None  # an OpenAI-compatible server, when --server is not given
    server_api_key: str | None = None
    allow_hosts: tuple[str, ...] = ()  # servers beyond this machine and the private network, by name
    threads: int | None = None  # CPU threads for the llama.cpp engines (None: as measured)
    benchmarks: Path | None = None  # benchmark files for `medassist eval`
    ui_auth: str | None = None  # user:password required by the web UI beyond loopback
    upload_root: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "gradio")
    hf_hub_cache: Path = field(default_factory=lambda: Path.home() / ".cache" / "huggingface" / "hub")

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

    def engine_defaults(self) -> dict:
        """Options the engines take from the environment (an option given on the command line wins)."""
        return {k: v for k, v in (("n_threads", self.threads), ("server", self.server_url),
                                  ("api_key", self.server_api_key), ("allow_hosts", self.allow_hosts),
                                  ("trusted_code", self.trusted_code)) if v}

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        import platformdirs

        from .errors import UserError

        env = dict(os.environ if env is None else env)
        home = Path(env.get("MEDASSIST_HOME") or platformdirs.user_data_dir("medassist"))
        cache = Path(env.get("MEDASSIST_CACHE") or platformdirs.user_cache_dir("medassist"))
        mirror = env.get("MEDASSIST_GUIDELINES_MIRROR")
        chroma_url = (env.get("MEDASSIST_CHROMA_URL") or "").strip() or None
        if chroma_url and not chroma_url.startswith(("http://", "https://")):
            raise UserError(f"MEDASSIST_CHROMA_URL must be an http(s) address such as http://localhost:8000, "
                            f"not '{chroma_url}'.")
        threads = (env.get("MEDASSIST_THREADS") or "").strip()
        if threads and not (threads.isdigit() and int(threads) > 0):
            raise UserError(f"MEDASSIST_THREADS must be a number of threads such as 2, not '{threads}'.")
        embedder = (env.get("MEDASSIST_EMBEDDER") or "").strip()
        if embedder:
            from .embedders import get_embedder

            embedder = get_embedder(embedder).key  # an unknown name is refused here, with the list
        hub = env.get("HF_HUB_CACHE") or str(Path(env.get("HF_HOME") or Path.home() / ".cache" / "huggingface") / "hub")
        return cls(home=home.expanduser(), cache=cache.expanduser(), mirror=Path(mirror) if mirror else None,
                   chroma_url=chroma_url, chroma_token=env.get("MEDASSIST_CHROMA_TOKEN") or None,
                   reranker=(env.get("MEDASSIST_RERANKER") or "").strip() or None,
                   embedder=embedder or DEFAULT_EMBEDDER,
                   verifiers=(env.get("MEDASSIST_VERIFIER") or "rules").strip(),
                   accept_licences=_names(env.get("MEDASSIST_ACCEPT_LICENCES")),
                   trusted_code=_names(env.get("MEDASSIST_TRUST_REMOTE_CODE")),
                   server_url=(env.get("MEDASSIST_SERVER_URL") or "").strip() or None,
                   server_api_key=env.get("MEDASSIST_SERVER_API_KEY") or env.get("OPENAI_API_KEY") or None,
                   allow_hosts=tuple(h.lower() for h in _names(env.get("MEDASSIST_ALLOW_HOSTS"))),
                   threads=int(threads) if threads else None,
                   benchmarks=Path(env["MEDASSIST_BENCHMARKS"]) if env.get("MEDASSIST_BENCHMARKS") else None,
                   ui_auth=env.get("MEDASSIST_UI_AUTH") or None,
                   upload_root=Path(env.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio"),
                   hf_hub_cache=Path(hub))
