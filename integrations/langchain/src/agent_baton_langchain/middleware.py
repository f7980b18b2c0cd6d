"""Middleware for ``langchain.agents.create_agent``: agents hand work over through a context."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import threading
import warnings
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from langchain.agents.middleware import AgentMiddleware, AgentState, ModelRequest, ModelResponse
from langchain_core.messages import (
    AIMessage,
    AnyMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import BaseTool
from langgraph.config import get_config
from langgraph.runtime import Runtime
from pydantic import BaseModel

from agent_baton import ContextEntry, EntryTooLargeError, SharedContext
from agent_baton.answers import ToolNames, tool_names
from agent_baton.compress import compress
from agent_baton.compress.markers import name_tools
from agent_baton.entry import text_bytes
from agent_baton.tokens import TokenCounter
from agent_baton_langchain._eviction import Holdings, room_of
from agent_baton_langchain._messages import compressed_copy, message_text, with_text
from agent_baton_langchain._witness import model_inputs
from agent_baton_langchain.scope import (
    Scope,
    by_thread,
    check_scope,
    run_info,
    scoped,
    thread_path,
)
from agent_baton_langchain.tools import CONTEXT_TOOL_METADATA, make_context_tools

DEFAULT_MAX_TOKENS = 4000
DEFAULT_TOOL_RESULT_MAX_TOKENS = 1000
_REMEMBERED_RUNS = 1024  # runs whose latest injection injection_for() can still tell
_NAMED_LOST = 5  # lost entries named in the note of a prompt; the rest are counted

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


def message_key(agent_name: str, message_id: str) -> str:
    """The key under which ``agent_name``'s middleware stores another agent's long message."""
    return f"{agent_name}:message:{message_id}"


def injection_header(tools: ToolNames) -> str:
    """The lines above the injected entries, naming the agent's context tools."""
    return (
        "## Context shared by other agents\n"
        "Compressed handoff: each entry's full text is kept under its key "
        f"({tools.read}(key=..., full=true) returns it page by page, "
        f"{tools.read}(key=..., query=...) around some words; "
        f"{tools.search}(query=...) finds details)."
    )


@dataclass(slots=True)
class _RunMemory:
    """What the middleware did in one run (scope): the copies it stored, those it lost."""

    copies: OrderedDict[str, None] = field(default_factory=OrderedDict)
    """Keys of the tool results and messages it stored to compress them, oldest first."""
    lost: set[str] = field(default_factory=set)
    """Copies gone since (evicted, expired, given up for room): never stored again, the
    model sees LangChain's own text, which the state holds."""
    warned: set[str] = field(default_factory=set)
    """Keys of lost handoffs a warning already named."""
    full: bool = False
    """Whether a warning said that the run's copies reached the context's bound."""
    given_up: dict[str, str] = field(default_factory=dict)
    """Digest of a lost copy's text -> what the model is shown of it: compressed once, here,
    since the context no longer holds it (the state keeps the full text)."""


@dataclass(frozen=True, slots=True)
class _Call:
    """One model call or agent end: the scope it works in and the agent's name."""

    view: SharedContext
    agent: str


