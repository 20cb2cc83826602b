"""What every `medassist` command shares: consoles, the engine options (read from the engine
registry, so a new engine's options appear here without an edit), retrieval filters, progress bars."""
from __future__ import annotations

import sys

from ..errors import UserError


def console(stderr: bool = False):
    from rich.console import Console

    # markup off: guideline and model text is data, and "[1]" must print as "[1]".
    return Console(stderr=stderr, markup=False, highlight=False, emoji=False, soft_wrap=True)


def say(msg: str) -> None:
    console(stderr=True).print(msg, style="dim")


def ask_yes_no(text: str) -> bool:
    print(text, file=sys.stderr)
    return input("Accept these terms? [y/N] ").strip().lower() in ("y", "yes")


# -- engines ----------------------------------------------------------------------------------
def add_engine_options(parser) -> None:
    """--engine, --accept-licence, and every option an engine declares in the registry."""
    from ..backends import ENGINES, all_options

    parser.add_argument("--engine", choices=list(ENGINES), help="override the engine (default: measured fastest on "
                        "this CPU for GGUF models, else the model's own): " + "; ".join(
                            f"{e.name}: {e.summary}" for e in ENGINES.values()))
    parser.add_argument("--accept-licence", "--accept-license", dest="accept_licence", action="store_true",
                        help="accept the model's licence (asked once, then remembered)")
    for option in all_options():
        if not option.cli:
            continue
        owners = [e.name for e in ENGINES.values() if e.option(option.name)]
        note = f" [{', '.join(owners)}]" if len(owners) < len(ENGINES) else ""
        if option.switch:
            parser.add_argument(option.cli_flag, dest=option.name, action="store_true", help=option.help + note)
        else:
            parser.add_argument(option.cli_flag, dest=option.name, type=option.type,
                                choices=list(option.choices) or None, help=option.help + note)


def engine_options(args) -> dict:
    """The engine options the command line gave (only those given)."""
    from ..backends import all_options

    return {o.name: getattr(args, o.name) for o in all_options()
            if o.cli and getattr(args, o.name, None) not in (None, False)}


# -- retrieval filters ------------------------------------------------------------------------
def add_filter_options(parser) -> None:
    parser.add_argument("--organisation", "--organization", dest="organisation",
                        help="only guidelines from this organisation (case-insensitive, part of the name)")
    parser.add_argument("--year", help="only guidelines from these years: 2015, 2012-2016, 2014- or -2010")
    parser.add_argument("--document", action="append", default=[], metavar="ID",
                        help="only this document (repeatable; ids from `medassist index list`)")


def filters_from(args):
    from ..retrieval import SearchFilters

    return SearchFilters.from_text(args.organisation, args.year, args.document)


def positive(name: str, value, minimum: float = 1, maximum: float | None = None) -> None:
    """Refuse a number out of range before anything heavy loads."""
    if value is not None and value < minimum:
        raise UserError(f"{name} must be at least {minimum:g} (got {value}).")
    if value is not None and maximum is not None and value > maximum:
        raise UserError(f"{name} must be at most {maximum:g} (got {value}).")


def max_new_tokens_fit(value: int, model: str, context_length: int | None) -> None:
    """Refuse --max-new-tokens the model's context cannot hold (before the index or a model loads)."""
    from ..assistant import check_max_new_tokens
    from ..catalogue import get_spec

    spec = get_spec(model)
    check_max_new_tokens(value, spec.id, min(context_length or spec.context_length, spec.context_length))


# -- progress ---------------------------------------------------------------------------------
def progress_bar(err):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    cols = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    return Progress(*cols, console=err, transient=True)


def with_progress(err, run):
    """Run `run(on_progress)` under progress bars for reading and embedding."""
    with progress_bar(err) as bar:
        tasks: dict[str, int] = {}

        def on_progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task({"read": "reading", "embed": "embedding"}.get(phase, phase), total=total)
            bar.update(tasks[phase], completed=done, total=total)

        return run(on_progress)
