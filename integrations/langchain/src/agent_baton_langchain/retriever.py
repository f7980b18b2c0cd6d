"""A LangChain retriever over a SharedContext's passage search."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableConfig, ensure_config
from pydantic import ConfigDict, Field

from agent_baton import Hit, SharedContext
from agent_baton_langchain.scope import Scope, by_thread, run_info, runtime_context, scoped


class SharedContextRetriever(BaseRetriever):
    """Finds passages of the ORIGINAL texts in a SharedContext that match a query.

    Each Document holds one passage; its metadata has ``key``, ``agent``, ``location``
    (where the passage sits in the entry) and ``score``. ``key`` limits the search to one
    entry. ``k`` can be given at invoke time too, as LangChain's retrievers take it.
    Example: ``SharedContextRetriever(ctx=ctx, k=3).invoke("timeout errors", k=1)``.

    Like the tools, it searches the scope of the run it is called in: by default the
    LangGraph thread (``config["configurable"]["thread_id"]``, from ``invoke``'s config or
    the graph run around the call).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    ctx: SharedContext
    """The context to search."""
    k: int = Field(default=4, ge=1)
    """How many passages to return at most (unless ``k`` is passed to ``invoke``)."""
    key: str | None = None
    """Search only this entry; ``None`` searches every live entry."""
    scope: Scope = by_thread
    """Which scope of ``ctx`` a call searches: see ``make_context_tools``."""

    def invoke(
        self, input: str, config: RunnableConfig | None = None, **kwargs: Any
    ) -> list[Document]:
        """Passages matching ``input``; ``k=`` overrides the number of passages."""
        config = ensure_config(config)  # with the graph run's config around the call
        return super().invoke(input, config, _view=self._scoped(config), **kwargs)

    async def ainvoke(
        self, input: str, config: RunnableConfig | None = None, **kwargs: Any
    ) -> list[Document]:
        """Async twin of :meth:`invoke`."""
        config = ensure_config(config)
        return await super().ainvoke(input, config, _view=self._scoped(config), **kwargs)

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        _view: SharedContext | None = None,
    ) -> list[Document]:
        view = self.ctx if _view is None else _view
        hits = view.search(self.key, query, k=self._k(k))
        return [_document(hit) for hit in hits]

    async def _aget_relevant_documents(
        self,
        query: str,
        *,
        run_manager: AsyncCallbackManagerForRetrieverRun,
        k: int | None = None,
        _view: SharedContext | None = None,
    ) -> list[Document]:
        view = self.ctx if _view is None else _view
        hits = await view.asearch(self.key, query, k=self._k(k))
        return [_document(hit) for hit in hits]

    def _scoped(self, config: RunnableConfig) -> SharedContext:
        return scoped(self.ctx, self.scope, run_info(config, runtime_context()))

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
