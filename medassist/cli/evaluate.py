"""`medassist eval`: score models on medical benchmarks, with and without the guideline library (thin front end)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import UserError
from ..settings import Settings
from .common import add_engine_options, engine_options


def default_data(settings: Settings) -> Path | None:
    """$MEDASSIST_BENCHMARKS, else ../shared/data/benchmarks beside a checkout (the project's own data)."""
    if settings.benchmarks:
        return settings.benchmarks
    here = Path.cwd() / ".." / "shared" / "data" / "benchmarks"
    return here.resolve() if here.is_dir() else None


def cmd_eval(args, settings: Settings) -> int:
    from ..evaluation import Job, Protocol, evaluate, parse_tasks, write_reports
    from ..evaluation.igaku import load_pass_marks
    from .common import positive

    positive("--k", args.k)
    positive("--shots", args.shots, 0)
    positive("--max-new-tokens", args.max_new_tokens)
    positive("--seed", args.seed, 0, 2**32 - 1)
    data = Path(args.data) if args.data else default_data(settings)
    if data is None:
        raise UserError("Where are the benchmark files? Pass --data DIR (a folder holding e.g. mirage/medqa.json "
                        "or MIRAGE's benchmark.json) or set MEDASSIST_BENCHMARKS.")
    if args.limit is not None and args.limit < 1:
        raise UserError("--limit must be at least 1.")
    protocol = Protocol(mode=args.mode, score=args.score, shots=args.shots, chat=args.chat, rag=args.rag, k=args.k,
                        seed=args.seed, max_new_tokens=args.max_new_tokens)
    out = Path(args.out)
    options = engine_options(args)  # first: --server implies the server engine
    tasks = parse_tasks(args.task or ("igakuqa" if args.predictions else "pubmedqa"))
    job = Job(models=args.model or ["gemma3-270m"], tasks=tasks, protocol=protocol, data=data,
              out=out, limit=args.limit, include_images=args.include_images, engine=args.engine,
              backend_options=options, pass_marks=load_pass_marks(args.pass_marks))

    def progress(m: str) -> None:
        print(m, file=sys.stderr)

    if args.predictions:
        summary = _mark_predictions(job, args, progress)
    else:
        summary = evaluate(job, settings, progress=progress, accept_licence=args.accept_licence)
    paths = write_reports(summary, out)
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
        return 0
    print(paths["markdown"].read_text(encoding="utf-8"))
    charts = [str(paths[k]) for k in ("chart", "igakuqa_chart") if paths.get(k)]
    print(f"Per-item results under {out}/<model>/; report {paths['markdown']}"
          + (f", charts {', '.join(charts)}" if charts else ""))
    return 0


def _mark_predictions(job, args, progress) -> dict:
    """--predictions: mark answers produced elsewhere (no model is loaded)."""
    from dataclasses import replace

    from ..evaluation.igakuqa_predictions import mark_predictions
    from ..evaluation.runner import load_for_run

    if [t.name for t in job.tasks] != ["igakuqa"]:
        raise UserError("--predictions marks IgakuQA answers: use it with --task igakuqa.")
    if args.model or args.limit or args.rag:
        raise UserError("--predictions marks answers already made: drop --model, --limit and --rag.")
    # every question counts: the prediction files say which were answered
    loaded = load_for_run(job.tasks[0], replace(job, include_images=True, protocol=replace(job.protocol,
                                                                                           mode="generate")), progress)
    summary = mark_predictions(loaded, args.predictions, job.pass_marks)
    for r in summary["results"]:
        for problem in r["prediction_problems"]:
            progress(f"  {r['model']}: {problem}")
    return summary


def add_parsers(sub) -> None:
    from ..evaluation.items import TASKS

    e = sub.add_parser("eval", help="score models on MIRAGE (MMLU-Med, MedQA, MedMCQA, PubMedQA, BioASQ), IgakuQA "
                                       "(with and without the library)",
                       description="Accuracy with a 95%% bootstrap interval, per item results as JSON Lines, a "
                                   "Markdown table and a chart. A killed run resumes where it stopped.")
    e.add_argument("--model", action="append", help="model id; repeat to compare (default gemma3-270m)")
    e.add_argument("--task", help=f"comma-separated: {','.join(TASKS)} (default pubmedqa; igakuqa with --predictions)")
    e.add_argument("--data", help="folder of benchmark files, or one file (MIRAGE's benchmark.json, an IgakuQA block); "
                                  "for IgakuQA the release's data/ folder (default $MEDASSIST_BENCHMARKS or "
                                  "../shared/data/benchmarks)")
    e.add_argument("--rag", action="store_true", help="also run with guideline passages before each question and "
                                                      "report the change")
    e.add_argument("--k", type=int, default=3, help="passages per question with --rag (default 3)")
    e.add_argument("--mode", choices=["loglik", "generate"], default="loglik",
                   help="loglik: score each option's log-probability (default); generate: read the letter the "
                        "model writes")
    e.add_argument("--score", choices=["option", "letter"], default="option",
                   help="loglik scoring: the option's full text (default, as lm-evaluation-harness) or its letter")
    e.add_argument("--shots", type=int, default=0, help="worked examples before each question (default 0)")
    e.add_argument("--chat", action="store_true", help="wrap prompts in the model's chat template (chat models)")
    e.add_argument("--limit", type=int, help="score only the first N items of each task")
    e.add_argument("--seed", type=int, default=1234, help="chooses shots and drives the bootstrap (default 1234)")
    e.add_argument("--max-new-tokens", type=int, default=16, help="generate mode (default 16)")
    e.add_argument("--include-images", action="store_true", help="IgakuQA: also ask questions that need an image, "
                                                                 "as text only (otherwise they score nothing)")
    e.add_argument("--pass-marks", help="IgakuQA: JSON file of pass marks for exams medassist has none for, "
                                        "{\"117\": [required mark, its max, general+clinical mark, its max]}")
    e.add_argument("--predictions", action="append", metavar="NAME=PATH",
                   help="IgakuQA: mark answers made elsewhere instead of running a model: a folder of files named "
                        "like IgakuQA's baselines (112-A_NAME.jsonl) or one JSON Lines file of {problem_id, "
                        "prediction}; repeat to compare. Marked under medassist's and the reference rules.")
    e.add_argument("--out", default="medassist-eval", help="results folder (default ./medassist-eval)")
    e.add_argument("--json", action="store_true", help="print the summary as JSON (per model and task: accuracy, "
                                                       "interval, items, mode)")
    add_engine_options(e)
    e.set_defaults(func=cmd_eval)
