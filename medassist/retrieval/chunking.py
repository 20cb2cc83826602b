"""Chunks that stand on their own: whole sentences, statements kept with their grade, no fragments.

    section text ─> units (a sentence, a list item, a table row, a heading), each with its heading
    path, its offset and the page it sits on ─> legends and pointer sentences left out (only those
    on the reviewed list in boilerplate.py) ─> units packed into chunks of at most CHUNK_CHARS,
    breaking at headings and paragraphs first ─> pieces under MIN_CHARS merged into a neighbour of
    the same section ─> Passages with grade(s) and page spans.

A sentence is never split, unless it alone is longer than a chunk: then at clause boundaries,
never inside a word. Consecutive blocks of one section (a PDF section running over pages) are one
text, so nothing is cut at a page break; every chunk records the page of each of its pieces.
NGC summaries keep their clinical fields; their short scope fields (condition, population,
objectives) are merged into one passage rather than indexed as six-word fragments.
"""
from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass

from ..sentences import grade_of, split_sentences
from ..types import Passage
from .boilerplate import EMPTY_TEXT, boilerplate_sentence, is_legend
from .documents import CLINICAL_SECTIONS, Block, Document

CHUNK_CHARS = 800  # all-MiniLM-L6-v2 reads 256 word pieces: title, section path and ~800 characters
GRADED_CHUNK_CHARS = 1100  # a graded statement's paragraph may run longer rather than lose its grade
MIN_CHARS = 200  # a piece shorter than this is merged into a neighbour of its section
CHUNKER_VERSION = 2  # recorded in the index: an index built by an older chunker is rebuilt
CHUNKING = {"version": CHUNKER_VERSION, "chunk_chars": CHUNK_CHARS, "min_chars": MIN_CHARS,
            "sections": "clinical (NGC), all (other formats)", "skips": "boilerplate.py (reviewed list)"}
SCOPE_SECTIONS = ("Disease/Condition(s)", "Guideline Objective(s)", "Target Population", "Clinical Algorithm(s)")

_HEADING_MD = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")
_HEADING_BOLD = re.compile(r"^\*\*([^*\n]{2,150}?)\*\*:?$")  # a whole line in bold: NGC's subheadings
_HEADING_ITALIC = re.compile(r"^\*([^*\n]{2,120}?)\*:?$")
_TABLE_ROW = re.compile(r"^\s*\|")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)]|[a-z][.)])\s+")
_CLAUSE = re.compile(r"(?<=[;,:])\s+|\s+(?=\(|and |or |but |which |who |whereas )")


@dataclass
class Unit:
    """One indivisible piece of a section: a sentence, list item, table row or heading."""

    text: str  # Markdown, as in the document
    kind: str  # sentence | item | row | heading
    path: tuple[str, ...]  # subheadings above it (outermost first)
    start: int  # character offset in the section's text (for the page it sits on)
    para: int  # units of one paragraph, list or table share this number
    grade: str | None = None


def chunk_id(content_key: str, section: str, page: int | None, text: str) -> str:
    """Derived from content, so re-indexing the same text yields the same id (and adds nothing)."""
    return hashlib.sha256(f"{content_key}\x00{section}\x00{page}\x00{text}".encode()).hexdigest()[:32]


def _heading(line: str) -> tuple[int, str] | None:
    m = _HEADING_MD.match(line)
    if m:
        return len(m.group(1)), m.group(2).strip("* ")
    m = _HEADING_BOLD.match(line) or _HEADING_ITALIC.match(line)
    if m and not re.search(r"[.;]$", m.group(1).strip()):
        return (3 if line.startswith("**") else 4), m.group(1).strip()
    return None


def _heading_name(line: str) -> str:
    head = _heading(line.strip())
    return head[1] if head else line.strip("#*_: ")


