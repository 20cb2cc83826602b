"""IgakuQA as the Japanese national medical licensing exam is marked: points per exam year, pass or fail.

Since the 112th exam (2018) a candidate passes when all three hold (MHLW's published criteria):
  1. required questions (必修, blocks B and E): at least 80% of the required points
     (general questions 1 point, clinical 3 points; 200 in all) - an absolute criterion every year;
  2. the other general and clinical questions (1 point each): at least that year's mark, which MHLW
     sets relative to the cohort and publishes with the results;
  3. at most 3 prohibited choices (禁忌肢, `kinki`) picked - 4 or more fail whatever the score.

Year marks bundled here, each with its source; a year without one is reported "mark unknown"
(pass `--pass-marks FILE`, JSON {"114": [required, required_max, general, general_max]}, to add it):
  113th (2019): required 160/200, general+clinical 209/296 - MHLW via Japan Medical Journal,
               jmedj.co.jp/journal/paper/detail.php?id=11988
  116th (2022): required 158/197, general+clinical 214/297 - MHLW, "第116回医師国家試験の合格発表について",
               as reported at doctor.mynavi.jp/column/kokushi2022
When image questions are skipped, marks are scaled to the points actually asked, and the report says so.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import UserError

REQUIRED_BLOCKS = ("B", "E")
MAX_KINKI = 3
REQUIRED_SHARE = 0.80
# exam -> (required mark, required max, general+clinical mark, its max, source)
PASS_MARKS: dict[str, tuple[int, int, int, int, str]] = {
    "113": (160, 200, 209, 296, "jmedj.co.jp/journal/paper/detail.php?id=11988"),
    "116": (158, 197, 214, 297, "doctor.mynavi.jp/column/kokushi2022 (MHLW announcement)"),
}
EXAM_YEAR = {"112": 2018, "113": 2019, "114": 2020, "115": 2021, "116": 2022}


def load_pass_marks(path: str | None) -> dict:
    marks = dict(PASS_MARKS)
    if path:
        try:
            extra = json.loads(Path(path).read_text(encoding="utf-8"))
            for exam, v in extra.items():
                marks[str(exam)] = (int(v[0]), int(v[1]), int(v[2]), int(v[3]), f"user file {path}")
        except (OSError, ValueError, TypeError, IndexError, KeyError) as exc:
            raise UserError(f"--pass-marks {path}: expected JSON like {{\"114\": [160, 200, 217, 299]}} ({exc}).") from None
    return marks


def score_exams(rows: list[dict], marks: dict | None = None) -> dict[str, dict]:
    """rows: per-item results carrying exam ('112-A'), points, correct and kinki_picked."""
    marks = PASS_MARKS if marks is None else marks
    exams: dict[str, dict] = {}
    for r in rows:
        number, block = r["exam"].split("-")
        e = exams.setdefault(number, {"year": EXAM_YEAR.get(number), "points": 0, "max_points": 0, "required": 0,
                                      "required_max": 0, "general": 0, "general_max": 0, "kinki_picked": 0,
                                      "items": 0})
        part = "required" if block in REQUIRED_BLOCKS else "general"
        e["items"] += 1
        e["max_points"] += r["points"]
        e[f"{part}_max"] += r["points"]
        if r["correct"]:
            e["points"] += r["points"]
            e[part] += r["points"]
        e["kinki_picked"] += int(r.get("kinki_picked", 0))
    for number, e in exams.items():
        req_ok = e["required_max"] == 0 or e["required"] >= REQUIRED_SHARE * e["required_max"]
        kinki_ok = e["kinki_picked"] <= MAX_KINKI
        mark = marks.get(number)
        if mark:
            scale = e["general_max"] / mark[3] if mark[3] else 1.0
            general_mark = mark[2] * scale
            e["general_mark"] = round(general_mark, 1)
            e["mark_source"] = mark[4]
            e["passed"] = bool(req_ok and kinki_ok and e["general"] >= general_mark)
            e["scaled"] = abs(scale - 1.0) > 1e-9
        else:
            e["general_mark"] = None
            e["passed"] = None if (req_ok and kinki_ok) else False  # a known failure is still a failure
        e["required_ok"], e["kinki_ok"] = req_ok, kinki_ok
    return dict(sorted(exams.items()))
