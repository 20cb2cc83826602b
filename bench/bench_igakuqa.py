"""Reproduce the published IgakuQA table from the release's own baseline predictions.

    .venv/bin/python bench/bench_igakuqa.py --release ~/IgakuQA [--model gpt4 --model chatgpt] [--expect NAME=a,b,..]

--release is a copy of github.com/jungokasai/IgakuQA (its data/ and baseline_results/ folders; IgakuQA has no
licence, so nothing of it is in this repository). Each model's predictions are marked under the reference
rules (IgakuQA's evaluate_main.py) and medassist's, printed as the model cards lay them out, and the
reference points per year are checked against the expected row: by default the GPT-4 and ChatGPT rows of
the Llama3-Preferred-MedSwallow-70B card (huggingface.co/pfnet/Llama3-Preferred-MedSwallow-70B). Exit 1
when a row is not reproduced. The report also goes to bench/out/igakuqa/ (report.md, summary.json, chart).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CARD = {"gpt4": [382, 385, 387, 398, 392], "chatgpt": [266, 250, 266, 297, 287]}  # 2018-2022, points


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(REPO))
    from medassist.evaluation import TASKS, write_reports
    from medassist.evaluation.igakuqa_predictions import mark_predictions
    from medassist.evaluation.igakuqa_report import card_markdown
    from medassist.evaluation.prompting import Protocol
    from medassist.evaluation.runner import Job, load_for_run

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--release", required=True, type=Path, help="a copy of the IgakuQA repository")
    ap.add_argument("--model", action="append", help="baseline name(s) under baseline_results (default gpt4, chatgpt)")
    ap.add_argument("--expect", action="append", default=[], metavar="NAME=P1,P2,..",
                    help="reference points per year to reproduce (default: the card's GPT-4 and ChatGPT rows)")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "igakuqa")
    args = ap.parse_args(argv)
    models = args.model or ["gpt4", "chatgpt"]
    expect = {k: [int(x) for x in v.split(",")] for k, _, v in (e.partition("=") for e in args.expect)} or CARD

    job = Job(models=[], tasks=[TASKS["igakuqa"]], protocol=Protocol(mode="generate"), data=args.release / "data",
              out=args.out, include_images=True)
    loaded = load_for_run(TASKS["igakuqa"], job, progress=lambda m: print(m, file=sys.stderr))
    summary = mark_predictions(loaded, [f"{m}={args.release / 'baseline_results'}" for m in models])
    print("\n".join(card_markdown(summary["results"])))
    paths = write_reports(summary, args.out)
    print(f"\nReport: {paths['markdown']}")

    failed = 0
    for r in summary["results"]:
        if r["model"] not in expect:
            continue
        got = [e["points"] for e in r["exams_reference"].values()]
        want = expect[r["model"]]
        if got == want:
            print(f"reference rules reproduce {r['model']}: {', '.join(map(str, got))}")
        else:
            failed += 1
            print(f"reference rules do NOT reproduce {r['model']}: expected {', '.join(map(str, want))}, "
                  f"got {', '.join(map(str, got))}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
