"""Compare: 2-4 models answer one question over the identical evidence, streamed in columns."""
from __future__ import annotations

import time

import gradio as gr

from ..errors import UserError
from ..present import html as H
from ..present.html import columns_html
from ..types import GenerationSettings, source_dicts


def stream_comparison(services, question, variants, k, max_new, labels=None, anchor="ma-cmp", control=None,
                      user: str | None = None):
    """Yields (columns html, evidence html, Comparison) as the models write. `user`: the login asking."""
    from ..compare import compare

    shown = 0.0
    result = None
    for result in compare(services.pool, question, variants, k=int(k),
                          gen=GenerationSettings(max_new_tokens=int(max_new)), user=user):
        if control is not None and control.get("stop"):
            break  # closing compare() stops every model
        if result.done or time.monotonic() - shown > 0.15:
            shown = time.monotonic()
            yield _shown(result, labels, anchor), H.evidence(source_dicts(result.passages), anchor), result
    if result is not None:
        yield _shown(result, labels, anchor), H.evidence(source_dicts(result.passages), anchor), result


def _shown(result, labels, anchor) -> str:
    """The comparison's own notices (the emergency one first), the guideline's quotes, the columns."""
    doc = {"sources": source_dicts(result.passages), "quotes": [q.to_dict() for q in result.quotes]}
    notices = [n.__dict__ for n in result.notices]
    return H.emergency(notices) + H.quotes(doc, anchor) + columns_html(result, labels, anchor) + H.notices(notices)


def build(services, app: gr.Blocks) -> None:
    picks = services.variants[:2] if len(services.variants) >= 2 else services.variants
    models = gr.CheckboxGroup(services.variants, value=picks, label="Models (2 to 4)", elem_id="ma-cmp-models")
    question = gr.Textbox(label="Question", lines=2, elem_id="ma-cmp-question")
    with gr.Row():
        k = gr.Slider(1, 10, value=4, step=1, label="Passages (k)")
        max_new = gr.Slider(16, 512, value=96, step=16, label="Max new tokens")
    with gr.Row():
        run = gr.Button("Compare", variant="primary", elem_id="ma-cmp-run")
        stop = gr.Button("Stop", elem_id="ma-cmp-stop")
        export = gr.Button("Export Markdown + JSON", elem_id="ma-cmp-export")
    cols = gr.HTML(elem_id="ma-cmp-cols")
    gr.Markdown("**Evidence, retrieved once and given to every model**")
    evidence = gr.HTML(elem_id="ma-cmp-evidence")
    files = gr.File(label="Exported comparison", file_count="multiple", interactive=False, elem_id="ma-cmp-files")
    last = gr.State(None)
    control = gr.State({"stop": False})

    def go(q, chosen, k_, max_new_, ctl, request: gr.Request):
        from .tab_history import login

        ctl["stop"] = False
        try:
            if not 2 <= len(chosen or []) <= 4:
                raise UserError("Pick 2 to 4 models to compare.")
            for html_cols, html_ev, result in stream_comparison(services, q, chosen, k_, max_new_, control=ctl,
                                                                user=login(request)):
                yield html_cols, html_ev, (result.to_dict() if result.done else None)
        except UserError as exc:
            yield H.error(str(exc)), "", None

    def save(doc):
        if not doc:
            raise gr.Error("Run a comparison first.")
        from ..present.markdown import comparison_markdown as markdown

        stamp = time.strftime("%Y%m%d-%H%M%S")
        md, js = services.exports / f"comparison-{stamp}.md", services.exports / f"comparison-{stamp}.json"
        md.write_text(markdown(doc), encoding="utf-8")
        import json

        js.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
        return [str(md), str(js)]

    from .tab_ask import stop as stop_flag

    run.click(go, [question, models, k, max_new, control], [cols, evidence, last], api_name="compare")
    stop.click(stop_flag, [control], None, api_name=False, queue=False)  # type: ignore[arg-type]  # gradio still takes False (private endpoint); its annotation omits it
    export.click(save, [last], [files], api_name=False)  # type: ignore[arg-type]  # gradio still takes False (private endpoint); its annotation omits it
