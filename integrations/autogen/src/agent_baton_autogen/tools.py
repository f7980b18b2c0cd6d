"""AutoGen tools that let a model list, search and zoom into a SharedContext."""

from __future__ import annotations

from typing import Annotated

from autogen_core.tools import FunctionTool

from agent_baton import SharedContext
from agent_baton.answers import format_hits, format_listing, missing_entry

READ_TOOL_NAME = "read_shared_context"
SEARCH_TOOL_NAME = "search_shared_context"
LIST_TOOL_NAME = "list_shared_context"
CONTEXT_TOOL_NAMES = frozenset({READ_TOOL_NAME, SEARCH_TOOL_NAME, LIST_TOOL_NAME})
"""Names of the tools :func:`make_context_tools` returns."""

SEARCH_RESULTS = 5


def make_context_tools(ctx: SharedContext) -> list[FunctionTool]:
    """Tools over ``ctx``: read, search and list its entries (see ``CONTEXT_TOOL_NAMES``).

    Give them to ``AssistantAgent(tools=...)`` (the model client must support function calling).
    A missing key or an empty result is answered with a sentence the model can act on, not an
    exception. Their results are never compressed by :class:`BatonChatCompletionContext`.
    """
    if not isinstance(ctx, SharedContext):
        raise TypeError(f"ctx must be an agent_baton.SharedContext, not {type(ctx).__name__}")

    async def read_shared_context(
        key: Annotated[str, "Key of the entry, as named in a compressed message's note."],
        full: Annotated[bool, "True returns the complete original; False the compressed form."] = (
            False
        ),
    ) -> str:
        text = await ctx.aget(key, full=full)
        return missing_entry(ctx, key) if text is None else text

    async def search_shared_context(
        query: Annotated[str, "Words to look for, e.g. an error code, a name or a topic."],
        key: Annotated[str | None, "Search only this entry; omit to search every entry."] = None,
    ) -> str:
        hits = await ctx.asearch(key, query, k=SEARCH_RESULTS)
        return format_hits(hits, query, key)

    async def list_shared_context() -> str:
        return format_listing(ctx)

    return [
        FunctionTool(
            read_shared_context,
            name=READ_TOOL_NAME,
            description=(
                "Read an entry of the context shared between agents. By default returns the "
                "compressed form (omitted parts are marked); pass full=true for the complete "
                "original when you need details the compressed form left out."
            ),
        ),
        FunctionTool(
            search_shared_context,
            name=SEARCH_TOOL_NAME,
            description=(
                "Search the full original text of the shared context for passages matching a "
                f"query; returns up to {SEARCH_RESULTS} passages with their key and location. "
                "Use it to find a detail without reading a whole entry."
            ),
        ),
        FunctionTool(
            list_shared_context,
            name=LIST_TOOL_NAME,
            description=(
                "List the entries of the shared context: key, the agent that wrote it, and its "
                "size in tokens in full and compressed."
            ),
        ),
    ]
