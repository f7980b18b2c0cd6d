"""CrewAI tools that let an agent zoom into what the shared context compressed.

Every answer is bounded by a token budget (``max_tokens``, default
:data:`~agent_baton.answers.DEFAULT_TOOL_TOKENS`). In an attached crew each run gets copies
bound to its own scope and to the agent's LLM: CrewAI 1.15 (``use_better_compaction``, on by
default with native tool calls) replaces a tool result over a quarter of the model's usable
context window with a short stub, so these tools cut their answers below that threshold.

In an attached crew each agent gets copies (:meth:`~_SharedContextTool.for_agent`) that read
the scope of the run active where they are called (:func:`~agent_baton_crewai.runs.active_run`):
an agent shared by crews run at once, or kept after its crew's run, reads its caller's run,
else the context as the tool was made over, never the scope of a run it served before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, ClassVar, Self

from crewai.tools import BaseTool
from pydantic import BaseModel, Field, PrivateAttr

from agent_baton import BackendUnavailableError, SharedContext
from agent_baton.answers import (
    DEFAULT_TOOL_TOKENS,
    ToolNames,
    listing_answer,
    read_answer,
    search_answer,
)
from agent_baton_crewai._compat import offered_tool_name
from agent_baton_crewai.runs import Run, active_run

DEFAULT_NAMES = ToolNames()
READ_TOOL_NAME = DEFAULT_NAMES.read
SEARCH_TOOL_NAME = DEFAULT_NAMES.search
LIST_TOOL_NAME = DEFAULT_NAMES.list
MIN_ANSWER_TOKENS = 100  # below this an answer is no use; CrewAI may stub it instead
UNAVAILABLE = (
    "The shared context is unavailable for the rest of this run (its backend does not "
    "answer); go on with what your context holds."
)
# CrewAI's share of the usable context window a tool result may take before it is stubbed
# (crewai.llms.base_llm.TOOL_RESULT_CONTEXT_WINDOW_THRESHOLD in 1.15), and our margin below it.
_STUB_THRESHOLD = 0.25
_MARGIN = 0.8


class ReadSharedContextInput(BaseModel):
    """Arguments of ``read_shared_context``."""

    key: str = Field(description="Key of the entry: the name after '###' in your context.")
    query: str | None = Field(
        default=None, description="Words to focus on: returns the parts of the entry about them."
    )
    full: bool = Field(
        default=False, description="True for the original text, in pages, instead of a summary."
    )
    page: int = Field(default=1, ge=1, description="With full=true: which page of the original.")
    max_tokens: int | None = Field(
        default=None,
        ge=1,
        description="Fewer tokens than the default, for a shorter answer (pages keep their size).",
    )


class SearchSharedContextInput(BaseModel):
    """Arguments of ``search_shared_context``."""

    query: str = Field(description="Words to look for, e.g. an error code, a name or a topic.")
    key: str | None = Field(
        default=None, description="Search only this entry; omit to search every entry."
    )
    max_tokens: int | None = Field(
        default=None,
        ge=1,
        description="Fewer tokens than the tool's default, for a shorter answer.",
    )


class ListSharedContextInput(BaseModel):
    """``list_shared_context`` takes no arguments."""


def never_cache(_args: Any = None, _result: Any = None) -> bool:
    """CrewAI's ``cache_function`` for these tools: answers depend on the run, never cache."""
    return False


