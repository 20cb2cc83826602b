"""medassist retrieval as a LangChain retriever, for users who build their chains in LangChain.

    from medassist.retrieval import Retriever
    from medassist.retrieval.langchain_adapter import as_langchain_retriever
    docs = as_langchain_retriever(Retriever(index_dir), k=5).invoke("statin for primary prevention")

Each LangChain `Document` carries the passage text and everything a citation needs in `metadata`.
Needs langchain-core (installed with medassist).
"""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict


class MedassistRetriever(BaseRetriever):
    """Hybrid (BM25 + dense) guideline retrieval behind LangChain's retriever interface."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any  # medassist.retrieval.Retriever
    k: int = 5
    mode: str = "hybrid"
    filters: Any = None  # medassist.retrieval.SearchFilters

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.retriever.search(query, k=self.k, mode=self.mode, filters=self.filters)
        return [Document(page_content=p.text, id=p.chunk_id,
                         metadata={**{k: v for k, v in p.to_dict().items() if k != "text" and v is not None},
                                   "locator": p.locator()})
                for p in hits]


def as_langchain_retriever(retriever, k: int = 5, mode: str = "hybrid", filters=None) -> MedassistRetriever:
    return MedassistRetriever(retriever=retriever, k=k, mode=mode, filters=filters)
