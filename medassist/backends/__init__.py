"""The model contract and the registry of backends (one file per engine).

Every backend turns a prompt string into text. Heavy libraries are imported inside each
backend module, so choosing a backend is what pulls in torch or llama.cpp, never `import medassist`.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..catalogue import ModelSpec
from ..errors import UserError
from ..types import GenerationSettings


@runtime_checkable
class Backend(Protocol):
    spec: ModelSpec

    def generate(self, prompt: str, settings: GenerationSettings) -> str:
        """The whole completion, cut before any stop string."""

    def stream(self, prompt: str, settings: GenerationSettings) -> Iterator[str]:
        """The completion in pieces as they are produced; closing the iterator stops generation."""

    def loglikelihood(self, context: str, continuation: str) -> float:
        """Sum of log-probabilities of `continuation`'s tokens following `context`."""

    def count_tokens(self, text: str) -> int:
        """Tokens `text` takes in this model's vocabulary (no special tokens)."""

    def close(self) -> None:
        """Release the weights and any memory they hold."""


@dataclass(frozen=True)
class Option:
    """One option an engine's `load()` takes, as the command line, the pool and the UI offer it."""

    name: str  # keyword of load(): "quant"
    help: str
    type: type = str
    choices: tuple[str, ...] = ()
    flag: str = ""  # command-line flag, default "--" + name with dashes ("--gpu-layers" for n_gpu_layers)
    switch: bool = False  # a flag without a value (store_true)
    cli: bool = True  # False: from the settings only (secrets, allow-lists), never a flag

    @property
    def cli_flag(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class Engine:
    """A registry entry: where the engine lives and what it takes. Adding an engine is one file under
    backends/ (with `load(spec, cache_dir, progress, **options)`) and one entry here."""

    name: str
    module: str
    summary: str
    extra: str | None = None  # pip extra that installs it
    options: tuple[Option, ...] = ()
    variants: dict[str, dict] = field(default_factory=dict)  # pool suffix ("nf4") -> options it stands for

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)


_MODEL_PATH = Option("model_path", "load weights from this local directory or file instead of the cache")
_N_CTX = Option("n_ctx", "context tokens the engine allocates (default: the model's, at most 4,096)", int,
                flag="--n-ctx")
_THREADS = Option("n_threads", "CPU threads (default: measured fastest on this CPU)", int, flag="--threads")
_BATCH_THREADS = Option("n_threads_batch", "CPU threads for reading the prompt (default: --threads if given, else "
                        "measured fastest on this CPU)", int, flag="--prompt-threads")
ENGINES: dict[str, Engine] = {e.name: e for e in [
    Engine("transformers", "medassist.backends.transformers_backend", "Hugging Face transformers (CPU or GPUs; "
           "bitsandbytes NF4/int8)", options=(
               Option("dtype", "compute dtype (default: measured on this CPU)",
                      choices=("auto", "bf16", "fp16", "fp32")),
               _MODEL_PATH,
               Option("quant", "bitsandbytes quantization (default: the model's own on a GPU, none on CPU)",
                      choices=("nf4", "int8", "none")),
               Option("max_memory", "per-device cap, e.g. 0=22GiB,1=22GiB (layers are balanced across GPUs)"),
               Option("offload", "allow offloading to CPU/disk when GPUs are too small", bool, switch=True),
               Option("allow_pickle", "load .bin/.pt pickle weights (can run code)", bool, switch=True),
               Option("context", "tokens of context to plan the GPU memory for", int, cli=False),
               Option("trusted_code", "repos allowed to run their own code", tuple, cli=False)),
           variants={"nf4": {"quant": "nf4"}, "int8": {"quant": "int8"}}),
    Engine("llamacpp", "medassist.backends.llamacpp_backend", "GGUF through llama-cpp-python (built here; also "
           "scores log-likelihoods)", extra="gguf", options=(
               _MODEL_PATH, _N_CTX, _THREADS, _BATCH_THREADS,
               Option("n_gpu_layers", "layers to offload to the GPU (default all, -1)", int, flag="--gpu-layers"))),
    Engine("xllamacpp", "medassist.backends.xllamacpp_backend", "GGUF through llama.cpp's own server, prebuilt "
           "wheel (loopback, random key)", extra="xllamacpp", options=(
               _MODEL_PATH, _N_CTX, _THREADS, _BATCH_THREADS,
               Option("port", "port of the engine's local server (default: one the OS picks)", int,
                      flag="--engine-port"))),
    Engine("server", "medassist.backends.openai_backend", "any OpenAI-compatible server (vLLM, TGI, llama.cpp, "
           "Ollama)", options=(
               Option("server", "the server's address, e.g. http://gpu-box:8000/v1 (implies --engine server)"),
               Option("server_model", "the model's name on the server (default: its Hugging Face repo id)"),
               Option("timeout", "seconds to wait for the server (default 120)", float),
               Option("api_key", "the server's API key", cli=False),
               Option("allow_hosts", "servers allowed beyond the private network", tuple, cli=False))),
]}
BACKENDS = ENGINES  # the name the rest of the code base has used


