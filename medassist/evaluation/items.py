"""Benchmark items and the loaders that read each published format into them.

    MIRAGE JSON   {task: {id: {question, options{A..}, answer}}}     medqa, medmcqa, pubmedqa (PubMedQA*),
                  one file per task or benchmark.json with all five     mmlu (MMLU-Med), bioasq (BioASQ-Y/N)
    MedQA JSONL   {question, options{A..E}, answer_idx, meta_info}    4 or 5 options, as published
    MedMCQA JSONL {id, question, opa..opd, cop (1-based), subject_name}
    PubMedQA      ori_pqal.json + test_ground_truth.json              pubmedqa-rc: abstract as context
    IgakuQA       NNN-X.jsonl (+ _metadata.jsonl), see igakuqa_load.py Japanese, a-e, several correct letters

Every error names the file, the line (for JSON Lines) and the missing field, and says what to do.
MIRAGE and IgakuQA files skip a bad item, record why in a LoadReport and go on with the rest.
"""
from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    options: dict[str, str]  # letter -> option text, in the order shown: {"A": "...", "B": "..."}
    answer: tuple[str, ...]  # correct letter(s); IgakuQA items may need several, all of them
    subject: str = ""  # per-subject breakdown key (MedMCQA subject, MedQA step, IgakuQA category)
    context: str = ""  # text the question is about (PubMedQA-rc: the abstract)
    points: int = 1  # IgakuQA: 1 or 3
    exam: str = ""  # IgakuQA: the block, e.g. "112-A"
    kinki: tuple[str, ...] = ()  # IgakuQA: prohibited choices (禁忌肢)
    text_only: bool = True  # IgakuQA: False when the question needs an image
    source: str = ""  # file:line it came from
    alternatives: tuple[tuple[str, ...], ...] = ()  # further answers also marked correct ("a or d")
    numeric: bool = False  # IgakuQA numeric entry: no options, `answer` holds the digits as published
    answer_boxes: str = ""  # numeric entry: the answer line as printed, e.g. "①.②g/日"
    written: tuple[str, ...] = ()  # IgakuQA: the answer exactly as the file writes it (the reference compares this)


class DataFormatError(UserError):
    pass


@dataclass
class LoadReport:
    """What a loader skipped and why; per group (IgakuQA: the exam, e.g. "112"; else the task)."""

    problems: list[str] = field(default_factory=list)
    unreadable: Counter = field(default_factory=Counter)
    blocks: dict[str, set[str]] = field(default_factory=dict)  # IgakuQA: exam -> blocks found

    def skip(self, group: str, message: str) -> None:
        self.problems.append(message)
        self.unreadable[group] += 1

    def note(self, message: str) -> None:  # a repair that kept the item (e.g. a stray space dropped)
        self.problems.append(message)


def _report_or_log(report: LoadReport | None) -> LoadReport:
    return report if report is not None else LoadReport()


def _need(obj: dict, key: str, where: str, hint: str):
    if not isinstance(obj, dict) or key not in obj or obj[key] in (None, ""):
        raise DataFormatError(f"{where}: field '{key}' is missing. {hint}")
    return obj[key]


def _check_answer(letters: tuple[str, ...], options: dict[str, str], where: str) -> tuple[str, ...]:
    bad = [x for x in letters if x not in options]
    if not letters or bad:
        raise DataFormatError(f"{where}: answer {list(letters)} is not among the options "
                              f"{list(options)}. Fix the item or drop it from the file.")
    return letters


def _json_lines(path: Path):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                yield where, json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataFormatError(f"{where}: not valid JSON ({exc.msg}). "
                                      "Each line must be one JSON object.") from None


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataFormatError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}).") from None
    except OSError as exc:
        raise DataFormatError(f"{path}: cannot be read ({exc.strerror}).") from None


# -- MIRAGE --------------------------------------------------------------------------------
MIRAGE_TASKS = ("mmlu", "medqa", "medmcqa", "pubmedqa", "bioasq")  # the leaderboard's column order


def _mirage_item(task: str, qid: str, raw, where: str) -> Item:
    options = _need(raw, "options", where, "MIRAGE items hold options as {\"A\": text, ...}.")
    if not isinstance(options, dict) or not options:
        raise DataFormatError(f"{where}: 'options' is empty or not a mapping; MIRAGE items hold {{\"A\": text, ...}}.")
    answer = _need(raw, "answer", where, "MIRAGE items hold the correct letter in 'answer'.")
    subject = qid.rsplit("-", 1)[0] if task == "mmlu" else ""  # MMLU-Med ids are "<subject>-NNN"
    return Item(id=str(qid), question=str(_need(raw, "question", where, "")), options=dict(options),
                answer=_check_answer((str(answer),), options, where), subject=subject, source=where)


