"""Retrieval quality on the starter library: recall@5 and MRR at document level, per retrieval mode.

The labelled set (guidelines_index/ngc-public-questions.jsonl) holds clinician-style questions, each
with the guideline ids that answer it. For each question we rank documents by the order in which
their passages are retrieved (first passage wins), then:
  recall@5 = |relevant ∩ top-5 documents| / |relevant|, averaged over questions
  MRR      = 1 / rank of the first relevant document (0 if none in the top 10), averaged
  hit@5    = share of questions with a relevant document among the 5 passages a model would see

    python bench/retrieval_quality.py                 # builds an index of the 115 guidelines in a temp dir
    python bench/retrieval_quality.py --index DIR     # or uses an existing one (e.g. ~/.local/share/medassist/index)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
MIRROR = Path(os.environ.get("MEDASSIST_SHARED_DATA", REPO.parent / "shared" / "data")) / "guidelines/ngc-public/raw_xml"


def load_questions() -> list[dict]:
    text = resources.files("guidelines_index").joinpath("ngc-public-questions.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def doc_ranking(passages) -> list[str]:
    return list(dict.fromkeys(p.document_id for p in passages))


def evaluate(retriever, questions, mode: str, depth: int = 30) -> dict:
    recall = mrr = hit = 0.0
    misses = []
    started = time.perf_counter()
    for q in questions:
        passages = retriever.search(q["question"], k=depth, mode=mode)
        docs = doc_ranking(passages)[:10]
        relevant = set(q["relevant"])
        recall += len(relevant & set(docs[:5])) / len(relevant)
        rank = next((i for i, d in enumerate(docs, 1) if d in relevant), None)
        mrr += 1 / rank if rank else 0.0
        hit += bool(relevant & {p.document_id for p in passages[:5]})
        if not rank or rank > 5:
            misses.append((q["id"], q["question"], docs[:3]))
    n = len(questions)
    return {"mode": mode, "recall@5": recall / n, "mrr": mrr / n, "hit@5_passages": hit / n,
            "ms_per_query": 1000 * (time.perf_counter() - started) / n, "misses": misses}


def main() -> int:
    from medassist.retrieval import Retriever, build_index
    from medassist.retrieval.embedder import Embedder

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", help="existing index directory (default: build one in a temp dir)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    questions = load_questions()
    embedder = Embedder()
    tmp = None
    if args.index:
        index = Path(args.index)
    else:
        tmp = tempfile.TemporaryDirectory()
        index = Path(tmp.name) / "index"
        print(f"Indexing {MIRROR} ...", file=sys.stderr)
        build_index([MIRROR], index, embedder=embedder)
    results = [evaluate(Retriever(index, embedder, reranker=None), questions, mode) for mode in ("bm25", "dense", "hybrid")]
    reranking = Retriever(index, embedder)
    if reranking.reranker() is not None:
        r = evaluate(reranking, questions, "hybrid")
        r["mode"] = "hybrid+rerank"
        results.append(r)
    note = reranking.notes[0] if reranking.notes else ""
    if args.json:
        print(json.dumps({"questions": len(questions), "results": results, "note": note}, indent=2))
        return 0
    print(f"{len(questions)} labelled questions, {len({d for q in questions for d in q['relevant']})} guidelines")
    print(f"{'mode':<15}{'recall@5':>10}{'MRR':>8}{'hit@5 passages':>16}{'ms/query':>10}")
    for r in results:
        print(f"{r['mode']:<15}{r['recall@5']:>10.3f}{r['mrr']:>8.3f}{r['hit@5_passages']:>16.3f}{r['ms_per_query']:>10.1f}")
    best = max(results, key=lambda r: (r["mrr"], r["recall@5"]))
    print(f"best: {best['mode']}" + (f"  ({note})" if note else ""))
    if args.show_misses:
        for r in results:
            print(f"\n{r['mode']} misses (not in top 5):")
            for qid, question, docs in r["misses"]:
                print(f"  {qid} {question[:80]} -> {docs}")
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
