"""medassist: a local research assistant that answers from clinical-practice guidelines.

Research use only; not clinical advice. `import medassist` stays light: torch, transformers,
Chroma and sentence-transformers load only when a command needs them.
"""
from .types import DISCLAIMER, Answer, GenerationSettings, Passage, SentenceSupport

__version__ = "0.1.0"
__all__ = ["DISCLAIMER", "Answer", "Assistant", "GenerationSettings", "Passage", "SentenceSupport", "__version__"]


def __getattr__(name: str):
    # Lazy so that `import medassist` does not pull in the model and retrieval stacks.
    if name == "Assistant":
        from .assistant import Assistant

        return Assistant
    raise AttributeError(name)
