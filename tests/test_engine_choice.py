"""The default engine and transformers' dtype are chosen by measurement on this CPU, cached, and shown."""
import json
import shutil
import stat

import pytest

from medassist.backends import calibration, engine_figures
from medassist.backends.dtype_choice import choose_dtype, dtype_choice
from medassist.backends.engine_figures import Choice, Figures, choose_engine
from medassist.catalogue import get_spec
from medassist.cpu import cpu_has_native_bf16, vector_features

from .conftest import run_cli

SPEC = get_spec("gemma3-270m")
# Shapes of figures measured here (AVX2, 2 cores): llama.cpp ~140 prompt tok/s and ~21 new tok/s.
FAST = Figures(prefill_tps=140, decode_tps=21, first_token_s=2.7)
SLOWER = Figures(prefill_tps=87, decode_tps=23, first_token_s=4.4)


def test_the_engine_with_the_shortest_answer_wins_and_failures_are_named():
    c = choose_engine({"llamacpp": SLOWER, "xllamacpp": FAST, "transformers": "crashed (signal 11)"})
    assert c.engine == "xllamacpp" and c.ranking == ["xllamacpp", "llamacpp"]
    assert "transformers failed (crashed (signal 11))" in c.reason
    # An answer is 1,500 prompt tokens and 200 new ones: decode speed alone does not decide.
    assert FAST.estimate_s() < SLOWER.estimate_s() and SLOWER.decode_tps > FAST.decode_tps
    # Within 3%, the prebuilt engine is preferred; beyond, the faster one.
    near = Figures(FAST.prefill_tps * 1.02, FAST.decode_tps * 1.02, 1.0)
    assert choose_engine({"llamacpp": near, "xllamacpp": FAST}).engine == "xllamacpp"
    far = Figures(FAST.prefill_tps * 1.3, FAST.decode_tps * 1.3, 1.0)
    assert choose_engine({"llamacpp": far, "xllamacpp": FAST}).engine == "llamacpp"
    none = choose_engine({"xllamacpp": "did not start", "llamacpp": "crashed"})
    assert none.engine is None and "did not start" in none.reason


def test_dtype_on_a_cpu_without_bf16_is_float32_because_measured_so():
    avx2_only = {"sse4_2", "avx", "avx2", "fma", "f16c"}
    assert not cpu_has_native_bf16(avx2_only)
    assert vector_features(avx2_only | {"sse2", "ht"}) == ["sse4_2", "avx", "avx2", "fma", "f16c"]
    assert cpu_has_native_bf16(avx2_only | {"avx512_bf16"}) and cpu_has_native_bf16(avx2_only | {"amx_bf16"})
    fp32 = {"decode_s": 4e-4, "prefill_s": 8e-4}
    assert choose_dtype(fp32, None) == "float32"  # bf16 stopped at 3x float32's time (AVX2 here: 2-50x)
    assert choose_dtype(fp32, {"decode_s": 9e-4, "prefill_s": 4e-2}) == "float32"
    assert choose_dtype(fp32, {"decode_s": 3.8e-4, "prefill_s": 7.5e-4}) == "float32"  # ~5% faster: not worth it
    assert choose_dtype(fp32, {"decode_s": 2e-4, "prefill_s": 4e-4}) == "bfloat16"  # AVX512-BF16/AMX: ~2x


def test_the_dtype_measured_on_this_cpu_is_cached(tmp_path):
    choice = dtype_choice(tmp_path, SPEC)
    doc = json.loads((tmp_path / "engine-choice.json").read_text())
    (entry,) = doc["cpus"].values()
    (measured,) = entry["torch_dtype"].values()
    assert measured["choice"] == choice and measured["float32"]["decode_s"] > 0
    if not cpu_has_native_bf16():  # AVX2 alone: bfloat16 is emulated, measured slower, never chosen
        assert choice == "float32"
    measured["choice"] = "bfloat16" if choice == "float32" else "float32"  # what is cached is what is used
    (tmp_path / "engine-choice.json").write_text(json.dumps(doc))
    assert dtype_choice(tmp_path, SPEC) == measured["choice"]


