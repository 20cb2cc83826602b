"""The whole path, measured where the user meets it: `ask` end to end with the default model, on
labelled questions with the facts a correct answer states and the tempting wrong facts.

For each question with `facts` (dev: guidelines_index/ngc-public-questions.jsonl; heldout:
heldout-questions.jsonl, never tuned on), today's
medassist and version 1 (its chunker, its ranking, its similarity check, no quotes) answer with the
same model in the same run. Reported:
  lead states the answer   the guideline sentence quoted first holds an answer-bearing statement
  answer states it         the model's answer matches every fact pattern
  states a wrong fact      a sentence of the answer matches a known wrong fact
  wrong fact supported     such a sentence left marked supported by the check   (must be 0)

    python bench/whole_path.py [--questions dev|heldout|all] [--limit N] [--work DIR] [--json]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from labels import MIRROR, QUESTION_SETS, matches, questions, states, states_wrong


def build(work: Path, embedder) -> dict[str, Path]:
    from legacy_chunking import legacy_chunker

    from medassist.retrieval import build_index

    paths = {"v1": work / "v1", "today": work / "today"}
    if not paths["v1"].exists():
        with legacy_chunker():
            build_index([MIRROR], paths["v1"], embedder=embedder)
    if not paths["today"].exists():
        build_index([MIRROR], paths["today"], embedder=embedder)
    return paths


def answer_v1(assistant, retriever, question: str, max_new: int):
    """Version 1's path: its passages, the same prompt format and model, its similarity check."""
    from legacy_chunking import legacy_chunker
    from legacy_grounding import check_support

    from medassist.prompts import build_prompt
    from medassist.types import GenerationSettings

    with legacy_chunker():
        passages = retriever.search(question, 5)
    backend = assistant.backend()
    built = build_prompt(assistant.spec, question, passages, backend.count_tokens, max_new,
                         context_length=assistant.context_length)
    text = backend.generate(built.text, GenerationSettings(max_new_tokens=max_new, stop=built.stop)).strip()
    checked = check_support(text, built.passages, retriever.embed)
    return text, [(s.text, s.supported) for s in checked], []


def answer_today(assistant, question: str, max_new: int):
    from medassist.types import GenerationSettings

    a = assistant.ask(question, gen=GenerationSettings(max_new_tokens=max_new))
    return a.text, [(s.text, s.verdict == "supported") for s in a.sentences], a.quotes


def score(q: dict, text: str, sentences: list[tuple[str, bool]], quotes) -> dict:
    wrong = q.get("wrong") or []
    bad = [(s, ok) for s, ok in sentences if states_wrong(s, wrong)]
    return {"lead_states_answer": any(states(x.text, q["answers"]) or matches(x.text, q["facts"]) for x in quotes),
            "answer_states_it": matches(text, q["facts"]), "states_wrong_fact": bool(bad),
            "wrong_fact_supported": any(ok for _, ok in bad)}


def main() -> int:
    from medassist.assistant import Assistant
    from medassist.retrieval import Ranking, Retriever
    from medassist.retrieval.embedder import Embedder
    from medassist.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=0, help="at most this many questions of each set (default all)")
    ap.add_argument("--questions", choices=[*QUESTION_SETS, "all"], default="all",
                    help="dev (the ranking and verifier were tuned on it), heldout (never tuned on), all (default)")
    ap.add_argument("--max-new-tokens", type=int, default=120)
    ap.add_argument("--work", help="keep the two indexes here and reuse them")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show", action="store_true", help="print each question's answers")
    args = ap.parse_args()
    sets = list(QUESTION_SETS) if args.questions == "all" else [args.questions]
    items = [{**q, "set": which} for which in sets
             for q in [q for q in questions(which) if q.get("facts")][: args.limit or None]]
    embedder = Embedder()
    tmp = tempfile.TemporaryDirectory()
    work = Path(args.work) if args.work else Path(tmp.name)
    print(f"Indexing into {work} (v1 and today's chunker) ...", file=sys.stderr)
    paths = build(work, embedder)
    settings = Settings.from_env()
    settings = Settings(home=work / "home", cache=settings.cache, mirror=None)
    today = Assistant(settings, retriever=Retriever(paths["today"], embedder), record_history=False,
                      progress=lambda m: print(m, file=sys.stderr), accept_licence=True)
    v1_retriever = Retriever(paths["v1"], embedder, reranker=None, ranking=Ranking.v1())
    rows = []
    started = time.perf_counter()
    for n, q in enumerate(items, 1):
        t_text, t_sent, t_quotes = answer_today(today, q["question"], args.max_new_tokens)
        v_text, v_sent, _ = answer_v1(today, v1_retriever, q["question"], args.max_new_tokens)
        rows.append({"id": q["id"], "set": q["set"], "question": q["question"],
                     "today": score(q, t_text, t_sent, t_quotes),
                     "v1": score(q, v_text, v_sent, []), "today_answer": t_text, "v1_answer": v_text,
                     "today_quotes": [x.text for x in t_quotes]})
        print(f"  {n}/{len(items)} {q['id']} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    summary: dict = {}
    for which in sets:
        mine = [r for r in rows if r["set"] == which]
        summary[which] = {system: {k: sum(r[system][k] for r in mine) for k in rows[0][system]}
                          for system in ("v1", "today")}
        summary[which]["questions"] = len(mine)
    out = {"questions": len(rows), "model": today.spec.id, "summary": summary, "rows": rows}
    tmp.cleanup()
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    print(f"{len(rows)} labelled questions, {today.spec.id}, {args.max_new_tokens} new tokens; v1 = its chunker, "
          "ranking and similarity check (no quotes); today = medassist as shipped")
    print(f"{'':<28}" + "".join(f"{f'{w} v1':>14}{f'{w} today':>16}" for w in sets))
    for key, label in (("lead_states_answer", "lead states the answer"), ("answer_states_it", "answer states it"),
                       ("states_wrong_fact", "states a wrong fact"), ("wrong_fact_supported", "wrong fact supported")):
        cells = ""
        for w in sets:
            n, v, t = summary[w]["questions"], summary[w]["v1"][key], summary[w]["today"][key]
            cells += f"{'—' if key == 'lead_states_answer' else f'{v}/{n}':>14}{f'{t}/{n}':>16}"
        print(f"{label:<28}{cells}")
    missed = sum(summary[w]["today"]["wrong_fact_supported"] for w in sets)
    print("goal: wrong fact supported = 0 " + ("(met)" if missed == 0 else "(MISSED)"))
    if args.show:
        for r in rows:
            print(f"\n{r['id']} {r['question']}\n  today: {r['today_answer'][:300]}\n  v1:    {r['v1_answer'][:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
