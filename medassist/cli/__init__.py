"""`medassist` on the command line: a thin front end over the core, one module per command group.

    ask.py       ask, search, history          library.py  guidelines pull, index …
    runtime.py   models, plan, doctor          evaluate.py eval
    ui.py        ui                            common.py   consoles, engine options, filters, progress

Heavy libraries load inside the command that needs them, so `medassist --help` answers at once.
Settings are read once, here, and passed to every command. Progress and notices go to stderr; the
answer (or --json document) goes to stdout.
"""
from __future__ import annotations

import argparse
import os
import sys

from ..errors import UserError
from ..settings import Settings
from ..types import DISCLAIMER


def build_parser() -> argparse.ArgumentParser:
    from . import ask, evaluate, library, runtime, ui

    p = argparse.ArgumentParser(prog="medassist", description=(
        "Answers clinical questions from practice guidelines with a local language model, citing every passage. "
        f"{DISCLAIMER}"))
    p.add_argument("--home", help="data directory: library, index, history (default: $MEDASSIST_HOME or the "
                                  "user data dir)")
    p.add_argument("--version", action="version", version="medassist 0.1.0")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (ask, library, runtime, evaluate, ui):
        group.add_parsers(sub)
    return p


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = build_parser()
    # argparse cannot take positionals after options when a `?` positional precedes a `*` one
    # (`index add --embedder e5 FILE`): the paths it leaves over are the command's own paths.
    args, extra = parser.parse_known_args(argv)
    if extra:
        if isinstance(getattr(args, "paths", None), list) and not any(e.startswith("-") for e in extra):
            args.paths += extra
        else:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: list[str] | None = None) -> int:
    # medassist never downloads models at run time; say so to the Hugging Face libraries too.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    args = parse(argv)
    env = dict(os.environ)
    if args.home:
        env["MEDASSIST_HOME"] = args.home
    try:
        return args.func(args, Settings.from_env(env))
    except UserError as exc:
        print(f"medassist: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("medassist: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of the output went away (`medassist index list --json | head`): stop quietly, as a
        # process killed by SIGPIPE would (128 + 13), with stdout pointed at nothing so the interpreter's
        # own flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
