"""The shared model pool: lazy loads, measured memory, least-recently-used eviction, one generation at a
time per model with a bounded queue. Real models (the default model via transformers and llama.cpp)."""
from __future__ import annotations

import os
import threading
import time

import pytest

from medassist.errors import UserError
from medassist.pool import ModelPool, parse_variant
from medassist.settings import Settings

pytestmark = pytest.mark.slow  # loads models into the pool


def test_variants_name_how_a_model_runs():
    assert parse_variant("gemma3-270m") == ("gemma3-270m", None, {})
    assert parse_variant("gemma3-270m@nf4") == ("gemma3-270m", "transformers", {"quant": "nf4"})
    assert parse_variant("med42-8b-gguf@llamacpp")[1] == "llamacpp"
    with pytest.raises(UserError, match="after @ comes one of"):
        parse_variant("gemma3-270m@gpu")
    with pytest.raises(UserError):
        parse_variant("no-such-model")


@pytest.fixture()
def pool(small_home):
    pytest.importorskip("llama_cpp", reason="the 'gguf' extra is not installed")
    p = ModelPool(Settings.from_env({**os.environ, "MEDASSIST_HOME": str(small_home)}), progress=lambda m: None,
                  budget_gib=100)
    yield p
    p.close()


def test_the_least_recently_used_model_makes_room(pool):
    assert pool.loaded() == {}  # nothing loads until it is used
    with pool.generating("gemma3-270m"):
        pass
    first = pool.loaded()["gemma3-270m"]
    assert 0.2 < first < 2.0  # measured from the weights in memory
    pool.budget_gib = first + 0.1  # the GGUF (~0.25 GiB) would not fit beside it
    with pool.generating("gemma3-270m@llamacpp") as a:
        answer = a.ask("Who should be screened for lung cancer?")
        assert answer.text.strip() and answer.sentences and answer.passages and answer.disclaimer
    assert pool.evicted == ["gemma3-270m"] and list(pool.loaded()) == ["gemma3-270m@llamacpp"]


def test_one_generation_at_a_time_and_a_bounded_queue(pool):
    pool.max_waiting = 1
    holding, release, order = threading.Event(), threading.Event(), []

    def long_generation():
        with pool.generating("gemma3-270m@llamacpp"):
            holding.set()
            release.wait(30)
            order.append("first")

    def waiter():
        with pool.generating("gemma3-270m@llamacpp"):
            order.append("second")

    t1 = threading.Thread(target=long_generation)
    t1.start()
    holding.wait(60)
    t2 = threading.Thread(target=waiter)
    t2.start()
    deadline = time.monotonic() + 30  # wait until the second request is queued behind the first ...
    while pool.waiting("gemma3-270m@llamacpp") < 1:
        assert time.monotonic() < deadline, "the second request never queued"
        time.sleep(0.01)
    with (pytest.raises(UserError, match="busy: 1 requests are already waiting"),
          pool.generating("gemma3-270m@llamacpp")):  # ... and a third is turned away
        pass
    release.set()
    t1.join()
    t2.join()
    assert order == ["first", "second"]
