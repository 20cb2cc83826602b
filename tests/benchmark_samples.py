"""Small sample files in each benchmark format medassist reads, written as the publishers lay them out.

The questions are taken from the real MIRAGE and PubMedQA data in ../shared where the format
exists there; MedQA JSONL, MedMCQA JSONL and IgakuQA are re-laid-out from them (IgakuQA's own
text is not licensed for redistribution, so its sample is written here in Japanese).
"""
from __future__ import annotations

import json
from pathlib import Path

from .conftest import SHARED

BENCH = SHARED / "benchmarks"


def _lines(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def write_samples(root: Path, n: int = 4) -> Path:
    mirage = json.loads((BENCH / "mirage" / "medqa.json").read_text())["medqa"]
    first = list(mirage.items())[:n]
    # MIRAGE layout, one task per file
    (root / "mirage").mkdir(parents=True, exist_ok=True)
    (root / "mirage" / "medqa.json").write_text(json.dumps({"medqa": dict(first)}))
    pub = json.loads((BENCH / "mirage" / "pubmedqa.json").read_text())["pubmedqa"]
    (root / "mirage" / "pubmedqa.json").write_text(json.dumps({"pubmedqa": dict(list(pub.items())[:n])}))
    # MedQA JSON Lines as published (US/test.jsonl has five options A-E)
    rows = []
    for i, (qid, it) in enumerate(first):
        options = dict(it["options"], E="None of the above")
        rows.append({"question": it["question"], "answer": options[it["answer"]], "options": options,
                     "meta_info": "step1" if i % 2 else "step2&3", "answer_idx": it["answer"]})
    _lines(root / "medqa5" / "medqa.jsonl", rows)
    # MedMCQA JSON Lines (dev.json): opa..opd, cop 1-based
    mm = json.loads((BENCH / "mirage" / "medmcqa.json").read_text())["medmcqa"]
    rows = [{"id": qid, "question": it["question"], "opa": it["options"]["A"], "opb": it["options"]["B"],
             "opc": it["options"]["C"], "opd": it["options"]["D"], "cop": "ABCD".index(it["answer"]) + 1,
             "choice_type": "single", "subject_name": ["Anatomy", "Pharmacology"][i % 2]}
            for i, (qid, it) in enumerate(list(mm.items())[:n])]
    _lines(root / "medmcqa" / "dev.json", rows)
    # PubMedQA: the labelled set and the official test split, cut to n ids
    pqal = json.loads((BENCH / "pubmedqa" / "ori_pqal.json").read_text())
    truth = json.loads((BENCH / "pubmedqa" / "test_ground_truth.json").read_text())
    ids = list(truth)[:n]
    (root / "pubmedqa").mkdir(parents=True, exist_ok=True)
    (root / "pubmedqa" / "ori_pqal.json").write_text(json.dumps({i: pqal[i] for i in ids}))
    (root / "pubmedqa" / "test_ground_truth.json").write_text(json.dumps({i: truth[i] for i in ids}))
    write_igakuqa(root / "igakuqa")
    return root


def write_igakuqa(folder: Path) -> Path:
    """Two blocks of a 112th exam: A (general, 1 point) and B (required, with a 3-point clinical item)."""
    a = [
        {"problem_id": "112A1", "problem_text": "成人の正常な安静時心拍数はどれか。",
         "choices": ["10〜20/分", "60〜100/分", "150〜200/分", "250〜300/分", "300/分以上"],
         "text_only": True, "answer": ["b"], "points": "1"},
        {"problem_id": "112A2", "problem_text": "ビタミンB1欠乏でみられるのはどれか。2つ選べ。",
         "choices": ["脚気", "くる病", "Wernicke脳症", "壊血病", "夜盲症"],
         "text_only": True, "answer": ["a", "c"], "points": "1"},
        {"problem_id": "112A3", "problem_text": "別冊No.1の胸部X線写真を別に示す。診断はどれか。",
         "choices": ["気胸", "肺炎", "胸水", "無気肺", "正常"], "text_only": False, "answer": ["a"], "points": "1"},
    ]
    b = [
        {"problem_id": "112B1", "problem_text": "アナフィラキシーショックで最初に投与すべき薬剤はどれか。",
         "choices": ["アドレナリン", "ジアゼパム", "フロセミド", "インスリン", "ヘパリン"],
         "text_only": True, "answer": ["a"], "points": "3"},
    ]
    _lines(folder / "112-A.jsonl", a)
    _lines(folder / "112-B.jsonl", b)
    _lines(folder / "112-A_metadata.jsonl", [{"problem_id": "112A1", "category": "循環器", "kinki": [],
                                              "human_accuracy": 0.98},
                                             {"problem_id": "112A2", "category": "栄養", "kinki": ["d"]}])
    _lines(folder / "112-B_metadata.jsonl", [{"problem_id": "112B1", "category": "救急", "kinki": ["c", "d"]}])
    return folder
