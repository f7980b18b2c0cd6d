"""The context's tools for a model called directly through the OpenAI or Anthropic SDK.

With no agent framework, a program puts ``ctx.render(...)`` in the system prompt, offers the
model these tools and answers its tool calls itself:

- :func:`openai_tools` and :func:`anthropic_tools` describe ``read_shared_context``,
  ``search_shared_context`` and ``list_shared_context`` in each SDK's shape (OpenAI function
  calling for Chat Completions, Anthropic tool use for Messages);
- :func:`run_tool` executes one call against a :class:`~agent_baton.SharedContext` and returns
  the text to send back; a call the model got wrong is answered with a sentence, not raised;
- :func:`openai_tool_messages` and :func:`anthropic_tool_results` answer every tool call of a
  model's reply, as the messages to append to the conversation.

The answers are those of the LangChain, CrewAI and AutoGen tools (:mod:`agent_baton.answers`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from agent_baton.answers import format_hits, format_listing, missing_entry
from agent_baton.context import SharedContext

READ_TOOL = "read_shared_context"
SEARCH_TOOL = "search_shared_context"
LIST_TOOL = "list_shared_context"
TOOL_NAMES = (READ_TOOL, SEARCH_TOOL, LIST_TOOL)
"""The names of the tools, as the model calls them."""

READ_MAX_TOKENS = 2000
"""A read that is not ``full`` answers within this many tokens."""
SEARCH_RESULTS = 5
"""Passages a search answers with, at most."""

_STRING = {"type": "string"}
_TOOLS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    (
        READ_TOOL,
        "Read an entry of the context shared between agents. By default returns its "
        "compressed form (omitted parts are marked); with query, a form focused on what "
        "matches it; with full=true, the complete original.",
        {
            "key": {**_STRING, "description": "Key of the entry, as the context names it."},
            "query": {
                **_STRING,
                "description": "Optional: what you look for; the answer keeps what matches.",
            },
            "full": {
                "type": "boolean",
                "description": "True for the complete original text. Default false.",
            },
        },
    ),
    (
        SEARCH_TOOL,
        "Search the originals in the shared context for passages matching a query, e.g. an "
        "error code, an id or a name. Returns each passage with its entry's key and location.",
        {
            "query": {**_STRING, "description": "Words to look for."},
            "key": {**_STRING, "description": "Optional: search only this entry."},
        },
    ),
    (
        LIST_TOOL,
        "List the entries of the shared context: key, author agent and size in tokens.",
        {},
    ),
)
_REQUIRED = {READ_TOOL: ["key"], SEARCH_TOOL: ["query"], LIST_TOOL: []}


def _schema(name: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": _REQUIRED[name],
        "additionalProperties": False,
    }


def openai_tools() -> list[dict[str, Any]]:
    """The tools as OpenAI function definitions: ``tools=`` of ``chat.completions.create``."""
    return [
        {
            "type": "function",
            "function": {
                "name": name,
                "description": description,
                "parameters": _schema(name, properties),
            },
        }
        for name, description, properties in _TOOLS
    ]


def anthropic_tools() -> list[dict[str, Any]]:
    """The tools as Anthropic tool definitions: ``tools=`` of ``messages.create``."""
    return [
        {"name": name, "description": description, "input_schema": _schema(name, properties)}
        for name, description, properties in _TOOLS
    ]


class _BadCall(Exception):
    """A tool call whose arguments the model got wrong: answered, not raised."""


def run_tool(
    ctx: SharedContext, name: str, arguments: str | Mapping[str, Any] | None = None
) -> str:
    """Execute one tool call against ``ctx`` and return the answer for the model.

    ``arguments`` is the JSON text of an OpenAI call or the ``input`` mapping of an Anthropic
    one. An unknown tool, arguments that are not valid JSON or have the wrong types, and a
    missing key are answered with a sentence the model can act on.
    """
    if not isinstance(ctx, SharedContext):
        raise TypeError(f"ctx must be an agent_baton.SharedContext, not {type(ctx).__name__}")
    if name not in TOOL_NAMES:
        return f"There is no tool {name!r}. The tools are {', '.join(TOOL_NAMES)}."
    try:
        args = _arguments(arguments)
        if name == READ_TOOL:
            return _read(ctx, args)
        if name == SEARCH_TOOL:
            query = _text(args, "query", required=True) or ""
            key = _text(args, "key")
            return format_hits(ctx.search(key, query, k=SEARCH_RESULTS), query, key)
        return format_listing(ctx)
    except _BadCall as exc:
        return f"Invalid arguments for {name}: {exc}. Call it again with valid arguments."


def _read(ctx: SharedContext, args: Mapping[str, Any]) -> str:
    key = _text(args, "key", required=True) or ""
    query = _text(args, "query")
    full = args.get("full", False)
    if not isinstance(full, bool):
        raise _BadCall(f"full must be true or false, not {json.dumps(full)}")
    if full:
        text = ctx.get(key, full=True)
    else:
        text = ctx.get(key, query=query or None, max_tokens=READ_MAX_TOKENS)
    return missing_entry(ctx, key) if text is None else text


def _arguments(arguments: str | Mapping[str, Any] | None) -> Mapping[str, Any]:
    if arguments is None or arguments == "":
        return {}
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except json.JSONDecodeError as exc:
            raise _BadCall(f"they are not valid JSON ({exc.msg})") from None
    if not isinstance(arguments, Mapping):
        raise _BadCall("they must be a JSON object")
    return arguments


def _text(args: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    value = args.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise _BadCall(f"{name} must be a non-empty string")
    return value


def _field(obj: Any, name: str) -> Any:
    """``obj.name`` for an SDK object, ``obj[name]`` for the same thing as a dict."""
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def openai_tool_messages(ctx: SharedContext, tool_calls: Iterable[Any]) -> list[dict[str, str]]:
    """Answer each tool call of an OpenAI reply: the ``tool`` messages to append, in order.

    ``tool_calls`` is ``response.choices[0].message.tool_calls`` (SDK objects or dicts).
    """
    messages = []
    for call in tool_calls:
        function = _field(call, "function")
        answer = run_tool(ctx, str(_field(function, "name")), _field(function, "arguments"))
        messages.append(
            {"role": "tool", "tool_call_id": str(_field(call, "id")), "content": answer}
        )
    return messages


def anthropic_tool_results(ctx: SharedContext, content: Iterable[Any]) -> dict[str, Any]:
    """Answer each ``tool_use`` block of an Anthropic reply: the user message to append.

    ``content`` is ``response.content`` (SDK blocks or dicts); other blocks are ignored.
    """
    results = [
        {
            "type": "tool_result",
            "tool_use_id": str(_field(block, "id")),
            "content": run_tool(ctx, str(_field(block, "name")), _field(block, "input")),
        }
        for block in content
        if _field(block, "type") == "tool_use"
    ]
    return {"role": "user", "content": results}
