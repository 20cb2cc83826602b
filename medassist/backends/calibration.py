"""Which engine (and which transformers dtype) runs a model by default on this CPU: measured, not assumed.

Engine. For a GGUF model on a machine without a CUDA GPU, asked for with no --engine and no option that
belongs to one engine (--dtype, --gpu-layers, ...), every GGUF engine installed here is measured once
on that model: load, a fixed prompt of PROMPT_TOKENS tokens, NEW_TOKENS greedy new tokens, each engine
in its own child process (a crash, such as llama.cpp built for CPU features this machine lacks, is a
failed measurement, never a dead medassist). The choice is the engine with the shortest estimated
time for a typical grounded answer (ASK_PROMPT prompt tokens, ASK_NEW new tokens); an engine that
failed is left out, and said so once, when it was measured. The llama.cpp engines are measured on all
cores and on half of them; the prompt and the new tokens each get the thread count that was faster for
them (they run on separate thread pools).
transformers is measured only when its converted weights are already on disk: converting takes about
a minute, and the first answer should not pay for it while a llama.cpp engine is installed.

dtype. transformers on a CPU runs float32 or bfloat16, whichever a short matrix benchmark in the
model's shapes measures faster here (bfloat16 needs to be clearly faster: it also rounds).

Both are cached in `<cache>/engine-choice.json` (the cache is Settings.cache, ~/.cache/medassist by
default): per CPU (model name and vector features), then per model and engine version. A new engine
version, another CPU, or `medassist doctor --calibrate` measures again.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ..catalogue import ModelSpec
from ..cpu import cpu_key, vector_features
from ..errors import UserError
from .engine_figures import GGUF_ENGINES, Choice, Figures, best_threads, choose_engine

CACHE_NAME = "engine-choice.json"
PROMPT_TOKENS, NEW_TOKENS = 256, 24  # the calibration: a few seconds per engine on the default model
MEASURE_TIMEOUT_S = 600
# Options that only some engines take: given without --engine, they keep the model's recommended engine.
NEUTRAL_OPTIONS = {"model_path", "n_threads"}  # options every GGUF engine takes: they do not fix the engine


# -- the cache ---------------------------------------------------------------------------------------
def cache_path(cache_dir: Path) -> Path:
    return Path(cache_dir) / CACHE_NAME


def _read(cache_dir: Path) -> dict:
    try:
        return json.loads(cache_path(cache_dir).read_text())
    except (OSError, ValueError):
        return {}


def _update(cache_dir: Path, fn) -> dict:
    """Read, change and write the cache under a file lock (several medassist processes may load at once)."""
    from filelock import FileLock

    path = cache_path(cache_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock"):
        doc = _read(cache_dir)
        fn(doc)
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(doc, indent=1))
        os.replace(tmp, path)
    return doc


def _cpu_entry(doc: dict, cpu: str | None = None) -> dict:
    entry = doc.setdefault("cpus", {}).setdefault(cpu or cpu_key(), {})
    entry["vector_features"] = vector_features()
    return entry


def engine_version(engine: str) -> str | None:
    """The installed version of an engine's library (None: not installed). A rebuilt llama-cpp-python
    keeps its version number, so its library's modification time is part of it."""
    try:
        if engine == "xllamacpp":
            return "xllamacpp " + importlib.metadata.version("xllamacpp")
        if engine == "llamacpp":
            spec = importlib.util.find_spec("llama_cpp")
            if spec is None or not spec.origin:
                return None
            libs = list(Path(spec.origin).parent.rglob("*.so")) or list(Path(spec.origin).parent.rglob("*.dylib"))
            stamp = int(max((p.stat().st_mtime for p in libs), default=0))
            return f"llama-cpp-python {importlib.metadata.version('llama_cpp_python')} built {stamp}"
        if engine == "transformers":
            return (f"transformers {importlib.metadata.version('transformers')} "
                    f"torch {importlib.metadata.version('torch')}")
    except importlib.metadata.PackageNotFoundError:
        return None
    return None


