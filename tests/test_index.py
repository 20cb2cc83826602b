"""The on-disk index: real embedder, real Chroma; idempotent; refuses what is not an index."""
import json

import pytest

from medassist.errors import IndexDamaged, IndexMissing, UserError
from medassist.retrieval import Retriever, build_index
from medassist.retrieval.embedder import EmbedderInfo
from medassist.retrieval.library import library_files
from medassist.retrieval.store import MARKER, GuidelineIndex

from . import docmaker
from .conftest import SMALL_LIBRARY, run_cli


def test_chunks_carry_citation_metadata(small_home, embedder):
    hits = Retriever(small_home / "index", embedder).search("low-dose CT screening for lung cancer in smokers", k=5)
    assert hits[0].document_id == "ngc-10192"
    for p in hits:
        assert p.document_id in SMALL_LIBRARY and p.title and p.organisation and p.section and p.year
        assert p.url.startswith("http") and len(p.chunk_id) == 32 and 0 < p.score <= 1


@pytest.mark.parametrize("question, doc", [
    ("Which men should have an ultrasound for aortic aneurysm?", "ngc-10510"),
    ("How often should women in their 50s get a mammogram?", "ngc-10904"),
    ("Should kids have their blood pressure checked at checkups?", "ngc-10057"),
    ("max daily morphine equivalent dose for injured workers", "ngc-9597"),
])
def test_retrieval_finds_the_right_guideline(small_home, embedder, question, doc):
    hits = Retriever(small_home / "index", embedder).search(question, k=3)
    assert doc in [h.document_id for h in hits]


def test_reindexing_adds_nothing(home_copy, embedder):
    before = GuidelineIndex.open(home_copy / "index", embedder.info).count()
    report = build_index(library_files(home_copy / "library"), home_copy / "index", embedder=embedder)
    # the copy's files hold the same content as the original home's: stored once, nothing embedded
    assert report.chunks_added == 0 and report.count("added", "updated") == 0 and report.documents == len(SMALL_LIBRARY)
    assert GuidelineIndex.open(home_copy / "index", embedder.info).count() == before


@pytest.mark.slow
def test_index_cli_twice_adds_nothing_the_second_time(home_copy):
    res = run_cli("index", home=home_copy)
    assert res.returncode == 0, res.stderr
    assert "0 chunks added" in res.stdout and "0 added" in res.stdout


def test_missing_index_names_the_command(tmp_path, embedder):
    with pytest.raises(IndexMissing, match="medassist guidelines pull && medassist index"):
        Retriever(tmp_path / "nothing", embedder).check()


def test_a_directory_that_is_not_an_index_is_never_touched(tmp_path, embedder):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "holiday.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(UserError, match="not a medassist index"):
        GuidelineIndex.open(tmp_path / "photos", embedder.info, create=True)
    assert [p.name for p in (tmp_path / "photos").iterdir()] == ["holiday.jpg"]


def test_damaged_marker_is_reported_and_kept(home_copy, embedder):
    (home_copy / "index" / MARKER).write_text("{not json")
    with pytest.raises(IndexDamaged, match="medassist index rebuild"):
        GuidelineIndex.open(home_copy / "index", embedder.info)
    assert (home_copy / "index" / MARKER).read_text() == "{not json"


def test_damaged_chroma_store_is_reported(home_copy, embedder):
    for f in (home_copy / "index" / "chroma").glob("*.sqlite3"):
        f.write_bytes(b"garbage" * 100)
    with pytest.raises(IndexDamaged, match="damaged"):
        Retriever(home_copy / "index", embedder).search("aneurysm", k=3)


def test_another_embedder_is_refused(small_home):
    other = EmbedderInfo("BAAI/bge-small-en-v1.5", "main", 384)
    with pytest.raises(UserError, match="medassist index rebuild"):
        GuidelineIndex.open(small_home / "index", other)


@pytest.mark.slow
def test_rebuild_keeps_the_old_index_aside(home_copy):
    res = run_cli("index", "rebuild", home=home_copy)
    assert res.returncode == 0, res.stderr
    olds = list(home_copy.glob("index.old-*"))
    assert len(olds) == 1 and (olds[0] / MARKER).exists()
    stats = run_cli("index", "stats", home=home_copy)
    assert json.loads(stats.stdout)["documents"] == len(SMALL_LIBRARY)


def test_hybrid_search_fuses_keyword_and_dense(small_home, embedder):
    r = Retriever(small_home / "index", embedder)
    question = "120 mg/d MED consultation with a pain specialist"
    keyword = r.search(question, k=3, mode="bm25")
    hybrid = r.search(question, k=3, mode="hybrid")
    assert keyword[0].document_id == "ngc-9597" and "120" in keyword[0].text
    assert keyword[0].chunk_id in [h.chunk_id for h in hybrid]
    assert all(-1 <= h.score <= 1 for h in hybrid)  # shown scores stay cosine similarities


