"""A LangChain retriever over a SharedContext's passage search."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from agent_baton import Hit, SharedContext


class SharedContextRetriever(BaseRetriever):
    """Finds passages of the ORIGINAL texts in a SharedContext that match a query.

    Each Document holds one passage; its metadata has ``key``, ``agent``, ``location``
    (where the passage sits in the entry) and ``score``. ``key`` limits the search to one
    entry. ``k`` can be given at invoke time too, as LangChain's retrievers take it.
    Example: ``SharedContextRetriever(ctx=ctx, k=3).invoke("timeout errors", k=1)``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    ctx: SharedContext
    """The context to search."""
    k: int = Field(default=4, ge=1)
    """How many passages to return at most (unless ``k`` is passed to ``invoke``)."""
    key: str | None = None
    """Search only this entry; ``None`` searches every live entry."""

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        hits = self.ctx.search(self.key, query, k=self._k(k))
        return [_document(hit) for hit in hits]

    async def _aget_relevant_documents(
        self,
        query: str,
        *,
        run_manager: AsyncCallbackManagerForRetrieverRun,
        k: int | None = None,
    ) -> list[Document]:
        hits = await self.ctx.asearch(self.key, query, k=self._k(k))
        return [_document(hit) for hit in hits]

    def _k(self, k: int | None) -> int:
        if k is None:
            return self.k
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be an int >= 1, not {k!r}")
        return k


def _document(hit: Hit) -> Document:
    metadata: dict[str, Any] = {
        "key": hit.key,
        "agent": hit.agent,
        "location": hit.location,
        "score": hit.score,
    }
    return Document(page_content=hit.text, metadata=metadata)
