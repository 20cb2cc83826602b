"""How an answer looks: one place for Markdown (history exports, notebooks), the terminal and HTML
(the web UI and the notebook widget), all built from the stable JSON document, so stored history
renders the same way as a fresh answer.

What every view shows, in order: the disclaimer; the emergency notice; a notice when a sentence
contradicts the guideline; the guideline's own words that answer (quotes, with grade and [n]);
the model's answer sentence by sentence with its verdict (a contradicted sentence beside the
passage's own words); the sources; other notices.
"""
from __future__ import annotations

from ..types import Quote, SentenceVerdict

VERDICT_LABEL = {"supported": "supported", "contradicted": "CONTRADICTED", "not_found": "not found"}


def sentences_of(doc: dict) -> list[SentenceVerdict]:
    """The checked sentences of an answer document (answer/2, or answer/1 from older history)."""
    return [SentenceVerdict.from_dict(s) for s in doc.get("sentences", [])]


def quotes_of(doc: dict) -> list[Quote]:
    return [Quote(**q) for q in doc.get("quotes", [])]


def mark(s: SentenceVerdict) -> str:
    """The marker after a sentence: the passage that supports it, or what is wrong with it."""
    if s.verdict == "supported":
        return f"[{s.source}]"
    if s.verdict == "contradicted":
        return f"[contradicted by {s.source}]" if s.source else "[contradicted]"
    return "[not found in the passages]"


def annotated(sentences: list[SentenceVerdict]) -> str:
    """The answer with each sentence followed by its verified marker (whatever the model wrote)."""
    from ..verify.claims import bare

    return " ".join(f"{bare(s.text)} {mark(s)}" for s in sentences)


def contradiction_notice(sentences: list[SentenceVerdict]) -> str | None:
    bad = sum(s.verdict == "contradicted" for s in sentences)
    if not bad:
        return None
    return (f"{bad} sentence{'s' if bad > 1 else ''} of this answer contradict{'' if bad > 1 else 's'} the guideline "
            "passages: read the passage's own words beside it.")


def quote_line(q: Quote, locator: str = "") -> str:
    grade = f" ({q.grade})" if q.grade and q.grade.lower() not in q.text.lower() else ""
    where = f", {locator}" if locator else ""
    return f"“{q.text}”{grade} [{q.source}{where}]"


def page_note(s: SentenceVerdict) -> str:
    return f", p. {s.page}" if s.page else ""


def source_line(src: dict) -> str:
    who = ", ".join(str(x) for x in (src.get("organisation"), src.get("year")) if x)
    url = f" <{src['url']}>" if src.get("url") else ""
    return f"[{src['n']}] {src['title']}{f' — {who}' if who else ''} · {src['locator']} · {src['document_id']}{url}"
