"""Two real create_agent agents hand work over through one SharedContext."""

from __future__ import annotations

import re

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver

from agent_baton import SharedContext
from agent_baton.answers import tool_names
from agent_baton.compress.markers import name_tools
from agent_baton_langchain import CONTEXT_TOOL_NAMES, SharedContextMiddleware, make_context_tools
from agent_baton_langchain.middleware import injection_header, tool_result_key

TASK = "Write a short incident report on the upstream timeout errors in the metrics"
BUDGET = 600
INJECTION_HEADER = injection_header(tool_names())


def injected_text(system: SystemMessage) -> str:
    """The block the middleware appended to a system message."""
    blocks = system.content_blocks
    assert blocks[-1]["type"] == "text"
    text = blocks[-1]["text"].strip()
    assert text.startswith(INJECTION_HEADER)
    return text


def make_researcher(ctx, scripted, tool_call, research):
    @tool
    def fetch_metrics(region: str) -> str:
        """Fetch the monitoring rows of a region ("all" for every region)."""
        return research

    model = scripted(
        tool_call("fetch_metrics", {"region": "all"}, "call_fetch"),
        AIMessage(content=research, id="research-answer"),
    )
    middleware = SharedContextMiddleware(ctx, agent_name="researcher")
    agent = create_agent(
        model, tools=[fetch_metrics], middleware=[middleware], system_prompt="You research."
    )
    return agent, model, middleware


def make_writer(ctx, scripted, tool_call, *, max_tokens=BUDGET):
    model = scripted(
        tool_call("read_shared_context", {"key": "researcher", "full": True}, "call_read"),
        AIMessage(content="Report: upstream timeouts on a few services; see rows 13, 110, 207."),
    )
    middleware = SharedContextMiddleware(ctx, agent_name="writer", max_tokens=max_tokens)
    agent = create_agent(model, middleware=[middleware], system_prompt="You write reports.")
    return agent, model, middleware


def test_researcher_hands_compressed_research_to_writer(ctx, scripted, tool_call, research):
    researcher, _, _ = make_researcher(ctx, scripted, tool_call, research)
    researcher.invoke({"messages": [HumanMessage("Collect the metrics of every region")]})

    # capture: the final answer is stored in full under the agent's name
    entry = ctx.get_entry("researcher")
    assert entry is not None and entry.agent == "researcher"
    assert ctx.get("researcher", full=True) == research

    writer, writer_model, writer_mw = make_writer(ctx, scripted, tool_call)
    result = writer.invoke({"messages": [HumanMessage(TASK)]})

    # the writer's first model call got the research compressed in its system message
    first = writer_model.received[0]
    assert isinstance(first[0], SystemMessage)
    assert first[0].content_blocks[0]["text"] == "You write reports."
    block = injected_text(first[0])
    assert research not in block
    assert block == f"{INJECTION_HEADER}\n\n" + ctx.render(
        ["researcher"], query=TASK, max_tokens=BUDGET, tools=tool_names()
    )
    # the entry header the writer read states the entry's own token counts
    header = next(line for line in block.splitlines() if line.startswith("### researcher"))
    assert str(entry.original_tokens) in header.replace(",", "")
    assert str(entry.compressed_tokens) in header.replace(",", "")

    # the token counts the middleware reports are those of what the model received
    injection = writer_mw.last_injection
    assert injection is not None
    assert injection.keys == ("researcher",)
    assert injection.original_tokens == entry.original_tokens
    assert injection.injected_tokens == ctx.count_tokens(block)
    assert injection.injected_tokens <= BUDGET + ctx.count_tokens(INJECTION_HEADER) + 2
    assert injection.injected_tokens < entry.original_tokens
    assert injection.savings_percent > 50

    # the scripted read_shared_context(full=true) returned the original's first page,
    # uncompressed and within the tool budget, naming the call for the next page
    second = writer_model.received[1]
    read_result = next(m for m in second if isinstance(m, ToolMessage))
    assert read_result.tool_call_id == "call_read"
    page, note = read_result.content.rsplit("\n", 1)
    assert research.startswith(page) and len(page) > 1000
    assert note.endswith('next: read_shared_context(key="researcher", full=true, page=2)]')
    assert ctx.count_tokens(read_result.content) <= 2000
    kept = next(m for m in result["messages"] if isinstance(m, ToolMessage))
    assert kept.content == read_result.content

    # the injection did not pollute the writer's state
    assert not any(isinstance(m, SystemMessage) for m in result["messages"])
    assert not any(INJECTION_HEADER in str(m.content) for m in result["messages"])

    # the writer's own answer is captured too, and never injected back into itself
    assert ctx.get("writer", full=True) == result["messages"][-1].content
    assert "### writer" not in injected_text(writer_model.received[1][0])
    assert set(CONTEXT_TOOL_NAMES) <= set(writer_model.bound_tools)


