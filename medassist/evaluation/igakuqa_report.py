"""IgakuQA laid out as the model cards lay it out: models as rows; Average, 2018 ... 2022 as columns, in points.

Each row names its rule set (igaku.py). Points count every question of the exam, a question not asked
scoring nothing, as the cards count. Footnotes appear only when they apply.
"""
from __future__ import annotations

from pathlib import Path

RULES_LEGEND = {
    "medassist": "the exam's own marking: an answer is the set of letters it names, numeric entries by value, "
                 "the ministry's rulings (medassist/evaluation/igakuqa_rulings.json)",
    "reference": "IgakuQA's scripts/evaluate_main.py exactly, as the published tables and the model cards use",
}
_KEYS = (("medassist", "exams"), ("reference", "exams_reference"))


def card_rows(results: list[dict]) -> list[dict]:
    """One row per result and rule set: {"label", "rules", "exams": {year: exam dict}}."""
    rows = []
    for r in results:
        for rules, key in _KEYS:
            if r.get(key):
                by_year = {str(e["year"] or number): e for number, e in r[key].items()}
                rows.append({"label": f"{r['model']} ({r['protocol']})", "rules": rules, "exams": by_year})
    return rows


def _average(row: dict) -> tuple[float, bool]:
    exams = list(row["exams"].values())
    whole = len(exams) == 5 and all(e["complete"] for e in exams)
    return sum(e["points"] for e in exams) / len(exams), whole


def _cell(e: dict | None, show_max: bool) -> str:
    if e is None:
        return ""
    text = f"{e['points']}" + (f"/{e['max_points']}" if show_max else "")
    return text + (f" ({e['verdict']})" if e["verdict"] in ("partial", "incomplete") else "")


def _verdict(e: dict | None) -> str:
    if e is None:
        return ""
    return e["verdict"] + (f": {e['why']}" if e.get("why") else "")


def card_markdown(results: list[dict]) -> list[str]:
    rows = card_rows(results)
    if not rows:
        return []
    years = sorted({y for row in rows for y in row["exams"]})
    maxima = {y: {row["exams"][y]["max_points"] for row in rows if y in row["exams"]} for y in years}
    uniform = all(len(m) == 1 for m in maxima.values())
    head = [f"{y} (max {next(iter(maxima[y]))})" if uniform else y for y in years]
    lines = ["", "## IgakuQA, points per exam (as the model cards)", "",
             ("All questions of each exam are counted: a question the model was not asked (an image it cannot "
              "see, a numeric entry in log-likelihood mode) scores nothing, as on a blank answer sheet."), "",
             "| Model | Rules | Average | " + " | ".join(head) + " |", "|---|---|---|" + "---|" * len(years)]
    partial_average = False
    for row in rows:
        avg, whole = _average(row)
        partial_average |= not whole
        cells = [_cell(row["exams"].get(y), not uniform) for y in years]
        lines.append(f"| {row['label']} | {row['rules']} | {avg:.1f}{'' if whole else '*'} | "
                     + " | ".join(cells) + " |")
    lines += ["", "| Model | Rules | " + " | ".join(years) + " |", "|---|---|" + "---|" * len(years)]
    for row in rows:
        lines.append(f"| {row['label']} | {row['rules']} | " + " | ".join(_verdict(row["exams"].get(y)) for y in years)
                     + " |")
    lines += ["", "Rules: " + "; ".join(f"**{k}**: {v}" for k, v in RULES_LEGEND.items()
                                        if any(row["rules"] == k for row in rows)) + "."]
    lines += _footnotes(results, rows, partial_average)
    lines += _details(results)
    return lines


def _footnotes(results: list[dict], rows: list[dict], partial_average: bool) -> list[str]:
    exams = [e for row in rows for e in row["exams"].values()]
    notes = []
    if partial_average:
        notes.append("\\* Average of the exams shown, not of five complete exams: not comparable with a card's "
                     "Average.")
    if any(e["verdict"] == "partial" for e in exams):
        notes.append("partial: only part of the exam was asked (--limit, or predictions for part of it); "
                     "scored as far as it goes, no verdict.")
    if any(e["verdict"] == "incomplete" for e in exams):
        notes.append("incomplete: blocks missing or questions unreadable in the data; no verdict.")
    images = max((e["skipped_images"] for e in exams), default=0)
    if images:
        notes.append("Image questions were not shown (text-only model) and score nothing; --include-images asks "
                     "them as text only, as IgakuQA's published baselines were asked.")
    if any(e["skipped_numeric"] for e in exams):
        notes.append("Numeric-entry questions have no options to score by log-likelihood and score nothing; "
                     "--mode generate asks them and reads the number written.")
    if any(e["verdict"] == "no mark" for e in exams):
        notes.append("no mark: no pass mark for this exam, or the data's maxima differ from the announced ones.")
    for r in results:
        if r.get("rule_differences"):
            notes.append(_differences(r))
    return ["", *notes] if notes else []


