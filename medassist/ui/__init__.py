"""The Gradio research UI over the same core as the CLI: ask, compare, arena, library, history."""
from __future__ import annotations

from .app import build_app
from .services import Services

__all__ = ["Services", "build_app", "serve"]


def serve(services: Services, host: str = "127.0.0.1", port: int = 7860, auth_file: str | None = None,
          block: bool = True):
    from ..present.html import CSS
    from .security import launch_options

    options = launch_options(host, auth_file, services.settings.ui_auth)
    app = build_app(services)
    app.queue(default_concurrency_limit=4, max_size=32)
    app.launch(server_port=port, css=CSS, prevent_thread_lock=not block, show_error=True, **options)
    return app