def test_options_for_one_engine_keep_the_recommended_engine():
    assert calibration.applies(SPEC, {})
    assert calibration.applies(SPEC, {"model_path": "/x/model.gguf"})
    assert not calibration.applies(SPEC, {"dtype": "fp32"})  # a transformers option
    assert not calibration.applies(SPEC, {"n_gpu_layers": 10})
    assert not calibration.applies(get_spec("med42-8b"), {})  # not a GGUF


def test_measurements_are_cached_per_cpu_and_engine_version(tmp_path, monkeypatch):
    calls, said = [], []
    monkeypatch.setattr(calibration, "candidates", lambda *a, **k: ["xllamacpp", "llamacpp"])
    monkeypatch.setattr(calibration, "thread_options", lambda: [2])
    versions = {"xllamacpp": "xllamacpp 1", "llamacpp": "llama-cpp-python 1"}
    monkeypatch.setattr(calibration, "engine_version", lambda e: versions.get(e))

    def fake_measure(engine, *a, **k):
        calls.append(engine)
        return FAST if engine == "xllamacpp" else "crashed (signal 11) in its first decode"

    monkeypatch.setattr(calibration, "measure", fake_measure)
    first = calibration.measured_choice(SPEC, tmp_path, progress=said.append)
    assert first.engine == "xllamacpp" and first.options_for("xllamacpp") == {"n_threads": 2, "n_threads_batch": 2}
    assert calls == ["xllamacpp", "llamacpp"] and sum("failed here" in m for m in said) == 1
    said.clear()
    assert calibration.measured_choice(SPEC, tmp_path, progress=said.append).engine == "xllamacpp"
    assert calls == ["xllamacpp", "llamacpp"] and said == []  # from the cache, silently
    versions["llamacpp"] = "llama-cpp-python 2"  # a rebuilt engine is measured again, alone
    calibration.measured_choice(SPEC, tmp_path, progress=said.append)
    assert calls[2:] == ["llamacpp"]
    assert calibration.measured_threads(tmp_path) == (2, 2)


def test_the_prompt_and_the_new_tokens_each_get_the_thread_count_measured_faster_for_them(tmp_path, monkeypatch):
    # Measured here on an idle 2-core AVX2 machine (xllamacpp, 1,500-token prompt): one thread read the
    # prompt at ~200 tok/s and two at ~380, while under load two threads generated several times slower
    # than one. The two thread pools are separate, so each gets its own best count.
    one = Figures(prefill_tps=200, decode_tps=40, first_token_s=1.3)
    two = Figures(prefill_tps=380, decode_tps=9, first_token_s=0.7)
    figs, opts = engine_figures.best_threads({1: one, 2: two})
    assert opts == {"n_threads": 1, "n_threads_batch": 2}
    assert (figs.prefill_tps, figs.decode_tps) == (380, 40)
    assert figs.estimate_s() < min(one.estimate_s(), two.estimate_s())
    monkeypatch.setattr(calibration, "candidates", lambda *a, **k: ["xllamacpp"])
    monkeypatch.setattr(calibration, "thread_options", lambda: [2, 1])
    monkeypatch.setattr(calibration, "engine_version", lambda e: {"xllamacpp": "xllamacpp 1"}.get(e))
    monkeypatch.setattr(calibration, "measure", lambda e, spec, cache, path, o: {1: one, 2: two}[o["n_threads"]])
    choice = calibration.measured_choice(SPEC, tmp_path, progress=lambda m: None)
    assert choice.options_for("xllamacpp") == {"n_threads": 1, "n_threads_batch": 2}
    assert calibration.measured_threads(tmp_path) == (1, 2)
    assert calibration.measured_threads(tmp_path, "llamacpp") is None  # not measured: the library's defaults


