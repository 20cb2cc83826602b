"""Stronger verifiers the user can add beside the rule-based default, through the same `check`.

`MEDASSIST_VERIFIER` (comma-separated) chooses them:
    rules            the offline default (always on)
    nli:PATH_OR_ID   an NLI / fact-checking cross-encoder from a local folder or the Hugging Face cache
                     (e.g. cross-encoder/nli-deberta-v3-base, MiniCheck): entailment -> supported,
                     contradiction -> contradicted, else not found
    judge            the answering model itself, asked with the stated prompt below (for large models)
Each one checks the statement the rules aligned with the claim (the best few units), so a
stronger verifier sees the same evidence. The strictest verdict wins (verify/__init__.py).
"""
from __future__ import annotations

from pathlib import Path

from ..errors import UserError
from .facets import facets
from .rules import Check, RuleVerifier, coverage
from .units import Unit

CANDIDATES = 3  # statements per claim a learned verifier reads (the rules' best-aligned ones)


def _candidates(claim: str, units: list[Unit], first: Check | None) -> list[Unit]:
    f = facets(claim)
    ranked = sorted(units, key=lambda u: coverage(f, u)[:2], reverse=True)[:CANDIDATES]
    if first is not None and first.unit is not None and first.unit not in ranked:
        ranked = [first.unit, *ranked[:CANDIDATES - 1]]
    return ranked


class NLIVerifier:
    """A sequence-classification model whose labels include entailment and contradiction."""

    def __init__(self, location: str, threshold: float = 0.5):
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError:
            raise UserError("An NLI verifier needs torch and transformers (installed with medassist).") from None
        path = Path(location).expanduser()
        source = str(path) if path.is_dir() else location
        from ..loading import LOAD_LOCK

        try:
            with LOAD_LOCK:  # one model built at a time in a process
                self.tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
                self.model = AutoModelForSequenceClassification.from_pretrained(source, local_files_only=True).eval()
        except OSError as exc:
            raise UserError(f"The NLI verifier '{location}' is not on this machine ({exc}). Give a local folder or a "
                            "model already in the Hugging Face cache: nothing is downloaded.") from None
        labels = {int(i): str(name).lower() for i, name in self.model.config.id2label.items()}
        self.entail = next((i for i, n in labels.items() if n.startswith("entail") or n in ("supported", "yes")), None)
        self.contra = next((i for i, n in labels.items() if n.startswith("contra")), None)
        if self.entail is None:
            raise UserError(f"The model at '{location}' has no entailment label (its labels: {labels}); it is not an "
                            "NLI or fact-checking model.")
        self.name, self.threshold, self._torch = f"nli:{path.name or location}", threshold, torch

    def check(self, claim: str, units: list[Unit], question: str | None = None, first: Check | None = None) -> Check:
        candidates = _candidates(claim, units, first)
        if not candidates:
            return Check("not_found", None, "no passage to check against", 0.0, self.name)
        enc = self.tokenizer([u.text for u in candidates], [claim] * len(candidates), padding=True, truncation=True,
                             max_length=512, return_tensors="pt")
        with self._torch.inference_mode():
            probs = self.model(**enc).logits.float().softmax(-1)
        best = int(probs[:, self.entail].argmax())
        if float(probs[best, self.entail]) >= self.threshold:
            return Check("supported", candidates[best], f"entailed ({float(probs[best, self.entail]):.2f})",
                         float(probs[best, self.entail]), self.name)
        if self.contra is not None:
            worst = int(probs[:, self.contra].argmax())
            if float(probs[worst, self.contra]) >= self.threshold:
                return Check("contradicted", candidates[worst],
                             f"contradiction ({float(probs[worst, self.contra]):.2f})",
                             float(probs[worst, self.contra]), self.name)
        return Check("not_found", candidates[0], "neither entailed nor contradicted", 0.0, self.name)


JUDGE_PROMPT = (
    "You check a claim against a passage from a clinical guideline.\n"
    "Passage: {passage}\n"
    "Claim: {claim}\n"
    "Does the passage support the claim, contradict it, or not say? Answer with one word: SUPPORTED, CONTRADICTED "
    "or NOT_FOUND.\nAnswer:"
)


class LLMJudge:
    """The answering model itself judges each claim against the rules' best-aligned statements."""

    name = "judge"

    def __init__(self, backend_factory):
        self._backend_factory = backend_factory  # the model loads (if not yet) only when a claim is judged

    def check(self, claim: str, units: list[Unit], question: str | None = None, first: Check | None = None) -> Check:
        from ..types import GenerationSettings

        candidates = _candidates(claim, units, first)
        backend = self._backend_factory()
        verdicts = []
        for unit in candidates:
            reply = backend.generate(JUDGE_PROMPT.format(passage=unit.text, claim=claim),
                                     GenerationSettings(max_new_tokens=6, temperature=0.0, stop=("\n",)))
            word = reply.strip().upper().replace(" ", "_")
            verdict = ("contradicted" if word.startswith("CONTRADICT") else "supported" if word.startswith("SUPPORT")
                       else "not_found")
            verdicts.append((verdict, unit, reply.strip()))
        for wanted in ("supported", "contradicted"):
            hit = next(((v, u, r) for v, u, r in verdicts if v == wanted), None)
            if hit:
                return Check(hit[0], hit[1], f"the model judged it {hit[0]} ({hit[2][:40]!r})", 1.0, self.name)
        return Check("not_found", candidates[0] if candidates else None, "the model found no statement of it", 0.0,
                     self.name)


def load_verifiers(settings, judge_backend=None) -> list:
    """The verifiers `settings.verifiers` names ("rules,nli:PATH,judge"); the rules always come first."""
    out: list = [RuleVerifier()]
    for item in (settings.verifiers or "rules").split(","):
        item = item.strip()
        if not item or item == "rules":
            continue
        if item.startswith("nli:"):
            out.append(NLIVerifier(item[4:]))
        elif item == "judge":
            if judge_backend is None:
                raise UserError("The judge verifier needs the answering model.")
            out.append(LLMJudge(judge_backend))
        else:
            raise UserError(f"Unknown verifier '{item}' in MEDASSIST_VERIFIER: use rules, nli:PATH_OR_ID or judge.")
    return out
