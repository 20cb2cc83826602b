"""What this CPU is and which vector units it has, from /proc/cpuinfo (no heavy imports).

The engine and dtype choices are measured (backends/calibration.py); these facts name the machine a
measurement belongs to, and are printed beside it.
"""
from __future__ import annotations

import functools
import hashlib
import platform

# The vector features that decide how fast llama.cpp and torch run, in the order they are printed.
VECTOR_FLAGS = ("sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni", "avx512f", "avx512bw", "avx512_vnni",
                "avx512_bf16", "avx512_fp16", "amx_tile", "amx_int8", "amx_bf16", "neon", "asimd", "sve")


@functools.lru_cache(maxsize=1)
def _cpuinfo() -> tuple[str, frozenset[str]]:
    model, flags = "", frozenset[str]()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key in ("model name", "Model", "cpu model") and not model:
                    model = value.strip()
                elif key in ("flags", "Features") and not flags:
                    flags = frozenset(value.split())
    except OSError:
        pass
    return model or platform.processor() or platform.machine() or "unknown CPU", flags


def cpu_model() -> str:
    return _cpuinfo()[0]


def cpu_flags() -> frozenset[str]:
    return _cpuinfo()[1]


def vector_features(flags: frozenset[str] | set[str] | None = None) -> list[str]:
    flags = cpu_flags() if flags is None else flags
    return [f for f in VECTOR_FLAGS if f in flags]


def cpu_has_native_bf16(flags: frozenset[str] | set[str] | None = None) -> bool:
    """AVX512-BF16 or AMX: the CPU computes bfloat16 itself. (A hint only: the transformers dtype is
    measured, see backends/dtype_choice.py; on AVX2 alone bfloat16 matmuls measured 2-50x slower.)"""
    flags = cpu_flags() if flags is None else flags
    return "avx512_bf16" in flags or "amx_bf16" in flags


def cpu_key() -> str:
    """Names this kind of CPU for cached measurements: its model name and a digest of its vector
    features (a VM can report one name for different hosts)."""
    digest = hashlib.sha1(" ".join(sorted(vector_features())).encode()).hexdigest()[:8]
    return f"{cpu_model()} [{digest}]"
