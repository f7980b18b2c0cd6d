"""AutoGen tools that let a model list, search and zoom into a SharedContext.

They are components (``tool.dump_component()`` / ``load_component``), like the model context:
the config names the context (``context_name``, see :mod:`agent_baton_autogen.registry`), never
holds it, and no code is stored or executed on load (AutoGen's ``FunctionTool`` would store the
source of a closure, which loses the context it closes over).
"""

from __future__ import annotations

import asyncio
import logging
from abc import abstractmethod
from typing import Any, Generic, Self, TypeVar

from autogen_core import CancellationToken, Component
from autogen_core.tools import BaseTool
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
from agent_baton_autogen.registry import DEFAULT_CONTEXT_NAME, claim_name, resolve_name
from agent_baton_autogen.runs import check_scope, run_scope, running_member

READ_TOOL_NAME = ToolNames().read
SEARCH_TOOL_NAME = ToolNames().search
LIST_TOOL_NAME = ToolNames().list
CONTEXT_TOOL_NAMES = frozenset({READ_TOOL_NAME, SEARCH_TOOL_NAME, LIST_TOOL_NAME})
"""Names of the tools :func:`make_context_tools` returns without a prefix."""

SEARCH_RESULTS = 5

logger = logging.getLogger("agent_baton_autogen")


def is_context_tool(name: str) -> bool:
    """Whether ``name`` is one of the context tools, with any prefix."""
    return name.endswith(tuple(CONTEXT_TOOL_NAMES))


class SharedContextToolConfig(BaseModel):
    """Component config of the context tools: the SharedContext by name, and the tools' shape."""

    context_name: str = DEFAULT_CONTEXT_NAME
    prefix: str = ""
    max_tokens: int = DEFAULT_TOOL_TOKENS
    scope: str | None = None


class ReadArgs(BaseModel):
    """Arguments of the read tool."""

    key: str = Field(description="Key of the entry, as a compressed message's note names it.")
    query: str | None = Field(
        default=None,
        description="Words to focus on: the parts of the original that match, compressed.",
    )
    full: bool = Field(
        default=False, description="True returns the original itself, one page at a time."
    )
    page: int = Field(default=1, ge=1, description="The page of the original, with full=true.")
    max_tokens: int | None = Field(
        default=None, ge=1, description="At most this many tokens (the tool's budget at most)."
    )


class SearchArgs(BaseModel):
    """Arguments of the search tool."""

    query: str = Field(description="Words to look for, e.g. an error code, a name or a topic.")
    key: str | None = Field(default=None, description="Search only this entry.")


class ListArgs(BaseModel):
    """The list tool takes no arguments."""


ArgsT = TypeVar("ArgsT", bound=BaseModel)


# autogen-core bounds BaseTool's return type by BaseModel, yet BaseTool turns any return value into
# the model's text (return_value_as_string) and FunctionTool returns str: the bound is wrong.
class _ContextTool(
    BaseTool[ArgsT, str],  # type: ignore[type-var]
    Component[SharedContextToolConfig],
    Generic[ArgsT],
):
    """A tool over a SharedContext; its answer fits ``max_tokens`` and is made off the loop."""

    component_config_schema = SharedContextToolConfig
    args: type[ArgsT]
    base_name: str
    about: str

    def __init__(
        self,
        ctx: SharedContext,
        *,
        prefix: str = "",
        max_tokens: int = DEFAULT_TOOL_TOKENS,
        scope: str | None = None,
        context_name: str = DEFAULT_CONTEXT_NAME,
    ) -> None:
        if not isinstance(ctx, SharedContext):
            raise TypeError(f"ctx must be an agent_baton.SharedContext, not {type(ctx).__name__}")
        if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 100:
            raise ValueError(f"max_tokens must be an int >= 100, not {max_tokens!r}")
        check_scope(scope)
        self._ctx = ctx
        self._prefix = prefix
        self._max_tokens = max_tokens
        self._scope = scope
        self._context_name = context_name
        self._tools = tool_names(prefix)
        super().__init__(self.args, str, prefix + self.base_name, self.about)

    async def run(self, args: ArgsT, cancellation_token: CancellationToken) -> str:
        """The answer, from the scope of the team run calling the tool (or ``scope``)."""
        view = run_scope(self._ctx, self._scope, running_member())
        return await asyncio.to_thread(self._answer, view, args)

    @abstractmethod
    def _answer(self, view: SharedContext, args: ArgsT) -> str: ...

    def _to_config(self) -> SharedContextToolConfig:
        claim_name(self._context_name, self._ctx)
        return SharedContextToolConfig(
            context_name=self._context_name,
            prefix=self._prefix,
            max_tokens=self._max_tokens,
            scope=self._scope,
        )

    @classmethod
    def _from_config(cls, config: SharedContextToolConfig) -> Self:
        return cls(
            resolve_name(config.context_name),
            prefix=config.prefix,
            max_tokens=config.max_tokens,
            scope=config.scope,
            context_name=config.context_name,
        )


