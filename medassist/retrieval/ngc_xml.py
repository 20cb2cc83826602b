"""The NGC XML reader: one National Guideline Clearinghouse summary in, a `Document` out.

NGC summaries are XML: `<Section Name=…>` elements holding `<Field Name=…>`s, each with one or
more `<FieldValue Value=…>` whose value is escaped HTML. We keep every field as a Markdown
section, plus the metadata a citation needs.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import UserError
from .documents import CLINICAL_SECTIONS, Block, Document, html_to_markdown, latest_year


def _plain(value: str) -> str:
    """Fast tag-stripping for fields that are kept for reference but never indexed."""
    import html

    return re.sub(r"\s*\n\s*\n\s*", "\n\n", html.unescape(re.sub(r"<[^>]+>", " ", value))).strip()


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
