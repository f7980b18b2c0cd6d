"""A writer called through the OpenAI SDK, no framework: compressed context in, tools to zoom in.

A researcher's outputs (a JSON API result of 240 transactions, a CI log) are in a SharedContext.
The writer's system prompt carries ``ctx.render(...)``, their compressed form; the model is
offered agent-baton's read and search tools, calls them, and gets the answers back.

    python examples/openai_sdk.py                     # offline: a scripted model, no API key
    OPENAI_API_KEY=... python examples/openai_sdk.py  # a real model: OPENAI_MODEL, default
                                                      # gpt-4o-mini

Needs the OpenAI SDK's 3.x line, which sends through httpx2 (the scripted model is an
httpx2.MockTransport): pip install ./core "openai>=3"
"""

from __future__ import annotations

import json
import os
from typing import Any

import httpx2
from openai import OpenAI

from agent_baton import SharedContext
from agent_baton.answers import ToolNames
from agent_baton.demo import WRITER_TASK, load_samples
from agent_baton.llm_tools import openai_tool_messages, openai_tools

SYSTEM = """You are the writer of an incident report. Other agents left you their outputs in a
shared context, compressed below. Omitted parts are marked; when you need a detail that was
left out, call read_shared_context or search_shared_context.

{context}"""


def write_report(client: OpenAI, ctx: SharedContext, task: str, model: str) -> str:
    """The tool loop: the model answers, or calls tools whose answers go back to it."""
    messages: list[dict[str, Any]] = [
        {
            "role": "system",
            "content": SYSTEM.format(context=ctx.render(query=task, tools=ToolNames())),
        },
        {"role": "user", "content": task},
    ]
    for _ in range(6):
        response = client.chat.completions.create(
            model=model, messages=messages, tools=openai_tools()
        )
        message = response.choices[0].message
        if not message.tool_calls:
            return message.content or ""
        for call in message.tool_calls:
            print(f"  model calls {call.function.name}({call.function.arguments})")
        messages.append(message.model_dump(exclude_none=True))  # its tool calls, as sent
        messages.extend(openai_tool_messages(ctx, message.tool_calls))
    raise RuntimeError("the model kept calling tools")


def scripted_model(request: httpx2.Request) -> httpx2.Response:
    """Plays the model offline: searches for the declined transaction, then reports on it."""
    body = json.loads(request.content)
    answers = [m["content"] for m in body["messages"] if m["role"] == "tool"]
    if not answers:
        call = {
            "id": "call_1",
            "type": "function",
            "function": {
                "name": ToolNames().search,
                "arguments": json.dumps({"query": "declined issuer_unavailable"}),
            },
        }
        message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [call]}
        finish = "tool_calls"
    else:
        found = answers[-1].split("\n")[1]  # the first passage under its heading line
        message = {"role": "assistant", "content": f"Declined transaction: {found}"}
        finish = "stop"
    return httpx2.Response(
        200,
        json={
            "id": "chatcmpl-offline",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        },
    )


def main() -> None:
    ctx = SharedContext(model="gpt-4o-mini")
    samples = load_samples()
    for key in ("transactions", "ci_log"):
        ctx.put(key, samples[key], agent="researcher")
    if os.environ.get("OPENAI_API_KEY"):
        client, model = OpenAI(), os.environ.get("OPENAI_MODEL", "gpt-4o-mini")
    else:
        transport = httpx2.MockTransport(scripted_model)
        client = OpenAI(api_key="offline", http_client=httpx2.Client(transport=transport))
        model = "scripted"
    full = sum(entry.original_tokens for entry in ctx.entries())
    sent = ctx.count_tokens(ctx.render(query=WRITER_TASK, tools=ToolNames()))
    print(f"writer ({model}): {sent:,} context tokens in its prompt instead of {full:,}")
    report = write_report(client, ctx, WRITER_TASK, model)
    print(f"writer: {report}")


if __name__ == "__main__":
    main()
