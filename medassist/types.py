"""The plain data that flows through medassist: passages in, answers out.

Kept free of heavy imports so that every layer (and `import medassist`) can use them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

DISCLAIMER = (
    "Research use only. medassist is not a medical device and gives no clinical advice; "
    "verify every statement against the cited guideline and use professional judgement."
)


@dataclass(frozen=True)
class Passage:
    """One retrievable chunk of a guideline, with everything a citation needs."""

    chunk_id: str  # sha256-derived, stable across re-indexing of the same text
    document_id: str  # e.g. "ngc-10008"
    title: str
    organisation: str
    year: int | None
    section: str  # section heading the chunk came from
    text: str
    url: str = ""
    page: int | None = None  # PDF page (1-based) the chunk starts on; None for sectioned formats
    source: str = ""  # file the document was read from
    score: float = 0.0  # retrieval score, higher is better
    page_end: int | None = None  # last PDF page the chunk reaches, when it crosses a page break
    grade: str = ""  # grade(s) or strength of the statements it holds: "B recommendation; I statement"
    page_spans: tuple[tuple[int, int | None], ...] = ()  # (offset in text, PDF page) where each page's text begins

    def page_at(self, offset: int) -> int | None:
        """The PDF page of the character at `offset` in the text (None outside PDFs)."""
        page = self.page
        for start, p in self.page_spans:
            if start > offset:
                break
            page = p
        return page

    def locator(self) -> str:
        """Where in the document: the page(s) for PDFs (with the outline's section if any), else the section."""
        if not self.page:
            return self.section
        pages = (f"pp. {self.page}–{self.page_end}" if self.page_end and self.page_end != self.page
                 else f"p. {self.page}")
        return f"{self.section}, {pages}" if self.section and self.section != "Document" else pages

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def source_dicts(passages: list[Passage]) -> list[dict[str, Any]]:
    """Sources [1]..[k] as every front end shows them: the passage, its number and its locator."""
    return [{"n": i, **p.to_dict(), "locator": p.locator()} for i, p in enumerate(passages, 1)]


@dataclass
class GenerationSettings:
    max_new_tokens: int = 160
    temperature: float = 0.0  # 0 = greedy, reproducible
    top_p: float = 1.0
    seed: int | None = None
    stop: tuple[str, ...] = ()  # extra stop strings on top of the prompt format's own

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


VERDICTS = ("supported", "contradicted", "not_found")
ANSWER_SCHEMA = "medassist.answer/2"


@dataclass
class SentenceVerdict:
    """One sentence of an answer, checked against the passages: what they say to it, and why."""

    text: str
    cited: list[int]  # [n] markers the model wrote itself
    verdict: str  # supported | contradicted | not_found
    source: int | None  # the passage (1-based) the verdict rests on, if any
    evidence: str = ""  # that passage's own words: the statement that supports or contradicts
    reason: str = ""  # what agrees, or which part differs and what the passage says instead
    score: float = 0.0  # 0..1, how much of the sentence that statement covers
    invalid_citations: list[int] = field(default_factory=list)  # [n] pointing at no shown passage
    page: int | None = None  # PDF page of the evidence sentence itself
    checked_by: tuple[str, ...] = ("rules",)  # verifiers that ran; the strictest verdict wins

    @property
    def supported(self) -> bool:
        return self.verdict == "supported"

    @property
    def supported_by(self) -> int | None:
        return self.source if self.supported else None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "cited": self.cited, "verdict": self.verdict, "source": self.source,
                "evidence": self.evidence, "reason": self.reason, "score": round(self.score, 3),
                "invalid_citations": self.invalid_citations, "page": self.page,
                "checked_by": list(self.checked_by),
                "supported_by": self.supported_by}  # answer/1 readers look for this

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SentenceVerdict:
        """Also reads answer/1 entries (supported_by and support_score only)."""
        if "verdict" not in d:
            return cls(d["text"], d.get("cited", []), "supported" if d.get("supported_by") else "not_found",
                       d.get("supported_by"), score=d.get("support_score", 0.0),
                       invalid_citations=d.get("invalid_citations", []), reason="checked by similarity (answer/1)",
                       checked_by=("similarity",))
        return cls(d["text"], d.get("cited", []), d["verdict"], d.get("source"), d.get("evidence", ""),
                   d.get("reason", ""), d.get("score", 0.0), d.get("invalid_citations", []), d.get("page"),
                   tuple(d.get("checked_by", ("rules",))))


@dataclass
class Quote:
    """A guideline sentence that answers the question, quoted verbatim above the model's answer."""

    source: int  # 1-based passage number
    text: str
    grade: str = ""
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Notice:
    kind: str  # "emergency" | "evidence" | "licence" | "context" | "support"
    message: str


@dataclass
class Answer:
    question: str
    text: str  # the model's answer exactly as generated
    passages: list[Passage]  # sources [1]..[k], in the order given to the model
    model_id: str
    settings: GenerationSettings
    sentences: list[SentenceVerdict] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)  # the guideline's own words that answer, shown first
    notices: list[Notice] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds
    used_rag: bool = True
    history_id: int | None = None
    disclaimer: str = DISCLAIMER

    @property
    def emergency(self) -> Notice | None:
        return next((n for n in self.notices if n.kind == "emergency"), None)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON document of `medassist ask --json` (schema medassist.answer/2: quotes, and a
        verdict with its reason for every sentence; answer/1 documents are still read)."""
        return {
            "schema": ANSWER_SCHEMA,
            "disclaimer": self.disclaimer,
            "question": self.question,
            "model": self.model_id,
            "quotes": [q.to_dict() for q in self.quotes],
            "answer": self.text,
            "used_rag": self.used_rag,
            "sources": source_dicts(self.passages),
            "sentences": [s.to_dict() for s in self.sentences],
            "notices": [asdict(n) for n in self.notices],
            "emergency": asdict(self.emergency) if self.emergency else None,
            "settings": self.settings.to_dict(),
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "history_id": self.history_id,
        }
