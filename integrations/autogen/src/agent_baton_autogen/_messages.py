"""Keys, zoom notes and compression of one text, shared by the model context and the handler."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from agent_baton import SharedContext
from agent_baton_autogen.tools import READ_TOOL_NAME

_NOTE_PREFIX = "[agent-baton:"
# The zoom note is the last line of a compressed text; its key is all we need to find the original.
_NOTE_KEY = re.compile(
    r"\n\[agent-baton:[^\n]*" + re.escape(READ_TOOL_NAME) + r'\(key="(?P<key>[^"\n]+)"[^\n]*\]\Z'
)
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def message_key(source: str, text: str) -> str:
    """The key of a message ``text`` written by ``source``: the same text gives the same key.

    The model contexts of several agents and the intervention handler all put the same message;
    a content-derived key makes them share one entry instead of storing it once per reader.
    """
    return f"{_slug(source)}-{_digest(text)}"


def tool_result_key(tool_name: str, text: str) -> str:
    """The key of a tool result ``text`` returned by the tool ``tool_name``."""
    return f"{_slug(tool_name)}-result-{_digest(text)}"


def zoom_note(key: str, agent: str | None, original_tokens: int, compressed_tokens: int) -> str:
    """The last line of a compressed text: who wrote it, its sizes and how to read it in full."""
    source = f" from {agent}" if agent else ""
    return (
        f"{_NOTE_PREFIX} compressed{source} {original_tokens:,} -> {compressed_tokens:,} tokens; "
        f'full text: {READ_TOOL_NAME}(key="{key}", full=True)]'
    )


def compressed_key(text: str) -> str | None:
    """The key named by ``text``'s zoom note when ``text`` is already compressed, else None."""
    match = _NOTE_KEY.search(text)
    return match.group("key") if match else None


@dataclass(frozen=True)
class Compressed:
    """A text as the next model should see it, and the entry that keeps its original."""

    key: str
    text: str
    original_tokens: int
    tokens: int


async def compress_text(
    ctx: SharedContext,
    key: str,
    text: str,
    agent: str | None,
    *,
    min_tokens: int,
    max_tokens: int | None,
) -> Compressed | None:
    """Put ``text`` into ``ctx`` under ``key`` and return its compressed form with a zoom note.

    None, and nothing put, when ``text`` is already compressed or under ``min_tokens``. None
    when the compressed form plus its note would not be smaller than ``text``: the reader then
    gets the original, which stays in ``ctx`` for search. A key already in ``ctx`` is not put
    again (keys derive from the content, so it holds the same text).
    """
    if compressed_key(text) is not None or ctx.count_tokens(text) < min_tokens:
        return None
    entry = ctx.get_entry(key)
    if entry is None:
        entry = await ctx.aput(key, text, agent=agent)
    body = entry.compressed
    if max_tokens is not None and entry.compressed_tokens > max_tokens:
        body = await ctx.aget(key, max_tokens=max_tokens) or body
    body_tokens = ctx.count_tokens(body)
    note = zoom_note(key, entry.agent, entry.original_tokens, body_tokens)
    compressed = f"{body}\n{note}"
    tokens = ctx.count_tokens(compressed)
    if tokens >= entry.original_tokens:
        return None
    return Compressed(
        key=key, text=compressed, original_tokens=entry.original_tokens, tokens=tokens
    )


def _slug(name: str) -> str:
    return _UNSAFE.sub("_", name).strip("_") or "agent"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
