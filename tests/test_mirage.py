"""MIRAGE complete: all five tasks from benchmark.json as published, bad items skipped, the leaderboard's average."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from medassist.evaluation import TASKS, load_task
from medassist.evaluation.items import MIRAGE_TASKS, LoadReport
from medassist.evaluation.report import markdown

from .benchmark_samples import write_mirage_benchmark
from .conftest import run_cli


@pytest.fixture()
def mirage(tmp_path) -> Path:
    return write_mirage_benchmark(tmp_path / "MIRAGE")


def test_a_folder_holding_benchmark_json_or_the_file_itself_gives_all_five_tasks(mirage):
    for data in (mirage, mirage / "benchmark.json"):
        loaded = {t: load_task(TASKS[t], data) for t in MIRAGE_TASKS}
        assert {t: len(v) for t, v in loaded.items()} == dict.fromkeys(MIRAGE_TASKS, 2)
    mmlu = load_task(TASKS["mmlu"], mirage)
    assert [i.subject for i in mmlu] == ["anatomy", "medical_genetics"] and mmlu[0].answer == ("B",)
    bioasq = load_task(TASKS["bioasq"], mirage)
    assert bioasq[0].options == {"A": "yes", "B": "no"} and [i.answer for i in bioasq] == [("A",), ("B",)]
    medqa = load_task(TASKS["medqa"], mirage)
    assert medqa[0].id == "0000" and list(medqa[0].options) == list("ABCD")


def test_per_task_files_still_come_first(mirage):
    (mirage / "mirage").mkdir()
    (mirage / "mirage" / "mmlu.json").write_text(json.dumps({"mmlu": {"anatomy-009": {
        "question": "q", "options": {"A": "x", "B": "y"}, "answer": "A"}}}))
    assert [i.id for i in load_task(TASKS["mmlu"], mirage)] == ["anatomy-009"]


def test_bad_items_are_reported_and_the_rest_loads(tmp_path):
    good = {"question": "Is it?", "options": {"A": "yes", "B": "no"}, "answer": "A"}
    entries = [("id1", good), ("id2", {**good, "options": {}}), ("id3", {**good, "answer": "C"}),
               ("id1", {**good, "answer": "B"}), ("id4", {k: v for k, v in good.items() if k != "question"}),
               ("id5", good)]  # written by hand: a JSON object with a repeated key, as a hand-edited file may hold
    text = '{"bioasq": {' + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in entries) + "}}"
    path = tmp_path / "benchmark.json"
    path.write_text(text)
    report = LoadReport()
    items = load_task(TASKS["bioasq"], tmp_path, report=report)
    assert [(i.id, i.answer) for i in items] == [("id1", ("A",)), ("id5", ("A",))]  # the first id1 is kept
    problems = "\n".join(report.problems)
    assert f"{path} item id1: question id appears more than once; the first is kept" in problems
    assert f"{path} item id2: 'options' is empty" in problems
    assert f"{path} item id3: answer ['C'] is not among the options ['A', 'B']" in problems
    assert f"{path} item id4: field 'question' is missing" in problems
    assert report.unreadable["bioasq"] == 4


def _result(task: str, acc: float, items: int = 10, available: int = 10, protocol: str = "loglik-option-0shot"):
    return {"model": "m", "task": task, "protocol": protocol, "accuracy": acc, "ci95": [acc, acc], "items": items,
            "items_available": available, "mode": "loglik", "score": "option", "shots": 0, "chat": False,
            "rag": False, "k": 3, "seed": 1}


def test_the_leaderboard_view_averages_the_five_tasks_and_says_when_it_is_partial():
    accs = dict(zip(MIRAGE_TASKS, (0.5, 0.4, 0.3, 0.6, 0.7)))
    text = markdown({"results": [_result(t, a) for t, a in accs.items()]})
    assert "| MMLU-Med | MedQA-US | MedMCQA | PubMedQA* | BioASQ-Y/N | Average |" in text
    assert "| m | loglik-option-0shot | 50.0 | 40.0 | 30.0 | 60.0 | 70.0 | 50.0 |" in text
    assert "--limit run" not in text and "needs all five" not in text
    cut = markdown({"results": [_result(t, a, items=5 if t == "bioasq" else 10) for t, a in accs.items()]})
    assert "| 70.0* | 50.0* |" in cut and "\\* a --limit run" in cut
    assert "MIRAGE" not in markdown({"results": [_result("medqa", 0.4)]})  # one task: no leaderboard view


@pytest.mark.slow
def test_all_five_tasks_run_with_and_without_the_library(mirage, small_home, tmp_path):
    res = run_cli("eval", "--task", ",".join(MIRAGE_TASKS), "--data", str(mirage / "benchmark.json"), "--rag",
                  "--k", "1", "--limit", "1", "--out", str(tmp_path), "--json", home=small_home)
    assert res.returncode == 0, res.stderr
    results = json.loads(res.stdout)["results"]
    assert sorted((r["task"], r["rag"]) for r in results) == sorted((t, rag) for t in MIRAGE_TASKS
                                                                    for rag in (False, True))
    assert all((r["items"], r["items_available"]) == (1, 2) for r in results)
    report = (tmp_path / "report.md").read_text()
    assert "| gemma3-270m | loglik-option-0shot |" in report and "| gemma3-270m | loglik-option-0shot-rag |" in report
    assert "\\* a --limit run" in report
    rows = (tmp_path / "gemma3-270m" / "bioasq.loglik-option-0shot-rag.jsonl").read_text().splitlines()
    assert all(len(json.loads(x)["passages"]) == 1 for x in rows)
