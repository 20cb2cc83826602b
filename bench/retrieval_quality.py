"""Retrieval quality on the starter library, at the grain of the promise: does a passage that
states the answer reach the model? Today's chunker and version 1 are measured in the same run.

The labelled sets hold clinician-style questions, each with the guidelines that answer it (`relevant`)
and the answer-bearing statements (`answers`): `dev` (guidelines_index/ngc-public-questions.jsonl,
the ranking was tuned on it) and `heldout` (heldout-questions.jsonl, written independently and never
tuned on). Figures are printed for each set.
  passage hit@1, hit@5  share of questions whose first / top-5 passages include one stating the answer
  passage MRR           1 / rank of the first such passage among the top 10 (0 if none)
  doc recall@5, MRR     as before: relevant guidelines among the first 5 documents retrieved

Targets (issue 12): passage hit@5 >= 0.90, hit@1 >= 0.60, document recall@5 >= 0.98.

    python bench/retrieval_quality.py             # indexes the 115 guidelines twice (v1 and today) in a temp dir
    python bench/retrieval_quality.py --index DIR # today's chunker only, on an existing index (and only
                                                  # the questions whose guidelines it holds)
    python bench/retrieval_quality.py --ablation  # also: which ranking step moves hit@1
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from labels import MIRROR, QUESTION_SETS, questions, states

TARGETS = {"passage_hit@5": 0.90, "passage_hit@1": 0.60, "doc_recall@5": 0.98}


def doc_ranking(passages) -> list[str]:
    return list(dict.fromkeys(p.document_id for p in passages))


def evaluate(retriever, items: list[dict], mode: str, label: str, k: int = 10) -> dict:
    recall = doc_mrr = hit1 = hit5 = p_mrr = 0.0
    misses = []
    started = time.perf_counter()
    for q in items:
        passages = retriever.search(q["question"], k=k, mode=mode)
        docs = doc_ranking(passages)
        relevant = set(q["relevant"])
        recall += len(relevant & set(docs[:5])) / len(relevant)
        rank = next((i for i, d in enumerate(docs, 1) if d in relevant), None)
        doc_mrr += 1 / rank if rank else 0.0
        first = next((i for i, p in enumerate(passages, 1) if states(p.text, q["answers"])), None)
        hit1 += first == 1
        hit5 += bool(first and first <= 5)
        p_mrr += 1 / first if first else 0.0
        if not first or first > 1:
            misses.append({"id": q["id"], "question": q["question"], "answer_rank": first,
                           "top": [(p.document_id, p.section.rsplit(" › ", 1)[-1][:40], p.text[:80])
                                   for p in passages[:3]]})
    n = len(items)
    return {"chunker": label, "mode": mode, "passage_hit@1": hit1 / n, "passage_hit@5": hit5 / n,
            "passage_mrr": p_mrr / n, "doc_recall@5": recall / n, "doc_mrr": doc_mrr / n,
            "ms_per_query": 1000 * (time.perf_counter() - started) / n, "misses": misses}


def build(index: Path, legacy: bool, embedder) -> dict:
    from medassist.retrieval import build_index

    started = time.perf_counter()
    if legacy:
        from legacy_chunking import legacy_chunker

        with legacy_chunker():
            report = build_index([MIRROR], index, embedder=embedder)
    else:
        report = build_index([MIRROR], index, embedder=embedder)
    return {"chunks": report.chunks_added, "seconds": time.perf_counter() - started}


def main() -> int:
    from medassist.retrieval import Ranking, Retriever
    from medassist.retrieval.embedder import Embedder

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", help="an existing index built by today's chunker (skips the comparison)")
    ap.add_argument("--ablation", action="store_true", help="toggle each ranking step on today's index")
    ap.add_argument("--work", help="keep the two indexes in this folder and reuse them on the next run")
    ap.add_argument("--questions", choices=[*QUESTION_SETS, "all"], default="all",
                    help="which labelled set: dev (ranking was tuned on it), heldout (never tuned on), all (default)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()
    sets = list(QUESTION_SETS) if args.questions == "all" else [args.questions]
    items = [{**q, "set": which} for which in sets for q in questions(which) if q.get("answers")]
    embedder = Embedder()
    tmp = tempfile.TemporaryDirectory()
    builds, results = {}, []
    if args.index:
        indexes = {"today": Path(args.index)}
        indexed = {r.document_id for r in Retriever(args.index, embedder, reranker=None).documents()}
        items = [q for q in items if set(q["relevant"]) <= indexed]  # a partial index: its own questions
    else:
        work = Path(args.work) if args.work else Path(tmp.name)
        indexes = {"v1": work / "v1", "today": work / "today"}
        for label, path in indexes.items():
            if args.work and path.exists():
                continue
            print(f"Indexing {MIRROR} with the {label} chunker ...", file=sys.stderr)
            builds[label] = build(path, label == "v1", embedder)
    groups = {which: [q for q in items if q["set"] == which] for which in sets}
    groups = {which: qs for which, qs in groups.items() if qs}

    def run(retriever, mode: str, label: str, shown: str | None = None) -> None:
        for which, qs in groups.items():
            results.append({**evaluate(retriever, qs, mode, label), "mode": shown or mode, "set": which})

    if "v1" in indexes:
        from legacy_chunking import legacy_chunker

        with legacy_chunker():  # version 1 as it shipped: its chunks, its ranking
            v1 = Retriever(indexes["v1"], embedder, reranker=None, ranking=Ranking.v1())
            for mode in ("bm25", "dense", "hybrid"):
                run(v1, mode, "v1")
    today = Retriever(indexes["today"], embedder, reranker=None)
    for mode in ("bm25", "dense", "hybrid"):
        run(today, mode, "today")
    reranking = Retriever(indexes["today"], embedder)
    if reranking.reranker() is not None:
        run(reranking, "hybrid", "today", "hybrid+rerank")
    if args.ablation:
        base = Ranking()
        for name in ("expand_abbreviations", "statement_prior", "diversify", "depth"):
            off = replace(base, **{name: Ranking.v1().__dict__[name] if name == "depth"
                                   else type(getattr(base, name))()})
            run(Retriever(indexes["today"], embedder, reranker=None, ranking=off), "hybrid", "today",
                f"hybrid without {name}")
    note = reranking.notes[0] if reranking.notes else ""
    if builds and "v1" in builds:
        builds["ratio_today_to_v1"] = builds["today"]["seconds"] / builds["v1"]["seconds"]
    out = {"questions": {which: len(qs) for which, qs in groups.items()},
           "guidelines": len({d for q in items for d in q["relevant"]}),
           "targets": TARGETS, "indexing": builds, "results": results, "note": note}
    tmp.cleanup()
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    counts = ", ".join(f"{n} {which}" for which, n in out["questions"].items())
    print(f"labelled questions: {counts}, over {out['guidelines']} guidelines; a passage hit is a "
          "passage holding an answer-bearing statement whole")
    print(f"{'set':<9}{'chunker':<8}{'mode':<32}{'hit@1':>7}{'hit@5':>7}{'MRR':>7}{'doc R@5':>9}{'doc MRR':>9}"
          f"{'ms/q':>7}")
    for r in sorted(results, key=lambda r: list(groups).index(r["set"])):
        print(f"{r['set']:<9}{r['chunker']:<8}{r['mode']:<32}{r['passage_hit@1']:>7.3f}{r['passage_hit@5']:>7.3f}"
              f"{r['passage_mrr']:>7.3f}{r['doc_recall@5']:>9.3f}{r['doc_mrr']:>9.3f}{r['ms_per_query']:>7.1f}")
    for which in groups:
        best = next(r for r in results if r["chunker"] == "today" and r["mode"] == "hybrid" and r["set"] == which)
        verdict = ", ".join(f"{k} {best[k]:.3f} {'meets' if best[k] >= v else 'MISSES'} {v}"
                            for k, v in TARGETS.items())
        print(f"{which}, today, hybrid (the default): {verdict}")
    for label, b in builds.items():
        if isinstance(b, dict):
            print(f"indexing with the {label} chunker: {b['chunks']} chunks in {b['seconds']:.1f} s")
    if "ratio_today_to_v1" in builds:
        print(f"indexing time today / v1, same run: {builds['ratio_today_to_v1']:.2f} (goal <= 1.2)")
    if note:
        print(note)
    if args.show_misses:
        print("\ntoday, hybrid: questions whose first passage does not state the answer")
        for m in (m for r in results if r["chunker"] == "today" and r["mode"] == "hybrid" for m in r["misses"]):
            print(f"  {m['id']} rank {m['answer_rank']}: {m['question'][:90]}")
            for top in m["top"]:
                print(f"      {top}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
