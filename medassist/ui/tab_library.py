"""Library: upload guideline files and ingest them with a progress bar; list, inspect, remove; statistics."""
from __future__ import annotations

import json
from pathlib import Path

import gradio as gr

from ..present import html as H
from ..errors import UserError

FILE_TYPES = [".pdf", ".html", ".htm", ".md", ".markdown", ".txt", ".docx", ".jsonl", ".xml"]
COLUMNS = ["document", "title", "organisation", "year", "chunks", "format", "sources"]


def _rows(services) -> list[list]:
    try:
        return [[d[c] for c in COLUMNS] for d in services.library.documents()]
    except UserError:
        return []


def build(services) -> None:
    files = gr.File(label="Guideline files (PDF, HTML, Markdown, text, DOCX, JSON Lines, NGC XML)",
                    file_count="multiple", file_types=FILE_TYPES, elem_id="ma-lib-files")
    add = gr.Button("Add to library", variant="primary", elem_id="ma-lib-add")
    outcome = gr.Dataframe(headers=["file", "status", "document", "chunks", "message"], interactive=False,
                           elem_id="ma-lib-outcome")
    gr.Markdown(value=lambda: _embedder_line(services), elem_id="ma-lib-embedder")
    gr.Markdown("**Documents in the library**")
    table = gr.Dataframe(headers=COLUMNS, value=lambda: _rows(services), interactive=False, elem_id="ma-lib-docs")
    with gr.Row():
        doc_id = gr.Textbox(label="Document id", elem_id="ma-lib-docid")
        inspect_btn = gr.Button("Show its passages", elem_id="ma-lib-inspect")
        remove_btn = gr.Button("Remove from the index", variant="stop", elem_id="ma-lib-remove")
    detail = gr.HTML(elem_id="ma-lib-detail")
    stats = gr.JSON(label="Index statistics", value=lambda: _stats(services), elem_id="ma-lib-stats")

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

        report = services.library.add(saved, on_progress=on_progress) if saved else None
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
        return json.loads(json.dumps(services.library.stats(), default=str))
    except UserError as exc:
        return {"error": str(exc)}
