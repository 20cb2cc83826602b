"""A research group's shared library: medassist pointed at a real Chroma server by configuration alone."""
import json
import os
import shutil
import sys

import pytest

from . import docmaker
from .conftest import MIRROR, free_port, run_cli, served

pytestmark = pytest.mark.slow  # starts a Chroma server and ingests into it


@pytest.fixture()
def chroma_server(tmp_path):
    exe = shutil.which("chroma", path=os.path.dirname(sys.executable))
    if exe is None:
        pytest.fail("the chroma CLI (shipped with the chromadb package) is missing")
    port = free_port()
    with served([exe, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
                port, tmp_path / "chroma.log", seconds=60):
        yield f"http://127.0.0.1:{port}"


def test_two_users_share_one_library_on_a_chroma_server(chroma_server, tmp_path):
    folder = tmp_path / "group-library"
    folder.mkdir()
    shutil.copy(MIRROR / "ngc-10192.xml", folder)
    docmaker.pdf(folder / "sepsis.pdf")
    env = {"MEDASSIST_CHROMA_URL": chroma_server}
    alice, bob = tmp_path / "alice", tmp_path / "bob"  # two homes, nothing shared on disk

    before = run_cli("search", "sepsis", home=alice, env=env)
    assert before.returncode != 0 and "index add" in before.stderr  # an empty server says how to start

    added = run_cli("index", "add", str(folder), home=alice, env=env)
    assert added.returncode == 0, added.stderr
    assert not (alice / "index").exists()  # nothing went to Alice's disk

    listed = json.loads(run_cli("index", "list", "--json", home=bob, env=env).stdout)
    assert sorted(d["document_id"] for d in listed) == ["ngc-10192", "sepsis"]
    hits = json.loads(run_cli("search", "how soon antibiotics septic shock", "--json", "--k", "3",
                              home=bob, env=env).stdout)
    assert hits[0]["document_id"] == "sepsis" and hits[0]["page"] == 2

    again = run_cli("index", "add", str(folder), home=bob, env=env)
    assert again.returncode == 0 and "0 chunks added" in again.stdout  # idempotent across users
    assert run_cli("index", "remove", "sepsis", home=bob, env=env).returncode == 0
    listed = json.loads(run_cli("index", "list", "--json", home=alice, env=env).stdout)
    assert [d["document_id"] for d in listed] == ["ngc-10192"]


def test_a_server_that_is_down_gets_a_clear_message(tmp_path):
    res = run_cli("search", "sepsis", home=tmp_path, env={"MEDASSIST_CHROMA_URL": f"http://127.0.0.1:{free_port()}"})
    assert res.returncode == 2 and "Cannot reach the Chroma server" in res.stderr and "chroma run" in res.stderr
    bad = run_cli("search", "sepsis", home=tmp_path, env={"MEDASSIST_CHROMA_URL": "localhost:8000"})
    assert bad.returncode == 2 and "http" in bad.stderr
