"""Stop strings for streamed text: never show a stop string, nor a piece of one."""
from __future__ import annotations

from collections.abc import Iterable, Iterator


def cut_at_stop(text: str, stops: Iterable[str]) -> tuple[str, bool]:
    """Text before the earliest stop string, and whether one was found."""
    cut = min((i for s in stops if s and (i := text.find(s)) >= 0), default=-1)
    return (text, False) if cut < 0 else (text[:cut], True)


def stream_until_stop(pieces: Iterable[str], stops: tuple[str, ...]) -> Iterator[str]:
    """Re-chunk `pieces` so that no stop string (or a prefix of one still open) is ever yielded.

    The tail that could still grow into a stop string is held back until it cannot.
    """
    stops = tuple(s for s in stops if s)
    held = ""
    for piece in pieces:
        held += piece
        text, stopped = cut_at_stop(held, stops)
        if stopped:
            if text:
                yield text
            return
        keep = _longest_open_prefix(held, stops)
        if len(held) > keep:
            yield held[: len(held) - keep]
            held = held[len(held) - keep :]
    if held:
        yield held


def _longest_open_prefix(text: str, stops: tuple[str, ...]) -> int:
    """Length of the longest suffix of `text` that is a proper prefix of some stop string."""
    best = 0
    for s in stops:
        for n in range(min(len(s) - 1, len(text)), best, -1):
            if text.endswith(s[:n]):
                best = n
                break
    return best
