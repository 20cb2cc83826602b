"""The web UI with logins (the LAN mode), running for real (`medassist ui --auth-file`, the default
model), driven over HTTP by gradio_client as two users: each sees only their own history, the page
configuration holds neither anyone's questions nor the server's paths, and the lock message speaks to a
web user. The administrator's export of every user's entries stays on the command line."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from . import docmaker
from .conftest import free_port, run_cli, served

pytestmark = pytest.mark.slow  # the default model answers two questions
gradio_client = pytest.importorskip("gradio_client", reason="the UI tests need gradio_client (dev extra)")

USERS = {"alice": "alice-long-password", "bob": "bob-long-password"}
CAROL = "Carol's patient, Mrs Example born 1950: does she need a bone density scan?"  # asked before start-up
ALICE = "Who should be screened for lung cancer?"
BOB = "Which men need an ultrasound for abdominal aortic aneurysm?"


@pytest.fixture(scope="module")
def lan(tmp_path_factory, small_home):
    from medassist.history import History

    home = tmp_path_factory.mktemp("lanhome")
    shutil.copytree(small_home, home, dirs_exist_ok=True)
    History(home / "history.sqlite3").record(
        {"question": CAROL, "model": "gemma3-270m", "sources": [], "answer": "Yes.", "timings": {}}, user="carol")
    auth = home.parent / "users.txt"
    auth.write_text("".join(f"{u}:{p}\n" for u, p in USERS.items()))
    port = free_port()
    cmd = [str(Path(sys.executable).parent / "medassist"), "--home", str(home), "ui", "--port", str(port),
           "--auth-file", str(auth), "--model", "gemma3-270m"]
    with served(cmd, port, tmp_path_factory.mktemp("log") / "ui.log", seconds=180):
        yield f"http://127.0.0.1:{port}/", home, small_home


def login(url: str, user: str):
    return gradio_client.Client(url, auth=(user, USERS[user]), verbose=False)


def test_each_login_sees_only_its_own_history_and_the_cli_exports_everyone(lan):
    url, home, _ = lan
    alice, bob = login(url, "alice"), login(url, "bob")
    alice.predict(ALICE, "gemma3-270m", 2, 16, "", "", "", api_name="/ask")
    bob.predict(BOB, "gemma3-270m", 2, 16, "", "", "", api_name="/ask")
    mine = {name: [row[3] for row in client.predict("", api_name="/history")["data"]]
            for name, client in (("alice", alice), ("bob", bob))}
    assert mine == {"alice": [ALICE], "bob": [BOB]}
    bob_entry = bob.predict("", api_name="/history")["data"][0][0]
    assert "aortic aneurysm" in bob.predict(bob_entry, api_name="/history_entry")
    assert "No history entry" in alice.predict(bob_entry, api_name="/history_entry")  # not even by its id
    assert not alice.predict("Mrs Example", api_name="/history")["data"]  # nor by searching for it
    res = run_cli("history", "export", home=home)  # the administrator sees everyone's, with who asked
    assert res.returncode == 0, res.stderr
    assert {(d["user"], d["question"]) for d in map(json.loads, res.stdout.splitlines())} == {
        ("carol", CAROL), ("alice", ALICE), ("bob", BOB)}
    assert "alice" in run_cli("history", "list", "--user", "alice", home=home).stdout


def test_the_page_configuration_holds_no_question_and_no_server_path(lan):
    url, home, built_in = lan
    config = json.dumps(login(url, "alice").config)
    assert "Mrs Example" not in config  # history asked before the server started
    assert str(home) not in config and str(built_in) not in config  # no source file's absolute path


def test_a_busy_index_tells_a_web_user_what_to_do_not_a_command_line_flag(lan, tmp_path):
    from medassist.retrieval.embedder import DEFAULT_EMBEDDER
    from medassist.retrieval.store import GuidelineIndex

    url, home, _ = lan
    upload = docmaker.markdown(tmp_path / "ward-pathway.md")
    alice = login(url, "alice")
    writer = GuidelineIndex.open(home / "index", DEFAULT_EMBEDDER).writer()  # another writer, e.g. `index add`
    with writer, pytest.raises(Exception, match="Another medassist process") as refused:
        alice.predict([gradio_client.handle_file(str(upload))], api_name="/add_documents")
    message = str(refused.value)
    assert "--wait" not in message and "try again" in message and str(home) not in message
