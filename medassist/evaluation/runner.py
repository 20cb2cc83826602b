"""Run models over benchmark tasks; every finished item is on disk at once, so a killed run resumes.

    out/<model>/<task>.<protocol label>.jsonl   one line per item: id, prompt hash, scores per option,
                                               prediction, gold, correct (+ generated text, kinki)
    out/summary.json, out/report.md, out/report.png

An item is reused on resume only when its prompt hash matches: change the protocol or the data,
and it is scored again rather than mixed with stale results.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..types import GenerationSettings
from .igaku import answers_of, mark, number_in, rule_sets, score_exams, select_asked, why_rules_differ
from .items import Item, LoadReport, Task, load_task
from .prompting import Protocol, build, choose_shots
from .scoring import extract_letters, predict_loglik, summarise


@dataclass
class Job:
    models: list[str]
    tasks: list[Task]
    protocol: Protocol
    data: Path
    out: Path
    limit: int | None = None
    include_images: bool = False
    engine: str | None = None
    backend_options: dict = field(default_factory=dict)
    pass_marks: dict | None = None


def score_options(backend, context: str, continuations: list[str]) -> list[float]:
    """All options of a question in one batched forward pass where the backend can, else one by one."""
    many = getattr(backend, "loglikelihood_many", None)
    if many is not None:
        return list(many(context, continuations))
    return [backend.loglikelihood(context, c) for c in continuations]


def _read_done(path: Path) -> dict[str, dict]:
    done: dict[str, dict] = {}
    if not path.exists():
        return done
    with open(path, "rb+") as f:
        good = 0
        for line in f:
            try:
                row = json.loads(line)
            except ValueError:  # a line cut short by a kill: drop it and everything after
                break
            done[row["id"]] = row
            good += len(line)
        f.truncate(good)
    return done


def check_loglik(backend, spec_id: str) -> None:
    try:
        backend.loglikelihood("Question: 1+1?\nAnswer:", " 2")
    except (UserError, NotImplementedError, AttributeError) as exc:
        raise UserError(f"{spec_id} cannot score log-likelihoods here ({exc}). Run with --mode generate, which "
                        "reads the chosen letter from generated text.") from None


def run_item(backend, item: Item, protocol: Protocol, shots: list[Item], passages, chat_wrap, stops) -> dict:
    prompt = build(item, protocol, shots, passages, chat_wrap)
    row: dict[str, Any] = {"id": item.id, "prompt_hash": prompt.hash, "gold": list(item.answer),
                           "subject": item.subject}
    if item.exam:
        row.update(exam=item.exam, points=item.points)
    started = time.perf_counter()
    pred: list[str] | None
    if protocol.mode == "loglik":
        letters = list(prompt.continuations)
        values = score_options(backend, prompt.text, [prompt.continuations[k] for k in letters])
        scores = dict(zip(letters, values))
        lengths = {k: len(prompt.continuations[k].strip()) for k in letters}
        pred = predict_loglik(scores, lengths, len(item.answer), normalise=False)
        pred_norm = predict_loglik(scores, lengths, len(item.answer), normalise=True)
        row.update(scores={k: round(v, 5) for k, v in scores.items()}, prediction=pred,
                   prediction_norm=pred_norm, correct_norm=set(pred_norm) == set(item.answer))
    else:
        text = backend.generate(prompt.text, GenerationSettings(max_new_tokens=protocol.max_new_tokens,
                                                                temperature=0.0, stop=stops))
        if item.numeric:  # IgakuQA numeric entry: the first number written
            value = number_in(text)
            pred = None if value is None else [format(value, "f")]
        else:
            pred = extract_letters(text, list(item.options), item.options)
        row.update(generated=text, prediction=pred)
    if item.exam:  # IgakuQA: alternatives, numbers by value and rulings, as the exam marks them
        row["correct"] = mark(item, ",".join(pred) if pred else None, rule_sets()["medassist"])[0]
    else:
        row["correct"] = pred is not None and set(pred) == set(item.answer)
    if item.kinki:
        row["kinki_picked"] = len(set(pred or []) & set(item.kinki))
    if passages:
        row["passages"] = [p.chunk_id for p in passages]
    row["seconds"] = round(time.perf_counter() - started, 4)
    return row


def _chat_wrap(spec, protocol: Protocol):
    if not protocol.chat:
        return None
    if spec.prompt_format != "llama3-chat":
        raise UserError(f"{spec.id} is a base model with no chat template; drop --chat.")
    from ..prompts.formats import llama3_chat

    return lambda text: llama3_chat([("user", text)])


@dataclass
class Loaded:
    """A task's questions: all of them (the exam's denominator), those asked, and why others were not."""

    items: list[Item]
    asked: list[Item]
    skipped: dict[str, str]
    report: LoadReport
    available: int  # questions a run without --limit would ask


def load_for_run(task: Task, job: Job, progress: Callable[[str], None]) -> Loaded:
    report = LoadReport()
    items = load_task(task, job.data, include_images=True, report=report)
    asked, skipped = select_asked(items, job.include_images, job.protocol.mode)
    if not asked:
        raise UserError(f"{task.name}: none of the {len(items)} questions under {job.data} can be asked "
                        f"({len(skipped)} need an image or a typed number; try --include-images or --mode generate).")
    loaded = Loaded(items, asked[: job.limit] if job.limit else asked, skipped, report, len(asked))
    for line in load_lines(task.name, loaded):
        progress(line)
    return loaded


def load_lines(task: str, loaded: Loaded) -> list[str]:
    """What was loaded, per exam year for IgakuQA, and every item skipped with its reason."""
    lines = []
    if task == "igakuqa":
        asked = {i.id for i in loaded.asked}
        by_exam: dict[str, list[Item]] = {}
        for item in loaded.items:
            by_exam.setdefault(item.exam[:3], []).append(item)
        for exam, items in sorted(by_exam.items()):
            image = sum(loaded.skipped.get(i.id) == "image" for i in items)
            numeric = sum(loaded.skipped.get(i.id) == "numeric" for i in items)
            typed = sum(i.numeric and i.id in asked for i in items)
            lines.append(f"  igakuqa {exam}: {len(items)} questions loaded in blocks "
                         f"{''.join(sorted(loaded.report.blocks.get(exam, ())))}; asking "
                         f"{sum(i.id in asked for i in items)} ({typed} numeric entry); skipped {image} with images"
                         f", {numeric} numeric entry (scored as blank); "
                         f"{loaded.report.unreadable.get(exam, 0)} unreadable")
    elif loaded.report.unreadable:
        lines.append(f"  {task}: {len(loaded.items)} items loaded, {sum(loaded.report.unreadable.values())} skipped")
    lines += [f"  {task}: {p}" for p in loaded.report.problems]
    return lines


def igakuqa_results(loaded: Loaded, answered: dict[str, str | None], marks) -> dict:
    """Both rule sets' exam tables and the questions on which they disagree."""
    rules = rule_sets()
    report = loaded.report
    out: dict[str, Any] = {f"exams{suffix}": score_exams(loaded.items, answered, rules[name], loaded.skipped,
                                                         report.unreadable, report.blocks, marks)
           for name, suffix in (("medassist", ""), ("reference", "_reference"))}
    differ = []
    for item in loaded.items:
        if item.id in answered:
            ours, ref = (mark(item, answered[item.id], rules[n])[0] for n in ("medassist", "reference"))
            if ours != ref:
                differ.append({"id": item.id, "answer": answered[item.id], "medassist": ours, "reference": ref,
                               "why": why_rules_differ(item, answered[item.id], rules)})
    out["rule_differences"] = differ
    out["load_problems"] = list(report.problems)
    return out


