"""A LangChain chat message history stored in a SharedContext."""

from __future__ import annotations

import json
import re
import threading
import warnings
import weakref
from collections.abc import Sequence
from typing import Any

from langchain_core.chat_history import BaseChatMessageHistory
from langchain_core.load import dumpd
from langchain_core.load.load import Reviver
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ToolMessage,
    message_to_dict,
    messages_from_dict,
)
from langchain_core.runnables.config import run_in_executor

from agent_baton import SharedContext
from agent_baton.answers import ToolNames
from agent_baton_langchain._messages import (
    compressed_copy,
    is_text_block,
    message_text,
    text_separator,
)

META_SCOPE = "history-meta"
"""The scope, inside the session's, that holds each message's serialized form (type, ids,
tool calls, metadata): nested, so the session's listings, search and render never show it."""

DEFAULT_MAX_MESSAGE_TOKENS = 1000
# Revives the LangChain objects of a tool message's artifact, of langchain-core's classes
# only, as LangGraph's checkpointer does (langgraph.checkpoint.serde.jsonplus).
_REVIVER = Reviver(allowed_objects="core")
_ESCAPED = "__lc_escaped__"  # dumpd wraps user data shaped as its objects: {_ESCAPED: data}


class _Writers:
    """The writers of one session in this process: its lock and the indices they took.

    The lock is held while indices are taken, never while a message is compressed, so one
    session's large message never stalls another session (nor a reader).
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.next = 0  # the first index no writer in flight has taken
        self.writing = 0  # writers in flight


# By scope path: every history object of a session (RunnableWithMessageHistory makes one
# per call) shares its writers' state while one is alive.
_SESSIONS: weakref.WeakValueDictionary[tuple[str, ...], _Writers] = weakref.WeakValueDictionary()
_SESSIONS_LOCK = threading.Lock()


def _writers(path: tuple[str, ...]) -> _Writers:
    """The writers' state of the session at ``path``."""
    with _SESSIONS_LOCK:
        writers = _SESSIONS.get(path)
        if writers is None:
            writers = _SESSIONS[path] = _Writers()
        return writers