def test_japanese_keywords_are_tokenized_without_spaces():
    from medassist.retrieval.lexical import LexicalIndex, tokenize

    assert "がん" in tokenize("肺がん検診の対象") and "検診" in tokenize("肺がん検診の対象")
    index = LexicalIndex(["a", "b"], ["肺がん検診は低線量CTで行う", "高血圧の小児スクリーニング"])
    assert index.search("肺がんの検診", k=1)[0][0] == "a"


def test_search_command_without_a_model(small_home):
    res = run_cli("search", "breast cancer screening interval", "--k", "2", "--json", home=small_home)
    assert res.returncode == 0, res.stderr
    hits = json.loads(res.stdout)
    assert [h["n"] for h in hits] == [1, 2] and hits[0]["document_id"] == "ngc-10904"
    assert {"title", "section", "locator", "score", "text", "chunk_id"} <= set(hits[0])


_damage_middle = docmaker.damage_middle


def _files(folder) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_damage_in_the_middle_of_the_store_is_reported_and_left_as_it_is(home_copy):
    index = home_copy / "index"
    _damage_middle(index / "chroma" / "chroma.sqlite3")
    before = _files(index)
    for args in (["index", "list"], ["search", "aneurysm screening"], ["index", "stats"]):
        res = run_cli(*args, home=home_copy)
        assert res.returncode == 2, (args, res.stdout[-500:], res.stderr[-2000:])
        assert "Traceback" not in res.stderr and "damaged" in res.stderr
        assert "`medassist index rebuild`" in res.stderr
        assert _files(index) == before, f"`medassist {' '.join(args)}` wrote to the damaged index"


def test_a_rust_panic_in_chroma_becomes_the_rebuild_message(home_copy):
    """Garbage over the root page of Chroma's own migrations table makes Chroma's Rust start-up
    panic; PanicException derives from BaseException, so `except Exception` would let it through."""
    import sqlite3

    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient

    from medassist.retrieval.chroma_client import disk_client

    db_path = home_copy / "index" / "chroma" / "chroma.sqlite3"
    with sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True) as db:
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'migrations'").fetchone()[0]
    data = bytearray(db_path.read_bytes())
    data[(root - 1) * 4096:root * 4096] = bytes((i * 97 + 13) % 256 for i in range(4096))
    db_path.write_bytes(bytes(data))
    with pytest.raises(BaseException) as raw:  # what Chroma itself does with this file
        chromadb.PersistentClient(path=str(db_path.parent))
    assert type(raw.value).__name__ == "PanicException" and not isinstance(raw.value, Exception)
    SharedSystemClient.clear_system_cache()
    with pytest.raises(IndexDamaged, match="medassist index rebuild"):
        disk_client(home_copy / "index")


@pytest.mark.slow
def test_rebuild_of_an_index_damaged_in_the_middle_re_adds_the_users_documents(home_copy, tmp_path):
    """Damage that reaches the registry's pages leaves SQLite unable to list the documents; the plain
    copy of the registry written beside the store is what the rebuild re-adds from."""
    pathway = docmaker.markdown(tmp_path / "ward-pathway.md")
    assert run_cli("index", "add", str(pathway), home=home_copy).returncode == 0
    _damage_middle(home_copy / "index" / "chroma" / "chroma.sqlite3")
    res = run_cli("index", "rebuild", home=home_copy)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    listed = json.loads(run_cli("index", "list", "--json", home=home_copy).stdout)
    assert {d["document_id"] for d in listed} == {*SMALL_LIBRARY, "ward-pathway"}
    aside = list(home_copy.glob("index.old-*"))
    assert len(aside) == 1 and (aside[0] / "chroma" / "chroma.sqlite3").exists()  # kept, damage and all


def test_threads_opening_and_reading_one_index_at_once_all_get_answers(small_home, embedder):
    """The web UI's compare runs each model in a thread, each with its own retriever on the one index:
    Chroma shares one System per path in a process, so two first opens (or a reopen) at once once broke
    the other thread's client ("'RustBindingsAPI' object has no attribute 'bindings'", shown as damage)."""
    import threading

    from chromadb.api.shared_system_client import SharedSystemClient

    from medassist.retrieval import Retriever

    errors, found = [], []
    for _ in range(3):
        SharedSystemClient.clear_system_cache()  # every round starts with no System, as a fresh process does
        start = threading.Barrier(4)

        def one(i: int, start: threading.Barrier = start) -> None:
            retriever = Retriever(small_home / "index", embedder)
            start.wait()
            try:
                if i == 3:
                    retriever.index._reopen()  # another thread's retry of a stale read
                found.append(len(retriever.search("abdominal aortic aneurysm screening", k=3)))
            except Exception as exc:  # the failure this test exists to catch
                errors.append(f"{type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors
    assert found == [3] * 12