def evaluate(job: Job, settings, progress: Callable[[str], None] = print, accept_licence: bool = False) -> dict:
    from ..assistant import Assistant

    loaded = {task.name: load_for_run(task, job, progress) for task in job.tasks}
    protocols = [replace(job.protocol, rag=False)]
    if job.protocol.rag:  # the report shows the change against the same run without the library
        protocols.append(job.protocol)
    results = []
    for model_id in job.models:
        assistant = Assistant(settings, model=model_id, engine=job.engine, backend_options=job.backend_options,
                              record_history=False, progress=progress, accept_licence=accept_licence)
        if job.protocol.rag:
            assistant.retriever.check()
            # The embedder built to the end before any language model loads: built while transformers was
            # loading the scoring model, it came out with its weights on the meta device
            assistant.retriever.embedder.loaded()
        backend = assistant.backend()
        if job.protocol.mode == "loglik":
            check_loglik(backend, model_id)
        chat_wrap = _chat_wrap(assistant.spec, job.protocol)
        stops = ("\n",) if not chat_wrap else ("<|eot_id|>", "<|end_of_text|>")
        for task in job.tasks:
            items = loaded[task.name].asked
            for protocol in protocols:
                rows = _run_task(job, backend, assistant, model_id, task, items, protocol, chat_wrap, stops, progress)
                summary = summarise(rows, protocol.seed)
                summary.update(model=model_id, task=task.name, protocol=protocol.label(), **protocol.to_dict())
                summary["items_available"] = loaded[task.name].available
                seconds = sum(r.get("seconds", 0) for r in rows)
                summary["items_per_second"] = round(len(rows) / seconds, 3) if seconds else None
                if task.name == "igakuqa":
                    summary.update(igakuqa_results(loaded[task.name], answers_of(rows), job.pass_marks))
                results.append(summary)
        assistant.close()
    _add_rag_deltas(results)
    return {"schema": "medassist.eval/1", "results": results}


def _run_task(job, backend, assistant, model_id, task, items, protocol, chat_wrap, stops, progress) -> list[dict]:
    path = job.out / model_id / f"{task.name}.{protocol.label()}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    done = _read_done(path)
    rows, reused = [], 0
    started, computed = time.perf_counter(), 0
    with open(path, "a", encoding="utf-8") as out:
        for n, item in enumerate(items, 1):
            shots = choose_shots(items, item, protocol.shots, protocol.seed)
            passages = assistant.retriever.search(item.question, protocol.k) if protocol.rag else None
            prev = done.get(item.id)
            if prev is not None and prev.get("prompt_hash") == build(item, protocol, shots, passages, chat_wrap).hash:
                rows.append(prev)
                reused += 1
                continue
            row = run_item(backend, item, protocol, shots, passages, chat_wrap, stops)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
            rows.append(row)
            computed += 1
            if n % 25 == 0 or n == len(items):
                rate = computed / max(1e-9, time.perf_counter() - started)
                progress(f"  {model_id} {task.name} {protocol.label()}: {n}/{len(items)} items ({rate:.2f}/s)")
    if reused:
        progress(f"  {model_id} {task.name} {protocol.label()}: resumed, {reused} finished items reused.")
    # one row per item, in item order, even if the file held items this run does not ask for
    by_id = {r["id"]: r for r in rows}
    return [by_id[i.id] for i in items if i.id in by_id]


def _add_rag_deltas(results: list[dict]) -> None:
    plain = {(r["model"], r["task"]): r for r in results if not r["rag"]}
    for r in results:
        base = plain.get((r["model"], r["task"])) if r["rag"] else None
        if base:
            r["delta_vs_no_rag"] = r["accuracy"] - base["accuracy"]
