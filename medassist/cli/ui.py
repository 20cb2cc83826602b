"""`medassist ui`: serve the research web UI (thin front end)."""
from __future__ import annotations

import sys

from ..errors import UserError
from ..settings import Settings


def cmd_ui(args, settings: Settings) -> int:
    from .common import positive

    positive("--port", args.port, 1, 65535)
    if args.memory_gib is not None and args.memory_gib <= 0:
        raise UserError(f"--memory-gib must be more than 0 (got {args.memory_gib}).")
    try:
        from ..ui import Services, serve
    except ImportError as exc:
        raise UserError(f"The web UI needs Gradio ({exc}): pip install 'medassist[ui]'") from None
    from ..ui.security import launch_options

    launch_options(args.host, args.auth_file, settings.ui_auth)  # refuse before anything loads
    services = Services.create(settings, variants=args.model, server=args.server,
                               progress=lambda m: print(m, file=sys.stderr), budget_gib=args.memory_gib)
    print(f"medassist UI on http://{args.host}:{args.port} — {services.where}", file=sys.stderr)
    serve(services, host=args.host, port=args.port, auth_file=args.auth_file)
    return 0


def add_parsers(sub) -> None:
    u = sub.add_parser("ui", help="serve the research web UI (ask, compare, arena, library, history)")
    u.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; any other needs a login)")
    u.add_argument("--port", type=int, default=7860)
    u.add_argument("--auth-file", help="file of user:password lines (or set MEDASSIST_UI_AUTH=user:password)")
    u.add_argument("--model", action="append", help="offer this model (repeat); default: the default model as "
                                                    "transformers, llama.cpp and NF4 variants")
    u.add_argument("--server", help="send questions to this OpenAI-compatible server (the UI says so)")
    u.add_argument("--memory-gib", type=float, help="memory budget for loaded models (default: half of what is free)")
    u.set_defaults(func=cmd_ui)
