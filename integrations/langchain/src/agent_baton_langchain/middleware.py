"""Middleware for ``langchain.agents.create_agent``: agents hand work over through a context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain.agents.middleware import AgentMiddleware, AgentState, ModelRequest, ModelResponse
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.runtime import Runtime

from agent_baton import ContextEntry, SharedContext
from agent_baton_langchain._messages import compressed_copy, message_text
from agent_baton_langchain.tools import CONTEXT_TOOL_NAMES, make_context_tools

DEFAULT_MAX_TOKENS = 4000
DEFAULT_TOOL_RESULT_MAX_TOKENS = 1000
INJECTION_HEADER = (
    "## Context shared by other agents\n"
    "Compressed handoff: each entry's full text is kept under its key "
    "(read_shared_context(key, full=True) returns it; search_shared_context(query) finds details)."
)

ModelCallResult = ModelResponse[Any] | AIMessage


@dataclass(frozen=True, slots=True)
class Injection:
    """What one model call received from other agents."""

    keys: tuple[str, ...]
    """Keys of the entries rendered into the system message."""
    original_tokens: int
    """Tokens of those entries in full: what handing over the raw outputs would cost."""
    injected_tokens: int
    """Tokens of the text added to the system message."""

    @property
    def savings_percent(self) -> float:
        """Share of ``original_tokens`` the injection saved, in percent (0.1 rounded)."""
        if self.original_tokens <= 0:
            return 0.0
        saved = self.original_tokens - self.injected_tokens
        return round(100.0 * saved / self.original_tokens, 1)


def tool_result_key(agent_name: str, tool_call_id: str) -> str:
    """The key under which ``agent_name``'s middleware stores an oversized tool result."""
    return f"{agent_name}:tool:{tool_call_id}"


