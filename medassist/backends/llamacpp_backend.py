"""llama.cpp engine (extra `gguf`: llama-cpp-python) for GGUF files such as Med42-8B Q4_K_M.

- GPU layer offload (`n_gpu_layers`, -1 = all) and context size (`n_ctx`).
- Prompts: the catalogue's family format; for a GGUF with no catalogue format, the chat template
  in its metadata, rendered in a sandboxed, immutable Jinja environment (CVE-2024-34359 was remote
  code execution through exactly this template).
- A llama.cpp built for CPU features it must not use (AMX on some machines) dies with a
  segmentation fault in llama_decode. The first load of each build runs one decode in a child
  process; a crash there becomes a message with the command that rebuilds it safely.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..catalogue import ModelSpec
from ..errors import UserError
from ..types import GenerationSettings
from .stops import cut_at_stop, stream_until_stop

if TYPE_CHECKING:
    import llama_cpp

SAFE_BUILD = ('CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON '
              '-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF" '
              'pip install --force-reinstall --no-cache-dir "llama-cpp-python[server]"   (or: make gguf)')


def render_chat_template(template: str, messages: list[dict], bos: str = "", eos: str = "") -> str:
    """A GGUF's chat template, rendered without access to Python internals."""
    from jinja2.exceptions import SecurityError, TemplateError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)

    def raise_exception(message):
        raise TemplateError(message)

    env.globals["raise_exception"] = raise_exception
    try:
        return env.from_string(template).render(messages=messages, bos_token=bos, eos_token=eos,
                                                add_generation_prompt=True)
    except SecurityError as exc:
        raise UserError(f"The model file's chat template tried something unsafe ({exc}); it was not run. "
                        "Use a GGUF from a source you trust.") from None
    except TemplateError as exc:
        raise UserError(f"The model file's chat template could not be rendered ({exc}).") from None


def smoke_test(path: Path, cache_dir: Path) -> None:
    """Decode once in a child process, once per llama.cpp build and model; explain a crash."""
    import llama_cpp

    lib = Path(llama_cpp.__file__).parent
    stamp = f"{llama_cpp.__version__}:{max((p.stat().st_mtime for p in lib.rglob('*.so')), default=0)}:{path}"
    marker = Path(cache_dir) / "llamacpp-smoke.json"
    seen = json.loads(marker.read_text()) if marker.exists() else {}
    if seen.get(stamp) == "ok":
        return
    code = ("import llama_cpp, sys; m = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=256, verbose=False); "
            "m('Hello', max_tokens=2)")
    res = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=600)
    if res.returncode != 0:
        crashed = res.returncode < 0 or "Segmentation fault" in res.stderr
        raise UserError(
            (f"llama.cpp crashed in its first decode (signal {-res.returncode}). This happens when it was built "
             f"for CPU features that fail on this machine, such as AMX. Rebuild it without them:\n  {SAFE_BUILD}")
            if crashed else f"llama.cpp could not run {path.name}: {res.stderr.strip()[-500:]}")
    seen[stamp] = "ok"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(seen))