class BatonChatMessageHistory(BaseChatMessageHistory):
    """Chat history kept in a :class:`agent_baton.SharedContext`, read back compressed.

    The messages are kept in ``ctx.scope(session_id)``, the scope the context tools, the
    retriever and the middleware read in a call whose config names that ``session_id`` (as
    ``RunnableWithMessageHistory`` passes it): sessions sharing one context never see each
    other's messages. Message ``i``'s text is stored there under ``f"{session_id}:{i}"``
    (what the context compresses, searches and lets a model zoom into), and its serialized
    form under the same key in the scope :data:`META_SCOPE` inside it, so type, id, tool calls,
    ``tool_call_id``, name and metadata survive without a model ever reading them. Both are
    put with ``agent=`` the message type (``"human"``, ``"ai"``, ``"tool"``, ``"system"``).

    Reading (:attr:`messages`) returns AI and tool messages longer than
    ``max_message_tokens`` compressed to at most that many tokens (the entry's compressed
    form when it fits, else compressed harder), followed by a note with the key to read in
    full; shorter messages and human and system messages come back unchanged.
    :meth:`get_messages` with ``full=True`` returns every message as stored.

    The context's ``ttl``, ``max_entries`` and ``max_bytes`` apply, and they bound the
    whole context, every session (and every run of the other adapters) together: expired or
    evicted messages drop out of the history oldest first (each message takes two entries of
    ``max_entries``: size it for ``2 × messages kept per session × sessions at once``), and a
    tool message whose calling AI message is gone is dropped too, so the history stays valid
    for chat models. Reading a session whose messages were evicted (not expired) warns once.
    """

    def __init__(
        self,
        ctx: SharedContext,
        session_id: str | int,
        *,
        max_message_tokens: int = DEFAULT_MAX_MESSAGE_TOKENS,
    ) -> None:
        """Store the history of ``session_id`` in ``ctx``.

        Args:
            ctx: The shared context that stores the messages.
            session_id: Names this conversation; must not be empty. An int is taken as its
                str, as the tools, retriever and middleware take a config's ``session_id``.
            max_message_tokens: AI and tool messages with more tokens than this are read
                back compressed to at most this many tokens plus a one-line note.
        """
        if not isinstance(ctx, SharedContext):
            raise TypeError(f"ctx must be an agent_baton.SharedContext, not {type(ctx).__name__}")
        if isinstance(session_id, int) and not isinstance(session_id, bool):
            session_id = str(session_id)  # the scope a call with this session_id reads
        if not isinstance(session_id, str) or not session_id:
            raise ValueError(f"session_id must be a non-empty str or an int, not {session_id!r}")
        if (
            isinstance(max_message_tokens, bool)
            or not isinstance(max_message_tokens, int)
            or max_message_tokens < 1
        ):
            raise ValueError(f"max_message_tokens must be an int >= 1, not {max_message_tokens!r}")
        self.ctx = ctx
        self.session_id = session_id
        self._view = ctx.scope(session_id)
        self._meta = self._view.scope(META_SCOPE)
        self.max_message_tokens = max_message_tokens
        self._index_re = re.compile(re.escape(session_id) + r":(\d+)")
        self._writers = _writers(self._view.scope_path)

    def __repr__(self) -> str:
        return f"BatonChatMessageHistory(session_id={self.session_id!r}, ctx={self.ctx!r})"

    @property
    def messages(self) -> list[BaseMessage]:  # type: ignore[override]
        """The messages, oldest first; long AI and tool messages compressed."""
        return self.get_messages()

    @property
    def view(self) -> SharedContext:
        """The scope of the context this session's messages are in."""
        return self._view

    def text_key(self, index: int) -> str:
        """The key holding the text of message ``index`` (the one to zoom into) in :attr:`view`."""
        return f"{self.session_id}:{index}"

    def get_messages(self, *, full: bool = False) -> list[BaseMessage]:
        """The messages, oldest first; with ``full=True`` none is compressed."""
        indices = self._indices()
        loaded = [self._load(index, full=full) for index in indices]
        out = [message for message in loaded if message is not None]
        if not indices or indices[0] != 0 or loaded[0] is None:
            self._warn_if_evicted()
        # Messages stored from index 0 with no gap: nothing was evicted, keep them as added.
        if len(out) == len(indices) and indices == list(range(len(indices))):
            return out
        return _drop_orphan_tool_messages(out)

    def _warn_if_evicted(self) -> None:
        """Warn when the session's first message was evicted: a sizing error.

        Once per session: the text names it, and Python shows a warning once per text
        and place (``RunnableWithMessageHistory`` makes a history object per call).
        """
        # A session gives up its oldest first: message 0's text or its meta (two scopes, each
        # evicted from when it holds the most). Expiry is by design, no warning.
        key = self.text_key(0)
        reasons = (self._meta.missing_reason(key), self._view.missing_reason(key))
        if "evicted or deleted" not in reasons:
            return
        bounds = f"max_entries={self.ctx.max_entries}, max_bytes={self.ctx.max_bytes}"
        warnings.warn(
            f"chat history {self.session_id!r} lost its oldest messages to the shared "
            f"context's bounds ({bounds}), which hold every session together (those holding "
            "the most give up their oldest): size max_entries for 2 × messages kept per "
            "session × sessions at once.",
            RuntimeWarning,
            stacklevel=4,
        )

    async def aget_messages(self, *, full: bool = False) -> list[BaseMessage]:
        """Async :meth:`get_messages`, on a worker thread."""
        return await run_in_executor(None, lambda: self.get_messages(full=full))

    def add_messages(self, messages: Sequence[BaseMessage]) -> None:
        """Append ``messages``; each is stored in full.

        Raises:
            TypeError: If an item is not a ``BaseMessage`` or its fields (e.g. a tool
                message's ``artifact``) cannot be serialized as JSON.
        """
        for message in messages:
            if not isinstance(message, BaseMessage):
                raise TypeError(f"expected a langchain BaseMessage, not {type(message).__name__}")
        serialized = [_serialize(message) for message in messages]
        writers = self._writers
        with writers.lock:
            indices = self._indices()
            start = indices[-1] + 1 if indices else 0
            if writers.writing:  # indices taken by writers whose messages are not stored yet
                start = max(start, writers.next)
            writers.next = start + len(messages)
            writers.writing += 1
        try:
            for offset, (message, meta) in enumerate(zip(messages, serialized, strict=True)):
                key = self.text_key(start + offset)
                # The meta entry goes first: eviction removes the oldest, so a message whose
                # meta is live still has its text; a reader skips one whose text is not put yet.
                self._meta.put(key, meta, agent=message.type)
                self._view.put(key, message_text(message), agent=message.type)
        finally:
            with writers.lock:
                writers.writing -= 1

    async def aadd_messages(self, messages: Sequence[BaseMessage]) -> None:
        """Async :meth:`add_messages`, on a worker thread."""
        await run_in_executor(None, self.add_messages, messages)

    def clear(self) -> None:
        """Delete every message of this session from the context (other keys stay)."""
        with self._writers.lock:
            for entry in self._view.entries():
                if self._index_re.fullmatch(entry.key):
                    self._view.delete(entry.key)
            self._meta.clear()

    async def aclear(self) -> None:
        """Async :meth:`clear`, on a worker thread."""
        await run_in_executor(None, self.clear)

    def _indices(self) -> list[int]:
        """Indices of this session's live messages (those with a meta entry), ascending."""
        matches = (self._index_re.fullmatch(entry.key) for entry in self._meta.entries())
        return sorted({int(match.group(1)) for match in matches if match is not None})

    def _load(self, index: int, *, full: bool) -> BaseMessage | None:
        meta = self._meta.get(self.text_key(index), full=True)
        text_entry = self._view.get_entry(self.text_key(index))
        if meta is None or text_entry is None:  # expired or deleted meanwhile
            return None
        message = _deserialize(meta, text_entry.original)
        if (
            not full
            and isinstance(message, AIMessage | ToolMessage)
            and text_entry.original_tokens > self.max_message_tokens
        ):
            shown = self._view.get(text_entry.key, max_tokens=self.max_message_tokens)
            return compressed_copy(self._view, message, text_entry, shown, ToolNames())
        return message


