"""How an answer looks in a terminal: the guideline's own words first, then the model's answer
sentence by sentence with its verdict, sources, notices and the disclaimer."""
from __future__ import annotations

from rich.console import Console
from rich.text import Text

from ..types import DISCLAIMER, Answer, Notice, Quote
from . import VERDICT_LABEL, annotated, contradiction_notice, page_note, quote_line, source_line

STYLE = {"supported": "green", "contradicted": "bold white on red", "not_found": "yellow"}


def print_header(out: Console) -> None:
    out.print(Text("Research use only — not clinical advice.", style="bold yellow"))


def print_emergency(out: Console, notices: list[Notice]) -> None:
    for n in notices:
        if n.kind == "emergency":
            out.print(Text(n.message, style="bold white on red"))
            out.print()


def print_quotes(out: Console, quotes: list[Quote]) -> None:
    """The guideline's own sentences that answer the question (known before the model writes)."""
    if not quotes:
        return
    out.print(Text("From the guideline (quoted, not generated):", style="bold"))
    for q in quotes:
        out.print(Text("  " + quote_line(q, f"p. {q.page}" if q.page else ""), style="cyan"))
    out.print()
    out.print(Text("Model's answer:", style="bold"))


def print_answer(out: Console, answer: Answer) -> None:
    if answer.sentences:
        out.print()
        alarm = contradiction_notice(answer.sentences)
        if alarm:
            out.print(Text(f"⚠ {alarm}", style="bold white on red"))
        out.print(Text("Support check (each sentence against the passages):", style="bold"))
        for s in answer.sentences:
            label = VERDICT_LABEL[s.verdict] + (f" [{s.source}{page_note(s)}]" if s.source else "")
            out.print(Text(f"  {label:<22} ", style=STYLE[s.verdict]) + Text(s.text))
            if s.verdict != "supported":
                out.print(Text(f"  {'':<22} {s.reason}", style="dim"))
            if s.verdict == "contradicted" and s.evidence:
                out.print(Text(f"  {'':<22} the passage says: “{s.evidence}”", style="italic"))
        out.print()
        out.print(Text("Checked answer:", style="bold"))
        out.print(Text(annotated(answer.sentences)))
    if answer.passages:
        out.print()
        out.print(Text("Sources:", style="bold"))
        for n, p in enumerate(answer.passages, 1):
            src = {**p.to_dict(), "n": n, "locator": p.locator()}
            grade = f"  [{p.grade}]" if p.grade else ""
            out.print(Text(f"  {source_line(src)}{grade}  (similarity {p.score:.2f})"))
    for notice in answer.notices:
        if notice.kind not in ("emergency", "licence"):
            out.print(Text(f"Note: {notice.message}", style="yellow"))
    if answer.emergency:
        out.print(Text(answer.emergency.message, style="bold white on red"))
    t = answer.timings
    if "generate" in t:
        rate = t.get("new_tokens", 0) / t["generate"] if t["generate"] else 0
        out.print(Text(f"{answer.model_id}: retrieval {t.get('retrieve', 0):.2f} s, first token "
                       f"{t.get('first_token', 0):.2f} s, {int(t.get('new_tokens', 0))} tokens at {rate:.1f}/s, "
                       f"check {t.get('support_check', 0):.2f} s"
                       + (f" · history #{answer.history_id}" if answer.history_id else ""), style="dim"))
    out.print(Text(DISCLAIMER, style="bold yellow"))
