"""What measuring an engine gives (`Figures`) and which engine the figures pick (`choose_engine`,
`best_threads`): pure functions, no I/O, so tests feed them figures. `calibration.py` measures and caches."""
from __future__ import annotations

from dataclasses import dataclass

GGUF_ENGINES = ("xllamacpp", "llamacpp", "transformers")  # preference when estimates tie (within 3%)
ASK_PROMPT, ASK_NEW = 1500, 200  # what one grounded answer costs: the figure engines are ranked by


@dataclass(frozen=True)
class Figures:
    """One engine measured on one model here."""

    prefill_tps: float  # prompt tokens per second
    decode_tps: float  # new tokens per second, after the first
    first_token_s: float  # the fixed prompt's time to first token
    load_s: float = 0.0

    def estimate_s(self, prompt: int = ASK_PROMPT, new: int = ASK_NEW) -> float:
        return prompt / self.prefill_tps + new / self.decode_tps

    def to_dict(self) -> dict:
        return {"prefill_tps": round(self.prefill_tps, 1), "decode_tps": round(self.decode_tps, 2),
                "first_token_s": round(self.first_token_s, 3), "load_s": round(self.load_s, 2),
                "estimate_s": round(self.estimate_s(), 2)}

    @classmethod
    def from_dict(cls, d: dict) -> Figures:
        return cls(d["prefill_tps"], d["decode_tps"], d["first_token_s"], d.get("load_s", 0.0))


@dataclass(frozen=True)
class Choice:
    engine: str | None  # None: no engine could run
    ranking: list[str]  # every engine that ran, fastest first
    reason: str
    options: dict | None = None  # engine -> the load options it was measured fastest with (its thread count)

    def options_for(self, engine: str) -> dict:
        return dict((self.options or {}).get(engine, {}))


def choose_engine(measured: dict[str, Figures | str]) -> Choice:
    """The engine with the shortest estimated answer time. `measured` maps an engine to its figures,
    or to the reason it failed. Pure: tests feed it figures."""
    ok = {e: f for e, f in measured.items() if isinstance(f, Figures)}
    failed = {e: why for e, why in measured.items() if not isinstance(why, Figures)}
    order = {e: i for i, e in enumerate(GGUF_ENGINES)}
    # Rank by estimate, but within 3% of each other the preferred engine goes first.
    ranking = sorted(ok, key=lambda e: (ok[e].estimate_s(), order.get(e, 99)))
    for i in range(len(ranking) - 1):
        a, b = ranking[i], ranking[i + 1]
        if ok[b].estimate_s() <= ok[a].estimate_s() * 1.03 and order.get(b, 99) < order.get(a, 99):
            ranking[i], ranking[i + 1] = b, a
    if not ranking:
        return Choice(None, [], "no engine ran here: " + "; ".join(f"{e}: {w}" for e, w in failed.items()))
    best = ok[ranking[0]]
    why = (f"{ranking[0]}: an answer of {ASK_PROMPT} prompt + {ASK_NEW} new tokens estimated at "
           f"{best.estimate_s():.1f} s ({best.prefill_tps:.0f} prompt tok/s, {best.decode_tps:.1f} new tok/s)")
    for e in ranking[1:]:
        why += f"; {e} {ok[e].estimate_s():.1f} s"
    for e, w in failed.items():
        why += f"; {e} failed ({w.splitlines()[0][:120]})"
    return Choice(ranking[0], ranking, why)


def best_threads(figures: dict[int, Figures]) -> tuple[Figures, dict]:
    """llama.cpp reads the prompt and generates with separate thread pools: each gets the thread count
    measured fastest for it (on a 2-core machine: the prompt on both cores, tokens on one or two). The
    figures are those of that combination."""
    decode = max(figures, key=lambda n: figures[n].decode_tps)
    prompt = max(figures, key=lambda n: figures[n].prefill_tps)
    p, d = figures[prompt], figures[decode]
    return (Figures(p.prefill_tps, d.decode_tps, p.first_token_s, d.load_s),
            {"n_threads": decode, "n_threads_batch": prompt})
