"""LangChain tools that let a model list, search and zoom into a SharedContext."""

from __future__ import annotations

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from agent_baton import SharedContext
from agent_baton.answers import format_hits, format_listing, missing_entry

READ_TOOL_NAME = "read_shared_context"
SEARCH_TOOL_NAME = "search_shared_context"
LIST_TOOL_NAME = "list_shared_context"
CONTEXT_TOOL_NAMES = frozenset({READ_TOOL_NAME, SEARCH_TOOL_NAME, LIST_TOOL_NAME})
"""Names of the tools :func:`make_context_tools` returns."""

SEARCH_RESULTS = 5


class ReadSharedContextInput(BaseModel):
    """Arguments of ``read_shared_context``."""

    key: str = Field(description="Key of the entry, as shown by list_shared_context.")
    full: bool = Field(
        default=False,
        description="True returns the complete original text; False the compressed form.",
    )


class SearchSharedContextInput(BaseModel):
    """Arguments of ``search_shared_context``."""

    query: str = Field(description="Words to look for, e.g. an error code, a name or a topic.")
    key: str | None = Field(
        default=None, description="Search only this entry; omit to search every entry."
    )


class ListSharedContextInput(BaseModel):
    """``list_shared_context`` takes no arguments."""


def make_context_tools(ctx: SharedContext) -> list[BaseTool]:
    """The tools read_shared_context, search_shared_context and list_shared_context over ``ctx``.

    Each has a sync and an async implementation. A missing key or an empty result is
    answered with a sentence the model can act on, not an exception.
    """
    if not isinstance(ctx, SharedContext):
        raise TypeError(f"ctx must be an agent_baton.SharedContext, not {type(ctx).__name__}")

    def read(key: str, full: bool = False) -> str:
        text = ctx.get(key, full=full)
        return missing_entry(ctx, key) if text is None else text

    async def aread(key: str, full: bool = False) -> str:
        text = await ctx.aget(key, full=full)
        return missing_entry(ctx, key) if text is None else text

    def search(query: str, key: str | None = None) -> str:
        return format_hits(ctx.search(key, query, k=SEARCH_RESULTS), query, key)

    async def asearch(query: str, key: str | None = None) -> str:
        return format_hits(await ctx.asearch(key, query, k=SEARCH_RESULTS), query, key)

    def list_entries() -> str:
        return format_listing(ctx)

    async def alist_entries() -> str:
        return format_listing(ctx)

    return [
        StructuredTool.from_function(
            func=read,
            coroutine=aread,
            name=READ_TOOL_NAME,
            description=(
                "Read an entry of the context shared between agents. By default returns the "
                "compressed form (omitted parts are marked); pass full=true for the complete "
                "original when you need details the compressed form left out."
            ),
            args_schema=ReadSharedContextInput,
        ),
        StructuredTool.from_function(
            func=search,
            coroutine=asearch,
            name=SEARCH_TOOL_NAME,
            description=(
                "Search the full original text of the shared context for passages matching a "
                f"query; returns up to {SEARCH_RESULTS} passages with their key and location. "
                "Use it to find a detail without reading a whole entry."
            ),
            args_schema=SearchSharedContextInput,
        ),
        StructuredTool.from_function(
            func=list_entries,
            coroutine=alist_entries,
            name=LIST_TOOL_NAME,
            description=(
                "List the entries of the shared context: key, the agent that wrote it, and its "
                "size in tokens in full and compressed."
            ),
            args_schema=ListSharedContextInput,
        ),
    ]
