"""History: past questions and answers from the same log the CLI writes; search, re-open, export.

With logins, each user sees only their own entries (questions can hold patient details): every
handler takes the login from the request, and the table is filled when the page loads, never in the
page's configuration (which Gradio serves to anyone who opens the page). The administrator's view of
every user's entries is `medassist history export` on the command line."""
from __future__ import annotations

import json
import re
import time

import gradio as gr

from ..errors import UserError
from ..present import html as H


def login(request: gr.Request | None) -> str | None:
    """The user name the request logged in with (None without logins: one local user)."""
    return getattr(request, "username", None) or None


def _rows(services, search: str | None = None, user: str | None = None) -> list[list]:
    return [[e["id"], time.strftime("%Y-%m-%d %H:%M", time.localtime(e["created"])), e["model"], e["question"]]
            for e in services.pool.history.list(limit=200, search=(search or "").strip() or None, user=user)]


def build(services, app: gr.Blocks) -> None:
    with gr.Row():
        search = gr.Textbox(label="Search questions and answers", elem_id="ma-hist-search")
        refresh = gr.Button("Search / refresh", elem_id="ma-hist-refresh")
    table = gr.Dataframe(headers=["id", "when", "model", "question"], interactive=False, elem_id="ma-hist-table")
    with gr.Row():
        entry = gr.Number(label="Entry id", precision=0, elem_id="ma-hist-id")
        open_btn = gr.Button("Open", elem_id="ma-hist-open")
        export_btn = gr.Button("Export Markdown + JSON", elem_id="ma-hist-export")
    shown = gr.HTML(elem_id="ma-hist-entry")
    files = gr.File(label="Exported entry", file_count="multiple", interactive=False)

    def listed(s: str | None, request: gr.Request):
        return _rows(services, s, login(request))

    def on_load(request: gr.Request):
        return _rows(services, None, login(request))

    def reopen(entry_id, request: gr.Request):
        try:
            doc = services.pool.history.get(int(entry_id or 0), user=login(request))
        except (UserError, ValueError) as exc:
            return H.error(str(exc))
        anchor = f"ma-hist-{doc.get('history_id', 0)}"
        return (H.turn(doc["question"], H.answer_body(doc, anchor), H.notices(doc["notices"]),
                       H.emergency(doc["notices"])) + f'<div class="ma-metrics">model {H.esc(doc["model"])}</div>'
                + H.evidence(doc["sources"], anchor))

    def export(entry_id, request: gr.Request):
        from ..present.markdown import answer_markdown

        try:
            doc = services.pool.history.get(int(entry_id or 0), user=login(request))
        except (UserError, ValueError) as exc:
            raise gr.Error(str(exc)) from None
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", login(request) or "local").strip(".") or "user"
        folder = services.exports / name  # one user's exports are not in another's folder
        folder.mkdir(parents=True, exist_ok=True)
        md = folder / f"answer-{doc['history_id']}.md"
        js = folder / f"answer-{doc['history_id']}.json"
        md.write_text(answer_markdown(doc), encoding="utf-8")
        js.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
        return [str(md), str(js)]

    app.load(on_load, None, [table], api_name=False)  # type: ignore[arg-type]  # gradio still takes False (private endpoint); its annotation omits it
    gr.on([refresh.click, search.submit], listed, [search], [table], api_name="history")
    open_btn.click(reopen, [entry], [shown], api_name="history_entry")
    export_btn.click(export, [entry], [files], api_name=False)  # type: ignore[arg-type]  # gradio still takes False (private endpoint); its annotation omits it
