"""Section-aware chunking: every chunk stays inside one section and knows where it came from."""
from __future__ import annotations

import hashlib
import re

from ..types import Passage
from .documents import Document

# NGC fields that carry clinical content. Methods, funding, committee and availability fields
# answer no clinical question and would crowd the evidence out.
CLINICAL_SECTIONS = (
    "Major Recommendations", "Clinical Algorithm(s)", "Disease/Condition(s)", "Target Population",
    "Interventions and Practices Considered", "Potential Benefits", "Potential Harms", "Contraindications",
    "Qualifying Statements", "FDA Warning/Regulatory Alert", "Guideline Objective(s)",
)
CHUNK_CHARS = 900  # all-MiniLM-L6-v2 reads 256 word pieces (~1,000 characters) at most
OVERLAP_CHARS = 120

_SUBHEADING = re.compile(r"^(?:#{1,6}\s+(.+?)|\*\*([^*\n]{3,120})\*\*)\s*$", re.MULTILINE)


def chunk_id(document_id: str, section: str, text: str) -> str:
    """Derived from content, so re-indexing the same text yields the same id (and adds nothing)."""
    return hashlib.sha256(f"{document_id}\x00{section}\x00{text}".encode()).hexdigest()[:32]


def _splitter():
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_CHARS, chunk_overlap=OVERLAP_CHARS, add_start_index=True, keep_separator="end",
        separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
    )


def chunk_document(doc: Document, sections: tuple[str, ...] | None = CLINICAL_SECTIONS) -> list[Passage]:
    """Split `doc`'s sections (all of them when `sections` is None) into cited passages."""
    splitter = _splitter()
    out: list[Passage] = []
    for name, body in doc.sections.items():
        if sections is not None and name not in sections:
            continue
        heads = [(m.start(), (m.group(1) or m.group(2)).strip()) for m in _SUBHEADING.finditer(body)]
        for piece in splitter.create_documents([body]):
            start = piece.metadata["start_index"]
            text = piece.page_content.strip()
            if not text or _SUBHEADING.fullmatch(text):
                continue  # a lone heading says nothing by itself
            sub = next((h for pos, h in reversed(heads) if pos <= start), None)
            section = f"{name} › {sub}" if sub and sub != name else name
            out.append(Passage(
                chunk_id=chunk_id(doc.id, section, text), document_id=doc.id, title=doc.title,
                organisation="; ".join(doc.organisations), year=doc.year, section=section, text=text,
                url=doc.url, source=doc.source,
            ))
    return out
