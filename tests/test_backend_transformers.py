"""The transformers backend: contract behaviour on the real default model, and clear errors."""
import pytest

from medassist.backends import Backend, load_backend
from medassist.backends.stops import stream_until_stop
from medassist.backends.transformers_backend import CONVERTED_MARK, converted_dir, resolve_dtype
from medassist.catalogue import get_spec
from medassist.errors import UserError
from medassist.types import GenerationSettings
from medassist.weights import gguf_source

pytestmark = pytest.mark.slow  # loads the default model in transformers


def test_the_default_model_meets_the_contract(backend):
    assert isinstance(backend, Backend)
    assert backend.count_tokens("aortic aneurysm") > 1
    text = backend.generate("Question: What organ pumps blood?\nAnswer:", GenerationSettings(max_new_tokens=12))
    assert isinstance(text, str) and text.strip()
    assert backend.last_usage["new_tokens"] <= 12


def test_stop_strings_are_never_shown(backend):
    out = backend.generate("1, 2, 3, 4, 5, 6,", GenerationSettings(max_new_tokens=30, stop=(" 9",)))
    assert " 9" not in out and "8" in out
    pieces = "".join(backend.stream("1, 2, 3, 4, 5, 6,", GenerationSettings(max_new_tokens=30, stop=(" 9",))))
    assert pieces == out


def test_stream_filter_holds_back_partial_stops():
    chunks = ["The answer", " is 4.\n", "\nQuestion", ": next"]
    assert "".join(stream_until_stop(chunks, ("\n\n", "\nQuestion:"))) == "The answer is 4."
    assert "".join(stream_until_stop(["A", "\nQues", "tion: x"], ("\nQuestion:",))) == "A"
    assert list(stream_until_stop(["abc"], ())) == ["abc"]


def test_converted_weights_are_cached_and_load_from_a_local_dir(backend, model_cache):
    target = converted_dir("gemma3-270m", model_cache, resolve_dtype(None))
    assert (target / CONVERTED_MARK).exists() and (target / "model.safetensors").exists()
    again = load_backend(get_spec("gemma3-270m"), model_cache, progress=lambda m: None, model_path=str(target))
    prompt = "Question: What organ pumps blood?\nAnswer:"
    settings = GenerationSettings(max_new_tokens=8)
    assert again.generate(prompt, settings) == backend.generate(prompt, settings)
    again.close()


def test_a_user_gguf_file_is_keyed_by_path_and_version(tmp_path):
    f = tmp_path / "my-model.gguf"
    f.write_bytes(b"GGUF")
    path, key = gguf_source(get_spec("gemma3-270m"), str(f), tmp_path)
    assert path == f and key.startswith("my-model-")
    with pytest.raises(UserError, match="No GGUF file"):
        gguf_source(get_spec("gemma3-270m"), str(tmp_path / "missing.gguf"), tmp_path)


def test_weights_not_on_disk_say_how_to_get_them(tmp_path):
    with pytest.raises(UserError, match="hf download m42-health/Llama3-Med42-8B"):
        load_backend(get_spec("med42-8b"), tmp_path, progress=lambda m: None)
    with pytest.raises(UserError, match="hf download QuantFactory/Llama3-Med42-8B-GGUF"):
        load_backend(get_spec("med42-8b-gguf"), tmp_path, engine="transformers", progress=lambda m: None)


def test_an_unknown_engine_is_named_with_the_ones_there_are():
    with pytest.raises(UserError, match="Available engines: transformers, llamacpp, xllamacpp, server"):
        load_backend(get_spec("med42-8b-gguf"), "/tmp", engine="tensorrt", progress=lambda m: None)


def test_a_gguf_that_is_not_on_disk_says_how_to_fetch_it():
    with pytest.raises(UserError, match="hf download QuantFactory/Llama3-Med42-8B-GGUF"):
        load_backend(get_spec("med42-8b-gguf"), "/tmp", progress=lambda m: None)
