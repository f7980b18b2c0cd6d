"""make_context_tools: real LangChain tools over a SharedContext."""

from __future__ import annotations

import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool

from agent_baton_langchain import CONTEXT_TOOL_NAMES, make_context_tools


@pytest.fixture
def tools(ctx, research):
    ctx.put("research", research, agent="researcher")
    ctx.put("plan", "Write two paragraphs about the timeouts.", agent="planner")
    return {t.name: t for t in make_context_tools(ctx)}


def test_names_descriptions_and_schemas(tools):
    assert set(tools) == CONTEXT_TOOL_NAMES
    assert all(isinstance(t, BaseTool) and len(t.description) > 40 for t in tools.values())
    read = tools["read_shared_context"].tool_call_schema.model_json_schema()
    assert read["required"] == ["key"]
    assert read["properties"]["full"]["default"] is False
    assert "description" in read["properties"]["key"]
    search = tools["search_shared_context"].tool_call_schema.model_json_schema()
    assert search["required"] == ["query"]
    assert set(search["properties"]) == {"query", "key"}
    assert tools["list_shared_context"].tool_call_schema.model_json_schema()["properties"] == {}


def test_read_compressed_and_full(ctx, tools, research):
    compressed = tools["read_shared_context"].invoke({"key": "research"})
    assert compressed == ctx.get_entry("research").compressed
    assert compressed != research
    assert tools["read_shared_context"].invoke({"key": "research", "full": True}) == research


def test_read_as_a_tool_call_answers_it(tools, research):
    message = tools["read_shared_context"].invoke(
        {
            "type": "tool_call",
            "name": "read_shared_context",
            "id": "c7",
            "args": {"key": "research", "full": True},
        }
    )
    assert isinstance(message, ToolMessage)
    assert message.tool_call_id == "c7" and message.content == research


def test_missing_key_is_answered_with_the_available_keys(tools):
    answer = tools["read_shared_context"].invoke({"key": "nope"})
    assert "No shared context entry 'nope'" in answer
    assert "research" in answer and "plan" in answer


def test_search_finds_passages_of_the_original(tools):
    found = tools["search_shared_context"].invoke({"query": "upstream timeout"})
    assert "[research @" in found and "upstream timeout after 30s" in found
    only_plan = tools["search_shared_context"].invoke({"query": "timeouts", "key": "plan"})
    assert only_plan.startswith("[plan @") and "[research" not in only_plan
    assert "No passage" in tools["search_shared_context"].invoke({"query": "zebra"})


def test_list_shows_keys_agents_and_tokens(ctx, tools):
    listing = tools["list_shared_context"].invoke({})
    entry = ctx.get_entry("research")
    assert f"- research from researcher: {entry.original_tokens:,} tokens" in listing
    assert f"{entry.compressed_tokens:,} compressed" in listing
    assert "- plan from planner" in listing
    ctx.clear()
    assert tools["list_shared_context"].invoke({}) == "The shared context is empty."


@pytest.mark.asyncio
async def test_async_tools(tools, research):
    assert await tools["read_shared_context"].ainvoke({"key": "research", "full": True}) == research
    assert "upstream timeout" in await tools["search_shared_context"].ainvoke({"query": "timeout"})
    assert "research" in await tools["list_shared_context"].ainvoke({})


def test_rejects_a_non_context():
    with pytest.raises(TypeError, match="SharedContext"):
        make_context_tools({"research": "x"})
