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
    entry. Example: ``SharedContextRetriever(ctx=ctx, k=3).invoke("timeout errors")``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    ctx: SharedContext
    """The context to search."""
    k: int = Field(default=4, ge=1)
    """How many passages to return at most."""
    key: str | None = None
    """Search only this entry; ``None`` searches every live entry."""

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [_document(hit) for hit in self.ctx.search(self.key, query, k=self.k)]

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [_document(hit) for hit in await self.ctx.asearch(self.key, query, k=self.k)]


def _document(hit: Hit) -> Document:
    metadata: dict[str, Any] = {
        "key": hit.key,
        "agent": hit.agent,
        "location": hit.location,
        "score": hit.score,
    }
    return Document(page_content=hit.text, metadata=metadata)
