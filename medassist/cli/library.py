"""`medassist guidelines pull` and `medassist index …`: the library, through the one library API
(retrieval.manage.Library) that the web UI's Library tab uses too (a thin front end)."""
from __future__ import annotations

import json
from pathlib import Path

from ..embedders import EMBEDDERS
from ..errors import UserError
from ..settings import Settings
from .common import console, positive, say, with_progress

STATUS_STYLE = {"added": "green", "updated": "green", "unchanged": "dim", "duplicate": "cyan", "skipped": "yellow",
                "failed": "red", "removed": "magenta"}


def _busy(run):
    """The lock message, with how a command-line user waits longer."""
    from ..errors import IndexBusy

    try:
        return run()
    except IndexBusy as exc:
        raise UserError(f"{exc} To wait longer for it, pass --wait SECONDS.") from None


def _consoles():
    return console(), console(stderr=True)


def _library(settings: Settings):
    from ..retrieval import Retriever
    from ..retrieval.manage import Library

    return Library(Retriever.from_settings(settings, rerank=False), settings.library_dir / "uploads")


def _loading(library, args) -> str:
    """What the progress line names: the embedder asked for, else the one the index records or will."""
    return getattr(args, "embedder", None) or library.embedder().short


def _show_ingest(report, settings: Settings, args, extra: dict | None = None) -> int:
    out = _consoles()[0]
    if getattr(args, "json", False):
        print(json.dumps({"index": str(settings.index_location), "seconds": round(report.seconds, 2),
                          "chunks_added": report.chunks_added, "files": [o.__dict__ for o in report.outcomes],
                          **(extra or {})}, indent=2, ensure_ascii=False))
        return 1 if report.failed or not report.documents else 0
    print_report(out, report)
    removed = f", {report.count('removed')} removed" if report.count("removed") else ""
    out.print(f"Index {settings.index_location}: {report.chunks_added} chunks added in {report.seconds:.1f} s. "
              f"{report.count('added')} added, {report.count('updated')} updated, "
              f"{report.count('unchanged')} unchanged, "
              f"{report.count('duplicate')} duplicates{removed}, {report.count('skipped')} skipped, "
              f"{len(report.failed)} failed.")
    if not report.documents:
        from ..retrieval.readers import READERS

        out.print("Nothing was indexed: no file given holds a document medassist can read (it reads "
                  f"{', '.join(sorted(READERS))}). Nothing was changed.", style="red")
        return 1
    if report.failed:
        out.print("Failed files were not indexed; the rest were. Fix them and run the same command again.", style="red")
    return 1 if report.failed else 0


def _ingest(paths, settings: Settings, args) -> int:
    from ..retrieval.readers import MAX_CHARS

    library = _library(settings)
    _consoles()[1].print(f"Loading the embedder ({_loading(library, args)})...", style="dim")
    report = _busy(lambda: with_progress(_consoles()[1], lambda on_progress: library.add(
        paths, on_progress=on_progress, wait=args.wait, max_chars=getattr(args, "max_chars", None) or MAX_CHARS,
        organisation=getattr(args, "organisation", None), year=getattr(args, "year", None),
        embedder=getattr(args, "embedder", None))))
    return _show_ingest(report, settings, args)


