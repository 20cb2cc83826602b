"""Claims against passages: every sentence of an answer gets a verdict, its evidence and a reason.

    check_answer(answer_text, passages, question=None, verifiers=None) -> [SentenceVerdict]

Verdicts: supported, contradicted, not_found. The rule-based verifier (rules.py) always runs and
needs nothing but the passages; stronger ones plug in through the same `check` interface (an NLI
cross-encoder from a local folder; the answering model as judge: plugins.py). When several
run, the strictest verdict wins: contradicted over not found over supported.
"""
from __future__ import annotations

import re

from ..types import Passage, SentenceVerdict
from .claims import bare, cited_numbers, split_claims
from .rules import Check, RuleVerifier
from .units import passage_units

__all__ = ["STRICTNESS", "check_answer", "cited_numbers", "prepare", "split_claims"]
STRICTNESS = {"supported": 0, "not_found": 1, "contradicted": 2}
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _language_mismatch(claim: str, passages: list[Passage]) -> bool:
    """A Japanese sentence against English passages (or the reverse) cannot be compared word by word."""
    claim_cjk = bool(_CJK.search(claim))
    text = " ".join(p.text[:400] for p in passages)
    passages_cjk = len(_CJK.findall(text)) > 0.2 * max(1, len(text.replace(" ", "")))
    return claim_cjk != passages_cjk


def prepare() -> None:
    """Load what the first check would (WordNet's tables, the phrase patterns): `ask` runs this in the
    background while the model writes, so the check after the answer does not pay the half second they take."""
    from .synonyms import load

    load()
    check_answer("Screening is recommended.", [Passage("", "", "", "", None, "", "Screen adults.")])


def check_answer(text: str, passages: list[Passage], question: str | None = None,
                 verifiers: list | None = None) -> list[SentenceVerdict]:
    """One verdict per sentence of `text`, against sources [1..len(passages)]."""
    claims = split_claims(text)
    if not claims:
        return []
    units = passage_units(passages)
    k = len(passages)
    rules = RuleVerifier()
    others = [v for v in (verifiers or []) if getattr(v, "name", "") != "rules"]
    out = []
    for sentence in claims:
        claim = bare(sentence)
        cited = cited_numbers(sentence)
        invalid = [n for n in cited if not 1 <= n <= k]
        if _language_mismatch(claim, passages):
            check = Check("not_found", None, "the sentence and the passages are in different languages; it was not "
                                             "checked", 0.0)
            ran: tuple[str, ...] = ("rules",)
        else:
            checks = [rules.check(claim, units, question)]
            checks += [v.check(claim, units, question, first=checks[0]) for v in others]
            check = max(checks, key=lambda c: STRICTNESS[c.verdict])
            ran = tuple(c.by for c in checks)
        unit = check.unit
        source = unit.source if (unit is not None and check.verdict != "not_found") or (
            unit is not None and check.score >= 0.5) else None
        page = passages[unit.source - 1].page_at(unit.offset) if unit is not None and source else None
        reason = check.reason if check.by == "rules" else f"{check.by}: {check.reason}"
        out.append(SentenceVerdict(text=sentence, cited=cited, verdict=check.verdict, source=source,
                                   evidence=unit.text if unit is not None and source else "", reason=reason,
                                   score=check.score, invalid_citations=invalid, page=page, checked_by=ran))
    return out
