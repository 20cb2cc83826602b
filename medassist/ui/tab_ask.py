"""Ask: a conversation with streamed answers, an evidence panel, and citations that lead to their passage."""
from __future__ import annotations

import time

import gradio as gr

from ..errors import UserError
from ..present import html as H
from ..types import GenerationSettings, source_dicts
from .tab_history import login


def render_thread(turns: list[dict], pending: str = "") -> str:
    out = []
    for i, t in enumerate(turns):
        doc, anchor = t["doc"], f"ma-src-{i}"
        earlier = "" if i == len(turns) - 1 else (
            f'<details><summary>Evidence for this answer</summary>{H.evidence(doc["sources"], anchor)}</details>')
        out.append(H.turn(doc["question"], H.answer_body(doc, anchor), H.notices(doc["notices"]),
                          H.emergency(doc["notices"]), earlier))
    return "".join(out) + pending


def stop(control: dict) -> None:
    control["stop"] = True  # the running answer sees it at its next piece and ends generation


def build(services, app: gr.Blocks) -> None:
    with gr.Row():
        with gr.Column(scale=3):
            thread_html = gr.HTML(elem_id="ma-thread")
            question = gr.Textbox(label="Question", placeholder="e.g. Who should be screened for abdominal aortic "
                                  "aneurysm?", lines=2, elem_id="ma-question")
            with gr.Row():
                ask_btn = gr.Button("Ask", variant="primary", elem_id="ma-ask")
                stop_btn = gr.Button("Stop", elem_id="ma-stop")
                new_btn = gr.Button("New conversation", elem_id="ma-new")
            with gr.Accordion("Settings", open=False):
                model = gr.Dropdown(services.variants, value=services.variants[0], label="Model", elem_id="ma-model")
                k = gr.Slider(1, 10, value=5, step=1, label="Passages (k)")
                max_new = gr.Slider(16, 512, value=160, step=16, label="Max new tokens")
                organisation = gr.Textbox(label="Organisation contains")
                year = gr.Textbox(label="Year or range (2012-2016)")
                documents = gr.Textbox(label="Only these document ids (comma-separated)")
        with gr.Column(scale=2):
            gr.Markdown("**Evidence** (the passages the model was given; each [n] in the answer links here)")
            evidence_html = gr.HTML(elem_id="ma-evidence")
    turns = gr.State([])
    control = gr.State({"stop": False})  # this session's Stop flag, read between streamed pieces

    def ask(q, state, variant, k_, max_new_, org, yr, docs, ctl, request: gr.Request):
        ctl["stop"] = False
        state = list(state or [])
        if not (q or "").strip():
            yield state, render_thread(state, H.error("Type a question first.")), gr.update(), gr.update()
            return
        thread = [(t["question"], t["doc"]["answer"]) for t in state]
        anchor = f"ma-src-{len(state)}"
        try:
            from ..retrieval import SearchFilters

            filters = SearchFilters.from_text(org, yr, docs)
            with services.pool.generating(variant) as assistant:
                stream = assistant.stream(q, k=int(k_), gen=GenerationSettings(max_new_tokens=int(max_new_)),
                                          filters=filters, thread=thread, user=login(request))
                alarm = H.emergency([n.__dict__ for n in stream.notices])
                panel = H.evidence(source_dicts(stream.passages), anchor)
                # The guideline's own words come first, before the model has written anything.
                lead = H.quotes({"sources": source_dicts(stream.passages),
                                 "quotes": [x.to_dict() for x in stream.quotes]}, anchor)
                text, shown = "", 0.0
                yield state, render_thread(state, H.turn(q, lead + H.streaming_body(""), "", alarm)), panel, gr.update()
                pieces = iter(stream)
                try:
                    for piece in pieces:
                        text += piece
                        if ctl.get("stop"):
                            break
                        if time.monotonic() - shown > 0.1:
                            shown = time.monotonic()
                            yield state, render_thread(state, H.turn(q, lead + H.streaming_body(text.lstrip()), "",
                                                                      alarm)), panel, gr.update()
                finally:
                    pieces.close()  # Stop (or a closed page) ends generation here, and frees the model
                if stream.answer is None:  # stopped: keep what was written, marked as such
                    yield state, render_thread(state, H.turn(q, lead + H.streaming_body(text.lstrip()).replace(
                        '<span class="ma-cursor">▍</span>', "") + H.error("Stopped."), "", alarm)), panel, gr.update()
                    return
                doc = stream.answer.to_dict()
        except UserError as exc:
            yield state, render_thread(state, H.turn(q, H.error(str(exc)))), gr.update(), gr.update()
            return
        state.append({"question": q, "doc": doc})
        yield state, render_thread(state), H.evidence(doc["sources"], anchor), ""

    gr.on([ask_btn.click, question.submit], ask,
          [question, turns, model, k, max_new, organisation, year, documents, control],
          [turns, thread_html, evidence_html, question], api_name="ask")
    stop_btn.click(stop, [control], None, api_name=False, queue=False)  # type: ignore[arg-type]  # gradio still takes False (private endpoint); its annotation omits it
    new_btn.click(lambda: ([], "", ""), None, [turns, thread_html, evidence_html], api_name=False)  # type: ignore[arg-type]  # gradio still takes False (private endpoint); its annotation omits it
