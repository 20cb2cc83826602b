"""Write medassist/verify/common_stems.txt: the word stems used across guidelines generally.

The support check treats a word of a claim that is *not* on this list (a drug, a test, a condition,
a group of patients: "orlistat", "sealant", "nulliparous") as a fact the passage must state itself;
common words may be paraphrased. "Common" means: in the text of at least MIN_DOCS of the 115
starter guidelines (all fields, so methods and disclaimers count as general vocabulary). Regenerate
after changing verify/lexicon.py:

    .venv/bin/python scripts/build_common_stems.py
"""
from __future__ import annotations

import collections
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
MIRROR = (Path(os.environ.get("MEDASSIST_SHARED_DATA", REPO.parent / "shared" / "data"))
          / "guidelines/ngc-public/raw_xml")
MIN_DOCS = 15


def main() -> int:
    from medassist.retrieval.readers import read_file
    from medassist.verify.lexicon import concepts

    seen: collections.Counter = collections.Counter()
    files = sorted(MIRROR.glob("*.xml"))
    for f in files:
        doc = read_file(f)[0]
        seen.update({t for t in concepts("\n".join(b.text for b in doc.blocks)) if ":" not in t and not t[0].isdigit()})
    common = sorted(w for w, n in seen.items() if n >= MIN_DOCS)
    out = REPO / "medassist" / "verify" / "common_stems.txt"
    out.write_text(f"# {len(common)} stems found in >= {MIN_DOCS} of {len(files)} starter guidelines "
                   "(scripts/build_common_stems.py)\n" + "\n".join(common) + "\n", encoding="utf-8")
    print(f"{len(common)} stems -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