class _SharedContextTool(BaseTool):
    """A CrewAI tool bound to a SharedContext (kept private: it is not serializable)."""

    role: ClassVar[str]  # which of the ToolNames names this tool: read, search or list
    max_tokens: int = DEFAULT_TOOL_TOKENS
    cache_function: Callable[..., bool] = never_cache
    _ctx: SharedContext = PrivateAttr()
    _names: ToolNames = PrivateAttr(default=DEFAULT_NAMES)
    _llm: Any = PrivateAttr(default=None)
    _origin: _SharedContextTool | None = PrivateAttr(default=None)

    # Subclasses restate ``__init__ = _SharedContextTool.__init__``: type checkers otherwise give
    # each pydantic model a constructor made of its fields (dataclass_transform), not this one.
    def __init__(
        self,
        ctx: SharedContext,
        *,
        max_tokens: int = DEFAULT_TOOL_TOKENS,
        names: ToolNames = DEFAULT_NAMES,
        **data: Any,
    ) -> None:
        if not isinstance(ctx, SharedContext):
            raise TypeError(f"ctx must be an agent_baton.SharedContext, not {type(ctx).__name__}")
        if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
            raise ValueError(f"max_tokens must be an int >= 1, not {max_tokens!r}")
        # Named as the model sees them, so that markers and answers name a tool it can call.
        names = ToolNames(*map(offered_tool_name, (names.read, names.search, names.list)))
        data.setdefault("name", getattr(names, type(self).role))
        data["max_tokens"] = max_tokens  # a field of this class, unknown to BaseTool's signature
        super().__init__(**data)
        self._ctx = ctx
        self._names = names

    @property
    def ctx(self) -> SharedContext:
        """The shared context this tool was made over (a copy reads a run's scope of it)."""
        return self._ctx

    @property
    def names(self) -> ToolNames:
        """The names of this tool and its siblings, as its answers and markers call them."""
        return self._names

    @property
    def origin(self) -> _SharedContextTool:
        """The tool the user made; its copies (:meth:`for_agent`) point back to it."""
        return self._origin or self

    def for_agent(self, llm: Any = None) -> Self:
        """A copy for an attached crew's agent: it reads the scope of the calling run.

        ``llm`` is the CrewAI LLM of the agent that calls the tool (``None``: no such check);
        answers are kept small enough for it. Within a run the copy shares the run's
        ``backend_down`` flag, so that once the backend has failed, no call waits for it again.
        """
        tool = self.model_copy()
        tool._llm, tool._origin = llm, self.origin
        return tool

    def _calling_run(self) -> Run | None:
        """The run whose scope a call reads: a copy's caller's, if one is active; else none."""
        return active_run(self._ctx) if self._origin is not None else None

    def _guarded(self, answer: Callable[[SharedContext], str]) -> str:
        """``answer(view)``, or a sentence saying the backend is unavailable (no exception).

        ``view`` is the calling run's scope, else the context the tool was made over.
        """
        run = self._calling_run()
        if run is not None and run.backend_down:
            return UNAVAILABLE
        try:
            return answer(self._ctx if run is None else run.ctx)
        except BackendUnavailableError:
            if run is not None:
                run.backend_down = True
            return UNAVAILABLE

    async def _arun(self, *args: Any, **kwargs: Any) -> str:
        # The answers compress and count tokens: on a worker thread, off the event loop.
        return await asyncio.to_thread(self._run, *args, **kwargs)

    def _fitted(self, answer: Callable[[int], str], max_tokens: int | None) -> str:
        """``answer(budget)``, the budget halved until CrewAI would not stub the result."""
        budget = min(max_tokens or self.max_tokens, self.max_tokens)
        text = answer(budget)
        while budget > MIN_ANSWER_TOKENS and self._stubbed(text):
            budget = max(budget // 2, MIN_ANSWER_TOKENS)
            text = answer(budget)
        return text

    def _stubbed(self, text: str) -> bool:
        check = getattr(self._llm, "is_tool_result_overflowing_threshold", None)
        if check is None:  # not bound to an LLM, or a CrewAI without compaction
            return False
        try:
            return bool(check(text)[0])
        except Exception:  # an LLM that cannot count: CrewAI then keeps the result too
            return False

    def _page_budget(self, ctx: SharedContext, key: str) -> int:
        """The page size for reading ``key`` in full, kept below CrewAI's stub threshold.

        Pages must not change size between calls (the model asks for page 2 after page 1),
        so it comes from the tool's budget and the whole entry's tokens by the LLM's count,
        not from the call or the page.
        """
        budget = self.max_tokens
        entry = ctx.get_entry(key)
        if entry is None or self._llm is None or not self._stubbed(entry.original):
            return budget
        try:
            window = self._llm.get_context_window_size()
            llm_tokens = self._llm.get_input_tokens_count(entry.original)
        except Exception:
            return budget
        # The threshold in our tokens: the LLM's share of the window, at the entry's ratio.
        ratio = entry.original_tokens / max(llm_tokens, 1)
        cap = int(window * _STUB_THRESHOLD * _MARGIN * ratio)
        return max(min(budget, cap), MIN_ANSWER_TOKENS)


class SharedContextReadTool(_SharedContextTool):
    """``read_shared_context(key, query=None, full=False, page=1, max_tokens=None)``.

    The entry's compressed form within the budget; with ``query`` the original compressed
    again around it; with ``full=True`` the original in pages, each saying how to get the
    next. A missing key is answered with why (expired, evicted, too large) and the live keys.
    """

    name: str = READ_TOOL_NAME
    description: str = (
        "Read an earlier task's output from the shared context. Your context shows earlier "
        "outputs compressed, each under a '### <key>' header, with omitted parts marked. "
        "Call this with that key for more: add a query to get the parts about it, or "
        "full=true for the original text page by page."
    )
    args_schema: type[BaseModel] = ReadSharedContextInput
    role: ClassVar[str] = "read"
    __init__ = _SharedContextTool.__init__  # for type checkers: see the base's __init__

    def _run(
        self,
        key: str,
        query: str | None = None,
        full: bool = False,
        page: int = 1,
        max_tokens: int | None = None,
    ) -> str:
        names = self._names

        def answer(ctx: SharedContext) -> str:
            if full:
                budget = self._page_budget(ctx, key)
                return read_answer(ctx, key, full=True, page=page, max_tokens=budget, tools=names)
            return self._fitted(
                lambda budget: read_answer(ctx, key, query=query, max_tokens=budget, tools=names),
                max_tokens,
            )

        return self._guarded(answer)


class SharedContextSearchTool(_SharedContextTool):
    """``search_shared_context(query, key=None, max_tokens=None)``: matching passages.

    Up to five passages of the originals that share a word with the query, best first, each
    with its key, location and author agent, each cut to its share of the budget.
    """

    name: str = SEARCH_TOOL_NAME
    description: str = (
        "Search the original outputs of earlier tasks for passages matching a query; returns "
        "the best few with their key and location. Use it to find a detail the compressed "
        "context left out without reading a whole output."
    )
    args_schema: type[BaseModel] = SearchSharedContextInput
    role: ClassVar[str] = "search"
    __init__ = _SharedContextTool.__init__  # for type checkers: see the base's __init__

    def _run(self, query: str, key: str | None = None, max_tokens: int | None = None) -> str:
        names = self._names
        return self._guarded(
            lambda ctx: self._fitted(
                lambda budget: search_answer(
                    ctx, query, key=key or None, max_tokens=budget, tools=names
                ),
                max_tokens,
            )
        )


class SharedContextListTool(_SharedContextTool):
    """``list_shared_context()``: the keys of this run's entries, their agents and sizes."""

    name: str = LIST_TOOL_NAME
    description: str = (
        "List the outputs of earlier tasks in the shared context: key, agent, and tokens in "
        "full and compressed."
    )
    args_schema: type[BaseModel] = ListSharedContextInput
    role: ClassVar[str] = "list"
    __init__ = _SharedContextTool.__init__  # for type checkers: see the base's __init__

    def _run(self) -> str:
        names = self._names
        return self._guarded(
            lambda ctx: self._fitted(lambda b: listing_answer(ctx, names, max_tokens=b), None)
        )
