"""How an answer looks in a terminal: emergency first, answer, support check, sources, disclaimer."""
from __future__ import annotations

from rich.console import Console
from rich.text import Text

from .grounding import annotated
from .render import source_line
from .types import DISCLAIMER, Answer, Notice


def print_header(out: Console) -> None:
    out.print(Text("Research use only — not clinical advice.", style="bold yellow"))


def print_emergency(out: Console, notices: list[Notice]) -> None:
    for n in notices:
        if n.kind == "emergency":
            out.print(Text(n.message, style="bold white on red"))
            out.print()


def print_answer(out: Console, answer: Answer) -> None:
    if answer.sentences:
        out.print()
        out.print(Text("Support check (each sentence against the passages; [n] = verified source):", style="bold"))
        for s in answer.sentences:
            mark = Text(f"  [{s.supported_by}] ", style="green") if s.supported else Text("  [unsupported] ", style="red")
            out.print(mark + Text(f"{s.text}  (support {s.score:.2f})"))
        out.print()
        out.print(Text("Checked answer:", style="bold"))
        out.print(Text(annotated(answer.sentences)))
    if answer.passages:
        out.print()
        out.print(Text("Sources:", style="bold"))
        for n, p in enumerate(answer.passages, 1):
            src = {**p.to_dict(), "n": n, "locator": p.locator()}
            out.print(Text(f"  {source_line(src)}  (similarity {p.score:.2f})"))
    for n in answer.notices:
        if n.kind not in ("emergency", "licence"):
            out.print(Text(f"Note: {n.message}", style="yellow"))
    if answer.emergency:
        out.print(Text(answer.emergency.message, style="bold white on red"))
    t = answer.timings
    if "generate" in t:
        rate = t.get("new_tokens", 0) / t["generate"] if t["generate"] else 0
        out.print(Text(f"{answer.model_id}: retrieval {t.get('retrieve', 0):.2f} s, first token "
                       f"{t.get('first_token', 0):.2f} s, {int(t.get('new_tokens', 0))} tokens at {rate:.1f}/s"
                       + (f" · history #{answer.history_id}" if answer.history_id else ""), style="dim"))
    out.print(Text(DISCLAIMER, style="bold yellow"))
