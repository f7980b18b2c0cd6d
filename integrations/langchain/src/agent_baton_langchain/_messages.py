"""Helpers shared by the history and the middleware: a message's text and its compressed copy."""

from __future__ import annotations

from typing import Any, TypeVar

from langchain_core.messages import BaseMessage, ToolMessage

from agent_baton import ContextEntry, SharedContext
from agent_baton.answers import ToolNames
from agent_baton.compress.markers import name_tools


def message_text(message: BaseMessage) -> str:
    """The text of ``message``: its str content, or its text blocks joined.

    A tool message's blocks are separate results (an MCP tool's contents, one a block): a
    line apart, as LangChain's ``.text`` joining them end to end would run the last line of
    one into the first of the next. Other messages' blocks may split a sentence (a model's
    text around its citations): joined end to end, as ``.text`` does.
    """
    if isinstance(message, ToolMessage) and not isinstance(message.content, str):
        return text_separator(message).join(
            block if isinstance(block, str) else str(block["text"])
            for block in message.content
            if is_text_block(block)
        )
    return str(message.text)


def text_separator(message: BaseMessage) -> str:
    """What :func:`message_text` puts between the text blocks of ``message``."""
    return "\n" if isinstance(message, ToolMessage) else ""


MessageT = TypeVar("MessageT", bound=BaseMessage)


def compressed_copy(
    ctx: SharedContext,
    message: MessageT,
    entry: ContextEntry,
    shown: str | None,
    tools: ToolNames,
) -> MessageT:
    """A copy of ``message`` whose text is ``shown`` (``entry`` compressed) plus a zoom note.

    ``shown`` is what ``ctx.get(entry.key, max_tokens=...)`` returned; ``None`` (the entry
    expired meanwhile) falls back to the entry's compressed form. Its markers and the note
    name the agent's ``tools``; the note gives the sizes and the call that reads the original.
    Ids, tool calls, ``tool_call_id``, name and metadata are kept. In list content the text
    blocks are replaced by one block at the place of the first; other blocks stay as they are.
    """
    shown = name_tools(entry.compressed if shown is None else shown, tools)
    note = (
        f"[agent-baton: compressed {entry.original_tokens:,} -> {ctx.count_tokens(shown):,} "
        f"tokens; full text: {tools.read_call(entry.key, full=True)}]"
    )
    return with_text(message, f"{shown}\n{note}")


def with_text(message: MessageT, text: str) -> MessageT:
    """A copy of ``message`` whose text is ``text``; its other blocks and fields as they are.

    In list content the text blocks are replaced by one block at the place of the first.
    """
    content: str | list[str | dict[Any, Any]]
    if isinstance(message.content, str):
        content = text
    else:
        content = []
        placed = False
        for block in message.content:
            if not is_text_block(block):
                content.append(block)
            elif not placed:
                content.append({"type": "text", "text": text})
                placed = True
    return message.model_copy(update={"content": content})


def is_text_block(block: object) -> bool:
    """Whether a list content's ``block`` is text, as LangChain's ``.text`` reads it."""
    if isinstance(block, str):
        return True
    return (
        isinstance(block, dict)
        and block.get("type") == "text"
        and isinstance(block.get("text"), str)
    )