def test_writer_gets_the_entrys_compressed_form_when_it_fits(ctx, scripted, tool_call, research):
    researcher, _, _ = make_researcher(ctx, scripted, tool_call, research)
    researcher.invoke({"messages": [HumanMessage("Collect the metrics")]})
    entry = ctx.get_entry("researcher")

    writer, writer_model, writer_mw = make_writer(
        ctx, scripted, tool_call, max_tokens=entry.compressed_tokens + 500
    )
    writer.invoke({"messages": [HumanMessage(TASK)]})

    block = injected_text(writer_model.received[0][0])
    # its markers name the writer's tool, not Python's get()
    assert 'get("researcher", full=True)' in entry.compressed
    assert name_tools(entry.compressed, tool_names()) in block
    assert ctx.count_tokens(entry.compressed) == entry.compressed_tokens
    stats = ctx.stats()
    assert stats.total_compressed_tokens == sum(e.compressed_tokens for e in ctx.entries())
    assert writer_mw.last_injection.original_tokens == entry.original_tokens


def test_oversized_tool_result_is_compressed_for_the_model_only(ctx, scripted, tool_call, research):
    researcher, model, _ = make_researcher(ctx, scripted, tool_call, research)
    result = researcher.invoke({"messages": [HumanMessage("Collect the metrics")]})

    key = tool_result_key("researcher", "call_fetch")
    assert ctx.get(key, full=True) == research
    assert ctx.get_entry(key).agent == "researcher"

    seen = next(m for m in model.received[1] if isinstance(m, ToolMessage))
    assert seen.tool_call_id == "call_fetch" and seen.name == "fetch_metrics"
    assert research not in seen.content
    assert f'read_shared_context(key="{key}", full=true)' in seen.content
    shown = seen.content.rsplit("\n", 1)[0]
    assert ctx.count_tokens(shown) <= 1000
    # the agent's state keeps the full tool result
    kept = next(m for m in result["messages"] if isinstance(m, ToolMessage))
    assert kept.content == research


def test_a_reused_tool_call_id_never_points_one_result_at_another(ctx, scripted, tool_call):
    # Models that number their calls per turn (and scripted fakes) reuse ids: two turns of one
    # thread each call fetch_log as "call_1". Each result's note must read back that result.
    @tool
    def fetch_log(region: str) -> str:
        """Fetch a region's log."""
        lines = [f"{region} log line {i}: fine" for i in range(800)]
        return "\n".join([*lines, f"ERROR {region} disk full on node-{region}"])

    model = scripted(
        tool_call("fetch_log", {"region": "eu"}, "call_1"),
        AIMessage("eu checked"),
        tool_call("fetch_log", {"region": "us"}, "call_1"),
        AIMessage("us checked"),
    )
    agent = create_agent(
        model,
        tools=[fetch_log],
        name="researcher",
        checkpointer=InMemorySaver(),
        middleware=[SharedContextMiddleware(ctx)],
    )
    config = {"configurable": {"thread_id": "ops"}}
    agent.invoke({"messages": [HumanMessage("check eu")]}, config)
    agent.invoke({"messages": [HumanMessage("check us")]}, config)

    read = {t.name: t for t in make_context_tools(ctx)}["read_shared_context"]
    shown = [m for m in model.received[-1] if isinstance(m, ToolMessage)]
    assert [m.text.split()[0] for m in shown] == ["eu", "us"]
    keys = [re.search(r'read_shared_context\(key="([^"]+)", full=true\)', m.text)[1] for m in shown]
    assert keys[0] != keys[1]
    for region, key in zip(("eu", "us"), keys, strict=True):
        answer = read.invoke({"key": key, "query": "disk full"}, config)
        other = "us" if region == "eu" else "eu"
        assert f"disk full on node-{region}" in answer and f"{other} log line" not in answer


