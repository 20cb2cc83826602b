"""Guideline documents and the NGC XML reader (the other formats live in `readers.py`).

NGC summaries are XML: `<Section Name=…>` elements holding `<Field Name=…>`s, each with one or
more `<FieldValue Value=…>` whose value is escaped HTML. We keep every field as a Markdown
section, plus the metadata a citation needs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UserError


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


def _plain(value: str) -> str:
    """Fast tag-stripping for fields that are kept for reference but never indexed."""
    import html

    return re.sub(r"\s*\n\s*\n\s*", "\n\n", html.unescape(re.sub(r"<[^>]+>", " ", value))).strip()


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


def _links(value: str) -> list[str]:
    return re.findall(r'href="(https?://[^"]+)"', value)


def read_ngc_xml(path: Path, data: bytes | None = None) -> Document:
    """Parse one NGC summary. Raises UserError naming the file if it is not NGC XML."""
    import defusedxml.ElementTree as ET  # the file may come from the internet: no entity expansion

    try:
        root = ET.fromstring(data) if data is not None else ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise UserError(f"{path}: not well-formed XML ({exc}).") from None
    except Exception as exc:  # defusedxml refusals (entities, DTDs) and I/O errors
        raise UserError(f"{path}: cannot be read as NGC XML ({exc}).") from None
    fields: dict[str, list[str]] = {}
    for sec in root.iter("Section"):
        for f in sec.iter("Field"):
            values = [v.get("Value", "") for v in f.iter("FieldValue")]
            fields.setdefault(f.get("Name", ""), []).extend(values)
    if "Guideline Title" not in fields:
        raise UserError(f"{path}: no 'Guideline Title' field; this is not an NGC guideline summary.")

    def text(name: str) -> str:
        return "\n\n".join(html_to_markdown(v) for v in fields.get(name, []) if v.strip())

    developers = [html_to_markdown(v) for v in fields.get("Guideline Developer(s)", [])]
    organisations = list(dict.fromkeys(d.split(" - ")[0].strip() for d in developers if d.strip()))
    urls = []
    for name in ("Guideline Availability", "Availability of Companion Documents"):
        for v in fields.get(name, []):
            urls.extend(_links(v))
    blocks = []
    for name, values in fields.items():
        if name not in CLINICAL_SECTIONS:  # Markdown conversion is most of the reading time: only where it is used
            body = "\n\n".join(_plain(v) for v in values if v.strip())
        elif len(values) > 1:
            body = "\n".join(html_to_markdown(v) for v in values if v.strip())
        else:
            body = text(name)
        if body:
            blocks.append(Block(name, body))
    date = text("Date Released")
    return Document(
        id=path.stem, title=text("Guideline Title").rstrip("."), organisations=organisations,
        date_released=date, year=latest_year(date), urls=list(dict.fromkeys(urls)),
        blocks=blocks, source=str(path), format="ngc-xml",
    )
