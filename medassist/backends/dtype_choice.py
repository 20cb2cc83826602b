"""transformers' dtype on this CPU, measured not assumed: float32 or bfloat16, whichever runs a
model-shaped block faster here, measured once per CPU and transformers version and cached beside the
engine choice (calibration.py). On AVX2-only CPUs bfloat16 measured 2-50x slower; with AVX512-BF16
or AMX about 2x faster."""
from __future__ import annotations

import time
from pathlib import Path

from ..catalogue import ModelSpec
from ..cpu import cpu_key
from .calibration import _cpu_entry, _read, _update, engine_version
from .engine_figures import ASK_NEW, ASK_PROMPT


def choose_dtype(fp32: dict, bf16: dict | None, margin: float = 0.8) -> str:
    """'bfloat16' only when it measured clearly faster (decode and prompt, weighted like an answer) than
    float32; else 'float32'. `fp32`/`bf16`: {"decode_s": per new token, "prefill_s": per prompt token};
    bf16 None: it did not finish within its time limit. Pure: tests feed it figures."""
    if not bf16:
        return "float32"

    def answer(d):
        return ASK_PROMPT * d["prefill_s"] + ASK_NEW * d["decode_s"]

    return "bfloat16" if answer(bf16) < margin * answer(fp32) else "float32"



def measure_dtypes(hidden: int = 640, ffn: int = 2048, rows: int = 32) -> dict:
    """Seconds per token of one MLP block in the model's shapes, float32 against bfloat16, decode (one row)
    and prompt (`rows` rows): best of a few runs. bfloat16 is stopped once it takes 3x float32's time
    (it is no contender then: 2-50x slower measured on AVX2-only CPUs)."""
    import torch

    def timed(dtype, n_rows, reps, limit=None):
        w1, w2 = torch.randn(hidden, ffn, dtype=dtype), torch.randn(ffn, hidden, dtype=dtype)
        x = torch.randn(n_rows, hidden, dtype=dtype)
        best = float("inf")
        with torch.inference_mode():
            for i in range(reps + 1):  # the first run warms up, and is timed against the limit too
                t = time.perf_counter()
                torch.nn.functional.gelu(x @ w1) @ w2
                took = time.perf_counter() - t
                if limit is not None and took > limit:
                    return None
                best = min(best, took) if i else best
        return best / n_rows

    fp32 = {"decode_s": timed(torch.float32, 1, 10), "prefill_s": timed(torch.float32, rows, 3)}
    d = timed(torch.bfloat16, 1, 10, limit=max(3 * fp32["decode_s"], 0.02))
    p = timed(torch.bfloat16, rows, 3, limit=max(3 * fp32["prefill_s"] * rows, 0.02)) if d is not None else None
    return {"float32": fp32, "bfloat16": {"decode_s": d, "prefill_s": p} if d and p else None}


def dtype_choice(cache_dir: Path | None, spec: ModelSpec | None = None, force: bool = False) -> str:
    """'float32' or 'bfloat16' for transformers on this CPU: measured once, cached (with no cache
    folder, measured every time)."""
    version = engine_version("transformers") or "transformers"
    cpu = cpu_key()
    cached = _read(Path(cache_dir)) if cache_dir is not None else {}
    known = cached.get("cpus", {}).get(cpu, {}).get("torch_dtype", {}).get(version)
    if known and not force:
        return known["choice"]
    arch = spec.arch if spec is not None and spec.arch is not None else None
    figures = measure_dtypes(*(arch.hidden, arch.ffn) if arch else ())
    choice = choose_dtype(figures["float32"], figures["bfloat16"])

    def store(doc):
        _cpu_entry(doc, cpu).setdefault("torch_dtype", {})[version] = {
            **figures, "choice": choice, "measured_at": time.strftime("%Y-%m-%d %H:%M:%S")}

    if cache_dir is not None:
        _update(Path(cache_dir), store)
    return choice
