"""`medassist index ...` and the retrieval filters shared by `search` and `ask` (a thin front end)."""
from __future__ import annotations

import json

from .errors import UserError
from .settings import Settings

STATUS_STYLE = {"added": "green", "updated": "green", "unchanged": "dim", "duplicate": "cyan", "skipped": "yellow",
                "failed": "red", "removed": "magenta"}


def _consoles():
    from .cli import _console

    return _console(), _console(stderr=True)


def add_filter_options(parser) -> None:
    parser.add_argument("--organisation", "--organization", dest="organisation",
                        help="only guidelines from this organisation (case-insensitive, part of the name)")
    parser.add_argument("--year", help="only guidelines from these years: 2015, 2012-2016, 2014- or -2010")
    parser.add_argument("--document", action="append", default=[], metavar="ID",
                        help="only this document (repeatable; ids from `medassist index list`)")


def filters_from(args):
    from .retrieval import SearchFilters

    return SearchFilters.from_text(args.organisation, args.year, args.document)


def _progress_bar(err):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    cols = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    return Progress(*cols, console=err, transient=True)


def _ingest(paths, settings: Settings, args) -> int:
    from .retrieval import build_index
    from .retrieval.readers import MAX_CHARS

    out, err = _consoles()
    err.print("Loading the embedder (all-MiniLM-L6-v2)...", style="dim")
    with _progress_bar(err) as bar:
        tasks: dict[str, int] = {}

        def on_progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task({"read": "reading", "embed": "embedding"}[phase], total=total)
            bar.update(tasks[phase], completed=done, total=total)

        report = build_index(paths, settings.index_location, on_progress=on_progress, wait=args.wait,
                             max_chars=getattr(args, "max_chars", None) or MAX_CHARS,
                             organisation=getattr(args, "organisation", None), year=getattr(args, "year", None))
    if getattr(args, "json", False):
        print(json.dumps({"index": str(settings.index_location), "seconds": round(report.seconds, 2),
                          "chunks_added": report.chunks_added, "files": [o.__dict__ for o in report.outcomes]},
                         indent=2, ensure_ascii=False))
        return 1 if report.failed else 0
    print_report(out, report)
    out.print(f"Index {settings.index_location}: {report.chunks_added} chunks added in {report.seconds:.1f} s. "
              f"{report.count('added')} added, {report.count('updated')} updated, {report.count('unchanged')} unchanged, "
              f"{report.count('duplicate')} duplicates, {report.count('skipped')} skipped, {len(report.failed)} failed.")
    if report.failed:
        out.print("Failed files were not indexed; the rest were. Fix them and run the same command again.", style="red")
    return 1 if report.failed else 0


def print_report(out, report) -> None:
    from rich.table import Table
    from rich.text import Text

    quiet = ("unchanged",) if len(report.outcomes) > 40 else ()  # a rebuilt library would list 115 "unchanged"
    rows = [o for o in report.outcomes if o.status not in quiet]
    if not rows:
        return
    table = Table(show_lines=False)
    for col in ("file", "status", "document", "chunks", "note"):
        table.add_column(col, overflow="fold")
    for o in rows:
        table.add_row(Text(o.path), Text(o.status, style=STATUS_STYLE.get(o.status, "")), Text(o.document_id),
                      Text(str(o.chunks) if o.chunks else ""), Text(o.message))
    out.print(table)


def cmd_index(args, settings: Settings) -> int:
    from .retrieval import rebuild_index
    from .retrieval.library import library_files

    action = args.action
    if action == "stats":
        return cmd_stats(settings)
    if action == "list":
        return cmd_list(args, settings)
    if action == "remove":
        return cmd_remove(args, settings)
    if action == "add":
        if not args.paths:
            raise UserError("Name files or folders to add: medassist index add protocols/ sepsis.pdf")
        return _ingest(args.paths, settings, args)
    files = library_files(settings.library_dir)
    if not files:
        raise UserError(f"The guideline library at {settings.library_dir} is empty. "
                        "Run `medassist guidelines pull` first (or add your own: medassist index add PATH).")
    if action == "rebuild":
        aside = rebuild_index(settings.index_location)
        if aside:
            _consoles()[1].print(f"The old index was moved to {aside} (delete it yourself once the new one works).",
                                 style="dim")
    return _ingest(files, settings, args)


def _open(settings: Settings):
    from .retrieval import DEFAULT_EMBEDDER
    from .retrieval.store import GuidelineIndex

    return GuidelineIndex.open(settings.index_location, DEFAULT_EMBEDDER)


def cmd_stats(settings: Settings) -> int:
    from .retrieval import Retriever
    from .retrieval.manage import Library

    print(json.dumps(Library(Retriever(settings.index_location), settings.library_dir).stats(), indent=2))
    return 0


def cmd_list(args, settings: Settings) -> int:
    docs = sorted(_open(settings).documents().values(), key=lambda r: r.document_id)
    if args.json:
        print(json.dumps([{k: v for k, v in r.__dict__.items() if k != "status"} for r in docs], indent=2,
                         ensure_ascii=False))
        return 0
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{len(docs)} documents in {settings.index_location}")
    for col in ("document", "title", "organisation", "year", "chunks", "source(s)"):
        table.add_column(col, overflow="fold")
    for r in docs:
        table.add_row(Text(r.document_id), Text(r.title), Text(r.organisation), Text(str(r.year or "")),
                      Text(str(r.chunks)), Text("\n".join(r.sources)))
    _consoles()[0].print(table)
    return 0


def cmd_remove(args, settings: Settings) -> int:
    from .retrieval.ingest import remove

    if not args.paths:
        raise UserError("Name the documents to remove (ids from `medassist index list`, or their files).")
    index = _open(settings)
    with index.writer(wait=args.wait):
        gone = remove(index, args.paths)
    out = _consoles()[0]
    for r in gone:
        out.print(f"removed {r.document_id} ({r.chunks} chunks): {r.title}")
    out.print("The files themselves were not touched.", style="dim")
    return 0


def add_index_parser(sub) -> None:
    i = sub.add_parser("index", help="add, remove and list guideline documents in the index",
                       description="Index guideline documents (PDF, HTML, Markdown, text, DOCX, JSON Lines, NGC XML). "
                                   "`medassist index` alone adds the starter library.")
    i.add_argument("action", nargs="?", default="build", choices=["build", "rebuild", "add", "remove", "list", "stats"],
                   help="build (default: the starter library, adding only what is new), rebuild (old index kept "
                        "aside), add PATH..., remove DOC..., list, stats")
    i.add_argument("paths", nargs="*", metavar="PATH_OR_DOC", help="for add: files and folders; for remove: "
                                                                     "document ids or files")
    i.add_argument("--organisation", "--organization", dest="organisation",
                   help="for add: the organisation that issued these documents")
    i.add_argument("--year", type=int, help="for add: their year of publication")
    i.add_argument("--max-chars", type=int, help="for add: refuse documents with more text than this "
                                                 "(default 5,000,000)")
    i.add_argument("--wait", type=float, default=60.0, help="seconds to wait for another writer (default 60)")
    i.add_argument("--json", action="store_true", help="for add/build and list: JSON output")

    def run(args, settings):
        if args.action not in ("add", "remove") and args.paths:
            raise UserError(f"`medassist index {args.action}` takes no paths; did you mean `medassist index add`?")
        return cmd_index(args, settings)

    i.set_defaults(func=run)

