"""PDF: one block per page (so quotes and verdicts name the page of the sentence itself), sections from the
outline, invisible text left out, and size limits checked before any page is inflated. pypdf is imported
here only, when a PDF is read."""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from ..errors import UserError
from . import limits
from .documents import Block, Document, document_of, latest_year, noting_hidden, title_from


def read_pdf(path: Path, data: bytes) -> list[Document]:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its repair notes would interleave with our report

    if b"%PDF-" not in data[:1024]:
        raise UserError(f"{path}: is not a PDF (its content does not start with %PDF). "
                        "Check that it is the file you meant.")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UserError(f"{path}: is encrypted with a password. Save an unencrypted copy and add that.")
        limits.check_pdf(path, reader)  # objects, object streams, pages: before any page is inflated
        pages = list(reader.pages)
    except DependencyError:
        raise UserError(f"{path}: is encrypted; reading it needs: pip install cryptography") from None
    except (PdfReadError, ValueError, KeyError, OSError, TypeError) as exc:
        raise UserError(f"{path}: is a damaged or truncated PDF ({exc}).") from None
    heading_at = _outline_pages(reader)  # page index -> heading starting there
    meta: dict[str, Any] = reader.metadata or {}
    from .hidden import visible_page_text

    section, blocks, unreadable, hidden = "Document", [], [], 0
    budget = limits.PdfBudget(path)
    for i, page in enumerate(pages):
        section = heading_at.get(i, section)
        try:
            budget.charge(page)
            text, dropped = visible_page_text(page, reader)  # white, tiny, off-page, clipped text left out
            hidden += dropped
        except UserError:
            raise
        except Exception:  # one broken page must not lose the others
            unreadable.append(i + 1)
            continue
        text = re.sub(r"[ \t]+\n", "\n", text).strip()
        if text:
            blocks.append(Block(section, text, page=i + 1))
    if not blocks and hidden:
        raise UserError(f"{path}: all of its text ({hidden:,} characters) is invisible: white, tiny, off the page "
                        "or clipped. Nothing in it can be shown to a reader, so nothing was indexed.")
    if not blocks:
        raise UserError(f"{path}: has no extractable text (a scanned image?). Run OCR on it first "
                        "(for example `ocrmypdf in.pdf out.pdf`) and add the result.")
    first = blocks[0].text
    title = str(meta.get("/Title") or "").strip() or title_from(first, path.stem)
    year = latest_year(title) or latest_year(first[:2000])  # the edition year is usually in the title or on page 1
    if year is None and meta.get("/CreationDate"):
        year = latest_year(str(meta.get("/CreationDate"))[2:6])
    doc = document_of(path, data, "pdf", title, blocks, {}, year)
    if unreadable:
        doc.warnings.append(f"pages {', '.join(map(str, unreadable))} could not be read")
    return [noting_hidden(doc, hidden)]


def _outline_pages(reader) -> dict[int, str]:
    out: dict[int, str] = {}

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                if depth < 1:  # top two outline levels name sections; deeper ones are too fine
                    walk(item, depth + 1)
                continue
            try:
                page = reader.get_destination_page_number(item)
            except Exception:
                continue
            if page is not None and page >= 0:
                out.setdefault(page, str(item.title).strip())

    try:
        walk(reader.outline, 0)
    except Exception:  # a broken outline is no reason to lose the text
        return {}
    return out
