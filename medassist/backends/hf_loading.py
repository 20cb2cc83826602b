"""How a Hugging Face checkpoint is loaded: quantization, placement across GPUs, and what is refused.

- Quantization: bitsandbytes NF4 (double quantization, bf16 compute) or LLM.int8, or none.
- Placement: the planner's balanced per-GPU layer map (no GPU left empty), checked to fit before
  any weight is read; `--max-memory 0=22GiB,1=22GiB` caps each device. CPU or disk offload only
  when asked (`offload=True`).
- Safety: a repo that needs remote code is refused unless allowed by name
  (`MEDASSIST_TRUST_REMOTE_CODE=org/repo,...`); pickle weights (.bin/.pt) are refused unless
  asked (`allow_pickle=True`); safetensors are the default.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..catalogue import ModelSpec
from ..errors import UserError

QUANT_CHOICES = ("nf4", "int8", "none")


def quantization_config(quant: str):
    try:
        import bitsandbytes  # noqa: F401  (only to fail early with the extra's name)
        from transformers import BitsAndBytesConfig
    except ImportError:
        raise UserError(f"{quant} loading needs bitsandbytes: pip install 'medassist[gpu]'") from None
    import torch

    if quant == "nf4":
        return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                              bnb_4bit_compute_dtype=torch.bfloat16)
    if quant == "int8":
        return BitsAndBytesConfig(load_in_8bit=True)
    raise UserError(f"Unknown quantization '{quant}': use {', '.join(QUANT_CHOICES)}.")


def _local_dir(source: str) -> Path | None:
    """The folder holding the checkpoint: a path, or the repo's snapshot in the Hugging Face cache."""
    if Path(source).is_dir():
        return Path(source)
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(source, local_files_only=True))
    except Exception:  # not cached (from_pretrained then says so in its own words)
        return None


def check_checkpoint(source: str, spec: ModelSpec, allow_pickle: bool = False, trusted: tuple[str, ...] = ()) -> None:
    """Refuse remote code and pickle weights unless the user allowed them (before anything is loaded).
    `trusted`: repos allowed to run their own code (MEDASSIST_TRUST_REMOTE_CODE, via Settings)."""
    folder = _local_dir(source)
    if folder is None:
        return
    config = folder / "config.json"
    if config.exists():
        auto_map = json.loads(config.read_text()).get("auto_map")
        if auto_map and spec.repo not in trusted and source not in trusted:
            raise UserError(f"{source} asks to run its own Python code (auto_map in config.json). medassist does not "
                            f"run remote code unless you allow this repo by name: "
                            f"MEDASSIST_TRUST_REMOTE_CODE={spec.repo}")
    files = {p.suffix for p in folder.rglob("*") if p.is_file()}
    if ".safetensors" not in files and files & {".bin", ".pt", ".pth", ".pkl"} and not allow_pickle:
        raise UserError(f"{source} has pickle weights only (.bin/.pt), which can run code when loaded. Convert them "
                        "to safetensors, or pass --allow-pickle if you trust the source.")


def trust_remote_code(source: str, spec: ModelSpec, trusted: tuple[str, ...] = ()) -> bool:
    return spec.repo in trusted or source in trusted


def placement(spec: ModelSpec, quant: str | None, max_memory: str | None, offload: bool,
              context: int | None = None) -> dict:
    """from_pretrained keyword arguments that place the model: a balanced GPU map that the planner
    checked, or nothing on a CPU-only machine. Raises UserError with the planner's report when the
    model will not fit."""
    import torch

    from ..planner import GIB, parse_max_memory, plan

    if not torch.cuda.is_available():
        if max_memory and any(k != "cpu" for k in (parse_max_memory(max_memory) or {})):
            raise UserError("--max-memory names GPUs, but this machine has no CUDA GPU.")
        if spec.arch is not None:
            p = plan(spec, [], quant=quant if quant in ("nf4", "int8") else "bf16", context=context, ram_gib=_ram_gib())
            if not p.fits:
                raise UserError(f"{spec.id} will not fit in this machine's memory, so nothing was loaded.\n"
                                f"{p.report()}")
        return {}
    caps = parse_max_memory(max_memory)
    if caps:
        gpus = [_gib(v) for k, v in sorted((k, v) for k, v in caps.items() if k != "cpu")]
    else:
        gpus = [torch.cuda.mem_get_info(i)[0] / GIB for i in range(torch.cuda.device_count())]
    if offload:  # let accelerate spill what does not fit to CPU (and disk)
        memory = caps or {i: f"{g - 1:.0f}GiB" for i, g in enumerate(gpus)}
        memory.setdefault("cpu", f"{_ram_gib() * 0.8:.0f}GiB")
        return {"device_map": "auto", "max_memory": memory,
                "offload_folder": str(Path.home() / ".cache/medassist/offload")}
    if spec.arch is None:
        return {"device_map": "auto", **({"max_memory": caps} if caps else {})}
    p = plan(spec, gpus, quant=quant if quant in ("nf4", "int8") else "bf16", context=context)
    if not p.fits:
        raise UserError(f"{spec.id} will not fit on this machine's GPUs, so nothing was loaded.\n{p.report()}\n"
                        "Pass --offload to spill to CPU memory (slow), or serve it with vLLM across machines.")
    return {"device_map": p.device_map}


def _gib(value: str) -> float:
    number = float("".join(c for c in value if c.isdigit() or c == "."))
    unit = value.lstrip("0123456789.").upper()
    return number * {"GIB": 1, "GB": 1e9 / 2**30, "MIB": 1 / 1024, "MB": 1e6 / 2**30}[unit]


def _ram_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
