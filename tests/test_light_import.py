"""`import medassist` and `medassist --help` must not load the heavy stacks."""
import json
import subprocess
import sys

import pytest

HEAVY = ("torch", "transformers", "chromadb", "sentence_transformers", "langchain_text_splitters", "numpy")


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "; import sys, json; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_medassist_is_light():
    mods = _modules_after("import medassist")
    assert not [m for m in HEAVY if m in mods]


def test_help_is_light_and_shows_disclaimer():
    code = ("import sys; sys.argv=['medassist','--help']\nfrom medassist.cli import main\ntry:\n main()\n"
            "except SystemExit: pass")
    out = subprocess.run([sys.executable, "-c", code + "\nimport json; print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True)
    *text, mods = out.stdout.strip().splitlines()
    assert "Research use only" in " ".join(text)
    assert not [m for m in HEAVY if m in set(json.loads(mods))]


def test_the_llama_cpp_engines_and_the_engine_choice_import_no_torch():
    """Choosing the engine, and the llama.cpp engines themselves, need neither torch nor transformers."""
    mods = _modules_after("import medassist.backends.calibration, medassist.backends.xllamacpp_backend, "
                          "medassist.backends.llamacpp_backend, medassist.weights, medassist.cpu, "
                          "medassist.cli.runtime")
    assert not [m for m in HEAVY if m in mods]


LOADS = ("torch", "transformers", "chromadb", "sentence_transformers", "gradio", "llama_cpp", "xllamacpp")
RUN = f"""
import json, sys
from medassist.cli import main
rc = main(json.loads(sys.argv[1]))
print(json.dumps({{"rc": rc, "loaded": [m for m in {LOADS!r} if m in sys.modules]}}))
"""


@pytest.mark.parametrize("args, message", [
    (["ask", "Who should be screened?", "--k", "0"], "--k must be at least 1"),
    (["ask", "Who should be screened?", "--temperature", "-1"], "--temperature must be at least 0"),
    (["ask", "Who should be screened?", "--max-new-tokens", "0"], "--max-new-tokens must be at least 1"),
    (["ask", "Who should be screened?", "--max-new-tokens", "100000000"], "max-new-tokens 100,000,000 leaves no room"),
    (["ask", "Who should be screened?", "--context-length", "10"], "--context-length must be at least 256"),
    (["ask", "Who should be screened?", "--seed", "-5"], "--seed must be at least 0"),
    (["ask", "Who should be screened?", "--year", "soon"], "is not a year or range"),
    (["search", "aneurysm", "--k", "0"], "--k must be at least 1"),
    (["search", "aneurysm", "--year", "nineteen"], "is not a year or range"),
    (["index", "add", "/no/such/protocol.pdf"], "no such file or folder"),
    (["index", "add", "/no/such/protocol.pdf", "--wait", "-1"], "--wait must be at least 0"),
    (["history", "--limit", "0"], "--limit must be at least 1"),
    (["ui", "--port", "99999"], "--port must be at most 65535"),
    (["plan", "gemma3-270m", "--batch", "0"], "--batch must be at least 1"),
])
def test_bad_arguments_are_refused_before_anything_heavy_loads(tmp_path, args, message):
    """Before: --k 0 and a missing path were refused after the embedder loaded (~30 s), --temperature -1
    was accepted, a huge --max-new-tokens blamed the question, a bad --port ended in a traceback."""
    import os

    res = subprocess.run([sys.executable, "-c", RUN, json.dumps(args)], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "MEDASSIST_HOME": str(tmp_path)})
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["rc"] == 2 and message in res.stderr and "Traceback" not in res.stderr, res.stderr[-1500:]
    assert out["loaded"] == [], f"{' '.join(args)} loaded {out['loaded']} before refusing"
