"""Every format in, the right text, sections, pages and metadata out; bad files get clear messages."""
import os
import sys

import pytest

from medassist.errors import UserError
from medassist.retrieval.chunking import chunk_document
from medassist.retrieval.readers import Unsupported, read_file

from . import docmaker
from .conftest import MIRROR


def test_pdf_keeps_pages_on_every_chunk_and_sections_from_the_outline(tmp_path):
    [doc] = read_file(docmaker.pdf(tmp_path / "sepsis.pdf"))
    assert doc.format == "pdf" and doc.title == "Adult sepsis protocol 2021" and doc.year == 2021
    assert [(b.section, b.page) for b in doc.blocks] == [("Recognition", 1), ("Antibiotics", 2), ("Fluids", 3)]
    chunks = chunk_document(doc)
    assert len(chunks) > 3 and all(c.page in (1, 2, 3) for c in chunks)
    antibiotics = next(c for c in chunks if "within one hour" in c.text)
    assert antibiotics.page == 2 and antibiotics.locator() == "Antibiotics, p. 2"


def test_pdf_chunk_crossing_a_page_break_names_both_pages(tmp_path):
    from medassist.retrieval.documents import Block, Document

    doc = Document("x", "X", [], "", None, [], blocks=[Block("Dosing", "a " * 200, 4), Block("Dosing", "b " * 200, 5)],
                   format="pdf", content_key="k")
    spans = {(c.page, c.page_end) for c in chunk_document(doc)}
    assert (4, 5) in spans
    crossing = next(c for c in chunk_document(doc) if c.page_end == 5 and c.page == 4)
    assert crossing.locator() == "Dosing, pp. 4–5"


def test_html_keeps_main_text_and_drops_scripts_navigation_and_footer(tmp_path):
    [doc] = read_file(docmaker.html(tmp_path / "sepsis.html"))
    text = "\n".join(b.text for b in doc.blocks)
    assert "broad-spectrum intravenous antibiotics" in text
    for junk in ("EVIL_SCRIPT_TEXT", "EVIL_INLINE", "NAVIGATION_MENU_TEXT", "FOOTER_TEXT", "<", "color: red"):
        assert junk not in text
    assert doc.title == "Sepsis: recognition and management"
    assert doc.organisations == ["Example Hospital Trust"] and doc.year == 2022
    assert [b.section for b in doc.blocks][-3:] == ["Recognition", "Antibiotics", "Fluids"]


def test_markdown_front_matter_and_headings(tmp_path):
    [doc] = read_file(docmaker.markdown(tmp_path / "pathway.md"))
    assert (doc.title, doc.organisations, doc.year) == ("Sepsis pathway", ["Example Health Board"], 2023)
    assert [b.section for b in doc.blocks] == ["Recognition", "Antibiotics", "Fluids"]


def test_docx_headings_become_sections_and_tables_are_kept(tmp_path):
    [doc] = read_file(docmaker.docx(tmp_path / "sepsis.docx"))
    assert doc.title == "Adult sepsis protocol (Word)"
    assert {"Recognition", "Antibiotics", "Fluids"} <= {b.section for b in doc.blocks}
    assert ">= 4 mmol/L | 30 mL/kg crystalloid" in doc.sections["Fluids"]


def test_plain_text_and_encodings(tmp_path):
    [doc] = read_file(docmaker.text(tmp_path / "quick.txt"))
    assert doc.title == "Sepsis quick guide" and "qSOFA" in doc.sections["Text"]
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Hypoglycémie : donner du glucose par voie orale si le patient avale.".encode("latin-1"))
    [doc] = read_file(latin)
    assert "Hypoglycémie" in doc.sections["Text"]


def test_jsonl_one_document_per_line_and_bad_lines_reported(tmp_path):
    docs = read_file(docmaker.jsonl(tmp_path / "notes.jsonl"))
    assert [d.id for d in docs] == ["anaphylaxis", "hypoglycaemia"]
    assert docs[0].organisations == ["Example Resuscitation Council"] and docs[0].year == 2021
    assert docs[1].sections["Treatment"].startswith("If the patient can swallow")
    assert docs[0].source.endswith("notes.jsonl#anaphylaxis")
    assert "2 bad line(s) skipped" in docs[0].warnings[0] and "line 3" in docs[0].warnings[0]


def test_ngc_xml_still_reads(tmp_path):
    [doc] = read_file(MIRROR / "ngc-10192.xml")
    assert doc.id == "ngc-10192" and doc.format == "ngc-xml" and len(doc.content_key) == 64


@pytest.mark.parametrize("make, message", [
    (lambda p: docmaker.encrypted_pdf(p / "locked.pdf"), "encrypted with a password"),
    (lambda p: _write(p / "trunc.pdf", docmaker.pdf(p / "whole.pdf").read_bytes()[:1500]), "truncated"),
    (lambda p: _write(p / "photo.pdf", os.urandom(4000)), "is not a PDF"),
    (lambda p: _write(p / "empty.md", b""), "is empty"),
    (lambda p: _write(p / "blob.txt", b"\x00\x01\x02" * 100), "binary data"),
    (lambda p: _write(p / "scripts.html", b"<html><script>" + b"x=1;" * 1000 + b"</script></html>"), "no readable text"),
    (lambda p: _write(p / "fake.docx", b"PK not really a zip"), "not a readable Word document"),
    (lambda p: _write(p / "bad.jsonl", b"{nope\n[1,2]\n"), "no usable JSON Lines records"),
    (lambda p: _write(p / "bad.xml", b"<a><b></a>"), "not well-formed XML"),
])
def test_bad_files_get_a_clear_message(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(UserError, match=message):
        read_file(path)


def test_an_owner_only_encrypted_pdf_is_read(tmp_path):
    [doc] = read_file(docmaker.encrypted_pdf(tmp_path / "owner-only.pdf", user_password=""))
    assert "aspirin 300 mg" in doc.blocks[0].text


def test_unknown_extension_is_unsupported(tmp_path):
    with pytest.raises(Unsupported, match="unsupported file type '.exe'"):
        read_file(_write(tmp_path / "setup.exe", b"MZ"))


def test_huge_text_is_refused_without_reading_it_into_chunks(tmp_path):
    big = tmp_path / "dump.txt"
    with big.open("w") as f:  # 50 MB of text
        line = "Blood pressure should be measured at every visit. " * 20 + "\n"
        for _ in range(50 * 2**20 // len(line)):
            f.write(line)
    with pytest.raises(UserError, match="over the limit"):
        read_file(big)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_unreadable_file_message(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads every file; the CLI table test covers this as an unprivileged user")
    path = docmaker.markdown(tmp_path / "private.md")
    path.chmod(0)
    with pytest.raises(UserError, match="permission denied"):
        read_file(path)


def _write(path, data: bytes):
    path.write_bytes(data)
    return path