class LlamaCppBackend:
    def __init__(self, spec: ModelSpec, path: Path, n_ctx: int, n_gpu_layers: int, n_threads: int | None,
                 n_threads_batch: int | None = None):
        import llama_cpp

        self.spec, self.path = spec, path
        self.n_threads, self.n_threads_batch = n_threads, n_threads_batch  # None: the library's defaults
        self._args: dict[str, Any] = {"model_path": str(path), "n_ctx": n_ctx, "n_gpu_layers": n_gpu_layers,
                                      "verbose": False, **({"n_threads": n_threads} if n_threads else {}),
                                      **({"n_threads_batch": n_threads_batch} if n_threads_batch else {})}
        started = time.perf_counter()
        # Any, not llama_cpp.Llama: `make lint` runs before the optional engine is built, and the type must read the
        # same either way; close() sets it to None.
        self.llm: Any = llama_cpp.Llama(**self._args)
        self.load_seconds = time.perf_counter() - started
        # A second instance keeping all logits, made when scoring is first asked for.
        self._scorer: llama_cpp.Llama | None = None
        self.chat_template = self.llm.metadata.get("tokenizer.chat_template")
        self.last_usage: dict = {}

    def _kwargs(self, settings: GenerationSettings) -> dict:
        kw = {"max_tokens": settings.max_new_tokens, "temperature": settings.temperature, "top_p": settings.top_p,
              "stop": [s for s in settings.stop if s] or None}
        if settings.seed is not None:
            kw["seed"] = settings.seed
        if settings.temperature == 0:
            kw.update(top_k=1, temperature=0.0)
        return kw

    def _tokens(self, prompt: str) -> list[int]:
        # Formats that spell out their BOS must not get a second one.
        bos = self.llm.detokenize([self.llm.token_bos()]).decode(errors="ignore") if self.llm.token_bos() >= 0 else ""
        return self.llm.tokenize(prompt.encode(), add_bos=not (bos and prompt.startswith(bos)), special=True)

    def generate(self, prompt: str, settings: GenerationSettings) -> str:
        self.llm.reset()  # no reuse of the previous prompt's cache: the same prompt gives the same answer
        # Not streamed: one response (the stub's return type does not narrow on `stream`).
        out = cast(dict, self.llm.create_completion(self._tokens(prompt), **self._kwargs(settings)))
        self.last_usage = out.get("usage") or {}
        return cut_at_stop(out["choices"][0]["text"], settings.stop)[0]

    def stream(self, prompt: str, settings: GenerationSettings) -> Iterator[str]:
        self.llm.reset()
        tokens = self._tokens(prompt)
        chunks = self.llm.create_completion(tokens, stream=True, **self._kwargs(settings))
        self.last_usage = {"prompt_tokens": len(tokens), "new_tokens": 0}

        def texts():
            for c in chunks:  # one chunk per generated token
                self.last_usage["new_tokens"] += 1
                yield c["choices"][0]["text"]

        return stream_until_stop(texts(), settings.stop)

    def loglikelihood(self, context: str, continuation: str) -> float:
        import numpy as np

        if self._scorer is None:
            import llama_cpp

            self._scorer = llama_cpp.Llama(**{**self._args, "logits_all": True})
        scorer = self._scorer
        ctx = scorer.tokenize(context.encode(), add_bos=True, special=True)
        whole = scorer.tokenize((context + continuation).encode(), add_bos=True, special=True)
        n_ctx = len(ctx) if whole[:len(ctx)] == ctx else len(ctx) - 1  # a merge at the boundary
        scorer.reset()
        scorer.eval(whole)
        logits = np.asarray(scorer.scores[: len(whole)], dtype=np.float64)
        logprobs = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
        return float(sum(logprobs[i - 1, whole[i]] for i in range(n_ctx, len(whole))))

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode(), add_bos=False, special=True))

    def close(self) -> None:
        for llm in (self.llm, self._scorer):
            if llm is not None:
                llm.close()
        self.llm = None  # closed: the backend is not used again
        self._scorer = None


def load(spec: ModelSpec, cache_dir: Path, progress=print, model_path: str | None = None, n_ctx: int | None = None,
         n_gpu_layers: int = -1, n_threads: int | None = None, n_threads_batch: int | None = None) -> LlamaCppBackend:
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        raise UserError("The llama.cpp engine needs llama-cpp-python: pip install 'medassist[gguf]' "
                        f"(on CPUs with AMX build it safely: {SAFE_BUILD})") from None
    from ..weights import gguf_source

    found = gguf_source(spec, model_path, Path(cache_dir))
    if found is None:
        raise UserError(f"{spec.id} has no GGUF file; use --engine transformers, or pass --model-path FILE.gguf")
    path = found[0]
    smoke_test(path, Path(cache_dir))
    ctx = min(n_ctx or 4096, spec.context_length)
    if n_threads:  # a count the user set covers the prompt too (llama-cpp-python would read it with every core)
        n_threads_batch = n_threads_batch or n_threads
    elif not n_threads_batch:  # as measured fastest here, else llama-cpp-python's defaults
        from .calibration import measured_threads

        n_threads, n_threads_batch = measured_threads(cache_dir, "llamacpp") or (None, None)
    progress(f"Loading {spec.id} ({path.name}, llama.cpp, n_ctx {ctx}, "
             f"{'all' if n_gpu_layers < 0 else n_gpu_layers} layers on GPU if any"
             f"{f', {n_threads} threads ({n_threads_batch} for the prompt)' if n_threads else ''})...")
    backend = LlamaCppBackend(spec, path, ctx, n_gpu_layers, n_threads, n_threads_batch)
    note = template_check(spec, backend.chat_template)
    if note:
        progress(note)
    return backend


def template_check(spec: ModelSpec, template: str | None) -> str | None:
    """Render the file's own chat template (sandboxed) for a probe conversation and compare it with
    the family format medassist uses; say so when they differ (the verified family format is used)."""
    if not template or not spec.instruction_tuned or spec.prompt_format != "llama3-chat":
        return None
    from ..prompts.formats import llama3_chat

    probe = [("system", "S"), ("user", "Q")]
    theirs = render_chat_template(template, [{"role": r, "content": c} for r, c in probe], bos="<|begin_of_text|>")
    if theirs != llama3_chat(probe):
        return (f"Note: the chat template inside {spec.id}'s file differs from the Llama-3 format medassist uses "
                "(checked against Meta's published template); medassist's is used.")
    return None
