"""Does the support check catch wrong claims and accept faithful ones? The old similarity check and
today's verifier, on the same claims and the same passages, in one run.

The claim set (guidelines_index/ngc-public-claims.jsonl): recommendation statements of the starter
library, each with a faithful paraphrase and perturbed claims that change one fact (polarity,
population, number, timing, intervention, grade), plus hedges and off-topic sentences. Each claim
is checked against what `ask` would give the model: the top 5 passages retrieved for it, with the
passage holding its statement put in if retrieval missed it. An off-topic sentence is checked
against the passages retrieved for its statement, the topic the answer was about: retrieved for
itself, a true sentence from another guideline finds the passage that states it, and is rightly
supported (dev2's "Sexually active women aged 24 and younger should be screened for chlamydia").
  caught     perturbed, hedge and off-topic claims judged contradicted or not found (target >= 90% per kind)
  supported  faithful paraphrases judged supported (target >= 90%)
Also the time to check a 10-sentence answer against 5 passages (target < 0.3 s on 2 cores), and the
first such check in a fresh process, which loads WordNet for the synonyms (what one `medassist ask` pays).

    python bench/verifier_quality.py [--index DIR] [--passages CACHE.json] [--show-errors KIND]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from labels import CLAIM_SETS, MIRROR, claims

TARGET = 0.90


def query_of(c: dict) -> str:
    return c["statement"] if c["kind"] == "off_topic" else c["claim"]


def cache_key(c: dict) -> str:
    return c["id"] + ("@statement" if c["kind"] == "off_topic" else "")


def passages_for(retriever, items: list[dict], k: int = 5) -> dict[str, list]:
    """cache key -> the k passages the check sees (the statement's own passage always among them)."""
    from medassist.sentences import normalise

    by_doc = {r.document_id: r for r in retriever.documents()}
    own_cache: dict[str, list] = {}
    out = {}
    for c in items:
        hits = retriever.search(query_of(c), k=k)
        record = by_doc.get(c["document"])
        if record is not None and record.document_id not in own_cache:
            own_cache[record.document_id] = retriever.index.document_passages(record.key)
        own = next((p for p in own_cache.get(c["document"], [])
                    if normalise(c["statement"]) in normalise(p.text)), None)
        if own is not None and own.chunk_id not in {h.chunk_id for h in hits}:
            hits = [*hits[:k - 1], own]
        out[cache_key(c)] = hits
    return out


def main() -> int:
    from legacy_grounding import check_support

    from medassist.retrieval import Retriever, build_index
    from medassist.retrieval.embedder import Embedder
    from medassist.types import Passage
    from medassist.verify import check_answer

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", help="an index of the starter library (default: build one in a temp dir)")
    ap.add_argument("--passages", help="cache the retrieved passages in this JSON file (reused when it exists)")
    ap.add_argument("--show-errors", help="print the misjudged claims of this kind (or 'all')")
    ap.add_argument("--claims", choices=[*CLAIM_SETS, "all"], default="all",
                    help="dev (the verifier was tuned on it), heldout (written independently, never tuned on), all")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    sets = list(CLAIM_SETS) if args.claims == "all" else [args.claims]
    items = [{**c, "set": which} for which in sets for c in claims(which)]
    embedder = Embedder()
    cache = Path(args.passages) if args.passages else None
    evidence: dict[str, list] = {}
    if cache and cache.exists():
        stored = json.loads(cache.read_text())
        evidence = {cid: [Passage(**{k: (tuple(map(tuple, v)) if k == "page_spans" else v) for k, v in p.items()})
                          for p in ps] for cid, ps in stored.items()}
    missing = [c for c in items if cache_key(c) not in evidence]
    if missing:
        tmp = tempfile.TemporaryDirectory()
        index = Path(args.index) if args.index else Path(tmp.name) / "index"
        if not args.index:
            print(f"Indexing {MIRROR} ...", file=sys.stderr)
            build_index([MIRROR], index, embedder=embedder)
        evidence.update(passages_for(Retriever(index, embedder, reranker=None), missing))
        if cache:
            cache.write_text(json.dumps({cid: [p.to_dict() for p in ps] for cid, ps in evidence.items()}))
    # Timed before any claim is checked, so no text is in a cache yet: the first check of a fresh process
    # (what one `medassist ask` pays), then 30 answers the process has not seen (the web UI's case).
    cold = time_answers(evidence, items, n=1)["median_s"]
    timing = {**time_answers(evidence, items), "first_in_process_s": cold}
    rows = []
    for c in items:
        passages = evidence[cache_key(c)]
        old = check_support(c["claim"], passages, embedder.embed)
        new = check_answer(c["claim"], passages)
        old_ok = bool(old) and all(s.supported for s in old)
        verdict = new[0].verdict if new else "not_found"
        rows.append({**c, "old": "supported" if old_ok else "not supported", "new": verdict,
                     "reason": new[0].reason if new else "", "evidence": new[0].evidence if new else ""})
    table = [row for which in sets for row in summarise([r for r in rows if r["set"] == which], which)]
    if args.json:
        print(json.dumps({"claims": len(items), "table": table, "timing": timing}, indent=2))
        return 0
    print(f"{len(items)} claims on {len({c['statement'] for c in items})} statements; old = similarity check "
          f"(bench/legacy_grounding.py), new = verifier (medassist/verify), same passages")
    print(f"{'set':<9}{'kind':<14}{'claims':>7}  {'measure':<10}{'old':>7}{'new':>7}{'of which contradicted':>23}"
          "  target 90%")
    for t in table:
        c = "" if t["new_contradicted"] is None else f"{t['new_contradicted']:.1%}"
        print(f"{t['set']:<9}{t['kind']:<14}{t['claims']:>7}  {t['measure']:<10}{t['old']:>7.1%}{t['new']:>7.1%}"
              f"{c:>23}  {'meets' if t['meets'] else 'MISSES'}")
    print(f"check of a 10-sentence answer against 5 passages: median {timing['median_s']:.3f} s, "
          f"p95 {timing['p95_s']:.3f} s over {timing['answers']} answers (target < 0.3 s); the first check in a "
          f"fresh process (loading WordNet): {timing['first_in_process_s']:.3f} s")
    if args.show_errors:
        for r in rows:
            bad = (r["new"] != "supported") if r["kind"] == "faithful" else (r["new"] == "supported")
            if bad and args.show_errors in (r["kind"], "all"):
                print(f"\n[{r['kind']}] {r['id']} -> {r['new']}: {r['reason']}\n  claim:     {r['claim']}\n"
                      f"  statement: {r['statement'][:300]}\n  evidence:  {r['evidence'][:300]}")
    return 0


def summarise(rows: list[dict], which: str) -> list[dict]:
    """Per kind: faithful claims judged supported; every other kind, the share caught (not supported)."""
    table = []
    for kind in dict.fromkeys(r["kind"] for r in rows):
        mine = [r for r in rows if r["kind"] == kind]
        if kind == "faithful":
            old, new = (sum(r[x] == "supported" for r in mine) / len(mine) for x in ("old", "new"))
            contradicted = None
        else:
            old = sum(r["old"] != "supported" for r in mine) / len(mine)
            new = sum(r["new"] != "supported" for r in mine) / len(mine)
            contradicted = sum(r["new"] == "contradicted" for r in mine) / len(mine)
        table.append({"set": which, "kind": kind, "claims": len(mine),
                      "measure": "supported" if kind == "faithful" else "caught", "old": old, "new": new,
                      "new_contradicted": contradicted, "meets": new >= TARGET})
    return table


def time_answers(evidence: dict, items: list[dict], n: int = 30) -> dict:
    """Ten claims of one guideline as one answer, checked against that claim's five passages."""
    from medassist.verify import check_answer

    by_doc: dict[str, list[dict]] = {}
    for c in items:
        by_doc.setdefault(c["document"], []).append(c)
    answers = [cs[:10] for cs in by_doc.values() if len(cs) >= 10][:n]
    times = []
    for cs in answers:
        text = " ".join(c["claim"] for c in cs)
        started = time.perf_counter()
        check_answer(text, evidence[cache_key(cs[0])])
        times.append(time.perf_counter() - started)
    times.sort()
    return {"answers": len(times), "median_s": statistics.median(times) if times else 0.0,
            "p95_s": times[int(0.95 * (len(times) - 1))] if times else 0.0}


if __name__ == "__main__":
    sys.exit(main())
