"""A writer called through the Anthropic SDK, no framework: compressed context in, tools to zoom in.

A researcher's outputs (a JSON API result of 240 transactions, a CI log) are in a SharedContext.
The writer's system prompt carries ``ctx.render(...)``, their compressed form; the model is
offered agent-baton's read and search tools, calls them, and gets the answers back.

    python examples/anthropic_sdk.py                        # offline: a scripted model
    ANTHROPIC_API_KEY=... python examples/anthropic_sdk.py  # a real model: ANTHROPIC_MODEL,
                                                            # default claude-sonnet-4-5

Needs the Anthropic SDK's 2.x line, which sends through httpx2 (the scripted model is an
httpx2.MockTransport): pip install ./core "anthropic>=2"
"""

from __future__ import annotations

import json
import os
from typing import Any

import httpx2
from anthropic import Anthropic

from agent_baton import SharedContext
from agent_baton.answers import ToolNames
from agent_baton.demo import WRITER_TASK, load_samples
from agent_baton.llm_tools import anthropic_tool_results, anthropic_tools

SYSTEM = """You are the writer of an incident report. Other agents left you their outputs in a
shared context, compressed below. Omitted parts are marked; when you need a detail that was
left out, call read_shared_context or search_shared_context.

{context}"""


def write_report(client: Anthropic, ctx: SharedContext, task: str, model: str) -> str:
    """The tool loop: the model answers, or calls tools whose answers go back to it."""
    system = SYSTEM.format(context=ctx.render(query=task, tools=ToolNames()))
    messages: list[dict[str, Any]] = [{"role": "user", "content": task}]
    for _ in range(6):
        response = client.messages.create(
            model=model, max_tokens=1024, system=system, messages=messages, tools=anthropic_tools()
        )
        if response.stop_reason != "tool_use":
            return "".join(block.text for block in response.content if block.type == "text")
        for block in response.content:
            if block.type == "tool_use":
                print(f"  model calls {block.name}({json.dumps(block.input)})")
        messages.append({"role": "assistant", "content": response.content})
        messages.append(anthropic_tool_results(ctx, response.content))
    raise RuntimeError("the model kept calling tools")


def scripted_model(request: httpx2.Request) -> httpx2.Response:
    """Plays the model offline: reads the CI log around the failure, then reports on it."""
    body = json.loads(request.content)
    results = [
        block["content"]
        for message in body["messages"]
        if message["role"] == "user" and isinstance(message["content"], list)
        for block in message["content"]
        if block["type"] == "tool_result"
    ]
    if not results:
        arguments = {"key": "ci_log", "query": "failing test AssertionError"}
        content: list[dict[str, Any]] = [
            {"type": "tool_use", "id": "toolu_1", "name": ToolNames().read, "input": arguments}
        ]
        stop = "tool_use"
    else:
        failure = next(line for line in results[-1].splitlines() if "Error" in line)
        content = [{"type": "text", "text": f"CI failed on: {failure.strip()}"}]
        stop = "end_turn"
    return httpx2.Response(
        200,
        json={
            "id": "msg_offline",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {"input_tokens": 0, "output_tokens": 0},
        },
    )


def main() -> None:
    ctx = SharedContext()  # counts as for Claude: cl100k_base, an approximation
    samples = load_samples()
    for key in ("transactions", "ci_log"):
        ctx.put(key, samples[key], agent="researcher")
    if os.environ.get("ANTHROPIC_API_KEY"):
        client, model = Anthropic(), os.environ.get("ANTHROPIC_MODEL", "claude-sonnet-4-5")
    else:
        transport = httpx2.MockTransport(scripted_model)
        client = Anthropic(api_key="offline", http_client=httpx2.Client(transport=transport))
        model = "scripted"
    full = sum(entry.original_tokens for entry in ctx.entries())
    sent = ctx.count_tokens(ctx.render(query=WRITER_TASK, tools=ToolNames()))
    print(f"writer ({model}): {sent:,} context tokens in its prompt instead of {full:,}")
    report = write_report(client, ctx, WRITER_TASK, model)
    print(f"writer: {report}")


if __name__ == "__main__":
    main()