def load_mirage(path: Path, task: str, report: LoadReport | None = None) -> list[Item]:
    report = _report_or_log(report)
    dupes: list[str] = []

    def keep_first(pairs):
        out = {}
        for k, v in pairs:
            if k in out:
                dupes.append(k)
            else:
                out[k] = v
        return out

    try:
        data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=keep_first)
    except json.JSONDecodeError as exc:
        raise DataFormatError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}).") from None
    except OSError as exc:
        raise DataFormatError(f"{path}: cannot be read ({exc.strerror}).") from None
    if not isinstance(data, dict) or task not in data:
        keys = list(data)[:5] if isinstance(data, dict) else type(data).__name__
        raise DataFormatError(f"{path}: expected MIRAGE's {{\"{task}\": {{id: item}}}} layout, found keys {keys}.")
    for k in dict.fromkeys(d for d in dupes if d in data[task]):
        report.skip(task, f"{path} item {k}: question id appears more than once; the first is kept, "
                          "the rest skipped. Give each question its own id.")
    items = []
    for qid, raw in data[task].items():
        try:
            items.append(_mirage_item(task, str(qid), raw, f"{path} item {qid}"))
        except DataFormatError as exc:
            report.skip(task, f"{exc} Item skipped.")
    return items


# -- MedQA JSON Lines ----------------------------------------------------------------------
def load_medqa_jsonl(path: Path) -> list[Item]:
    items = []
    for i, (where, raw) in enumerate(_json_lines(path)):
        options = _need(raw, "options", where, "MedQA lines hold options as {\"A\": text, ...} (4 or 5).")
        if not isinstance(options, dict) or not 2 <= len(options) <= 5:
            raise DataFormatError(f"{where}: 'options' must map 2-5 letters to texts.")
        letter = raw.get("answer_idx")
        if not letter:  # some copies carry only the answer's text
            text = _need(raw, "answer", where, "MedQA lines need 'answer_idx' (a letter) or 'answer' (its text).")
            letter = next((k for k, v in options.items() if v == text), None) or "?"
        items.append(Item(id=str(raw.get("id", i)), question=_need(raw, "question", where, ""), options=dict(options),
                          answer=_check_answer((letter,), options, where), subject=str(raw.get("meta_info", "")),
                          source=where))
    return items


# -- MedMCQA JSON Lines --------------------------------------------------------------------
def load_medmcqa_jsonl(path: Path) -> list[Item]:
    items = []
    for i, (where, raw) in enumerate(_json_lines(path)):
        options = {L: str(_need(raw, key, where, "MedMCQA lines hold options in opa, opb, opc, opd."))
                   for L, key in zip("ABCD", ("opa", "opb", "opc", "opd"))}
        cop = _need(raw, "cop", where, "MedMCQA's test split has no answers; use the dev or train file.")
        try:
            letter = "ABCD"[int(cop) - 1] if int(cop) >= 1 else "?"  # cop is 1-based in the published files
        except (ValueError, IndexError):
            letter = "?"
        items.append(Item(id=str(raw.get("id", i)), question=_need(raw, "question", where, ""), options=options,
                          answer=_check_answer((letter,), options, where), subject=str(raw.get("subject_name", "")),
                          source=where))
    return items


# -- PubMedQA reading comprehension ----------------------------------------------------------
PUBMEDQA_OPTIONS = {"A": "yes", "B": "no", "C": "maybe"}


def load_pubmedqa_rc(directory: Path) -> list[Item]:
    """The 500-id official test split of PubMedQA-L, each question with its abstract (minus the conclusion)."""
    pqal, split = directory / "ori_pqal.json", directory / "test_ground_truth.json"
    for p in (pqal, split):
        if not p.exists():
            raise DataFormatError(f"{p} is missing: pubmedqa-rc needs ori_pqal.json and test_ground_truth.json "
                                  "from github.com/pubmedqa/pubmedqa in one folder.")
    data, truth = _read_json(pqal), _read_json(split)
    letter = {v: k for k, v in PUBMEDQA_OPTIONS.items()}
    items = []
    for pmid, label in truth.items():
        where = f"{pqal} item {pmid}"
        raw = data.get(pmid)
        if raw is None:
            raise DataFormatError(f"{split}: id {pmid} is not in {pqal.name}.")
        contexts = _need(raw, "CONTEXTS", where, "Each PubMedQA item holds its abstract sections in CONTEXTS.")
        if label not in letter:
            raise DataFormatError(f"{split}: id {pmid} has label '{label}'; expected yes, no or maybe.")
        items.append(Item(id=pmid, question=_need(raw, "QUESTION", where, ""), options=dict(PUBMEDQA_OPTIONS),
                          answer=(letter[label],), context="\n".join(contexts), subject=str(raw.get("YEAR", "")),
                          source=where))
    return items


