"""The web UI: `build_app(services) -> gr.Blocks`. No model is loaded at import or build time;
models load on first use into the shared pool, and each browser session keeps its own state."""
from __future__ import annotations

import gradio as gr

from ..present import html as H
from . import tab_arena, tab_ask, tab_compare, tab_history, tab_library

# The tabs, in order: (label, id, build(services, app)); `app` is the page, for tabs that load on page
# load. A new tab is a module with `build` and a line here.
TABS = (("Ask", "ask", tab_ask.build), ("Compare", "compare", tab_compare.build),
        ("Arena", "arena", tab_arena.build), ("Library", "library", tab_library.build),
        ("History", "history", tab_history.build))


def build_app(services) -> gr.Blocks:
    with gr.Blocks(title="medassist — research use only", analytics_enabled=False) as app:
        gr.HTML(H.banner(services.where))  # always visible, above every tab
        with gr.Tabs():
            for label, tab_id, build in TABS:
                with gr.Tab(label, id=tab_id):
                    build(services, app)
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
