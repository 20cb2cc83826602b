"""IgakuQA as released: loading every quirk of the real files, marking as the exam does, and the card's table.

No model here: these read sample files written by tests/benchmark_samples.py and mark given answers.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from medassist.errors import UserError
from medassist.evaluation import TASKS, load_task
from medassist.evaluation.igaku import (
    load_pass_marks,
    mark,
    official_value,
    rule_sets,
    rulings_data,
    score_exams,
    select_asked,
)
from medassist.evaluation.igakuqa_report import card_markdown
from medassist.evaluation.items import Item, LoadReport

from .benchmark_samples import MINI_MAX, MINI_POINTS, MINI_PREDICTIONS, _lines, write_igakuqa_release
from .conftest import REPO, run_cli

MEDASSIST, REFERENCE = rule_sets()["medassist"], rule_sets()["reference"]


@pytest.fixture()
def release(tmp_path) -> Path:
    return write_igakuqa_release(tmp_path / "IgakuQA")


def load(path: Path, include_images: bool = True) -> tuple[dict[str, Item], LoadReport]:
    report = LoadReport()
    items = load_task(TASKS["igakuqa"], path, include_images=include_images, report=report)
    return {i.id: i for i in items}, report


# -- loading ---------------------------------------------------------------------------------
def test_the_release_layout_loads_with_every_quirk(release):
    items, report = load(release / "data")  # what a user points --data at
    assert len(items) == sum(1 for _ in MINI_PREDICTIONS) and not report.unreadable
    assert report.blocks == {"112": set("ABCDEF"), "116": {"A", "B"}}
    numeric = items["112C1"]
    assert numeric.numeric and numeric.options == {} and numeric.answer == ("26",) and numeric.answer_boxes == "①②Torr"
    assert str(official_value(items["112F1"])) == "2.1"  # "21" written into ①.② is 2.1
    assert items["112B2"].answer == ("a",) and items["112B2"].alternatives == (("d",),)  # "a or d"
    assert items["112A4"].points == 0 and items["112E1"].points == 3
    assert items["112A1"].kinki == ("d",) and items["112A2"].kinki == ("e",) and items["112B1"].kinki == ("d", "e")
    assert not items["112A3"].text_only and items["112C2"].options["a"] == "　"  # blank choices kept, noted
    notes = "\n".join(report.problems)
    assert "112-A.jsonl:2 (112A2, metadata): kinki ' e' read as e" in notes
    assert "112C2 has blank choice texts" in notes


def test_every_layout_filters_image_questions_the_same_way(release, tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    for p in (release / "data").rglob("*.jsonl"):
        shutil.copy(p, flat / p.name)
    year_folders, _ = load(release / "data", include_images=False)
    flat_folder, _ = load(flat, include_images=False)
    one_block, _ = load(release / "data" / "2018" / "112-A.jsonl", include_images=False)
    assert list(year_folders) == list(flat_folder)
    assert "112A3" not in year_folders and "112C2" not in year_folders  # both need the image
    assert list(one_block) == ["112A1", "112A2", "112A4"]
    everything, _ = load(release, include_images=True)  # the release root: baselines are not blocks
    assert len(everything) == len(year_folders) + 2


def test_a_bad_line_is_reported_with_file_line_and_field_and_the_rest_loads(tmp_path):
    good = {"problem_text": "正しいのはどれか。", "choices": ["一", "二", "三", "四", "五"], "answer": ["a"],
            "text_only": True, "points": "1"}
    block = tmp_path / "112-A.jsonl"
    _lines(block, [{**good, "problem_id": "112A1"},
                   {**good, "problem_id": "112A2", "choices": []},  # empty choices, a letter answer
                   {**good, "problem_id": "112A3", "answer": ["f"]},  # answer not among the choices
                   {**good, "problem_id": "112A1", "problem_text": "別の問題"},  # a duplicated id
                   {**good, "problem_id": "112A5", "problem_text": ""},
                   {**good, "problem_id": "112A6", "points": "three"},
                   {**good, "problem_id": "112A7"}])
    with open(block, "a", encoding="utf-8") as f:
        f.write('{"problem_id": "112A8", "choices": [\n')
    items, report = load(tmp_path)
    assert list(items) == ["112A1", "112A7"] and report.unreadable["112"] == 6
    text = "\n".join(report.problems)
    assert f"{block}:2: field 'choices' is empty but 'answer' ['a'] is not one number (112A2)" in text
    assert f"{block}:3: field 'answer' ['f'] names ['f'], not among the choices a, b, c, d, e" in text
    assert f"{block}:4: problem_id 112A1 was already read at {block}:1; this different question is skipped" in text
    assert f"{block}:5: field 'problem_text' is missing or empty (112A5)" in text
    assert f"{block}:6: field 'points' must be 0, 1 or 3, not 'three' (112A6)" in text
    assert f"{block}:8: not valid JSON" in text
    e = score_exams(list(items.values()), {"112A1": "a", "112A7": "a"}, MEDASSIST, unreadable=report.unreadable,
                    blocks=report.blocks)["112"]
    assert e["points"] == 2 and e["verdict"] == "incomplete" and e["passed"] is None
    assert "block(s) B, C, D, E, F missing" in e["why"] and "6 question(s) unreadable" in e["why"]


def test_the_same_block_twice_loses_nothing(release, tmp_path):
    shutil.copytree(release / "data", tmp_path / "d" / "data")
    shutil.copy(release / "data" / "2018" / "112-D.jsonl", tmp_path / "d" / "112-D.jsonl")
    items, report = load(tmp_path / "d")
    assert "112D1" in items and not report.unreadable
    assert any("problem_id 112D1 was already read" in p and "copy is skipped" in p for p in report.problems)


def test_no_blocks_is_a_clear_error(tmp_path):
    with pytest.raises(UserError, match=r"no IgakuQA blocks .* point --data at the release's data/ folder"):
        load_task(TASKS["igakuqa"], tmp_path)


# -- marking -----------------------------------------------------------------------------------
def test_answers_are_read_as_the_exam_reads_them(release):
    items, _ = load(release / "data")
    two = items["112A2"]
    for text in ("a,c", "a, c", "c,a", "ａ，ｃ", "A, C", "a,c,c", "ac"):
        assert mark(two, text, MEDASSIST)[0], text
    for text in ("a", "a,c,d", "f", "申し訳ありません", "", None):
        assert not mark(two, text, MEDASSIST)[0], text
    assert mark(two, "a,c", REFERENCE)[0] and not mark(two, "a, c", REFERENCE)[0]  # evaluate_main.py, exactly
    assert not mark(two, "a,c,c", REFERENCE)[0]
    either = items["112B2"]
    assert mark(either, "a", MEDASSIST)[0] and mark(either, "d", MEDASSIST)[0]
    assert not mark(either, "a,d", MEDASSIST)[0]
    numeric = items["112F1"]  # "21" under ①.② : 2.1 g/日
    assert mark(numeric, "2.1", MEDASSIST)[0] and mark(numeric, "2.10 g/日", MEDASSIST)[0]
    assert not mark(numeric, "21", MEDASSIST)[0] and mark(numeric, "21", REFERENCE)[0]
    assert mark(items["112C1"], "26Torr", MEDASSIST)[0] and not mark(items["112C1"], "25.73", MEDASSIST)[0]


def test_the_rulings_file_names_a_source_for_every_ruling_and_mark():
    data = rulings_data()
    assert set(data["exams"]) == {"112", "113", "114", "115", "116"}
    assert {k: (v["required"], v["general_clinical"]) for k, v in data["exams"].items() if k in ("112", "114", "115")} \
        == {"112": ([160, 200], [208, 299]), "114": ([158, 197], [217, 299]), "115": ([160, 200], [209, 300])}
    assert all(v["source"] and v["max_kinki_questions"] == 3 for v in data["exams"].values())
    assert all(v["source"] and v["treatment"] in ("excluded", "accept", "credit_all", "as_released")
               for v in data["rulings"].values())
    assert REFERENCE.credit_all == {"116A71"} and REFERENCE.accept["112B30"] == (frozenset("a"), frozenset("d"))
    assert "116A71" not in MEDASSIST.credit_all and MEDASSIST.accept["112B30"] == (frozenset("a"), frozenset("d"))


def test_credited_to_everyone_scores_even_unanswered_and_excluded_scores_nothing():
    def item(pid, answer="a", points=1):
        return Item(id=pid, question="q", options={k: k for k in "abcde"}, answer=(answer,), exam=f"{pid[:3]}-A",
                    points=points)

    rules = rule_sets()["medassist"]
    credited = type(rules)("test", "test", credit_all=frozenset({"117A1"}), excluded=frozenset({"117A2"}))
    items = [item("117A1"), item("117A2", points=3), item("117A3")]
    e = score_exams(items, {"117A2": "a", "117A3": "b"}, credited, skipped={"117A1": "image"})["117"]
    assert (e["points"], e["max_points"]) == (1, 2)  # 117A1 unanswered but credited; 117A2 excluded, 0 of 0


def test_prohibited_choices_are_counted_per_question_and_four_fail(tmp_path):
    marks = tmp_path / "marks.json"
    marks.write_text(json.dumps({"117": [2, 2, 1, 6]}))
    mk = load_pass_marks(str(marks))

    def item(pid, block, kinki=("d", "e"), points=1):
        return Item(id=pid, question="q", options={k: k for k in "abcde"}, answer=("a",), exam=f"117-{block}",
                    points=points, kinki=kinki)

    items = [item("117B1", "B", points=2)] + [item(f"117A{n}", "A") for n in range(1, 7)]
    blocks = {"117": set("ABCDEF")}
    answers = {"117B1": "a", **{f"117A{n}": "a" for n in range(1, 7)}}
    e = score_exams(items, answers, MEDASSIST, blocks=blocks, marks=mk)["117"]
    assert e["verdict"] == "pass" and e["mark"]["source"] == f"user file {marks}"
    answers.update({"117A1": "d,e", "117A2": "d,e", "117A3": "d"})  # two prohibited letters in one question: 1
    e = score_exams(items, answers, MEDASSIST, blocks=blocks, marks=mk)["117"]
    assert e["kinki_questions"] == 3 and e["verdict"] == "pass"  # 3 questions, 5 choices: still a pass
    answers["117A4"] = "e"
    e = score_exams(items, answers, MEDASSIST, blocks=blocks, marks=mk)["117"]
    assert e["kinki_questions"] == 4 and e["passed"] is False and "4 questions with a prohibited choice" in e["why"]
    del answers["117A6"]  # a question never asked (--limit): partial, no verdict
    e = score_exams(items, answers, MEDASSIST, blocks=blocks, marks=mk)["117"]
    assert e["verdict"] == "partial" and e["passed"] is None and e["why"] == "1 of 7 questions not asked"
    with pytest.raises(UserError, match="--pass-marks"):
        marks.write_text("{\"117\": [1, 2]}")
        load_pass_marks(str(marks))


def test_skipped_questions_score_nothing_but_keep_the_exam_whole(release):
    items, report = load(release / "data")
    asked, skipped = select_asked(list(items.values()), include_images=False, mode="loglik")
    assert skipped == {"112A3": "image", "112C1": "numeric", "112C2": "image", "112F1": "numeric"}
    assert select_asked(list(items.values()), include_images=False, mode="generate")[1] == \
        {"112A3": "image", "112C2": "image"}
    answers = {i.id: ",".join(i.answer) for i in asked}  # every asked question right
    e = score_exams(list(items.values()), answers, MEDASSIST, skipped, report.unreadable, report.blocks)["112"]
    assert (e["points"], e["max_points"]) == (15 - 1 - 1 - 1 - 1, 15)  # the four skipped score nothing
    assert (e["skipped_images"], e["skipped_numeric"], e["not_asked"]) == (2, 2, 0)
    assert e["complete"] and e["verdict"] == "no mark"  # complete, but the sample's maxima are not the 112th's
    only_2018 = {k: v for k, v in answers.items() if k.startswith("112")}
    assert list(score_exams(list(items.values()), only_2018, REFERENCE, skipped)) == ["112"]  # 116 not sat:
    # not scored at all, not even the point the reference credits to everyone for 116A71


# -- the published-predictions reproduction on a small sample --------------------------------
def test_prediction_files_are_marked_under_both_rules_as_worked_out_by_hand(release, tmp_path):
    res = run_cli("eval", "--data", str(release / "data"), "--predictions", f"mini={release / 'baseline_results'}",
                  "--out", str(tmp_path / "out"), "--json")
    assert res.returncode == 0, res.stderr
    r = json.loads(res.stdout)["results"][0]
    for rules, key in (("medassist", "exams"), ("reference", "exams_reference")):
        got = {str(e["year"]): e["points"] for e in r[key].values()}
        assert got == MINI_POINTS[rules], rules
        assert {str(e["year"]): e["max_points"] for e in r[key].values()} == MINI_MAX
    e = r["exams"]["112"]
    assert (e["required"], e["general"], e["kinki_questions"]) == (6, 7, 1)  # 112B1 "d" with kinki "de"
    assert r["exams"]["116"]["verdict"] == "incomplete" and "C, D, E, F missing" in r["exams"]["116"]["why"]
    why = {d["id"]: d["why"] for d in r["rule_differences"]}
    assert set(why) == {"112A2", "112B2", "112D1", "112E1", "112F1", "116A71"}
    assert why["116A71"].startswith("the reference credits 116A71 to everyone")
    assert "splits 'a, c' into ['a', ' c']" in why["112A2"] and "named twice" in why["112D1"]
    report = (tmp_path / "out" / "report.md").read_text()
    assert "| mini (predictions) | reference | 4.5* | 4 | 5 (incomplete) |" in report
    assert "| mini (predictions) | medassist | 8.5* | 13 | 4 (incomplete) |" in report
    assert "2018 (max 15) | 2022 (max 5)" in report and "\\* Average of the exams shown" in report
    assert "mini (predictions): the rule sets disagree on 6 question(s)." in report
    assert "1 credited by the reference only (116A71): the reference credits 116A71 to everyone" in report
    assert "partial:" not in report and "Numeric-entry questions" not in report  # footnotes only when they apply
    assert (tmp_path / "out" / "igakuqa.png").read_bytes()[:4] == b"\x89PNG"


def test_pass_marks_from_a_file_give_a_verdict_per_rule_set(release, tmp_path):
    marks = tmp_path / "marks.json"
    marks.write_text(json.dumps({"112": [5, 7, 6, 8]}))  # the sample 112th: required 7 points, general 8
    res = run_cli("eval", "--data", str(release / "data"), "--predictions", f"mini={release / 'baseline_results'}",
                  "--pass-marks", str(marks), "--out", str(tmp_path / "out"), "--json")
    r = json.loads(res.stdout)["results"][0]
    assert r["exams"]["112"]["verdict"] == "pass"
    assert r["exams_reference"]["112"]["verdict"] == "fail"  # "d" for "a or d" and full-width "ｃ" lose 6 required
    assert "required 0/7 < 5" in r["exams_reference"]["112"]["why"]


def test_bad_prediction_sources_get_clear_messages(release, tmp_path):
    res = run_cli("eval", "--data", str(release / "data"), "--predictions", str(release / "nowhere"),
                  "--out", str(tmp_path))
    assert res.returncode != 0 and "does not exist" in res.stderr
    res = run_cli("eval", "--task", "medqa", "--data", str(release / "data"), "--predictions",
                  f"mini={release / 'baseline_results'}", "--out", str(tmp_path))
    assert "use it with --task igakuqa" in res.stderr
    _lines(release / "baseline_results" / "2018" / "112-A_other.jsonl", [{"problem_id": "112A1", "prediction": "a"}])
    res = run_cli("eval", "--data", str(release / "data"), "--predictions", str(release / "baseline_results"),
                  "--out", str(tmp_path))
    assert "which model? prediction sets found under" in res.stderr and "mini, other" in res.stderr
    one = tmp_path / "preds.jsonl"
    _lines(one, [{"problem_id": "112A1", "prediction": "b"}, {"problem_id": "112A1", "prediction": "c"},
                 {"id": "112A2", "prediction": ["a", "c"]}, {"prediction": "a"},
                 {"problem_id": "999Z1", "prediction": "a"}])
    res = run_cli("eval", "--data", str(release / "data"), "--predictions", str(one), "--out", str(tmp_path / "o"),
                  "--json")
    assert res.returncode == 0, res.stderr
    assert f"{one}:2: a second prediction for 112A1" in res.stderr and f"{one}:4: field 'problem_id' is missing" \
        in res.stderr and "1 predictions for ids not in the data" in res.stderr
    r = json.loads(res.stdout)["results"][0]
    assert r["model"] == "preds" and r["exams"]["112"]["verdict"] == "partial" and r["exams"]["112"]["points"] == 2


def test_the_bench_script_reproduces_a_table_and_fails_loudly_when_it_does_not(release, tmp_path):
    script = REPO / "bench" / "bench_igakuqa.py"
    ok = subprocess.run([sys.executable, str(script), "--release", str(release), "--model", "mini",
                         "--expect", "mini=4,5", "--out", str(tmp_path / "out")], capture_output=True, text=True,
                        timeout=300, check=False)
    assert ok.returncode == 0, ok.stderr
    assert "| mini (predictions) | reference | 4.5* | 4 | 5 (incomplete) |" in ok.stdout
    assert "reference rules reproduce mini: 4, 5" in ok.stdout
    assert (tmp_path / "out" / "report.md").is_file()
    bad = subprocess.run([sys.executable, str(script), "--release", str(release), "--model", "mini",
                          "--expect", "mini=4,6", "--out", str(tmp_path / "out")], capture_output=True, text=True,
                         timeout=300, check=False)
    assert bad.returncode == 1 and "do NOT reproduce mini: expected 4, 6, got 4, 5" in bad.stdout


def test_card_table_says_partial_for_a_limited_run(release):
    items, report = load(release / "data" / "2018")
    asked, skipped = select_asked(list(items.values()), include_images=True, mode="loglik")
    answers = {i.id: ",".join(i.answer) for i in asked[:3]}  # --limit 3
    exams = score_exams(list(items.values()), answers, MEDASSIST, skipped, report.unreadable, report.blocks)
    text = "\n".join(card_markdown([{"model": "m", "protocol": "loglik-option-0shot", "exams": exams}]))
    assert "| m (loglik-option-0shot) | medassist | 3.0* | 3 (partial) |" in text
    assert "| m (loglik-option-0shot) | medassist | partial: 7 of 12 questions not asked |" in text
    assert "partial: only part of the exam was asked" in text and "Numeric-entry questions" in text
    assert "Image questions" not in text and "incomplete:" not in text


# -- the real default model ------------------------------------------------------------------------
@pytest.mark.slow
def test_a_model_run_asks_numeric_entries_in_generate_mode_and_a_limited_run_is_partial(release, tmp_path):
    block = release / "data" / "2018" / "112-C.jsonl"  # one numeric entry (112C1), one image question
    res = run_cli("eval", "--task", "igakuqa", "--data", str(block), "--mode", "generate", "--max-new-tokens", "8",
                  "--out", str(tmp_path / "gen"), "--json")
    assert res.returncode == 0, res.stderr
    assert "igakuqa 112: 2 questions loaded in blocks C; asking 1 (1 numeric entry); skipped 1 with images, " \
           "0 numeric entry" in res.stderr
    row = json.loads((tmp_path / "gen" / "gemma3-270m" / "igakuqa.generate-0shot.jsonl").read_text())
    assert row["id"] == "112C1" and "generated" in row
    assert row["prediction"] is None or row["prediction"][0].replace(".", "").isdigit()  # a number, or none read
    e = json.loads(res.stdout)["results"][0]["exams"]["112"]
    assert (e["asked"], e["numeric_asked"], e["skipped_images"], e["max_points"]) == (1, 1, 1, 2)
    assert e["verdict"] == "incomplete" and e["why"] == "block(s) A, B, D, E, F missing"
    res = run_cli("eval", "--task", "igakuqa", "--data", str(release / "data" / "2018"), "--limit", "1",
                  "--out", str(tmp_path / "loglik"))
    assert res.returncode == 0, res.stderr
    assert "skipped 2 with images, 2 numeric entry (scored as blank)" in res.stderr
    report = (tmp_path / "loglik" / "report.md").read_text()
    assert "(partial) |" in report and "partial: only part of the exam was asked" in report
    assert "| gemma3-270m (loglik-option-0shot) | medassist | partial: 7 of 12 questions not asked |" in report
    assert (tmp_path / "loglik" / "igakuqa.png").read_bytes()[:4] == b"\x89PNG"
