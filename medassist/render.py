"""Answers as Markdown, from the stable JSON document (so stored history renders the same way)."""
from __future__ import annotations

from .grounding import annotated
from .types import SentenceSupport


def _sentences(doc: dict) -> list[SentenceSupport]:
    return [SentenceSupport(text=s["text"], cited=s["cited"], supported_by=s["supported_by"],
                            score=s["support_score"], invalid_citations=s.get("invalid_citations", []))
            for s in doc["sentences"]]


def source_line(src: dict) -> str:
    who = ", ".join(str(x) for x in (src.get("organisation"), src.get("year")) if x)
    url = f" <{src['url']}>" if src.get("url") else ""
    return f"[{src['n']}] {src['title']}{f' — {who}' if who else ''} · {src['locator']} · {src['document_id']}{url}"


def _escape(text: str) -> str:
    # Document and model text is data: neutralise HTML so no viewer renders it as markup.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def answer_markdown(doc: dict) -> str:
    lines = [f"> **{doc['disclaimer']}**", ""]
    if doc.get("emergency"):
        lines += [f"> ⚠️ **{doc['emergency']['message']}**", ""]
    lines += [f"**Question:** {_escape(doc['question'])}", "", f"**Model:** `{doc['model']}`", ""]
    checked = _sentences(doc)
    lines += ["**Answer** (each sentence marked with the source that supports it):", "",
              _escape(annotated(checked) if checked else doc["answer"] or "(no answer)"), ""]
    if doc["sources"]:
        lines += ["**Sources**", ""]
        for src in doc["sources"]:
            lines.append(f"- {_escape(source_line(src))}")
            lines.append(f"  > {_escape(src['text'][:600])}{'…' if len(src['text']) > 600 else ''}".replace("\n", " "))
        lines.append("")
    others = [n for n in doc["notices"] if n["kind"] != "emergency"]
    if others:
        lines += ["**Notices**", ""] + [f"- {_escape(n['message'])}" for n in others] + [""]
    return "\n".join(lines)
