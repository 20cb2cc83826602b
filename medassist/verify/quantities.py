"""Numbers a statement gives, with their units and the words that bound them ("at least 6 months",
"65 to 75 years", "without going over 35 mg/kg/day"), and whether a claim's numbers are the passage's.

    quantities("adults aged 65 to 75 years") -> [Quantity(65, "year", "min"), Quantity(75, "year", "max")]
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .phrases import NAMED_TERM

_UNITS = [("miuml", r"miu/ml"), ("mgkg", r"mg/kg"), ("mcgkg", r"mcg/kg|µg/kg"), ("gkg", r"g/kg"), ("mlkg", r"ml/kg"), ("mlh", r"ml/h(?:r|our)?"),
          ("year", r"years?|yrs?|y(?=\b)|-year-old|year-old"), ("month", r"months?|mos?"), ("week", r"weeks?|wks?"),
          ("day", r"days?"), ("hour", r"hours?|hrs?|h(?=\b)"), ("minute", r"minutes?|mins?"),
          ("mg", r"mg(?!/dl)|milligrams?"), ("mcg", r"mcg|µg|micrograms?|ug"), ("g", r"g(?=\b)|grams?"),
          ("kg", r"kg(?!/m)|kilograms?"), ("ml", r"ml|milliliters?|millilitres?"), ("percent", r"%|percent"),
          ("mmhg", r"mm ?hg"), ("mmol", r"mmol(?:/l)?"), ("mgdl", r"mg/dl"), ("bmi", r"kg/m2|kg/m²"),
          ("packyear", r"pack[- ]years?"), ("cigarette", r"cigarettes?"), ("mme", r"mme|morphine (?:milligram )?"
          r"equivalents?|mg/d(?:ay)? mme|med"), ("drink", r"drinks?"), ("unit", r"units?|iu"), ("cm", r"cm"),
          ("times", r"times|visits?|sessions?|doses?|injections?"),
          ("degree", r"°|degrees?")]
_SHOWN = {"miuml": "mIU/mL", "mgkg": "mg/kg", "mcgkg": "mcg/kg", "gkg": "g/kg", "mlkg": "mL/kg", "mlh": "mL/h",
          "mmhg": "mm Hg", "mgdl": "mg/dL", "bmi": "kg/m2", "packyear": "pack-years", "mme": "MME", "percent": "%"}
_UNIT = "|".join(f"(?P<{name}>{rx})" for name, rx in _UNITS)
_BOUND = (r"(?P<bound>at most|not (?:to )?exceed(?:ing)?|without (?:going over|going above|exceeding)|at least|"
          r"a minimum of|a maximum of|no (?:more|less|fewer) than|more than|less than|fewer than|greater than|up to|"
          r"under|over|older than|younger than|above|below|before|after|until|by|within|from|starting at|beginning "
          r"at|at|>=|<=|>|<|≥|≤)?\s*")
# A range: "65 to 75", "65-75", "between 65 and 75" ("3 and 250 mg" is two numbers, not a range).
_QUANTITY = re.compile(_BOUND + r"(?:age\s+)?(?P<a>\d+(?:\.\d+)?)(?:\s*(?:to|-|–)\s*(?P<b>\d+(?:\.\d+)?))?\s*(?:" + _UNIT
                       + r")?(?![\w/])(?:\s+(?:of age\s+)?(?:or|and) (?P<after>older|more|above|greater|over|higher|longer|"
                       r"younger|less|fewer|below|under|lower|shorter)\b)?", re.IGNORECASE)
_BOUND_CLASS = {"at least": "min", "a minimum of": "min", "a maximum of": "max", "no less than": "min", "no fewer than": "min", ">=": "min", "≥": "min",
                "from": "min", "starting at": "min", "beginning at": "min", "older than": "min", "more than": "min",
                "greater than": "min", "over": "min", "above": "min", ">": "min",
                "no more than": "max", "up to": "max", "under": "max", "less than": "max", "fewer than": "max",
                "younger than": "max", "below": "max", "<=": "max", "≤": "max", "<": "max", "until": "max",
                "within": "max", "by": "max", "before": "before", "after": "after", "at": None}


_OPPOSITE = ({"min", "max"}, {"before", "after"})
_BOUND_WORD = {"min": "at least", "max": "at most", "before": "before", "after": "after"}


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str  # "" when the number stands alone
    bound: str | None = None  # min | max | before | after | None

    def __str__(self) -> str:
        unit = _SHOWN.get(self.unit, self.unit)
        if unit in ("year", "month", "week", "day", "hour", "minute", "unit", "drink", "cigarette", "degree") \
                and self.value != 1:
            unit += "s"
        return f"{self.value:g}{' ' + unit if unit else ''}"


def quantities(text: str) -> list[Quantity]:
    out = []
    plain = re.sub(r"\b[A-Z]+:\S+", " ", text.replace("*", ""))  # facet tokens ("FREQ:1y") are compared as facets
    # "every 2 years", "6-monthly": a frequency, compared as one (FREQ), not as a number
    plain = re.sub(r"\b(?:once )?every \d+(?:\.\d+)?\s*(?:year|month|week|day|hour)s?\b|\b\d+[- ](?:year|month|week|day|hour)ly\b",
                   " ", plain, flags=re.IGNORECASE)
    plain = re.sub(r"\[\d+(?:[,–-]\s*\d+)*\]", " ", plain)  # citation markers are not numbers
    # nor is a named type or stage ("type 2 diabetes", "stages 1-4 CKD"): compared as a term
    plain = re.sub(NAMED_TERM, " ", plain, flags=re.IGNORECASE)
    plain = re.sub(r"^\W*\d{1,3}[.)]\s", " ", plain)  # nor is a list item's number
    plain = re.sub(r"\bbetween (\d+(?:\.\d+)?) and (?=\d)", r"\1 to ", plain, flags=re.IGNORECASE)
    # "20° to 30°", "3 months to 6 months": one range, its unit said twice
    plain = re.sub(r"(\d+(?:\.\d+)?)\s*([a-z°%]+)\s*(to|-|–)\s*(\d+(?:\.\d+)?)\s*\2(?![a-z])", r"\1 \3 \4 \2", plain,
                   flags=re.IGNORECASE)
    plain = re.sub(r"\b(?:19|20)\d\d\b(?!\s*(?:mg|g|mcg|ml|%))", " ", plain)  # years of publication
    for m in _QUANTITY.finditer(plain):
        unit = next((name for name, _ in _UNITS if m.group(name)), "")
        if not unit and re.search(r"\b(?:aged?|ages)\s*(?:\d|$)", plain[max(0, m.start() - 8):m.end()], re.IGNORECASE):
            unit = "year"  # "men aged 65 to 75"
        said = (m.group("bound") or "").lower()
        if not unit and said in ("older than", "younger than"):
            unit = "year"  # "adults older than 70"
        # "at most", "not to exceed", "without going over": an upper bound
        bound = "max" if said.startswith(("at most", "not ", "without ")) else _BOUND_CLASS.get(said)
        if m.group("after"):
            bound = "min" if m.group("after").lower() in ("older", "more", "above", "greater", "over", "higher", "longer") else "max"
        if m.group("b") is not None and bound not in ("before", "after"):  # "65 to 75": from 65, up to 75
            out += [Quantity(float(m.group("a")), unit, "min"), Quantity(float(m.group("b")), unit, "max")]
        else:
            out += [Quantity(float(v), unit, bound) for v in (m.group("a"), m.group("b")) if v is not None]
    return out


DAYS = {"year": 365.25, "month": 30.44, "week": 7.0, "day": 1.0, "hour": 1 / 24}  # "two years" is "24 months"


def _comparable(p: Quantity, q: Quantity) -> bool:
    return p.unit == q.unit or not q.unit or not p.unit or (p.unit in DAYS and q.unit in DAYS)


def same_quantity(p: Quantity, q: Quantity) -> bool:
    if p.unit != q.unit and p.unit in DAYS and q.unit in DAYS:
        a, b = p.value * DAYS[p.unit], q.value * DAYS[q.unit]
        return abs(a - b) <= 0.03 * max(a, b)
    return p.value == q.value


def quantity_problem(claim: list[Quantity], passage: list[Quantity]) -> tuple[str, str] | None:
    """('conflict' | 'missing', reason) for the first number of the claim the passage does not state."""
    for q in claim:
        exact = [p for p in passage if _comparable(p, q) and same_quantity(p, q)]
        if exact:
            if q.bound and all(p.bound and {p.bound, q.bound} in _OPPOSITE for p in exact):
                p = exact[0]
                assert p.bound is not None  # all() above
                return "conflict", f"the claim says {_BOUND_WORD[q.bound]} {q}, the passage says {_BOUND_WORD[p.bound]} {p}"
            continue
        if q.unit and any(p.unit == q.unit for p in passage):
            said = ", ".join(str(p) for p in passage if p.unit == q.unit)
            return "conflict", f"the claim says {q}, the passage says {said}"
        return "missing", f"the passage does not state {q}"
    return None



def bound_word(q: Quantity) -> str:
    return _BOUND_WORD.get(q.bound or "", "")
