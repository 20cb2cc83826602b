"""The evaluation summary as the model cards lay it out: a Markdown table (models x tasks) and a chart."""
from __future__ import annotations

from pathlib import Path

from ..types import DISCLAIMER


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
    for r in results:
        if r.get("exams"):
            lines += ["", f"## IgakuQA, {r['model']} ({r['protocol']}): points per exam", "",
                      "| Exam | Year | Points | Required | General+clinical (mark) | 禁忌肢 picked | Pass |",
                      "|---|---|---|---|---|---|---|"]
            for number, e in r["exams"].items():
                verdict = {True: "pass", False: "fail", None: "mark unknown"}[e["passed"]]
                mark = "unknown" if e["general_mark"] is None else f"{e['general_mark']}{'*' if e.get('scaled') else ''}"
                lines.append(f"| {number} | {e['year'] or ''} | {e['points']}/{e['max_points']} | "
                             f"{e['required']}/{e['required_max']} | {e['general']}/{e['general_max']} ({mark}) | "
                             f"{e['kinki_picked']} | {verdict} |")
            lines.append("\n\\* mark scaled to the points asked (image questions skipped). Pass: required ≥ 80%, "
                         "general+clinical ≥ the year's mark, at most 3 prohibited choices; sources in "
                         "medassist/evaluation/igaku.py.")
    subjects = [r for r in results if r.get("by_subject")]
    for r in subjects:
        lines += ["", f"## {r['model']} on {r['task']} ({r['protocol']}), by subject", "", "| Subject | Accuracy | Items |",
                  "|---|---|---|"]
        for s, v in r["by_subject"].items():
            lines.append(f"| {s} | {_pct(v['accuracy'])} | {v['items']} |")
    lines += ["", "## How these were scored", ""]
    for r in results:
        lines.append(f"- {r['model']} / {r['task']}: mode {r['mode']}, scoring {r['score']}, {r['shots']}-shot, "
                     f"chat {'on' if r['chat'] else 'off'}, retrieval {'on (k=' + str(r['k']) + ')' if r['rag'] else 'off'}, "
                     f"seed {r['seed']}.")
    return "\n".join(lines) + "\n"


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
