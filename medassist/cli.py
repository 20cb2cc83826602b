"""`medassist` on the command line: a thin front end over the Assistant.

Heavy libraries load inside the command that needs them, so `medassist --help` answers at once.
Progress and notices go to stderr; the answer (or --json document) goes to stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .errors import UserError
from .settings import Settings
from .types import DISCLAIMER


def _console(stderr: bool = False):
    from rich.console import Console

    # markup off: guideline and model text is data, and "[1]" must print as "[1]".
    return Console(stderr=stderr, markup=False, highlight=False, emoji=False, soft_wrap=True)


def _say(msg: str) -> None:
    _console(stderr=True).print(msg, style="dim")


# -- commands ---------------------------------------------------------------------------------
def cmd_models(args, settings: Settings) -> int:
    from .catalogue import CATALOGUE, DEFAULT_MODEL, Machine, availability

    machine = Machine.detect()
    rows = []
    for spec in CATALOGUE.values():
        ok, why = availability(spec, machine)
        rows.append({"id": spec.id, "repo": spec.repo, "family": spec.family, "format": spec.prompt_format,
                     "instruction_tuned": spec.instruction_tuned, "context": spec.context_length,
                     "languages": list(spec.languages), "params_b": spec.params_b, "backend": spec.backend,
                     "quantization": spec.quantization, "licence": spec.licence, "licence_url": spec.licence_url,
                     "default": spec.id == DEFAULT_MODEL, "runs_here": ok, "why": why})
    if args.json:
        print(json.dumps({"machine": machine.__dict__, "models": rows}, indent=2))
        return 0
    from rich.table import Table

    table = Table(title=f"Models (this machine: {machine.ram_gb:.0f} GB RAM, {len(machine.gpus_gb)} GPU)")
    for col in ("model", "kind", "context", "licence", "runs here?"):
        table.add_column(col, overflow="fold")
    for r in rows:
        kind = f"{r['family']} {'chat' if r['instruction_tuned'] else 'base'}, {r['params_b']:g}B {r['quantization']}"
        table.add_row(r["id"] + (" (default)" if r["default"] else ""), kind, str(r["context"]), r["licence"],
                      ("yes: " if r["runs_here"] else "no: ") + r["why"])
    _console().print(table)
    return 0


def cmd_guidelines_pull(args, settings: Settings) -> int:
    from rich.progress import Progress

    from .retrieval.library import load_manifest, pull

    mirror = Path(args.mirror) if args.mirror else settings.mirror
    manifest = load_manifest()
    where = f"mirror {mirror}" if mirror else manifest["source"]["base_url"]
    _say(f"Pulling {len(manifest['files'])} guideline summaries ({manifest['name']}) from {where}")
    with Progress(console=_console(stderr=True), transient=True) as bar:
        task = bar.add_task("checking sha256", total=len(manifest["files"]))
        report = pull(settings.library_dir, mirror=mirror, base_url=args.base_url, manifest=manifest,
                      progress=lambda name: bar.advance(task))
    out = _console()
    out.print(f"Library {settings.library_dir / manifest['name']}: {len(report.added)} added, "
              f"{len(report.unchanged)} unchanged, {len(report.failed)} failed.")
    for name, why in report.failed:
        out.print(f"  FAILED {name}: {why}", style="red")
    if report.failed:
        out.print("Files already in the library were kept. Fix the source and pull again.", style="red")
        return 1
    out.print("Next: medassist index")
    return 0


def engine_options(args) -> dict:
    """The backend options the engine flags ask for (only those given); shared by ask and eval."""
    options = {k: v for k, v in (("dtype", args.dtype), ("model_path", args.model_path), ("quant", args.quant),
                                 ("max_memory", args.max_memory), ("offload", args.offload),
                                 ("allow_pickle", args.allow_pickle), ("server", args.server),
                                 ("server_model", args.server_model), ("timeout", args.timeout),
                                 ("n_gpu_layers", args.gpu_layers)) if v is not None and v is not False}
    if args.server and not args.engine:
        args.engine = "server"
    return options


def add_engine_options(a) -> None:
    a.add_argument("--engine", help="override the model's recommended engine (transformers | llamacpp | server)")
    a.add_argument("--model-path", help="load weights from this local directory or file instead of the cache")
    a.add_argument("--dtype", choices=["auto", "bf16", "fp16", "fp32"], help="compute dtype (default: auto)")
    a.add_argument("--accept-licence", "--accept-license", dest="accept_licence", action="store_true",
                   help="accept the model's licence (asked once, then remembered)")
    a.add_argument("--quant", choices=["nf4", "int8", "none"], help="bitsandbytes quantization (default: the "
                                                                   "model's own on a GPU, none on CPU)")
    a.add_argument("--max-memory", help="per-device cap, e.g. 0=22GiB,1=22GiB (layers are balanced across GPUs)")
    a.add_argument("--offload", action="store_true", help="allow offloading to CPU/disk when GPUs are too small")
    a.add_argument("--allow-pickle", action="store_true", help="load .bin/.pt pickle weights (can run code)")
    a.add_argument("--server", help="an OpenAI-compatible server (vLLM, llama.cpp, TGI), e.g. http://gpu-box:8000/v1; "
                                    "implies --engine server")
    a.add_argument("--server-model", help="the model's name on the server (default: its Hugging Face repo id)")
    a.add_argument("--timeout", type=float, help="seconds to wait for the server (default 120)")
    a.add_argument("--gpu-layers", type=int, help="llama.cpp engine: layers to offload to the GPU (default all, -1)")


def cmd_ask(args, settings: Settings) -> int:
    from .assistant import Assistant
    from .types import GenerationSettings

    progress = _say if not args.json else (lambda m: print(m, file=sys.stderr))
    options = engine_options(args)
    confirm = _ask_yes_no if sys.stdin.isatty() and not args.json else None
    assistant = Assistant(settings, model=args.model, engine=args.engine, progress=progress, backend_options=options,
                          context_length=args.context_length, accept_licence=args.accept_licence, confirm=confirm)
    gen = GenerationSettings(max_new_tokens=args.max_new_tokens, temperature=args.temperature, seed=args.seed)
    from .cli_index import filters_from

    stream = assistant.stream(args.question, k=args.k, use_rag=not args.no_rag, gen=gen, filters=filters_from(args))
    if args.json:
        for _ in stream:
            pass
        print(json.dumps(stream.answer.to_dict(), indent=2, ensure_ascii=False))
        return 0
    from .present.terminal import print_answer, print_emergency, print_header, print_quotes

    out = _console()
    print_header(out)
    print_emergency(out, stream.notices)
    print_quotes(out, stream.quotes)
    if args.no_stream:
        for _ in stream:
            pass
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
    print_answer(out, stream.answer)
    return 0


def _ask_yes_no(text: str) -> bool:
    print(text, file=sys.stderr)
    return input("Accept these terms? [y/N] ").strip().lower() in ("y", "yes")


def cmd_search(args, settings: Settings) -> int:
    from .cli_index import filters_from
    from .retrieval import Retriever

    if not args.query.strip():
        raise UserError('The query is empty: medassist search "lung cancer screening"')
    retriever = Retriever(settings.index_location, reranker=None if args.no_rerank else "auto")
    hits = retriever.search(args.query, k=args.k, mode=args.mode, filters=filters_from(args))
    if args.json:
        print(json.dumps([{"n": n, **h.to_dict(), "locator": h.locator()} for n, h in enumerate(hits, 1)],
                         indent=2, ensure_ascii=False))
        return 0
    for note in retriever.notes:
        _say(note)
    from rich.text import Text

    from .present import source_line

    out = _console()
    for n, h in enumerate(hits, 1):
        out.print(Text(f"{source_line({**h.to_dict(), 'n': n, 'locator': h.locator()})}  (similarity {h.score:.2f})",
                       style="bold"))
        out.print(Text("    " + h.text[:500].replace("\n", " ") + ("…" if len(h.text) > 500 else "")))
    if not hits:
        out.print("No passages found.")
    return 0


def cmd_history(args, settings: Settings) -> int:
    from .history import History
    from .present.markdown import answer_markdown

    history = History(settings.history_db)
    if args.action == "list":
        for row in history.list(limit=args.limit, search=args.search):
            import datetime as dt

            when = dt.datetime.fromtimestamp(row["created"]).strftime("%Y-%m-%d %H:%M")
            print(f"{row['id']:>5}  {when}  {row['model']:<16} {row['question'][:90]}")
        return 0
    if args.id is None:
        raise UserError(f"`medassist history {args.action}` needs an entry id; see `medassist history list`.")
    doc = history.get(args.id)
    if args.action == "show" or args.format == "md":
        print(answer_markdown(doc))
    else:
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    return 0


# -- parser -----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    from .catalogue import DEFAULT_MODEL
    from .cli_eval import add_eval_parser
    from .cli_index import add_filter_options, add_index_parser
    from .cli_runtime import add_runtime_parsers
    from .cli_ui import add_ui_parser

    p = argparse.ArgumentParser(prog="medassist", description=(
        "Answers clinical questions from practice guidelines with a local language model, citing every passage. "
        f"{DISCLAIMER}"))
    p.add_argument("--home", help="data directory: library, index, history (default: $MEDASSIST_HOME or the "
                                  "user data dir)")
    p.add_argument("--version", action="version", version="medassist 0.1.0")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    a = sub.add_parser("ask", help="answer a question from the guideline library")
    a.add_argument("question")
    a.add_argument("--model", default=DEFAULT_MODEL, help=f"model id (default {DEFAULT_MODEL}; see `medassist models`)")
    add_engine_options(a)
    a.add_argument("--k", type=int, default=5, help="passages to retrieve (default 5)")
    a.add_argument("--no-rag", action="store_true", help="answer without retrieval (nothing is checked)")
    a.add_argument("--json", action="store_true", help="print one JSON document (schema medassist.answer/1)")
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

    m = sub.add_parser("models", help="list the model catalogue and whether each runs here")
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=cmd_models)

    g = sub.add_parser("guidelines", help="manage the starter guideline library")
    gsub = g.add_subparsers(dest="action", required=True, metavar="ACTION")
    gp = gsub.add_parser("pull", help="fetch the 115 public NGC summaries, each checked by sha256")
    gp.add_argument("--mirror", help="local folder with the raw files (default: $MEDASSIST_GUIDELINES_MIRROR; "
                                     "without one, download from the public archive)")
    gp.add_argument("--base-url", help="download from this URL prefix instead of the manifest's")
    gp.set_defaults(func=cmd_guidelines_pull)

    add_index_parser(sub)
    add_runtime_parsers(sub)
    add_eval_parser(sub)
    add_ui_parser(sub)

    h = sub.add_parser("history", help="past questions and answers")
    h.add_argument("action", nargs="?", default="list", choices=["list", "show", "export"])
    h.add_argument("id", nargs="?", type=int)
    h.add_argument("--format", choices=["md", "json"], default="md", help="for export (default md)")
    h.add_argument("--limit", type=int, default=20)
    h.add_argument("--search", help="only entries whose question or answer contains this text")
    h.set_defaults(func=cmd_history)
    return p


def main(argv: list[str] | None = None) -> int:
    # medassist never downloads models at run time; say so to the Hugging Face libraries too.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    args = build_parser().parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
