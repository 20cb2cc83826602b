"""`medassist plan` and `medassist doctor`: will a model fit, and what this machine has (thin front end)."""
from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from typing import Any

from ..settings import Settings
from .common import console


def cmd_plan(args, settings: Settings) -> int:
    from .common import positive

    positive("--batch", args.batch)
    positive("--context", args.context)
    from ..catalogue import Machine, get_spec
    from ..planner import GIB, parse_gpus, plan

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


def doctor_report(cache=None) -> dict:
    from ..backends import calibration
    from ..catalogue import CATALOGUE, Machine
    from ..planner import GIB, plan

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
    report: dict[str, Any] = {"python": sys.version.split()[0],
              "packages": {m: version(m) for m in ("torch", "transformers", "accelerate", "bitsandbytes",
                                                   "xllamacpp", "llama_cpp", "sentence_transformers", "chromadb")},
              "cuda": bool(gpus), "gpus": gpus, "ram_gib": round(machine.ram_gb * 1e9 / GIB, 1), "models": []}
    for spec in CATALOGUE.values():
        if spec.arch is None or spec.engine != "transformers":
            continue
        p = plan(spec, free, ram_gib=report["ram_gib"], context=min(spec.context_length, 8192))
        report["models"].append({"model": spec.id, "quant": p.quant, "needs_gib": round(p.total_gib, 1),
                                 "fits": p.fits, "why": p.why})
    if cache is not None:
        report["engine_choice"] = calibration.report(cache)
    return report


def _print_engine_choice(ec: dict) -> None:
    print(f"Engine choice on this CPU ({ec['cpu']}; vector units: {' '.join(ec['vector_features']) or 'none'}), "
          f"cached in {ec['cache']}:")
    print("  installed: " + ", ".join(v for v in ec["engines_installed"].values() if v))
    if not ec["models"]:
        print("  not measured yet: the first load of a GGUF model measures the installed engines (a few seconds "
              "each), or run `medassist doctor --calibrate`")
    for model, entry in ec["models"].items():
        choice = entry.get("choice", {})
        opts = ", ".join(f"{k} {v}" for k, v in (choice.get("options") or {}).items())
        print(f"  {model}: {choice.get('engine')}{f' ({opts})' if opts else ''}, measured {choice.get('at')}")
        for label, f in entry.items():
            if label == "choice":
                continue
            if "error" in f:
                print(f"    {label:<48} failed: {f['error'].splitlines()[0][:100]}")
            else:
                print(f"    {label:<48} prompt {f['prefill_tps']:>6.0f} tok/s, new {f['decode_tps']:>5.1f} tok/s, "
                      f"first token {f['first_token_s']:.2f} s, load {f['load_s']:.1f} s; "
                      f"an answer ~{f['estimate_s']:.0f} s")
    for version, d in ec["torch_dtype"].items():
        bf = d.get("bfloat16")
        fp = d["float32"]
        vs = (f"bfloat16 {bf['decode_s'] / fp['decode_s']:.2f}x float32's time per new token, "
              f"{bf['prefill_s'] / fp['prefill_s']:.2f}x per prompt token" if bf else
              "bfloat16 over 3x float32's time, stopped")
        print(f"  transformers dtype ({version}): {d['choice']} ({vs}; measured {d.get('measured_at')})")


def cmd_doctor(args, settings: Settings) -> int:
    if getattr(args, "calibrate", False):
        from ..backends import calibration
        from ..catalogue import DEFAULT_MODEL, get_spec

        spec = get_spec(args.model or DEFAULT_MODEL)
        progress = (lambda m: print(m, file=sys.stderr)) if args.json else print
        calibration.measured_choice(spec, settings.cache, progress=progress, force=True, everything=True)
        from ..backends.dtype_choice import dtype_choice

        dtype_choice(settings.cache, spec, force=True)
    report = doctor_report(settings.cache)
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
        print(f"  {m['model']:<16} {m['quant']:<5} {m['needs_gib']:>6} GiB  "
              f"{'fits' if m['fits'] else 'no'}: {m['why']}")
    _print_engine_choice(report["engine_choice"])
    return 0


def cmd_models(args, settings: Settings) -> int:
    from ..catalogue import CATALOGUE, DEFAULT_MODEL, Machine, availability

    machine = Machine.detect()
    rows: list[dict[str, Any]] = []
    for spec in CATALOGUE.values():
        ok, why = availability(spec, machine, settings.hf_hub_cache)
        rows.append({"id": spec.id, "repo": spec.repo, "family": spec.family, "format": spec.prompt_format,
                     "instruction_tuned": spec.instruction_tuned, "context": spec.context_length,
                     "languages": list(spec.languages), "params_b": spec.params_b, "engine": spec.engine,
                     "quantization": spec.quantization, "licence": spec.licence, "licence_url": spec.licence_url,
                     "default": spec.id == DEFAULT_MODEL, "runs_here": ok, "why": why})
    if args.json:
        print(json.dumps({"machine": machine.__dict__, "models": rows}, indent=2))
        return 0
    from rich.table import Table

    table = Table(title=f"Models (this machine: {machine.ram_gb:.0f} GB RAM, {len(machine.gpus_gb)} GPU)")
    for col in ("model", "kind", "context", "licence", "runs here?"):
        table.add_column(col, overflow="fold")
    for r in rows:
        kind = f"{r['family']} {'chat' if r['instruction_tuned'] else 'base'}, {r['params_b']:g}B {r['quantization']}"
        table.add_row(r["id"] + (" (default)" if r["default"] else ""), kind, str(r["context"]), r["licence"],
                      ("yes: " if r["runs_here"] else "no: ") + r["why"])
    console().print(table)
    return 0


def add_parsers(sub) -> None:
    m = sub.add_parser("models", help="list the model catalogue and whether each runs here")
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=cmd_models)

    from ..planner import QUANTS

    p = sub.add_parser("plan", help="will a model fit? weights, KV cache and per-GPU layer split, before any load")
    p.add_argument("model")
    p.add_argument("--gpus", help="GPU memory, e.g. 2x24GiB or 24GiB,48GiB (default: the GPUs of this machine; "
                                  "'none' for CPU)")
    p.add_argument("--quant", choices=QUANTS, help="default: the model's recommended quantization")
    p.add_argument("--context", type=int, help="tokens of context to reserve KV cache for (default: the model's)")
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plan)
    d = sub.add_parser("doctor", help="torch, CUDA, bitsandbytes, GPUs and free memory; which models fit; "
                                      "which engine runs GGUF models on this CPU, and why")
    d.add_argument("--json", action="store_true")
    d.add_argument("--calibrate", action="store_true",
                   help="measure every installed engine again on --model (transformers too: it converts the GGUF "
                        "once, about a minute), and transformers' float32 against bfloat16")
    d.add_argument("--model", help="the model --calibrate measures (default: the default model)")
    d.set_defaults(func=cmd_doctor)
