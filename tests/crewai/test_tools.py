"""The read, search and list tools, called the way CrewAI calls them."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from crewai import Agent, Crew, Task
from crewai.tools import BaseTool

from agent_baton import SharedContext
from agent_baton_crewai import (
    CrewBaton,
    SharedContextListTool,
    SharedContextReadTool,
    SharedContextSearchTool,
)


@pytest.fixture
def filled(ctx, big):
    ctx.put("research", big, agent="Researcher")
    ctx.put("notes", "The deploy of web-5 failed with error E1234 at 10:42.", agent="Operator")
    return ctx


def test_tools_are_crewai_tools(filled):
    read, search, listing = CrewBaton(filled).tools()
    assert isinstance(read, SharedContextReadTool) and isinstance(read, BaseTool)
    assert isinstance(search, SharedContextSearchTool)
    assert isinstance(listing, SharedContextListTool)
    names = (read.name, search.name, listing.name)
    assert names == ("read_shared_context", "search_shared_context", "list_shared_context")
    assert read.ctx is filled
    structured = read.to_structured_tool()  # what an agent's executor uses
    fields = set(structured.args_schema.model_fields)
    assert fields == {"key", "query", "full", "page", "max_tokens"}
    assert read.cache_function({"key": "research"}, "answer") is False  # never cached by CrewAI


def test_a_prefix_names_the_tools_and_their_markers(filled):
    read, search, listing = CrewBaton(filled).tools(prefix="ops_")
    assert (read.name, search.name, listing.name) == (
        "ops_read_shared_context",
        "ops_search_shared_context",
        "ops_list_shared_context",
    )
    answer = read.run(key="research")
    assert 'ops_read_shared_context(key="research", full=true)' in answer  # the marker
    assert 'get("research"' not in answer
    assert "ops_read_shared_context(key=...)" in listing.run()


def test_markers_name_the_tools_as_crewai_offers_them_to_the_model(
    ctx, make_agent, final, big, native_llm, tool_call
):
    # CrewAI offers "Ops-read_shared_context" as ops_read_shared_context and calls it by that
    # name only: markers naming the tool as given named a tool the model does not have.
    baton = CrewBaton(ctx, max_tokens=1000)
    writer_llm = native_llm(
        [tool_call("ops_read_shared_context", key="research", query="web-5"), "Done."],
        window=1_000_000,
    )
    researcher, _ = make_agent("Researcher", [final(big)])
    writer = Agent(
        role="Writer", goal="Write", backstory="-", llm=writer_llm, tools=baton.tools(prefix="Ops-")
    )
    tasks = [
        Task(name="research", description="Collect", expected_output="JSON", agent=researcher),
        Task(name="write", description="Write", expected_output="text", agent=writer),
    ]
    baton.attach(Crew(agents=[researcher, writer], tasks=tasks)).kickoff()

    offered = writer_llm.offered(0)
    named = set(re.findall(r"([\w-]+)\(key=", writer_llm.prompt(0)))
    assert named and named <= offered, (named, offered)
    (answer,) = writer_llm.tool_results()
    assert '"host": "web-5"' in answer  # the call by the offered name reached the tool


def test_markers_name_this_batons_tools_when_the_agent_has_two_contexts(
    make_agent, final, big, native_llm
):
    # The writer reads a docs context first in its tool list; the handoff is from the run's
    # context, so its markers must name that context's tools, not the first ones listed.
    docs, run = CrewBaton(SharedContext()), CrewBaton(SharedContext(), max_tokens=1000)
    writer_llm = native_llm(["Done."], window=1_000_000)
    researcher, _ = make_agent("Researcher", [final(big)])
    tools = [*docs.tools(prefix="docs_"), *run.tools(prefix="run_")]
    writer = Agent(role="Writer", goal="Write", backstory="-", llm=writer_llm, tools=tools)
    tasks = [
        Task(name="research", description="Collect", expected_output="JSON", agent=researcher),
        Task(name="write", description="Write", expected_output="text", agent=writer),
    ]
    run.attach(Crew(agents=[researcher, writer], tasks=tasks)).kickoff()

    named = set(re.findall(r"([\w-]+)\(key=", writer_llm.prompt(0)))
    assert named == {"run_read_shared_context"}


@pytest.mark.parametrize("prefix", ["ops ", "ops.", "é_", 7])
def test_a_prefix_model_apis_refuse_is_refused(ctx, prefix):
    with pytest.raises((ValueError, TypeError), match="prefix"):
        CrewBaton(ctx).tools(prefix=prefix)


def test_read_returns_the_compressed_form_within_its_budget(filled, big):
    read = SharedContextReadTool(filled, max_tokens=500)
    answer = read.run(key="research")
    assert filled.count_tokens(answer) <= 500 < filled.count_tokens(big)
    assert "omitted" in answer and 'read_shared_context(key="research", full=true)' in answer
    assert asyncio.run(read.arun(key="research")) == answer
    assert filled.count_tokens(read.run(key="research", max_tokens=200)) <= 200
    assert read.run(key="research", max_tokens=10_000) == answer  # capped at the tool's budget


def test_read_full_gives_the_original_in_pages(filled, big):
    read = SharedContextReadTool(filled, max_tokens=1000)
    pages, page = [], 1
    while True:
        answer = read.run(key="research", full=True, page=page)
        assert filled.count_tokens(answer) <= 1000
        text, _, note = answer.rpartition("\n[page ")
        pages.append(text)
        if "next:" not in note:
            break
        assert f'read_shared_context(key="research", full=true, page={page + 1}' in note
        page += 1
    assert page > 5
    assert "".join(pages) == big  # nothing lost between pages
    # A page keeps its size whatever budget a call asks for: page 3 follows page 2.
    assert read.run(key="research", full=True, page=2, max_tokens=200) == read.run(
        key="research", full=True, page=2
    )


def test_read_with_query_focuses_on_it(filled, big):
    read = SharedContextReadTool(filled)
    focused = read.run(key="research", query="web-5")
    assert "web-5" in focused
    assert filled.count_tokens(focused) < filled.count_tokens(big)


def test_read_of_a_missing_key_says_why_and_lists_the_keys(filled):
    answer = SharedContextReadTool(filled).run(key="nope")
    assert "No shared context entry 'nope': not stored" in answer
    assert "research" in answer and "notes" in answer


def test_refusals_say_too_large_evicted_or_expired(big):
    now = [0.0]
    ctx = SharedContext(max_entries=2, max_bytes=len(big) * 3, ttl=60, clock=lambda: now[0])
    with pytest.raises(Exception, match="max_bytes"):
        ctx.put("huge", big * 4)
    ctx.put("first", "one")
    ctx.put("second", "two")
    ctx.put("third", "three")  # evicts "first"
    read = SharedContextReadTool(ctx)
    assert "too large" in read.run(key="huge")
    assert "evicted" in read.run(key="first")
    now[0] = 120.0
    assert "expired" in read.run(key="third")


def test_search_returns_only_matching_passages_within_the_budget(filled):
    search = SharedContextSearchTool(filled, max_tokens=300)
    answer = search.run(query="E1234")
    assert answer.startswith("[notes @") and "E1234" in answer and "Operator" in answer
    assert "web-0" not in answer  # unrelated score-0 passages do not pad the answer
    assert "E1234" in asyncio.run(search.arun(query="E1234", key="notes"))
    assert search.run(query="E1234", key="research").startswith("No passage of entry")


def test_one_long_passage_is_cut_to_the_budget():
    ctx = SharedContext()
    rows = [{"id": i, "note": "ok" if i != 4711 else "refund failed"} for i in range(6000)]
    ctx.put("rows", json.dumps(rows, separators=(",", ":")))  # one line of 100k+ tokens
    answer = SharedContextSearchTool(ctx, max_tokens=400).run(query="refund failed")
    assert ctx.count_tokens(answer) <= 400
    assert "refund failed" in answer


def test_list_names_the_entries(filled):
    answer = SharedContextListTool(filled).run()
    assert "- research from Researcher" in answer and "- notes from Operator" in answer


def test_tools_need_a_shared_context():
    with pytest.raises(TypeError, match="SharedContext"):
        SharedContextReadTool({})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_tokens"):
        SharedContextReadTool(SharedContext(), max_tokens=0)