class SharedContextMiddleware(AgentMiddleware):
    """Connects an agent built with ``create_agent`` to a :class:`agent_baton.SharedContext`.

    - capture: when the agent finishes, its final answer is put under ``agent_name``.
    - inject: before each model call, the entries of OTHER agents are rendered compressed
      (``ctx.render(keys, query=<latest human message>, max_tokens=max_tokens)``) and appended
      to the system message of that call only; the agent's state is not changed.
    - tool results longer than ``tool_result_max_tokens`` are stored in the context under
      ``f"{agent_name}:tool:{tool_call_id}"`` and the model sees them compressed to at most
      that many tokens, with the key to read them in full. The state keeps the full result.
      Results of the shared-context tools themselves are never compressed, so zooming in
      works.
    - the tools of :func:`make_context_tools` are added to the agent (``add_tools=True``);
      do not also pass them to ``create_agent``.

    Several agents with their own middleware over one context thereby hand work over to
    each other. Sync and async agents are both supported.
    """

    def __init__(
        self,
        ctx: SharedContext,
        *,
        agent_name: str,
        inject: bool = True,
        capture: bool = True,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        from_agents: Sequence[str] | None = None,
        tool_result_max_tokens: int | None = DEFAULT_TOOL_RESULT_MAX_TOKENS,
        add_tools: bool = True,
    ) -> None:
        """Configure the middleware of the agent named ``agent_name``.

        Args:
            ctx: The context shared by the agents.
            agent_name: This agent's name: the key of its final answer and the ``agent`` of
                what it stores. Entries of this agent are never injected into it.
            inject: Inject other agents' entries before each model call.
            capture: Put the agent's final answer into the context when it finishes.
            max_tokens: Budget of the injected context block.
            from_agents: Inject only entries of these agents (default: every other agent,
                including entries put with ``agent=None``).
            tool_result_max_tokens: Tool results with more tokens than this are shown to the
                model compressed to this size; ``None`` leaves them alone.
            add_tools: Give the agent ``read_shared_context``, ``search_shared_context`` and
                ``list_shared_context``.
        """
        super().__init__()
        if not isinstance(ctx, SharedContext):
            raise TypeError(f"ctx must be an agent_baton.SharedContext, not {type(ctx).__name__}")
        if not isinstance(agent_name, str) or not agent_name:
            raise ValueError(f"agent_name must be a non-empty str, not {agent_name!r}")
        if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
            raise ValueError(f"max_tokens must be an int >= 1, not {max_tokens!r}")
        if tool_result_max_tokens is not None and (
            isinstance(tool_result_max_tokens, bool)
            or not isinstance(tool_result_max_tokens, int)
            or tool_result_max_tokens < 1
        ):
            raise ValueError(
                "tool_result_max_tokens must be an int >= 1 or None, "
                f"not {tool_result_max_tokens!r}"
            )
        if isinstance(from_agents, str):
            raise TypeError("from_agents must be a list of agent names, not a single str")
        self.ctx = ctx
        self.agent_name = agent_name
        self.inject = inject
        self.capture = capture
        self.max_tokens = max_tokens
        self.from_agents = None if from_agents is None else frozenset(from_agents)
        self.tool_result_max_tokens = tool_result_max_tokens
        self.tools = make_context_tools(ctx) if add_tools else []
        self.last_injection: Injection | None = None
        """What the latest model call of this agent received from other agents."""

    def __repr__(self) -> str:
        return f"SharedContextMiddleware(agent_name={self.agent_name!r}, ctx={self.ctx!r})"

    # -- before each model call ------------------------------------------------------------

    def wrap_model_call(
        self,
        request: ModelRequest,
        handler: Callable[[ModelRequest], ModelResponse[Any]],
    ) -> ModelCallResult:
        """Compress oversized tool results and inject other agents' context, then call."""
        messages = list(request.messages)
        for position, key, text in self._oversized_tool_results(messages):
            entry = self._stored(key, text)
            shown = self.ctx.get(key, max_tokens=self.tool_result_max_tokens)
            messages[position] = compressed_copy(self.ctx, messages[position], entry, shown)
        request = request.override(messages=messages)
        if self.inject:
            keys, original_tokens = self._other_agents_keys()
            if keys:
                block = self.ctx.render(
                    keys, query=_task(request.messages), max_tokens=self.max_tokens
                )
                request = self._with_block(request, block, keys, original_tokens)
        return handler(request)

    async def awrap_model_call(
        self,
        request: ModelRequest,
        handler: Callable[[ModelRequest], Awaitable[ModelResponse[Any]]],
    ) -> ModelCallResult:
        """Async twin of :meth:`wrap_model_call`."""
        messages = list(request.messages)
        for position, key, text in self._oversized_tool_results(messages):
            entry = await self._astored(key, text)
            shown = await self.ctx.aget(key, max_tokens=self.tool_result_max_tokens)
            messages[position] = compressed_copy(self.ctx, messages[position], entry, shown)
        request = request.override(messages=messages)
        if self.inject:
            keys, original_tokens = self._other_agents_keys()
            if keys:
                block = await self.ctx.arender(
                    keys, query=_task(request.messages), max_tokens=self.max_tokens
                )
                request = self._with_block(request, block, keys, original_tokens)
        return await handler(request)

    # -- when the agent finishes -----------------------------------------------------------

    def after_agent(self, state: AgentState, runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Put the agent's final answer under ``agent_name``."""
        answer = _final_answer(state["messages"]) if self.capture else None
        if answer is not None:
            self.ctx.put(self.agent_name, answer, agent=self.agent_name)
        return None

    async def aafter_agent(self, state: AgentState, runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Async twin of :meth:`after_agent`."""
        answer = _final_answer(state["messages"]) if self.capture else None
        if answer is not None:
            await self.ctx.aput(self.agent_name, answer, agent=self.agent_name)
        return None

    # -- internals -------------------------------------------------------------------------

    def _other_agents_keys(self) -> tuple[list[str], int]:
        """Keys of other agents' entries (their stored tool results excepted), full tokens."""
        keys: list[str] = []
        original_tokens = 0
        for entry in self.ctx.entries():
            key = entry.key
            if entry.agent == self.agent_name:
                continue
            if self.from_agents is not None and entry.agent not in self.from_agents:
                continue
            if entry.agent is not None and key.startswith(tool_result_key(entry.agent, "")):
                continue
            keys.append(key)
            original_tokens += entry.original_tokens
        return keys, original_tokens

    def _with_block(
        self, request: ModelRequest, block: str, keys: list[str], original_tokens: int
    ) -> ModelRequest:
        if not block:  # every entry expired since the keys were listed
            return request
        text = f"{INJECTION_HEADER}\n\n{block}"
        self.last_injection = Injection(tuple(keys), original_tokens, self.ctx.count_tokens(text))
        # Appended as a text block, like langchain's TodoListMiddleware does; the existing
        # content is kept as it is (provider-specific blocks such as cache markers survive).
        previous = request.system_message
        content: list[str | dict[Any, Any]] = []
        if previous is not None:
            if isinstance(previous.content, str):
                content.append({"type": "text", "text": previous.content})
            else:
                content.extend(previous.content)
        content.append({"type": "text", "text": f"\n\n{text}" if content else text})
        return request.override(system_message=SystemMessage(content=content))

    def _oversized_tool_results(self, messages: list[AnyMessage]) -> list[tuple[int, str, str]]:
        """(position, key, text) of the tool results to show compressed."""
        limit = self.tool_result_max_tokens
        if limit is None:
            return []
        found = []
        for position, message in enumerate(messages):
            if not isinstance(message, ToolMessage) or message.name in CONTEXT_TOOL_NAMES:
                continue
            text = message_text(message)
            key = tool_result_key(self.agent_name, message.tool_call_id)
            entry = self.ctx.get_entry(key)
            if entry is not None and entry.original == text:  # counted by an earlier call
                tokens = entry.original_tokens
            else:
                tokens = self.ctx.count_tokens(text)
            if tokens > limit:
                found.append((position, key, text))
        return found

    def _stored(self, key: str, text: str) -> ContextEntry:
        entry = self.ctx.get_entry(key)
        if entry is not None and entry.original == text:  # stored by an earlier model call
            return entry
        return self.ctx.put(key, text, self.agent_name)

    async def _astored(self, key: str, text: str) -> ContextEntry:
        entry = self.ctx.get_entry(key)
        if entry is not None and entry.original == text:
            return entry
        return await self.ctx.aput(key, text, self.agent_name)


def _task(messages: list[AnyMessage]) -> str | None:
    """The current task: the text of the latest human message."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return message_text(message) or None
    return None


def _final_answer(messages: list[AnyMessage]) -> str | None:
    """Text of the latest AI message, unless it still calls tools (the run was cut short)."""
    for message in reversed(messages):
        if isinstance(message, AIMessage):
            return None if message.tool_calls else message_text(message) or None
    return None
