"""CrewAI tools that let an agent zoom into what the shared context compressed."""

from __future__ import annotations

from typing import Any

from crewai.tools import BaseTool
from pydantic import BaseModel, Field, PrivateAttr

from agent_baton import SharedContext
from agent_baton.answers import format_hits, missing_entry

READ_TOOL_NAME = "read_shared_context"
SEARCH_TOOL_NAME = "search_shared_context"
SEARCH_RESULTS = 5


class ReadSharedContextInput(BaseModel):
    """Arguments of ``read_shared_context``."""

    key: str = Field(description="Key of the entry: the name after '###' in your context.")
    query: str | None = Field(
        default=None,
        description="Optional words to focus on; omit to get the complete original text.",
    )


class SearchSharedContextInput(BaseModel):
    """Arguments of ``search_shared_context``."""

    query: str = Field(description="Words to look for, e.g. an error code, a name or a topic.")
    key: str | None = Field(
        default=None, description="Search only this entry; omit to search every entry."
    )


class _SharedContextTool(BaseTool):
    """A CrewAI tool bound to a SharedContext (kept private: it is not serializable)."""

    _ctx: SharedContext = PrivateAttr()

    def __init__(self, ctx: SharedContext, **data: Any) -> None:
        if not isinstance(ctx, SharedContext):
            raise TypeError(f"ctx must be an agent_baton.SharedContext, not {type(ctx).__name__}")
        super().__init__(**data)
        self._ctx = ctx

    @property
    def ctx(self) -> SharedContext:
        """The shared context this tool reads."""
        return self._ctx


class SharedContextReadTool(_SharedContextTool):
    """``read_shared_context(key, query=None)``: the complete original of an entry.

    With ``query``, the original compressed again around what matches the query instead.
    A missing key is answered with the available keys, not an exception.
    """

    name: str = READ_TOOL_NAME
    description: str = (
        "Read the complete original output of an earlier task from the shared context. Your "
        "context shows earlier outputs compressed, each under a '### <key>' header, with "
        "omitted parts marked; call this with that key to get everything, or add a query to "
        "get only the parts about it."
    )
    args_schema: type[BaseModel] = ReadSharedContextInput

    # Restated so type checkers see ctx rather than the fields pydantic would synthesize.
    def __init__(self, ctx: SharedContext, **data: Any) -> None:
        super().__init__(ctx, **data)

    def _run(self, key: str, query: str | None = None) -> str:
        text = self._ctx.get(key, full=not query, query=query or None)
        return missing_entry(self._ctx, key) if text is None else text

    async def _arun(self, key: str, query: str | None = None) -> str:
        text = await self._ctx.aget(key, full=not query, query=query or None)
        return missing_entry(self._ctx, key) if text is None else text


class SharedContextSearchTool(_SharedContextTool):
    """``search_shared_context(query, key=None)``: passages of the originals matching a query.

    Up to five passages, best first, each with its key, location and author agent.
    """

    name: str = SEARCH_TOOL_NAME
    description: str = (
        "Search the complete original outputs of earlier tasks for passages matching a query; "
        f"returns up to {SEARCH_RESULTS} passages with their key and location. Use it to find "
        "a detail the compressed context left out without reading a whole output."
    )
    args_schema: type[BaseModel] = SearchSharedContextInput

    # Restated so type checkers see ctx rather than the fields pydantic would synthesize.
    def __init__(self, ctx: SharedContext, **data: Any) -> None:
        super().__init__(ctx, **data)

    def _run(self, query: str, key: str | None = None) -> str:
        return format_hits(self._ctx.search(key or None, query, k=SEARCH_RESULTS), query, key)

    async def _arun(self, query: str, key: str | None = None) -> str:
        hits = await self._ctx.asearch(key or None, query, k=SEARCH_RESULTS)
        return format_hits(hits, query, key)
