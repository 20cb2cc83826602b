"""Shared fixtures: the real shared data, the real embedder, a real Chroma index on disk, the real
default model. Nothing here is faked.

Every test runs in its own temporary home (MEDASSIST_HOME), so none reads another's config, licence
acceptance, history or index, and none writes into the user's own. The model cache (converted
weights, the measured engine choice) is shared: it is re-creatable and costs a minute to make."""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MEDASSIST_SHARED_DATA", REPO.parent / "shared" / "data"))
MIRROR = SHARED / "guidelines" / "ngc-public" / "raw_xml"

# A handful of real guidelines: USPSTF screening for AAA, lung cancer, breast cancer, hypertension
# in children and suicide risk; Washington State's opioid prescribing guideline.
SMALL_LIBRARY = ["ngc-10510", "ngc-10192", "ngc-10904", "ngc-10057", "ngc-10398", "ngc-9597"]

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Tests and CI accept model licences through the environment (a user accepts once, interactively
# or with --accept-licence); tests of the gate itself remove it.
os.environ.setdefault("MEDASSIST_ACCEPT_LICENCES", "all")


@pytest.fixture(autouse=True)
def own_home(tmp_path_factory, monkeypatch) -> Path:
    """A fresh, empty medassist home for this test (subprocesses inherit it through the environment)."""
    home = tmp_path_factory.mktemp("medassist-home")
    monkeypatch.setenv("MEDASSIST_HOME", str(home))
    return home


def pytest_configure(config):
    if not MIRROR.is_dir():
        raise pytest.UsageError(f"The shared data is missing: {MIRROR}. Tests read real guidelines from "
                                "../shared/data (or set MEDASSIST_SHARED_DATA).")


@pytest.fixture(scope="session")
def model_cache() -> Path:
    """The user's real cache: converting the default GGUF takes a minute once, then seconds."""
    from medassist.settings import Settings

    return Settings.from_env().cache


@pytest.fixture(scope="session")
def embedder():
    from medassist.retrieval.embedder import Embedder

    return Embedder()


def small_manifest(ids=SMALL_LIBRARY) -> dict:
    from medassist.retrieval.library import load_manifest

    manifest = load_manifest()
    files = [f for f in manifest["files"] if f["name"].removesuffix(".xml") in ids]
    assert len(files) == len(ids), "a test guideline id is not in the manifest"
    return {**manifest, "files": files}


@pytest.fixture(scope="session")
def small_home_template(tmp_path_factory, embedder) -> Path:
    """A medassist home with six real guidelines pulled and indexed (built once per session; never used
    directly, so nothing a test writes reaches another module)."""
    from medassist.retrieval import build_index
    from medassist.retrieval.library import library_files, pull

    home = tmp_path_factory.mktemp("home")
    report = pull(home / "library", mirror=MIRROR, manifest=small_manifest())
    assert report.ok and len(report.added) == len(SMALL_LIBRARY)
    build_index(library_files(home / "library"), home / "index", embedder=embedder)
    return home


@pytest.fixture(scope="module")
def small_home(small_home_template, tmp_path_factory) -> Path:
    """This module's copy of the small home: a licence accepted or an answer logged in one module (the
    history, config.json) is never seen by another, whatever order they run in."""
    home = tmp_path_factory.mktemp("small") / "home"
    shutil.copytree(small_home_template, home)
    return home


@pytest.fixture()
def home_copy(small_home, tmp_path) -> Path:
    """A private copy of the small home, for tests that write to it."""
    dst = tmp_path / "home"
    shutil.copytree(small_home, dst)
    return dst


@pytest.fixture(scope="session")
def backend(model_cache):
    from medassist.backends import load_backend
    from medassist.catalogue import get_spec

    b = load_backend(get_spec("gemma3-270m"), model_cache, engine="transformers", progress=lambda m: None)
    yield b
    b.close()


def run_cli(*args: str, home: Path | None = None, env: dict | None = None, timeout: int = 600):
    """Run the installed `medassist` console script as a user would."""
    full_env = {**os.environ, **(env or {})}
    if home is not None:
        full_env["MEDASSIST_HOME"] = str(home)
    exe = shutil.which("medassist", path=str(Path(sys.executable).parent)) or "medassist"
    return subprocess.run([exe, *args], capture_output=True, text=True, env=full_env, timeout=timeout)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(cmd: list[str], port: int, log_path: Path, seconds: float = 120):
    """Run a real server (its output to a file: a full pipe would stall it) until it accepts connections."""
    import socket
    import time

    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + seconds
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        pytest.fail(f"{cmd[0]} did not start; its log: {log_path.read_text()[-1500:]}")
                    time.sleep(0.2)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