@dataclass(frozen=True)
class Task:
    name: str
    description: str
    language: str = "en"
    candidates: tuple[str, ...] = field(default=())  # where under --data the task's data may be


_BENCHMARK_JSON = ("benchmark.json", "mirage/benchmark.json", "MIRAGE/benchmark.json")  # MIRAGE as published
TASKS: dict[str, Task] = {t.name: t for t in [
    Task("medqa", "MedQA (USMLE), 4 options, test set", candidates=("mirage/medqa.json", "medqa.json",
         "medqa.jsonl", "medqa/test.jsonl", "medqa/phrases_no_exclude_test.jsonl", *_BENCHMARK_JSON)),
    Task("medmcqa", "MedMCQA dev set, 4 options", candidates=("mirage/medmcqa.json", "medmcqa.json",
         "medmcqa.jsonl", "medmcqa/dev.json", "medmcqa/dev.jsonl", "dev.json", *_BENCHMARK_JSON)),
    Task("pubmedqa", "PubMedQA* (500 test questions, no abstract), yes/no/maybe",
         candidates=("mirage/pubmedqa.json", "pubmedqa.json", *_BENCHMARK_JSON)),
    Task("mmlu", "MMLU-Med (MIRAGE): 1,089 questions from six biomedical MMLU subjects, 4 options",
         candidates=("mirage/mmlu.json", "mmlu.json", *_BENCHMARK_JSON)),
    Task("bioasq", "BioASQ-Y/N (MIRAGE): 618 yes/no questions from BioASQ 2019-2023, no snippets",
         candidates=("mirage/bioasq.json", "bioasq.json", *_BENCHMARK_JSON)),
    Task("pubmedqa-rc", "PubMedQA-L reading comprehension (abstract given), official 500-id test split",
         candidates=("pubmedqa", ".")),
    Task("igakuqa", "IgakuQA: Japanese national medical licensing exams 2018-2022", language="ja",
         candidates=("igakuqa", "IgakuQA/data", "data", ".")),
]}


def parse_tasks(text: str) -> list[Task]:
    names = [t.strip() for t in (text or "").split(",") if t.strip()]
    unknown = [n for n in names if n not in TASKS]
    if not names or unknown:
        raise UserError(f"Unknown task(s) {unknown or '(none given)'}. Choose from: {', '.join(TASKS)} "
                        "(comma-separated, e.g. --task medqa,pubmedqa).")
    return [TASKS[n] for n in dict.fromkeys(names)]


def _load_file(task: Task, path: Path, report: LoadReport) -> list[Item]:
    if path.suffix == ".json":
        head = path.open(encoding="utf-8").read(1).strip()
        if head == "{":
            try:  # a MIRAGE file holds one object; MedMCQA's dev.json is JSON Lines despite its name
                return load_mirage(path, task.name, report)
            except DataFormatError:
                if task.name not in ("medqa", "medmcqa"):
                    raise
    if task.name == "medqa":
        return load_medqa_jsonl(path)
    if task.name == "medmcqa":
        return load_medmcqa_jsonl(path)
    raise DataFormatError(f"{path}: not a format medassist reads for {task.name}.")


def load_task(task: Task, data: Path, include_images: bool = False, report: LoadReport | None = None) -> list[Item]:
    """Items of `task` found under `data` (a folder of benchmarks, or the task's own file/folder).

    Items a MIRAGE or IgakuQA file gets wrong are skipped and recorded in `report` (logged when none is given).
    """
    data = Path(data).expanduser()
    if not data.exists():
        raise UserError(f"--data {data} does not exist. Point it at a folder of benchmark files.")
    sink = _report_or_log(report)
    if task.name == "igakuqa":
        from .igakuqa_load import load_igakuqa

        items = load_igakuqa(data, sink)
    elif task.name == "pubmedqa-rc":
        folders = [data / c for c in task.candidates] if data.is_dir() else []
        folder = next((f for f in folders if (f / "ori_pqal.json").is_file()), None)
        if folder is None:
            raise UserError(f"No PubMedQA files (ori_pqal.json, test_ground_truth.json) under {data}.")
        items = load_pubmedqa_rc(folder)
    else:
        path = data if data.is_file() else next((data / c for c in task.candidates if (data / c).is_file()), None)
        if path is None:
            raise UserError(f"No {task.name} data under {data}: looked for {', '.join(task.candidates)}.")
        items = _load_file(task, path, sink)
    if report is None:
        for problem in sink.problems:
            logging.getLogger("medassist.evaluation").warning(problem)
    if not include_images:
        items = [i for i in items if i.text_only]
    if not items:
        raise UserError(f"{task.name}: the data under {data} holds no items to score.")
    return items
