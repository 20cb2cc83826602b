"""The retriever and the history log, opened on first use: shared by an Assistant and by a model pool."""
from __future__ import annotations


class SharedParts:
    """Needs `settings`, `_retriever` and `_history` attributes (None until first use)."""

    @property
    def retriever(self):
        if self._retriever is None:
            from .retrieval import Retriever

            self._retriever = Retriever.from_settings(self.settings)
        return self._retriever

    @property
    def history(self):
        if self._history is None:
            from .history import History

            self._history = History(self.settings.history_db)
        return self._history
