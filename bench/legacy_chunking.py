"""The chunker as it was before chunker version 2 (frozen here, for the benchmarks only).

bench/retrieval_quality.py and bench/bench_library.py build an index with it beside one built with
today's chunker, so "before" and "after" are measured in the same run. It dropped any chunk whose
first line matched a grading legend, which took the opening recommendation statements of most
USPSTF summaries with it. Not used by medassist itself.

Original docstring: Section- and page-aware chunking: every chunk stays inside one section and knows where it came from.

Consecutive blocks of one section (a PDF section running over several pages) are split as one
text, so sentences are not cut at page breaks; each chunk then records the page it starts on
and, when it crosses a break, the page it ends on.
"""
from __future__ import annotations

import bisect
import hashlib
import re

from medassist.retrieval.documents import CLINICAL_SECTIONS, Block, Document
from medassist.types import Passage

# Evidence-grading legends repeat word for word across a society's guidelines ("What the USPSTF
# grades mean", "Levels of evidence"): they answer no clinical question and were ~10% of the
# starter library's text.
GRADING_LEGEND = re.compile(
    r"levels? of (certainty|evidence)|grades? mean|grading of recommendations|^\W*definitions?\W*$|"
    r"recommendation categories|strength of (the )?recommendations?$|quality of (the )?evidence$|rating scheme|"
    r"^useful resources$", re.IGNORECASE)
EMPTY_TEXT = re.compile(r"^(none|none provided|none available|not stated|not applicable|n/?a)\.?$", re.IGNORECASE)
MIN_CHARS = 40  # shorter fragments ("Some Evidence") say nothing by themselves

CHUNK_CHARS = 900  # all-MiniLM-L6-v2 reads 256 word pieces (~1,000 characters) at most
OVERLAP_CHARS = 80
CHUNKING = {"sections": "clinical (NGC), all (other formats)", "chunk_chars": CHUNK_CHARS,
            "overlap": OVERLAP_CHARS, "skips": "evidence-grading legends"}

_SUBHEADING = re.compile(r"^(?:#{1,6}\s+(.+?)|\*\*([^*\n]{3,120})\*\*)\s*$", re.MULTILINE)


def chunk_id(content_key: str, section: str, page: int | None, text: str) -> str:
    """Derived from content, so re-indexing the same text yields the same id (and adds nothing)."""
    return hashlib.sha256(f"{content_key}\x00{section}\x00{page}\x00{text}".encode()).hexdigest()[:32]


def _splitter():
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_CHARS, chunk_overlap=OVERLAP_CHARS, add_start_index=True, keep_separator="end",
        separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
    )


def _section_runs(blocks: list[Block]) -> list[tuple[str, str, list[tuple[int, int | None]]]]:
    """Consecutive blocks of one section joined: (section, text, [(start offset, page)])."""
    runs: list[tuple[str, str, list[tuple[int, int | None]]]] = []
    for b in blocks:
        if runs and runs[-1][0] == b.section:
            name, text, pages = runs[-1]
            pages.append((len(text) + 2, b.page))
            runs[-1] = (name, f"{text}\n\n{b.text}", pages)
        else:
            runs.append((b.section, b.text, [(0, b.page)]))
    return runs


def chunk_document(doc: Document, sections: tuple[str, ...] | None = None) -> list[Passage]:
    """Split `doc` into cited passages. NGC summaries keep their clinical sections only (unless
    `sections` says otherwise); other formats keep every section."""
    if sections is None and doc.format == "ngc-xml":
        sections = CLINICAL_SECTIONS
    splitter = _splitter()
    out: list[Passage] = []
    fragments: list[Passage] = []  # kept only when a document has nothing longer
    seen: set[str] = set()
    for name, body, pages in _section_runs(doc.blocks):
        if sections is not None and name not in sections:
            continue
        if GRADING_LEGEND.search(name):
            continue
        starts = [s for s, _ in pages]
        heads = [(m.start(), (m.group(1) or m.group(2)).strip()) for m in _SUBHEADING.finditer(body)]
        for piece in splitter.create_documents([body]):
            start = piece.metadata["start_index"]
            text = piece.page_content.strip()
            if not text or _SUBHEADING.fullmatch(text) or EMPTY_TEXT.match(text):
                continue  # a lone heading or "None provided" says nothing by itself
            if GRADING_LEGEND.search(text.split("\n", 1)[0].strip("*: ")):
                continue  # a legend that starts mid-section
            sub = next((h for pos, h in reversed(heads) if pos <= start), None)
            if sub and GRADING_LEGEND.search(sub):
                continue
            section = f"{name} › {sub}" if sub and sub != name else name
            page = pages[bisect.bisect_right(starts, start) - 1][1]
            page_end = pages[bisect.bisect_right(starts, start + len(piece.page_content) - 1) - 1][1]
            cid = chunk_id(doc.content_key or doc.id, section, page, text)
            if cid in seen:
                continue
            seen.add(cid)
            (out if len(text) >= MIN_CHARS else fragments).append(Passage(
                chunk_id=cid, document_id=doc.id, title=doc.title,
                organisation="; ".join(doc.organisations), year=doc.year, section=section, text=text,
                url=doc.url, source=doc.source, page=page, page_end=page_end if page_end != page else None,
            ))
    return out or fragments


_TITLE_BOILERPLATE = re.compile(r"^final recommendation statement:\s*|:\s*[^:]*recommendation statement\.?$|"
                                r"\.\s*in:\s.*$", re.IGNORECASE)


def embedding_text(p: Passage) -> str:
    """What version 1 embedded: the title and only the nearest heading."""
    title = _TITLE_BOILERPLATE.sub("", p.title).strip() or p.title
    return f"{title}. {p.section.rsplit(' › ', 1)[-1]}: {p.text}"


class legacy_chunker:  # used as a context manager, reads like a phrase
    """Within this block, medassist indexes and searches with the version-1 chunker."""

    def __enter__(self):
        import medassist.retrieval as retrieval
        import medassist.retrieval.ingest as ingest

        self._saved = (ingest.chunk_document, retrieval.embedding_text)
        ingest.chunk_document, retrieval.embedding_text = chunk_document, embedding_text
        return self

    def __exit__(self, *exc):
        import medassist.retrieval as retrieval
        import medassist.retrieval.ingest as ingest

        ingest.chunk_document, retrieval.embedding_text = self._saved