def _model_key(spec: ModelSpec, model_path: str | None) -> str:
    if not model_path:
        return spec.id
    p = Path(model_path)
    try:
        st = p.stat()
        return f"{p.resolve()}:{st.st_size}:{int(st.st_mtime)}"
    except OSError:
        return str(p)


# -- measuring ---------------------------------------------------------------------------------------
CALIBRATION_TEXT = ("Screening for abdominal aortic aneurysm: the guideline recommends one-time ultrasonography "
                    "in men aged 65 to 75 years who have ever smoked, and selective screening in men who have "
                    "never smoked, after a discussion of benefits and harms. ")


def _measure_here(engine: str, spec_id: str, cache_dir: str, model_path: str | None, options: dict) -> dict:
    """Load `engine` in this process, time a fixed prompt and NEW_TOKENS greedy tokens, close it."""
    from ..catalogue import get_spec
    from ..types import GenerationSettings
    from . import _load_one

    spec = get_spec(spec_id)
    options = {**options, **({"model_path": model_path} if model_path else {})}
    started = time.perf_counter()
    backend = _load_one(engine, spec, Path(cache_dir), lambda m: None, options)
    load_s = time.perf_counter() - started
    try:
        text = CALIBRATION_TEXT
        while backend.count_tokens(text) < PROMPT_TOKENS:
            text += CALIBRATION_TEXT
        words = text.split(" ")
        lo, hi = 1, len(words)  # the shortest prefix of whole words that reaches PROMPT_TOKENS
        while lo < hi:
            mid = (lo + hi) // 2
            lo, hi = (mid + 1, hi) if backend.count_tokens(" ".join(words[:mid])) < PROMPT_TOKENS else (lo, mid)
        prompt = " ".join(words[:lo])
        settings = GenerationSettings(max_new_tokens=NEW_TOKENS, temperature=0.0)
        list(backend.stream(prompt[:200], GenerationSettings(max_new_tokens=2)))  # warm-up: first-call costs
        start = time.perf_counter()
        first = None
        n = 0
        for _ in backend.stream(prompt, settings):
            first = first or time.perf_counter()
            n += 1
        end = time.perf_counter()
        usage: dict = backend.last_usage  # type: ignore[attr-defined]  # every engine has it; the Protocol omits it
        n = max(usage.get("new_tokens", n), n)
        prompt_tokens = usage.get("prompt_tokens") or backend.count_tokens(prompt)
    finally:
        backend.close()
    if first is None or n < 2:
        raise UserError(f"{engine} produced {n} tokens on the calibration prompt")
    ttft = first - start
    return Figures(prefill_tps=prompt_tokens / ttft, decode_tps=(n - 1) / max(end - first, 1e-6),
                   first_token_s=ttft, load_s=load_s).to_dict()


def _child_main() -> None:
    """Entry point of the measuring child process: a JSON request on stdin, a JSON answer on stdout."""
    req = json.loads(sys.stdin.readline())
    out = os.dup(1)
    os.dup2(2, 1)  # engines that print go to stderr, never into the answer
    try:
        doc: dict[str, object] = {"figures": _measure_here(req["engine"], req["spec"], req["cache"],
                                                           req.get("model_path"), req.get("options") or {})}
    except UserError as exc:
        doc = {"error": str(exc)}
    except Exception as exc:  # any failure is a failed measurement, with its reason
        doc = {"error": f"{type(exc).__name__}: {exc}"}
    os.write(out, (json.dumps(doc) + "\n").encode())


