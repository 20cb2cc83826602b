"""The model contract and the registry of backends (one file per engine).

Every backend turns a prompt string into text. Heavy libraries are imported inside each
backend module, so choosing a backend is what pulls in torch or llama.cpp, never `import medassist`.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
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


# engine name -> (module, pip extra that provides it)
BACKENDS: dict[str, tuple[str, str | None]] = {
    "transformers": ("medassist.backends.transformers_backend", None),
    "llamacpp": ("medassist.backends.llamacpp_backend", "gguf"),  # GGUF files through llama-cpp-python
    "server": ("medassist.backends.openai_backend", None),  # any OpenAI-compatible server (vLLM, llama.cpp, TGI)
    "xllamacpp": ("medassist.backends.xllamacpp_backend", "xllamacpp"),  # GGUF through llama.cpp, prebuilt wheel
}

Progress = Callable[[str], None]


def load_backend(spec: ModelSpec, cache_dir, engine: str | None = None, progress: Progress = print, **options) -> Backend:
    """Load `spec` with `engine`. With none named: for a GGUF model on a CPU, the engine measured fastest
    on this CPU (backends/calibration.py; an engine that fails to start is said once and the next one
    used); otherwise the model's recommended engine."""
    if engine is None:
        from . import calibration

        if calibration.applies(spec, options):
            choice = calibration.measured_choice(spec, cache_dir, options.get("model_path"), progress)
            if choice.engine is None:
                raise UserError(f"No engine could run {spec.id} on this machine: {choice.reason}")
            return _load_ranked(choice, spec, cache_dir, progress, options)
    return _load_one(engine or spec.backend, spec, cache_dir, progress, options)


def _load_ranked(choice, spec: ModelSpec, cache_dir, progress: Progress, options: dict) -> Backend:
    """The first engine of the measured ranking that starts (with the options it was measured fastest
    with); each one that does not is said once."""
    ranking = choice.ranking
    for i, engine in enumerate(ranking):
        try:
            return _load_one(engine, spec, cache_dir, progress, {**choice.options_for(engine), **options})
        except UserError as exc:
            if i == len(ranking) - 1:
                raise
            progress(f"{exc}\nUsing the {ranking[i + 1]} engine instead.")
    raise AssertionError("unreachable")


def _load_one(engine: str, spec: ModelSpec, cache_dir, progress: Progress, options: dict) -> Backend:
    if engine not in BACKENDS:
        raise UserError(
            f"Model '{spec.id}' runs on the '{engine}' engine, which this install does not have yet. "
            f"Available engines: {', '.join(BACKENDS)} (try --engine transformers)."
        )
    module_name, extra = BACKENDS[engine]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        hint = f"pip install 'medassist[{extra}]'" if extra else "reinstall medassist"
        raise UserError(f"The {engine} engine could not be imported ({exc}). Install it with: {hint}") from exc
    import inspect

    accepted = inspect.signature(module.load).parameters
    unknown = [k for k in options if k not in accepted]
    if unknown:
        flags = ", ".join("--" + k.replace("_", "-").replace("n-gpu-layers", "gpu-layers") for k in unknown)
        raise UserError(f"{flags} does not apply to the {engine} engine. Drop it, or choose the engine it belongs to "
                        f"(--engine {' | '.join(BACKENDS)}).")
    try:
        return module.load(spec, cache_dir=cache_dir, progress=progress, **options)
    except (UserError, KeyboardInterrupt, MemoryError):
        raise
    except Exception as exc:  # a file the engine cannot read, a library that fails: name both
        what = options.get("model_path") or spec.gguf_file or spec.repo
        raise UserError(f"The {engine} engine could not load {spec.id} from {what}: "
                        f"{type(exc).__name__}: {exc}") from exc