def units_of(text: str) -> list[Unit]:
    """Split one section's Markdown into units, in order, with heading paths and offsets."""
    out: list[Unit] = []
    path: list[tuple[int, str]] = []
    lines: list[tuple[int, str]] = []
    para, pos = 0, 0  # lines of the paragraph being read: (offset, text)

    def flush() -> None:
        nonlocal para
        if lines:
            joined = " ".join(t for _, t in lines)
            base, cursor = lines[0][0], 0
            for s in split_sentences(joined):
                at = joined.find(s[:20], cursor)
                cursor = max(cursor, at)
                out.append(Unit(s, "sentence", tuple(h for _, h in path), base + max(at, 0), para, grade_of(s)))
            lines.clear()
            para += 1

    for raw in text.splitlines(keepends=True):
        line, offset = raw.strip(), pos
        pos += len(raw)
        if not line:
            flush()
            continue
        head = _heading(line)
        if head:
            flush()
            level, name = head
            while path and path[-1][0] >= level:
                path.pop()
            out.append(Unit(line, "heading", tuple(h for _, h in path), offset, para))
            path.append((level, name))
            para += 1
        elif _TABLE_ROW.match(line) or _LIST_ITEM.match(line):
            flush()
            if _TABLE_RULE.match(line):
                continue
            kind = "row" if _TABLE_ROW.match(line) else "item"
            if (out and out[-1].kind not in (kind, "sentence")) or (out and out[-1].kind == "sentence"
                                                                    and not out[-1].text.endswith(":")):
                para += 1  # a list or table starts; a lead-in ending in ':' stays with it
            out.append(Unit(line, kind, tuple(h for _, h in path), offset, para, grade_of(line)))
        else:
            if out and out[-1].kind in ("item", "row") and not lines:
                para += 1
            lines.append((offset, line))
    flush()
    return out


def _drop_boilerplate(units: list[Unit], removed: dict[str, list[str]] | None) -> list[Unit]:
    """Leave out grading legends (heading and everything under it) and pointer sentences."""
    keep: list[Unit] = []
    i = 0
    while i < len(units):
        u = units[i]
        if u.kind == "heading":
            depth = len(u.path)
            j = i + 1  # the subsection runs to the next heading at the same or a higher level
            while j < len(units) and not (units[j].kind == "heading" and len(units[j].path) <= depth):
                j += 1
            body = "\n".join(x.text for x in units[i + 1:j])
            if is_legend(u.text, body) or (not body.strip() and j < len(units) and _legend_follows(units, j)):
                if removed is not None:
                    removed.setdefault("grading legend", []).append("\n".join(x.text for x in units[i:j]))
                i = j
                continue
        name = boilerplate_sentence(u.text) if u.kind == "sentence" else None
        if name or EMPTY_TEXT.match(u.text.strip("*_ ")):
            if removed is not None:
                removed.setdefault(name or "empty field", []).append(u.text)
        else:
            keep.append(u)
        i += 1
    return keep


def _legend_follows(units: list[Unit], j: int) -> bool:
    head = units[j]
    k = j + 1
    while k < len(units) and not (units[k].kind == "heading" and len(units[k].path) <= len(head.path)):
        k += 1
    return head.kind == "heading" and is_legend(head.text, "\n".join(x.text for x in units[j + 1:k]))


def _split_long(text: str, limit: int) -> list[str]:
    """A unit longer than a chunk: cut at clause boundaries (then spaces), never inside a word."""
    pieces, current = [], ""
    for part in _CLAUSE.split(text):
        if current and len(current) + 1 + len(part) > limit:
            pieces.append(current)
            current = part
        else:
            current = f"{current} {part}".strip() if current else part
        while len(current) > limit:  # one clause still too long: at the last space before the limit
            cut = current.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            pieces.append(current[:cut].rstrip())
            current = current[cut:].lstrip()
    if current:
        pieces.append(current)
    return pieces


def _pack(units: list[Unit]) -> list[list[Unit]]:
    """Group units into chunks: break at headings and paragraphs when the chunk is big enough,
    never inside a paragraph that fits, never inside a unit that fits."""
    chunks: list[list[Unit]] = []
    cur: list[Unit] = []
    size = 0

    def close() -> None:
        nonlocal cur, size
        if cur:
            chunks.append(cur)
        cur, size = [], 0

    paragraphs: list[list[Unit]] = []
    for u in units:
        if paragraphs and paragraphs[-1][-1].para == u.para and u.kind != "heading":
            paragraphs[-1].append(u)
        else:
            paragraphs.append([u])
    for group in paragraphs:
        length = sum(len(u.text) + 1 for u in group)
        limit = GRADED_CHUNK_CHARS if any(u.grade for u in group) else CHUNK_CHARS
        if group[0].kind == "heading":
            if size >= MIN_CHARS and (not cur or cur[-1].kind != "heading"):
                close()  # a new subsection starts a new chunk, unless the current one is a fragment
            cur.append(group[0])
            size += length
            continue
        if size + length <= max(limit, CHUNK_CHARS):
            cur.extend(group)
            size += length
            continue
        if size >= MIN_CHARS and length <= limit and not all(u.kind == "heading" for u in cur):
            close()
            cur, size = list(group), length
            continue
        for u in group:  # the paragraph must be cut between its units
            n = len(u.text) + 1
            if size and size + n > CHUNK_CHARS and not all(x.kind == "heading" for x in cur):
                close()
            if n > CHUNK_CHARS:
                for piece in _split_long(u.text, CHUNK_CHARS):
                    if size and not all(x.kind == "heading" for x in cur):
                        close()
                    cur.append(Unit(piece, u.kind, u.path, u.start + max(u.text.find(piece[:20]), 0), u.para,
                                    u.grade if piece is not None and u.grade and u.grade in piece else None))
                    size += len(piece) + 1
                continue
            cur.append(u)
            size += n
    close()
    return _merge_small(chunks)