def measure(engine: str, spec: ModelSpec, cache_dir: Path, model_path: str | None = None,
            options: dict | None = None, timeout: float = MEASURE_TIMEOUT_S) -> Figures | str:
    """Measure one engine in a child process: its figures, or why it failed (a crash included)."""
    from .children import child_code

    req = {"engine": engine, "spec": spec.id, "cache": str(cache_dir), "model_path": model_path,
           "options": options or {}}
    try:
        code = child_code("from medassist.backends.calibration import _child_main; _child_main()")
        res = subprocess.run([sys.executable, "-c", code], input=json.dumps(req) + "\n", capture_output=True,
                             text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return f"did not finish the calibration within {timeout:.0f} s"
    if res.returncode < 0:
        return (f"crashed (signal {-res.returncode}) in its first decode: it may be built for CPU features that "
                f"fail on this machine. {res.stderr.strip()[-300:]}")
    try:
        doc = json.loads(res.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return f"exited with status {res.returncode}: {res.stderr.strip()[-300:]}"
    return Figures.from_dict(doc["figures"]) if "figures" in doc else doc["error"]


# -- the choice at load time -------------------------------------------------------------------------
def _has_cuda_gpu() -> bool:
    from ..loading import LOAD_LOCK

    with LOAD_LOCK:  # not while another thread is still importing torch (the embedder, in the background)
        torch = sys.modules.get("torch")
    if torch is not None:
        return bool(torch.cuda.is_available())
    gpus = Path("/proc/driver/nvidia/gpus")
    return gpus.is_dir() and any(gpus.iterdir())


def _converted_on_disk(cache_dir: Path, key: str) -> bool:
    """Whether transformers' converted weights for `key` are cached (in the dtype chosen here, when known)."""
    done = _read(cache_dir).get("cpus", {}).get(cpu_key(), {}).get("torch_dtype", {})
    dtype = (done.get(engine_version("transformers") or "") or {}).get("choice", "*")
    return any((Path(cache_dir) / "converted" / key).glob(f"{dtype}/medassist-converted.json"))


def candidates(spec: ModelSpec, cache_dir: Path, model_path: str | None, everything: bool = False) -> list[str]:
    """The GGUF engines this machine can measure now, in order of preference (`everything`: transformers
    too, even when that means converting its weights first)."""
    from ..weights import gguf_source

    out = [e for e in ("xllamacpp", "llamacpp") if engine_version(e)]
    found = gguf_source(spec, model_path, Path(cache_dir))  # a file not on disk says so here, before any engine
    if not out or everything or (found is not None and _converted_on_disk(Path(cache_dir), found[1])):
        out.append("transformers")
    return out


def applies(spec: ModelSpec, options: dict) -> bool:
    from ..weights import is_gguf_model

    if set(options) - NEUTRAL_OPTIONS:
        return False  # an option for one engine: the model's recommended engine, as before
    if not is_gguf_model(spec, options.get("model_path")):
        return False
    return not _has_cuda_gpu()


def physical_cores() -> int:
    """Cores this process may run on, counting hyper-threads of one core once."""
    try:
        cpus = os.sched_getaffinity(0)
    except AttributeError:
        return os.cpu_count() or 1
    cores = set()
    for cpu in cpus:
        try:
            topo = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology")
            cores.add(((topo / "physical_package_id").read_text().strip(), (topo / "core_id").read_text().strip()))
        except OSError:
            cores.add(("?", str(cpu)))
    return max(1, len(cores))


def thread_options() -> list[int]:
    """Thread counts measured for the llama.cpp engines: all cores, and half of them (on a machine whose
    cores are shared or hyper-threaded, fewer threads generated up to 3x faster here, while the prompt
    was read twice as fast on all of them). A count the user set (MEDASSIST_THREADS) reaches the
    engines as an option instead."""
    n = physical_cores()
    return sorted({n, max(1, n // 2)}, reverse=True)


def measured_threads(cache_dir: Path, engine: str = "xllamacpp") -> tuple[int, int] | None:
    """(generating, prompt) thread counts measured fastest for a llama.cpp engine on this CPU: for the
    model measured last, if any was."""
    models = _read(Path(cache_dir)).get("cpus", {}).get(cpu_key(), {}).get("models", {}).values()
    installed = engine_version(engine)
    if installed is None:
        return None
    latest: tuple[str, dict[int, Figures]] | None = None
    version = f"{installed} threads="  # figures of the installed build only
    for entry in models:
        figs: dict[int, dict] = {}
        for label, f in entry.items():
            n = (f.get("options") or {}).get("n_threads") if isinstance(f, dict) else None
            if label.startswith(version) and n and "estimate_s" in f:
                figs[int(n)] = f
        if figs:
            stamp = max(f.get("measured_at", "") for f in figs.values())
            if latest is None or stamp > latest[0]:
                latest = (stamp, {n: Figures.from_dict(f) for n, f in figs.items()})
    if latest is None:
        return None
    opts = best_threads(latest[1])[1]
    return opts["n_threads"], opts["n_threads_batch"]


def _configs(engines: list[str]) -> list[tuple[str, dict, str]]:
    """(engine, load options, cache label) for each configuration to measure."""
    out = []
    for e in engines:
        version = engine_version(e) or e
        if e in ("xllamacpp", "llamacpp"):
            out += [(e, {"n_threads": n}, f"{version} threads={n}") for n in thread_options()]
        else:
            out.append((e, {}, version))
    return out


def measured_choice(spec: ModelSpec, cache_dir: Path, model_path: str | None = None, progress=print,
                    force: bool = False, everything: bool = False) -> Choice:
    """The engine for `spec` here: from the cache, measuring the configurations it lacks figures for
    (`force`: all of them again; `everything`: transformers too, converting its weights if need be)."""
    cache_dir = Path(cache_dir)
    cpu, model = cpu_key(), _model_key(spec, model_path)
    engines = candidates(spec, cache_dir, model_path, everything)
    configs = _configs(engines)
    known = _read(cache_dir).get("cpus", {}).get(cpu, {}).get("models", {}).get(model, {})
    if len(engines) == 1 and len(configs) == 1:
        why = ("the only GGUF engine here that runs without a conversion; transformers is measured once its "
               "converted weights exist" if engines[0] != "transformers" else "no llama.cpp engine is installed")
        return Choice(engines[0], engines, f"{engines[0]}: {why}", {})
    results: dict[str, Figures | str] = {}
    todo = []
    for e, opts, label in configs:
        entry = known.get(label)
        if entry is None or force:
            todo.append((e, opts, label))
        else:
            results[label] = Figures.from_dict(entry) if "error" not in entry else entry["error"]
    if todo:
        progress(f"Measuring {', '.join(lb for _, _, lb in todo)} on {spec.id} on this CPU (once; a few seconds "
                 "each)...")
    for e, opts, label in todo:
        results[label] = measure(e, spec, cache_dir, model_path, opts)
        if isinstance(results[label], str):
            progress(f"The {e} engine failed here and is not used: {results[label]}")
    per_engine: dict[str, Figures | str] = {}
    options: dict[str, dict] = {}
    for e in engines:  # each engine at its best configuration
        ran = [(opts, results[label]) for e2, opts, label in configs if e2 == e]
        by_threads = {o["n_threads"]: r for o, r in ran if isinstance(r, Figures) and o.get("n_threads")}
        if by_threads:
            per_engine[e], options[e] = best_threads(by_threads)
        else:
            per_engine[e], options[e] = next(((r, o) for o, r in ran if isinstance(r, Figures)), (ran[0][1], {}))
    choice = choose_engine(per_engine)
    choice = Choice(choice.engine, choice.ranking, choice.reason, options)
    if todo:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")

        def store(doc):
            entry = _cpu_entry(doc, cpu).setdefault("models", {}).setdefault(model, {})
            for e, opts, label in todo:
                r = results[label]
                entry[label] = {**(r.to_dict() if isinstance(r, Figures) else {"error": r}), "engine": e,
                                "options": opts, "measured_at": stamp}
            entry["choice"] = {"engine": choice.engine, "options": choice.options_for(choice.engine or ""),
                               "reason": choice.reason, "at": stamp}

        _update(cache_dir, store)
        progress(f"Engine for {spec.id} on this CPU: {choice.reason}. Cached in {cache_path(cache_dir)}.")
    return choice


def report(cache_dir: Path) -> dict:
    """What the cache holds for this CPU (for `medassist doctor`)."""
    entry = _read(Path(cache_dir)).get("cpus", {}).get(cpu_key(), {})
    return {"cpu": cpu_key(), "vector_features": vector_features(), "cache": str(cache_path(cache_dir)),
            "engines_installed": {e: engine_version(e) for e in GGUF_ENGINES},
            "models": entry.get("models", {}), "torch_dtype": entry.get("torch_dtype", {})}
