"""What the web UI works with: one model pool, one arena, one library, for every user of the process."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..settings import Settings


@dataclass
class Services:
    settings: Settings
    pool: object  # pool.ModelPool
    arena: object  # arena.Arena
    library: object  # retrieval.manage.Library
    variants: list[str] = field(default_factory=list)  # models offered in the pickers
    server: str | None = None  # an OpenAI-compatible server the questions go to, if any

    @property
    def where(self) -> str:
        if self.server:
            return (f"Questions and retrieved passages are sent to the model server at {self.server}. "
                    "Do not enter patient-identifiable information.")
        return "Questions stay on this machine: the models and the guideline library run locally."

    @property
    def exports(self) -> Path:
        path = self.settings.home / "exports"
        path.mkdir(parents=True, exist_ok=True)
        return path

    @classmethod
    def create(cls, settings: Settings, variants: list[str] | None = None, server: str | None = None,
               progress=print, budget_gib: float | None = None) -> Services:
        from ..arena import Arena
        from ..pool import ModelPool, default_variants
        from ..retrieval import Retriever
        from ..retrieval.manage import Library

        retriever = Retriever.from_settings(settings)
        options = {"server": server} if server else {}
        pool = ModelPool(settings, retriever=retriever, progress=progress, budget_gib=budget_gib,
                         backend_options=options)
        if server:
            variants = [v if "@" in v else f"{v}@server" for v in (variants or ["gemma3-270m"])]
        return cls(settings=settings, pool=pool, arena=Arena(settings.home / "arena.sqlite3"),
                   library=Library(retriever, settings.library_dir / "uploads"),
                   variants=variants or default_variants(), server=server)