def test_small_tool_results_and_other_agents_tool_results_stay_out(ctx, scripted, tool_call):
    @tool
    def lookup(name: str) -> str:
        """Look a name up."""
        return f"{name}: found"

    model = scripted(tool_call("lookup", {"name": "svc-1"}, "c1"), "svc-1 is fine")
    mw = SharedContextMiddleware(ctx, agent_name="checker")
    create_agent(model, tools=[lookup], middleware=[mw]).invoke({"messages": [HumanMessage("x")]})

    seen = next(m for m in model.received[1] if isinstance(m, ToolMessage))
    assert seen.content == "svc-1: found"
    assert tool_result_key("checker", "c1") not in ctx
    assert mw.last_injection is None  # nothing from other agents yet

    # a big tool result stored by another agent is not injected, its final answer is
    ctx.put(tool_result_key("other", "c9"), "x " * 3000, agent="other")
    ctx.put("other", "final answer of other", agent="other")
    model2 = scripted("done")
    mw2 = SharedContextMiddleware(ctx, agent_name="next")
    create_agent(model2, middleware=[mw2]).invoke({"messages": [HumanMessage("go")]})
    assert mw2.last_injection.keys == ("checker", "other")


def test_from_agents_inject_and_capture_switches(ctx, scripted):
    ctx.put("notes", "notes by a person", agent=None)
    ctx.put("planner", "plan: do it", agent="planner")

    model = scripted("ok")
    mw = SharedContextMiddleware(ctx, agent_name="doer", from_agents=["planner"], capture=False)
    create_agent(model, middleware=[mw]).invoke({"messages": [HumanMessage("do it")]})
    block = injected_text(model.received[0][0])
    assert "plan: do it" in block and "notes by a person" not in block
    assert "doer" not in ctx

    model2 = scripted("ok")
    mw2 = SharedContextMiddleware(ctx, agent_name="quiet", inject=False, add_tools=False)
    create_agent(model2, middleware=[mw2]).invoke({"messages": [HumanMessage("hi")]})
    assert not any(isinstance(m, SystemMessage) for m in model2.received[0])
    assert model2.bound_tools == []
    assert ctx.get("quiet") == "ok"


def test_no_system_prompt_gets_one_with_the_context(ctx, scripted):
    ctx.put("planner", "plan: ship on friday", agent="planner")
    model = scripted("ok")
    create_agent(model, middleware=[SharedContextMiddleware(ctx, agent_name="doer")]).invoke(
        {"messages": [HumanMessage("when do we ship?")]}
    )
    system = model.received[0][0]
    assert isinstance(system, SystemMessage)
    assert "plan: ship on friday" in injected_text(system)


@pytest.mark.asyncio
async def test_async_handoff(ctx, scripted, tool_call, research):
    researcher, _, _ = make_researcher(ctx, scripted, tool_call, research)
    await researcher.ainvoke({"messages": [HumanMessage("Collect the metrics")]})
    assert await ctx.aget("researcher", full=True) == research

    writer, writer_model, writer_mw = make_writer(ctx, scripted, tool_call)
    result = await writer.ainvoke({"messages": [HumanMessage(TASK)]})

    block = injected_text(writer_model.received[0][0])
    assert research not in block
    assert writer_mw.last_injection.injected_tokens == ctx.count_tokens(block)
    read_result = next(m for m in writer_model.received[1] if isinstance(m, ToolMessage))
    assert research.startswith(read_result.content.rsplit("\n", 1)[0])
    assert ctx.get("writer", full=True) == result["messages"][-1].content


def test_bad_arguments_raise_clear_errors(ctx):
    with pytest.raises(TypeError, match="SharedContext"):
        SharedContextMiddleware({}, agent_name="a")
    with pytest.raises(ValueError, match="agent_name"):
        SharedContextMiddleware(ctx, agent_name="")
    with pytest.raises(ValueError, match="max_tokens"):
        SharedContextMiddleware(ctx, agent_name="a", max_tokens=0)
    with pytest.raises(ValueError, match="tool_result_max_tokens"):
        SharedContextMiddleware(ctx, agent_name="a", tool_result_max_tokens=-1)
    with pytest.raises(TypeError, match="from_agents"):
        SharedContextMiddleware(ctx, agent_name="a", from_agents="planner")
    assert isinstance(SharedContextMiddleware(SharedContext(), agent_name="a").ctx, SharedContext)
