"""Build the prompt for a model: its family's format, with as much evidence as its context holds."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..catalogue import ModelSpec
from ..errors import UserError
from ..types import Notice, Passage
from .formats import FORMATS, NO_ANSWER_EN, NO_ANSWER_JA, Format

__all__ = ["FORMATS", "NO_ANSWER_EN", "NO_ANSWER_JA", "BuiltPrompt", "build_prompt"]

MIN_PASSAGE_TOKENS = 48  # a trimmed passage shorter than this says too little to keep
SAFETY_MARGIN = 16  # tokens kept free for tokenizer differences at the joins


@dataclass
class BuiltPrompt:
    text: str
    stop: tuple[str, ...]
    passages: list[Passage]  # the passages the model sees, numbered [1].. in this order
    notices: list[Notice] = field(default_factory=list)


def build_prompt(spec: ModelSpec, question: str, passages: list[Passage] | None,
                 count_tokens: Callable[[str], int], max_new_tokens: int,
                 context_length: int | None = None) -> BuiltPrompt:
    """Render `question` with `passages` (None: no retrieval) for `spec`'s family.

    Evidence that would overflow the context is trimmed, lowest-ranked first: whole passages are
    dropped, and the last one kept may be cut short. The model never sees more than fits.
    """
    fmt: Format = FORMATS[spec.prompt_format]
    budget = (context_length or spec.context_length) - max_new_tokens - SAFETY_MARGIN
    if passages is None:
        text = fmt.render(question, None)
        if count_tokens(text) > budget:
            raise UserError(_no_room(spec, "the question", max_new_tokens, context_length))
        return BuiltPrompt(text, fmt.stop, [])

    kept: list[tuple[int, Passage, str]] = []
    notices: list[Notice] = []
    for p in passages:
        candidate = [*kept, (len(kept) + 1, p, p.text)]
        if count_tokens(fmt.render(question, candidate)) <= budget:
            kept = candidate
            continue
        # Cut this passage to what still fits (binary search on characters), then stop.
        lo, hi = 0, len(p.text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if count_tokens(fmt.render(question, [*kept, (len(kept) + 1, p, p.text[:mid] + " …")])) <= budget:
                lo = mid
            else:
                hi = mid - 1
        if lo and count_tokens(p.text[:lo]) >= MIN_PASSAGE_TOKENS:
            kept.append((len(kept) + 1, p, p.text[:lo] + " …"))
            notices.append(Notice("context", f"Passage [{len(kept)}] was shortened to fit {spec.id}'s context."))
        break
    dropped = len(passages) - len(kept)
    if dropped:
        notices.append(Notice("context", f"{dropped} of {len(passages)} retrieved passages did not fit "
                                         f"{spec.id}'s context window and were left out."))
    if not kept and passages:
        raise UserError(_no_room(spec, "evidence", max_new_tokens, context_length))
    text = fmt.render(question, kept)
    return BuiltPrompt(text, fmt.stop, [p for _, p, _ in kept], notices)


def _no_room(spec: ModelSpec, what: str, max_new_tokens: int, context_length: int | None) -> str:
    """Say which of the two takes the room: a long answer allowance or a long question."""
    context = context_length or spec.context_length
    if max_new_tokens >= context // 2:
        return (f"max-new-tokens {max_new_tokens:,} takes most of {spec.id}'s context of {context:,} tokens, leaving "
                f"no room for {what}: lower it (answers rarely need more than 512).")
    return f"The question leaves no room for {what} in {spec.id}'s context; shorten it."
