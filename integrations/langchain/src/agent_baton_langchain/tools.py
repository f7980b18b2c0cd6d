"""LangChain tools that let a model list, search and zoom into a SharedContext."""

from __future__ import annotations

import asyncio

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from agent_baton import SharedContext
from agent_baton.answers import (
    DEFAULT_TOOL_TOKENS,
    ToolNames,
    listing_answer,
    read_answer,
    search_answer,
    tool_names,
)
from agent_baton_langchain.scope import (
    Scope,
    by_thread,
    check_scope,
    run_info,
    runtime_context,
    scoped,
)

READ_TOOL_NAME = ToolNames().read
SEARCH_TOOL_NAME = ToolNames().search
LIST_TOOL_NAME = ToolNames().list
CONTEXT_TOOL_NAMES = frozenset({READ_TOOL_NAME, SEARCH_TOOL_NAME, LIST_TOOL_NAME})
"""Names of the tools :func:`make_context_tools` returns (without a prefix)."""

CONTEXT_TOOL_METADATA = "agent_baton_context_tool"
"""Key set in the ``metadata`` of every context tool, so middleware never compresses what
a zoom returned, whatever the tools' prefix."""

SEARCH_RESULTS = 5


class ReadSharedContextInput(BaseModel):
    """Arguments of ``read_shared_context``."""

    key: str = Field(description="Key of the entry, as shown by the list tool.")
    query: str | None = Field(
        default=None,
        description="Words the answer should keep (an error code, a name): the original is "
        "compressed again around them.",
    )
    full: bool = Field(
        default=False,
        description="True returns the complete original, a page at a time; False the "
        "compressed form.",
    )
    page: int = Field(default=1, ge=1, description="Which page of the original, with full=true.")
    max_tokens: int | None = Field(
        default=None, ge=1, description="Answer in at most this many tokens (default: the cap)."
    )


class SearchSharedContextInput(BaseModel):
    """Arguments of ``search_shared_context``."""

    query: str = Field(description="Words to look for, e.g. an error code, a name or a topic.")
    key: str | None = Field(
        default=None, description="Search only this entry; omit to search every entry."
    )
    k: int = Field(default=SEARCH_RESULTS, ge=1, le=20, description="Passages to return at most.")


class ListSharedContextInput(BaseModel):
    """``list_shared_context`` takes no arguments."""


def make_context_tools(
    ctx: SharedContext,
    *,
    scope: Scope = by_thread,
    prefix: str = "",
    max_tokens: int = DEFAULT_TOOL_TOKENS,
) -> list[BaseTool]:
    """The tools read_shared_context, search_shared_context and list_shared_context over ``ctx``.

    Args:
        ctx: The context the tools read.
        scope: Which scope of ``ctx`` a call reads: by default the LangGraph thread of the
            call (``config["configurable"]["thread_id"]``), so the tools of one agent serving
            many threads see only the calling thread's entries; a str for a fixed scope, a
            function of :class:`~agent_baton_langchain.scope.RunInfo` (e.g.
            ``lambda run: run.context.user_id``), or ``None`` for ``ctx`` itself.
        prefix: Put before each tool's name (``"docs_"`` gives ``docs_read_shared_context``),
            so tools over two contexts can sit on one agent.
        max_tokens: Cap of every answer in tokens; the model may ask a read for fewer.

    Each has a sync and an async implementation. Answers name these tools (with their
    prefix); a missing key or an empty result is answered with a sentence saying why,
    not an exception.
    """
    if not isinstance(ctx, SharedContext):
        raise TypeError(f"ctx must be an agent_baton.SharedContext, not {type(ctx).__name__}")
    scope = check_scope(scope)
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise ValueError(f"max_tokens must be an int >= 1, not {max_tokens!r}")
    names = tool_names(prefix)

    def view(config: RunnableConfig) -> SharedContext:
        return scoped(ctx, scope, run_info(config, runtime_context()))

    def read(
        key: str,
        config: RunnableConfig,
        query: str | None = None,
        full: bool = False,
        page: int = 1,
        max_tokens: int | None = None,
    ) -> str:
        budget = cap if max_tokens is None else min(max_tokens, cap)
        return read_answer(
            view(config), key, query=query, full=full, page=page, max_tokens=budget, tools=names
        )

    def search(
        query: str, config: RunnableConfig, key: str | None = None, k: int = SEARCH_RESULTS
    ) -> str:
        return search_answer(view(config), query, key=key, k=k, max_tokens=cap, tools=names)

    def list_entries(config: RunnableConfig) -> str:
        return listing_answer(view(config), tools=names, max_tokens=cap)

    # Answers may compress: the async twins run them on a worker thread (contextvars, and so
    # the LangGraph run, go along).
    async def aread(
        key: str,
        config: RunnableConfig,
        query: str | None = None,
        full: bool = False,
        page: int = 1,
        max_tokens: int | None = None,
    ) -> str:
        return await asyncio.to_thread(read, key, config, query, full, page, max_tokens)

    async def asearch(
        query: str, config: RunnableConfig, key: str | None = None, k: int = SEARCH_RESULTS
    ) -> str:
        return await asyncio.to_thread(search, query, config, key, k)

    async def alist_entries(config: RunnableConfig) -> str:
        return await asyncio.to_thread(list_entries, config)

    cap = max_tokens
    metadata = {CONTEXT_TOOL_METADATA: True}
    return [
        StructuredTool.from_function(
            func=read,
            coroutine=aread,
            name=names.read,
            description=(
                "Read an entry of the context shared between agents. Returns its compressed "
                "form (omitted parts are marked); with query, the original compressed again "
                "around those words; with full=true the complete original, page by page. "
                f"Answers fit in {cap:,} tokens."
            ),
            args_schema=ReadSharedContextInput,
            metadata=metadata,
        ),
        StructuredTool.from_function(
            func=search,
            coroutine=asearch,
            name=names.search,
            description=(
                "Search the full original text of the shared context for passages matching a "
                "query; returns only matching passages with their key and location, in at "
                f"most {cap:,} tokens. Use it to find a detail without reading a whole entry."
            ),
            args_schema=SearchSharedContextInput,
            metadata=metadata,
        ),
        StructuredTool.from_function(
            func=list_entries,
            coroutine=alist_entries,
            name=names.list,
            description=(
                "List the entries of the shared context: key, the agent that wrote it, and its "
                "size in tokens in full and compressed."
            ),
            args_schema=ListSharedContextInput,
            metadata=metadata,
        ),
    ]
