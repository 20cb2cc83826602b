"""Kill a real ingest at seeded random moments; in a fresh process the index must open, answer, and
hold each document whole or not at all. One writer at a time; readers carry on while one writes."""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from medassist.retrieval import Retriever
from medassist.retrieval.chunking import chunk_document
from medassist.retrieval.readers import read_file
from medassist.retrieval.store import GuidelineIndex

from . import docmaker
from .conftest import MIRROR, run_cli

pytestmark = pytest.mark.slow  # kills real ingests and re-adds

SEED = 20261122
KILLS = 20

# Runs in a fresh interpreter after each kill. No embedder (so it starts fast): the query vector is a
# stored chunk's own embedding, and keyword search runs over the visible chunks.
CHECK = r"""
import json, sys
from pathlib import Path
from medassist.retrieval.embedder import DEFAULT_EMBEDDER
from medassist.retrieval.lexical import LexicalIndex
from medassist.retrieval.store import MARKER, GuidelineIndex
path = Path(sys.argv[1])
if not (path / MARKER).exists():
    print(json.dumps({"exists": False})); sys.exit()
index = GuidelineIndex.open(path, DEFAULT_EMBEDDER)
docs = index.documents()
whole = {r.document_id: index.chunks_of(k) == r.chunks for k, r in docs.items()}
hidden = {k for k in index.documents("writing")} | {k for k in index.documents("deleting")}
ids, keys, texts, passages = index.chunk_table()
rows = [i for i, k in enumerate(keys) if k in docs]
visible = {ids[i]: keys[i] for i in rows}
doc_of = {ids[i]: passages[i].document_id for i in rows}
hits = []
if docs:
    some = index.chunks.get(where={"doc_key": next(iter(docs))}, limit=1, include=["embeddings"])
    hits = [doc_of[i] for i, _ in index.nearest(some["embeddings"][0], 5, visible)]
lex = LexicalIndex([ids[i] for i in rows], [texts[i] for i in rows]).search("screening", 5) if rows else []
print(json.dumps({"exists": True, "documents": sorted(r.document_id for r in docs.values()), "whole": whole,
                  "hidden": len(hidden), "dense_hits": hits, "keyword_hits": len(lex),
                  "visible_ids": sorted(r.document_id for r in docs.values())}))
"""


def _files(tmp_path):
    """12 real guidelines plus a PDF and a Markdown protocol: ~450 chunks, two commit groups."""
    folder = tmp_path / "library"
    folder.mkdir()
    for src in sorted(MIRROR.glob("*.xml"))[:12]:
        shutil.copy(src, folder / src.name)
    docmaker.pdf(folder / "sepsis.pdf")
    docmaker.markdown(folder / "pathway.md")
    return folder


def _expected_chunks(folder) -> dict[str, int]:
    return {d.id: len(chunk_document(d)) for p in sorted(folder.iterdir()) for d in read_file(p)}


