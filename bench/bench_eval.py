"""Benchmark the evaluation harness: items per second per mode, batched against one-by-one scoring,
and medassist against lm-evaluation-harness (the reference) on the same items in the same run.

    .venv/bin/python bench/bench_eval.py [--pubmedqa 500] [--medqa 40] [--skip-reference]

Figures also go to bench/out/eval.json.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO.parent / "shared" / "data" / "benchmarks"


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds else float("nan")


def scoring_speed(backend, items, label: str) -> dict:
    from medassist.evaluation.prompting import Protocol, build

    prompts = [build(i, Protocol(), []) for i in items]
    backend.loglikelihood_many(prompts[0].text, list(prompts[0].continuations.values()))  # warm up
    start = time.perf_counter()
    for p in prompts:
        backend.loglikelihood_many(p.text, list(p.continuations.values()))
    batched = time.perf_counter() - start
    start = time.perf_counter()
    for p in prompts:
        for c in p.continuations.values():
            backend.loglikelihood(p.text, c)
    single = time.perf_counter() - start
    out = {"items": len(items), "batched_items_per_s": rate(len(items), batched),
           "one_by_one_items_per_s": rate(len(items), single), "speedup": single / batched}
    print(f"  {label:9} {len(items):4} items: batched {out['batched_items_per_s']:.2f}/s, one by one "
          f"{out['one_by_one_items_per_s']:.2f}/s, speed-up {out['speedup']:.2f}x")
    return out


def generate_speed(backend, items) -> dict:
    from medassist.evaluation.prompting import Protocol, build
    from medassist.evaluation.scoring import extract_letters
    from medassist.types import GenerationSettings

    settings = GenerationSettings(max_new_tokens=16, stop=("\n",))
    start, unparseable = time.perf_counter(), 0
    for item in items:
        text = backend.generate(build(item, Protocol(mode="generate"), []).text, settings)
        unparseable += extract_letters(text, list(item.options), item.options) is None
    seconds = time.perf_counter() - start
    print(f"  generate  {len(items):4} MedQA items: {rate(len(items), seconds):.2f}/s ({unparseable} unparseable)")
    return {"items": len(items), "items_per_s": rate(len(items), seconds), "unparseable": unparseable}


def agreement(task: str, n: int, cache: Path) -> dict:
    from medassist.evaluation import TASKS, Job, Protocol, evaluate, load_task
    from medassist.evaluation.reference import lm_eval_scores
    from medassist.settings import Settings

    items = load_task(TASKS[task], BENCH)[:n]
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        ours = evaluate(Job(models=["gemma3-270m"], tasks=[TASKS[task]], protocol=Protocol(), data=BENCH,
                            out=Path(tmp), limit=n, backend_options={"dtype": "fp32"}), Settings.from_env(),
                        progress=lambda m: None)["results"][0]
        ours_s = time.perf_counter() - start
    start = time.perf_counter()
    ref = lm_eval_scores(items, cache / "converted" / "gemma3-270m" / "float32")
    ref_s = time.perf_counter() - start
    out = {"task": task, "items": n, "medassist_acc": ours["accuracy"], "lm_eval_acc": ref["acc"],
           "medassist_acc_norm": ours["acc_norm"], "lm_eval_acc_norm": ref["acc_norm"],
           "medassist_seconds": ours_s, "lm_eval_seconds": ref_s, "speed_ratio": ref_s / ours_s}
    print(f"  {task:9} {n:4} items: acc medassist {ours['accuracy']:.3f} vs lm-eval {ref['acc']:.3f} "
          f"(diff {100 * abs(ours['accuracy'] - ref['acc']):.2f} points); acc_norm {ours['acc_norm']:.3f} vs "
          f"{ref['acc_norm']:.3f}; time incl. load {ours_s:.0f} s vs {ref_s:.0f} s (medassist {ref_s / ours_s:.2f}x)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pubmedqa", type=int, default=500)
    ap.add_argument("--medqa", type=int, default=40)
    ap.add_argument("--skip-reference", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("MEDASSIST_ACCEPT_LICENCES", "gemma3-270m")
    from medassist.backends import load_backend
    from medassist.catalogue import get_spec
    from medassist.evaluation import TASKS, load_task
    from medassist.settings import Settings

    cache = Settings.from_env().cache
    figures: dict = {}
    print("Scoring speed, default model (bfloat16 on this CPU):")
    backend = load_backend(get_spec("gemma3-270m"), cache, progress=lambda m: None)
    medqa = load_task(TASKS["medqa"], BENCH)[: args.medqa]
    pubmedqa = load_task(TASKS["pubmedqa"], BENCH)[: min(args.pubmedqa, 100)]
    figures["loglik_medqa"] = scoring_speed(backend, medqa, "MedQA")
    figures["loglik_pubmedqa"] = scoring_speed(backend, pubmedqa, "PubMedQA")
    figures["generate_medqa"] = generate_speed(backend, medqa[:20])
    backend.close()
    if not args.skip_reference:
        print("Agreement with lm-evaluation-harness (float32, zero-shot, option text scored):")
        figures["agreement"] = [agreement("pubmedqa", args.pubmedqa, cache), agreement("medqa", args.medqa, cache)]
    out = REPO / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "eval.json").write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
