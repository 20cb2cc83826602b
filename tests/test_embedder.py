"""The embedder's bfloat16 path gives the same embeddings as float32, on real guideline text."""
import numpy as np

from medassist.retrieval.chunking import chunk_document
from medassist.retrieval.documents import read_ngc_xml
from medassist.retrieval.embedder import Embedder

from .conftest import MIRROR


def test_bf16_embeddings_match_fp32():
    texts = [p.text for p in chunk_document(read_ngc_xml(MIRROR / "ngc-10192.xml"))][:40]
    fp32 = Embedder(dtype="fp32").embed(texts)
    bf16 = Embedder(dtype="bf16").embed(texts)
    assert fp32.shape == bf16.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(bf16, axis=1), 1, atol=1e-3)
    cosines = (fp32 * bf16).sum(axis=1)
    assert cosines.min() > 0.99
    # and the same neighbours: each passage's nearest other passage agrees
    def nearest(e):
        sims = e @ e.T
        np.fill_diagonal(sims, -1)
        return sims.argmax(axis=1)
    assert (nearest(fp32) == nearest(bf16)).mean() > 0.9
