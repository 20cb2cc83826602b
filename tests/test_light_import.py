"""`import medassist` and `medassist --help` must not load the heavy stacks."""
import json
import subprocess
import sys

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
                          "medassist.backends.llamacpp_backend, medassist.weights, medassist.cpu, medassist.cli.runtime")
    assert not [m for m in HEAVY if m in mods]
