"""Add your own guidelines, search them with filters, and hand them to LangChain.

    .venv/bin/python examples/own_guidelines.py path/to/protocols/
"""
import sys
from pathlib import Path

from medassist.retrieval import Retriever, SearchFilters, build_index
from medassist.retrieval.langchain_adapter import as_langchain_retriever
from medassist.settings import Settings

settings = Settings.from_env()
report = build_index([Path(p) for p in sys.argv[1:]], settings.index_location)
for outcome in report.outcomes:  # added / updated / unchanged / duplicate / skipped / failed, with the reason
    print(f"{outcome.status:>9}  {outcome.path}  {outcome.message}")

retriever = Retriever(settings.index_location)
for p in retriever.search("antibiotics in septic shock", k=3, filters=SearchFilters(year_from=2015)):
    print(f"{p.title} · {p.locator()} · {p.score:.2f}\n    {p.text[:160]}")

docs = as_langchain_retriever(retriever, k=3).invoke("lactate reassessment")
print([d.metadata["locator"] for d in docs])
