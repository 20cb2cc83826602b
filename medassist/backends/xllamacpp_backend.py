"""llama.cpp from a prebuilt wheel (extra `xllamacpp`: nothing to compile) for GGUF files.

xllamacpp runs llama.cpp's own C++ server. medassist runs that server in a child process and talks to
it over HTTP, locked down:
- loopback only (127.0.0.1, on a port the OS picks), a random API key per server, handed to the child
  on its stdin (never on a command line, which other users of the machine can read); no web UI, no
  /slots, CORS answered with no allowed origin;
- the child stops when the backend closes and when this process dies, however it dies (SIGKILL too):
  it exits when the pipe from its parent reaches end of file, or when its parent process is gone;
- a crash inside llama.cpp (say, CPU features it must not use) ends the child, not this process: it
  becomes a message naming the engine and the file, and the next engine can be tried.

llama.cpp's server gives log-probabilities of generated tokens only, never of prompt tokens, so
`loglikelihood` is delegated to the model's recommended engine (transformers for the default model), or
to llama-cpp-python (same GGUF) when that is recommended and built.
"""
from __future__ import annotations

import http.client
import json
import secrets
import selectors
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

from ..catalogue import ModelSpec
from ..errors import UserError
from ..types import GenerationSettings
from .children import child_code, stop_child
from .stops import cut_at_stop, stream_until_stop

ENGINE = "xllamacpp"
INSTALL = "pip install 'medassist[xllamacpp]'   (a prebuilt wheel, ~34 MB; or: make install)"
READY_TIMEOUT_S = 600  # loading a large GGUF from a slow disk


class EngineStartError(UserError):
    """The engine could not start on this machine: the next engine may be tried."""


def version() -> str | None:
    import importlib.metadata

    try:
        return importlib.metadata.version("xllamacpp")
    except importlib.metadata.PackageNotFoundError:
        return None


