"""How a benchmark item becomes a prompt and the continuations that are scored. Stated, not hidden.

    option scoring (loglik, default)   "Question: {q}\nAnswer:" + " {option text}"   (lm-evaluation-harness style)
    letter scoring (loglik)            "Question: {q}\nA. ..\nB. ..\nAnswer:" + " A"
    generate                           the letter prompt; the model writes, a stated rule reads the letter(s)

PubMedQA-rc puts "Abstract: ..." first, as lm-evaluation-harness's pubmedqa task does. IgakuQA uses
Japanese labels (問題 / 答え) and letters a-e; a numeric-entry question has no options (generate only).
k-shot examples come first, separated by a blank line; with --rag the retrieved guideline passages
sit just before the question being asked.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import asdict, dataclass

from ..errors import UserError
from .items import Item


@dataclass(frozen=True)
class Protocol:
    """Everything that changes a score; recorded beside every result."""

    mode: str = "loglik"  # loglik | generate
    score: str = "option"  # loglik: option (the option's full text) | letter
    shots: int = 0
    chat: bool = False  # wrap the prompt in the model's chat template
    rag: bool = False  # guideline passages before the question
    k: int = 3  # passages, with rag
    seed: int = 1234  # chooses the shots and drives the bootstrap
    max_new_tokens: int = 16  # generate mode

    def __post_init__(self):
        if self.mode not in ("loglik", "generate"):
            raise UserError(f"--mode must be loglik or generate, not '{self.mode}'.")
        if self.score not in ("option", "letter"):
            raise UserError(f"--score must be option or letter, not '{self.score}'.")
        if not 0 <= self.shots <= 25:
            raise UserError("--shots must be between 0 and 25.")

    def label(self) -> str:
        what = self.mode if self.mode == "generate" else f"loglik-{self.score}"
        return f"{what}-{self.shots}shot{'-chat' if self.chat else ''}{'-rag' if self.rag else ''}"

    def to_dict(self) -> dict:
        return asdict(self)


def _labels(item: Item) -> tuple[str, str, str]:
    japanese = item.exam != ""
    return ("問題: ", "答え:", "抜粋:") if japanese else ("Question: ", "Answer:", "Guideline passages:")


def _body(item: Item, with_options: bool) -> str:
    q_label, a_label, _ = _labels(item)
    head = f"Abstract: {item.context}\n" if item.context else ""
    options = "".join(f"\n{k}. {v}" for k, v in item.options.items()) if with_options else ""
    return f"{head}{q_label}{item.question}{options}\n{a_label}"


def _answer_text(item: Item, with_options: bool) -> str:
    if item.numeric:  # an IgakuQA numeric entry as a worked example: the value, not the box digits ("21" = 2.1)
        from .igaku import official_value

        return f" {official_value(item)}"
    if with_options:
        return " " + ", ".join(item.answer)
    return " " + "、".join(item.options[a] for a in item.answer) if item.exam else " " + item.options[item.answer[0]]


def choose_shots(pool: list[Item], item: Item, shots: int, seed: int) -> list[Item]:
    """The same `shots` examples for every item of a run (never the item itself)."""
    if not shots:
        return []
    rng = random.Random(seed)
    ordered = rng.sample(pool, min(len(pool), shots + 1))
    return [s for s in ordered if s.id != item.id][:shots]


@dataclass
class ItemPrompt:
    text: str  # the context every continuation follows
    continuations: dict[str, str]  # letter -> scored text (loglik)
    passages: list | None = None  # retrieved Passage objects, with rag

    @property
    def hash(self) -> str:
        h = hashlib.sha256(self.text.encode())
        for k, v in self.continuations.items():
            h.update(f"\x00{k}\x01{v}".encode())
        return h.hexdigest()[:16]


def render_evidence(passages) -> str:
    from ..prompts.formats import render_evidence as numbered  # the ask path's own evidence layout

    return numbered([(n, p, p.text) for n, p in enumerate(passages, 1)])


def build(item: Item, protocol: Protocol, shots: list[Item], passages=None, chat_wrap=None) -> ItemPrompt:
    with_options = protocol.mode == "generate" or protocol.score == "letter"
    parts = [_body(s, with_options) + _answer_text(s, with_options) for s in shots]
    evidence = f"{_labels(item)[2]}\n{render_evidence(passages)}\n" if passages else ""
    parts.append(evidence + _body(item, with_options))
    text = "\n\n".join(parts)
    space = " "
    if chat_wrap is not None:  # the model's chat template; the answer follows the assistant header directly
        text, space = chat_wrap(text), ""
    if with_options:
        conts = {k: f"{space}{k}" for k in item.options}
    else:
        conts = {k: f"{space}{v}" for k, v in item.options.items()}
    return ItemPrompt(text, conts, list(passages or []))
