"""HTML for the web UI, built from escaped text only.

Model output and document text are data: every string is escaped before it is placed in markup,
so a `<script>` or `<img onerror>` inside a guideline or an answer is shown as text. The only tags
are the ones written here; links are http(s) only.
"""
from __future__ import annotations

import html
import re

from ..types import DISCLAIMER
from . import VERDICT_LABEL, contradiction_notice, mark, page_note, quote_line, quotes_of, sentences_of

CSS = """
.ma-banner{background:#fff4e5;border:1px solid #f0b35a;border-radius:6px;padding:8px 12px;color:#5a3700}
.ma-emergency{background:#fde8e8;border:2px solid #c81e1e;border-radius:6px;padding:8px 12px;color:#7a0b0b;\
font-weight:600;margin:6px 0}
.ma-turn{border-bottom:1px solid #ddd;padding:8px 0}
.ma-q{font-weight:600;margin-bottom:4px}
.ma-answer{white-space:pre-wrap}
.ma-notice{color:#6b4f00;font-size:0.9em}
.ma-src{border-left:3px solid #bbb;padding:4px 8px;margin:6px 0}
.ma-src:target{border-left-color:#1c64f2;background:#eef4ff}
.ma-src-text{white-space:pre-wrap;font-size:0.9em}
.ma-cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:10px}
.ma-col{border:1px solid #ddd;border-radius:6px;padding:8px}
.ma-metrics{font-size:0.85em;color:#555}
.ma-quotes{border-left:4px solid #1c64f2;background:#f3f7ff;padding:6px 10px;margin:6px 0}
.ma-quote{margin:4px 0}
.ma-sentence{margin:3px 0}
.ma-v-supported .ma-mark{color:#046c4e}
.ma-v-not_found .ma-mark{color:#8a5a00}
.ma-v-contradicted{background:#fde8e8;border-left:4px solid #c81e1e;padding:2px 6px}
.ma-v-contradicted .ma-mark{color:#9b1c1c;font-weight:700}
.ma-why{font-size:0.85em;color:#555;margin-left:1em}
.ma-says{font-size:0.9em;font-style:italic;margin-left:1em}
"""


