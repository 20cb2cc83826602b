"""`make hostile` (tests/hostile.py): every hostile case runs through the real CLI and ends with no
traceback, no hang, no lost document and the outcome its fix promised."""
import json
import subprocess
import sys

import pytest

from .conftest import REPO
from .hostile import BAD_ARGUMENTS, CASES


def _hostile(*args: str, timeout: int) -> dict:
    res = subprocess.run([sys.executable, "-m", "tests.hostile", "--json", *args], cwd=REPO, capture_output=True,
                         text=True, timeout=timeout)
    report = json.loads(res.stdout)
    problems = [(c["case"], c["problems"], c["lost"], [r["stderr_tail"][-600:] for r in c["runs"]])
                for c in report["cases"] if c["traceback"] or c["hang"] or c["lost"] or c["problems"]]
    assert res.returncode == 0 and report["ok"] and not problems, problems or res.stderr[-2000:]
    return report


def test_bad_arguments_are_refused_with_no_traceback():
    report = _hostile("--only", "args", timeout=300)
    assert [c["case"] for c in report["cases"]] == list(BAD_ARGUMENTS)
    assert report["summary"] == f"{len(BAD_ARGUMENTS)} cases: 0 tracebacks, 0 hangs, 0 lost documents"


@pytest.mark.slow
def test_the_whole_hostile_corpus_shows_no_traceback_hang_or_lost_document():
    report = _hostile(timeout=1800)  # ~5 minutes on two busy cores
    assert [c["case"] for c in report["cases"]] == list(CASES)
    assert report["summary"] == f"{len(CASES)} cases: 0 tracebacks, 0 hangs, 0 lost documents"
