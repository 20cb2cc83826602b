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
from .types import DISCLAIMER, Answer, GenerationSettings, Notice, Passage, Quote, source_dicts

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
    answer: Answer | None = None  # when finished

    @property
    def tokens_per_s(self) -> float | None:
        gen = self.answer.timings.get("generate") if self.answer else None
        return self.new_tokens / gen if gen and self.new_tokens else None

    def to_dict(self) -> dict:
        return {"model": self.variant, "answer": self.text, "error": self.error, "done": self.done,
                "first_token_s": self.first_token_s, "seconds": self.seconds, "new_tokens": self.new_tokens,
                "tokens_per_s": self.tokens_per_s,
                "sentences": [s.to_dict() for s in self.answer.sentences] if self.answer else [],
                "notices": [n.__dict__ for n in self.answer.notices] if self.answer else []}


@dataclass
class Comparison:
    question: str
    passages: list[Passage]
    columns: dict[str, Column]
    notices: list[Notice] = field(default_factory=list)  # the evidence step's: the emergency notice first
    quotes: list[Quote] = field(default_factory=list)  # the guideline's own words, the same for every model

    @property
    def emergency(self) -> Notice | None:
        return next((n for n in self.notices if n.kind == "emergency"), None)

    @property
    def done(self) -> bool:
        return all(c.done for c in self.columns.values())

    def to_dict(self) -> dict:
        return {"schema": "medassist.comparison/2", "disclaimer": DISCLAIMER, "question": self.question,
                "quotes": [q.to_dict() for q in self.quotes], "evidence": source_dicts(self.passages),
                "answers": [c.to_dict() for c in self.columns.values()],
                "notices": [n.__dict__ for n in self.notices]}

    def to_markdown(self) -> str:
        from .present.markdown import comparison_markdown

        return comparison_markdown(self.to_dict())


def compare(pool, question: str, variants: list[str], k: int = 5, filters=None,
            gen: GenerationSettings | None = None, use_rag: bool = True,
            user: str | None = None) -> Iterator[Comparison]:
    variants = list(dict.fromkeys(variants))
    if not 1 <= len(variants) <= MAX_MODELS:
        raise UserError(f"Compare 2 to {MAX_MODELS} models (got {len(variants)}).")
    # One evidence step, once, for every model (the first model's assistant gathers it; no model loads).
    evidence = pool.assistant(variants[0]).gather_evidence(question, k=k, use_rag=use_rag, filters=filters, user=user)
    result = Comparison(evidence.question, evidence.passages, {v: Column(v) for v in variants}, evidence.notices,
                        evidence.quotes)
    events: queue.Queue = queue.Queue()
    stop = threading.Event()

    def run(variant: str) -> None:
        col = result.columns[variant]
        started = time.perf_counter()
        try:
            with pool.generating(variant) as assistant:
                started = time.perf_counter()  # generation time, not the wait for the model
                stream = assistant.stream(evidence.pinned(), gen=gen)
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
        except Exception as exc:  # one model failing must not take the others down
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
