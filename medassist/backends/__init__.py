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
}

Progress = Callable[[str], None]


def load_backend(spec: ModelSpec, cache_dir, engine: str | None = None, progress: Progress = print, **options) -> Backend:
    """Load `spec` with `engine` (default: the spec's recommended one)."""
    engine = engine or spec.backend
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
                        "(--engine transformers | llamacpp | server).")
    return module.load(spec, cache_dir=cache_dir, progress=progress, **options)
