"""Prompt formats, one per model family, as each family's authors prompt it.

Base models (Meditron, Meditron-3, MedSwallow, the Gemma default) get an evidence-first few-shot
prompt: worked examples, then the passages, the question and an open "Answer:". Chat models
(Med42) get their system prompt and the Llama-3 chat template, ending on the assistant header.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..types import Passage


@dataclass(frozen=True)
class Format:
    name: str
    stop: tuple[str, ...]  # strings that end the answer

    def render(self, question: str, evidence: list[tuple[int, Passage, str]] | None) -> str:
        raise NotImplementedError


def passage_header(n: int, p: Passage) -> str:
    who = ", ".join(str(x) for x in (p.organisation, p.year) if x)
    return f"[{n}] {p.title}{f' ({who})' if who else ''} - {p.locator()}"


def render_evidence(evidence: list[tuple[int, Passage, str]]) -> str:
    """evidence: (number, passage, text to show — possibly trimmed)."""
    return "\n".join(f"{passage_header(n, p)}:\n{text}" for n, p, text in evidence)


# One worked example with evidence, one where the evidence does not answer. Paraphrased from
# public USPSTF recommendation statements (US government works).
_EXAMPLE_EVIDENCE = (
    "[1] Screening for abdominal aortic aneurysm (U.S. Preventive Services Task Force, 2014) - Major Recommendations:\n"
    "The USPSTF recommends one-time screening for abdominal aortic aneurysm (AAA) with ultrasonography in men "
    "aged 65 to 75 years who have ever smoked. (B recommendation)\n"
    "[2] Screening for abdominal aortic aneurysm (U.S. Preventive Services Task Force, 2014) - Major Recommendations:\n"
    "The USPSTF recommends against routine screening for AAA in women who have never smoked. (D recommendation)\n"
    "[3] Screening for hepatitis B virus infection (U.S. Preventive Services Task Force, 2014) - Target Population:\n"
    "Nonpregnant adolescents and adults at high risk for hepatitis B virus infection."
)
_EXAMPLE_Q = "Should a 70-year-old man who smoked for 20 years be screened for an aortic aneurysm?"
_EXAMPLE_A = (
    "Yes. The USPSTF recommends one-time screening for abdominal aortic aneurysm with ultrasonography "
    "in men aged 65 to 75 years who have ever smoked [1]."
)
_EXAMPLE2_EVIDENCE = (
    "[1] Screening for hepatitis B virus infection (U.S. Preventive Services Task Force, 2014) - "
    "Major Recommendations:\n"
    "The USPSTF recommends screening for hepatitis B virus infection in persons at high risk for infection. "
    "(B recommendation)"
)
_EXAMPLE2_Q = "What is the first-line antibiotic for community-acquired pneumonia in children?"
NO_ANSWER_EN = "The provided guideline passages do not answer this question."
_EXAMPLE2_A = NO_ANSWER_EN

_BASE_INTRO = (
    "The following are clinical questions answered by a careful medical research assistant. Each answer "
    "uses only the numbered guideline passages given with the question, cites the passage number in square "
    "brackets after each claim, and says so when the passages do not contain the answer.\n\n"
)
_BASE_INTRO_NO_RAG = (
    "The following are clinical questions answered briefly and accurately by a careful medical research "
    "assistant.\n\n"
)


class BaseFewShot(Format):
    def render(self, question, evidence):
        if evidence is None:
            return (f"{_BASE_INTRO_NO_RAG}Question: {_EXAMPLE_Q}\nAnswer: Yes. One-time ultrasonography screening "
                    f"for abdominal aortic aneurysm is recommended for men aged 65 to 75 years who have ever "
                    f"smoked.\n\nQuestion: {question}\nAnswer:")
        return (
            f"{_BASE_INTRO}Passages:\n{_EXAMPLE_EVIDENCE}\nQuestion: {_EXAMPLE_Q}\nAnswer: {_EXAMPLE_A}\n\n"
            f"Passages:\n{_EXAMPLE2_EVIDENCE}\nQuestion: {_EXAMPLE2_Q}\nAnswer: {_EXAMPLE2_A}\n\n"
            f"Passages:\n{render_evidence(evidence)}\nQuestion: {question}\nAnswer:"
        )


NO_ANSWER_JA = "提示されたガイドラインの抜粋では、この質問に答えられません。"


class BaseFewShotJapanese(Format):
    """MedSwallow: Japanese instructions and labels; questions in either language."""

    def render(self, question, evidence):
        intro = ("以下は、慎重な医学研究アシスタントが臨床上の質問に答えたものです。回答は質問と一緒に与えられた"
                 "番号付きガイドライン抜粋だけを用い、各主張の後に抜粋番号を角括弧で示し、抜粋に答えがない場合はそう述べます。\n\n")
        example = (
            "抜粋:\n[1] 腹部大動脈瘤のスクリーニング (U.S. Preventive Services Task Force, 2014) - "
            "Major Recommendations:\n"
            "65〜75歳の喫煙歴のある男性に、超音波による腹部大動脈瘤の1回のスクリーニングを推奨する。(B推奨)\n"
            "質問: 喫煙歴のある70歳男性に大動脈瘤のスクリーニングは勧められますか。\n"
            "回答: はい。喫煙歴のある65〜75歳の男性には、"
            "超音波による腹部大動脈瘤の1回のスクリーニングが推奨されています [1]。\n\n"
        )
        if evidence is None:
            return f"{intro}質問: {question}\n回答:"
        return f"{intro}{example}抜粋:\n{render_evidence(evidence)}\n質問: {question}\n回答:"


MED42_SYSTEM = (
    "You are a helpful, respectful and honest medical assistant. You are a second version of Med42 developed by "
    "the AI team at M42, UAE. Always answer as helpfully as possible, while being safe. Your answers should not "
    "include any harmful, unethical, racist, sexist, toxic, dangerous, or illegal content. Please ensure that your "
    "responses are socially unbiased and positive in nature. If a question does not make any sense, or is not "
    "factually coherent, explain why instead of answering something not correct. If you don't know the answer to "
    "a question, please don't share false information."
)
_GROUNDING_RULES = (
    "Answer the question using only the numbered guideline passages below. After each claim, cite the passage "
    "it comes from as [n]. If the passages do not contain the answer, say: \"" + NO_ANSWER_EN + "\""
)


def llama3_chat(messages: list[tuple[str, str]]) -> str:
    """Meta's Llama-3 chat template, ending with the open assistant header."""
    out = "<|begin_of_text|>"
    for role, content in messages:
        out += f"<|start_header_id|>{role}<|end_header_id|>\n\n{content.strip()}<|eot_id|>"
    return out + "<|start_header_id|>assistant<|end_header_id|>\n\n"


class Llama3Chat(Format):
    def render(self, question, evidence):
        if evidence is None:
            return llama3_chat([("system", MED42_SYSTEM), ("user", question)])
        user = f"{_GROUNDING_RULES}\n\nGuideline passages:\n{render_evidence(evidence)}\n\nQuestion: {question}"
        return llama3_chat([("system", MED42_SYSTEM), ("user", user)])


FORMATS: dict[str, Format] = {
    # Base models: each worked example is one paragraph, so a blank line ends the answer (as in
    # lm-evaluation-harness's generative tasks), as does the start of a next example or a line
    # opening with "[n]" (the model copying a passage header instead of answering).
    "base-fewshot": BaseFewShot("base-fewshot", stop=("\n\n", "\nPassages:", "\nQuestion:", "\n[")),
    "base-fewshot-ja": BaseFewShotJapanese("base-fewshot-ja", stop=("\n\n", "\n抜粋:", "\n質問:", "\n[")),
    "llama3-chat": Llama3Chat("llama3-chat", stop=("<|eot_id|>", "<|end_of_text|>")),
}
