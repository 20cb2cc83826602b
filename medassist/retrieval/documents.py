"""Guideline documents as every reader returns them (`Document`, `Block`), and the helpers readers
share. The readers themselves: `readers.py` (PDF, HTML, Markdown, text, DOCX, JSON Lines) and
`ngc_xml.py` (NGC summaries)."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .hidden import hidden_note


@dataclass
class Block:
    """A run of text under one heading; `page` is the 1-based PDF page it sits on (None elsewhere)."""

    section: str
    text: str  # Markdown
    page: int | None = None


@dataclass
class Document:
    id: str  # e.g. "ngc-10008"; a suggestion until the index assigns it (names may clash)
    title: str
    organisations: list[str]
    date_released: str  # as published, e.g. "2006 Feb (revised 2013 Sep 3)"
    year: int | None  # the latest year in date_released: the version in force
    urls: list[str]  # where the full guideline is published
    blocks: list[Block] = field(default_factory=list)  # in reading order
    source: str = ""  # file (or file#record) it was read from
    format: str = "ngc-xml"
    content_key: str = ""  # sha256 of the content: the same bytes under two names are one document
    warnings: list[str] = field(default_factory=list)  # e.g. pages that could not be read

    @property
    def url(self) -> str:
        return self.urls[0] if self.urls else ""

    @property
    def sections(self) -> dict[str, str]:
        """heading -> text, in order (pages of one section joined)."""
        out: dict[str, str] = {}
        for b in self.blocks:
            out[b.section] = f"{out[b.section]}\n\n{b.text}" if b.section in out else b.text
        return out

    def characters(self) -> int:
        return sum(len(b.text) for b in self.blocks)


# NGC fields that carry clinical content. Methods, funding, committee, availability and the
# standard disclaimers ("Qualifying Statements") answer no clinical question and would crowd the
# evidence out (and cost embedding time).
CLINICAL_SECTIONS = (
    "Major Recommendations", "Clinical Algorithm(s)", "Disease/Condition(s)", "Target Population",
    "Potential Benefits", "Potential Harms", "Contraindications", "FDA Warning/Regulatory Alert",
    "Guideline Objective(s)",
)


def latest_year(date_text: str) -> int | None:
    years = [int(y) for y in re.findall(r"\b(19\d\d|20\d\d)\b", date_text)]
    return max(years) if years else None


def html_to_markdown(value: str, strip_links: bool = False) -> str:
    if "<" in value:
        from bs4 import BeautifulSoup
        from markdownify import MarkdownConverter

        soup = BeautifulSoup(value, "html.parser")
        for tag in soup(["script", "style", "noscript", "iframe", "img"]):
            tag.decompose()  # data, never content
        options: dict[str, Any] = {"strip": ["a"]} if strip_links else {}  # link targets are not guideline text
        md = MarkdownConverter(heading_style="ATX", bullets="-", **options).convert_soup(soup)
    else:
        md = value
    md = re.sub(r"\r\n?", "\n", md)
    md = re.sub(r"[ \t]+\n", "\n", md)
    md = re.sub(r"\n{3,}", "\n\n", md)
    return md.strip()


# -- building a Document from a file's bytes (shared by the readers) --------------------------
def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def title_from(text: str, fallback: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line if len(line) <= 150 else fallback
    return fallback


def document_of(path: Path, data: bytes, fmt: str, title: str | None, blocks: list[Block], meta: dict,
              fallback_year: int | None = None) -> Document:
    orgs = meta.get("organisation") or meta.get("organization") or meta.get("publisher") or ""
    date = str(meta.get("year") or meta.get("date") or "")
    return Document(
        id=path.stem, title=(meta.get("title") or title or path.stem).strip(),
        organisations=[o.strip() for o in re.split(r";", orgs) if o.strip()] if isinstance(orgs, str) else list(orgs),
        date_released=date, year=latest_year(date) or fallback_year, urls=[meta["url"]] if meta.get("url") else [],
        blocks=blocks, source=str(path), format=fmt, content_key=content_hash(data),
    )


def noting_hidden(doc: Document, chars: int) -> Document:
    if chars:
        doc.warnings.append(hidden_note(chars))
    return doc
