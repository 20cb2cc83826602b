"""The evaluation harness on real benchmark items and the real default model."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medassist.errors import UserError
from medassist.evaluation import TASKS, load_task
from medassist.evaluation.igaku import score_exams
from medassist.evaluation.prompting import Protocol, build
from medassist.evaluation.scoring import bootstrap_ci, extract_letters

from .benchmark_samples import BENCH, write_igakuqa, write_samples
from .conftest import run_cli

pytestmark = pytest.mark.slow  # runs benchmarks through the default model


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> Path:
    return write_samples(tmp_path_factory.mktemp("bench"))


# -- loaders -------------------------------------------------------------------------------
def test_every_published_format_loads(samples):
    medqa = load_task(TASKS["medqa"], samples)  # MIRAGE layout found under mirage/
    assert len(medqa) == 4 and list(medqa[0].options) == ["A", "B", "C", "D"]
    five = load_task(TASKS["medqa"], samples / "medqa5" / "medqa.jsonl")
    assert list(five[0].options) == list("ABCDE") and five[0].answer == medqa[0].answer
    assert {i.subject for i in five} == {"step1", "step2&3"}
    mm = load_task(TASKS["medmcqa"], samples / "medmcqa")  # dev.json is JSON Lines, cop 1-based
    raw = json.loads((samples / "medmcqa" / "dev.json").read_text().splitlines()[0])
    assert mm[0].answer == ("ABCD"[raw["cop"] - 1],) and mm[0].subject == "Anatomy"
    rc = load_task(TASKS["pubmedqa-rc"], samples)
    assert len(rc) == 4 and rc[0].context and rc[0].options == {"A": "yes", "B": "no", "C": "maybe"}
    igaku = load_task(TASKS["igakuqa"], samples)
    assert [i.id for i in igaku] == ["112A1", "112A2", "112B1"]  # the image question is skipped by default
    assert igaku[1].answer == ("a", "c") and igaku[2].points == 3 and igaku[2].kinki == ("c", "d")
    assert len(load_task(TASKS["igakuqa"], samples, include_images=True)) == 4


def test_the_full_mirage_and_pubmedqa_sets_load():
    assert len(load_task(TASKS["medqa"], BENCH)) == 1273
    assert len(load_task(TASKS["medmcqa"], BENCH)) == 4183
    assert len(load_task(TASKS["pubmedqa"], BENCH)) == 500
    rc = load_task(TASKS["pubmedqa-rc"], BENCH)
    assert len(rc) == 500 and all(i.context for i in rc)


def test_bad_data_names_the_file_line_and_field(tmp_path):
    bad = tmp_path / "medqa.jsonl"
    bad.write_text('{"question": "q", "options": {"A": "x", "B": "y"}, "answer_idx": "A"}\n'
                   '{"question": "q2", "answer_idx": "B"}\n')
    with pytest.raises(UserError, match=r"medqa.jsonl:2: field 'options' is missing"):
        load_task(TASKS["medqa"], bad)
    bad.write_text('{"question": "q", "options": {"A": "x", "B": "y"}, "answer_idx": "F"}\n')
    with pytest.raises(UserError, match=r"medqa.jsonl:1: answer \['F'\] is not among the options"):
        load_task(TASKS["medqa"], bad)
    bad.write_text('{"question": "q", "options": {"A": "x"\n')
    with pytest.raises(UserError, match=r"medqa.jsonl:1: not valid JSON"):
        load_task(TASKS["medqa"], bad)
    bad.write_text("")
    with pytest.raises(UserError, match="holds no items"):
        load_task(TASKS["medqa"], bad)
    mm = tmp_path / "medmcqa.jsonl"
    mm.write_text('{"id": "x", "question": "q", "opa": "1", "opb": "2", "opc": "3", "opd": "4", "cop": 7}\n')
    with pytest.raises(UserError, match=r"medmcqa.jsonl:1: answer"):
        load_task(TASKS["medmcqa"], mm)
    with pytest.raises(UserError, match="IgakuQA has no licence"):
        load_task(TASKS["igakuqa"], tmp_path)
    with pytest.raises(UserError, match="does not exist"):
        load_task(TASKS["medqa"], tmp_path / "nowhere")


# -- scoring rules -------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "want"), [
    (" B", ["B"]), ("(C) Metformin", ["C"]), ("D. because", ["D"]), ("The answer is A.", ["A"]),
    ("answer: (b)", ["B"]), ("Probably something else", None), ("A and B are both wrong", ["A", "B"]),
])
def test_generated_letters_are_read_by_the_stated_rule(text, want):
    assert extract_letters(text, list("ABCD")) == want


def test_japanese_and_several_letters():
    assert extract_letters(" a, c", list("abcde")) == ["a", "c"]
    assert extract_letters("ac", list("abcde")) == ["a", "c"]  # IgakuQA answers are often written so
    assert extract_letters("abnormal", list("abcde")) is None
    assert extract_letters("a と c", list("abcde")) == ["a", "c"]
    assert extract_letters("正解は c です", list("abcde")) == ["c"]
    assert extract_letters("I would give metformin", list("ABCD"), {"A": "insulin", "B": "metformin"}) == ["B"]


def test_bootstrap_interval_brackets_the_mean():
    values = [1.0] * 60 + [0.0] * 40
    low, high = bootstrap_ci(values, seed=1)
    assert low < 0.6 < high and low > 0.45 and high < 0.75
    assert bootstrap_ci(values, seed=1) == (low, high)  # seeded: reproducible


def test_prompts_are_stated_and_hashed(samples):
    item = load_task(TASKS["pubmedqa-rc"], samples)[0]
    p = build(item, Protocol(), [])
    assert p.text.startswith("Abstract: ") and p.text.endswith("\nAnswer:")
    assert p.continuations == {"A": " yes", "B": " no", "C": " maybe"}
    letter = build(item, Protocol(score="letter"), [])
    assert "\nA. yes\nB. no\nC. maybe\nAnswer:" in letter.text and letter.continuations["B"] == " B"
    assert p.hash != letter.hash
    ja = build(load_task(TASKS["igakuqa"], samples)[0], Protocol(mode="generate"), [])
    assert ja.text.startswith("問題: ") and ja.text.endswith("\na. 10〜20/分\nb. 60〜100/分\nc. 150〜200/分\n"
                                                         "d. 250〜300/分\ne. 300/分以上\n答え:")


def test_igakuqa_points_per_year_prohibited_choices_and_pass_marks(samples):
    from medassist.evaluation.igaku import rule_sets
    from medassist.evaluation.items import LoadReport

    report = LoadReport()
    items = load_task(TASKS["igakuqa"], samples, include_images=True, report=report)
    answers = {"112A1": "b", "112A2": "a,d", "112B1": "c,d"}  # d in 112A2, c and d in 112B1 are prohibited
    e = score_exams(items, answers, rule_sets()["medassist"], {"112A3": "image"}, report.unreadable,
                    report.blocks)["112"]
    assert (e["points"], e["max_points"], e["required"], e["general"]) == (1, 6, 0, 1)  # the image scores nothing
    assert e["year"] == 2018 and e["kinki_questions"] == 2 and e["skipped_images"] == 1
    assert e["passed"] is None and e["verdict"] == "incomplete" and e["why"] == "block(s) C, D, E, F missing"


# -- the real model ------------------------------------------------------------------------
def test_eval_cli_on_every_format_with_the_default_model(samples, tmp_path):
    out = tmp_path / "out"
    res = run_cli("eval", "--task", "medqa,medmcqa,pubmedqa,pubmedqa-rc,igakuqa", "--data", str(samples),
                  "--out", str(out), "--json")
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout)
    assert summary["schema"] == "medassist.eval/1"
    by_task = {r["task"]: r for r in summary["results"]}
    assert set(by_task) == {"medqa", "medmcqa", "pubmedqa", "pubmedqa-rc", "igakuqa"}
    for r in by_task.values():
        assert 0 <= r["accuracy"] <= 1 and r["ci95"][0] <= r["accuracy"] <= r["ci95"][1]
        assert r["mode"] == "loglik" and r["score"] == "option" and r["shots"] == 0 and r["chat"] is False
    assert by_task["medmcqa"]["by_subject"].keys() == {"Anatomy", "Pharmacology"}
    exam = by_task["igakuqa"]["exams"]["112"]
    assert exam["max_points"] == 6 and exam["skipped_images"] == 1  # 1 + 1 + 1 + 3: the image counts, as blank
    assert exam["asked"] == 3 and exam["verdict"] == "incomplete"  # blocks C-F are not in the sample
    line = json.loads((out / "gemma3-270m" / "medqa.loglik-option-0shot.jsonl").read_text().splitlines()[0])
    assert set(line) >= {"id", "prompt_hash", "scores", "prediction", "gold", "correct"}
    assert set(line["scores"]) == {"A", "B", "C", "D"}
    report = (out / "report.md").read_text()
    assert "| gemma3-270m |" in report and "Research use only" in report and "禁忌肢" in report
    assert (out / "report.png").read_bytes()[:4] == b"\x89PNG"


def test_generate_mode_k_shot_and_unparseable_answers(samples, tmp_path):
    res = run_cli("eval", "--task", "medqa", "--data", str(samples), "--out", str(tmp_path), "--mode", "generate",
                  "--shots", "2", "--json")
    assert res.returncode == 0, res.stderr
    r = json.loads(res.stdout)["results"][0]
    assert r["mode"] == "generate" and r["shots"] == 2 and r["items"] == 4
    rows = [json.loads(x) for x in (tmp_path / "gemma3-270m" / "medqa.generate-2shot.jsonl").read_text().splitlines()]
    assert all("generated" in x for x in rows)
    assert r["unparseable"] == sum(x["prediction"] is None for x in rows)


def test_rag_runs_report_the_change_against_no_rag(samples, small_home, tmp_path):
    res = run_cli("eval", "--task", "pubmedqa", "--data", str(samples), "--out", str(tmp_path), "--rag", "--k", "2",
                  "--json", home=small_home)
    assert res.returncode == 0, res.stderr
    results = json.loads(res.stdout)["results"]
    plain, rag = (next(r for r in results if r["rag"] is flag) for flag in (False, True))
    assert rag["delta_vs_no_rag"] == pytest.approx(rag["accuracy"] - plain["accuracy"])
    rows = (tmp_path / "gemma3-270m" / "pubmedqa.loglik-option-0shot-rag.jsonl").read_text().splitlines()
    assert all(len(json.loads(x)["passages"]) == 2 for x in rows)
    assert "With the guideline library" in (tmp_path / "report.md").read_text()


def test_a_killed_run_resumes_without_recomputing_finished_items(tmp_path):
    out = tmp_path / "out"
    results = out / "gemma3-270m" / "pubmedqa.loglik-option-0shot.jsonl"
    exe = Path(sys.executable).parent / "medassist"
    proc = subprocess.Popen([str(exe), "eval", "--task", "pubmedqa", "--data", str(BENCH), "--limit", "60",
                             "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline and (not results.exists() or len(results.read_text().splitlines()) < 10):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = {json.loads(x)["id"]: x for x in results.read_text().splitlines() if x.strip()}
    assert 10 <= len(finished) < 60
    res = run_cli("eval", "--task", "pubmedqa", "--data", str(BENCH), "--limit", "60", "--out", str(out), "--json")
    assert res.returncode == 0, res.stderr
    assert f"resumed, {len(finished)} finished items reused" in res.stderr
    lines = results.read_text().splitlines()
    assert len(lines) == 60 and len({json.loads(x)["id"] for x in lines}) == 60
    assert all(lines[i] == finished[json.loads(lines[i])["id"]] for i in range(len(finished)))  # untouched
    assert json.loads(res.stdout)["results"][0]["items"] == 60


def test_bad_requests_get_clear_messages(samples, tmp_path):
    res = run_cli("eval", "--task", "medqa,usmle", "--data", str(samples), "--out", str(tmp_path))
    assert res.returncode != 0 and "Unknown task(s) ['usmle']" in res.stderr
    res = run_cli("eval", "--task", "medqa", "--data", str(tmp_path / "none"), "--out", str(tmp_path))
    assert "does not exist" in res.stderr
    res = run_cli("eval", "--task", "medqa", "--data", str(samples), "--chat", "--out", str(tmp_path))
    assert "base model with no chat template; drop --chat" in res.stderr
    empty = write_igakuqa(tmp_path / "ig")
    for p in empty.glob("112-*.jsonl"):
        p.write_text("")
    res = run_cli("eval", "--task", "igakuqa", "--data", str(empty), "--out", str(tmp_path))
    assert "holds no items" in res.stderr


def test_chat_format_wraps_the_prompt_and_scores_right_after_the_assistant_header(samples):
    from medassist.catalogue import get_spec
    from medassist.evaluation.runner import _chat_wrap

    item = load_task(TASKS["medqa"], samples)[0]
    wrap = _chat_wrap(get_spec("med42-8b"), Protocol(chat=True))
    p = build(item, Protocol(chat=True, score="letter"), [], chat_wrap=wrap)
    assert p.text.startswith("<|begin_of_text|><|start_header_id|>user<|end_header_id|>")
    assert p.text.endswith("<|start_header_id|>assistant<|end_header_id|>\n\n")
    assert p.continuations["A"] == "A"  # no space after the header
    assert Protocol(chat=True, shots=3).label() == "loglik-option-3shot-chat"
