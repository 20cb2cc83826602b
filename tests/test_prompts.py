"""Prompt formats, character for character, and evidence fitted to the context window."""
import pytest

from medassist.catalogue import get_spec
from medassist.errors import UserError
from medassist.prompts import build_prompt
from medassist.prompts.formats import MED42_SYSTEM
from medassist.types import Passage


def P(n, text="The USPSTF recommends annual screening for lung cancer with low-dose computed tomography."):
    return Passage(f"c{n}", f"ngc-{n}", f"Guideline {n}", "USPSTF", 2014, "Major Recommendations", text)


def words(text: str) -> int:
    return len(text.split())


def test_llama3_chat_format_is_metas_template():
    built = build_prompt(get_spec("med42-8b"), "Who should be screened?", [P(1)], words, 100)
    expected_user = ("Answer the question using only the numbered guideline passages below. After each claim, cite "
                     "the passage it comes from as [n]. If the passages do not contain the answer, say: \"The "
                     "provided guideline passages do not answer this question.\"\n\nGuideline passages:\n"
                     "[1] Guideline 1 (USPSTF, 2014) - Major Recommendations:\n"
                     "The USPSTF recommends annual screening for lung cancer with low-dose computed tomography.\n\n"
                     "Question: Who should be screened?")
    assert built.text == (
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n" + MED42_SYSTEM + "<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\n" + expected_user + "<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n"
    )
    assert "<|eot_id|>" in built.stop


def test_base_fewshot_is_evidence_first_and_ends_open():
    built = build_prompt(get_spec("meditron-70b"), "Who should be screened?", [P(1), P(2)], words, 100)
    tail = built.text[built.text.rindex("Passages:\n"):]
    assert tail.startswith("Passages:\n[1] Guideline 1 (USPSTF, 2014) - Major Recommendations:\n")
    assert "\n[2] Guideline 2 " in tail
    assert tail.endswith("\nQuestion: Who should be screened?\nAnswer:")
    assert built.text.count("Question:") == 3  # two worked examples, then ours
    assert "\n\n" in built.stop


def test_japanese_format_for_medswallow():
    built = build_prompt(get_spec("medswallow-70b"), "肺がん検診の対象は？", [P(1)], words, 100)
    assert built.text.endswith("質問: 肺がん検診の対象は？\n回答:")


def test_no_rag_prompt_has_no_passages():
    built = build_prompt(get_spec("gemma3-270m"), "Who should be screened?", None, words, 100)
    assert "Passages:" not in built.text and built.passages == []


def test_evidence_is_trimmed_to_the_context_never_overflows():
    long = " ".join(["screening"] * 400)
    passages = [P(i, long) for i in range(1, 6)]
    spec = get_spec("meditron-70b")
    built = build_prompt(spec, "Who should be screened?", passages, words, 200, context_length=1000)
    assert words(built.text) <= 1000 - 200
    assert 1 <= len(built.passages) < 5
    assert any(n.kind == "context" for n in built.notices)
    assert built.passages == passages[: len(built.passages)]  # lowest-ranked dropped first


def test_no_room_for_any_evidence_is_a_clear_error():
    with pytest.raises(UserError, match="context"):
        build_prompt(get_spec("meditron-70b"), "Who? " * 300, [P(1)], words, 100, context_length=400)


# Meta's published chat template for Llama-3 Instruct (tokenizer_config.json of Meta-Llama-3-8B-Instruct,
# which Llama3-Med42 inherits), rendered the way transformers renders it: a sandboxed Jinja environment.
META_LLAMA3_TEMPLATE = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + "
    "message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
    "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)


@pytest.mark.parametrize("evidence", [None, [1, 2]])
def test_med42_prompt_equals_metas_jinja_template_rendered(evidence):
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from medassist.prompts.formats import FORMATS, llama3_chat

    passages = None if evidence is None else [(n, P(n), P(n).text) for n in evidence]
    ours = FORMATS["llama3-chat"].render("  Who should be screened?  ", passages)
    user = ours.split("<|start_header_id|>user<|end_header_id|>\n\n", 1)[1].split("<|eot_id|>", 1)[0]
    messages = [{"role": "system", "content": MED42_SYSTEM}, {"role": "user", "content": user}]
    template = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True).from_string(META_LLAMA3_TEMPLATE)
    assert ours == template.render(messages=messages, bos_token="<|begin_of_text|>", add_generation_prompt=True)
    assert llama3_chat([("user", " x ")]).endswith("x<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")


def test_every_catalogue_model_has_its_familys_format_and_stops():
    from medassist.catalogue import CATALOGUE
    from medassist.prompts.formats import FORMATS

    expected = {"llama2": "base-fewshot", "llama3.1": "base-fewshot", "gemma3": "base-fewshot"}
    for spec in CATALOGUE.values():
        fmt = FORMATS[spec.prompt_format]
        if spec.instruction_tuned:  # Med42: Llama-3 chat, ends its turn with <|eot_id|>
            assert spec.prompt_format == "llama3-chat" and "<|eot_id|>" in fmt.stop + spec.extra_eos_tokens
        elif "ja" in spec.languages:  # MedSwallow: Japanese few-shot
            assert spec.prompt_format == "base-fewshot-ja" and "\n質問:" in fmt.stop
        else:
            assert spec.prompt_format == expected[spec.family] and "\nQuestion:" in fmt.stop


def test_default_model_prompt_token_for_token_has_one_bos(backend):
    built = build_prompt(get_spec("gemma3-270m"), "Who should be screened?", [P(1)], backend.count_tokens, 100)
    ids = backend._encode(built.text)["input_ids"][0].tolist()
    bos = backend.tokenizer.bos_token_id
    assert ids[0] == bos and ids.count(bos) == 1
    assert backend.tokenizer.decode(ids[1:]) == built.text  # the prompt survives tokenization unchanged