def _serialize(message: BaseMessage) -> str:
    """The message as JSON, without its text: the text entry holds it.

    str content is left out; in list content each text block keeps its place with its text
    left out, and ``text_blocks`` lists those places with where each text starts in the text
    entry and its length, to cut it back into blocks. A tool message's artifact holding
    LangChain objects (a retriever tool's Documents) is kept in LangChain's serialized form,
    so they come back as such; other artifacts as JSON data.
    """
    data = message_to_dict(message)
    fields = data["data"]
    if isinstance(message.content, str):
        fields["content"] = None
    else:
        content: list[str | dict[str, Any] | None] = list(message.content)
        places = []  # (place in the content, start in the text entry, length)
        start, separator = 0, text_separator(message)
        for place, block in enumerate(message.content):
            if is_text_block(block):
                length = len(block if isinstance(block, str) else block["text"])
                places.append((place, start, length))
                start += length + len(separator)
                content[place] = None if isinstance(block, str) else {**block, "text": ""}
        fields["content"] = content
        data["text_blocks"] = places
    if isinstance(message, ToolMessage) and message.artifact is not None:
        revivable = dumpd(message.artifact)
        if revivable != fields["artifact"] and not _not_implemented(revivable):
            fields["artifact"] = revivable
            data["artifact_revives"] = True
    try:
        return json.dumps(data, ensure_ascii=False)
    except TypeError as exc:
        raise TypeError(
            f"cannot store {type(message).__name__} (id={message.id!r}): its fields must be "
            f"JSON-serializable to survive in a SharedContext: {exc}"
        ) from exc


def _deserialize(meta: str, text: str) -> BaseMessage:
    """The message :func:`_serialize` gave ``meta`` for, with its ``text`` put back."""
    data = json.loads(meta)
    fields = data["data"]
    places = data.pop("text_blocks", None)
    if fields.get("content") is None:
        fields["content"] = text
    elif places is not None:
        for place, start, length in places:
            piece = text[start : start + length]
            block = fields["content"][place]
            fields["content"][place] = piece if block is None else {**block, "text": piece}
    if data.pop("artifact_revives", False):
        fields["artifact"] = _revived(fields["artifact"])
    return messages_from_dict([data])[0]


def _revived(value: object) -> Any:
    """``dumpd``'s ``value`` with its LangChain objects revived and its user data unwrapped.

    What ``langchain_core.load.load`` does (marked beta: a warning at every read), with its
    public parts: the reviver, and the documented wrapping of user data.
    """
    if isinstance(value, list):
        return [_revived(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1 and _ESCAPED in value:
        return value[_ESCAPED]  # user data, as it was
    return _REVIVER({name: _revived(item) for name, item in value.items()})


def _not_implemented(value: object) -> bool:
    """Whether ``dumpd``'s ``value`` holds an object LangChain cannot serialize (a stub)."""
    if isinstance(value, dict):
        if value.get("lc") == 1 and value.get("type") == "not_implemented":
            return True
        return any(_not_implemented(item) for item in value.values())
    if isinstance(value, list):
        return any(_not_implemented(item) for item in value)
    return False


def _drop_orphan_tool_messages(messages: list[BaseMessage]) -> list[BaseMessage]:
    """Drop tool messages whose tool call is not in an earlier AI message (it was evicted)."""
    called: set[str] = set()
    out: list[BaseMessage] = []
    for message in messages:
        if isinstance(message, AIMessage):
            called.update(call["id"] for call in message.tool_calls if call["id"] is not None)
        elif isinstance(message, ToolMessage) and message.tool_call_id not in called:
            continue
        out.append(message)
    return out
