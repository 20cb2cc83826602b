"""Limits on what a file may cost to read, checked before any parser is given the file.

A small file can expand without bound: a valid 1.3 MB DOCX whose document.xml inflates to 315 MB
(a zip bomb), HTML nested thousands of elements deep (recursion), a PDF with millions of objects or
pages of content. Each reader asks here first, so a hostile file is refused in seconds with a message
saying what to do — and, since files are read before the writer lock is taken (ingest.py), it never
holds up other writers while it is read.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ..errors import UserError

MB = 2**20
ZIP_ENTRIES = 10_000  # a Word document has tens of parts
DOCX_XML_PART = 48 * MB  # document.xml of a 1,000-page guideline is ~10 MB
DOCX_XML_TOTAL = 96 * MB  # every XML part together, inflated
HTML_BYTES = 48 * MB  # html.parser takes ~1 s a MB; a guideline page is well under 5 MB
HTML_DEPTH = 200  # real pages nest 20-60 deep; recursion in the converters ends near 1,000
PDF_PAGES = 3_000
PDF_OBJECTS = 2_000_000  # the objects a PDF declares (its cross-reference /Size)
PDF_OBJECT_STREAMS = 20_000  # compressed object streams, each inflated on use
PDF_CONTENT = 96 * MB  # page content streams, inflated, over the whole document
PDF_PAGE_CONTENT = 24 * MB  # one page's content, inflated: a dense page of text is well under 1 MB


def _refuse(path: Path, what: str) -> UserError:
    return UserError(f"{path}: {what} medassist refuses files that would cost far more to read than any "
                     "guideline (hostile and damaged files look like this). If it is a real guideline, save it "
                     "again as PDF or plain text, or split it, and add that.")


# -- DOCX ----------------------------------------------------------------------------------------
def safe_docx(path: Path, data: bytes) -> bytes:
    """The DOCX as a zip python-docx can read without inflating anything unchecked: the zip
    directory's declared sizes are checked first, XML parts are then inflated with a running cap (a
    directory can lie), and everything else (images, embedded files) is replaced by nothing, never
    inflated. Returns an uncompressed zip of what passed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise UserError(f"{path}: is not a readable Word document ({exc}).") from None
    if len(infos) > ZIP_ENTRIES:
        raise _refuse(path, f"holds {len(infos):,} parts (a Word document has tens).")
    xml = [i for i in infos if _is_xml(i.filename)]
    for info in xml:
        if info.file_size > DOCX_XML_PART:
            raise _refuse(path, f"its part {info.filename} inflates to {info.file_size / MB:,.0f} MB "
                                f"({info.compress_size / MB:,.1f} MB stored), over the {DOCX_XML_PART // MB} MB limit.")
    declared = sum(i.file_size for i in xml)
    if declared > DOCX_XML_TOTAL:
        raise _refuse(path, f"its parts inflate to {declared / MB:,.0f} MB, over the {DOCX_XML_TOTAL // MB} MB limit.")
    out = io.BytesIO()
    total, written = 0, set()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as clean:
        for info in infos:
            if info.is_dir() or info.filename in written:
                continue
            written.add(info.filename)
            body = b""
            if _is_xml(info.filename):
                body = _inflate(path, archive, info, min(DOCX_XML_PART, DOCX_XML_TOTAL - total))
                total += len(body)
            clean.writestr(info.filename, body)
    return out.getvalue()


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels"))


def _inflate(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    chunks, size = [], 0
    try:
        with archive.open(info) as part:
            while chunk := part.read(MB):
                size += len(chunk)
                if size > limit:
                    raise _refuse(path, f"its part {info.filename} inflates past {limit / MB:,.0f} MB, more than "
                                        "its zip directory declares.")
                chunks.append(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise UserError(f"{path}: is not a readable Word document ({info.filename}: {exc}).") from None
    return b"".join(chunks)


# -- HTML ----------------------------------------------------------------------------------------
def check_html_size(path: Path, data: bytes) -> None:
    if len(data) > HTML_BYTES:
        raise _refuse(path, f"is {len(data) / MB:,.0f} MB of HTML, over the {HTML_BYTES // MB} MB limit.")


def check_html_depth(path: Path, soup) -> None:
    """Elements nested deeper than HTML_DEPTH, measured without recursion (the parse itself does not
    recurse; what comes after does, and would end in a RecursionError)."""
    from bs4 import Tag

    stack = [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > HTML_DEPTH:
            raise _refuse(path, f"nests its elements more than {HTML_DEPTH} deep (real pages nest 20 to 60).")
        stack.extend((child, depth + 1) for child in node.contents if isinstance(child, Tag))


# -- PDF -----------------------------------------------------------------------------------------
def check_pdf(path: Path, reader) -> None:
    """Objects, object streams and pages, from the cross-reference table (nothing inflated yet)."""
    try:
        objects = int(reader.trailer.get("/Size", 0))
    except (TypeError, ValueError):
        objects = 0
    if objects > PDF_OBJECTS:
        raise _refuse(path, f"declares {objects:,} objects, over the limit of {PDF_OBJECTS:,}.")
    streams = len({where[0] for where in getattr(reader, "xref_objStm", {}).values()})
    if streams > PDF_OBJECT_STREAMS:
        raise _refuse(path, f"holds {streams:,} compressed object streams, over the limit of {PDF_OBJECT_STREAMS:,}.")
    pages = len(reader.pages)
    if pages > PDF_PAGES:
        raise _refuse(path, f"has {pages:,} pages, over the limit of {PDF_PAGES:,}.")


class PdfBudget:
    """Inflated page content over the whole document, counted page by page as it is read."""

    def __init__(self, path: Path):
        self.path, self.used = path, 0

    def charge(self, page) -> None:
        contents = page.get_contents()
        size = len(contents.get_data()) if contents is not None else 0
        if size > PDF_PAGE_CONTENT:  # before the page's operators are parsed: that is the slow part
            raise _refuse(self.path, f"has a page with {size / MB:,.0f} MB of content once inflated (the limit is "
                                     f"{PDF_PAGE_CONTENT // MB} MB a page).")
        self.used += size
        if self.used > PDF_CONTENT:
            raise _refuse(self.path, f"has more than {PDF_CONTENT // MB} MB of page content once inflated.")
