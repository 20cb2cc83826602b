"""medassist's log-likelihood accuracy agrees with lm-evaluation-harness on the same items, model and scoring."""
from __future__ import annotations

from pathlib import Path

import pytest

from medassist.evaluation import TASKS, Job, Protocol, evaluate, load_task
from medassist.settings import Settings

from .benchmark_samples import BENCH

pytestmark = pytest.mark.slow  # runs lm-evaluation-harness beside medassist

lm_eval = pytest.importorskip("lm_eval", reason="lm-evaluation-harness is the reference (the 'reference' extra)")


# lm-eval takes ~6 s a MedQA item here (it does not share the question across options): 8 of them
@pytest.mark.parametrize(("task", "n"), [("pubmedqa", 100), ("medqa", 8)])
def test_loglik_accuracy_matches_lm_eval(task, n, tmp_path, model_cache, monkeypatch):
    from medassist.evaluation.reference import lm_eval_scores

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    items = load_task(TASKS[task], BENCH)[:n]
    ours = evaluate(Job(models=["gemma3-270m"], tasks=[TASKS[task]], protocol=Protocol(), data=BENCH, out=tmp_path,
                        limit=n, backend_options={"dtype": "fp32"}), Settings.from_env(), progress=lambda m: None)
    mine = ours["results"][0]
    # lm-eval reads the same weights medassist converted from the GGUF, in float32
    ref = lm_eval_scores(items, Path(model_cache) / "converted" / "gemma3-270m" / "float32")
    assert abs(mine["accuracy"] - ref["acc"]) <= 0.005
    assert abs(mine["acc_norm"] - ref["acc_norm"]) <= 0.005
    rows = [__import__("json").loads(x) for x in
            (tmp_path / "gemma3-270m" / f"{task}.loglik-option-0shot.jsonl").read_text().splitlines()]
    for row, item, ll in zip(rows, items, ref["loglikelihoods"]):
        assert row["id"] == item.id
        assert [row["scores"][k] for k in item.options] == pytest.approx(ll, abs=1e-3)
