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
