"""`medassist ask`, `search` and `history`: a question in, a checked answer out (a thin front end)."""
from __future__ import annotations

import json
import sys

from ..errors import UserError
from ..settings import Settings
from .common import (
    add_engine_options,
    add_filter_options,
    ask_yes_no,
    console,
    engine_options,
    filters_from,
    max_new_tokens_fit,
    positive,
    say,
)


def cmd_ask(args, settings: Settings) -> int:
    from ..assistant import Assistant, validate_question
    from ..types import GenerationSettings

    # Everything the command line can check is checked before the index or a model is touched.
    validate_question(args.question)
    positive("--k", args.k)
    positive("--max-new-tokens", args.max_new_tokens)
    positive("--temperature", args.temperature, 0)
    positive("--context-length", args.context_length, 256)
    positive("--seed", args.seed, 0, 2**32 - 1)
    max_new_tokens_fit(args.max_new_tokens, args.model, args.context_length)
    gen = GenerationSettings(max_new_tokens=args.max_new_tokens, temperature=args.temperature, seed=args.seed)
    filters = filters_from(args)
    progress = say if not args.json else (lambda m: print(m, file=sys.stderr))
    confirm = ask_yes_no if sys.stdin.isatty() and not args.json else None
    assistant = Assistant(settings, model=args.model, engine=args.engine, progress=progress,
                          backend_options=engine_options(args), context_length=args.context_length,
                          accept_licence=args.accept_licence, confirm=confirm)
    stream = assistant.stream(args.question, k=args.k, use_rag=not args.no_rag, gen=gen, filters=filters)
    if args.json:
        for _ in stream:
            pass
        assert stream.answer is not None  # set once the stream is exhausted
        print(json.dumps(stream.answer.to_dict(), indent=2, ensure_ascii=False))
        return 0
    from ..present.terminal import print_answer, print_emergency, print_header, print_quotes

    out = console()
    print_header(out)
    print_emergency(out, stream.notices)
    print_quotes(out, stream.quotes)  # the guideline's own words, before the model writes
    if args.no_stream:
        for _ in stream:
            pass
        assert stream.answer is not None
        out.print(stream.answer.text)
    else:
        started = False
        for piece in stream:
            if not started:  # base models begin their answer with the space after "Answer:"
                piece = piece.lstrip()
                started = bool(piece)
            out.out(piece, end="")
            out.file.flush()
        out.print()
    assert stream.answer is not None
    print_answer(out, stream.answer)
    return 0


def cmd_search(args, settings: Settings) -> int:
    from rich.text import Text

    from ..present import source_line
    from ..retrieval import Retriever

    if not args.query.strip():
        raise UserError('The query is empty: medassist search "lung cancer screening"')
    positive("--k", args.k)
    filters = filters_from(args)
    retriever = Retriever.from_settings(settings, rerank=not args.no_rerank)
    retriever.check()  # no index, an empty one, a damaged one: said as `ask` says it
    hits = retriever.search(args.query, k=args.k, mode=args.mode, filters=filters)
    if args.json:
        print(json.dumps([{"n": n, **h.to_dict(), "locator": h.locator()} for n, h in enumerate(hits, 1)],
                         indent=2, ensure_ascii=False))
        return 0
    for note in retriever.notes + retriever.pop_notes():
        say(note)
    out = console()
    for n, h in enumerate(hits, 1):
        out.print(Text(f"{source_line({**h.to_dict(), 'n': n, 'locator': h.locator()})}  (similarity {h.score:.2f})",
                       style="bold"))
        out.print(Text("    " + h.text[:500].replace("\n", " ") + ("…" if len(h.text) > 500 else "")))
    if not hits:
        out.print("No passages found.")
    return 0


def cmd_history(args, settings: Settings) -> int:
    import datetime as dt

    from ..history import History
    from ..present.markdown import answer_markdown

    positive("--limit", args.limit)
    history = History(settings.history_db)  # the command line sees every user's entries: the admin's view
    if args.action == "list":
        for row in history.list(limit=args.limit, search=args.search, user=args.user):
            when = dt.datetime.fromtimestamp(row["created"]).strftime("%Y-%m-%d %H:%M")
            print(f"{row['id']:>5}  {when}  {row['user'] or '-':<12} {row['model']:<16} {row['question'][:90]}")
        return 0
    if args.action == "export" and args.id is None:  # everything, one JSON document a line, with who asked
        for doc in history.export(user=args.user):
            print(json.dumps(doc, ensure_ascii=False))
        return 0
    if args.id is None:
        raise UserError(f"`medassist history {args.action}` needs an entry id; see `medassist history list`.")
    doc = history.get(args.id)
    if args.action == "show" or args.format == "md":
        print(answer_markdown(doc))
    else:
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    return 0


def add_parsers(sub) -> None:
    from ..catalogue import DEFAULT_MODEL

    a = sub.add_parser("ask", help="answer a question from the guideline library")
    a.add_argument("question")
    a.add_argument("--model", default=DEFAULT_MODEL, help=f"model id (default {DEFAULT_MODEL}; see `medassist models`)")
    add_engine_options(a)
    a.add_argument("--k", type=int, default=5, help="passages to retrieve (default 5)")
    a.add_argument("--no-rag", action="store_true", help="answer without retrieval (nothing is checked)")
    a.add_argument("--json", action="store_true", help="print one JSON document (schema medassist.answer/2)")
    a.add_argument("--max-new-tokens", type=int, default=160)
    a.add_argument("--context-length", type=int, help="cap the model's context window (tokens); evidence is "
                                                      "trimmed to fit")
    a.add_argument("--temperature", type=float, default=0.0, help="0 = greedy and reproducible (default)")
    a.add_argument("--seed", type=int)
    a.add_argument("--no-stream", action="store_true", help="print the answer when it is complete")
    add_filter_options(a)
    a.set_defaults(func=cmd_ask)

    s = sub.add_parser("search", help="show what retrieval returns for a query, without any model")
    s.add_argument("query")
    s.add_argument("--k", type=int, default=5)
    s.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default="hybrid",
                   help="hybrid (default): dense and BM25 fused by reciprocal rank")
    s.add_argument("--json", action="store_true")
    s.add_argument("--no-rerank", action="store_true", help="skip the cross-encoder even if one is installed")
    add_filter_options(s)
    s.set_defaults(func=cmd_search)

    h = sub.add_parser("history", help="past questions and answers (every user's: the web UI shows each login "
                                        "only their own)")
    h.add_argument("action", nargs="?", default="list", choices=["list", "show", "export"],
                   help="list, show ID, export ID (one entry) or export (every entry, as JSON Lines with its user)")
    h.add_argument("id", nargs="?", type=int)
    h.add_argument("--format", choices=["md", "json"], default="md", help="for export ID (default md)")
    h.add_argument("--user", help="for list and export: only this web UI login's entries")
    h.add_argument("--limit", type=int, default=20)
    h.add_argument("--search", help="only entries whose question or answer contains this text")
    h.set_defaults(func=cmd_history)
