"""Readers: any guideline file in, `Document`s out (PDF, HTML, Markdown, text, DOCX, JSON Lines, NGC XML).

Every reader gets the file's bytes and returns documents made of `Block`s (heading, text, page).
Text inside a document is data: scripts and styles are dropped, nothing is executed, and no
HTML survives into a chunk. A file that cannot be read raises `UserError` (the batch goes on);
a file of a kind we do not read raises `Unsupported` (reported as skipped). PDF, the largest reader,
lives in `pdf_reader.py`; the helpers every reader uses to build a `Document` live in `documents.py`.
"""
from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path

from ..errors import UserError
from . import limits
from .documents import (
    Block,
    Document,
    content_hash,
    document_of,
    html_to_markdown,
    latest_year,
    noting_hidden,
    title_from,
)
from .ngc_xml import read_ngc_xml
from .pdf_reader import read_pdf

MAX_BYTES = 512 * 1024 * 1024  # never read more than this into memory
MAX_CHARS = 5_000_000  # ~5,500 chunks; a bigger "document" is almost always a dump, not a guideline


class Unsupported(UserError):
    """A file medassist does not read (reported as skipped, not failed)."""


_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")


def markdown_blocks(md: str, first_section: str) -> tuple[str | None, list[Block]]:
    """Split Markdown at level-1 and level-2 headings (deeper ones become 'Section › Sub' in chunking).
    Returns (first level-1 heading or None, blocks)."""
    lines: list[str] = []
    title, section, blocks = None, first_section, []
    in_fence = False

    def flush():
        text = "\n".join(lines).strip()
        if text:
            blocks.append(Block(section, text))

    for line in md.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(line)
        if m and len(m.group(1)) <= 2:
            flush()
            lines = []
            section = m.group(2).strip()
            if len(m.group(1)) == 1 and title is None:
                title = section
            continue
        lines.append(line)
    flush()
    return title, blocks


