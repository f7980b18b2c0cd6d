"""The read and search tools, called the way CrewAI calls them."""

from __future__ import annotations

import asyncio

import pytest
from crewai.tools import BaseTool

from agent_baton_crewai import CrewBaton, SharedContextReadTool, SharedContextSearchTool


@pytest.fixture
def filled(ctx, big):
    ctx.put("research", big, agent="Researcher")
    ctx.put("notes", "The deploy of web-5 failed with error E1234 at 10:42.", agent="Operator")
    return ctx


def test_tools_are_crewai_tools(filled):
    read, search = CrewBaton(filled).tools()
    assert isinstance(read, SharedContextReadTool) and isinstance(read, BaseTool)
    assert isinstance(search, SharedContextSearchTool)
    assert (read.name, search.name) == ("read_shared_context", "search_shared_context")
    assert read.ctx is filled
    structured = read.to_structured_tool()  # what an agent's executor uses
    assert set(structured.args_schema.model_fields) == {"key", "query"}


def test_read_returns_the_original(filled, big):
    read = SharedContextReadTool(filled)
    assert filled.get("research") != big  # the compressed form differs...
    assert read.run(key="research") == big  # ...the tool gives the original
    assert asyncio.run(read.arun(key="research")) == big


def test_read_with_query_focuses_on_it(filled, big):
    read = SharedContextReadTool(filled)
    focused = read.run(key="research", query="web-5")
    assert "web-5" in focused
    assert filled.count_tokens(focused) < filled.count_tokens(big)


def test_read_of_a_missing_key_lists_the_keys(filled):
    answer = SharedContextReadTool(filled).run(key="nope")
    assert "No shared context entry 'nope'" in answer
    assert "research" in answer and "notes" in answer


def test_search_finds_passages_of_the_originals(filled):
    search = SharedContextSearchTool(filled)
    answer = search.run(query="E1234")
    assert answer.startswith("[notes @") and "E1234" in answer and "Operator" in answer
    assert "E1234" in asyncio.run(search.arun(query="E1234", key="notes"))
    assert search.run(query="E1234", key="research").startswith("No passage of entry")


def test_tools_need_a_shared_context():
    with pytest.raises(TypeError, match="SharedContext"):
        SharedContextReadTool({})  # type: ignore[arg-type]
