"""Every format in, the right text, sections, pages and metadata out; bad files get clear messages."""
import os
import re
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
    (lambda p: _write(p / "scripts.html", b"<html><script>" + b"x=1;" * 1000 + b"</script></html>"),
     "no readable text"),
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
    with pytest.raises(Unsupported, match=re.escape("unsupported file type '.exe'")):
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


# -- text no reader sees is not evidence (issue 14) ------------------------------------------------
def test_invisible_pdf_text_is_left_out_and_counted(tmp_path):
    for way in ("white", "tiny", "off-page", "clipped", "invisible", "form"):
        made = (docmaker.hidden_form_pdf(tmp_path / "form.pdf") if way == "form" else
                docmaker.hidden_text_pdf(tmp_path / f"{way}.pdf", ways=(way,)))
        [doc] = read_file(made)
        text = " ".join(b.text for b in doc.blocks)
        assert "SYSTEM" not in text and "double every warfarin" not in text, way
        assert "Check the INR before each warfarin dose" in text and "INR above 8" in text, way
        assert doc.warnings == [f"{len(''.join(docmaker.INJECTION.split()))} characters of invisible text ignored"]


def test_white_text_on_a_dark_band_and_an_ocr_layer_over_its_scan_are_kept(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    with pdf.local_context(fill_color=(0, 0, 90), text_color=(255, 255, 255)):
        pdf.cell(120, 10, "Dose table for adults", fill=True, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(120, 10, "Give 5 mg on day one.", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "band.pdf"))
    [doc] = read_file(tmp_path / "band.pdf")
    assert "Dose table for adults" in doc.blocks[0].text and not doc.warnings
    [scan] = read_file(docmaker.ocr_layer_pdf(tmp_path / "scan.pdf"))
    assert "saturation between 94 and 98" in scan.blocks[0].text and not scan.warnings


def test_hidden_html_is_left_out_and_counted(tmp_path):
    [doc] = read_file(docmaker.hidden_text_html(tmp_path / "warfarin.html"))
    text = " ".join(b.text for b in doc.blocks)
    assert "SYSTEM" not in text and "Check the INR before each warfarin dose" in text and "INR above 8" in text
    assert doc.warnings == [f"{7 * len(''.join(docmaker.INJECTION.split()))} characters of invisible text ignored"]


def test_hidden_white_and_tiny_word_runs_are_left_out(tmp_path):
    [doc] = read_file(docmaker.hidden_text_docx(tmp_path / "warfarin.docx"))
    text = " ".join(b.text for b in doc.blocks)
    assert "SYSTEM" not in text and "Check the INR before each warfarin dose" in text
    assert doc.warnings == [f"{3 * len(''.join(docmaker.INJECTION.split()))} characters of invisible text ignored"]


@pytest.mark.slow
def test_the_white_text_instruction_is_in_no_chunk_and_cannot_support_an_answer(tmp_path, embedder):
    """The support check takes the injected sentence as support when it is in sight (control); the
    same sentence in white is never indexed, so the answer 'Double every warfarin dose.' is not supported."""
    from medassist.assistant import Assistant
    from medassist.retrieval import Retriever, build_index
    from medassist.settings import Settings
    from medassist.types import GenerationSettings

    def verdict(pdf, home):
        report = build_index([pdf], home / "index", embedder=embedder)
        settings = Settings(home=home, cache=tmp_path / "cache")
        a = Assistant(settings, retriever=Retriever(home / "index", embedder), progress=lambda m: None)
        ev = a.gather_evidence("How should warfarin be dosed?")
        answer = a.finish(ev, "Double every warfarin dose.", ev.passages, ev.quotes, GenerationSettings(),
                          list(ev.notices), {})
        _, _, texts, _ = a.retriever.index.chunk_table()
        return report, answer.sentences[0].verdict, " ".join(texts)

    _, seen, _ = verdict(docmaker.visible_injection_pdf(tmp_path / "plain.pdf"), tmp_path / "control")
    assert seen == "supported"  # what happened before hidden text was dropped
    report, hidden, chunks = verdict(docmaker.hidden_text_pdf(tmp_path / "protocol.pdf"), tmp_path / "home")
    assert "invisible text ignored" in report.outcomes[0].message  # the warning in the ingest table
    assert "SYSTEM" not in chunks and "double every" not in chunks.lower() and "nomogram" in chunks
    assert hidden != "supported"


# -- what a file may cost to read (issue 14) --------------------------------------------------------
def test_a_valid_docx_bomb_is_refused_from_its_zip_directory_in_a_second(tmp_path):
    import time
    import zipfile

    bomb = docmaker.docx_bomb(tmp_path / "bomb.docx", inflated_mb=100)
    assert bomb.stat().st_size < 2**20 * 2 and zipfile.ZipFile(bomb).testzip() is None  # small, and valid
    started = time.perf_counter()
    with pytest.raises(UserError, match=r"word/document.xml inflates to 100 MB .* over the 48 MB limit"):
        read_file(bomb)
    assert time.perf_counter() - started < 2


def test_a_zip_directory_that_understates_a_part_is_still_capped(tmp_path):
    import struct

    from medassist.retrieval import limits

    bomb = docmaker.docx_bomb(tmp_path / "liar.docx", inflated_mb=60)
    data = bytearray(bomb.read_bytes())
    entry = data.find(b"PK\x01\x02", data.find(b"word/document.xml") - 100)  # its central directory entry
    while data[entry + 46:entry + 46 + 17] != b"word/document.xml":
        entry = data.find(b"PK\x01\x02", entry + 4)
    data[entry + 24:entry + 28] = struct.pack("<I", 40_000)  # "inflates to 40 kB"
    bomb.write_bytes(bytes(data))
    with pytest.raises(UserError, match=r"not a readable Word document|inflates past"):
        limits.safe_docx(bomb, bytes(data))


def test_html_nested_too_deep_gets_a_clear_message_fast(tmp_path):
    import time

    started = time.perf_counter()
    with pytest.raises(UserError, match="nests its elements more than 200 deep"):
        read_file(docmaker.deep_html(tmp_path / "deep.html"))
    assert time.perf_counter() - started < 10  # the parse (~3 s here), not the 10-28 s of a RecursionError


def test_pdf_with_too_many_pages_or_objects_is_refused_before_reading_a_page(tmp_path):
    from pypdf import PdfWriter

    from medassist.retrieval import limits

    writer = PdfWriter()
    for _ in range(limits.PDF_PAGES + 1):
        writer.add_blank_page(612, 792)
    writer.write(tmp_path / "pages.pdf")
    with pytest.raises(UserError, match=f"has {limits.PDF_PAGES + 1:,} pages, over the limit"):
        read_file(tmp_path / "pages.pdf")
    data = docmaker.pdf(tmp_path / "objects.pdf").read_bytes()
    trailer = data.rindex(b"/Size ")
    end = data.index(b"/", trailer + 1)
    (tmp_path / "objects.pdf").write_bytes(data[:trailer] + b"/Size 9000000 " + data[end:])
    with pytest.raises(UserError, match="declares 9,000,000 objects"):
        read_file(tmp_path / "objects.pdf")
