"""A ChatCompletionContext that hands other agents' messages to the model compressed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from typing import Any, Self

from autogen_core import Component, ComponentModel, FunctionCall
from autogen_core.model_context import (
    ChatCompletionContext,
    ChatCompletionContextState,
    UnboundedChatCompletionContext,
)
from autogen_core.models import (
    AssistantMessage,
    FunctionExecutionResult,
    FunctionExecutionResultMessage,
    LLMMessage,
    UserMessage,
)
from pydantic import BaseModel, Field

from agent_baton import SharedContext
from agent_baton.answers import tool_names
from agent_baton_autogen._messages import (
    compress_text,
    compressed_key,
    compressed_keys,
    joined_results,
    text_key,
)
from agent_baton_autogen.registry import DEFAULT_CONTEXT_NAME, claim_name, resolve_name
from agent_baton_autogen.runs import check_scope, mark_reset, run_scope, running_member
from agent_baton_autogen.tools import is_context_tool

logger = logging.getLogger("agent_baton_autogen")

DEFAULT_MIN_TOKENS = 100
DEFAULT_USER_SOURCES = ("user",)


class BatonChatCompletionContextConfig(BaseModel):
    """Component config of :class:`BatonChatCompletionContext` (the SharedContext by name)."""

    agent_name: str | None = None
    context_name: str = DEFAULT_CONTEXT_NAME
    inner: ComponentModel | None = None
    max_tokens: int | None = None
    min_tokens: int = DEFAULT_MIN_TOKENS
    user_sources: list[str] = Field(default_factory=lambda: list(DEFAULT_USER_SOURCES))
    scope: str | None = None
    tool_prefix: str = ""


class BatonChatCompletionContext(
    ChatCompletionContext, Component[BatonChatCompletionContextConfig]
):
    """Model context of one agent that shows it other agents' messages compressed.

    Pass it as ``AssistantAgent(model_context=...)``, one per agent, all on the same
    :class:`~agent_baton.SharedContext`. On ``add_message``:

    * a text from another agent (a ``UserMessage`` or ``AssistantMessage`` whose ``source`` is
      neither this agent's name nor one of ``user_sources``) and a tool result are put into
      ``ctx`` in full and kept here compressed, ending in a note with the key to read the
      original (``read_shared_context(key=..., full=True)``, see :func:`make_context_tools`);
    * this agent's own messages, the user's, system messages, tool calls and results of the
      shared-context tools themselves stay as they are, and so does any text under
      ``min_tokens`` tokens or that compression would not make smaller.

    Args:
        ctx: The shared context the originals go into.
        agent_name: The name of the agent owning this context. In an AgentChat team it is
            read from the runtime and may be left out; given, it must match (a context wired
            to the wrong agent would compress that agent's own words). Outside a team and
            without it, texts are kept as they are and only tool results are compressed.
        inner: A context to keep the (compressed) messages in, e.g.
            ``BufferedChatCompletionContext(buffer_size=10)``; its ``get_messages`` decides what
            the model sees. Default: an ``UnboundedChatCompletionContext``.
        initial_messages: The messages the context starts with, kept as they are (as in
            AutoGen's own contexts); give them to ``inner`` instead when you pass one.
        max_tokens: The most tokens one compressed text may take (None: the entry's own
            compressed form, whatever its size).
        min_tokens: Texts shorter than this are passed as they are.
        user_sources: The ``source`` names of messages written by people, never compressed.
        context_name: The name the component config refers to ``ctx`` by (see
            :mod:`agent_baton_autogen.registry`).
        scope: The scope of ``ctx`` to use. None (default): each AgentChat team run its own,
            derived from the team (see :func:`team_scope`); a name: that scope, whatever team
            runs, e.g. to share entries between two teams or processes on purpose.
        tool_prefix: The prefix given to :func:`make_context_tools`: notes and markers name
            ``{tool_prefix}read_shared_context``.
    """

    component_config_schema = BatonChatCompletionContextConfig
    component_provider_override = "agent_baton_autogen.BatonChatCompletionContext"

    def __init__(
        self,
        ctx: SharedContext,
        *,
        agent_name: str | None = None,
        inner: ChatCompletionContext | None = None,
        initial_messages: list[LLMMessage] | None = None,
        max_tokens: int | None = None,
        min_tokens: int = DEFAULT_MIN_TOKENS,
        user_sources: Iterable[str] = DEFAULT_USER_SOURCES,
        context_name: str = DEFAULT_CONTEXT_NAME,
        scope: str | None = None,
        tool_prefix: str = "",
    ) -> None:
        super().__init__()
        if not isinstance(ctx, SharedContext):
            raise TypeError(f"ctx must be an agent_baton.SharedContext, not {type(ctx).__name__}")
        if agent_name is not None and (not isinstance(agent_name, str) or not agent_name):
            raise ValueError(f"agent_name must be a non-empty str or None, not {agent_name!r}")
        if inner is not None and not isinstance(inner, ChatCompletionContext):
            raise TypeError(
                f"inner must be a ChatCompletionContext or None, not {type(inner).__name__}"
            )
        if inner is not None and initial_messages is not None:
            raise ValueError(
                "give initial_messages to the inner context: "
                "inner=BufferedChatCompletionContext(10, initial_messages=[...])"
            )
        if max_tokens is not None and (
            isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1
        ):
            raise ValueError(f"max_tokens must be an int >= 1 or None, not {max_tokens!r}")
        if isinstance(min_tokens, bool) or not isinstance(min_tokens, int) or min_tokens < 0:
            raise ValueError(f"min_tokens must be an int >= 0, not {min_tokens!r}")
        if isinstance(user_sources, str):
            raise TypeError("user_sources must be a collection of names, not a str")
        if not isinstance(context_name, str) or not context_name:
            raise ValueError(f"context_name must be a non-empty str, not {context_name!r}")
        check_scope(scope)
        self._ctx = ctx
        self._scope = scope
        self._store = run_scope(ctx, scope, None)  # the scope in use; a team run sets its own
        self._tools = tool_names(tool_prefix)
        self._tool_prefix = tool_prefix
        self._agent_name = agent_name
        self._inner = inner or UnboundedChatCompletionContext(initial_messages=initial_messages)
        self._max_tokens = max_tokens
        self._min_tokens = min_tokens
        self._user_sources = frozenset(user_sources)
        self._context_name = context_name
        self._keys: dict[str, None] = {}  # keys named by compressed messages, in order
        # key -> original of each compressed message: the shared context's bounds and ttl
        # hold for every team together, so other teams' puts may evict them; AutoGen's own
        # contexts keep every message in full too.
        self._originals: dict[str, str] = {}
        self._callers: dict[str, str] = {}  # tool call id -> the agent that made the call
        self._loaded: list[LLMMessage] = []  # from load_state, compressed at the next use

    @property
    def shared_context(self) -> SharedContext:
        """The view of the shared context the last message went to: its team run's, if any.

        Outside a team (``agent.run()`` alone) it is ``ctx`` itself (or ``scope``), where the
        tools outside a team read, never the scope of a team the agent served before.
        """
        return self._store

    @property
    def agent_name(self) -> str | None:
        """The agent this context belongs to: as given, or as the runtime named it."""
        return self._agent_name

    @property
    def inner(self) -> ChatCompletionContext:
        """The context that keeps the messages as the model sees them."""
        return self._inner

    @property
    def keys(self) -> list[str]:
        """The shared-context keys of the compressed messages added so far, oldest first."""
        return list(self._keys)

    async def add_message(self, message: LLMMessage) -> None:
        """Add ``message``, compressed when it comes from another agent or a tool."""
        own, store = self._enter()
        await self._add_loaded(own, store)
        await self._inner.add_message(await self._compress(message, own, store))

    async def get_messages(self) -> list[LLMMessage]:
        """The messages for the model: those the inner context selects, compressed as added."""
        return await self._selected()

    async def get_original_messages(self) -> list[LLMMessage]:
        """What :meth:`get_messages` returns with each compressed text replaced by its original.

        This is what the model would have received without agent-baton. The originals are
        kept here, so their eviction or expiry from the shared context loses none of them.
        """
        messages = await self._selected()
        return await asyncio.to_thread(lambda: [self._restore(m) for m in messages])

    async def clear(self) -> None:
        """Clear this agent's messages; the shared context keeps its entries.

        Called by ``team.reset()`` (``AssistantAgent.on_reset``): the team's next run then
        works in a new scope (see :mod:`agent_baton_autogen.runs`).
        """
        member = running_member()
        if member is not None:
            mark_reset(member.team_id)
        await self._inner.clear()
        self._keys.clear()
        self._originals.clear()
        self._callers.clear()
        self._loaded.clear()

    async def save_state(self) -> Mapping[str, Any]:
        """The inner context's state, its messages with their originals put back.

        That is the state of AutoGen's own contexts (``{"messages": [...]}``): any context
        loads it, ``UnboundedChatCompletionContext`` included, and gets the full messages;
        loaded here, they are compressed again. A process with an empty ``SharedContext``
        can so still zoom in after loading. The originals come from this context, which keeps
        each one it compressed, not from the shared context, whose ``max_entries``,
        ``max_bytes`` and ``ttl`` bound every team together.
        """
        state = dict(await self._inner.save_state())
        messages = ChatCompletionContextState.model_validate(state).messages
        originals = await asyncio.to_thread(lambda: [self._restore(m) for m in messages])
        state["messages"] = ChatCompletionContextState(
            messages=[*originals, *self._loaded]
        ).model_dump()["messages"]
        return state

    async def load_state(self, state: Mapping[str, Any]) -> None:
        """Load a state saved by this class or by any of AutoGen's own contexts.

        The messages are compressed at the next :meth:`add_message` or :meth:`get_messages`,
        in the agent's turn, where the runtime says which agent of which team is running.
        """
        messages = ChatCompletionContextState.model_validate(state).messages
        await self._inner.load_state({**state, "messages": []})
        self._keys.clear()
        self._originals.clear()
        self._callers.clear()
        self._loaded = list(messages)

    def _to_config(self) -> BatonChatCompletionContextConfig:
        claim_name(self._context_name, self._ctx)
        return BatonChatCompletionContextConfig(
            agent_name=self._agent_name,
            context_name=self._context_name,
            inner=self._inner.dump_component(),
            max_tokens=self._max_tokens,
            min_tokens=self._min_tokens,
            user_sources=sorted(self._user_sources),
            scope=self._scope,
            tool_prefix=self._tool_prefix,
        )

    @classmethod
    def _from_config(cls, config: BatonChatCompletionContextConfig) -> Self:
        inner = (
            ChatCompletionContext.load_component(config.inner) if config.inner is not None else None
        )
        return cls(
            resolve_name(config.context_name),
            agent_name=config.agent_name,
            inner=inner,
            max_tokens=config.max_tokens,
            min_tokens=config.min_tokens,
            user_sources=config.user_sources,
            context_name=config.context_name,
            scope=config.scope,
            tool_prefix=config.tool_prefix,
        )

    async def _selected(self) -> list[LLMMessage]:
        await self._add_loaded(*self._enter())
        return list(await self._inner.get_messages())

    async def _add_loaded(self, own: str | None, store: SharedContext) -> None:
        loaded, self._loaded = self._loaded, []
        for message in loaded:
            await self._inner.add_message(await self._compress(message, own, store))

    def _enter(self) -> tuple[str | None, SharedContext]:
        """The name of the agent served (in a team run, checked) and the view it stores in.

        The view is the calling team run's scope, else ``ctx`` (or ``scope``): what the tools
        read there. It is passed along, not read back from ``self``: a context serving two
        runs at once would otherwise store one run's text where the other's started.
        """
        member = running_member()
        store = self._store = run_scope(self._ctx, self._scope, member)
        if member is None:
            return self._agent_name, store
        if self._agent_name is not None and member.name != self._agent_name:
            raise ValueError(
                f"this BatonChatCompletionContext has agent_name={self._agent_name!r} but "
                f"serves the agent {member.name!r}; give each agent its own context, or leave "
                "agent_name out to take it from the runtime"
            )
        self._agent_name = member.name
        return member.name, store

    # -- compression ----------------------------------------------------------------------

    async def _compress(
        self, message: LLMMessage, own: str | None, store: SharedContext
    ) -> LLMMessage:
        if isinstance(message, UserMessage | AssistantMessage):
            if isinstance(message.content, list):
                for item in message.content:
                    if isinstance(item, FunctionCall):  # remember who called, for its result
                        self._callers[item.id] = message.source
                return message
            if own is None or message.source in (own, *self._user_sources):
                return message
            text = await self._compress_joined(message.content, message.source, store)
            if text is None:
                key = text_key(message.source, message.content)
                text = await self._compress_text(message.content, key, message.source, store)
            return message if text is None else message.model_copy(update={"content": text})
        if isinstance(message, FunctionExecutionResultMessage):
            results = [
                await self._compress_result(result, own, store) for result in message.content
            ]
            if all(new is old for new, old in zip(results, message.content, strict=True)):
                return message
            return message.model_copy(update={"content": results})
        return message

    async def _compress_result(
        self, result: FunctionExecutionResult, own: str | None, store: SharedContext
    ) -> FunctionExecutionResult:
        if is_context_tool(result.name):  # zooming in must return the original
            return result
        agent = self._callers.get(result.call_id) or own or result.name
        key = text_key(agent, result.content)
        text = await self._compress_text(result.content, key, agent, store)
        return result if text is None else result.model_copy(update={"content": text})

    async def _compress_joined(self, text: str, agent: str, store: SharedContext) -> str | None:
        """``text`` as its stored parts, each compressed, when it joins tool results of ``agent``.

        Stored once more as a whole, every passage would be in the context twice.
        """
        if compressed_key(text) is not None:
            return None
        parts = await asyncio.to_thread(joined_results, store, text, agent)
        if parts is None:
            return None
        shown = []
        for key, original in parts:
            compressed = await self._compress_text(original, key, agent, store)
            if compressed is None:  # a part kept whole: no note would tell where it ends
                return None
            shown.append(compressed)
        return "\n".join(shown)

    async def _compress_text(
        self, text: str, key: str, agent: str, store: SharedContext
    ) -> str | None:
        """The compressed text to keep instead of ``text``, or None to keep ``text``."""
        existing = compressed_key(text)
        if existing is not None:  # compressed on the way here, e.g. by the handler
            self._keys[existing] = None
            # Just put by the handler: kept here while it is live, for save_state.
            for key in compressed_keys(text):
                original = await asyncio.to_thread(store.get, key, full=True)
                if original is not None:
                    self._originals[key] = original
            return None
        compressed = await compress_text(
            store,
            key,
            text,
            agent,
            min_tokens=self._min_tokens,
            max_tokens=self._max_tokens,
            tools=self._tools,
        )
        if compressed is None:
            return None
        self._keys[key] = None
        self._originals[key] = text
        return compressed.text

    def _restore(self, message: LLMMessage) -> LLMMessage:
        if isinstance(message, UserMessage | AssistantMessage) and isinstance(message.content, str):
            original = self._original(message.content)
            return message if original is None else message.model_copy(update={"content": original})
        if isinstance(message, FunctionExecutionResultMessage):
            results = []
            for result in message.content:
                original = self._original(result.content)
                results.append(
                    result if original is None else result.model_copy(update={"content": original})
                )
            return message.model_copy(update={"content": results})
        return message

    def _original(self, text: str) -> str | None:
        # Tool results joined in one message were compressed each: their originals, joined.
        keys = compressed_keys(text)
        originals = [self._originals.get(key) or self._store.get(key, full=True) for key in keys]
        lost = [key for key, original in zip(keys, originals, strict=True) if original is None]
        if lost:  # compressed by another context (a handler's copy) and gone since
            logger.warning(
                "agent-baton: the original of %s is %s; agent %r's message stays compressed",
                ", ".join(map(repr, lost)),
                self._store.missing_reason(lost[0]),
                self._agent_name,
            )
        if not originals or lost:
            return None
        return "\n".join(o for o in originals if o is not None)
