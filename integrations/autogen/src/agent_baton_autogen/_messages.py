"""Keys, zoom notes and compression of one text, shared by the model context and the handler."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from dataclasses import dataclass

from agent_baton import EntryTooLargeError, SharedContext
from agent_baton.answers import ToolNames
from agent_baton.compress.markers import name_tools
from agent_baton_autogen.tools import READ_TOOL_NAME

logger = logging.getLogger("agent_baton_autogen")

_NOTE_PREFIX = "[agent-baton:"
# The zoom note is the last line of a compressed text; its key (JSON-quoted in the read tool's
# call, whatever the tool's prefix) is all we need to find the original.
_NOTE_KEY = re.compile(
    r"\n\[agent-baton:[^\n]*"
    + re.escape(READ_TOOL_NAME)
    + r'\(key=(?P<key>"(?:[^"\\\n]|\\.)*")[^\n]*\]\Z'
)
# Every zoom note of a text that joins several compressed texts, one per line.
_NOTE_LINES = re.compile(
    r"^\[agent-baton:[^\n]*"
    + re.escape(READ_TOOL_NAME)
    + r'\(key=(?P<key>"(?:[^"\\\n]|\\.)*")[^\n]*\]$',
    re.MULTILINE,
)
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_MAX_BYTES_PER_CHAR = 4  # UTF-8; a token is at least one byte


def text_key(author: str, text: str) -> str:
    """The key of ``text`` written by ``author``: the same text by the same author, one key.

    ``author`` is the agent that wrote a message or called the tool that returned a result.
    The model contexts of several agents and the intervention handler all see the same text,
    and a tool's result comes back as the caller's summary message: a key derived from the
    author and the content makes them share one entry instead of storing it once per reader.
    """
    return f"{_slug(author)}-{_digest(text)}"


def zoom_note(
    key: str, agent: str | None, original_tokens: int, compressed_tokens: int, tools: ToolNames
) -> str:
    """The last line of a compressed text: who wrote it, its sizes and how to read it in full."""
    source = f" from {agent}" if agent else ""
    return (
        f"{_NOTE_PREFIX} compressed{source} {original_tokens:,} -> {compressed_tokens:,} tokens; "
        f"full text: {tools.read_call(key, full=True)}]"
    )


def compressed_key(text: str) -> str | None:
    """The key named by ``text``'s zoom note when ``text`` is already compressed, else None."""
    match = _NOTE_KEY.search(text)
    return json.loads(match.group("key")) if match else None


def joined_results(ctx: SharedContext, text: str, agent: str) -> list[tuple[str, str]] | None:
    """The (key, original) of ``agent``'s entries that, joined by newlines, make up ``text``.

    An agent that calls several tools in one turn without ``reflect_on_tool_use`` hands the
    team one message joining their results (AutoGen's ``ToolCallSummaryMessage``); its own
    context and the handler have stored each result already. None when ``text`` is no such
    join, so it is stored as one text.
    """
    # By where each starts in ``text``, the longest first where two start at one place.
    parts = sorted(
        (text.find(e.original), -len(e.original), e.key, e.original)
        for e in ctx.entries()
        if e.agent == agent and 0 < len(e.original) < len(text) and e.original in text
    )
    found: list[tuple[str, str]] = []
    position = 0
    for start, _, key, original in parts:
        end = start + len(original)
        if start == position and text[end : end + 1] in ("\n", ""):
            found.append((key, original))
            position = end + 1
    return found if len(found) > 1 and position == len(text) + 1 else None


def compressed_keys(text: str) -> list[str]:
    """The keys of every zoom note in ``text``, in order, if it ends with one; else ``[]``.

    One key for a compressed text; several for tool results joined in one message.
    """
    if compressed_key(text) is None:
        return []
    return [json.loads(match.group("key")) for match in _NOTE_LINES.finditer(text)]


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
    tools: ToolNames,
) -> Compressed | None:
    """Put ``text`` into ``ctx`` under ``key`` and return its compressed form with a zoom note.

    None, and nothing put, when ``text`` is already compressed or under ``min_tokens``. None
    when the compressed form plus its note would not be smaller than ``text``: the reader then
    gets the original, which stays in ``ctx`` for search. A key already in ``ctx`` is not put
    again (keys derive from the content, so it holds the same text). None, with a warning
    logged, when ``ctx`` refuses the text as larger than its ``max_bytes``: the reader gets
    the original, as without agent-baton. Counting tokens and compressing take milliseconds
    per kilobyte: all of it runs on a worker thread, never on the event loop.
    """
    if compressed_key(text) is not None or len(text) * _MAX_BYTES_PER_CHAR < min_tokens:
        return None
    return await asyncio.to_thread(
        _compress_text, ctx, key, text, agent, min_tokens, max_tokens, tools
    )


def _compress_text(
    ctx: SharedContext,
    key: str,
    text: str,
    agent: str | None,
    min_tokens: int,
    max_tokens: int | None,
    tools: ToolNames,
) -> Compressed | None:
    if ctx.count_tokens(text) < min_tokens:
        return None
    entry = ctx.get_entry(key)
    if entry is None:
        try:
            entry = ctx.put(key, text, agent=agent)
        except EntryTooLargeError as exc:
            logger.warning("agent-baton passes a text on uncompressed: %s", exc)
            return None
    body = entry.compressed
    if max_tokens is not None and entry.compressed_tokens > max_tokens:
        body = ctx.get(key, max_tokens=max_tokens) or body
    body = name_tools(body, tools)  # its markers name the agent's read tool, not Python's get
    body_tokens = ctx.count_tokens(body)
    note = zoom_note(key, entry.agent, entry.original_tokens, body_tokens, tools)
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