def _merge_small(chunks: list[list[Unit]]) -> list[list[Unit]]:
    """Pieces under MIN_CHARS join the previous chunk of the section (or the next one)."""
    out: list[list[Unit]] = []
    for c in chunks:
        size = sum(len(u.text) + 1 for u in c)
        if out and (size < MIN_CHARS or all(u.kind == "heading" for u in out[-1])):
            out[-1] = out[-1] + c
        else:
            out.append(c)
    if len(out) > 1 and sum(len(u.text) + 1 for u in out[0]) < MIN_CHARS:
        out[1] = out[0] + out[1]
        out.pop(0)
    return out


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


def _passage(doc: Document, section: str, units: list[Unit], pages: list[tuple[int, int | None]]) -> Passage:
    starts = [s for s, _ in pages]

    def page_at(offset: int) -> int | None:
        return pages[max(bisect.bisect_right(starts, offset) - 1, 0)][1]

    spans: list[tuple[int, int | None]] = []
    text, previous = "", None
    for u in units:
        joiner = "" if not text else (" " if previous is not None and previous.para == u.para
                                      and u.kind == "sentence" and previous.kind == "sentence" else "\n")
        if joiner == "\n" and previous is not None and previous.para != u.para:
            joiner = "\n\n"
        text += joiner
        page = page_at(u.start)
        if not spans or spans[-1][1] != page:
            spans.append((len(text), page))
        text += u.text
        previous = u
    first = units[0]
    path = first.path + ((_heading_name(first.text),) if first.kind == "heading" else ())
    section_path = " › ".join((section, *(p for p in path if p and p != section)))
    grades = list(dict.fromkeys(u.grade for u in units if u.grade))
    pages_seen = [p for _, p in spans if p is not None]
    page = pages_seen[0] if pages_seen else None
    page_end = pages_seen[-1] if pages_seen and pages_seen[-1] != page else None
    return Passage(chunk_id=chunk_id(doc.content_key or doc.id, section_path, page, text), document_id=doc.id,
                   title=doc.title, organisation="; ".join(doc.organisations), year=doc.year, section=section_path,
                   text=text, url=doc.url, source=doc.source, page=page, page_end=page_end,
                   grade="; ".join(grades), page_spans=tuple(spans) if page is not None else ())


def chunk_document(doc: Document, sections: tuple[str, ...] | None = None,
                   removed: dict[str, list[str]] | None = None) -> list[Passage]:
    """Split `doc` into cited passages. NGC summaries keep their clinical sections only (unless
    `sections` says otherwise); other formats keep every section. `removed`, when given, collects
    what the boilerplate list left out (name -> texts)."""
    if sections is None and doc.format == "ngc-xml":
        sections = CLINICAL_SECTIONS
    out: list[Passage] = []
    scope: list[tuple[str, list[Unit]]] = []  # short NGC scope fields, merged into one passage
    for name, body, pages in _section_runs(doc.blocks):
        if sections is not None and name not in sections:
            continue
        units = _drop_boilerplate(units_of(body), removed)
        if not any(u.kind != "heading" for u in units):
            continue
        if doc.format == "ngc-xml" and name in SCOPE_SECTIONS and sum(len(u.text) for u in units) < CHUNK_CHARS // 2:
            scope.append((name, units))
            continue
        out.extend(_passage(doc, name, c, pages) for c in _pack(units))
    if scope:
        labelled = [Unit(f"**{name}:** {' '.join(u.text for u in units)}", "sentence", (), 0, i)
                    for i, (name, units) in enumerate(scope)]
        out.append(_passage(doc, " · ".join(name for name, _ in scope), labelled, [(0, None)]))
    seen: set[str] = set()
    unique = []
    for p in out:
        if p.chunk_id not in seen:
            seen.add(p.chunk_id)
            unique.append(p)
    return unique
