"""The GGUF engine on the default model through the real llama-cpp-python, against transformers on the
same weights; the sandboxed chat template; and the explained crash of a build that uses AMX."""
import json
import math
import subprocess

import pytest

from medassist.catalogue import get_spec
from medassist.errors import UserError
from medassist.types import GenerationSettings

from .conftest import run_cli

pytestmark = pytest.mark.slow  # loads the default GGUF in llama-cpp-python

pytest.importorskip("llama_cpp", reason="the 'gguf' extra (llama-cpp-python) is not installed: make gguf")


@pytest.fixture(scope="module")
def gguf_backend(model_cache):
    from medassist.backends import load_backend

    b = load_backend(get_spec("gemma3-270m"), model_cache, engine="llamacpp", progress=lambda m: None)
    yield b
    b.close()


def test_generates_streams_and_counts_tokens_like_the_same_model_in_transformers(gguf_backend, backend):
    settings = GenerationSettings(max_new_tokens=20, stop=("\n\n",))
    prompt = "Question: Which organ does hepatitis B infect?\nAnswer:"
    whole = gguf_backend.generate(prompt, settings)
    assert whole.strip() and "".join(gguf_backend.stream(prompt, settings)) == whole
    for text in ("Hepatitis B infects the liver.", "減塩は1日6g未満", "[1] USPSTF, 2014 - p. 3"):
        assert gguf_backend.count_tokens(text) == backend.count_tokens(text)  # same vocabulary, token for token


def test_loglikelihood_agrees_with_transformers_on_the_same_weights(gguf_backend, backend):
    pairs = [("The capital of France is", " Paris"), ("The capital of France is", " aardvark"),
             ("Aspirin is an", " antiplatelet drug")]
    ours = [gguf_backend.loglikelihood(c, x) for c, x in pairs]
    ref = [backend.loglikelihood(c, x) for c, x in pairs]
    assert all(math.isfinite(v) and v < 0 for v in ours)
    assert ours[0] > ours[1] and ref[0] > ref[1]
    for a, b in zip(ours, ref):  # Q4_K_M in llama.cpp vs the same file dequantized to bf16
        assert abs(a - b) <= max(1.0, 0.15 * abs(b))


def test_ask_with_the_llamacpp_engine(small_home):
    res = run_cli("ask", "Which men should be screened for abdominal aortic aneurysm?", "--engine", "llamacpp",
                  "--json", home=small_home)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["answer"].strip() and doc["sources"]


def test_chat_template_from_a_model_file_is_sandboxed():
    from medassist.backends.llamacpp_backend import render_chat_template
    from medassist.prompts.formats import llama3_chat

    from .test_prompts import META_LLAMA3_TEMPLATE

    msgs = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Dose of aspirin?"}]
    assert render_chat_template(META_LLAMA3_TEMPLATE, msgs, bos="<|begin_of_text|>") == llama3_chat(
        [("system", "Be brief."), ("user", "Dose of aspirin?")])
    evil = "{{ ''.__class__.__mro__[1].__subclasses__() }}{{ cycler.__init__.__globals__.os.system('touch /tmp/x') }}"
    with pytest.raises(UserError, match="unsafe"):
        render_chat_template(evil, msgs)


def test_a_crashing_llamacpp_build_is_explained(tmp_path, monkeypatch):
    """A real AMX crash cannot be produced on demand; the child process's exit by SIGSEGV is."""
    from medassist.backends import llamacpp_backend

    monkeypatch.setattr(llamacpp_backend.subprocess, "run",
                        lambda *a, **k: subprocess.CompletedProcess(a, -11, "", "Segmentation fault"))
    with pytest.raises(UserError, match="AMX") as info:
        llamacpp_backend.smoke_test(tmp_path / "model.gguf", tmp_path)
    assert "GGML_AMX_TILE=OFF" in str(info.value)


def test_a_files_own_chat_template_is_compared_with_the_family_format():
    from medassist.backends.llamacpp_backend import template_check

    from .test_prompts import META_LLAMA3_TEMPLATE

    med42 = get_spec("med42-8b-gguf")
    assert template_check(med42, META_LLAMA3_TEMPLATE) is None  # the same format: nothing to say
    odd = "{% for m in messages %}### {{ m['role'] }}: {{ m['content'] }}\n{% endfor %}### assistant:"
    assert "differs" in template_check(med42, odd)
    with pytest.raises(UserError, match="unsafe"):
        template_check(med42, "{{ ''.__class__.__mro__[1].__subclasses__() }}")
