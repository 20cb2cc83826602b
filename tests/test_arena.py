"""Arena votes persist and give sensible ratings; uploads are read only from the server's own upload folder."""
from __future__ import annotations

import random

import pytest

from medassist.arena import Arena, bradley_terry, elo_ratings
from medassist.errors import UserError


def test_votes_persist_and_the_stronger_model_ranks_first(tmp_path):
    arena = Arena(tmp_path / "arena.sqlite3")
    rng = random.Random(7)
    for i in range(60):
        battle, a, b = arena.start(f"q{i}", ["strong", "weak", "middle"], rng=rng)
        assert a != b
        strength = {"strong": 3, "middle": 2, "weak": 1}
        outcome = "tie" if strength[a] == strength[b] else ("A" if strength[a] > strength[b] else "B")
        if i % 10 == 0:
            outcome = "both_bad"
        assert arena.vote(battle, outcome) == (a, b)  # identities revealed after the vote
    with pytest.raises(UserError, match="already has a vote"):
        arena.vote(battle, "A")
    reopened = Arena(tmp_path / "arena.sqlite3")  # a new process sees the same votes
    board = reopened.leaderboard(rounds=100)
    assert [r["model"] for r in board] == ["strong", "middle", "weak"]
    for r in board:
        assert r["bt_ci95"][0] <= r["bt"] <= r["bt_ci95"][1] and r["elo_ci95"][0] <= r["elo"] <= r["elo_ci95"][1]
    assert sum(r["votes"] for r in board) == 120  # each vote counts for both models


def test_ratings_are_symmetric_and_ties_are_even():
    votes = [("a", "b", 0.5)] * 10
    assert bradley_terry(votes, ["a", "b"])["a"] == pytest.approx(1000.0)
    assert elo_ratings(votes, ["a", "b"]) == {"a": 1000.0, "b": 1000.0}
    one_sided = [("a", "b", 1.0)] * 10
    bt = bradley_terry(one_sided, ["a", "b"])
    assert bt["a"] > 1000.0 > bt["b"]  # finite, thanks to the prior
    assert bt["a"] - bt["b"] < 1000  # ten straight wins: a clear, not an infinite, gap
    single = bradley_terry([("a", "b", 1.0)], ["a", "b"])
    assert 0 < single["a"] - single["b"] < 400  # one vote says little


def test_arena_needs_two_models_and_known_votes(tmp_path):
    arena = Arena(tmp_path / "a.sqlite3")
    with pytest.raises(UserError, match="at least two"):
        arena.start("q", ["only"])
    battle, *_ = arena.start("q", ["x", "y"])
    with pytest.raises(UserError, match="A vote is one of"):
        arena.vote(battle, "C")


def test_uploads_are_read_only_from_the_upload_folder(tmp_path):
    from medassist.retrieval.manage import Library

    library = Library(retriever=None, uploads_dir=tmp_path / "library" / "uploads")
    root = tmp_path / "gradio"
    (root / "abc").mkdir(parents=True)
    good = root / "abc" / "protocol.md"
    good.write_text("# Protocol\n\nText.")
    saved = library.save_upload(good, "../../etc/passwd protocol.md", root)
    assert saved.parent.parent == tmp_path / "library" / "uploads" and saved.name == "passwd_protocol.md"
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web")
    for path in (secret, root / ".." / "secret.txt", root / "abc" / "missing.md"):
        with pytest.raises(UserError, match="not a file this server received"):
            library.save_upload(path, "x.md", root)


def test_a_damaged_vote_log_or_history_is_reported_and_left_as_it_is(tmp_path):
    from medassist.history import History

    for cls, name in ((Arena, "arena.sqlite3"), (History, "history.sqlite3")):
        path = tmp_path / name
        path.write_bytes(b"not a database" * 100)
        with pytest.raises(UserError, match=r"cannot be opened .* left as it is"):
            cls(path)
        assert path.read_bytes().startswith(b"not a database")
