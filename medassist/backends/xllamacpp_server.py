"""Runs in the child process of the xllamacpp backend (`xllamacpp_backend.py`): llama.cpp's own server,
locked down (loopback only, a random API key read from stdin, no web UI, no /slots, no CORS), living until
its parent closes the pipe or dies."""
from __future__ import annotations

import json
import os
import sys
import threading
import time


def serve() -> None:
    """Run in the child: read the configuration from stdin, start llama.cpp's server, say where it
    listens on the reply pipe (the original stdout), then live until the parent closes the pipe or dies."""
    reply_fd = os.dup(1)
    os.dup2(2, 1)  # anything llama.cpp prints goes to the log, never into the reply
    parent = os.getppid()
    cfg = json.loads(sys.stdin.readline())

    def reply(doc: dict) -> None:
        os.write(reply_fd, (json.dumps(doc) + "\n").encode())
        os.close(reply_fd)

    def watch_pipe():
        sys.stdin.buffer.read()  # returns at end of file: the parent closed it, or the parent is gone
        os._exit(0)

    def watch_parent():  # a copy of the pipe's write end kept by a forked sibling must not keep us alive
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch_pipe, daemon=True).start()
    threading.Thread(target=watch_parent, daemon=True).start()
    try:
        import xllamacpp as xlc
    except ImportError as exc:
        reply({"error": f"xllamacpp is not installed ({exc})"})
        return
    p = xlc.CommonParams()
    p.model.path = cfg["model"]
    p.model_alias = "medassist"  # the unauthenticated /v1/models answers with this, not the file's path
    p.n_ctx = cfg["n_ctx"]
    p.n_parallel = 1  # one generation at a time per model (the model pool queues the rest)
    p.hostnames = ["127.0.0.1"]
    p.port = cfg["port"]
    p.api_keys = [cfg["api_key"]]
    p.cors_origins = ""  # answered with an empty Access-Control-Allow-Origin: no web page may call it
    p.cors_credentials = False
    p.ui = False
    p.endpoint_slots = p.endpoint_props = p.endpoint_metrics = False
    p.slot_save_path = ""
    p.server_tools = []
    p.cache_prompt = False
    p.verbosity = 2  # warnings and errors, into the log file
    if cfg.get("n_threads"):  # generating: one token at a time
        p.cpuparams.n_threads = cfg["n_threads"]
    if cfg.get("n_threads_batch"):  # reading the prompt: a matrix product that uses more cores well
        p.cpuparams_batch.n_threads = cfg["n_threads_batch"]
    if cfg.get("poll") is not None:
        p.cpuparams.poll = p.cpuparams_batch.poll = cfg["poll"]
    try:
        server = xlc.Server(p)
    except Exception as exc:  # llama.cpp logs why (port taken, unreadable file) before it raises
        reply({"error": str(exc)})
        os._exit(3)
    reply({"address": server.listening_address, "pid": os.getpid(), "version": getattr(xlc, "__version__", "?"),
           "system_info": xlc.get_system_info()})
    threading.Event().wait()