def engine_of_option(name: str) -> list[str]:
    """The engines that take option `name`."""
    return [e.name for e in ENGINES.values() if e.option(name)]


def all_options() -> list[Option]:
    """Every engine's options, once each (as the command line offers them)."""
    seen: dict[str, Option] = {}
    for e in ENGINES.values():
        for o in e.options:
            seen.setdefault(o.name, o)
    return list(seen.values())


Progress = Callable[[str], None]


def load_backend(spec: ModelSpec, cache_dir, engine: str | None = None, progress: Progress = print,
                 settings=None, **options) -> Backend:
    """Load `spec` with `engine`. With none named: for a GGUF model on a CPU, the engine measured fastest
    on this CPU (backends/calibration.py; an engine that fails to start is said once and the next one
    used); otherwise the model's recommended engine. `settings` (a Settings) supplies what the
    environment says (threads, the server's key, allow-lists); options given here win."""
    defaults = settings.engine_defaults() if settings is not None else {}
    if engine is None and "server" in options:
        engine = "server"
    if engine is None:
        from . import calibration

        if calibration.applies(spec, options):
            choice = calibration.measured_choice(spec, cache_dir, options.get("model_path"), progress)
            if choice.engine is None:
                raise UserError(f"No engine could run {spec.id} on this machine: {choice.reason}")
            return _load_ranked(choice, spec, cache_dir, progress, options, defaults)
    return _load_one(engine or spec.engine, spec, cache_dir, progress, options, defaults)


def _load_ranked(choice, spec: ModelSpec, cache_dir, progress: Progress, options: dict, defaults: dict) -> Backend:
    """The first engine of the measured ranking that starts (with the options it was measured fastest
    with); each one that does not is said once."""
    ranking = choice.ranking
    for i, engine in enumerate(ranking):
        measured = choice.options_for(engine)  # what was measured fastest: below what the user set
        if "n_threads" in {**defaults, **options}:  # a thread count the user set covers both thread pools
            measured = {k: v for k, v in measured.items() if k not in ("n_threads", "n_threads_batch")}
        try:
            return _load_one(engine, spec, cache_dir, progress, options, {**measured, **defaults})
        except UserError as exc:
            if i == len(ranking) - 1:
                raise
            progress(f"{exc}\nUsing the {ranking[i + 1]} engine instead.")
    raise AssertionError("unreachable")


def _load_one(engine: str, spec: ModelSpec, cache_dir, progress: Progress, options: dict,
              defaults: dict | None = None) -> Backend:
    if engine not in BACKENDS:
        raise UserError(
            f"Model '{spec.id}' runs on the '{engine}' engine, which this install does not have yet. "
            f"Available engines: {', '.join(BACKENDS)} (try --engine transformers)."
        )
    entry = ENGINES[engine]
    options = {**{k: v for k, v in (defaults or {}).items() if entry.option(k)}, **options}
    unknown = [k for k in options if entry.option(k) is None]
    if unknown:  # said before anything heavy is imported
        parts = []
        for k in unknown:
            owners = engine_of_option(k)
            flag = next((o.cli_flag for e in owners for o in ENGINES[e].options if o.name == k), "--" + k)
            parts.append(f"{flag} (for {' or '.join(owners) or 'no engine'})")
        raise UserError(f"{', '.join(parts)} does not apply to the {engine} engine. Drop it, or choose the engine it "
                        f"belongs to with --engine.")
    try:
        from ..loading import LOAD_LOCK

        with LOAD_LOCK:  # an engine's heavy imports (torch) never beside another thread's
            module = importlib.import_module(entry.module)
    except ImportError as exc:
        hint = f"pip install 'medassist[{entry.extra}]'" if entry.extra else "reinstall medassist"
        raise UserError(f"The {engine} engine could not be imported ({exc}). Install it with: {hint}") from exc
    try:
        return module.load(spec, cache_dir=cache_dir, progress=progress, **options)
    except (UserError, KeyboardInterrupt, MemoryError):
        raise
    except Exception as exc:  # a file the engine cannot read, a library that fails: name both
        what = options.get("model_path") or spec.gguf_file or spec.repo
        raise UserError(f"The {engine} engine could not load {spec.id} from {what}: "
                        f"{type(exc).__name__}: {exc}") from exc