def test_a_thread_count_the_user_set_wins_over_the_measured_ones(monkeypatch):
    import medassist.backends as backends
    from medassist.settings import Settings

    loaded = []
    monkeypatch.setattr(backends, "_load_one", lambda engine, spec, cache, progress, options, defaults:
                        loaded.append((options, defaults)))
    choice = Choice("xllamacpp", ["xllamacpp"], "test", {"xllamacpp": {"n_threads": 1, "n_threads_batch": 2}})
    backends._load_ranked(choice, SPEC, "/nonexistent", print, {}, {})
    assert loaded[-1] == ({}, {"n_threads": 1, "n_threads_batch": 2})  # measured: used
    env = Settings.from_env({"MEDASSIST_THREADS": "2", "MEDASSIST_HOME": "/x", "MEDASSIST_CACHE": "/y"})
    backends._load_ranked(choice, SPEC, "/nonexistent", print, {}, env.engine_defaults())
    assert loaded[-1] == ({}, {"n_threads": 2})  # MEDASSIST_THREADS=2 covers both pools
    backends._load_ranked(choice, SPEC, "/nonexistent", print, {"n_threads": 1}, {})
    assert loaded[-1] == ({"n_threads": 1}, {})  # --threads 1 too


def test_a_crashing_engine_is_a_failed_measurement_not_a_dead_process(tmp_path, monkeypatch):
    crash = tmp_path / "python"
    crash.write_text("#!/bin/sh\nkill -SEGV $$\n")
    crash.chmod(crash.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(calibration.sys, "executable", str(crash))
    result = calibration.measure("llamacpp", SPEC, tmp_path)
    assert isinstance(result, str) and "crashed (signal 11)" in result


@pytest.mark.slow
def test_an_engine_that_fails_to_start_is_said_once_and_the_next_is_used(model_cache):
    import socket

    from medassist.backends import _load_ranked

    said = []
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        choice = Choice("xllamacpp", ["xllamacpp", "transformers"], "test",
                        {"xllamacpp": {"port": s.getsockname()[1]}})
        b = _load_ranked(choice, SPEC, model_cache, said.append, {}, {})  # no options given, no defaults set
    try:
        assert b.engine == "transformers"
        failures = [m for m in said if "port is taken" in m]
        assert len(failures) == 1 and "Using the transformers engine instead" in failures[0]
    finally:
        b.close()


@pytest.mark.slow
def test_a_real_calibration_is_short_cached_and_shown_by_doctor(tmp_path, model_cache):
    pytest.importorskip("xllamacpp")
    shutil.copytree(model_cache / "gguf", tmp_path / "gguf")  # the assembled default GGUF, not re-assembled
    said = []
    choice = calibration.measured_choice(SPEC, tmp_path, progress=said.append, force=True)
    doc = json.loads((tmp_path / "engine-choice.json").read_text())
    entry = doc["cpus"][calibration.cpu_key()]["models"]["gemma3-270m"]
    installed = calibration.candidates(SPEC, tmp_path, None)
    measured = {f["engine"] for label, f in entry.items() if label != "choice"}
    assert measured == set(installed) and choice.engine in installed
    assert entry["choice"]["engine"] == choice.engine
    for label, f in entry.items():
        if label != "choice" and "error" not in f:
            assert f["decode_tps"] > 1 and f["prefill_tps"] > 5 and f["load_s"] < 60
    said.clear()
    assert calibration.measured_choice(SPEC, tmp_path, progress=said.append).engine == choice.engine
    assert said == []
    res = run_cli("doctor", env={"MEDASSIST_CACHE": str(tmp_path)})
    assert res.returncode == 0, res.stderr
    assert f"gemma3-270m: {choice.engine}" in res.stdout and str(tmp_path / "engine-choice.json") in res.stdout
    assert " ".join(vector_features()) in res.stdout