def _rebuild(starter, settings: Settings, args) -> int:
    library = _library(settings)
    err = _consoles()[1]
    err.print(f"Loading the embedder ({_loading(library, args)})...", style="dim")
    report, aside, missing = _busy(lambda: with_progress(err, lambda on_progress: library.rebuild(
        starter, on_progress=on_progress, wait=args.wait, embedder=getattr(args, "embedder", None))))
    if aside:
        err.print(f"The old index was moved to {aside} (delete it yourself once the new one works).", style="dim")
    code = _show_ingest(report, settings, args, {"old_index": str(aside) if aside else None,
                                                  "not_found": [{"document": d, "source": s} for d, s in missing]})
    if missing and not getattr(args, "json", False):
        out = _consoles()[0]
        out.print(f"{len(missing)} document(s) of the old index could not be re-added: their files are gone.",
                  style="red")
        for doc, source in missing:
            out.print(f"  {doc}: {source}")
        out.print("Add them again from wherever they are now: medassist index add PATH", style="red")
    return 1 if missing else code


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
    positive("--wait", args.wait, 0)
    positive("--max-chars", getattr(args, "max_chars", None))
    from ..retrieval.library import library_files

    action = args.action
    if action == "stats":
        print(json.dumps(_library(settings).stats(), indent=2, default=str))
        return 0
    if action == "list":
        return cmd_list(args, settings)
    if action == "remove":
        return cmd_remove(args, settings)
    if action == "add":
        if not args.paths:
            raise UserError("Name files or folders to add: medassist index add protocols/ sepsis.pdf")
        missing = [p for p in args.paths if not Path(p).expanduser().exists()]
        if missing and len(missing) == len(args.paths):  # nothing to read: say so before the embedder loads
            raise UserError(f"{', '.join(missing)}: no such file or folder. Check the path (nothing was added).")
        return _ingest(args.paths, settings, args)
    files = library_files(settings.library_dir)
    if action == "rebuild":
        return _rebuild(files, settings, args)
    if not files:
        raise UserError(f"The guideline library at {settings.library_dir} is empty. Run `medassist guidelines pull` "
                        "first, or add your own guidelines: medassist index add PATH")
    return _ingest(files, settings, args)


def cmd_list(args, settings: Settings) -> int:
    docs = _library(settings).records()
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
    if not args.paths:
        raise UserError("Name the documents to remove (ids from `medassist index list`, or their files).")
    gone = _busy(lambda: _library(settings).remove(args.paths, wait=args.wait))
    out = _consoles()[0]
    for r in gone:
        out.print(f"removed {r.document_id} ({r.chunks} chunks): {r.title}")
    out.print("The files themselves were not touched.", style="dim")
    return 0


def cmd_guidelines_pull(args, settings: Settings) -> int:
    from rich.progress import Progress

    from ..retrieval.library import load_manifest, pull

    mirror = Path(args.mirror) if args.mirror else settings.mirror
    manifest = load_manifest()
    where = f"mirror {mirror}" if mirror else manifest["source"]["base_url"]
    say(f"Pulling {len(manifest['files'])} guideline summaries ({manifest['name']}) from {where}")
    with Progress(console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("checking sha256", total=len(manifest["files"]))
        report = pull(settings.library_dir, mirror=mirror, base_url=args.base_url, manifest=manifest,
                      progress=lambda name: bar.advance(task))
    out = console()
    out.print(f"Library {settings.library_dir / manifest['name']}: {len(report.added)} added, "
              f"{len(report.unchanged)} unchanged, {len(report.failed)} failed.")
    for name, why in report.failed:
        out.print(f"  FAILED {name}: {why}", style="red")
    if report.failed:
        out.print("Files already in the library were kept. Fix the source and pull again.", style="red")
        return 1
    out.print("Next: medassist index")
    return 0


def add_parsers(sub) -> None:
    g = sub.add_parser("guidelines", help="manage the starter guideline library")
    gsub = g.add_subparsers(dest="action", required=True, metavar="ACTION")
    gp = gsub.add_parser("pull", help="fetch the 115 public NGC summaries, each checked by sha256")
    gp.add_argument("--mirror", help="local folder with the raw files (default: $MEDASSIST_GUIDELINES_MIRROR; "
                                     "without one, download from the public archive)")
    gp.add_argument("--base-url", help="download from this URL prefix instead of the manifest's")
    gp.set_defaults(func=cmd_guidelines_pull)


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
    i.add_argument("--embedder", choices=list(EMBEDDERS), help="for build, add (a new index) and rebuild: the "
                   "embedder the index is built with, recorded in it and used for every question after (default: "
                   "$MEDASSIST_EMBEDDER or all-MiniLM-L6-v2; an existing index keeps its own). " + "; ".join(
                       f"{c.key}: {c.summary}" for c in EMBEDDERS.values()))
    i.add_argument("--json", action="store_true", help="for add/build and list: JSON output")

    def run(args, settings):
        if args.action not in ("add", "remove") and args.paths:
            raise UserError(f"`medassist index {args.action}` takes no paths; did you mean `medassist index add`?")
        if args.embedder and args.action not in ("build", "add", "rebuild"):
            raise UserError(f"--embedder is for build, add and rebuild, not `medassist index {args.action}`.")
        return cmd_index(args, settings)

    i.set_defaults(func=run)

