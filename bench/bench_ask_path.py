"""The ask path's speed on this machine, against the raw libraries, in one run.

Prints, on the machine it runs on:
1. the CPU and its vector features;
2. each installed engine as its raw library runs it (xllamacpp, llama-cpp-python, transformers float32
   and bfloat16), each in its own process on the same grounded prompt of ~1,500 tokens with 200 new
   tokens: load time, peak memory, time to first token, prompt and new tokens/s, greedy agreement;
3. medassist `ask` end to end (retrieval, prompt, generation with the engine chosen here, support check)
   against the fastest raw engine generating as many tokens on the same prompt (goal >= 0.9x);
4. a new user's first answer from a fresh home and cache, split into pull, index, first model load
   (including the engine calibration) and answer; with --fresh-clone, also the clone and installs.
Figures also go to bench/out/ask_path.json.

    .venv/bin/python bench/bench_ask_path.py [--docs 20] [--fresh-clone] [--raw-timeout 150]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDASSIST_SHARED_DATA", REPO.parent / "shared" / "data"))
MIRROR = SHARED / "guidelines" / "ngc-public" / "raw_xml"
QUESTION = "Which adults should be screened for abdominal aortic aneurysm, and how?"
PROMPT_TOKENS, NEW_TOKENS = 1500, 200


# -- raw engines, one per child process ----------------------------------------------------------------
def raw_xllamacpp(req: dict) -> dict:
    import xllamacpp as xlc

    p = xlc.CommonParams()
    p.model.path, p.n_ctx, p.n_parallel, p.ui = req["gguf"], 4096, 1, False
    p.cpuparams.n_threads, p.cpuparams_batch.n_threads = req["threads"]["xllamacpp"]
    started = time.perf_counter()
    server = xlc.Server(p)
    load = time.perf_counter() - started
    body = {"prompt": req["tokens"], "n_predict": req["new"], "temperature": 0.0, "top_k": 1, "ignore_eos": True,
            "cache_prompt": False}
    server.handle_completions({**body, "n_predict": 2})  # warm-up
    marks, text = [], []

    def on_chunk(chunk):
        marks.append(time.perf_counter())
        text.append(chunk["choices"][0].get("text", "") if "choices" in chunk else chunk.get("content", ""))
        return False

    start = time.perf_counter()
    server.handle_completions({"prompt": req["tokens"], "max_tokens": req["new"], "temperature": 0.0, "top_k": 1,
                               "ignore_eos": True, "cache_prompt": False, "stream": True}, on_chunk)
    marks = [m for m, t in zip(marks, text) if t]
    return {"load_s": load, "start": start, "marks": marks, "text": "".join(text)}


def raw_llamacpp(req: dict) -> dict:
    import llama_cpp

    started = time.perf_counter()
    n, n_batch = req["threads"]["llamacpp"]
    llm = llama_cpp.Llama(model_path=req["gguf"], n_ctx=4096, n_threads=n, n_threads_batch=n_batch, verbose=False)
    load = time.perf_counter() - started
    llm.create_completion(req["tokens"], max_tokens=2, temperature=0.0, top_k=1)  # warm-up
    llm.reset()
    eos = llm.token_eos()
    marks, text = [], []
    start = time.perf_counter()
    for c in llm.create_completion(req["tokens"], max_tokens=req["new"], temperature=0.0, top_k=1, stream=True,
                                   logit_bias={eos: -1e9}):
        marks.append(time.perf_counter())
        text.append(c["choices"][0]["text"])
    return {"load_s": load, "start": start, "marks": marks, "text": "".join(text)}


def raw_transformers(req: dict) -> dict:
    import threading

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, TextIteratorStreamer

    torch.set_num_threads(req["threads"]["transformers"][0])
    dtype = getattr(torch, req["dtype"])
    started = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(req["converted"])
    model = AutoModelForCausalLM.from_pretrained(req["converted"], dtype=dtype).eval()
    load = time.perf_counter() - started
    ids = torch.tensor([req["tokens"]])
    with torch.inference_mode():
        model.generate(ids[:, :16], max_new_tokens=2, do_sample=False)  # warm-up
    streamer = TextIteratorStreamer(tok, skip_prompt=True, skip_special_tokens=True)
    kw = {"max_new_tokens": req["new"], "min_new_tokens": req["new"], "do_sample": False, "streamer": streamer}

    def run():
        with torch.inference_mode():
            model.generate(ids, **kw)

    marks, text = [], []
    start = time.perf_counter()
    threading.Thread(target=run, daemon=True).start()
    for piece in streamer:
        marks.append(time.perf_counter())
        text.append(piece)
    return {"load_s": load, "start": start, "marks": marks, "text": "".join(text)}


RAW = {"xllamacpp": raw_xllamacpp, "llamacpp": raw_llamacpp, "transformers float32": raw_transformers,
       "transformers bfloat16": raw_transformers}


def raw_child() -> None:
    req = json.loads(sys.stdin.readline())
    out = os.dup(1)
    os.dup2(2, 1)
    r = RAW[req["engine"]](req)
    marks = r["marks"]
    doc = {"load_s": r["load_s"], "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "first_token_s": marks[0] - r["start"] if marks else None, "text": r["text"],
           "new_tokens": req["new"]}
    if marks:
        doc["prefill_tps"] = len(req["tokens"]) / doc["first_token_s"]
        doc["decode_tps"] = (req["new"] - 1) / max(marks[-1] - marks[0], 1e-6)
    os.write(out, (json.dumps(doc) + "\n").encode())


def run_raw(engine: str, req: dict, timeout: float) -> dict:
    try:
        res = subprocess.run([sys.executable, __file__, "--raw-child"],
                             input=json.dumps({**req, "engine": engine}) + "\n",
                             capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout:.0f} s"}
    if res.returncode != 0:
        return {"error": f"exit {res.returncode}: {res.stderr.strip()[-300:]}"}
    return json.loads(res.stdout.strip().splitlines()[-1])


# -- the sections --------------------------------------------------------------------------------------
def cpu_section() -> dict:
    from medassist.backends.calibration import physical_cores
    from medassist.cpu import cpu_has_native_bf16, cpu_model, vector_features

    return {"cpu": cpu_model(), "cores": physical_cores(), "vector_features": " ".join(vector_features()),
            "native_bf16": cpu_has_native_bf16()}


def grounded_prompt(work: Path, docs: int, cache: Path, recalibrate: bool):
    """An index of `docs` guidelines, and the ~PROMPT_TOKENS-token grounded prompt medassist builds
    (`recalibrate`: measure the engines again first, as `medassist doctor --calibrate` does)."""
    from medassist.assistant import Assistant
    from medassist.backends import calibration
    from medassist.retrieval import build_index
    from medassist.retrieval.embedder import Embedder
    from medassist.settings import Settings

    embedder = Embedder()
    build_index(sorted(MIRROR.glob("*.xml"))[:docs], work / "home" / "index", embedder=embedder)
    settings = Settings(home=work / "home", cache=cache, mirror=None)
    a = Assistant(settings, progress=lambda m: None, accept_licence=True, record_history=False)
    if recalibrate:  # this run's load, not a cached figure from another day's
        calibration.measured_choice(a.spec, cache, progress=lambda m: print(m, file=sys.stderr), force=True)
    passages = a.retriever.search(QUESTION, 12)
    best = None
    for k in range(1, len(passages) + 1):
        built = a.build_prompt(QUESTION, passages[:k], NEW_TOKENS)
        n = a.backend().count_tokens(built.text)
        if best is None or abs(n - PROMPT_TOKENS) < abs(best[1] - PROMPT_TOKENS):
            best = (k, n, built.text)
    return a, passages[: best[0]], best[2]


def engines_section(a, prompt: str, cache: Path, threads: dict, timeout: float) -> dict:
    from medassist.backends.transformers_backend import converted_dir
    from medassist.weights import gguf_source

    gguf = gguf_source(a.spec, None, cache)[0]
    backend = a.backend()
    tokens = backend._tokens(prompt) if hasattr(backend, "_tokens") else None
    if tokens is None:
        raise SystemExit("the default engine here is not a llama.cpp engine; nothing to compare token for token")
    converted = converted_dir(a.spec.id, cache, __import__("torch").float32)
    if not (converted / "model.safetensors").exists():
        from medassist.backends import load_backend

        load_backend(a.spec, cache, engine="transformers", dtype="fp32", progress=lambda m: None).close()
    req = {"gguf": str(gguf), "tokens": tokens, "new": NEW_TOKENS, "threads": threads, "converted": str(converted)}
    rows = {}
    import importlib.util

    for engine in RAW:
        module = {"xllamacpp": "xllamacpp", "llamacpp": "llama_cpp"}.get(engine, "transformers")
        if importlib.util.find_spec(module) is None:
            rows[engine] = {"error": "not installed"}
            continue
        rows[engine] = run_raw(engine, {**req, "dtype": engine.split()[-1]}, timeout)
    ref = rows.get("transformers float32", {}).get("text")
    for r in rows.values():
        if "text" in r and ref is not None:
            same = next((i for i, (x, y) in enumerate(zip(r["text"], ref)) if x != y), min(len(r["text"]), len(ref)))
            r["same_greedy_chars_as_transformers_fp32"] = f"{same}/{len(ref)}"
        r.pop("text", None)
    threads_said = ", ".join(f"{e} {g}/{p}" for e, (g, p) in threads.items())
    return {"prompt_tokens": len(tokens), "new_tokens": NEW_TOKENS, "threads (new tokens/prompt)": threads_said,
            **rows}, req


def ask_section(a, passages, raw_rows: dict, req: dict, timeout: float) -> dict:
    """medassist ask end to end against the fastest raw engine generating as many tokens on the same
    prompt, interleaved (raw, ask, raw, ask) so that both see the same load; best of each."""
    from medassist.types import GenerationSettings

    b = a.backend()
    engine = getattr(b, "engine", type(b).__name__)
    engine += f" (threads {getattr(b, 'n_threads', '?')} new tokens / {getattr(b, 'n_threads_batch', '?')} prompt)"
    prompt_tokens = len(req["tokens"])
    ok = {e: r for e, r in raw_rows.items() if isinstance(r, dict) and "decode_tps" in r}
    fastest = min(ok, key=lambda e: prompt_tokens / ok[e]["prefill_tps"] + NEW_TOKENS / ok[e]["decode_tps"])
    asks, raws = [], []
    for _ in range(2):
        r = run_raw(fastest, {**req, "dtype": fastest.split()[-1]}, timeout)
        if "decode_tps" in r:
            raws.append(r)
        started = time.perf_counter()
        # as a user asks: retrieval included (the same index and k give the same passages)
        answer = a.ask(QUESTION, k=len(passages), gen=GenerationSettings(max_new_tokens=NEW_TOKENS))
        asks.append((time.perf_counter() - started, answer))
    total, answer = min(asks, key=lambda x: x[0])
    new = int(answer.timings.get("new_tokens", 0))
    raw_s = min(r["first_token_s"] + max(new - 1, 0) / r["decode_tps"] for r in raws)  # as many new tokens
    return {"engine_chosen_here": engine, "fastest_raw_engine": fastest, "ask_total_s": total,
            "ask_runs_s": [round(t, 1) for t, _ in asks],
            "ask_timings": {k: round(v, 3) for k, v in answer.timings.items()}, "new_tokens": new,
            "raw_same_tokens_s": raw_s, "raw_runs_first_token_s": [round(r["first_token_s"], 2) for r in raws],
            "ratio_raw_over_ask (goal >= 0.9)": raw_s / total}


def first_answer_section(fresh_clone: bool) -> dict:
    """A new user's steps in a fresh home and cache, through the console script; installs with --fresh-clone."""
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {**os.environ, "MEDASSIST_HOME": str(tmp / "home"), "MEDASSIST_CACHE": str(tmp / "cache"),
               "MEDASSIST_GUIDELINES_MIRROR": str(MIRROR)}
        exe = [str(Path(sys.executable).parent / "medassist")]
        if fresh_clone:
            clone = tmp / "clone"
            t = time.perf_counter()
            subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
            out["clone_s"] = time.perf_counter() - t
            t = time.perf_counter()
            subprocess.run(["make", "-C", str(clone), "install"], check=True, capture_output=True)
            out["installs_s (torch cpu, medassist, xllamacpp)"] = time.perf_counter() - t
            exe = [str(clone / ".venv" / "bin" / "medassist")]

        def step(name, *args):
            t = time.perf_counter()
            res = subprocess.run(exe + list(args), env=env, capture_output=True, text=True, check=False)
            out[name] = time.perf_counter() - t
            if res.returncode != 0:
                raise SystemExit(f"{name} failed: {res.stderr[-800:]}")
            return res

        step("pull_s", "guidelines", "pull")
        step("index_s", "index")
        res = step("ask_s (first model load + calibration + answer)", "ask", QUESTION, "--json", "--accept-licence")
        timings = json.loads(res.stdout).get("timings", {})
        answer_s = sum(timings.get(k, 0) for k in ("retrieve", "prompt_build", "generate", "support_check"))
        out["  of which answer_s (retrieve, prompt, generate, check)"] = answer_s
        out["  of which start_s (imports, GGUF, calibration, model load)"] = out[
            "ask_s (first model load + calibration + answer)"] - answer_s
        out["engine_said"] = next((ln for ln in res.stderr.splitlines() if "Engine for" in ln or "Loading" in ln), "")
        ours = ("pull_s", "index_s", "ask_s (first model load + calibration + answer)")
        out["our_steps_s (goal < 120)"] = sum(out[k] for k in ours)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=20)
    ap.add_argument("--fresh-clone", action="store_true", help="also time a clone and `make install` (minutes)")
    ap.add_argument("--skip-first-answer", action="store_true")
    ap.add_argument("--keep-calibration", action="store_true",
                    help="use the engine choice cached on this CPU instead of measuring again first")
    ap.add_argument("--raw-timeout", type=float, default=150, help="seconds per raw engine (bfloat16 on AVX2 is slow)")
    ap.add_argument("--raw-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.raw_child:
        raw_child()
        return 0
    if not MIRROR.is_dir():
        print(f"needs the shared data at {MIRROR}", file=sys.stderr)
        return 2
    from medassist.backends.calibration import measured_threads, physical_cores
    from medassist.settings import Settings

    cache = Settings.from_env().cache
    results = {"cpu": cpu_section()}
    with tempfile.TemporaryDirectory() as tmp:
        a, passages, prompt = grounded_prompt(Path(tmp), args.docs, cache, not args.keep_calibration)
        # each raw library with the thread counts medassist measured fastest for it here (so the ratio
        # compares the same work), else all cores
        cores = physical_cores()
        threads = {e: measured_threads(cache, e) or (cores, cores) for e in ("xllamacpp", "llamacpp")}
        threads["transformers"] = (cores, cores)
        rows, req = engines_section(a, prompt, cache, threads, args.raw_timeout)
        results["engines (raw libraries, each in its own process)"] = rows
        results["ask end to end vs the fastest raw engine"] = ask_section(a, passages, rows, req, args.raw_timeout)
        a.close()
    if not args.skip_first_answer:
        results["a new user's first answer (fresh home and cache)"] = first_answer_section(args.fresh_clone)
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
