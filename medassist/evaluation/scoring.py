"""From per-option scores or generated text to a prediction, and from predictions to accuracy.

Log-likelihood: the prediction is the option with the highest summed log-probability (`acc`), or
the highest per character of the option's text (`acc_norm`, as lm-evaluation-harness normalises).
An item that needs k letters (IgakuQA "2つ選べ") takes the k best options.

Generated text is read by one stated rule (`extract_letters`):
  1. the answer's opening: "B", "(B)", "B.", "B)", "b, d", "bd" ... before any other word;
  2. else a phrase "answer is B" / "answer: B" / "正解は b" / "答え: b";
  3. else the text of exactly one option appearing in the answer.
Anything else is unparseable: counted, and scored wrong.
"""
from __future__ import annotations

import math
import random
import re

_SEP = r"[\s,、，/&]*(?:and|or|と)?[\s,、，/&]*"


def predict_loglik(scores: dict[str, float], lengths: dict[str, int], n_answers: int, normalise: bool) -> list[str]:
    value = {k: (s / max(1, lengths[k]) if normalise else s) for k, s in scores.items()}
    ranked = sorted(value, key=lambda k: (-value[k], k))
    return sorted(ranked[:n_answers])


def extract_letters(text: str, letters: list[str], options: dict[str, str] | None = None) -> list[str] | None:
    """The letter(s) a generated answer chose, or None when the rule finds none."""
    cls = "".join(letters) + "".join(letters).upper() if letters[0].islower() else "".join(letters)
    one = rf"\(?([{cls}])\)?"
    t = text.strip().lstrip("*:： ").strip()
    m = re.match(rf"^{one}(?:{_SEP}{one})*(?=$|[\s.:)、。,，]|\*)", t)
    if m:
        found = re.findall(rf"\(?([{cls}])\)?", m.group(0))
        return sorted({f.lower() if letters[0].islower() else f for f in found})
    m = re.search(rf"(?:answer|option|choice)\s*(?:is|:)?\s*:?\s*{one}\b|(?:正解|答え)\s*(?:は|:|：)\s*{one}", t,
                  re.IGNORECASE)
    if m:
        f = m.group(1) or m.group(2)
        return [f.lower() if letters[0].islower() else f.upper()]
    if options:
        hits = [k for k, v in options.items() if v and v.lower() in t.lower()]
        if len(hits) == 1:
            return hits
    return None


def bootstrap_ci(values: list[float], seed: int, rounds: int = 1000) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean of `values` (1.0 correct, 0.0 wrong)."""
    n = len(values)
    if n == 0:
        return (math.nan, math.nan)
    rng = random.Random(seed)
    means = sorted(sum(values[rng.randrange(n)] for _ in range(n)) / n for _ in range(rounds))
    return means[int(0.025 * rounds)], means[min(rounds - 1, int(0.975 * rounds))]


def summarise(rows: list[dict], seed: int) -> dict:
    """rows: per-item results of one model x task x protocol."""
    correct = [1.0 if r["correct"] else 0.0 for r in rows]
    n = len(rows)
    acc = sum(correct) / n if n else math.nan
    low, high = bootstrap_ci(correct, seed)
    out = {"accuracy": acc, "ci95": [low, high], "items": n,
           "unparseable": sum(1 for r in rows if r.get("prediction") is None)}
    if rows and "correct_norm" in rows[0]:
        out["acc_norm"] = sum(1 for r in rows if r["correct_norm"]) / n
    subjects: dict[str, list[float]] = {}
    for r, c in zip(rows, correct):
        if r.get("subject"):
            subjects.setdefault(r["subject"], []).append(c)
    if len(subjects) > 1:
        out["by_subject"] = {s: {"accuracy": sum(v) / len(v), "items": len(v)} for s, v in sorted(subjects.items())}
    return out
