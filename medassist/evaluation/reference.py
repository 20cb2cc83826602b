"""Run the same items through lm-evaluation-harness (the reference), to check that medassist agrees.

The items go to lm-eval as a custom `multiple_choice` task read from a local JSON Lines file, with
medassist's option-scoring prompt ("Question: {q}\\nAnswer:" + " {option}"), so both score the
same thing. Needs `pip install lm-eval` (the `reference` extra); nothing is downloaded.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from ..errors import UserError
from .items import Item

_TASK_YAML = """task: {name}
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: multiple_choice
doc_to_text: "{{{{prompt}}}}"
doc_to_choice: "{{{{choices}}}}"
doc_to_target: gold
target_delimiter: " "
metric_list:
  - metric: acc
  - metric: acc_norm
"""


def lm_eval_scores(items: list[Item], model_dir: Path, dtype: str = "float32", batch_size: int = 8,
                   prompt_of=None) -> dict:
    """acc, acc_norm and per-item predictions (option index) from lm-eval's HF model on `items`."""
    try:
        import lm_eval
        from lm_eval.tasks import TaskManager
    except ImportError:
        raise UserError("lm-evaluation-harness is not installed: pip install 'medassist[reference]'") from None
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "items.jsonl"
        with open(data, "w", encoding="utf-8") as f:
            for it in items:
                letters = list(it.options)
                prompt = prompt_of(it) if prompt_of else f"Question: {it.question}\nAnswer:"
                f.write(json.dumps({"id": it.id, "prompt": prompt, "choices": [it.options[k] for k in letters],
                                    "gold": letters.index(it.answer[0])}, ensure_ascii=False) + "\n")
        (Path(tmp) / "medassist_items.yaml").write_text(_TASK_YAML.format(name="medassist_items", data=data))
        result = lm_eval.simple_evaluate(
            model="hf", model_args=f"pretrained={model_dir},dtype={dtype}", tasks=["medassist_items"],
            task_manager=TaskManager(include_path=tmp), batch_size=batch_size, log_samples=True, device="cpu")
    metrics = result["results"]["medassist_items"]
    samples = sorted(result["samples"]["medassist_items"], key=lambda s: s["doc_id"])
    predictions = []
    for s in samples:
        lls = [r[0] for r in s["filtered_resps"]]
        predictions.append(max(range(len(lls)), key=lambda i: lls[i]))
    return {"acc": metrics["acc,none"], "acc_norm": metrics["acc_norm,none"], "predictions": predictions,
            "loglikelihoods": [[r[0] for r in s["filtered_resps"]] for s in samples]}
