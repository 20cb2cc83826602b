"""The labelled retrieval set is sound, and the fast query path embeds exactly as the batch path."""
import json
import subprocess
import sys

from medassist.retrieval.library import load_manifest

from .conftest import REPO, SHARED


def _questions():
    path = REPO / "guidelines_index" / "ngc-public-questions.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_every_labelled_set_checks_out_against_the_real_library():
    """Answer-bearing statements are in their guideline's clinical text, claims quote real statements, and
    no wrong-fact pattern matches the right answer (bench/labels.py does the checking)."""
    sys.path.insert(0, str(REPO / "bench"))
    import labels

    for which in labels.QUESTION_SETS:
        assert labels.check_questions(labels.questions(which)) == [], which
    for which in labels.CLAIM_SETS:
        assert labels.check_claims(labels.claims(which)) == [], which
    assert len(labels.questions("heldout")) >= 60 and len(labels.claims("heldout")) >= 400


def test_labelled_set_has_60_plus_clinician_questions_on_real_guidelines():
    questions = _questions()
    ids = {f["name"].removesuffix(".xml") for f in load_manifest()["files"]}
    titles = [json.loads(line)["title"].lower().rstrip(".") for line in
              (SHARED / "guidelines/ngc-public/documents.jsonl").read_text().splitlines()]
    assert len(questions) >= 60 and len({q["id"] for q in questions}) == len(questions)
    for q in questions:
        assert q["relevant"] and set(q["relevant"]) <= ids, q
        assert q["question"].endswith("?")
        assert not any(t.split(":")[0] in q["question"].lower() for t in titles if len(t.split(":")[0]) > 25), q


def test_query_fast_path_equals_batch_embedding(embedder):
    for text in ("Should asymptomatic smokers get spirometry?", "減塩の目標は何グラムですか", "x", "word " * 400):
        assert float(embedder.embed_query(text) @ embedder.embed([text])[0]) > 0.99999


def test_quality_script_runs_and_reports_all_modes(small_home):
    res = subprocess.run([sys.executable, str(REPO / "bench" / "retrieval_quality.py"), "--index",
                          str(small_home / "index"), "--json"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    # Only the questions on the six indexed guidelines are asked, from both sets.
    assert out["questions"]["dev"] >= 5 and out["questions"]["heldout"] >= 5
    rows = {(r["set"], r["mode"]): r for r in out["results"]}
    assert {m for _, m in rows} == {"bm25", "dense", "hybrid"}
    for which in ("dev", "heldout"):
        hybrid = rows[which, "hybrid"]
        # On six guidelines the answer-bearing passage is nearly always found; a broken chunker or
        # ranking (or a scorer that never matches) falls well below these.
        assert hybrid["passage_hit@5"] >= 0.8 and hybrid["doc_recall@5"] >= 0.95, hybrid
        assert hybrid["passage_mrr"] >= rows[which, "dense"]["passage_mrr"] - 0.1
