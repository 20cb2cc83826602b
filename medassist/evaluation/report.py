"""The evaluation summary as the model cards lay it out: a Markdown table (models x tasks) and a chart."""
from __future__ import annotations

from pathlib import Path

from ..types import DISCLAIMER
from .igakuqa_report import card_markdown
from .items import MIRAGE_TASKS

MIRAGE_NAMES = {"mmlu": "MMLU-Med", "medqa": "MedQA-US", "medmcqa": "MedMCQA", "pubmedqa": "PubMedQA*",
                "bioasq": "BioASQ-Y/N"}


def _pct(x) -> str:
    return "—" if x is None else f"{100 * x:.1f}"


def markdown(summary: dict) -> str:
    results = summary["results"]
    models = list(dict.fromkeys(r["model"] for r in results))
    columns = list(dict.fromkeys((r["task"], r["protocol"]) for r in results))
    cell = {(r["model"], r["task"], r["protocol"]): r for r in results}
    lines = ["# medassist evaluation", "", f"_{DISCLAIMER}_", "",
             "Accuracy (%) with its 95% bootstrap interval; items scored in brackets.", ""]
    lines.append("| Model | " + " | ".join(f"{t} ({p})" for t, p in columns) + " |")
    lines.append("|---|" + "---|" * len(columns))
    for m in models:
        row = []
        for t, p in columns:
            r = cell.get((m, t, p))
            row.append("" if r is None else f"{_pct(r['accuracy'])} [{_pct(r['ci95'][0])}–{_pct(r['ci95'][1])}] "
                                            f"({r['items']})")
        lines.append(f"| {m} | " + " | ".join(row) + " |")
    deltas = [r for r in results if "delta_vs_no_rag" in r]
    if deltas:
        lines += ["", "## With the guideline library (--rag)", "", "| Model | Task | without | with | change |",
                  "|---|---|---|---|---|"]
        for r in deltas:
            base = r["accuracy"] - r["delta_vs_no_rag"]
            lines.append(f"| {r['model']} | {r['task']} | {_pct(base)} | {_pct(r['accuracy'])} | "
                         f"{100 * r['delta_vs_no_rag']:+.1f} |")
    notes = [r for r in results if r.get("acc_norm") is not None or r.get("unparseable")]
    if notes:
        lines += ["", "## Scoring details", "", "| Model | Task | Protocol | acc_norm | unparseable | items/s |",
                  "|---|---|---|---|---|---|"]
        for r in notes:
            lines.append(f"| {r['model']} | {r['task']} | {r['protocol']} | {_pct(r.get('acc_norm'))} | "
                         f"{r.get('unparseable', 0)} | {r.get('items_per_second') or '—'} |")
    lines += mirage_lines(results)
    lines += card_markdown(results)
    subjects = [r for r in results if r.get("by_subject")]
    for r in subjects:
        lines += ["", f"## {r['model']} on {r['task']} ({r['protocol']}), by subject", "",
                  "| Subject | Accuracy | Items |", "|---|---|---|"]
        for s, v in r["by_subject"].items():
            lines.append(f"| {s} | {_pct(v['accuracy'])} | {v['items']} |")
    lines += ["", "## How these were scored", ""]
    for r in results:
        if r.get("mode") == "predictions":
            lines.append(f"- {r['model']} / {r['task']}: predictions read from {r['source']} ({r['files']} file(s)), "
                         "marked under both rule sets.")
            continue
        lines.append(f"- {r['model']} / {r['task']}: mode {r['mode']}, scoring {r['score']}, {r['shots']}-shot, "
                     f"chat {'on' if r['chat'] else 'off'}, "
                     f"retrieval {'on (k=' + str(r['k']) + ')' if r['rag'] else 'off'}, "
                     f"seed {r['seed']}.")
    return "\n".join(lines) + "\n"


def mirage_lines(results: list[dict]) -> list[str]:
    """The five MIRAGE tasks side by side, with their mean as the MIRAGE leaderboard reports it."""
    cell = {(r["model"], r["protocol"], r["task"]): r for r in results if r["task"] in MIRAGE_TASKS}
    runs = list(dict.fromkeys((m, p) for m, p, _ in cell))
    if not any(all((m, p, t) in cell for t in MIRAGE_TASKS) for m, p in runs):
        return []  # the leaderboard's view needs one run of all five tasks
    lines = ["", "## MIRAGE (as its leaderboard: accuracy %, and the mean of the five tasks)", "",
             "| Model | Protocol | " + " | ".join(MIRAGE_NAMES[t] for t in MIRAGE_TASKS) + " | Average |",
             "|---|---|" + "---|" * (len(MIRAGE_TASKS) + 1)]
    partial = missing = False
    for m, p in runs:
        rs = [cell.get((m, p, t)) for t in MIRAGE_TASKS]
        cut = [r is not None and r["items"] < r.get("items_available", r["items"]) for r in rs]
        partial |= any(cut)
        missing |= None in rs
        avg = ("—" if None in rs else
               f"{100 * sum(r['accuracy'] for r in rs if r is not None) / len(rs):.1f}{'*' if any(cut) else ''}")
        lines.append(f"| {m} | {p} | " + " | ".join("" if r is None else f"{_pct(r['accuracy'])}{'*' if c else ''}"
                                                   for r, c in zip(rs, cut)) + f" | {avg} |")
    lines.append("\nThe leaderboard (teddy-xionggz.github.io/MIRAGE) ranks systems that answer by generation, "
                 "mostly with MedRAG retrieval; each row here names its own protocol.")
    if partial:
        lines.append("\\* a --limit run: only the first items of the task, not comparable with the leaderboard.")
    if missing:
        lines.append("— the average needs all five tasks (--task mmlu,medqa,medmcqa,pubmedqa,bioasq).")
    return lines


def chart(summary: dict, path: Path) -> Path | None:
    """Grouped bars (one group per task and protocol, one bar per model) with 95% intervals."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    results = summary["results"]
    models = list(dict.fromkeys(r["model"] for r in results))
    groups = list(dict.fromkeys((r["task"], r["protocol"]) for r in results))
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(groups) * max(1, len(models)) ** 0.5), 4))
    width = 0.8 / max(1, len(models))
    for i, m in enumerate(models):
        xs, ys, lo, hi = [], [], [], []
        for g, (t, p) in enumerate(groups):
            r = next((r for r in results if (r["model"], r["task"], r["protocol"]) == (m, t, p)), None)
            if r:
                xs.append(g + i * width)
                ys.append(100 * r["accuracy"])
                lo.append(100 * (r["accuracy"] - r["ci95"][0]))
                hi.append(100 * (r["ci95"][1] - r["accuracy"]))
        ax.bar(xs, ys, width, yerr=[lo, hi], capsize=3, label=m)
    ax.set_xticks([g + width * (len(models) - 1) / 2 for g in range(len(groups))])
    ax.set_xticklabels([f"{t}\n{p}" for t, p in groups], fontsize=7)
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=7)
    ax.set_title("medassist eval (95% bootstrap intervals)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
