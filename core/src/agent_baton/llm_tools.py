"""The context's tools for a model called directly through the OpenAI or Anthropic SDK.

With no agent framework, a program puts ``ctx.render(query=task, tools=ToolNames())`` in the
system prompt, offers the model these tools and answers its tool calls itself:

- :func:`openai_tools` and :func:`anthropic_tools` describe the read, search and list tools
  (``read_shared_context``, ``search_shared_context``, ``list_shared_context`` unless
  ``tools`` names them otherwise) in each SDK's shape: OpenAI function calling for Chat
  Completions, Anthropic tool use for Messages;
- :func:`run_tool` executes one call against a :class:`~agent_baton.SharedContext` and returns
  the text to send back; a call the model got wrong is answered with a sentence, not raised;
- :func:`openai_tool_messages` and :func:`anthropic_tool_results` answer every tool call of a
  model's reply, as the messages to append to the conversation.

The answers are those of the LangChain, CrewAI and AutoGen tools (:mod:`agent_baton.answers`):
each fits :data:`~agent_baton.answers.DEFAULT_TOOL_TOKENS` tokens, and a full read comes in
pages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal, overload

from agent_baton.answers import listing_answer, read_answer, search_answer
from agent_baton.compress.markers import ToolNames
from agent_baton.context import SharedContext, key_problem

__all__ = [
    "anthropic_tool_results",
    "anthropic_tools",
    "openai_tool_messages",
    "openai_tools",
    "run_tool",
]

_STRING = {"type": "string"}


def _definitions(tools: ToolNames) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, description, JSON schema of the arguments) of each tool."""
    read = (
        "Read an entry of the context shared between agents. By default returns its "
        "compressed form (omitted parts are marked); with query, a form focused on what "
        "matches it; with full=true, the complete original, a page at a time."
    )
    search = (
        "Search the originals in the shared context for passages matching a query, e.g. an "
        "error code, an id or a name. Returns each passage with its entry's key and location."
    )
    return [
        (
            tools.read,
            read,
            _schema(
                ["key"],
                key={**_STRING, "description": "Key of the entry, as the context names it."},
                query={
                    **_STRING,
                    "description": "Optional: what you look for; the answer keeps what matches.",
                },
                full={
                    "type": "boolean",
                    "description": "True for the complete original text. Default false.",
                },
                page={
                    "type": "integer",
                    "minimum": 1,
                    "description": "With full=true, which page of the original. Default 1.",
                },
            ),
        ),
        (
            tools.search,
            search,
            _schema(
                ["query"],
                query={**_STRING, "description": "Words to look for."},
                key={**_STRING, "description": "Optional: search only this entry."},
            ),
        ),
        (
            tools.list,
            "List the entries of the shared context: key, author agent and size in tokens.",
            _schema([]),
        ),
    ]


def _schema(required: list[str], **properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def openai_tools(tools: ToolNames | None = None) -> list[dict[str, Any]]:
    """The tools as OpenAI function definitions: ``tools=`` of ``chat.completions.create``."""
    return [
        {
            "type": "function",
            "function": {"name": name, "description": description, "parameters": schema},
        }
        for name, description, schema in _definitions(tools or ToolNames())
    ]


def anthropic_tools(tools: ToolNames | None = None) -> list[dict[str, Any]]:
    """The tools as Anthropic tool definitions: ``tools=`` of ``messages.create``."""
    return [
        {"name": name, "description": description, "input_schema": schema}
        for name, description, schema in _definitions(tools or ToolNames())
    ]


class _BadCall(Exception):
    """A tool call whose arguments the model got wrong: answered, not raised."""


def run_tool(
    ctx: SharedContext,
    name: str,
    arguments: str | Mapping[str, Any] | None = None,
    *,
    tools: ToolNames | None = None,
) -> str:
    """Execute one tool call against ``ctx`` and return the answer for the model.

    ``arguments`` is the JSON text of an OpenAI call or the ``input`` mapping of an Anthropic
    one; ``tools`` the names the tools were offered under. An unknown tool, arguments that are
    not valid JSON or have the wrong types, and a missing key are answered with a sentence the
    model can act on.
    """
    if not isinstance(ctx, SharedContext):
        raise TypeError(f"ctx must be an agent_baton.SharedContext, not {type(ctx).__name__}")
    tools = tools or ToolNames()
    names = (tools.read, tools.search, tools.list)
    if name not in names:
        return f"There is no tool {name!r}. The tools are {', '.join(names)}."
    try:
        args = _arguments(arguments)
        if name == tools.read:
            full = args.get("full", False)
            if not isinstance(full, bool):
                raise _BadCall(f"full must be true or false, not {json.dumps(full)}")
            page = args.get("page", 1)
            if isinstance(page, bool) or not isinstance(page, int) or page < 1:
                raise _BadCall(f"page must be a whole number from 1, not {json.dumps(page)}")
            key = _key(_text(args, "key", required=True))
            query = _text(args, "query")
            return read_answer(ctx, key, query=query, full=full, page=page, tools=tools)
        if name == tools.search:
            query = _text(args, "query", required=True)
            within = _text(args, "key")
            within = None if within is None else _key(within)
            return search_answer(ctx, query, key=within, tools=tools)
        return listing_answer(ctx, tools)
    except _BadCall as exc:
        return f"Invalid arguments for {name}: {exc}. Call it again with valid arguments."


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


@overload
def _text(args: Mapping[str, Any], name: str, *, required: Literal[True]) -> str: ...
@overload
def _text(args: Mapping[str, Any], name: str) -> str | None: ...
def _text(args: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    value = args.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value):
        raise _BadCall(f"{name} must be a non-empty string")
    return value


def _key(key: str) -> str:
    """``key`` when the context accepts it as a key; a model's wrong key is answered."""
    problem = key_problem(key)
    if problem is not None:
        raise _BadCall(problem)
    return key


def _field(obj: Any, name: str) -> Any:
    """``obj.name`` for an SDK object, ``obj[name]`` for the same thing as a dict."""
    return obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)


def openai_tool_messages(
    ctx: SharedContext, tool_calls: Iterable[Any], *, tools: ToolNames | None = None
) -> list[dict[str, str]]:
    """Answer each tool call of an OpenAI reply: the ``tool`` messages to append, in order.

    ``tool_calls`` is ``response.choices[0].message.tool_calls`` (SDK objects or dicts).
    """
    messages = []
    for call in tool_calls:
        function = _field(call, "function")
        name, arguments = str(_field(function, "name")), _field(function, "arguments")
        answer = run_tool(ctx, name, arguments, tools=tools)
        messages.append(
            {"role": "tool", "tool_call_id": str(_field(call, "id")), "content": answer}
        )
    return messages


def anthropic_tool_results(
    ctx: SharedContext, content: Iterable[Any], *, tools: ToolNames | None = None
) -> dict[str, Any]:
    """Answer each ``tool_use`` block of an Anthropic reply: the user message to append.

    ``content`` is ``response.content`` (SDK blocks or dicts); other blocks are ignored.
    """
    results = [
        {
            "type": "tool_result",
            "tool_use_id": str(_field(block, "id")),
            "content": run_tool(
                ctx, str(_field(block, "name")), _field(block, "input"), tools=tools
            ),
        }
        for block in content
        if _field(block, "type") == "tool_use"
    ]
    return {"role": "user", "content": results}
