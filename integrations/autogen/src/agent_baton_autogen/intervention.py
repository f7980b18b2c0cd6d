"""An autogen-core InterventionHandler that captures every agent's messages into a SharedContext."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

from autogen_agentchat.base import Response, TaskResult
from autogen_agentchat.messages import (
    BaseChatMessage,
    HandoffMessage,
    ToolCallExecutionEvent,
    ToolCallSummaryMessage,
)
from autogen_agentchat.teams import BaseGroupChat
from autogen_core import AgentId, DefaultInterventionHandler, DropMessage, MessageContext
from autogen_core.models import (
    AssistantMessage,
    FunctionExecutionResult,
    FunctionExecutionResultMessage,
    LLMMessage,
    UserMessage,
)

from agent_baton import EntryTooLargeError, SharedContext
from agent_baton.answers import tool_names
from agent_baton_autogen._messages import (
    compress_text,
    compressed_key,
    text_key,
)
from agent_baton_autogen.model_context import DEFAULT_MIN_TOKENS, DEFAULT_USER_SOURCES
from agent_baton_autogen.runs import (
    check_scope,
    mark_reset,
    run_scope,
    team_member,
    team_scope,
)
from agent_baton_autogen.tools import is_context_tool

logger = logging.getLogger(__name__)

_REMEMBERED_KEYS = 1024  # captured_keys: the latest, so a server's handler does not grow


@dataclasses.dataclass(frozen=True)
class _Text:
    key: str
    text: str
    agent: str


class BatonInterventionHandler(DefaultInterventionHandler):
    """Puts every agent message that passes through a runtime into ``ctx``, in full.

    Use it with ``SingleThreadedAgentRuntime(intervention_handlers=[handler])``, and pass that
    runtime to an AgentChat team (``RoundRobinGroupChat(..., runtime=runtime)``, ``Swarm``,
    ``SelectorGroupChat``); the caller starts and stops the runtime. Captured:

    * AgentChat teams: each agent's response (its chat message, e.g. ``TextMessage`` or
      ``HandoffMessage``, and the tool results among its inner messages), and nested teams'
      results;
    * plain autogen-core agents: any published, sent or returned message with a ``str``
      ``content``, filed under the sending agent's type.

    Messages whose ``source`` is in ``user_sources`` are not captured. Keys are derived from
    the author and the text, the same keys :class:`BatonChatCompletionContext` uses, so an
    agent's context and this handler share one entry per message. Each message goes to the
    scope of the team run that sent it (the scope the team's model contexts and tools use),
    or to ``scope`` when given; messages of agents outside any team go to ``ctx`` itself.

    Messages are passed on unchanged (the team's result stream shows the full text), except
    that with ``compress_handoffs`` the tool results and thoughts a ``HandoffMessage`` carries
    to the next agent in its ``context`` are delivered compressed; the published copy is new,
    the original object seen by the result stream is untouched. Failures are logged, never
    raised: the runtime would otherwise drop the message and stall the team.
    """

    def __init__(
        self,
        ctx: SharedContext,
        *,
        compress_handoffs: bool = True,
        max_tokens: int | None = None,
        min_tokens: int = DEFAULT_MIN_TOKENS,
        user_sources: Iterable[str] = DEFAULT_USER_SOURCES,
        scope: str | None = None,
        tool_prefix: str = "",
    ) -> None:
        if not isinstance(ctx, SharedContext):
            raise TypeError(f"ctx must be an agent_baton.SharedContext, not {type(ctx).__name__}")
        if max_tokens is not None and (
            isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1
        ):
            raise ValueError(f"max_tokens must be an int >= 1 or None, not {max_tokens!r}")
        if isinstance(min_tokens, bool) or not isinstance(min_tokens, int) or min_tokens < 0:
            raise ValueError(f"min_tokens must be an int >= 0, not {min_tokens!r}")
        if isinstance(user_sources, str):
            raise TypeError("user_sources must be a collection of names, not a str")
        check_scope(scope)
        self._ctx = ctx
        self._scope = scope
        self._tools = tool_names(tool_prefix)
        self._compress_handoffs = compress_handoffs
        self._max_tokens = max_tokens
        self._min_tokens = min_tokens
        self._user_sources = frozenset(user_sources)
        # (scope path, key) of each capture: one handler serves the teams of every user.
        self._captured: OrderedDict[tuple[tuple[str, ...], str], None] = OrderedDict()
        self._captured_lock = threading.Lock()  # puts run on worker threads

    @property
    def shared_context(self) -> SharedContext:
        """The shared context messages are captured into."""
        return self._ctx

    @property
    def captured_keys(self) -> list[str]:
        """Keys of the latest 1,024 messages captured, in the order first seen, of EVERY team.

        One handler serves its whole runtime: with teams of several users on it, this lists
        them all. :meth:`captured_keys_for` gives one team's.
        """
        with self._captured_lock:
            return list(dict.fromkeys(key for _, key in self._captured))

    def captured_keys_for(self, team: BaseGroupChat) -> list[str]:
        """Keys of the latest messages captured into ``team``'s scope, in the order first seen.

        The scope of its current run, as :func:`~agent_baton_autogen.team_scope` (after
        ``team.reset()``, the new one's: ask before the reset), or the handler's ``scope``.
        """
        scope = self._scope
        view = self._ctx.scope(scope) if scope is not None else team_scope(self._ctx, team)
        with self._captured_lock:
            return [key for path, key in self._captured if path == view.scope_path]

    async def on_publish(
        self, message: Any, *, message_context: MessageContext
    ) -> Any | type[DropMessage]:
        """Capture a published message; compress the context of a handoff on its way."""
        store = self._store(message_context.sender)
        await self._capture(message, message_context.sender, message_context.sender)
        if self._compress_handoffs:
            try:
                return await self._compressed_handoff(message, store)
            except Exception:
                logger.exception("agent-baton could not compress a handoff; passed it unchanged")
        return message

    async def on_send(
        self, message: Any, *, message_context: MessageContext, recipient: AgentId
    ) -> Any | type[DropMessage]:
        """Capture a message sent directly to one agent; note a team's reset."""
        # AgentChat's GroupChatReset lives in a private module: known by its name. The team's
        # next run works in a new scope (see agent_baton_autogen.runs); it carries no text.
        if type(message).__name__ == "GroupChatReset":
            member = team_member(recipient)
            if member is not None:
                mark_reset(member.team_id)
            return message
        sender = message_context.sender
        await self._capture(message, sender, sender, recipient)
        return message

    async def on_response(
        self, message: Any, *, sender: AgentId, recipient: AgentId | None
    ) -> Any | type[DropMessage]:
        """Capture the value an agent returned from a direct message."""
        await self._capture(message, sender, sender, recipient)
        return message

    # -- capture --------------------------------------------------------------------------

    def _store(self, *agents: AgentId | None) -> SharedContext:
        """The scope of the first of ``agents`` in a team (the team run's), or of none."""
        members = (team_member(agent) for agent in agents)
        return run_scope(self._ctx, self._scope, next((m for m in members if m), None))

    async def _capture(self, message: Any, sender: AgentId | None, *agents: AgentId | None) -> None:
        """Put the texts of ``message`` into the scope of the first of ``agents`` in a team.

        The scope is looked up only for a message with texts: a team's next scope starts at
        its first use after a reset, never at the replies to the reset itself.
        """
        try:
            items = list(self._texts(message, sender))
            if items:  # one trip to a worker thread: puts compress and count tokens
                await asyncio.to_thread(self._put_new, items, self._store(*agents))
        except Exception:
            logger.exception("agent-baton could not capture a %s", type(message).__name__)

    def _put_new(self, items: list[_Text], store: SharedContext) -> None:
        for item in items:
            with self._captured_lock:
                self._captured.setdefault((store.scope_path, item.key), None)
                if len(self._captured) > _REMEMBERED_KEYS:
                    self._captured.popitem(last=False)
            if item.key in store:
                continue
            try:
                store.put(item.key, item.text, agent=item.agent)
            except EntryTooLargeError as exc:
                logger.warning("agent-baton did not capture a text: %s", exc)

    def _texts(self, message: Any, sender: AgentId | None) -> Iterator[_Text]:
        if isinstance(message, Response):
            yield from self._texts(message.chat_message, sender)
            # A handoff tool's result is the HandoffMessage's own text: capture it once.
            handoff_text = (
                message.chat_message.content
                if isinstance(message.chat_message, HandoffMessage)
                else None
            )
            for inner in message.inner_messages or ():
                for item in self._texts(inner, sender):
                    if item.text != handoff_text:
                        yield item
        elif isinstance(message, TaskResult):
            for produced in message.messages:
                yield from self._texts(produced, sender)
        elif isinstance(message, ToolCallSummaryMessage):
            # Its text is its results joined: capture the results, each once, and never the
            # answers of the context tools (they are passages of entries already stored).
            yield from self._result_texts(message.results, message.source)
        elif isinstance(message, BaseChatMessage):
            yield from self._chat_texts(message)
        elif isinstance(message, ToolCallExecutionEvent):
            yield from self._result_texts(message.content, message.source)
        elif isinstance(message, UserMessage | AssistantMessage):
            if isinstance(message.content, str):
                yield from self._authored(message.source, message.content)
        elif isinstance(message, FunctionExecutionResultMessage):
            if sender is not None:
                yield from self._result_texts(message.content, sender.type)
        else:
            yield from self._event_texts(message, sender)

    def _event_texts(self, message: Any, sender: AgentId | None) -> Iterator[_Text]:
        # AgentChat's group-chat events (GroupChatAgentResponse, GroupChatTeamResponse,
        # GroupChatStart) live in a private module; their public payload fields are enough.
        # GroupChatMessage (.message) is skipped: it repeats what the responses carry.
        response = getattr(message, "response", None)
        result = getattr(message, "result", None)
        messages = getattr(message, "messages", None)
        content = getattr(message, "content", None)
        if isinstance(response, Response):
            yield from self._texts(response, sender)
        elif isinstance(result, TaskResult):
            yield from self._texts(result, sender)
        elif isinstance(messages, list):
            for item in messages:
                if isinstance(item, BaseChatMessage):
                    yield from self._chat_texts(item)
        elif isinstance(content, str) and sender is not None:
            yield from self._authored(sender.type, content)

    def _chat_texts(self, message: BaseChatMessage) -> Iterator[_Text]:
        model_message = message.to_model_message()
        text = (
            model_message.content
            if isinstance(model_message.content, str)
            else message.to_model_text()
        )
        yield from self._authored(message.source, text)
        if isinstance(message, HandoffMessage):
            for llm_message in message.context:
                yield from self._llm_texts(llm_message, message.source)

    def _llm_texts(self, message: LLMMessage, agent: str) -> Iterator[_Text]:
        if isinstance(message, UserMessage | AssistantMessage) and isinstance(message.content, str):
            yield from self._authored(message.source, message.content)
        elif isinstance(message, FunctionExecutionResultMessage):
            yield from self._result_texts(message.content, agent)

    def _authored(self, source: str, text: str) -> Iterator[_Text]:
        if source not in self._user_sources and text and compressed_key(text) is None:
            yield _Text(text_key(source, text), text, source)

    def _result_texts(
        self, results: Iterable[FunctionExecutionResult], agent: str
    ) -> Iterator[_Text]:
        for result in results:
            if not is_context_tool(result.name) and compressed_key(result.content) is None:
                yield _Text(text_key(agent, result.content), result.content, agent)

    # -- handoffs -------------------------------------------------------------------------

    async def _compressed_handoff(self, message: Any, store: SharedContext) -> Any:
        response = getattr(message, "response", None)
        if not isinstance(response, Response) or not hasattr(message, "model_copy"):
            return message
        handoff = response.chat_message
        if not isinstance(handoff, HandoffMessage) or not handoff.context:
            return message
        context = [await self._compress_llm(m, handoff.source, store) for m in handoff.context]
        if all(new is old for new, old in zip(context, handoff.context, strict=True)):
            return message
        # A copy for the recipients: the result stream holds the original HandoffMessage object.
        new_handoff = handoff.model_copy(update={"context": context})
        return message.model_copy(
            update={"response": dataclasses.replace(response, chat_message=new_handoff)}
        )

    async def _compress_llm(
        self, message: LLMMessage, agent: str, store: SharedContext
    ) -> LLMMessage:
        if isinstance(message, UserMessage | AssistantMessage) and isinstance(message.content, str):
            if message.source in self._user_sources:
                return message
            text = await self._compress_text(
                message.content, text_key(message.source, message.content), message.source, store
            )
            return message if text is None else message.model_copy(update={"content": text})
        if isinstance(message, FunctionExecutionResultMessage):
            results = []
            for result in message.content:
                text = None
                if not is_context_tool(result.name):
                    key = text_key(agent, result.content)
                    text = await self._compress_text(result.content, key, agent, store)
                results.append(
                    result if text is None else result.model_copy(update={"content": text})
                )
            if all(new is old for new, old in zip(results, message.content, strict=True)):
                return message
            return message.model_copy(update={"content": results})
        return message

    async def _compress_text(
        self, text: str, key: str, agent: str, store: SharedContext
    ) -> str | None:
        compressed = await compress_text(
            store,
            key,
            text,
            agent,
            min_tokens=self._min_tokens,
            max_tokens=self._max_tokens,
            tools=self._tools,
        )
        return None if compressed is None else compressed.text
