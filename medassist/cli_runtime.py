"""`medassist plan` and `medassist doctor`: will a model fit, and what this machine has (thin front end)."""
from __future__ import annotations

import importlib
import importlib.util
import json
import sys

from .settings import Settings


def cmd_plan(args, settings: Settings) -> int:
    from .catalogue import Machine, get_spec
    from .planner import GIB, parse_gpus, plan

    spec = get_spec(args.model)
    machine = Machine.detect()
    gpus = parse_gpus(args.gpus) if args.gpus is not None else [g * 1e9 / GIB for g in machine.gpus_gb]
    p = plan(spec, gpus, quant=args.quant, context=args.context, batch=args.batch, ram_gib=machine.ram_gb * 1e9 / GIB)
    if args.json:
        print(json.dumps(p.to_dict(), indent=2))
    else:
        print(p.report())
    return 0 if p.fits else 1


def _gpus() -> list[dict]:
    if importlib.util.find_spec("torch") is None:
        return []
    import torch

    out = []
    for i in range(torch.cuda.device_count() if torch.cuda.is_available() else 0):
        free, total = torch.cuda.mem_get_info(i)
        out.append({"index": i, "name": torch.cuda.get_device_name(i), "total_gib": round(total / 2**30, 1),
                    "free_gib": round(free / 2**30, 1)})
    return out


def doctor_report() -> dict:
    from .catalogue import CATALOGUE, Machine
    from .planner import GIB, plan

    def version(module: str) -> str | None:
        if importlib.util.find_spec(module) is None:
            return None
        try:
            return getattr(importlib.import_module(module), "__version__", "installed")
        except Exception as exc:  # a broken install (e.g. bitsandbytes without its native library)
            return f"broken: {type(exc).__name__}: {exc}"

    machine = Machine.detect()
    gpus = _gpus()
    free = [g["free_gib"] for g in gpus]
    report = {"python": sys.version.split()[0],
              "packages": {m: version(m) for m in ("torch", "transformers", "accelerate", "bitsandbytes",
                                                   "llama_cpp", "sentence_transformers", "chromadb")},
              "cuda": bool(gpus), "gpus": gpus, "ram_gib": round(machine.ram_gb * 1e9 / GIB, 1), "models": []}
    for spec in CATALOGUE.values():
        if spec.arch is None or spec.backend != "transformers":
            continue
        p = plan(spec, free, ram_gib=report["ram_gib"], context=min(spec.context_length, 8192))
        report["models"].append({"model": spec.id, "quant": p.quant, "needs_gib": round(p.total_gib, 1),
                                 "fits": p.fits, "why": p.why})
    return report


def cmd_doctor(args, settings: Settings) -> int:
    report = doctor_report()
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"Python {report['python']}, {report['ram_gib']} GiB RAM")
    for name, ver in report["packages"].items():
        print(f"  {name:<22} {ver or 'not installed'}")
    if report["gpus"]:
        for g in report["gpus"]:
            print(f"  GPU {g['index']}: {g['name']}, {g['free_gib']} of {g['total_gib']} GiB free")
    else:
        print("  no CUDA GPU: models run on the CPU (the 70B models need GPUs or a vLLM server)")
    print("Models (context up to 8,192 tokens, recommended quantization, free memory now):")
    for m in report["models"]:
        print(f"  {m['model']:<16} {m['quant']:<5} {m['needs_gib']:>6} GiB  {'fits' if m['fits'] else 'no'}: {m['why']}")
    return 0


def add_runtime_parsers(sub) -> None:
    from .planner import QUANTS

    p = sub.add_parser("plan", help="will a model fit? weights, KV cache and per-GPU layer split, before any load")
    p.add_argument("model")
    p.add_argument("--gpus", help="GPU memory, e.g. 2x24GiB or 24GiB,48GiB (default: the GPUs of this machine; "
                                  "'none' for CPU)")
    p.add_argument("--quant", choices=QUANTS, help="default: the model's recommended quantization")
    p.add_argument("--context", type=int, help="tokens of context to reserve KV cache for (default: the model's)")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plan)
    d = sub.add_parser("doctor", help="torch, CUDA, bitsandbytes, GPUs and free memory; which models fit")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_doctor)
