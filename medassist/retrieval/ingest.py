"""Ingestion: files in, whole documents in the index out, and a per-file report of what happened.

Two steps: `read_files` reads and checks every file (limits, hidden text) before the writer lock is
taken, so a slow or hostile file never holds up other writers; `ingest` then writes under the lock.

Idempotent and incremental: a document is keyed by the sha256 of its content, so re-adding an
unchanged file adds nothing, the same content under a second name is stored once with both
sources, and an edited file replaces its old version (which is removed only after the new one
is committed). Documents are written in groups of about `GROUP_CHUNKS` chunks, each group as
begin → chunks → commit (see store.py), so a kill at any moment loses at most the group in flight.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..errors import UserError
from ..types import Passage
from .chunking import chunk_document
from .documents import Document
from .readers import MAX_CHARS, Unsupported, read_file
from .store import DocumentRecord, GuidelineIndex

STALE_CHUNKER = ("This index was built by an older medassist whose chunker left some recommendation statements "
                 "out. Rebuild it with `medassist index rebuild` (it re-adds your own documents too, and keeps "
                 "the old index aside).")
GROUP_CHUNKS = 256  # chunks committed together: a kill loses at most ~4 s of embedding
Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass
class Outcome:
    """What happened to one file (or one record of a JSON Lines file)."""

    path: str
    status: str  # added | updated | unchanged | duplicate | skipped | failed
    document_id: str = ""
    chunks: int = 0
    message: str = ""


@dataclass
class IngestReport:
    outcomes: list[Outcome] = field(default_factory=list)
    chunks_added: int = 0
    seconds: float = 0.0

    def count(self, *statuses: str) -> int:
        return sum(o.status in statuses for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def documents(self) -> int:
        return self.count("added", "updated", "unchanged", "duplicate")


def collect_files(paths: Iterable[Path | str]) -> tuple[list[Path], list[Outcome]]:
    """Files named, and files under folders named (recursively, hidden ones left out)."""
    files, problems = [], []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists():
            problems.append(Outcome(str(path), "failed", message="does not exist. Check the path."))
        elif path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file()
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not found:
                problems.append(Outcome(str(path), "skipped", message="folder holds no files."))
            files.extend(found)
        else:
            files.append(path)
    return list(dict.fromkeys(p.resolve() for p in files)), problems


@dataclass
class _Pending:
    record: DocumentRecord
    chunks: list[Passage]
    replaces: DocumentRecord | None  # the older version of the same source, removed after commit
    outcome: Outcome


@dataclass
class ReadFiles:
    """Every file read and checked, in the order given: its documents, or why it has none."""

    problems: list[Outcome]  # paths that do not exist, empty folders
    files: list[tuple[Path, list[Document] | Outcome]]
    seconds: float = 0.0

    @property
    def documents(self) -> list[Document]:
        return [d for _, docs in self.files if isinstance(docs, list) for d in docs]

    def report(self) -> IngestReport:
        """What happened when nothing is written (no document was read)."""
        return IngestReport(self.problems + [o for _, o in self.files if isinstance(o, Outcome)],
                            seconds=self.seconds)


def read_files(paths: Iterable[Path | str], max_chars: int = MAX_CHARS, organisation: str | None = None,
               year: int | None = None, overrides: dict[str, dict] | None = None,
               on_progress: Progress | None = None) -> ReadFiles:
    """Read every file (no lock held). `organisation` and `year` apply to every document read;
    `overrides` (source -> {organisation, year}) to some (a rebuild keeps what the user gave each)."""
    started = time.perf_counter()
    files, problems = collect_files(paths)
    out: list[tuple[Path, list[Document] | Outcome]] = []
    for i, path in enumerate(files, 1):
        try:
            docs: list[Document] | Outcome = read_file(path, max_chars=max_chars)
        except Unsupported as exc:
            docs = Outcome(str(path), "skipped", message=_reason(exc, path))
        except UserError as exc:
            docs = Outcome(str(path), "failed", message=_reason(exc, path))
        except Exception as exc:  # a parser bug on one hostile file must not stop the batch
            docs = Outcome(str(path), "failed", message=f"could not be read ({type(exc).__name__}: {exc}).")
        for doc in docs if isinstance(docs, list) else []:
            given = (overrides or {}).get(doc.source, {})
            if organisation or given.get("organisation"):
                doc.organisations = [o.strip() for o in (organisation or given["organisation"]).split(";")]
            if year or given.get("year"):
                doc.year = year or given["year"]
        out.append((path, docs))
        if on_progress:
            on_progress("read", i, len(files))
    return ReadFiles(problems, out, time.perf_counter() - started)


def ingest(read: ReadFiles, index: GuidelineIndex, embedder, on_progress: Progress | None = None) -> IngestReport:
    """Write what `read_files` read into `index` (call inside `index.writer()`)."""
    from . import embedding_text

    started = time.perf_counter() - read.seconds
    report = IngestReport(list(read.problems))
    known = index.documents()
    if index.stale_chunker:
        if known:  # mixing chunkers would leave the old documents' dropped statements dropped
            raise UserError(STALE_CHUNKER)
        index.adopt_chunker()
    by_source = {s: r for r in known.values() for s in r.sources}
    used_ids = {r.document_id for r in known.values()}
    pending: dict[str, _Pending] = {}  # content key -> document to write
    for _, docs in read.files:
        if isinstance(docs, Outcome):
            report.outcomes.append(docs)
            continue
        for doc in docs:
            report.outcomes.append(_plan(doc, index, known, by_source, used_ids, pending))

    todo = list(pending.values())
    total = sum(len(p.chunks) for p in todo)
    groups = list(_groups(todo))

    def submit(group: list[_Pending]):
        return embedder.submit([embedding_text(c) for p in group for c in p.chunks])

    # One group ahead: the next group's batches wait in the embedder's queue while this one is
    # stored, so its workers never stop for Chroma.
    ahead = submit(groups[0]) if groups else None
    for n, group in enumerate(groups):
        embedding, ahead = ahead, (submit(groups[n + 1]) if n + 1 < len(groups) else None)
        done = report.chunks_added
        assert embedding is not None  # submitted one group ahead
        vectors = embedding.result((lambda k, _t, base=done: on_progress("embed", base + k, total))
                                   if on_progress else None)
        chunks = [c for p in group for c in p.chunks]
        keys = [p.record.key for p in group for _ in p.chunks]
        records = [p.record for p in group]
        index.begin(records)
        index.add_chunks(chunks, keys, vectors)
        means, row = {}, 0
        for p in group:  # each document's mean vector, for document-level neighbours
            v = vectors[row:row + len(p.chunks)].mean(axis=0)
            means[p.record.key] = v / max(float(np.linalg.norm(v)), 1e-12)
            row += len(p.chunks)
        index.commit(records, means)
        for p in group:
            if p.replaces is not None:
                _drop_source(index, p.replaces, p.record.sources)
        report.chunks_added += len(chunks)
    report.outcomes += _drop_removed_records(index, read)
    report.seconds = time.perf_counter() - started
    return report


def _drop_removed_records(index: GuidelineIndex, read: ReadFiles) -> list[Outcome]:
    """A JSON Lines file read again whole: its records no longer in it leave the index (after the
    new ones are committed, so a kill never loses a record that is still in the file)."""
    read_now = {f"{path}#": {d.source for d in docs} for path, docs in read.files
                if isinstance(docs, list) and docs and docs[0].format == "jsonl"}
    if not read_now:
        return []
    out: list[Outcome] = []
    for record in list(index.documents().values()):
        gone = [s for s in record.sources if s.rpartition("#")[0] + "#" in read_now  # ids hold no "#"
                and s not in read_now[s.rpartition("#")[0] + "#"]]
        if gone:
            whole = set(record.sources) <= set(gone)
            _drop_source(index, record, gone)
            note = ("no longer in the file: removed from the index." if whole else
                    "no longer in the file; the same text stays indexed from its other sources.")
            out.extend(Outcome(s, "removed", record.document_id, record.chunks if whole else 0, note) for s in gone)
    return out


def _plan(doc: Document, index: GuidelineIndex, known: dict[str, DocumentRecord], by_source: dict[str, DocumentRecord],
          used_ids: set[str], pending: dict[str, _Pending]) -> Outcome:
    """Decide what one read document needs, and queue it if it needs writing."""
    key, source = doc.content_key, doc.source
    previous = by_source.get(source)
    warn = f" Note: {'; '.join(doc.warnings)}." if doc.warnings else ""
    if key in known or key in pending:
        record = known[key] if key in known else pending[key].record
        if source in record.sources:
            return Outcome(source, "unchanged", record.document_id, record.chunks, "already indexed." + warn)
        # Sources whose file is no longer there moved (on a shared server they may live on another machine).
        gone = [s for s in record.sources if not Path(s.split("#", 1)[0]).exists()] if index.path else []
        sources = [s for s in record.sources if s not in gone] + [source]
        if key in known:
            index.set_sources(record, sources)
        else:
            record.sources[:] = sources
        if previous is not None and previous.key != key:
            _drop_source(index, previous, [source])
        if gone:
            return Outcome(source, "unchanged", record.document_id, record.chunks,
                           f"already indexed; moved from {gone[0]}." + warn)
        return Outcome(source, "duplicate", record.document_id, record.chunks,
                       f"same content as {record.document_id} ({record.sources[0]}): stored once, "
                       "both sources kept." + warn)
    doc_id = previous.document_id if previous is not None else _unique(doc.id, used_ids)
    used_ids.add(doc_id)
    chunks = [replace(c, document_id=doc_id) for c in chunk_document(doc)]
    if not chunks:
        return Outcome(source, "failed", doc_id, 0, "no indexable text (for NGC summaries, no clinical sections).")
    record = DocumentRecord(key=key, document_id=doc_id, title=doc.title, organisation="; ".join(doc.organisations),
                            year=doc.year, url=doc.url, format=doc.format, sources=[source], chunks=len(chunks))
    status = "updated" if previous is not None else "added"
    outcome = Outcome(source, status, doc_id, len(chunks),
                      ("replaces the earlier version of this file." if previous is not None else "") + warn)
    pending[key] = _Pending(record, chunks, previous, outcome)
    return outcome


def _drop_source(index: GuidelineIndex, record: DocumentRecord, sources: list[str]) -> None:
    """`sources` now hold other content: forget them on `record`, and drop it when none is left."""
    remaining = [s for s in record.sources if s not in sources]
    if remaining:
        index.set_sources(record, remaining)
    else:
        index.delete([record])


def _unique(wanted: str, used: set[str]) -> str:
    wanted = wanted or "document"
    if wanted not in used:
        return wanted
    n = 2
    while f"{wanted}-{n}" in used:
        n += 1
    return f"{wanted}-{n}"


def _groups(todo: list[_Pending]) -> Iterable[list[_Pending]]:
    group, size = [], 0
    for p in todo:
        group.append(p)
        size += len(p.chunks)
        if size >= GROUP_CHUNKS:
            yield group
            group, size = [], 0
    if group:
        yield group


def _reason(exc: Exception, path: Path) -> str:
    """Messages name the file; the report already does, so drop the prefix."""
    msg = str(exc)
    return msg[len(str(path)) + 2:] if msg.startswith(f"{path}: ") else msg


def remove(index: GuidelineIndex, targets: list[str]) -> list[DocumentRecord]:
    """Remove documents by id, by source file, or every document under a folder."""
    known = list(index.documents().values())
    chosen: dict[str, DocumentRecord] = {}
    for target in targets:
        as_path = str(Path(target).expanduser().resolve())
        hits = [r for r in known if r.document_id == target or as_path in r.sources
                or any(s.startswith((as_path + "/", as_path + "#")) for s in r.sources)]
        if not hits:
            raise UserError(f"No indexed document is called '{target}' or comes from that path. "
                            "`medassist index list` shows what is indexed. Nothing was removed.")
        chosen.update({r.key: r for r in hits})
    index.delete(list(chosen.values()))
    return list(chosen.values())
