"""Jupyter: a widget with a question box, model picker, streaming output, citations and a compare mode.

    from medassist.notebook import AssistantWidget
    w = AssistantWidget()          # shows itself when it is the cell's last expression
    answer = w.ask("Who should be screened for lung cancer?")    # also callable from code
    result = w.compare("...", ["gemma3-270m", "gemma3-270m@llamacpp"])

The plain API needs no widget: `Assistant(...).ask(...)` returns an Answer that a notebook shows as
cited HTML (or Markdown): `register_display()` teaches IPython how, and `import medassist` calls it
when IPython is running. Both go through the same core as the CLI and the web UI.
"""
from __future__ import annotations

import time

from .errors import UserError
from .present import html as H
from .types import GenerationSettings, source_dicts


def register_display() -> bool:
    """Show Answers in Jupyter as cited HTML and Markdown (the types stay free of presentation)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    from .present.markdown import answer_markdown
    from .types import Answer

    formatters = shell.display_formatter.formatters
    formatters["text/html"].for_type(Answer, lambda a: H.answer_page(a.to_dict()))
    formatters["text/markdown"].for_type(Answer, lambda a: answer_markdown(a.to_dict()))
    return True


class AssistantWidget:
    def __init__(self, variants: list[str] | None = None, settings=None, pool=None, k: int = 5,
                 max_new_tokens: int = 160):
        try:
            import ipywidgets as W
        except ImportError:
            raise UserError("The notebook widget needs ipywidgets: pip install 'medassist[notebook]'") from None
        from .pool import ModelPool, default_variants
        from .settings import Settings

        self.pool = pool or ModelPool(settings or Settings.from_env(), progress=lambda m: None)
        self.variants = variants or default_variants()
        self.k, self.max_new_tokens = k, max_new_tokens
        self.mode = W.ToggleButtons(options=["Ask", "Compare"], value="Ask")
        self.model = W.Dropdown(options=self.variants, value=self.variants[0], description="Model")
        self.models = W.SelectMultiple(options=self.variants, value=tuple(self.variants[:2]), description="Compare")
        self.question = W.Textarea(placeholder="Ask a clinical question", layout=W.Layout(width="100%"))
        self.button = W.Button(description="Run", button_style="primary")
        self.output = W.HTML()
        self.button.on_click(lambda _: self.run())
        where = "Questions stay on this machine: the models and the guideline library run locally."
        self.box = W.VBox([W.HTML(f"<style>{H.CSS}</style>{H.banner(where)}"),
                           W.HBox([self.mode, self.model, self.models]), self.question, self.button, self.output])

    def _ipython_display_(self):
        from IPython.display import display

        display(self.box)

    def _show(self, html: str) -> None:
        self.output.value = f"<style>{H.CSS}</style>{html}"

    def run(self):
        try:
            if self.mode.value == "Compare":
                return self.compare()
            return self.ask()
        except UserError as exc:
            self._show(H.error(str(exc)))

    def ask(self, question: str | None = None, model: str | None = None):
        """Stream an answer into the widget; returns the finished Answer."""
        question = question if question is not None else self.question.value
        variant = model or self.model.value
        anchor = f"ma-nb-{int(time.time() * 1000)}"
        with self.pool.generating(variant) as assistant:
            stream = assistant.stream(question, k=self.k, gen=GenerationSettings(max_new_tokens=self.max_new_tokens))
            alarm = H.emergency([n.__dict__ for n in stream.notices])
            lead = H.quotes({"sources": source_dicts(stream.passages), "quotes": [q.to_dict() for q in stream.quotes]},
                            anchor)
            text = ""
            for piece in stream:
                text += piece
                self._show(H.turn(question, lead + H.streaming_body(text.lstrip()), "", alarm))
            answer = stream.answer
        doc = answer.to_dict()
        self._show(H.turn(question, H.answer_body(doc, anchor), H.notices(doc["notices"]), H.emergency(doc["notices"]))
                   + H.evidence(doc["sources"], anchor))
        return answer

    def compare(self, question: str | None = None, models: list[str] | None = None):
        """Several models over the same retrieved evidence, in columns; returns the Comparison."""
        from .compare import compare

        question = question if question is not None else self.question.value
        chosen = list(models or self.models.value)
        if len(chosen) < 2:
            raise UserError("Pick at least two models to compare.")
        result = None
        for result in compare(self.pool, question, chosen, k=self.k,
                              gen=GenerationSettings(max_new_tokens=self.max_new_tokens)):
            self._show(self._comparison(result))
        assert result is not None  # compare() yields at least once
        self._show(self._comparison(result) + H.evidence(source_dicts(result.passages), "ma-cmp"))
        return result

    @staticmethod
    def _comparison(result) -> str:
        notices = [n.__dict__ for n in result.notices]
        doc = {"sources": source_dicts(result.passages), "quotes": [q.to_dict() for q in result.quotes]}
        return H.emergency(notices) + H.quotes(doc, "ma-cmp") + H.columns_html(result) + H.notices(notices)
