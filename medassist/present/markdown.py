"""Answers and comparisons as Markdown (history exports, Jupyter), from their JSON documents."""
from __future__ import annotations

from . import annotated, contradiction_notice, mark, page_note, quote_line, quotes_of, sentences_of, source_line


def escape(text: str) -> str:
    # Document and model text is data: neutralise HTML so no viewer renders it as markup.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def answer_markdown(doc: dict) -> str:
    lines = [f"> **{doc['disclaimer']}**", ""]
    if doc.get("emergency"):
        lines += [f"> ⚠️ **{doc['emergency']['message']}**", ""]
    checked = sentences_of(doc)
    alarm = contradiction_notice(checked)
    if alarm:
        lines += [f"> ⚠️ **{escape(alarm)}**", ""]
    lines += [f"**Question:** {escape(doc['question'])}", "", f"**Model:** `{doc['model']}`", ""]
    quotes = quotes_of(doc)
    if quotes:
        lines += ["**From the guideline** (quoted, not generated):", ""]
        lines += [f"> {escape(quote_line(q, f'p. {q.page}' if q.page else ''))}" for q in quotes] + [""]
    lines += ["**Answer** (each sentence checked against the passages):", ""]
    if checked:
        for s in checked:
            lines.append(f"- {escape(s.text)} **{mark(s)}**")
            if s.verdict != "supported" and s.reason:
                lines.append(f"  - _{escape(s.reason)}_")
            if s.verdict == "contradicted" and s.evidence:
                lines.append(f"  - the passage [{s.source}{page_note(s)}] says: “{escape(s.evidence)}”")
    else:
        lines.append(escape(doc["answer"] or "(no answer)"))
    lines.append("")
    if checked:
        lines += ["**Checked answer:** " + escape(annotated(checked)), ""]
    if doc["sources"]:
        lines += ["**Sources**", ""]
        for src in doc["sources"]:
            lines.append(f"- {escape(source_line(src))}")
            lines.append(f"  > {escape(src['text'][:600])}{'…' if len(src['text']) > 600 else ''}".replace("\n", " "))
        lines.append("")
    others = [n for n in doc["notices"] if n["kind"] != "emergency"]
    if others:
        lines += ["**Notices**", ""] + [f"- {escape(n['message'])}" for n in others] + [""]
    return "\n".join(lines)


def comparison_markdown(doc: dict) -> str:
    """A comparison document (Comparison.to_dict()) as Markdown: metrics table, answers, the shared evidence."""
    def num(v):
        return "—" if v is None else f"{v:.2f}"

    lines = [f"> **{doc['disclaimer']}**", ""]
    lines += [f"> ⚠️ **{escape(n['message'])}**" for n in doc.get("notices", []) if n["kind"] == "emergency"]
    lines += ["", f"**Question:** {escape(doc['question'])}", "",
              "| Model | Time to first token (s) | Total (s) | Tokens/s |", "|---|---|---|---|"]
    for a in doc["answers"]:
        lines.append(f"| {a['model']} | {num(a['first_token_s'])} | {num(a['seconds'])} | {num(a['tokens_per_s'])} |")
    for a in doc["answers"]:
        lines += ["", f"### {a['model']}", ""]
        checked = sentences_of(a)
        if a["error"] or not checked:
            lines.append(escape(a["error"] or a["answer"] or "(no answer)"))
        for s in checked:
            lines.append(f"- {escape(s.text)} **{mark(s)}**" + (f" — _{escape(s.reason)}_"
                                                                 if s.verdict != "supported" else ""))
    lines += ["", "### Evidence (the same for every model)", ""]
    for e in doc["evidence"]:
        lines.append(f"- [{e['n']}] {escape(e['title'])} · {escape(e['locator'])} · {e['document_id']}"
                     f"{(' <' + e['url'] + '>') if e.get('url') else ''}")
    return "\n".join(lines) + "\n"