# -- the backend -------------------------------------------------------------------------------------
class XLlamaCppBackend:
    engine = ENGINE

    def __init__(self, spec: ModelSpec, path: Path, cache_dir: Path, n_ctx: int, n_threads: int | None,
                 port: int = 0, progress=print, n_threads_batch: int | None = None):
        self.spec, self.path, self.cache_dir = spec, Path(path), Path(cache_dir)
        self.n_ctx, self.n_threads, self.port, self.progress = n_ctx, n_threads, port, progress
        self.n_threads_batch = n_threads_batch
        self.poll = None
        self.last_usage: dict = {}
        self.model_path: str | None = None  # set by load() when the user named the file
        self._lock = threading.Lock()  # one non-streaming request at a time on the shared connection
        self._conn: http.client.HTTPConnection | None = None
        self._scorer = None
        self._proc: subprocess.Popen | None = None
        started = time.perf_counter()
        self._start()
        self.load_seconds = time.perf_counter() - started
        proc = self._proc
        assert proc is not None  # _start set it
        # At exit, or when garbage-collected.
        self._finalizer: weakref.finalize = weakref.finalize(self, stop_child, proc)
        props = self._request("GET", "/props")
        self.bos: str = props.get("bos_token") or ""
        self.chat_template: str | None = props.get("chat_template")

    # -- the server's life -------------------------------------------------------------------------
    def _start(self) -> None:
        self._key = secrets.token_urlsafe(32)
        log = tempfile.TemporaryFile()  # noqa: SIM115  (lives with the server: its messages, quoted on failure)
        proc = subprocess.Popen(
            [sys.executable, "-c", child_code("from medassist.backends.xllamacpp_server import serve; serve()")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
            start_new_session=True)  # a Ctrl-C in the terminal reaches us, and we stop it
        self._proc, self._logfile = proc, log
        cfg = {"model": str(self.path.resolve()), "n_ctx": self.n_ctx, "port": self.port, "api_key": self._key,
               "n_threads": self.n_threads, "n_threads_batch": self.n_threads_batch, "poll": self.poll}
        assert proc.stdin is not None and proc.stdout is not None  # both are pipes
        proc.stdin.write((json.dumps(cfg) + "\n").encode())
        proc.stdin.flush()
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        line = proc.stdout.readline() if sel.select(timeout=READY_TIMEOUT_S) else b""
        sel.close()
        proc.stdout.close()
        doc = json.loads(line) if line.strip() else {}
        if "address" not in doc:
            stop_child(proc)
            raise EngineStartError(self._why_not_started(doc.get("error"), proc.returncode))
        self.pid, self.system_info = doc["pid"], doc.get("system_info", "")
        host, _, port = doc["address"].removeprefix("http://").rpartition(":")
        if host != "127.0.0.1":  # never expected; refuse rather than serve beyond this machine
            stop_child(proc)
            raise EngineStartError(f"The {ENGINE} server listened on {host}, not on loopback; stopped it.")
        self.host, self.bound_port = host, int(port)
        self._conn = None

    def log_tail(self, chars: int = 1500) -> str:
        try:
            self._logfile.seek(0)
            return self._logfile.read().decode(errors="replace")[-chars:]
        except (OSError, ValueError):
            return ""

    def _why_not_started(self, error: str | None, returncode: int | None) -> str:
        log = self.log_tail()
        name = self.path.name
        if returncode is not None and returncode < 0:
            return (f"The {ENGINE} engine crashed while loading {name} (signal {-returncode}). llama.cpp may use CPU "
                    f"features that fail on this machine. Its last words:\n{log[-600:]}")
        if "bind" in log.lower() or "address already in use" in log.lower():
            return f"The {ENGINE} engine could not listen on 127.0.0.1:{self.port}: the port is taken."
        if "failed to load model" in log.lower() or "error loading model" in log.lower() or "gguf" in log.lower():
            detail = [ln for ln in log.splitlines() if " E " in ln or "error" in ln.lower()][-3:]
            return (f"The {ENGINE} engine could not read {self.path} (not a GGUF it understands, or damaged):\n  "
                    + "\n  ".join(detail or [error or "no detail"]))
        if error and "not installed" in error:
            return f"The {ENGINE} engine is not installed: {INSTALL}"
        return f"The {ENGINE} engine did not start for {name}: {error or 'it exited'}.\n{log[-600:]}"

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _died(self) -> UserError:
        code = self._proc.returncode if self._proc else None
        how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        return UserError(f"The {ENGINE} server for {self.path.name} stopped unexpectedly ({how}). Ask again to "
                         f"restart it, or choose another engine (--engine transformers).\n{self.log_tail(600)}")

    def _ensure_running(self) -> None:
        if self._proc is None:
            raise UserError(f"The {ENGINE} backend was closed.")
        if not self._alive():
            self.progress(f"The {ENGINE} server had stopped ({self._proc.returncode}); starting it again...")
            self._finalizer.detach()
            self._start()
            self._finalizer = weakref.finalize(self, stop_child, self._proc)

    # -- HTTP --------------------------------------------------------------------------------------
    def _headers(self) -> dict:
        return {"Authorization": f"Bearer {self._key}", "Content-Type": "application/json"}

    def _request(self, method: str, path: str, body: dict | None = None) -> dict:
        self._ensure_running()
        with self._lock:
            for attempt in (0, 1):  # a kept-alive connection the server has closed is opened again once
                if self._conn is None:
                    self._conn = http.client.HTTPConnection(self.host, self.bound_port, timeout=3600)
                try:
                    self._conn.request(method, path, json.dumps(body) if body is not None else None, self._headers())
                    res = self._conn.getresponse()
                    data = res.read()
                    break
                except (OSError, http.client.HTTPException):
                    self._conn.close()
                    self._conn = None
                    if not self._alive():
                        raise self._died() from None
                    if attempt:
                        raise
        if res.status != 200:
            raise UserError(f"The {ENGINE} server answered {res.status} to {path}: "
                            f"{data[:300].decode(errors='replace')}")
        return json.loads(data)

    def _tokens(self, prompt: str) -> list[int]:
        # Formats that spell out their BOS must not get a second one.
        add = not (self.bos and prompt.startswith(self.bos))
        return self._request("POST", "/tokenize", {"content": prompt, "add_special": add,
                                                   "parse_special": True})["tokens"]

    def _body(self, tokens: list[int], settings: GenerationSettings, stream: bool) -> dict:
        body = {"prompt": tokens, "n_predict": settings.max_new_tokens, "temperature": settings.temperature,
                "top_p": settings.top_p, "stop": [s for s in settings.stop if s], "stream": stream,
                "cache_prompt": False,  # the same prompt gives the same answer, whatever came before
                "n_probs": 0}
        if settings.seed is not None:
            body["seed"] = settings.seed
        if settings.temperature == 0:
            body.update(temperature=0.0, top_k=1)
        return body

    # -- the contract ------------------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        return len(self._request("POST", "/tokenize", {"content": text, "add_special": False,
                                                      "parse_special": True})["tokens"])

    def generate(self, prompt: str, settings: GenerationSettings) -> str:
        tokens = self._tokens(prompt)
        started = time.perf_counter()
        out = self._request("POST", "/completion", self._body(tokens, settings, stream=False))
        self.last_usage = {"prompt_tokens": out.get("tokens_evaluated", len(tokens)),
                           "new_tokens": out.get("tokens_predicted", 0), "seconds": time.perf_counter() - started,
                           "timings": out.get("timings", {})}
        return cut_at_stop(out.get("content", ""), settings.stop)[0]

    def stream(self, prompt: str, settings: GenerationSettings) -> Iterator[str]:
        tokens = self._tokens(prompt)
        self.last_usage = {"prompt_tokens": len(tokens), "new_tokens": 0}
        return stream_until_stop(self._pieces(tokens, settings), settings.stop)

    def _pieces(self, tokens: list[int], settings: GenerationSettings) -> Iterator[str]:
        """One piece per generated token. Closing this generator closes the connection, and llama.cpp
        cancels the generation as soon as it sees the connection gone."""
        started = time.perf_counter()
        conn = http.client.HTTPConnection(self.host, self.bound_port, timeout=3600)
        try:
            try:
                conn.request("POST", "/completion", json.dumps(self._body(tokens, settings, stream=True)),
                             self._headers())
                res = conn.getresponse()
            except (OSError, http.client.HTTPException):
                if not self._alive():
                    raise self._died() from None
                raise
            if res.status != 200:
                raise UserError(f"The {ENGINE} server answered {res.status}: "
                                f"{res.read()[:300].decode(errors='replace')}")
            while True:
                try:
                    line = res.readline()
                except (OSError, http.client.HTTPException):
                    line = b""
                if not line:  # the server closed the stream before its last message: it died, or dropped us
                    assert self._proc is not None  # a request goes to a started server
                    try:
                        self._proc.wait(timeout=5)
                    except subprocess.TimeoutExpired:
                        raise UserError(f"The {ENGINE} server closed the answer stream early.") from None
                    raise self._died()
                if not line.startswith(b"data: "):
                    continue
                doc = json.loads(line[6:])
                if "error" in doc:
                    raise UserError(f"The {ENGINE} server failed: {doc['error']}")
                if doc.get("content"):
                    self.last_usage["new_tokens"] += 1
                    yield doc["content"]
                if doc.get("stop"):
                    self.last_usage.update(new_tokens=doc.get("tokens_predicted", self.last_usage["new_tokens"]),
                                           timings=doc.get("timings", {}))
                    break
        finally:
            conn.close()
            self.last_usage["seconds"] = time.perf_counter() - started

    def _scoring_backend(self):
        if self._scorer is None:
            import importlib.util

            from . import load_backend

            # The model's recommended engine when it can score (as before there was a measured choice:
            # the same numbers, and transformers scores all options of a question in one pass), else
            # llama-cpp-python when built, else transformers.
            has_llamacpp = importlib.util.find_spec("llama_cpp") is not None
            other = ("transformers" if self.spec.engine == "transformers" or not has_llamacpp else "llamacpp")
            self.progress(f"llama.cpp's server gives no log-probabilities for prompt tokens: scoring {self.spec.id} "
                          f"with the {other} engine on the same weights.")
            options = {"model_path": self.model_path} if self.model_path else {}  # the user's file, if any
            self._scorer = load_backend(self.spec, self.cache_dir, engine=other, progress=self.progress, **options)
        return self._scorer

    def loglikelihood(self, context: str, continuation: str) -> float:
        return self._scoring_backend().loglikelihood(context, continuation)

    def loglikelihood_many(self, context: str, continuations: list[str]) -> list[float]:
        scorer = self._scoring_backend()
        many = getattr(scorer, "loglikelihood_many", None)
        return many(context, continuations) if many else [scorer.loglikelihood(context, c) for c in continuations]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            self._finalizer.detach()
            stop_child(self._proc)
            self._proc = None
        if self._scorer is not None:
            self._scorer.close()
            self._scorer = None


