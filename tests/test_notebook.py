"""The plain Python API renders itself in a notebook, and the example notebook runs top to bottom."""
from __future__ import annotations

import os

import nbformat
import pytest

from medassist import Assistant, GenerationSettings

from .conftest import REPO

pytestmark = pytest.mark.slow  # executes the example notebook with the default model

pytest.importorskip("nbclient", reason="the notebook extra (ipykernel, nbclient) is not installed")


def test_an_answer_renders_itself_as_cited_html_and_markdown(small_home, backend):
    from medassist.settings import Settings

    settings = Settings.from_env({**os.environ, "MEDASSIST_HOME": str(small_home)})
    a = Assistant(settings, backend=backend, record_history=False)
    answer = a.ask("Which men should be screened for abdominal aortic aneurysm?",
                   gen=GenerationSettings(max_new_tokens=48))
    # as Jupyter shows it: through IPython's display formatters, which the notebook module registers
    # (the Answer type itself carries no presentation)
    from IPython.core.interactiveshell import InteractiveShell

    from medassist.notebook import register_display

    shell = InteractiveShell.instance()
    assert register_display()
    shown, _ = shell.display_formatter.format(answer)
    html, md = shown["text/html"], shown["text/markdown"]
    assert "Research use only" in html and 'class="ma-src"' in html and "<script" not in html
    assert "Research use only" in md and "**Sources**" in md


def test_the_example_notebook_executes(small_home, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("MEDASSIST_HOME", str(small_home))  # the kernel inherits it
    nb = nbformat.read(REPO / "examples" / "medassist_notebook.ipynb", as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    rendered = [o for o in outputs if o.output_type == "execute_result" and "text/html" in o.get("data", {})]
    assert any("ma-src" in o["data"]["text/html"] for o in rendered)  # the answer with its sources
    widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widgets, "the widget displayed itself"
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "gemma3-270m@llamacpp" in text and "Research use only" in text
    assert "passages shown once for both models: 0" not in text
