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
    for i, (_qid, it) in enumerate(first):
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


# -- IgakuQA as released: year folders, baseline predictions, every quirk of the real files -------------------
# The questions are written here (IgakuQA has no licence); each line reproduces one structural quirk.
def _q(pid: str, text: str, choices: list[str], answer: list[str], points: str = "1", text_only: bool = True) -> dict:
    return {"problem_id": pid, "problem_text": text, "choices": choices, "text_only": text_only, "answer": answer,
            "points": points}


FIVE = ["選択肢一", "選択肢二", "選択肢三", "選択肢四", "選択肢五"]
RELEASE_112 = {
    "A": [_q("112A1", "腎前性急性腎障害を示唆する所見はどれか。", FIVE, ["b"]),
          _q("112A2", "正しいのはどれか。2つ選べ。", FIVE, ["a", "c"]),
          _q("112A3", "別冊No.1の胸部エックス線写真を別に示す。診断はどれか。", FIVE, ["a"], text_only=False),
          _q("112A4", "採点から除外された問題。", FIVE, ["c"], points="0")],
    "B": [_q("112B1", "まず行うべき対応はどれか。", FIVE, ["a"]),
          _q("112B2", "妊娠32週の性器出血への対応はどれか。", FIVE, ["a or d"], points="3")],
    "C": [_q("112C1", "肺胞気-動脈血酸素分圧較差を求めよ。解答：①②Torr", [], ["26"]),
          _q("112C2", "図中の組合せで正しいのはどれか。\nａ\n甲\n乙\nｂ\n乙\n甲", ["　"] * 5, ["a"], text_only=False)],
    "D": [_q("112D1", "最も考えられるのはどれか。", FIVE, ["b"])],
    "E": [_q("112E1", "次に行うべき検査はどれか。", FIVE, ["c"], points="3")],
    "F": [_q("112F1", "1日尿蛋白量を求めよ。解答：①.②g/日", [], ["21"]),
          _q("112F2", "適切なのはどれか。2つ選べ。", FIVE, ["b", "d"])],
}
RELEASE_116 = {  # the 116th exam with blocks C-F missing; 116A71 is the id the reference credits to everyone
    "A": [_q("116A1", "最も考えられるのはどれか。", FIVE, ["a"]),
          _q("116A71", "可能性が最も低い疾患はどれか。", FIVE, ["e"])],
    "B": [_q("116B1", "まず行うべきなのはどれか。", FIVE, ["b"], points="3")],
}
KINKI_112 = {"112A1": ["ｄ"], "112A2": [" e"], "112B1": ["de"]}  # full width, a stray space, letters run together
# One prediction set in the baseline layout (baseline_results/2018/112-A_mini.jsonl), each line a quirk:
MINI_PREDICTIONS = {
    "112A1": "b", "112A2": "a, c", "112A3": "申し訳ありませんが、画像が表示されていないため回答できません。",
    "112A4": "c", "112B1": "d", "112B2": "d", "112C1": "26", "112C2": "a", "112D1": "b,b", "112E1": "ｃ",
    "112F1": "2.1", "112F2": "b,d", "116A1": "a", "116A71": "a", "116B1": "b",
}
# What each rule set makes of them, worked out by hand (see tests/test_igakuqa.py):
MINI_POINTS = {"medassist": {"2018": 13, "2022": 4}, "reference": {"2018": 4, "2022": 5}}
MINI_MAX = {"2018": 15, "2022": 5}


def write_igakuqa_release(root: Path) -> Path:
    """IgakuQA's layout: root/data/<year>/<exam>-<block>.jsonl (+ _metadata), root/baseline_results/<year>/..."""
    for year, exam, blocks in ((2018, "112", RELEASE_112), (2022, "116", RELEASE_116)):
        for block, rows in blocks.items():
            stem = f"{exam}-{block}"
            _lines(root / "data" / str(year) / f"{stem}.jsonl", rows)
            _lines(root / "data" / str(year) / f"{stem}_metadata.jsonl",
                   [{"problem_id": r["problem_id"], "category": "内科", "kinki": KINKI_112.get(r["problem_id"], []),
                     "reason": "", "human_accuracy": "80.0"} for r in rows])
            _lines(root / "baseline_results" / str(year) / f"{stem}_mini.jsonl",
                   [{"problem_id": r["problem_id"], "prediction": MINI_PREDICTIONS[r["problem_id"]],
                     "explanation": ""} for r in rows])
    return root


# -- MIRAGE's benchmark.json: all five tasks in one file ------------------------------------------------------
def write_mirage_benchmark(folder: Path, n: int = 2) -> Path:
    """benchmark.json as MIRAGE publishes it; medqa/medmcqa/pubmedqa items from the shared copy, mmlu and bioasq
    items written here in their format (ids "<subject>-NNN" for MMLU-Med, hex ids for BioASQ)."""
    data = {t: dict(list(json.loads((BENCH / "mirage" / f"{t}.json").read_text())[t].items())[:n])
            for t in ("medqa", "medmcqa", "pubmedqa")}
    data["mmlu"] = {
        "anatomy-000": {"question": "Which bone forms the heel?",
                        "options": {"A": "Talus", "B": "Calcaneus", "C": "Navicular", "D": "Cuboid"}, "answer": "B"},
        "medical_genetics-000": {"question": "How many autosomes does a typical human somatic cell hold?",
                                 "options": {"A": "22", "B": "23", "C": "44", "D": "46"}, "answer": "C"},
    }
    data["bioasq"] = {
        "5e2a0f1b8b3851296d000001": {"question": "Is insulin produced by pancreatic beta cells?",
                                     "options": {"A": "yes", "B": "no"}, "answer": "A"},
        "5e2a0f1b8b3851296d000002": {"question": "Is aspirin a beta-lactam antibiotic?",
                                     "options": {"A": "yes", "B": "no"}, "answer": "B"},
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "benchmark.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder
