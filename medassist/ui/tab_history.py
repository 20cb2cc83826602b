"""History: past questions and answers from the same log the CLI writes; search, re-open, export."""
from __future__ import annotations

import json
import time

import gradio as gr

from ..present import html as H
from ..errors import UserError


def _rows(services, search: str | None = None) -> list[list]:
    return [[e["id"], time.strftime("%Y-%m-%d %H:%M", time.localtime(e["created"])), e["model"], e["question"]]
            for e in services.pool.history.list(limit=200, search=(search or "").strip() or None)]


def build(services) -> None:
    with gr.Row():
        search = gr.Textbox(label="Search questions and answers", elem_id="ma-hist-search")
        refresh = gr.Button("Search / refresh", elem_id="ma-hist-refresh")
    table = gr.Dataframe(headers=["id", "when", "model", "question"], value=lambda: _rows(services),
                         interactive=False, elem_id="ma-hist-table")
    with gr.Row():
        entry = gr.Number(label="Entry id", precision=0, elem_id="ma-hist-id")
        open_btn = gr.Button("Open", elem_id="ma-hist-open")
        export_btn = gr.Button("Export Markdown + JSON", elem_id="ma-hist-export")
    shown = gr.HTML(elem_id="ma-hist-entry")
    files = gr.File(label="Exported entry", file_count="multiple", interactive=False)

    def reopen(entry_id):
        try:
            doc = services.pool.history.get(int(entry_id or 0))
        except (UserError, ValueError) as exc:
            return H.error(str(exc))
        anchor = f"ma-hist-{doc.get('history_id', 0)}"
        return (H.turn(doc["question"], H.answer_body(doc, anchor), H.notices(doc["notices"]),
                       H.emergency(doc["notices"])) + f'<div class="ma-metrics">model {H.esc(doc["model"])}</div>'
                + H.evidence(doc["sources"], anchor))

    def export(entry_id):
        from ..present.markdown import answer_markdown

        try:
            doc = services.pool.history.get(int(entry_id or 0))
        except (UserError, ValueError) as exc:
            raise gr.Error(str(exc)) from None
        md = services.exports / f"answer-{doc['history_id']}.md"
        js = services.exports / f"answer-{doc['history_id']}.json"
        md.write_text(answer_markdown(doc), encoding="utf-8")
        js.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
        return [str(md), str(js)]

    gr.on([refresh.click, search.submit], lambda s: _rows(services, s), [search], [table], api_name="history")
    open_btn.click(reopen, [entry], [shown], api_name="history_entry")
    export_btn.click(export, [entry], [files], api_name=False)
