"""Blind pairwise comparison: two models drawn at random, sides shuffled, identities shown after the vote.

Votes persist in SQLite beside the history log. The leaderboard gives, for each model:
  Elo           online updates in vote order (K=4, scale 400, start 1000, as LMSYS's Chatbot Arena);
  Bradley-Terry maximum likelihood by minorise-maximise (Hunter 2004), on the Elo scale;
each with a 95% bootstrap interval (votes resampled with replacement). A tie and "both bad"
count half a win to each side.
"""
from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path

from .errors import UserError

OUTCOMES = {"A": 1.0, "B": 0.0, "tie": 0.5, "both_bad": 0.5}  # score of side A
SCHEMA = """
CREATE TABLE IF NOT EXISTS battles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    question TEXT NOT NULL,
    model_a TEXT NOT NULL,            -- shown as "Model A"
    model_b TEXT NOT NULL,
    chunk_ids TEXT NOT NULL,          -- JSON: the evidence both answered from
    outcome TEXT,                     -- A | B | tie | both_bad; NULL until voted
    voted REAL
);
"""


class Arena:
    def __init__(self, path: Path):
        from .history import open_log

        self.path = Path(path)
        self.db = open_log(self.path, SCHEMA, "arena's vote log")

    def start(self, question: str, variants: list[str], rng: random.Random | None = None,
              chunk_ids: list[str] | None = None) -> tuple[int, str, str]:
        """A new battle: (id, model shown as A, model shown as B), drawn at random and shuffled."""
        pool = list(dict.fromkeys(variants))
        if len(pool) < 2:
            raise UserError("The arena needs at least two models to draw from.")
        a, b = (rng or random.SystemRandom()).sample(pool, 2)
        with self.db:
            cur = self.db.execute("INSERT INTO battles (created, question, model_a, model_b, chunk_ids) "
                                  "VALUES (?, ?, ?, ?, ?)", (time.time(), question, a, b, json.dumps(chunk_ids or [])))
        assert cur.lastrowid is not None  # set by the INSERT
        return cur.lastrowid, a, b

    def vote(self, battle_id: int, outcome: str) -> tuple[str, str]:
        """Record the vote (once) and reveal (model A, model B)."""
        if outcome not in OUTCOMES:
            raise UserError(f"A vote is one of {', '.join(OUTCOMES)}.")
        row = self.db.execute("SELECT model_a, model_b, outcome FROM battles WHERE id = ?", (battle_id,)).fetchone()
        if row is None:
            raise UserError(f"No battle {battle_id}.")
        if row[2] is not None:
            raise UserError("This battle already has a vote; start a new one.")
        with self.db:
            self.db.execute("UPDATE battles SET outcome = ?, voted = ? WHERE id = ?", (outcome, time.time(), battle_id))
        return row[0], row[1]

    def votes(self) -> list[tuple[str, str, float]]:
        rows = self.db.execute("SELECT model_a, model_b, outcome FROM battles WHERE outcome IS NOT NULL ORDER BY id")
        return [(a, b, OUTCOMES[o]) for a, b, o in rows]

    def leaderboard(self, rounds: int = 200, seed: int = 0) -> list[dict]:
        votes = self.votes()
        models = sorted({m for a, b, _ in votes for m in (a, b)})
        if not votes:
            return []
        elo, bt = elo_ratings(votes, models), bradley_terry(votes, models)
        rng = random.Random(seed)
        samples_elo: dict[str, list[float]] = {m: [] for m in models}
        samples_bt: dict[str, list[float]] = {m: [] for m in models}
        for _ in range(rounds):
            resampled = [votes[rng.randrange(len(votes))] for _ in votes]
            for table, fn in ((samples_elo, elo_ratings), (samples_bt, bradley_terry)):
                for m, v in fn(resampled, models).items():
                    table[m].append(v)
        out = []
        for m in models:
            played = [v for v in votes if m in v[:2]]
            wins = sum(1 for a, b, s in played if (a == m and s == 1.0) or (b == m and s == 0.0))
            ties = sum(1 for *_, s in played if s == 0.5)
            out.append({"model": m, "votes": len(played), "wins": wins, "ties": ties,
                        "elo": round(elo[m], 1), "elo_ci95": _interval(samples_elo[m]),
                        "bt": round(bt[m], 1), "bt_ci95": _interval(samples_bt[m])})
        return sorted(out, key=lambda r: -r["bt"])


def _interval(values: list[float]) -> list[float]:
    v = sorted(values)
    return [round(v[int(0.025 * (len(v) - 1))], 1), round(v[int(0.975 * (len(v) - 1))], 1)]


def elo_ratings(votes, models, k: float = 4.0, scale: float = 400.0, start: float = 1000.0) -> dict[str, float]:
    r = dict.fromkeys(models, start)
    for a, b, s in votes:
        expected = 1.0 / (1.0 + 10 ** ((r[b] - r[a]) / scale))
        r[a] += k * (s - expected)
        r[b] -= k * (s - expected)
    return r


def bradley_terry(votes, models, iterations: int = 200, scale: float = 400.0) -> dict[str, float]:
    """Strengths p maximise prod p_a/(p_a+p_b) over wins (ties half each), with a weak prior (below);
    reported as 1000 + 400 log10(p / geometric mean of p)."""
    wins = dict.fromkeys(models, 0.0)
    games: dict[tuple[str, str], float] = {}
    for a, b, s in votes:
        wins[a] += s
        wins[b] += 1.0 - s
        key = (a, b) if a < b else (b, a)
        games[key] = games.get(key, 0.0) + 1.0
    p = dict.fromkeys(models, 1.0)
    for _ in range(iterations):
        new = {}
        for m in models:
            denom = sum(n / (p[x] + p[y]) for (x, y), n in games.items() if m in (x, y))
            # Prior: one virtual game against a reference player of strength 1, drawn (half a win).
            # It keeps an unbeaten or winless model finite and shrinks ratings built on few votes.
            new[m] = (wins[m] + 0.5) / (denom + 1.0 / (p[m] + 1.0))
        mean = math.exp(sum(math.log(v) for v in new.values()) / len(new))
        p = {m: v / mean for m, v in new.items()}
    return {m: 1000.0 + scale * math.log10(v) for m, v in p.items()}


def chart(rows: list[dict], path: Path) -> Path | None:
    """Bradley-Terry and Elo ratings with their 95% intervals, one row per model."""
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 0.6 + 0.5 * len(rows)))
    ys = range(len(rows))
    for offset, key, label in ((-0.15, "bt", "Bradley–Terry"), (0.15, "elo", "Elo")):
        vals = [r[key] for r in rows]
        lo = [r[key] - r[f"{key}_ci95"][0] for r in rows]
        hi = [r[f"{key}_ci95"][1] - r[key] for r in rows]
        ax.errorbar(vals, [y + offset for y in ys], xerr=[lo, hi], fmt="o", capsize=3, label=label)
    ax.set_yticks(list(ys))
    ax.set_yticklabels([r["model"] for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("rating (95% bootstrap interval)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
