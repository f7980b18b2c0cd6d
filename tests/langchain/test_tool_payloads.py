"""What real tools return, as it reaches the shared context through create_agent and the history.

A tool may return a list of text content blocks (an MCP tool's contents, one result a block):
each block's lines must reach the context as lines, not run into the next block's.
"""

from __future__ import annotations

import json

from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool

from agent_baton_langchain import BatonChatMessageHistory, SharedContextMiddleware
from agent_baton_langchain.middleware import tool_result_key


def blocks(rows: list[dict]) -> list[dict]:
    """The rows as an MCP tool returns records: one text block of JSON per record."""
    return [{"type": "text", "text": json.dumps(row)} for row in rows]


def test_a_tools_text_blocks_reach_the_context_a_line_each(ctx, scripted, tool_call, research):
    rows = json.loads(research)

    @tool
    def fetch_metrics(region: str) -> list[dict]:
        """Fetch the monitoring rows of a region, one content block per row."""
        return blocks(rows)

    model = scripted(tool_call("fetch_metrics", {"region": "all"}, "c1"), AIMessage("Done."))
    middleware = SharedContextMiddleware(ctx, agent_name="researcher", tool_result_max_tokens=50)
    agent = create_agent(model, tools=[fetch_metrics], middleware=[middleware], name="researcher")
    agent.invoke({"messages": [HumanMessage("Fetch the metrics")]})

    entry = ctx.get_entry(tool_result_key("researcher", "c1"))
    assert entry is not None
    assert entry.original.splitlines() == [json.dumps(row) for row in rows]
    # Each row a JSON value a line: the failing row stays whole in the compressed form.
    assert any(
        json.loads(line).get("status") == "error"
        for line in entry.compressed.splitlines()
        if line.startswith("{")
    )


def test_the_history_stores_a_tool_messages_blocks_a_line_each(ctx, research):
    rows = json.loads(research)
    first, second = str(rows[:150]), str(rows[150:])  # two Python reprs, as str() gives them
    message = ToolMessage(
        content=[{"type": "text", "text": first}, {"type": "text", "text": second}],
        tool_call_id="c1",
        name="fetch_metrics",
    )
    history = BatonChatMessageHistory(ctx, "s")
    call = AIMessage("", tool_calls=[{"name": "fetch_metrics", "args": {}, "id": "c1"}])
    history.add_messages([call, message])

    assert ctx.scope("s").get("s:1", full=True) == f"{first}\n{second}"
    assert history.get_messages(full=True)[1] == message
