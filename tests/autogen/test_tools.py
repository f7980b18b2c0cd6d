"""The context tools: bounded answers, tool names in markers, refusals, component configs."""

from __future__ import annotations

import json

import pytest
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import MaxMessageTermination
from autogen_agentchat.messages import ToolCallExecutionEvent
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_core import CancellationToken
from autogen_core.tools import BaseTool

from agent_baton import SharedContext
from agent_baton.compress import compress
from agent_baton_autogen import (
    CONTEXT_TOOL_NAMES,
    BatonChatCompletionContext,
    ReadSharedContextTool,
    make_context_tools,
    team_scope,
)

pytestmark = pytest.mark.asyncio


async def call(tool, **arguments):
    return await tool.run_json(arguments, CancellationToken())


def one_line_json(n: int = 3000) -> str:
    """A JSON array on one line, as many APIs return it: one 'passage' of 60k tokens."""
    return (
        "[" + ",".join(f'{{"id":{i},"item":"ITM-{i:05d}","qty":{i % 7}}}' for i in range(n)) + "]"
    )


async def test_read_is_bounded_focused_and_paged(ctx, kit):
    data = kit.sales_rows()
    ctx.put("sales", data, agent="researcher")
    read, _, _ = make_context_tools(ctx, max_tokens=500)
    assert read.name in CONTEXT_TOOL_NAMES

    compressed = await call(read, key="sales")
    assert ctx.count_tokens(compressed) <= 500
    assert 'read_shared_context(key="sales", full=true)' in compressed and 'get("' not in compressed
    focused = await call(read, key="sales", query="SKU-0042")
    assert "SKU-0042" in focused and ctx.count_tokens(focused) <= 500
    pages, page = [], 1
    while True:
        text = await call(read, key="sales", full=True, page=page)
        assert ctx.count_tokens(text) <= 500
        pages.append(text.split("\n[page ")[0] if "\n[page " in text else text)
        if "next: read_shared_context" not in text:
            break
        page += 1
    assert page > 10 and "".join(pages) == data  # the pages give back the original
    assert ctx.count_tokens(await call(read, key="sales", max_tokens=100)) <= 100
    assert ctx.count_tokens(await call(read, key="sales", max_tokens=10**6)) <= 500


async def test_search_returns_only_matching_passages_within_the_budget(ctx, kit):
    ctx.put("orders", one_line_json(), agent="researcher")
    ctx.put("sales", kit.sales_rows(), agent="researcher")
    _, search, _ = make_context_tools(ctx, max_tokens=400)

    hits = await call(search, query="ITM-00042")
    assert ctx.count_tokens(hits) <= 400  # 46,183 tokens in one call before
    assert hits.startswith("[orders @") and "ITM-00042" in hits
    assert "[sales @" not in hits  # no score-0 padding
    assert "No passage" in await call(search, query="zzzz-unknown")


async def test_list_of_many_entries_fits_the_budget():
    ctx = SharedContext(max_entries=1000)
    for i in range(300):
        ctx.put(f"note-{i}", f"note {i} about order {i}", agent=f"agent-{i % 5}")
    _, _, listing = make_context_tools(ctx, max_tokens=400)
    answer = await call(listing)
    assert ctx.count_tokens(answer) <= 400  # 5,161 tokens for 300 entries before
    assert "note-299 from agent-4" in answer and "older entries not listed" in answer


async def test_refusals_say_why(kit):
    ctx = SharedContext(max_bytes=20_000)
    read, search, listing = make_context_tools(ctx)
    with pytest.raises(Exception, match="max_bytes"):
        ctx.put("big", kit.sales_rows(), agent="researcher")

    assert "too large" in await call(read, key="big")
    assert "not stored" in await call(read, key="never")
    assert "not stored" in await call(search, query="x", key="never")
    assert await call(listing) == "The shared context is empty."


async def test_a_prefix_names_the_tools_and_their_markers(ctx, kit):
    ctx.put("sales", kit.sales_rows(), agent="researcher")
    docs = make_context_tools(ctx, prefix="docs_")
    assert [t.name for t in docs] == [
        "docs_read_shared_context",
        "docs_search_shared_context",
        "docs_list_shared_context",
    ]
    text = await call(docs[0], key="sales")
    assert 'docs_read_shared_context(key="sales", full=true)' in text
    assert "docs_read_shared_context(key=..." in await call(docs[2])