def load(spec: ModelSpec, cache_dir: Path, progress=print, model_path: str | None = None, n_ctx: int | None = None,
         n_threads: int | None = None, port: int = 0, n_threads_batch: int | None = None) -> XLlamaCppBackend:
    """port: 0 lets the OS pick a free one (the default; a fixed port can be taken)."""
    if version() is None:
        raise UserError(f"The {ENGINE} engine is not installed. Install it with: {INSTALL}")
    from ..weights import gguf_source

    found = gguf_source(spec, model_path, Path(cache_dir))
    if found is None:
        raise UserError(f"{spec.id} has no GGUF file; the {ENGINE} engine runs GGUF files only. Use --engine "
                        "transformers, or pass --model-path FILE.gguf")
    ctx = min(n_ctx or 4096, spec.context_length)
    if n_threads:  # as asked (a count the user set covers the prompt too)
        n_threads_batch = n_threads_batch or n_threads
    elif not n_threads_batch:  # as measured fastest here, else llama.cpp's default (all cores)
        from .calibration import measured_threads

        n_threads, n_threads_batch = measured_threads(cache_dir) or (None, None)
    threads = f", {n_threads} threads" if n_threads else ""
    if n_threads_batch and n_threads_batch != n_threads:
        threads += f" ({n_threads_batch} for the prompt)"
    progress(f"Loading {spec.id} ({found[0].name}, llama.cpp via {ENGINE} {version()}, n_ctx {ctx}{threads})...")
    backend = XLlamaCppBackend(spec, found[0], Path(cache_dir), ctx, n_threads or None, port, progress,
                               n_threads_batch or None)
    backend.model_path = model_path
    if spec.prompt_format == "llama3-chat":
        from .llamacpp_backend import template_check

        note = template_check(spec, backend.chat_template)
        if note:
            progress(note)
    return backend