class SharedContextMiddleware(AgentMiddleware):
    """Connects an agent built with ``create_agent`` to a :class:`agent_baton.SharedContext`.

    Every call works in the scope of its run (by default the LangGraph thread: see
    ``scope``), so one compiled agent serving many threads keeps their entries apart.

    - capture: when the agent finishes, its final answer (or its ``structured_response``) is
      appended under the agent's name: a second run in the same scope adds
      ``researcher#2`` instead of replacing the first.
    - inject: before each model call, the entries of OTHER agents in the scope are rendered
      compressed (``ctx.render(keys, query=<latest human message>, max_tokens=max_tokens)``)
      and appended to the system message of that call only; the agent's state is not
      changed. When they do not fit at all, a line naming them is injected instead.
    - messages: a long message of another agent in the agent's messages (agents as nodes of
      one ``StateGraph``, a subagent's answer as a tool result) is shown to the model
      compressed, and not injected a second time; so is any tool result longer than
      ``tool_result_max_tokens``, stored under ``f"{agent}:tool:{tool_call_id}"``. The state
      keeps the full text. Results of context tools are never compressed, so zooming works.
    - the tools of :func:`make_context_tools` are added to the agent (``add_tools=True``);
      do not also pass them to ``create_agent``.

    Wrap-model-call middleware run in list order, the first outermost: list this one AFTER
    middleware that replaces the system message (``@dynamic_prompt``), or its injection is
    replaced too. It checks what the model really received: an injection that did not reach
    the model is never reported by :meth:`injection_for`, and a warning says so.
    """

    def __init__(
        self,
        ctx: SharedContext,
        *,
        agent_name: str | None = None,
        scope: Scope = by_thread,
        inject: bool = True,
        capture: bool = True,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        from_agents: Sequence[str] | None = None,
        tool_result_max_tokens: int | None = DEFAULT_TOOL_RESULT_MAX_TOKENS,
        add_tools: bool = True,
        tool_prefix: str = "",
    ) -> None:
        """Configure the middleware of one agent.

        Args:
            ctx: The context shared by the agents.
            agent_name: This agent's name: the key of its final answer and the ``agent`` of
                what it stores. Entries of this agent are never injected into it. Default:
                the name given to ``create_agent(..., name=...)``.
            scope: Which scope of ``ctx`` a run uses: by default its LangGraph thread
                (``config["configurable"]["thread_id"]``; no thread: ``ctx`` itself); a str
                for a fixed scope; a function of
                :class:`~agent_baton_langchain.scope.RunInfo`, e.g.
                ``lambda run: run.context.user_id`` for ``invoke(..., context=...)``;
                ``None`` for ``ctx`` itself always.
            inject: Inject other agents' entries before each model call.
            capture: Put the agent's final answer into the context when it finishes.
            max_tokens: Budget of the injected context block.
            from_agents: Inject only entries of these agents (default: every other agent,
                including entries put with ``agent=None``).
            tool_result_max_tokens: Tool results and other agents' messages with more tokens
                than this are shown to the model compressed to this size; ``None`` leaves
                them alone.
            add_tools: Give the agent the read, search and list tools over ``ctx``.
            tool_prefix: Put before the tools' names, so that two contexts (two middleware)
                fit on one agent: ``tool_prefix="docs_"`` gives ``docs_read_shared_context``.
        """
        super().__init__()
        if not isinstance(ctx, SharedContext):
            raise TypeError(f"ctx must be an agent_baton.SharedContext, not {type(ctx).__name__}")
        if agent_name is not None and (not isinstance(agent_name, str) or not agent_name):
            raise ValueError(f"agent_name must be a non-empty str or None, not {agent_name!r}")
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
        self.scope = check_scope(scope)
        self.inject = inject
        self.capture = capture
        self.max_tokens = max_tokens
        self.from_agents = None if from_agents is None else frozenset(from_agents)
        self.tool_result_max_tokens = tool_result_max_tokens
        self.tool_prefix = tool_prefix
        self.tool_names = tool_names(tool_prefix)
        self.tools = (
            make_context_tools(ctx, scope=self.scope, prefix=tool_prefix) if add_tools else []
        )
        self._injections: OrderedDict[tuple[str, ...], Injection | None] = OrderedDict()
        self._runs: OrderedDict[tuple[str, ...], _RunMemory] = OrderedDict()
        self._lock = threading.Lock()
        self._warned = False
        self._warned_unscoped = False

    @property
    def name(self) -> str:
        """The middleware's name in the graph; two on one agent differ by their tool prefix."""
        base = type(self).__name__
        return f"{base}_{self.tool_prefix.strip('_')}" if self.tool_prefix else base

    def __repr__(self) -> str:
        return f"SharedContextMiddleware(agent_name={self.agent_name!r}, ctx={self.ctx!r})"

    # -- what reached the model ------------------------------------------------------------

    def injection_for(self, scope: str | int | None = None) -> Injection | None:
        """What the latest model call of the run in ``scope`` received from other agents.

        ``scope`` is the run's scope name: its ``thread_id`` by default (an int as its str,
        the thread LangGraph's checkpointer keys it as: ``1`` is ``"1"``, while ``0`` is
        not ``"0"``), ``None`` for runs without one. ``None`` when that call got nothing
        (or the injection did not reach the model).
        """
        path = (*self.ctx.scope_path, *thread_path(scope))
        with self._lock:
            return self._injections.get(path)

    @property
    def last_injection(self) -> Injection | None:
        """What the latest model call of any run received from other agents.

        With concurrent runs this is whichever called last: :meth:`injection_for` tells
        each run's own.
        """
        with self._lock:
            return next(reversed(self._injections.values()), None)

    # -- before each model call ------------------------------------------------------------

    def wrap_model_call(
        self,
        request: ModelRequest,
        handler: Callable[[ModelRequest], ModelResponse[Any]],
    ) -> ModelCallResult:
        """Compress long messages and inject other agents' context, then call the model."""
        call = self._call(request.runtime)
        request, injection = self._prepare(call, request)
        if injection is None:
            self._remember(call, None)
            return handler(request)
        with model_inputs() as seen:
            response = handler(request)
        self._remember(call, injection if self._reached(seen.prompts, request) else None)
        return response

    async def awrap_model_call(
        self,
        request: ModelRequest,
        handler: Callable[[ModelRequest], Awaitable[ModelResponse[Any]]],
    ) -> ModelCallResult:
        """Async twin of :meth:`wrap_model_call` (the context work runs on a worker thread)."""
        call = self._call(request.runtime)
        request, injection = await asyncio.to_thread(self._prepare, call, request)
        if injection is None:
            self._remember(call, None)
            return await handler(request)
        with model_inputs() as seen:
            response = await handler(request)
        self._remember(call, injection if self._reached(seen.prompts, request) else None)
        return response

    # -- when the agent finishes -----------------------------------------------------------

    def after_agent(self, state: AgentState, runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Append the agent's final answer (or structured response) under its name."""
        if self.capture and (answer := _handoff(state)) is not None:
            self._capture(self._call(runtime), answer)
        return None

    async def aafter_agent(self, state: AgentState, runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Async twin of :meth:`after_agent`."""
        if self.capture and (answer := _handoff(state)) is not None:
            await asyncio.to_thread(self._capture, self._call(runtime), answer)
        return None

    # -- internals -------------------------------------------------------------------------

    def _call(self, runtime: Runtime[Any]) -> _Call:
        config = get_config()
        agent = self.agent_name or (config.get("metadata") or {}).get("lc_agent_name")
        if not agent:
            raise ValueError(
                "SharedContextMiddleware needs the agent's name: create_agent(..., name=...) "
                "or SharedContextMiddleware(ctx, agent_name=...)"
            )
        return _Call(scoped(self.ctx, self.scope, run_info(config, runtime.context)), agent)

    def _capture(self, call: _Call, answer: str | dict[str, Any] | list[Any]) -> None:
        """Append the agent's answer; warn once if runs without a thread mix in one scope."""
        if (
            self.scope is by_thread
            and call.view.scope_path == self.ctx.scope_path
            and not self._warned_unscoped
            and call.view.get_entry(call.agent) is not None
        ):
            self._warned_unscoped = True
            warnings.warn(
                f"{self.name}: runs without a thread_id (or session_id) all share one scope: "
                f"{call.agent!r} already holds another run's answer there, which the next "
                "agents of either run are shown. Give each user or conversation its own "
                "thread: invoke(..., {'configurable': {'thread_id': ...}}).",
                RuntimeWarning,
                stacklevel=3,
            )
        # The answer is the run's handoff: the run's own copies make room for it first.
        with self._room(call, self._run(call), text_bytes(json.dumps(answer))):
            _refused_warns(call.view.append, call.agent, answer, call.agent)

    def _run(self, call: _Call) -> _RunMemory:
        """The memory of the run ``call`` belongs to (made on its first call)."""
        path = call.view.scope_path
        with self._lock:
            run = self._runs.pop(path, None) or _RunMemory()
            self._runs[path] = run
            if len(self._runs) > _REMEMBERED_RUNS:
                self._runs.popitem(last=False)
            return run

    def _prepare(self, call: _Call, request: ModelRequest) -> tuple[ModelRequest, Injection | None]:
        """The request the model should get, and what it injects from other agents."""
        run = self._run(call)
        others = [entry for entry in call.view.entries() if entry.agent != call.agent]
        messages, in_messages = self._shown_messages(call, run, request, others)
        request = request.override(messages=messages)
        if not self.inject:
            return request, None
        entries = [
            entry
            for entry in others
            if entry.key not in in_messages
            and (self.from_agents is None or entry.agent in self.from_agents)
            and not _is_stored_message(entry)
        ]
        note = self._lost_note(call, run)
        if not entries and not note:
            return request, None
        keys = [entry.key for entry in entries]
        original_tokens = sum(entry.original_tokens for entry in entries)
        query = _task(request.messages)
        body = (
            call.view.render(keys, query=query, max_tokens=self.max_tokens, tools=self.tool_names)
            if keys
            else ""
        )
        if not body and keys:  # not even one entry's header fits the budget: name them at least
            body = (
                f"[{len(keys)} entries ({original_tokens:,} tokens in full) do not fit in "
                f"{self.max_tokens:,} tokens: {', '.join(keys)} — "
                f"{self.tool_names.read}(key=...) reads one]"
            )
        body = "\n\n".join(part for part in (body, note) if part)
        text = f"{injection_header(self.tool_names)}\n\n{body}"
        injection = Injection(tuple(keys), original_tokens, call.view.count_tokens(text))
        return _with_block(request, text), injection

    def _lost_note(self, call: _Call, run: _RunMemory) -> str:
        """A line naming the entries handed to this run that are gone; warns once per key.

        The context's bounds are for every run together and its ``ttl`` outlives no
        checkpointer: another user's activity, or a thread resumed hours later, takes entries
        a run was given. The model is told rather than left to think there were none.
        """
        lost = {
            key: why
            for key, why in call.view.missing_keys().items()
            if self._handed(call.agent, key)
        }
        if not lost:
            return ""
        for key in lost.keys() - run.warned:
            run.warned.add(key)
            warnings.warn(
                f"{self.name}: {key!r}, handed to {call.agent!r} in scope "
                f"{call.view.scope_path!r}, is gone from the shared context "
                f"({lost[key]}): its prompt only says so. max_entries and max_bytes bound "
                "every run together, ttl every entry: size them for all users at once.",
                RuntimeWarning,
                stacklevel=4,
            )
        named = [f"{key} ({why})" for key, why in list(lost.items())[:_NAMED_LOST]]
        more = f" and {len(lost) - _NAMED_LOST} more" if len(lost) > _NAMED_LOST else ""
        return (
            f"[Gone from the shared context before this call: {', '.join(named)}{more}. "
            "Their text is no longer available here; ask for it again if the task needs it.]"
        )

    def _handed(self, agent: str, key: str) -> bool:
        """Whether ``key`` would be injected into ``agent``: another agent's handoff."""
        name = key.partition("#")[0]
        if name == agent or ":tool:" in key or ":message:" in key:  # its own, or a copy
            return False
        return self.from_agents is None or name in self.from_agents

    def _shown_messages(
        self, call: _Call, run: _RunMemory, request: ModelRequest, others: list[ContextEntry]
    ) -> tuple[list[AnyMessage], set[str]]:
        """The messages with long foreign ones compressed; keys of entries they already show.

        Foreign: tool results (but those of context tools) and final messages of other
        agents, which, with agents as nodes of one graph, share the agent's messages.
        """
        context_tools = {
            tool.name
            for tool in request.tools
            if isinstance(tool, BaseTool) and (tool.metadata or {}).get(CONTEXT_TOOL_METADATA)
        }
        by_original = {entry.original: entry for entry in others}
        limit = self.tool_result_max_tokens
        task = _task(request.messages)
        messages = list(request.messages)
        in_messages: set[str] = set()
        for position, message in enumerate(messages):
            if isinstance(message, ToolMessage):
                if message.name in context_tools:
                    continue
                key = tool_result_key(call.agent, message.tool_call_id)
            elif isinstance(message, AIMessage) and not message.tool_calls:
                if message.name == call.agent:
                    continue
                # An unnamed message may be this agent's own: compressed only when another
                # agent's entry holds it.
                named = message.name is not None and message.id is not None
                key = message_key(call.agent, str(message.id)) if named else ""
            else:
                continue
            text = message_text(message)
            entry = by_original.get(text)
            if entry is not None:
                in_messages.add(entry.key)
            if limit is None:
                continue
            if entry is None and key:
                entry, lost = self._stored(call, run, key, text, limit)
                if lost:
                    shown_text = self._given_up(call, run, text, limit, task)
                    messages[position] = with_text(message, shown_text)
                    continue
            if entry is not None and entry.original_tokens > limit:
                shown = call.view.get(entry.key, query=task, max_tokens=limit)
                messages[position] = compressed_copy(
                    call.view, message, entry, shown, self.tool_names
                )
        return messages, in_messages

    def _stored(
        self, call: _Call, run: _RunMemory, key: str, text: str, limit: int
    ) -> tuple[ContextEntry | None, bool]:
        """The entry holding ``text`` under ``key``, put now if it is over ``limit`` tokens.

        With whether it is a copy this run stored before and lost since (no entry then):
        putting it back would evict another, which the next call would put back, and so on,
        every call recompressing them all.
        """
        entry = call.view.get_entry(key)
        if entry is not None and entry.original != text:
            # Another text under this id (models that number their calls per turn reuse ids):
            # a key of its own, the same at every model call, so each note reads its own text.
            key = f"{key}:{hashlib.sha256(text.encode()).hexdigest()[:10]}"
            entry = call.view.get_entry(key)
        if entry is not None and entry.original == text:  # stored by an earlier model call
            return entry, False
        with self._lock:
            if key in run.copies:
                del run.copies[key]
                run.lost.add(key)
            if key in run.lost:
                return None, True
        if call.view.count_tokens(text) <= limit:
            return None, False
        with self._room(call, run, text_bytes(text)):
            entry = _refused_warns(call.view.put, key, text, call.agent)
        if entry is not None:
            with self._lock:
                run.copies[key] = None
        return entry, False

    def _given_up(
        self, call: _Call, run: _RunMemory, text: str, limit: int, task: str | None
    ) -> str:
        """What the model is shown of a lost copy's ``text``: compressed to ``limit`` tokens.

        Compressed once per run and kept here (never stored: that would evict another), so a
        long run's prompt holds every tool result compressed, not the lost ones in full.
        """
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        with self._lock:
            shown = run.given_up.get(digest)
        if shown is not None:
            return shown
        counter = TokenCounter(call.view.token_counter_name, call.view.count_tokens)
        result = compress(
            text,
            model=call.view.model,
            query=task,
            max_tokens=limit,
            counter=counter,
            deadline=call.view.compress_deadline,
        )
        shown = (
            f"{name_tools(result.text, self.tool_names)}\n[agent-baton: compressed "
            f"{result.original_tokens:,} -> {result.compressed_tokens:,} tokens; the full text "
            "is not kept: the shared context was full (max_entries or max_bytes)]"
        )
        with self._lock:
            return run.given_up.setdefault(digest, shown)

    @contextmanager
    def _room(self, call: _Call, run: _RunMemory, size: int) -> Iterator[None]:
        """Around a put of ``size`` bytes in the run's scope: room made first, if need be.

        One decision at a time in the context, judged with the puts under way of its other
        runs, this middleware's and other agents' (:class:`~._eviction.Room`), so that two
        runs at the bound do not both count on one free slot.
        """
        room = room_of(self.ctx)
        with room.lock:
            self._make_room(call, run, size, room.pending_under(self.ctx.scope_path))
            token = object()
            room.pending[id(token)] = (call.view.scope_path, 2 * size)
        try:
            yield
        finally:
            with room.lock:
                del room.pending[id(token)]

    def _make_room(
        self, call: _Call, run: _RunMemory, size: int, pending: list[tuple[tuple[str, ...], int]]
    ) -> None:
        """Give up the run's oldest copies while a put of ``size`` bytes would evict badly.

        At a bound the context evicts the oldest entry of the scope holding the most, the new
        entry counted (:meth:`agent_baton.Backend.put`). When that is this run's scope, its
        oldest is often the handoff this agent works from; when it is another run's, its
        handoff: the run's own copies go first (their messages are then shown compressed
        once, without a copy kept: :meth:`_given_up`). Any other entry of a busier scope
        (a long chat history's oldest message) pays as for any put.
        """
        if not run.copies:  # nothing of its own to give up: the put evicts as any put does
            return
        # The bound is the whole context's (from self.ctx down, every scope): the scopes'
        # entries as the backend ranks them, oldest first, to tell who a put evicts.
        path = call.view.scope_path[len(self.ctx.scope_path) :]
        held = Holdings(self.ctx.entries_in_scopes(), path, _is_handoff, pending)
        max_bytes = self.ctx.max_bytes
        # A copy costs its text and its compressed text: twice the text at most.
        for by_bytes, adding in ((False, 1), (True, 2 * size)):
            while run.copies and held.over(self.ctx.max_entries, max_bytes, adding, by_bytes):
                if not held.must_give_up(adding, by_bytes):
                    held.evict_other(adding, by_bytes)
                    continue
                with self._lock:
                    if not run.copies:
                        break
                    key = next(iter(run.copies))
                    del run.copies[key]
                    run.lost.add(key)
                    first = not run.full
                    run.full = True
                call.view.delete(key)
                held.forget(key)
                if first:
                    warnings.warn(
                        f"{self.name}: {call.agent!r} in scope {call.view.scope_path!r} has "
                        "more long tool results than the shared context holds (max_entries="
                        f"{self.ctx.max_entries}, max_bytes={max_bytes}, for every run "
                        "together): its oldest are no longer kept in full (the model sees them "
                        "compressed, without a way to read them whole), so that they never "
                        "evict its handoffs. Raise max_entries for such runs.",
                        RuntimeWarning,
                        stacklevel=8,  # past _room and contextlib's __enter__
                    )

    def _reached(self, prompts: list[list[BaseMessage]], request: ModelRequest) -> bool:
        """Whether the model got the system message this middleware sent on."""
        sent = request.system_message
        if sent is None:
            return False
        block = message_text(sent)
        reached = any(
            block in message_text(message)
            for prompt in prompts
            for message in prompt
            if isinstance(message, SystemMessage)
        )
        if not reached and not self._warned:
            self._warned = True
            warnings.warn(
                f"{self.name}: the shared context injected into the system message did not "
                "reach the model; a middleware listed after it (e.g. @dynamic_prompt) "
                "replaced the system message. List SharedContextMiddleware after it.",
                RuntimeWarning,
                stacklevel=2,
            )
        return reached

    def _remember(self, call: _Call, injection: Injection | None) -> None:
        with self._lock:
            path = call.view.scope_path
            self._injections.pop(path, None)
            self._injections[path] = injection
            if len(self._injections) > _REMEMBERED_RUNS:
                self._injections.popitem(last=False)


def _refused_warns(
    store: Callable[[str, str | dict[str, Any] | list[Any], str], ContextEntry],
    key: str,
    content: str | dict[str, Any] | list[Any],
    agent: str,
) -> ContextEntry | None:
    """``store(key, content, agent)``; a refusal (over ``max_bytes``) warns and gives ``None``.

    The run goes on: the agent's state still holds the text, uncompressed.
    """
    try:
        return store(key, content, agent)
    except EntryTooLargeError as exc:
        warnings.warn(f"agent-baton did not store {key!r}: {exc}", RuntimeWarning, stacklevel=2)
        return None


def _with_block(request: ModelRequest, text: str) -> ModelRequest:
    """``request`` with ``text`` appended to its system message as a text block."""
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


def _is_handoff(entry: ContextEntry) -> bool:
    """Whether ``entry`` is an agent's answer this middleware appended (``researcher#2``)."""
    return entry.agent is not None and entry.key.partition("#")[0] == entry.agent


def _is_stored_message(entry: ContextEntry) -> bool:
    """Whether ``entry`` is a tool result or message some middleware stored to compress it."""
    if entry.agent is None:
        return False
    return entry.key.startswith((tool_result_key(entry.agent, ""), message_key(entry.agent, "")))


def _task(messages: list[AnyMessage]) -> str | None:
    """The current task: the text of the latest human message."""
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return message_text(message) or None
    return None


def _handoff(state: AgentState) -> str | dict[str, Any] | list[Any] | None:
    """What the agent hands over: its structured response, else its final answer's text."""
    structured = state.get("structured_response")
    if structured is not None:
        return _jsonable(structured)
    for message in reversed(state["messages"]):
        if isinstance(message, AIMessage):
            # Still calling tools: the run was cut short, there is no answer yet.
            return None if message.tool_calls else message_text(message) or None
    return None


def _jsonable(value: Any) -> str | dict[str, Any] | list[Any]:
    """A structured response (pydantic model, dataclass, dict, ...) as JSON-ready data."""
    if isinstance(value, BaseModel):
        dumped: dict[str, Any] = value.model_dump(mode="json")
        return dumped
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict | list):
        try:  # only JSON-serializable data is stored as JSON
            json.dumps(value)
        except (TypeError, ValueError):
            return str(value)
        return value
    return str(value)
