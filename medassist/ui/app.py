"""The web UI: `build_app(services) -> gr.Blocks`. No model is loaded at import or build time;
models load on first use into the shared pool, and each browser session keeps its own state."""
from __future__ import annotations

import gradio as gr

from ..present import html as H
from . import tab_arena, tab_ask, tab_compare, tab_history, tab_library


def build_app(services) -> gr.Blocks:
    with gr.Blocks(title="medassist — research use only", analytics_enabled=False) as app:
        gr.HTML(H.banner(services.where))  # always visible, above every tab
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                tab_ask.build(services)
            with gr.Tab("Compare", id="compare"):
                tab_compare.build(services)
            with gr.Tab("Arena", id="arena"):
                tab_arena.build(services)
            with gr.Tab("Library", id="library"):
                tab_library.build(services, app)
            with gr.Tab("History", id="history"):
                tab_history.build(services, app)
        gr.Markdown("Model licences: " + " · ".join(_licences(services)))
    return app


def _licences(services) -> list[str]:
    from ..catalogue import get_spec
    from ..pool import parse_variant

    seen = {}
    for v in services.variants:
        spec = get_spec(parse_variant(v)[0])
        seen[spec.id] = f"{spec.id}: [{spec.licence}]({spec.licence_url})"
    return list(seen.values())