def esc(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def banner(where: str) -> str:
    return (f'<div class="ma-banner" id="ma-banner"><b>{esc(DISCLAIMER)}</b><br>'
            f'<span id="ma-where">{esc(where)}</span></div>')


def _link(url: str) -> str:
    if not re.match(r"^https?://", url or ""):
        return ""
    return f' · <a href="{esc(url)}" target="_blank" rel="noopener noreferrer">link</a>'


def cite_links(escaped_text: str, anchor: str, n_sources: int) -> str:
    """Turn each valid [n] of already-escaped text into a link to its passage."""
    def link(m: re.Match) -> str:
        n = int(m.group(1))
        if 1 <= n <= n_sources:
            return f'<a class="ma-cite" href="#{anchor}-{n}">{m.group(0)}</a>'
        return m.group(0)

    return re.sub(r"\[(?:contradicted by )?(\d+)(?:, p\. \d+)?\]", link, escaped_text)


def evidence(passages: list[dict], anchor: str) -> str:
    """passages: source dicts of an answer document (n, title, organisation, year, locator, url, text)."""
    if not passages:
        return '<div class="ma-notice">No passages (retrieval off, or nothing retrieved).</div>'
    out = []
    for src in passages:
        who = ", ".join(str(x) for x in (src.get("organisation"), src.get("year")) if x)
        out.append(f'<div class="ma-src" id="{anchor}-{src["n"]}"><b>[{src["n"]}] {esc(src["title"])}</b>'
                   f'{" — " + esc(who) if who else ""} · {esc(src.get("locator", ""))} · '
                   f'<code>{esc(src["document_id"])}</code>{_link(src.get("url", ""))}'
                   f'<div class="ma-src-text">{esc(src["text"])}</div></div>')
    return "".join(out)


def notices(items: list[dict], kinds_skip=("emergency",)) -> str:
    return "".join(f'<div class="ma-notice">{esc(n["message"])}</div>' for n in items if n["kind"] not in kinds_skip)


def emergency(items: list[dict]) -> str:
    return "".join(f'<div class="ma-emergency" role="alert">⚠ {esc(n["message"])}</div>'
                   for n in items if n["kind"] == "emergency")


def quotes(doc: dict, anchor: str) -> str:
    """The guideline's own words that answer, with grade and a link to their passage."""
    items = quotes_of(doc)
    if not items:
        return ""
    n = len(doc["sources"])
    body = "".join(f'<div class="ma-quote">'
                   f'{cite_links(esc(quote_line(q, f"p. {q.page}" if q.page else "")), anchor, n)}'
                   f"</div>" for q in items)
    return f'<div class="ma-quotes"><b>From the guideline</b> (quoted, not generated){body}</div>'


def answer_body(doc: dict, anchor: str) -> str:
    """A finished answer: the guideline's quotes, then each sentence with its verdict; [n] links to its
    passage; a contradicted sentence shown beside the passage's own words."""
    checked = sentences_of(doc)
    if not checked:
        return quotes(doc, anchor) + f'<div class="ma-answer">{esc(doc["answer"] or "(no answer)")}</div>'
    n = len(doc["sources"])
    alarm = contradiction_notice(checked)
    out = [f'<div class="ma-emergency" role="status">⚠ {esc(alarm)}</div>' if alarm else "", quotes(doc, anchor),
           '<div class="ma-answer">']
    for s in checked:
        out.append(f'<div class="ma-sentence ma-v-{s.verdict}" data-verdict="{s.verdict}">{esc(s.text)} '
                   f'<span class="ma-mark" title="{esc(VERDICT_LABEL[s.verdict])}">'
                   f'{cite_links(esc(mark(s)), anchor, n)}</span>')
        if s.verdict != "supported" and s.reason:
            out.append(f'<div class="ma-why">{esc(s.reason)}</div>')
        if s.verdict == "contradicted" and s.evidence:
            out.append(f'<div class="ma-says">the passage [{s.source}{esc(page_note(s))}] says: '
                       f'“{esc(s.evidence)}”</div>')
        out.append("</div>")
    out.append("</div>")
    return "".join(out)


def turn(question: str, body: str, notices_html: str = "", emergency_html: str = "", extra: str = "") -> str:
    return (f'<div class="ma-turn">{emergency_html}<div class="ma-q">Q: {esc(question)}</div>{body}'
            f'{notices_html}{extra}</div>')


def streaming_body(text: str) -> str:
    return f'<div class="ma-answer">{esc(text)}<span class="ma-cursor">▍</span></div>'


def error(message: str) -> str:
    return f'<div class="ma-emergency ma-error" role="status">{esc(message)}</div>'


def answer_page(doc: dict, anchor: str | None = None) -> str:
    """A whole answer document as one self-contained HTML fragment (notebooks, exports)."""
    anchor = anchor or f"ma-src-h{doc.get('history_id') or id(doc)}"
    return (f"<style>{CSS}</style>" + banner("Research output; check every cited passage.")
            + turn(doc["question"], answer_body(doc, anchor), notices(doc["notices"]), emergency(doc["notices"]))
            + f'<div class="ma-metrics">model {esc(doc["model"])}</div>' + evidence(doc["sources"], anchor))


def columns_html(result, labels: dict[str, str] | None = None, anchor: str = "ma-cmp") -> str:
    """One column per model; `labels` hides identities (the arena)."""
    cols = []
    for variant, col in result.columns.items():
        name = (labels or {}).get(variant, variant)
        if col.error:
            body = error(col.error)
        elif col.answer is not None:
            body = answer_body(col.answer.to_dict(), anchor)
        else:
            body = streaming_body(col.text.lstrip())
        metrics = []
        if col.first_token_s is not None:
            metrics.append(f"first token {col.first_token_s:.2f} s")
        if col.done and col.seconds is not None:
            metrics.append(f"total {col.seconds:.2f} s")
        if col.tokens_per_s:
            metrics.append(f"{col.tokens_per_s:.1f} tokens/s")
        cols.append(f'<div class="ma-col" data-model="{esc(name)}"><b>{esc(name)}</b>'
                    f'<div class="ma-metrics">{esc(" · ".join(metrics))}</div>{body}</div>')
    return f'<div class="ma-cols">{"".join(cols)}</div>'