class ReadSharedContextTool(_ContextTool[ReadArgs]):
    """``read_shared_context``: an entry compressed, focused on a query, or its original paged."""

    component_provider_override = "agent_baton_autogen.ReadSharedContextTool"
    args = ReadArgs
    base_name = READ_TOOL_NAME
    about = (
        "Read an entry of the context shared between agents. By default its compressed form "
        "(omitted parts are marked); with query, the parts of the original that match it; "
        "with full=true the original itself, a page at a time."
    )

    def _answer(self, view: SharedContext, args: ReadArgs) -> str:
        budget = min(args.max_tokens or self._max_tokens, self._max_tokens)
        answer = read_answer(
            view,
            args.key,
            query=args.query,
            full=args.full,
            page=args.page,
            max_tokens=budget,
            tools=self._tools,
        )
        if (
            self._scope is None
            and view is not self._ctx
            and "not stored" in answer  # a cheap test first: most reads find their key
            and view.missing_reason(args.key) == "not stored"
        ):
            # Never stored in this team run's scope: most often a team object that loaded
            # another's saved state (a new team id, a new scope), whose agents' own AutoGen
            # contexts saved the handler's compressed copies, naming keys of the old scope.
            logger.warning(
                "agent-baton: %r was never stored in the scope of this team run (%s). A team "
                "that loads another team object's saved state reads a new scope: give the "
                "BatonInterventionHandler, the context tools and model contexts one "
                "scope=<conversation id>, or give the agents BatonChatCompletionContext, "
                "whose saved state keeps the originals",
                args.key,
                "/".join(view.scope_path),
            )
        return answer


class SearchSharedContextTool(_ContextTool[SearchArgs]):
    """``search_shared_context``: the passages of the originals that match a query."""

    component_provider_override = "agent_baton_autogen.SearchSharedContextTool"
    args = SearchArgs
    base_name = SEARCH_TOOL_NAME
    about = (
        "Search the full original text of the shared context for passages matching a query; "
        f"returns up to {SEARCH_RESULTS} matching passages with their key and location. Use it "
        "to find a detail without reading a whole entry."
    )

    def _answer(self, view: SharedContext, args: SearchArgs) -> str:
        return search_answer(
            view,
            args.query,
            key=args.key,
            k=SEARCH_RESULTS,
            max_tokens=self._max_tokens,
            tools=self._tools,
        )


class ListSharedContextTool(_ContextTool[ListArgs]):
    """``list_shared_context``: key, author and size of each entry."""

    component_provider_override = "agent_baton_autogen.ListSharedContextTool"
    args = ListArgs
    base_name = LIST_TOOL_NAME
    about = (
        "List the entries of the shared context: key, the agent that wrote it, and its size in "
        "tokens in full and compressed."
    )

    def _answer(self, view: SharedContext, args: ListArgs) -> str:
        return listing_answer(view, tools=self._tools, max_tokens=self._max_tokens)


# `| Any`: AutoGen takes invariant lists of other element types (AssistantAgent's tools, a
# union with callables; StaticWorkbench's, BaseTool), which a list of exactly these three
# types does not match under mypy; with Any it matches both, and each item is still
# checked as one of the three where it is used.
def make_context_tools(
    ctx: SharedContext,
    *,
    prefix: str = "",
    max_tokens: int = DEFAULT_TOOL_TOKENS,
    scope: str | None = None,
    context_name: str = DEFAULT_CONTEXT_NAME,
) -> list[ReadSharedContextTool | SearchSharedContextTool | ListSharedContextTool | Any]:
    """Tools over ``ctx``: read, search and list its entries (see ``CONTEXT_TOOL_NAMES``).

    Give them to ``AssistantAgent(tools=...)`` (the model client must support function calling).
    In a team each call reads the team run's scope, the one its agents' model contexts write
    (``scope`` fixes one instead). Every answer fits ``max_tokens`` tokens; a missing key is
    answered with why (expired, evicted, refused as too large, not stored) and the live keys.
    ``prefix`` names them ``{prefix}read_shared_context``, ..., so that two contexts' tools can
    sit on one agent; give the model context and handler the same ``tool_prefix``.
    Their results are never compressed by :class:`BatonChatCompletionContext`.
    """
    return [
        tool(ctx, prefix=prefix, max_tokens=max_tokens, scope=scope, context_name=context_name)
        for tool in (ReadSharedContextTool, SearchSharedContextTool, ListSharedContextTool)
    ]