@pytest.mark.parametrize("prefix", ["docs ", "dös_", "x" * 44])
async def test_a_prefix_a_model_api_would_refuse_is_refused_here(ctx, prefix):
    # OpenAI and Anthropic take tool names of 1-64 ASCII letters, digits, '_' and '-'.
    with pytest.raises(ValueError, match="prefix"):
        make_context_tools(ctx, prefix=prefix)
    with pytest.raises(ValueError, match="prefix"):
        BatonChatCompletionContext(ctx, tool_prefix=prefix)
    assert len(make_context_tools(ctx, prefix="x" * 43)) == 3


async def test_tools_load_from_a_dumped_config(ctx, kit):
    # A closure in a FunctionTool dumps as source code that fails to load ('Annotated' is
    # not defined) and could not hold the context anyway; these name it instead.
    ctx.put("sales", kit.sales_rows(), agent="researcher")
    configs = [tool.dump_component() for tool in make_context_tools(ctx, max_tokens=600)]
    assert configs[0].provider == "agent_baton_autogen.ReadSharedContextTool"

    loaded = [BaseTool.load_component(config) for config in configs]

    assert isinstance(loaded[0], ReadSharedContextTool)
    assert [t.schema for t in loaded] == [t.schema for t in make_context_tools(ctx)]
    assert await call(loaded[0], key="sales", full=True, page=2) == await call(
        make_context_tools(ctx, max_tokens=600)[0], key="sales", full=True, page=2
    )
    assert "- sales from researcher" in await call(loaded[2])


async def test_team_with_tools_and_contexts_round_trips_its_config(ctx, kit):
    # What AutoGen users do with a team: dump it to JSON, load it elsewhere, run it.
    data = kit.sales_rows()
    search = kit.calls(("search_shared_context", {"query": "SKU-0042"}))
    team = RoundRobinGroupChat(
        [
            AssistantAgent(
                "researcher",
                kit.replay(data),
                model_context=BatonChatCompletionContext(ctx, max_tokens=400),
            ),
            AssistantAgent(
                "analyst",
                kit.replay(search),
                model_context=BatonChatCompletionContext(ctx),
                tools=make_context_tools(ctx),
            ),
        ],
        termination_condition=MaxMessageTermination(3),
    )

    loaded = RoundRobinGroupChat.load_component(json.loads(team.dump_component().model_dump_json()))
    result = await loaded.run(task="go")

    [found] = [m for m in result.messages if isinstance(m, ToolCallExecutionEvent)]
    assert '"sku": "SKU-0042"' in found.content[0].content
    assert team_scope(ctx, loaded).keys() and not team_scope(ctx, team).keys()


async def test_a_printed_task_result_compresses_as_the_conversation_it_is(kit):
    # print(await agent.run(...)) shows pydantic's str() of the TaskResult: one line of
    # message reprs. Read as turns, the failing run inside and the agent's decision stay.
    def run_tests() -> str:
        """Run the test suite."""
        passed = [f"tests/test_ledger.py::test_case_{i} PASSED" for i in range(400)]
        return "\n".join([*passed, "E       KeyError: 'CHF'", "FAILED tests/test_fx.py::test_chf"])

    decision = "Decision: ship without the CHF market; the currency table is fixed in 4.12.1."
    agent = AssistantAgent(
        "analyst",
        kit.replay(kit.calls(("run_tests", {})), decision),
        tools=[run_tests],
        reflect_on_tool_use=False,
        max_tool_iterations=2,
    )
    result = await agent.run(task="Run the tests and decide about the release.")
    printed = str(result)
    assert printed.startswith("messages=[TextMessage(")
    out = compress(printed, key="run")
    assert out.transforms == ["chat:turns"]
    assert "E       KeyError: 'CHF'" in out.text and decision in out.text
    assert out.compressed_tokens < out.original_tokens // 2
