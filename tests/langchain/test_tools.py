"""make_context_tools: real LangChain tools over a SharedContext, every answer bounded."""

from __future__ import annotations

import json
import re

import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool

from agent_baton import SharedContext
from agent_baton.answers import DEFAULT_TOOL_TOKENS, tool_names
from agent_baton.compress.markers import name_tools
from agent_baton_langchain import CONTEXT_TOOL_NAMES, SharedContextMiddleware, make_context_tools

PAGE_NOTE = re.compile(r"\n\[page (\d+) of (\d+) of the original of '[^']+'(; next: .*)?\]$")


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
    assert set(read["properties"]) == {"key", "query", "full", "page", "max_tokens"}
    assert read["properties"]["full"]["default"] is False
    assert "description" in read["properties"]["key"]
    search = tools["search_shared_context"].tool_call_schema.model_json_schema()
    assert search["required"] == ["query"]
    assert set(search["properties"]) == {"query", "key", "k"}
    assert tools["list_shared_context"].tool_call_schema.model_json_schema()["properties"] == {}


def test_read_is_bounded_and_names_the_tool(ctx, tools, research):
    entry = ctx.get_entry("research")
    compressed = tools["read_shared_context"].invoke({"key": "research"})
    assert compressed != research
    assert ctx.count_tokens(compressed) <= DEFAULT_TOOL_TOKENS
    # the markers name the tool the model has, not Python's get()
    assert 'get("research", full=True)' in entry.compressed
    assert "get(" not in compressed
    assert compressed == name_tools(entry.compressed, tool_names())
    small = tools["read_shared_context"].invoke({"key": "research", "max_tokens": 200})
    assert ctx.count_tokens(small) <= 200
    # the model cannot ask for more than the cap
    big = tools["read_shared_context"].invoke({"key": "research", "max_tokens": 10**6})
    assert ctx.count_tokens(big) <= DEFAULT_TOOL_TOKENS


def test_read_with_query_keeps_what_matches(tools):
    answer = tools["read_shared_context"].invoke(
        {"key": "research", "query": "upstream timeout", "max_tokens": 400}
    )
    assert "upstream timeout after 30s" in answer


def test_full_read_pages_through_the_whole_original(ctx, tools, research):
    pages = []
    page = 1
    while True:
        answer = tools["read_shared_context"].invoke(
            {"key": "research", "full": True, "page": page}
        )
        assert ctx.count_tokens(answer) <= DEFAULT_TOOL_TOKENS
        note = PAGE_NOTE.search(answer)
        assert note is not None and int(note.group(1)) == page
        pages.append(answer[: note.start()])
        if note.group(3) is None:
            break
        assert f'read_shared_context(key="research", full=true, page={page + 1})' in note.group(3)
        page += 1
    assert page == int(note.group(2)) > 1
    assert "".join(pages) == research


def test_read_as_a_tool_call_answers_it(tools):
    message = tools["read_shared_context"].invoke(
        {
            "type": "tool_call",
            "name": "read_shared_context",
            "id": "c7",
            "args": {"key": "plan", "full": True},
        }
    )
    assert isinstance(message, ToolMessage)
    assert message.tool_call_id == "c7"
    assert message.content == "Write two paragraphs about the timeouts."


def test_missing_key_says_why(ctx, tools):
    answer = tools["read_shared_context"].invoke({"key": "nope"})
    assert "No shared context entry 'nope': not stored" in answer
    assert "research" in answer and "plan" in answer and "list_shared_context" in answer
    small = SharedContext(max_bytes=2_000)
    read = make_context_tools(small)[0]
    with pytest.raises(Exception, match="max_bytes"):
        small.put("huge", "x " * 5_000)
    assert "refused: too large" in read.invoke({"key": "huge"})
    assert "expired" not in read.invoke({"key": "huge"})


def test_search_answers_only_matching_passages_within_the_budget(ctx, tools):
    found = tools["search_shared_context"].invoke({"query": "upstream timeout"})
    assert "[research @" in found and "upstream timeout after 30s" in found
    only_plan = tools["search_shared_context"].invoke({"query": "timeouts", "key": "plan"})
    assert only_plan.startswith("[plan @") and "[research" not in only_plan
    assert "No passage" in tools["search_shared_context"].invoke({"query": "zebra"})
    # a one-line JSON array is one passage: it is cut to its share, not returned whole
    rows = [{"id": i, "note": f"order {i} shipped", "region": "eu"} for i in range(3000)]
    ctx.put("orders", json.dumps(rows), agent="shop")
    answer = tools["search_shared_context"].invoke({"query": "order 1234 shipped", "k": 3})
    assert ctx.count_tokens(answer) <= DEFAULT_TOOL_TOKENS
    assert "[orders @" in answer


