"""One lock for building models and importing torch in this process (no imports of its own: everything may use it).

One torch model is built at a time in a process. transformers builds a model's skeleton on the meta
device by patching torch process-wide while it loads; a model built meanwhile in another thread (the
embedder, which loads in the background while the answering model loads) came out with meta tensors
("Tensor.item() cannot be called on meta tensors" at its first query). torch is also imported under it:
a second thread once saw it half-initialised ("partially initialized module 'torch' has no attribute 'cuda'").
"""
from __future__ import annotations

import threading

LOAD_LOCK = threading.RLock()
