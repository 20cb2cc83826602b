"""Benchmarks: MIRAGE's five tasks, MedQA, MedMCQA, PubMedQA (with and without abstracts) and IgakuQA, scored as stated.

Uses the same backends (log-likelihood contract) and retrieval as `ask`; see runner.py for the flow.
"""
from __future__ import annotations

import json
from pathlib import Path

from .items import TASKS, Item, load_task, parse_tasks
from .prompting import Protocol
from .runner import Job, evaluate

__all__ = ["TASKS", "Item", "Job", "Protocol", "evaluate", "load_task", "parse_tasks", "write_reports"]


def write_reports(summary: dict, out: Path) -> dict[str, Path]:
    from .igakuqa_report import card_chart
    from .report import chart, markdown

    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "summary.json", "markdown": out / "report.md"}
    paths["json"].write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    paths["markdown"].write_text(markdown(summary), encoding="utf-8")
    png = chart(summary, out / "report.png")
    if png:
        paths["chart"] = png
    card = card_chart(summary["results"], out / "igakuqa.png")
    if card:
        paths["igakuqa_chart"] = card
    return paths
