"""The xllamacpp engine on the real default GGUF: llama.cpp's own server in a child process, locked down,
and gone when the backend closes or its parent dies."""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from medassist.catalogue import get_spec
from medassist.errors import UserError
from medassist.types import GenerationSettings

pytest.importorskip("xllamacpp", reason="the 'xllamacpp' extra is not installed: make install")
pytestmark = pytest.mark.slow

SPEC = get_spec("gemma3-270m")
GREEDY = GenerationSettings(max_new_tokens=30, temperature=0.0)


def _load(cache, **options):
    from medassist.backends import load_backend

    return load_backend(SPEC, cache, engine="xllamacpp", progress=lambda m: None, **options)


@pytest.fixture(scope="module")
def xb(model_cache):
    b = _load(model_cache)
    yield b
    b.close()


def gone(pid: int) -> bool:
    """No such process, or only its zombie (no sockets, no memory)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting after {seconds} s: {what}")
        time.sleep(0.05)


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except OSError:
        return True


def call(port: int, method: str, path: str, headers: dict | None = None, body: dict | None = None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request(method, path, json.dumps(body) if body is not None else None, headers or {})
    r = c.getresponse()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()


def test_generates_streams_stops_and_counts(xb):
    out = xb.generate("1, 2, 3, 4, 5, 6,", GenerationSettings(max_new_tokens=30, stop=(" 9",)))
    assert " 9" not in out and "8" in out
    assert "".join(xb.stream("1, 2, 3, 4, 5, 6,", GenerationSettings(max_new_tokens=30, stop=(" 9",)))) == out
    prompt = "Question: Which organ does hepatitis B infect?\nAnswer:"
    whole = xb.generate(prompt, GREEDY)
    assert whole.strip() and "".join(xb.stream(prompt, GREEDY)) == whole
    assert xb.generate("<bos>" + prompt, GREEDY) == whole  # a prompt that spells out its BOS gets no second one
    assert xb.last_usage["prompt_tokens"] > 5 and 0 < xb.last_usage["new_tokens"] <= 30
    assert xb.count_tokens("Hepatitis B infects the liver.") == len(xb._tokens("Hepatitis B infects the liver.")) - 1


def test_same_prompt_tokens_and_greedy_start_as_llama_cpp_python_on_the_same_file(xb, model_cache):
    """Token for token the same prompt; the same greedy tokens at first. (Later, at near-ties, two llama.cpp
    versions with different Q4_K kernels can pick different tokens: measured in bench/bench_ask_path.py.)"""
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (make gguf)")
    from medassist.backends import load_backend

    other = load_backend(SPEC, model_cache, engine="llamacpp", progress=lambda m: None)
    first = GenerationSettings(max_new_tokens=6, temperature=0.0)
    try:
        for prompt in ("Question: Which organ does hepatitis B infect?\nAnswer:",
                       "Screening for abdominal aortic aneurysm is recommended for",
                       "The patient was given aspirin because"):
            assert xb._tokens(prompt) == other._tokens(prompt)
            assert xb.generate(prompt, first) == other.generate(prompt, first)
        for text in ("Hepatitis B infects the liver.", "減塩は1日6g未満", "[1] USPSTF, 2014 - p. 3"):
            assert xb.count_tokens(text) == other.count_tokens(text)
    finally:
        other.close()


def test_closing_a_stream_cancels_the_generation(xb):
    """With one slot, a generation still running would hold the next request back for minutes."""
    it = xb.stream("Once upon a time", GenerationSettings(max_new_tokens=3500, temperature=0.0))
    pieces = [next(it) for _ in range(3)]
    it.close()
    assert len(pieces) == 3
    started = time.monotonic()
    assert xb.generate("Hello", GenerationSettings(max_new_tokens=4))
    assert time.monotonic() - started < 60  # 3,500 tokens would take minutes on this CPU


def test_the_server_is_loopback_only_keyed_and_refuses_web_pages(xb):
    port = xb.bound_port
    assert xb.host == "127.0.0.1"
    body = {"prompt": "Hi", "n_predict": 1}
    assert call(port, "POST", "/completion", body=body)[0] == 401
    assert call(port, "POST", "/completion", {"Authorization": "Bearer not-the-key"}, body)[0] == 401
    assert call(port, "GET", "/v1/models")[0] == 401
    status, headers, _ = call(port, "POST", "/completion", {"Authorization": f"Bearer {xb._key}",
                                                            "Origin": "http://evil.example"}, body)
    assert status == 200 and headers.get("access-control-allow-origin", "") in ("", None)
    _, pre, _ = call(port, "OPTIONS", "/completion", {"Origin": "http://evil.example",
                                                      "Access-Control-Request-Method": "POST"})
    assert pre.get("access-control-allow-origin", "") == ""  # a browser refuses the cross-origin call
    assert call(port, "GET", "/")[0] == 404  # no web UI
    assert call(port, "GET", "/slots", {"Authorization": f"Bearer {xb._key}"})[0] != 200
    with open(f"/proc/{xb.pid}/cmdline", "rb") as f:  # the key is not readable from the process list
        assert xb._key.encode() not in f.read()
    with open(f"/proc/{xb.pid}/environ", "rb") as f:
        assert xb._key.encode() not in f.read()


def test_close_leaves_no_server(model_cache):
    b = _load(model_cache)
    pid, port = b.pid, b.bound_port
    assert not gone(pid) and not refuses_connections(port)
    b.close()
    assert gone(pid) and refuses_connections(port)
    with pytest.raises(UserError, match="closed"):
        b.generate("Hi", GREEDY)


def test_the_prompt_gets_its_own_thread_count(model_cache):
    """llama.cpp reads the prompt and generates on separate thread pools; medassist sets each (measured
    fastest here: the prompt on every core). The server's threads show the prompt pool's size."""
    said: list[str] = []
    tasks = {}
    for batch in (1, 2):
        from medassist.backends import load_backend

        b = load_backend(SPEC, model_cache, engine="xllamacpp", progress=said.append, n_threads=1,
                         n_threads_batch=batch)
        try:
            assert b.generate("Screening for abdominal aortic aneurysm is", GREEDY).strip()
            tasks[batch] = len(os.listdir(f"/proc/{b.pid}/task"))
        finally:
            b.close()
    assert tasks[2] == tasks[1] + 1  # one more worker thread, for the prompt only
    assert "1 threads (2 for the prompt)" in said[-1]


def test_no_server_is_left_when_the_parent_is_killed(model_cache, tmp_path):
    code = ("import sys; from medassist.backends import load_backend; from medassist.catalogue import get_spec\n"
            f"b = load_backend(get_spec('gemma3-270m'), {str(model_cache)!r}, engine='xllamacpp', "
            "progress=lambda m: None)\n"
            "print(b.pid, b.bound_port, flush=True); sys.stdin.read()")
    parent = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    line = parent.stdout.readline()
    assert line.strip(), parent.stderr.read()
    pid, port = map(int, line.split())
    assert not gone(pid) and not refuses_connections(port)
    os.kill(parent.pid, signal.SIGKILL)  # no finally, no atexit: the child must notice by itself
    parent.wait()
    wait_for(lambda: gone(pid) and refuses_connections(port), 30, f"the server {pid} to stop after its parent died")


def test_a_server_that_crashes_mid_answer_is_explained_then_restarted(model_cache):
    from medassist.backends import load_backend

    said = []
    b = load_backend(SPEC, model_cache, engine="xllamacpp", progress=said.append)
    try:
        pieces = b.stream("Once upon a time", GenerationSettings(max_new_tokens=3000, temperature=0.0))
        next(pieces)
        os.kill(b.pid, signal.SIGKILL)  # as a crash inside llama.cpp would end it
        with pytest.raises(UserError, match=r"stopped unexpectedly \(signal 9\)"):
            for _ in pieces:
                pass
        assert b.generate("Question: What organ pumps blood?\nAnswer:", GREEDY).strip()  # started again
        assert any("starting it again" in m for m in said)
    finally:
        b.close()


def test_a_taken_port_is_named(model_cache):
    from medassist.backends.xllamacpp_backend import EngineStartError

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        taken = s.getsockname()[1]
        with pytest.raises(EngineStartError, match=f"127.0.0.1:{taken}: the port is taken"):
            _load(model_cache, port=taken)


def test_a_file_the_engine_cannot_read_names_the_engine_and_the_file(tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + os.urandom(4096))
    with pytest.raises(UserError) as info:
        _load(tmp_path, model_path=str(bad))
    assert "xllamacpp" in str(info.value) and str(bad) in str(info.value)


def test_scoring_is_delegated_to_an_engine_that_gives_prompt_log_probabilities(xb):
    good = xb.loglikelihood("The capital of France is", " Paris")
    bad = xb.loglikelihood("The capital of France is", " aardvark")
    assert good > bad and good < 0


def test_the_wheel_has_no_amx_or_avx512_kernels_compiled_in():
    """What llama.cpp reports as compiled in: a wheel that adds AMX needs the crash checks re-verified."""
    import xllamacpp

    info = xllamacpp.get_system_info()
    assert "AVX2 = 1" in info
    assert "AMX" not in info and "AVX512" not in info


def test_an_engine_that_is_not_installed_gives_the_install_command(monkeypatch, tmp_path):
    from medassist.backends import load_backend, xllamacpp_backend

    monkeypatch.setattr(xllamacpp_backend, "version", lambda: None)
    with pytest.raises(UserError, match=r"pip install 'medassist\[xllamacpp\]'"):
        load_backend(SPEC, tmp_path, engine="xllamacpp", progress=lambda m: None)
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import llama_cpp fails, as where it is not built
    with pytest.raises(UserError, match=r"pip install 'medassist\[gguf\]'.*make gguf"):
        load_backend(SPEC, tmp_path, engine="llamacpp", progress=lambda m: None)