def test_list_shows_keys_agents_and_tokens(ctx, tools):
    listing = tools["list_shared_context"].invoke({})
    entry = ctx.get_entry("research")
    assert f"- research from researcher: {entry.original_tokens:,} tokens" in listing
    assert f"{entry.compressed_tokens:,} compressed" in listing
    assert "- plan from planner" in listing
    ctx.clear()
    assert tools["list_shared_context"].invoke({}) == "The shared context is empty."


def test_list_of_many_entries_fits_the_cap():
    ctx = SharedContext(max_entries=1000)
    for i in range(300):
        ctx.put(f"note-{i}", f"note {i} about order {i}", agent=f"agent-{i % 5}")
    listing = {t.name: t for t in make_context_tools(ctx, max_tokens=400)}["list_shared_context"]
    answer = listing.invoke({})
    assert ctx.count_tokens(answer) <= 400  # 5,161 tokens for 300 entries before
    assert "note-299 from agent-4" in answer and "older entries not listed" in answer


def test_prefix_names_the_tools_and_their_answers(ctx, research):
    ctx.put("research", research, agent="researcher")
    tools = {t.name: t for t in make_context_tools(ctx, prefix="docs_", max_tokens=500)}
    assert set(tools) == {f"docs_{name}" for name in CONTEXT_TOOL_NAMES}
    answer = tools["docs_read_shared_context"].invoke({"key": "research"})
    assert 'docs_read_shared_context(key="research", full=true)' in answer
    assert ctx.count_tokens(answer) <= 500
    assert "docs_search_shared_context" in tools["docs_list_shared_context"].invoke({})


def test_each_thread_sees_only_its_own_entries(ctx):
    ctx.scope("alice").put("researcher", "Alice's research: the EU cluster", agent="researcher")
    ctx.scope("bob").put("researcher", "Bob's research: the US cluster", agent="researcher")
    read, search, listing = make_context_tools(ctx)
    alice = {"configurable": {"thread_id": "alice"}}
    bob = {"configurable": {"thread_id": "bob"}}
    assert "Alice's research" in read.invoke({"key": "researcher", "full": True}, alice)
    assert "Bob's research" in read.invoke({"key": "researcher", "full": True}, bob)
    assert "Bob" not in search.invoke({"query": "research cluster"}, alice)
    assert "Alice" not in search.invoke({"query": "research cluster"}, bob)
    assert listing.invoke({}) == "The shared context is empty."  # no thread: the root
    fixed = make_context_tools(ctx, scope="bob")[0]
    assert "Bob's research" in fixed.invoke({"key": "researcher", "full": True}, alice)


@pytest.mark.asyncio
async def test_async_tools(ctx, tools, research):
    answer = await tools["read_shared_context"].ainvoke({"key": "research", "full": True})
    assert research.startswith(answer[: PAGE_NOTE.search(answer).start()])
    assert "upstream timeout" in await tools["search_shared_context"].ainvoke({"query": "timeout"})
    assert "research" in await tools["list_shared_context"].ainvoke({})
    ctx.scope("alice").put("notes", "alice only", agent="a")
    alice = {"configurable": {"thread_id": "alice"}}
    assert await tools["list_shared_context"].ainvoke({}, alice) != (
        await tools["list_shared_context"].ainvoke({})
    )
    assert "alice only" in await tools["read_shared_context"].ainvoke({"key": "notes"}, alice)


def test_bad_arguments():
    with pytest.raises(TypeError, match="SharedContext"):
        make_context_tools({"research": "x"})
    with pytest.raises(ValueError, match="max_tokens"):
        make_context_tools(SharedContext(), max_tokens=0)
    with pytest.raises(TypeError, match="scope"):
        make_context_tools(SharedContext(), scope=7)


@pytest.mark.parametrize("prefix", ["docs ", "dös_", "a.b_", "x" * 44])
def test_a_prefix_a_model_api_would_refuse_is_refused_here(ctx, prefix):
    # OpenAI and Anthropic take tool names of 1-64 ASCII letters, digits, '_' and '-': a name
    # outside that fails only at the first model call, far from the mistake.
    with pytest.raises(ValueError, match="prefix"):
        make_context_tools(ctx, prefix=prefix)
    with pytest.raises(ValueError, match="prefix"):
        SharedContextMiddleware(ctx, tool_prefix=prefix)
    assert len(make_context_tools(ctx, prefix="x" * 43)) == 3
