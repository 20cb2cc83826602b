"""medassist: a local research assistant that answers from clinical-practice guidelines.

Research use only; not clinical advice. `import medassist` stays light: torch, transformers,
Chroma and sentence-transformers load only when a command needs them.
"""
from .types import DISCLAIMER, Answer, GenerationSettings, Passage, SentenceVerdict

__version__ = "0.1.0"


def _register_notebook_display() -> None:
    import sys

    if "IPython" in sys.modules:  # inside Jupyter: Answers show themselves as cited HTML
        from .notebook import register_display

        register_display()


_register_notebook_display()
__all__ = ["DISCLAIMER", "Answer", "Assistant", "GenerationSettings", "Passage", "SentenceVerdict", "__version__"]


def __getattr__(name: str):
    # Lazy so that `import medassist` does not pull in the model and retrieval stacks.
    if name == "Assistant":
        from .assistant import Assistant

        return Assistant
    raise AttributeError(name)
