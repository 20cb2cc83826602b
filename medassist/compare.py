"""Several models answer one question over the identical evidence: retrieved once, pinned, shown once.

    for snapshot in compare(pool, question, ["gemma3-270m", "gemma3-270m@llamacpp"]): ...

Each model streams in its own thread (one generation at a time per model, by the pool); the
caller receives a Comparison snapshot as pieces arrive. Closing the iterator stops every model.
"""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from .errors import UserError
from .types import DISCLAIMER, GenerationSettings, Notice, Passage, source_dicts

MAX_MODELS = 4


@dataclass
class Column:
    variant: str
    text: str = ""
    done: bool = False
    error: str | None = None
    first_token_s: float | None = None
    seconds: float | None = None
    new_tokens: int = 0
    answer: object = None  # types.Answer, when finished

    @property
    def tokens_per_s(self) -> float | None:
        gen = self.answer.timings.get("generate") if self.answer else None
        return self.new_tokens / gen if gen and self.new_tokens else None

    def to_dict(self) -> dict:
        return {"model": self.variant, "answer": self.text, "error": self.error, "done": self.done,
                "first_token_s": self.first_token_s, "seconds": self.seconds, "new_tokens": self.new_tokens,
                "tokens_per_s": self.tokens_per_s,
                "sentences": self.answer.to_dict()["sentences"] if self.answer else [],
                "notices": [n.__dict__ for n in self.answer.notices] if self.answer else []}


@dataclass
class Comparison:
    question: str
    passages: list[Passage]
    columns: dict[str, Column]
    notices: list[Notice] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return all(c.done for c in self.columns.values())

    def to_dict(self) -> dict:
        return {"schema": "medassist.comparison/1", "disclaimer": DISCLAIMER, "question": self.question,
                "evidence": source_dicts(self.passages),
                "answers": [c.to_dict() for c in self.columns.values()],
                "notices": [n.__dict__ for n in self.notices]}

    def to_markdown(self) -> str:
        return markdown(self.to_dict())


def markdown(doc: dict) -> str:
    """A comparison document (Comparison.to_dict()) as Markdown: metrics table, answers, the shared evidence."""
    from .render import _escape

    def num(v):
        return "—" if v is None else f"{v:.2f}"

    lines = [f"> **{doc['disclaimer']}**", "", f"**Question:** {_escape(doc['question'])}", "",
             "| Model | Time to first token (s) | Total (s) | Tokens/s |", "|---|---|---|---|"]
    for a in doc["answers"]:
        lines.append(f"| {a['model']} | {num(a['first_token_s'])} | {num(a['seconds'])} | {num(a['tokens_per_s'])} |")
    for a in doc["answers"]:
        lines += ["", f"### {a['model']}", "", _escape(a["error"] or a["answer"] or "(no answer)")]
    lines += ["", "### Evidence (the same for every model)", ""]
    for e in doc["evidence"]:
        lines.append(f"- [{e['n']}] {_escape(e['title'])} · {_escape(e['locator'])} · {e['document_id']}"
                     f"{(' <' + e['url'] + '>') if e.get('url') else ''}")
    return "\n".join(lines) + "\n"


def compare(pool, question: str, variants: list[str], k: int = 5, filters=None,
            gen: GenerationSettings | None = None, use_rag: bool = True) -> Iterator[Comparison]:
    from .assistant import WEAK_MATCH, validate_question

    question = validate_question(question)
    variants = list(dict.fromkeys(variants))
    if not 1 <= len(variants) <= MAX_MODELS:
        raise UserError(f"Compare 2 to {MAX_MODELS} models (got {len(variants)}).")
    notices: list[Notice] = []
    passages: list[Passage] = []
    if use_rag:
        pool.retriever.check()
        passages = pool.retriever.search(question, k, filters=filters)  # once, for every model
        if not passages or passages[0].score < WEAK_MATCH:
            notices.append(Notice("evidence", "The library matches this question only weakly; it may not cover it."))
    result = Comparison(question, passages, {v: Column(v) for v in variants}, notices)
    events: queue.Queue = queue.Queue()
    stop = threading.Event()

    def run(variant: str) -> None:
        col = result.columns[variant]
        started = time.perf_counter()
        try:
            with pool.generating(variant) as assistant:
                started = time.perf_counter()  # generation time, not the wait for the model
                stream = assistant.stream(question, k=k, use_rag=use_rag, gen=gen, passages=passages if use_rag else None)
                pieces = iter(stream)
                try:
                    for piece in pieces:
                        if col.first_token_s is None:
                            col.first_token_s = time.perf_counter() - started
                        events.put((variant, piece))
                        if stop.is_set():
                            break
                finally:
                    pieces.close()  # stops the backend's generation
                col.answer = stream.answer
                if stream.answer:
                    col.text = stream.answer.text
                    col.new_tokens = int(stream.answer.timings.get("new_tokens", 0))
        except UserError as exc:
            col.error = str(exc)
        except Exception as exc:  # one model failing must not take the others down  # noqa: BLE001
            col.error = f"{type(exc).__name__}: {exc}"
        finally:
            col.seconds = time.perf_counter() - started
            col.done = True
            events.put((variant, None))

    threads = [threading.Thread(target=run, args=(v,), daemon=True, name=f"compare-{v}") for v in variants]
    for t in threads:
        t.start()
    try:
        finished = 0
        yield result
        while finished < len(threads):
            variant, piece = events.get()
            if piece is None:
                finished += 1
            elif not result.columns[variant].answer:
                result.columns[variant].text += piece
            yield result
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
