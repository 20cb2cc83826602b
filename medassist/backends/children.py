"""Child processes that run this same medassist: an engine's server, a calibration measurement. A crash in
native code (llama.cpp built for CPU features this machine lacks) ends the child, never this process."""
from __future__ import annotations

import signal
import subprocess
from pathlib import Path


def child_code(code: str) -> str:
    """`python -c` code that imports this same medassist: the directory it runs in (first on sys.path
    for -c) might hold another one, or a module that shadows a library."""
    root = str(Path(__file__).resolve().parents[2])
    return f"import sys; sys.path[0] = {root!r}; {code}"


def stop_child(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Close the child's pipe (it exits at once), then make sure: SIGTERM, SIGKILL."""
    try:
        if proc.stdin and not proc.stdin.closed:
            proc.stdin.close()
        proc.wait(timeout=timeout)
    except (subprocess.TimeoutExpired, OSError):
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                proc.send_signal(sig)
                proc.wait(timeout=5)
                return
            except (subprocess.TimeoutExpired, OSError):
                continue