def _decode_text(data: bytes, path: Path) -> str:
    if b"\x00" in data[:8192]:
        raise UserError(f"{path}: holds binary data, not text. Check that it is the file you meant.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except ImportError:
        best = None
    if best is None:
        raise UserError(f"{path}: is not UTF-8 text and its encoding could not be recognised. Save it as UTF-8.")
    return str(best)


def _front_matter(text: str) -> tuple[dict, str]:
    """A leading `---` YAML-ish block of `key: value` lines (title, organisation, year, url)."""
    m = re.match(r"---\n(.*?)\n---\n", text, re.DOTALL)
    if not m:
        return {}, text
    meta = {}
    for line in m.group(1).splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            meta[key.strip().lower()] = value.strip().strip("'\"")
    return meta, text[m.end():]


# -- one reader per format -----------------------------------------------------------------------
def read_markdown(path: Path, data: bytes) -> list[Document]:
    from .hidden import drop_markdown_comments

    meta, text = _front_matter(_decode_text(data, path).replace("\r\n", "\n"))
    text, hidden = drop_markdown_comments(text)  # <!-- comments --> are never shown to a reader
    title, blocks = markdown_blocks(text, first_section="Introduction")
    return [noting_hidden(document_of(path, data, "markdown", title or title_from(text, path.stem), blocks, meta),
                         hidden)]


def read_text(path: Path, data: bytes) -> list[Document]:
    text = _decode_text(data, path).replace("\r\n", "\n")
    title = title_from(text, path.stem)
    _, blocks = markdown_blocks(text, first_section="Text")
    return [document_of(path, data, "text", title, blocks, {}, latest_year(text[:2000]))]


_NOT_CONTENT = ["script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "nav",
                "header", "footer", "aside", "form", "button", "input", "select", "textarea", "dialog"]


def read_html(path: Path, data: bytes) -> list[Document]:
    from bs4 import BeautifulSoup

    from .hidden import drop_hidden_html

    limits.check_html_size(path, data)
    soup = BeautifulSoup(_decode_text(data, path), "html.parser")
    limits.check_html_depth(path, soup)  # before anything that recurses over the tree

    def meta_value(*names: str) -> str:
        for name in names:
            tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
            content = tag.get("content", "") if tag else ""
            if isinstance(content, str) and content.strip():  # "content" is a single-valued attribute
                return content.strip()
        return ""

    title = meta_value("citation_title", "og:title", "dc.title") or (soup.title.get_text(" ", strip=True)
                                                                    if soup.title else "")
    meta = {"organisation": meta_value("citation_publisher", "dc.publisher", "og:site_name", "author"),
            "date": meta_value("citation_publication_date", "citation_date", "dc.date", "article:published_time"),
            "url": meta_value("citation_fulltext_html_url", "og:url")}
    hidden = drop_hidden_html(soup)  # display:none, hidden, off-screen: no reader sees it (style sheets read first)
    for tag in soup(_NOT_CONTENT):
        tag.decompose()  # navigation and code are not guideline text
    for tag in soup.select('[role="navigation"]'):
        tag.decompose()
    main = (soup.find("main") or soup.find("article")
            or soup.find(attrs={"role": "main"})  # type: ignore[call-overload]  # bs4's overloads omit attrs-only
            or soup.body or soup)
    md = html_to_markdown(str(main), strip_links=True)
    h1, blocks = markdown_blocks(md, first_section="Introduction")
    return [noting_hidden(document_of(path, data, "html", title or h1, blocks, meta), hidden)]


def read_docx(path: Path, data: bytes) -> list[Document]:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:
        raise UserError("Reading .docx needs python-docx: pip install python-docx") from None
    from .hidden import docx_run_hidden

    checked = limits.safe_docx(path, data)  # sizes from the zip directory, then capped inflation
    try:
        d = docx.Document(io.BytesIO(checked))
    except Exception as exc:  # KeyError, lxml errors, missing parts: not a real DOCX
        raise UserError(f"{path}: is not a readable Word document ({type(exc).__name__}: {exc}).") from None
    hidden = 0

    def visible(paragraph) -> str:  # the paragraph's text without hidden, white or tiny runs
        nonlocal hidden
        parts = []
        for item in paragraph.iter_inner_content():
            for run in getattr(item, "runs", [item]):
                if docx_run_hidden(run):
                    hidden += len("".join(run.text.split()))
                else:
                    parts.append(run.text)
        return "".join(parts)

    lines: list[str] = []
    title = (d.core_properties.title or "").strip()
    for child in d.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p = Paragraph(child, d)
            text, style = visible(p).strip(), (p.style.name if p.style is not None else "") or ""
            if not text:
                continue
            if style == "Title":
                title = title or text
                lines.append(f"# {text}")
            elif style.startswith("Heading"):
                level = int(style.split()[-1]) if style.split()[-1].isdigit() else 2
                lines.append(f"{'#' * min(level + 1, 6)} {text}")  # Heading 1 is a section, not the title
            elif "List" in style:
                lines.append(f"- {text}")
            else:
                lines.append(text)
            lines.append("")
        elif tag == "tbl":
            for row in Table(child, d).rows:
                cells = list(dict.fromkeys("\n".join(visible(p) for p in c.paragraphs).strip()
                                           for c in row.cells))  # merged cells repeat
                lines.append(" | ".join(cells))
            lines.append("")
    created = d.core_properties.created
    h1, blocks = markdown_blocks("\n".join(lines), first_section="Introduction")
    return [noting_hidden(document_of(path, data, "docx", title or h1, blocks, {}, created.year if created else None),
                         hidden)]


def read_jsonl(path: Path, data: bytes) -> list[Document]:
    """One document per line: {"text" | "sections": {heading: text}, "id", "title", "organisation",
    "year", "url"}. Bad lines are reported; the good ones are kept."""
    docs, bad = [], []
    for n, line in enumerate(_decode_text(data, path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict):
                raise ValueError("not a JSON object")
            sections = rec.get("sections") or {}
            if not isinstance(sections, dict):
                raise ValueError('"sections" must map headings to text')
            blocks = [Block(str(h), str(t).strip()) for h, t in sections.items() if str(t).strip()]
            text = str(rec.get("text") or rec.get("content") or "").strip()
            if text:
                _, more = markdown_blocks(text, first_section=str(rec.get("section") or "Text"))
                blocks = more + blocks
            if not blocks:
                raise ValueError('no "text" or "sections"')
        except ValueError as exc:
            bad.append(f"line {n}: {exc}")
            continue
        rid = re.sub(r"[^\w.-]+", "-", str(rec.get("id") or f"{path.stem}-{n}")).strip("-")
        canonical = json.dumps(rec, sort_keys=True, ensure_ascii=False).encode()
        doc = document_of(path, canonical, "jsonl", str(rec.get("title") or "") or None, blocks, rec)
        doc.id, doc.source = rid, f"{path}#{rid}"
        docs.append(doc)
    if not docs:
        raise UserError(f"{path}: no usable JSON Lines records ({'; '.join(bad[:3]) or 'empty'}). Each line needs "
                        'a JSON object with "text" (or "sections"), and optionally "id", "title", "organisation", '
                        '"year", "url".')
    if bad:
        docs[0].warnings.append(f"{len(bad)} bad line(s) skipped: {'; '.join(bad[:3])}")
    return docs


def read_xml(path: Path, data: bytes) -> list[Document]:
    doc = read_ngc_xml(path, data)
    doc.content_key = content_hash(data)
    return [doc]


READERS: dict[str, Callable[[Path, bytes], list[Document]]] = {
    ".pdf": read_pdf, ".html": read_html, ".htm": read_html, ".xhtml": read_html, ".md": read_markdown,
    ".markdown": read_markdown, ".txt": read_text, ".text": read_text, ".docx": read_docx, ".jsonl": read_jsonl,
    ".ndjson": read_jsonl, ".xml": read_xml,
}


def read_file(path: Path, max_chars: int = MAX_CHARS) -> list[Document]:
    """Read one file into documents, or raise UserError/Unsupported with a message saying what to do."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise Unsupported(f"{path}: unsupported file type '{path.suffix or '(none)'}'. medassist reads "
                          f"{', '.join(sorted(READERS))}.")
    try:
        size = path.stat().st_size
        if size == 0:
            raise UserError(f"{path}: is empty (0 bytes).")
        if size > MAX_BYTES:
            raise UserError(f"{path}: is {size / 2**20:,.0f} MB, over the {MAX_BYTES // 2**20} MB medassist reads. "
                            "Split it into smaller files.")
        data = path.read_bytes()
    except PermissionError:
        raise UserError(f"{path}: cannot be read (permission denied). Check its permissions "
                        f"(for example `chmod u+r '{path}'`).") from None
    except FileNotFoundError:
        raise UserError(f"{path}: does not exist.") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory.") from None
    try:
        docs = reader(path, data)
    except RecursionError:  # a structure nested deeper than any check foresaw: refuse it, clearly
        raise UserError(f"{path}: nests its structure too deeply to read. If it is a real guideline, save it "
                        "again as PDF or plain text and add that.") from None
    for doc in docs:
        n = doc.characters()
        if n == 0:
            raise UserError(f"{path}: has no readable text" + (" once scripts and navigation are removed."
                                                                if doc.format == "html" else "."))
        if n > max_chars:
            raise UserError(f"{path}: holds {n:,} characters of text, over the limit of {max_chars:,} "
                            "(--max-chars). Split it, or raise the limit if it really is one guideline.")
    return docs
