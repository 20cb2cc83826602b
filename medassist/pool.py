"""Models in memory, shared by every front end of one process (the web UI's users, a notebook).

    pool.assistant("gemma3-270m@llamacpp")   -> an Assistant whose backend loads on first use
    with pool.generating(variant): ...       -> one generation at a time per loaded model; a bounded
                                                queue behind it, and a clear "busy" message beyond

A variant is a catalogue model plus how it runs: "<model>" (its recommended engine),
"<model>@llamacpp" (its GGUF through llama-cpp-python), "<model>@xllamacpp" (through the
prebuilt xllamacpp), "<model>@nf4" / "<model>@int8" (bitsandbytes
4-bit / 8-bit through transformers). Each loaded model's memory is measured after loading; when a
new one would not fit the budget, the least recently used idle models are closed first.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .catalogue import CATALOGUE, get_spec
from .errors import UserError
from .parts import SharedParts

if TYPE_CHECKING:
    from .assistant import Assistant


def engine_suffixes() -> dict[str, tuple[str, dict]]:
    """What may follow @ in a variant: every engine's name, and the variants engines declare
    ("nf4" is transformers with quant=nf4), all read from the engine registry."""
    from .backends import ENGINES

    out: dict[str, tuple[str, dict]] = {name: (name, {}) for name in ENGINES}
    for e in ENGINES.values():
        out.update({suffix: (e.name, dict(options)) for suffix, options in e.variants.items()})
    return out


def parse_variant(variant: str) -> tuple[str, str | None, dict]:
    """'gemma3-270m@nf4' -> ('gemma3-270m', 'transformers', {'quant': 'nf4'})."""
    model, _, how = variant.partition("@")
    get_spec(model)  # unknown models get the catalogue's own message
    if not how:
        return model, None, {}
    suffixes = engine_suffixes()
    if how not in suffixes:
        raise UserError(f"'{variant}': after @ comes one of {', '.join(suffixes)}.")
    engine, options = suffixes[how]
    return model, engine, dict(options)


def default_variants() -> list[str]:
    """What runs on this machine out of the box: the default model, three ways (a real comparison:
    what do GGUF Q4_K_M through llama.cpp and bitsandbytes NF4 do to the answers?)."""
    import importlib.util

    out = ["gemma3-270m"]
    if importlib.util.find_spec("llama_cpp") is not None:
        out.append("gemma3-270m@llamacpp")
    if importlib.util.find_spec("bitsandbytes") is not None:
        out.append("gemma3-270m@nf4")
    return out


def estimated_gib(variant: str) -> float:
    """Weights' memory before loading: GGUF as shipped, bitsandbytes as quantized, else 16-bit."""
    from .catalogue import BYTES_PER_PARAM

    model, engine, options = parse_variant(variant)
    spec = get_spec(model)
    if (engine or spec.engine) in ("llamacpp", "xllamacpp", "server"):
        per_param = BYTES_PER_PARAM.get(spec.quantization, 0.61) if engine != "server" else 0.0
    else:
        per_param = BYTES_PER_PARAM.get(options.get("quant") or "bf16", 2.0)
    return spec.params_b * 1e9 * per_param / 2**30


def measured_gib(backend) -> float:
    """Memory the loaded weights take: parameters and buffers (transformers) or the GGUF file (llama.cpp)."""
    model = getattr(backend, "model", None)
    if model is not None and hasattr(model, "parameters"):
        total = sum(p.numel() * p.element_size() for p in model.parameters())
        total += sum(b.numel() * b.element_size() for b in model.buffers())
        return total / 2**30
    path = getattr(backend, "path", None)
    if path is not None:
        return path.stat().st_size / 2**30
    return 0.0


@dataclass
class _Slot:
    assistant: Assistant
    lock: threading.Lock = field(default_factory=threading.Lock)
    waiting: int = 0
    gib: float = 0.0
    last_used: float = 0.0


class ModelPool(SharedParts):
    def __init__(self, settings, retriever=None, history=None, budget_gib: float | None = None,
                 max_waiting: int = 2, progress: Callable[[str], None] = print, backend_options: dict | None = None):
        self.settings = settings
        self._retriever, self._history = retriever, history
        self.budget_gib = budget_gib if budget_gib is not None else _default_budget()
        self.max_waiting = max_waiting
        self.progress = progress
        self.backend_options = backend_options or {}  # e.g. the server's address, for every variant
        self._slots: OrderedDict[str, _Slot] = OrderedDict()  # least recently used first
        self._guard = threading.Lock()
        self.evicted: list[str] = []  # what was closed to make room (shown in the UI)

    def assistant(self, variant: str):
        from .assistant import Assistant

        with self._guard:
            slot = self._slots.get(variant)
            if slot is None:
                model, engine, options = parse_variant(variant)
                a = Assistant(self.settings, model=model, engine=engine, progress=self.progress,
                              backend_options={**self.backend_options, **options}, retriever=self.retriever,
                              history=self.history)  # one retriever and one log for every model
                slot = self._slots[variant] = _Slot(a)
            self._slots.move_to_end(variant)
            return slot.assistant

    def waiting(self, variant: str) -> int:
        """Requests queued behind the one generating with `variant` (0 when it is free)."""
        slot = self._slots.get(variant)
        return slot.waiting if slot else 0

    def loaded(self) -> dict[str, float]:
        return {v: round(s.gib, 3) for v, s in self._slots.items() if s.assistant._backend is not None}

    def _make_room(self, variant: str) -> None:
        need = estimated_gib(variant)
        with self._guard:
            for other, slot in list(self._slots.items()):
                if sum(self.loaded().values()) + need <= self.budget_gib:
                    break
                if other == variant or slot.assistant._backend is None or slot.lock.locked():
                    continue
                slot.assistant.close()
                slot.gib = 0.0
                self.evicted.append(other)
                self.progress(f"Closed {other} to make room for {variant} (memory budget {self.budget_gib:.1f} GiB).")

    @contextmanager
    def generating(self, variant: str):
        """Hold `variant` for one generation: loads it (making room) and waits its turn in a bounded queue."""
        assistant = self.assistant(variant)
        slot = self._slots[variant]
        with self._guard:
            if slot.lock.locked() and slot.waiting >= self.max_waiting:
                raise UserError(f"{variant} is busy: {slot.waiting} requests are already waiting for it. "
                                "Try again in a moment.")
            slot.waiting += 1
        try:
            slot.lock.acquire()
        finally:
            with self._guard:
                slot.waiting -= 1
        try:
            if assistant._backend is None:
                self._make_room(variant)
                assistant.backend()
                slot.gib = measured_gib(assistant._backend)
            slot.last_used = time.time()
            yield assistant
        finally:
            slot.lock.release()

    def close(self) -> None:
        for slot in self._slots.values():
            slot.assistant.close()


def _default_budget() -> float:
    """Half of the memory available now: room for the retriever, the embedder and the UI itself."""
    try:
        import psutil

        return psutil.virtual_memory().available / 2**30 * 0.5
    except ImportError:
        import os

        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30 * 0.5


def catalogue_variants() -> list[str]:
    return list(CATALOGUE)
