"""Library: upload guideline files and ingest them with a progress bar; list, inspect, remove; statistics.

The page shows file names, never where files live on the server: the document table and statistics
are filled when the page loads (not in the page configuration Gradio serves), without absolute paths."""
from __future__ import annotations

import json
from pathlib import Path

import gradio as gr

from ..errors import UserError
from ..present import html as H

FILE_TYPES = [".pdf", ".html", ".htm", ".md", ".markdown", ".txt", ".docx", ".jsonl", ".xml"]
COLUMNS = ["document", "title", "organisation", "year", "chunks", "format", "sources"]


def _file_name(source: str) -> str:
    """'/srv/guidelines/ward/notes.jsonl#anaphylaxis' -> 'notes.jsonl#anaphylaxis'."""
    path, hash_, record = source.partition("#")
    return Path(path).name + hash_ + record


def _rows(services) -> list[list]:
    try:
        docs = services.library.documents()
    except UserError:
        return []
    return [[d[c] if c != "sources" else "; ".join(_file_name(s) for s in d[c].split("; ") if s) for c in COLUMNS]
            for d in docs]


def build(services, app: gr.Blocks) -> None:
    files = gr.File(label="Guideline files (PDF, HTML, Markdown, text, DOCX, JSON Lines, NGC XML)",
                    file_count="multiple", file_types=FILE_TYPES, elem_id="ma-lib-files")
    add = gr.Button("Add to library", variant="primary", elem_id="ma-lib-add")
    outcome = gr.Dataframe(headers=["file", "status", "document", "chunks", "message"], interactive=False,
                           elem_id="ma-lib-outcome")
    gr.Markdown(value=lambda: _embedder_line(services), elem_id="ma-lib-embedder")
    gr.Markdown("**Documents in the library**")
    table = gr.Dataframe(headers=COLUMNS, interactive=False, elem_id="ma-lib-docs")
    with gr.Row():
        doc_id = gr.Textbox(label="Document id", elem_id="ma-lib-docid")
        inspect_btn = gr.Button("Show its passages", elem_id="ma-lib-inspect")
        remove_btn = gr.Button("Remove from the index", variant="stop", elem_id="ma-lib-remove")
    detail = gr.HTML(elem_id="ma-lib-detail")
    stats = gr.JSON(label="Index statistics", elem_id="ma-lib-stats")
    app.load(lambda: (_rows(services), _stats(services)), None, [table, stats], api_name=False)  # type: ignore[arg-type]  # gradio still takes False (private endpoint); its annotation omits it

    def ingest(uploaded, progress=gr.Progress()):  # noqa: B008 (how Gradio injects a progress bar)
        if not uploaded:
            raise gr.Error("Choose files to upload first.")
        root = services.settings.upload_root  # where Gradio itself writes uploads: the only place read from
        saved, refused = [], []
        for f in uploaded:
            path = Path(getattr(f, "name", f))
            try:
                saved.append(services.library.save_upload(path, path.name, root))
            except UserError as exc:
                refused.append([path.name, "refused", "", "", str(exc)])

        def on_progress(stage: str, done: int, total: int) -> None:
            progress(done / total if total else 0, desc=f"{stage} {done}/{total}")

        try:
            report = services.library.add(saved, on_progress=on_progress) if saved else None
        except UserError as exc:  # another writer holds the index, a damaged index...: said in the page
            raise gr.Error(str(exc)) from None
        rows = refused + ([[Path(o.path).name, o.status, o.document_id or "", o.chunks or "",
                            o.message or ""] for o in report.outcomes] if report else [])
        return rows, _rows(services), _stats(services)

    def show(doc):
        try:
            passages = services.library.passages(doc or "")
        except UserError as exc:
            return H.error(str(exc))
        return "".join(f'<div class="ma-src"><b>{H.esc(p.locator())}</b><div class="ma-src-text">{H.esc(p.text)}</div>'
                       f"</div>" for p in passages) or H.error("This document has no passages.")

    def remove(doc):
        try:
            gone = services.library.remove([doc or ""])
        except UserError as exc:
            return H.error(str(exc)), _rows(services), _stats(services)
        text = "".join(f"<div>Removed {H.esc(r.document_id)} ({r.chunks} passages): {H.esc(r.title)}. The file was "
                       "kept.</div>" for r in gone)
        return text, _rows(services), _stats(services)

    add.click(ingest, [files], [outcome, table, stats], api_name="add_documents")
    inspect_btn.click(show, [doc_id], [detail], api_name="inspect_document")
    remove_btn.click(remove, [doc_id], [detail, table, stats], api_name="remove_document")


def _embedder_line(services) -> str:
    """Which embedder the index uses and which languages it reads (chosen per index on the command line)."""
    info = services.library.embedder()
    return (f"Embedder: **{info.short}** (reads {info.describe_languages()}). Questions in other languages are "
            "matched by keywords alone. To change it: `medassist index rebuild --embedder NAME`.")


def _stats(services) -> dict:
    try:
        stats = json.loads(json.dumps(services.library.stats(), default=str))
    except UserError as exc:
        return {"error": str(exc)}
    if not str(stats.get("location", "")).startswith(("http://", "https://")):
        stats["location"] = "this server's medassist home"  # not the server's directory layout
    return stats
