"""Benchmark the ask path against the raw libraries, on the same passages and in the same run.

Prints (indexing and retrieval latency are in bench_library.py): first (GGUF
conversion) and cached model load vs raw transformers; generation tokens/s vs raw
`model.generate` on the same grounded prompt. Figures also go to bench/out/ask_path.json.

    .venv/bin/python bench/bench_ask_path.py [--docs 20] [--skip-first-load]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
MIRROR = SHARED / "guidelines" / "ngc-public" / "raw_xml"
QUESTIONS = [
    "Who should be screened for lung cancer?", "How often should women have mammography?",
    "Should adults be screened for hepatitis C?", "What is the maximum opioid dose for injured workers?",
    "Is aspirin recommended to prevent preeclampsia?", "How should chronic low back pain be treated?",
    "Should children be screened for high blood pressure?", "When is statin therapy recommended?",
    "What are the harms of screening for thyroid cancer?", "Who needs HIV pre-exposure prophylaxis?",
]


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def small_index(docs: int, work: Path):
    """An index of the first `docs` guidelines, for a grounded prompt (indexing is timed in bench_library.py)."""
    from medassist.retrieval import build_index
    from medassist.retrieval.embedder import Embedder

    embedder = Embedder()
    build_index(sorted(MIRROR.glob("*.xml"))[:docs], work / "index", embedder=embedder)
    return embedder


def bench_model(skip_first: bool, work: Path) -> tuple[dict, object]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from medassist.backends import load_backend
    from medassist.backends.transformers_backend import converted_dir, resolve_dtype
    from medassist.catalogue import get_spec
    from medassist.settings import Settings

    spec, out = get_spec("gemma3-270m"), {}
    if not skip_first:
        fresh = work / "fresh-cache"
        b, s = timed(lambda: load_backend(spec, fresh, progress=lambda m: None))
        out["first_load_s (GGUF conversion)"] = s
        b.close()
    cache = Settings.from_env().cache
    load_backend(spec, cache, progress=lambda m: None).close()  # make sure the cache exists
    backend, s = timed(lambda: load_backend(spec, cache, progress=lambda m: None))
    out["cached_load_s"] = s
    dtype = resolve_dtype(None)
    path = converted_dir(spec.id, cache, dtype)
    _, s = timed(lambda: (AutoTokenizer.from_pretrained(path), AutoModelForCausalLM.from_pretrained(path, dtype=dtype)))
    out["raw_tokenizer_and_model_from_pretrained_s"] = s
    out["dtype"] = str(dtype).removeprefix("torch.")
    return out, backend


def bench_generation(backend, work: Path, embedder, new_tokens: int = 64) -> dict:
    import torch

    from medassist.prompts import build_prompt
    from medassist.retrieval import Retriever
    from medassist.types import GenerationSettings

    passages = Retriever(work / "index", embedder).search(QUESTIONS[0], k=5)
    prompt = build_prompt(backend.spec, QUESTIONS[0], passages, backend.count_tokens, new_tokens).text
    enc = backend._encode(prompt)
    n_prompt = enc["input_ids"].shape[1]
    settings = GenerationSettings(max_new_tokens=new_tokens)  # no stop strings: same work as raw

    def raw():
        with torch.inference_mode():
            o = backend.model.generate(**enc, max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                                       do_sample=False)
        return o.shape[1] - n_prompt

    def ours_generate():
        backend.generate(prompt, settings)
        return backend.last_usage["new_tokens"]

    def ours_stream():
        first = None
        start = time.perf_counter()
        for _ in backend.stream(prompt, settings):
            first = first or time.perf_counter() - start
        return backend.last_usage["new_tokens"], first

    raw()  # warm-up
    rows = compare({"raw model.generate": raw, "medassist generate": ours_generate, "medassist stream": ours_stream})
    return {"prompt_tokens": n_prompt, "new_tokens": new_tokens, **rows}


def compare(fns: dict, repeats: int = 3) -> dict:
    """Median tokens/s (and time to first token, for functions returning (tokens, ttft)) of each
    function, and its ratio to the first one (the raw library)."""
    rows = {}
    for name, fn in fns.items():
        runs = []
        for _ in range(repeats):
            res, s = timed(fn)
            n = res[0] if isinstance(res, tuple) else res
            runs.append((n / s, res[1] if isinstance(res, tuple) else None))
        rows[name] = {"tokens_per_s (prefill+decode)": statistics.median(r[0] for r in runs)}
        if runs[0][1] is not None:
            rows[name]["time_to_first_token_s"] = statistics.median(r[1] for r in runs)
    base = rows[next(iter(fns))]["tokens_per_s (prefill+decode)"]
    for name in rows:
        rows[name]["ratio_to_raw"] = rows[name]["tokens_per_s (prefill+decode)"] / base
    return rows


def bench_gguf(work: Path, embedder, new_tokens: int = 64) -> dict:
    """The llama.cpp engine against raw llama-cpp-python on the same GGUF and prompt."""
    import llama_cpp

    from medassist.backends import load_backend
    from medassist.catalogue import get_spec
    from medassist.prompts import build_prompt
    from medassist.retrieval import Retriever
    from medassist.settings import Settings
    from medassist.types import GenerationSettings

    ours = load_backend(get_spec("gemma3-270m"), Settings.from_env().cache, engine="llamacpp", progress=lambda m: None)
    passages = Retriever(work / "index", embedder).search(QUESTIONS[0], k=5)
    prompt = build_prompt(ours.spec, QUESTIONS[0], passages, ours.count_tokens, new_tokens).text
    raw = llama_cpp.Llama(model_path=str(ours.path), n_ctx=4096, verbose=False)
    tokens = raw.tokenize(prompt.encode(), add_bos=True, special=True)
    settings = GenerationSettings(max_new_tokens=new_tokens)

    def run_raw():
        raw.reset()
        out = raw.create_completion(tokens, max_tokens=new_tokens, temperature=0.0, top_k=1)
        return out["usage"]["completion_tokens"]

    def run_ours():
        first, start = None, time.perf_counter()
        for _ in ours.stream(prompt, settings):
            first = first or time.perf_counter() - start
        return ours.last_usage["new_tokens"], first

    run_raw()  # warm-up
    rows = compare({"raw llama_cpp create_completion": run_raw, "medassist llamacpp stream": run_ours})
    ours.close()
    return {"prompt_tokens": len(tokens), "new_tokens": new_tokens, **rows}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=20)
    ap.add_argument("--skip-first-load", action="store_true", help="skip the ~1 min GGUF conversion timing")
    args = ap.parse_args()
    if not MIRROR.is_dir():
        print(f"needs the shared data at {MIRROR}", file=sys.stderr)
        return 2
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        embedder = small_index(args.docs, work)
        results["model_load"], backend = bench_model(args.skip_first_load, work)
        results["generation"] = bench_generation(backend, work, embedder)
        try:
            results["generation_gguf"] = bench_gguf(work, embedder)
        except ImportError:
            print("llama-cpp-python is not installed (make gguf): GGUF engine not measured", file=sys.stderr)
    for section, figures in results.items():
        print(f"\n== {section}")
        for key, value in figures.items():
            if isinstance(value, dict):
                print(f"  {key}: " + ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}"
                                               for k, v in value.items()))
            else:
                print(f"  {key}: {value:.3g}" if isinstance(value, float) else f"  {key}: {value}")
    out = REPO / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "ask_path.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