def _check(index_dir) -> dict:
    res = subprocess.run([sys.executable, "-c", CHECK, str(index_dir)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, f"the index did not open or answer after a kill:\n{res.stderr[-2000:]}"
    return json.loads(res.stdout)


def _medassist():
    return [shutil.which("medassist", path=os.path.dirname(sys.executable)) or "medassist"]


def test_killed_ingest_leaves_every_document_whole_or_absent(tmp_path):
    folder = _files(tmp_path)
    expected = _expected_chunks(folder)
    home = tmp_path / "home"
    env = {**os.environ, "MEDASSIST_HOME": str(home)}
    # One uninterrupted run says how long a whole ingest takes here; kills then land anywhere in it.
    started = time.perf_counter()
    subprocess.run([*_medassist(), "index", "add", str(folder)], env=env, capture_output=True, check=True)
    whole_run = time.perf_counter() - started
    shutil.rmtree(home / "index")
    rng = random.Random(SEED)
    seen_states = set()
    for trial in range(3 * KILLS):
        if trial >= KILLS and len(seen_states) >= 3:
            break  # a loaded machine (CI, the full suite) can put the first kills all in one moment: kill on
        proc = subprocess.Popen([*_medassist(), "index", "add", str(folder)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        delay = rng.uniform(0.5, whole_run)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        state = _check(home / "index")
        if not state["exists"]:
            seen_states.add("killed before the index was created")
            continue
        assert all(state["whole"].values()), f"trial {trial} (killed at {delay:.1f} s): partial documents {state}"
        assert set(state["dense_hits"]) <= set(state["visible_ids"])
        for doc_id in state["documents"]:
            assert doc_id in expected
        seen_states.add((len(state["documents"]), state["hidden"] > 0))
        if len(state["documents"]) == len(expected):  # finished: start over so later kills hit writes again
            shutil.rmtree(home / "index")
    assert len(seen_states) >= 3, f"the kills did not land in enough different moments: {seen_states}"

    # An uninterrupted run then completes the job, and the index equals a clean build.
    res = subprocess.run([*_medassist(), "index", "add", str(folder)], env=env, capture_output=True, text=True,
                         timeout=900)
    assert res.returncode == 0, res.stderr
    final = _check(home / "index")
    assert final["hidden"] == 0 and sorted(final["documents"]) == sorted(expected)
    index = GuidelineIndex.open(home / "index", _embedder_info())
    assert {r.document_id: r.chunks for r in index.documents().values()} == expected
    assert index.chunks.count() == sum(expected.values())  # no orphans left behind


def test_killed_update_leaves_the_old_or_the_new_version_whole(tmp_path, embedder):
    from medassist.retrieval import build_index

    folder = tmp_path / "protocols"
    folder.mkdir()
    for src in sorted(MIRROR.glob("*.xml"))[20:26]:
        shutil.copy(src, folder / src.name)
    home = tmp_path / "home"
    build_index([folder], home / "index", embedder=embedder)
    for f in folder.iterdir():  # every guideline edited: the next add replaces all of them
        f.write_text(f.read_text().replace("</Guideline>", "</Guideline>\n"))
    proc = subprocess.Popen([*_medassist(), "index", "add", str(folder)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, "MEDASSIST_HOME": str(home)})
    # Kill the moment new versions are announced (`writing`) and before they are committed: that is
    # the window in which a crash could lose both versions. Readers may watch while a writer writes.
    index = GuidelineIndex.open(home / "index", embedder.info)
    deadline, mid_write = time.monotonic() + 600, False
    while proc.poll() is None and time.monotonic() < deadline:
        if index.documents("writing"):
            proc.send_signal(signal.SIGKILL)
            mid_write = True
            break
        time.sleep(0.02)
    proc.wait()
    assert mid_write, "the writer finished before its write was seen, so the kill did not land mid-write"
    state = _check(home / "index")
    assert state["hidden"] > 0  # the killed write's new versions were left uncommitted, and hidden
    assert all(state["whole"].values())
    assert sorted(set(state["documents"])) == sorted(f.stem for f in folder.iterdir())  # old or new, never neither
    # the next add finishes the job: every guideline in its new version, nothing hidden left over
    assert subprocess.run([*_medassist(), "index", "add", str(folder)], capture_output=True, timeout=900,
                          env={**os.environ, "MEDASSIST_HOME": str(home)}).returncode == 0
    final = _check(home / "index")
    assert final["hidden"] == 0 and sorted(final["documents"]) == sorted(f.stem for f in folder.iterdir())


def test_a_second_writer_gets_a_clear_message_and_changes_nothing(tmp_path, embedder):
    from medassist.retrieval import build_index

    home = tmp_path / "home"
    build_index([docmaker.markdown(tmp_path / "pathway.md")], home / "index", embedder=embedder)
    index = GuidelineIndex.open(home / "index", embedder.info)
    with index.writer():
        res = run_cli("index", "add", str(docmaker.pdf(tmp_path / "sepsis.pdf")), "--wait", "1", home=home)
    assert res.returncode == 2 and "Another medassist process" in res.stderr and "--wait" in res.stderr
    assert [r.document_id for r in index.documents().values()] == ["pathway"]
    # once the first writer is done, the same command goes through
    assert run_cli("index", "add", str(tmp_path / "sepsis.pdf"), home=home).returncode == 0


def test_readers_keep_answering_while_another_process_writes(tmp_path, embedder):
    folder = _files(tmp_path)
    home = tmp_path / "home"
    from medassist.retrieval import build_index

    build_index([folder / "pathway.md"], home / "index", embedder=embedder)
    reader = Retriever(home / "index", embedder)
    errors = tmp_path / "writer.err"  # a file, not a pipe: a pipe left unread until exit can fill and stall the writer
    writer = subprocess.Popen([*_medassist(), "index", "add", str(folder)], stdout=subprocess.DEVNULL,
                              stderr=errors.open("w"), env={**os.environ, "MEDASSIST_HOME": str(home)})
    seen = set()
    while writer.poll() is None:
        hits = reader.search("screening recommendation", k=5)
        assert hits  # never an error, never empty
        seen.add(len(reader.documents()))
        time.sleep(0.2)
    assert writer.returncode == 0, errors.read_text()
    assert len(reader.documents()) == len(list(folder.iterdir()))
    assert len(seen) >= 2  # the reader saw documents arrive while the writer ran


def _embedder_info():
    from medassist.retrieval.embedder import DEFAULT_EMBEDDER

    return DEFAULT_EMBEDDER