def _differences(r: dict) -> str:
    """Where the two rule sets mark the same answers differently, grouped by the reason."""
    groups: dict[tuple[str, bool], list[dict]] = {}
    for d in r["rule_differences"]:
        groups.setdefault((d["why"].split(":")[0], d["medassist"]), []).append(d)
    parts = []
    for ds in groups.values():
        gain = "medassist" if ds[0]["medassist"] else "the reference"
        example = ds[0]["why"] if len(ds) == 1 else f"e.g. {ds[0]['why']}"
        ids = ", ".join(d["id"] for d in ds[:6]) + (", ..." if len(ds) > 6 else "")
        parts.append(f"{len(ds)} credited by {gain} only ({ids}): {example}")
    return (f"{r['model']} ({r['protocol']}): the rule sets disagree on {len(r['rule_differences'])} question(s). "
            + "; ".join(parts) + ". Full list in summary.json (rule_differences).")


def _details(results: list[dict]) -> list[str]:
    lines = []
    for r in results:
        if not r.get("exams"):
            continue
        lines += ["", f"### {r['model']} ({r['protocol']}), medassist rules: parts of each exam", "",
                  ("| Exam | Year | Points | Required (mark) | General+clinical (mark) | 禁忌肢 questions | Asked | "
                   "Not asked | Verdict |"), "|---|---|---|---|---|---|---|---|---|"]
        for number, e in r["exams"].items():
            m = e.get("mark") or {}
            req = (f"{e['required']}/{e['required_max']} ({m['required'][0]})" if m
                   else f"{e['required']}/{e['required_max']}")
            gen = (f"{e['general']}/{e['general_max']} ({m['general_clinical'][0]})" if m
                   else f"{e['general']}/{e['general_max']}")
            skipped = ", ".join(f"{n} {what}" for n, what in ((e["skipped_images"], "image"),
                                                             (e["skipped_numeric"], "numeric"),
                                                             (e["not_asked"], "not reached")) if n) or "0"
            lines.append(f"| {number} | {e['year'] or ''} | {e['points']}/{e['max_points']} | {req} | {gen} | "
                         f"{e['kinki_questions']} | {e['asked']}/{e['questions']} | {skipped} | {_verdict(e)} |")
        if r.get("load_problems"):
            lines.append(f"\n{len(r['load_problems'])} data problem(s) while loading, e.g. {r['load_problems'][0]}")
    if lines:
        lines.append("\nPass marks and their sources: medassist/evaluation/igakuqa_rulings.json (--pass-marks adds "
                     "an exam). 禁忌肢: questions in which a prohibited choice was picked; four or more fail.")
    return lines


def card_chart(results: list[dict], path: Path) -> Path | None:
    """The points table as grouped bars: one group per column (Average, years), one bar per row."""
    rows = card_rows(results)
    if not rows:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    years = sorted({y for row in rows for y in row["exams"]})
    columns = ["Average", *years]
    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(columns) * max(1, len(rows)) ** 0.5), 4.5))
    width = 0.8 / len(rows)
    for i, row in enumerate(rows):
        avg, whole = _average(row)
        exams = [row["exams"].get(y) for y in years]
        values = [avg] + [e["points"] if e else 0 for e in exams]
        marks = [f"{avg:.1f}{'' if whole else '*'}"] + [
            "" if e is None else f"{e['points']}" + {True: " ✓", False: " ✗"}.get(e["passed"], f" ({e['verdict']})")
            for e in exams]
        bars = ax.bar([c + i * width for c in range(len(columns))], values, width,
                      label=f"{row['label']}, {row['rules']} rules")
        ax.bar_label(bars, labels=marks, fontsize=6)
    maxima = [" / ".join(sorted({str(row["exams"][y]["max_points"]) for row in rows if y in row["exams"]}))
              for y in years]
    ax.set_xticks([c + width * (len(rows) - 1) / 2 for c in range(len(columns))])
    ax.set_xticklabels(["Average"] + [f"{y}\n(max {m})" for y, m in zip(years, maxima)], fontsize=8)
    top = max(e["max_points"] for row in rows for e in row["exams"].values())
    ax.set_ylim(0, top * 1.1)
    ax.set_ylabel("points")
    ax.legend(fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=min(len(rows), 2))
    ax.set_title("IgakuQA: points per exam, all questions counted (✓ pass, ✗ fail)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
