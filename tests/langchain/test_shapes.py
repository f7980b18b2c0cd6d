"""The shapes LangChain users wire agents in, each on real create_agent agents and fake models.

Subagents as tools of a supervisor, threads with a checkpointer, structured output, middleware
order, runtime context, two contexts on one agent, and what the middleware reports per run.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import ModelRequest, dynamic_prompt
from langchain.agents.structured_output import ToolStrategy
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import BaseModel

from agent_baton import SharedContext
from agent_baton.answers import tool_names
from agent_baton.compress import compress
from agent_baton_langchain import (
    SharedContextMiddleware,
    SharedContextRetriever,
    make_context_tools,
)
from agent_baton_langchain.middleware import injection_header

HEADER = injection_header(tool_names())


def system_text(prompt) -> str:
    return prompt[0].text if isinstance(prompt[0], SystemMessage) else ""


def thread(name: object) -> dict:
    return {"configurable": {"thread_id": name}}


def test_supervisor_calls_the_researcher_twice_and_the_analyst_gets_both(ctx, scripted, tool_call):
    researcher_model = scripted("Findings on topic EU: latency 310 ms", "Findings on US: 95 ms")
    researcher = create_agent(
        researcher_model, middleware=[SharedContextMiddleware(ctx)], name="researcher"
    )
    analyst_model = scripted("EU is three times slower than US.")
    analyst_mw = SharedContextMiddleware(ctx)
    analyst = create_agent(analyst_model, middleware=[analyst_mw], name="analyst")

    @tool
    def research(topic: str) -> str:
        """Ask the researcher about a topic."""
        return researcher.invoke({"messages": [HumanMessage(topic)]})["messages"][-1].text

    @tool
    def analyze(question: str) -> str:
        """Ask the analyst a question about the research."""
        return analyst.invoke({"messages": [HumanMessage(question)]})["messages"][-1].text

    supervisor_model = scripted(
        tool_call("research", {"topic": "EU latency"}, "r1"),
        tool_call("research", {"topic": "US latency"}, "r2"),
        tool_call("analyze", {"question": "Compare EU and US"}, "a1"),
        "EU is slower.",
    )
    supervisor = create_agent(
        supervisor_model,
        tools=[research, analyze],
        middleware=[SharedContextMiddleware(ctx)],
        name="supervisor",
        checkpointer=InMemorySaver(),
    )
    supervisor.invoke({"messages": [HumanMessage("Compare EU and US latency")]}, thread("t1"))

    # the subagents ran in the supervisor's thread: their entries are in its scope
    view = ctx.scope("t1")
    assert view.get("researcher", full=True) == "Findings on topic EU: latency 310 ms"
    assert view.get("researcher#2", full=True) == "Findings on US: 95 ms"
    assert ctx.keys() == []
    # the analyst's model got both research results
    block = system_text(analyst_model.received[0])
    assert "latency 310 ms" in block and "95 ms" in block
    assert analyst_mw.injection_for("t1").keys == ("researcher", "researcher#2")
    # the supervisor saw the research as tool results: not injected a second time
    last = system_text(supervisor_model.received[-1])
    assert "### researcher" not in last and "### analyst" not in last


def test_a_second_turn_in_a_thread_adds_to_the_first(ctx, scripted):
    researcher = create_agent(
        scripted("first finding: disk full", "second finding: disk cleaned"),
        middleware=[SharedContextMiddleware(ctx)],
        name="researcher",
        checkpointer=InMemorySaver(),
    )
    researcher.invoke({"messages": [HumanMessage("check the disk")]}, thread("ops"))
    researcher.invoke({"messages": [HumanMessage("check it again")]}, thread("ops"))
    view = ctx.scope("ops")
    assert view.get("researcher", full=True) == "first finding: disk full"
    assert view.get("researcher#2", full=True) == "second finding: disk cleaned"
    rendered = view.render()
    assert "disk full" in rendered and "disk cleaned" in rendered


class Findings(BaseModel):
    """What the researcher found."""

    incident: str
    affected_services: list[str]


def test_structured_output_with_tool_strategy_is_handed_over(ctx, scripted, tool_call):
    answer = {"incident": "upstream timeout after 30s", "affected_services": ["svc-1", "svc-2"]}
    researcher = create_agent(
        scripted(tool_call("Findings", answer, "s1")),
        response_format=ToolStrategy(Findings),
        middleware=[SharedContextMiddleware(ctx)],
        name="researcher",
    )
    result = researcher.invoke({"messages": [HumanMessage("What broke?")]})
    assert result["structured_response"] == Findings(**answer)
    assert json.loads(ctx.get("researcher", full=True)) == answer

    writer_model = scripted("Report: svc-1 and svc-2 timed out.")
    create_agent(writer_model, middleware=[SharedContextMiddleware(ctx)], name="writer").invoke(
        {"messages": [HumanMessage("Write the report")]}
    )
    assert "upstream timeout after 30s" in system_text(writer_model.received[0])


@dynamic_prompt
def persona(request: ModelRequest) -> str:
    return "You are a careful writer."


def test_listed_after_dynamic_prompt_the_injection_reaches_the_model(ctx, scripted):
    ctx.put("researcher", "finding: the cache is cold", agent="researcher")
    model = scripted("ok")
    mw = SharedContextMiddleware(ctx)
    create_agent(model, middleware=[persona, mw], name="writer").invoke(
        {"messages": [HumanMessage("write")]}
    )
    prompt = system_text(model.received[0])
    assert prompt.startswith("You are a careful writer.")
    assert HEADER in prompt and "the cache is cold" in prompt
    assert mw.injection_for().keys == ("researcher",)
    assert mw.injection_for().injected_tokens == ctx.count_tokens(prompt.split("\n\n", 1)[1])


def test_listed_before_dynamic_prompt_nothing_is_reported_that_did_not_arrive(ctx, scripted):
    ctx.put("researcher", "finding: the cache is cold", agent="researcher")
    model = scripted("ok")
    mw = SharedContextMiddleware(ctx)
    agent = create_agent(model, middleware=[mw, persona], name="writer")
    with pytest.warns(RuntimeWarning, match="did not reach the model"):
        agent.invoke({"messages": [HumanMessage("write")]})
    assert system_text(model.received[0]) == "You are a careful writer."
    assert mw.injection_for() is None and mw.last_injection is None


def test_each_threads_injection_is_reported_to_that_thread(shared_ctx, routed):
    ctx = shared_ctx  # in memory, then in a real Redis
    users = [f"user{i}" for i in range(8)]

    def research(prompt):
        user = prompt[-1].text
        rows = "\n".join(f"{user}: row {i} settled" for i in range(400))
        return AIMessage(content=rows)

    researcher = create_agent(
        routed(research), middleware=[SharedContextMiddleware(ctx)], name="researcher"
    )
    writer_model = routed(lambda prompt: AIMessage(content="written"))
    writer_mw = SharedContextMiddleware(ctx, max_tokens=300)
    writer = create_agent(writer_model, middleware=[writer_mw], name="writer")

    def run(user: str) -> None:
        researcher.invoke({"messages": [HumanMessage(user)]}, thread(user))
        writer.invoke({"messages": [HumanMessage(f"write about {user}")]}, thread(user))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(run, users))
    for prompt in writer_model.received:
        user = prompt[-1].text.removeprefix("write about ")
        block = system_text(prompt)
        assert f"{user}: " in block
        assert not any(f"{other}: " in block for other in users if other != user)
        injection = writer_mw.injection_for(user)
        assert injection.keys == ("researcher",)
        assert injection.injected_tokens == ctx.count_tokens(block)
        assert injection.original_tokens == ctx.scope(user).get_entry("researcher").original_tokens


def test_a_tiny_budget_still_injects_a_pointer(ctx, scripted, research):
    ctx.put("researcher", research, agent="researcher")
    model = scripted("ok")
    mw = SharedContextMiddleware(ctx, max_tokens=1)
    create_agent(model, middleware=[mw], name="writer").invoke(
        {"messages": [HumanMessage("write")]}
    )
    prompt = system_text(model.received[0])
    assert "researcher" in prompt.removeprefix(HEADER)
    assert "read_shared_context(key=...)" in prompt
    assert mw.injection_for().keys == ("researcher",)


def test_agent_name_defaults_to_the_agents_name(ctx, scripted):
    create_agent(
        scripted("plan: ship friday"), middleware=[SharedContextMiddleware(ctx)], name="planner"
    ).invoke({"messages": [HumanMessage("plan")]})
    assert ctx.get_entry("planner").agent == "planner"
    unnamed = create_agent(scripted("x"), middleware=[SharedContextMiddleware(ctx)])
    with pytest.raises(ValueError, match="name"):
        unnamed.invoke({"messages": [HumanMessage("plan")]})


def test_runtime_context_can_choose_the_scope(ctx, scripted):
    def by_user(run):
        return run.context["user_id"]

    for user, finding in (("u1", "u1 owes 40 EUR"), ("u2", "u2 owes 7 EUR")):
        create_agent(
            scripted(finding),
            middleware=[SharedContextMiddleware(ctx, scope=by_user)],
            name="researcher",
        ).invoke({"messages": [HumanMessage("check")]}, context={"user_id": user})
    writer_model = scripted("ok")
    create_agent(
        writer_model, middleware=[SharedContextMiddleware(ctx, scope=by_user)], name="writer"
    ).invoke({"messages": [HumanMessage("write")]}, context={"user_id": "u2"})
    block = system_text(writer_model.received[0])
    assert "u2 owes 7 EUR" in block and "u1" not in block


def test_two_contexts_on_one_agent(scripted, tool_call):
    docs, tickets = SharedContext(), SharedContext()
    docs.put("manual", "The reset button is behind the panel.", agent="docs")
    tickets.put("ticket-9", "Customer cannot find the reset button.", agent="support")
    model = scripted(
        tool_call("docs_read_shared_context", {"key": "manual"}, "d1"),
        tool_call("tickets_read_shared_context", {"key": "ticket-9"}, "t1"),
        "Tell them: behind the panel.",
    )
    create_agent(
        model,
        middleware=[
            SharedContextMiddleware(docs, tool_prefix="docs_"),
            SharedContextMiddleware(tickets, tool_prefix="tickets_"),
        ],
        name="helper",
    ).invoke({"messages": [HumanMessage("help ticket 9")]})
    assert set(model.bound_tools) == {
        f"{prefix}{name}"
        for prefix in ("docs_", "tickets_")
        for name in ("read_shared_context", "search_shared_context", "list_shared_context")
    }
    system = system_text(model.received[0])
    assert "behind the panel" in system and "cannot find" in system
    assert "docs_read_shared_context" in system and "tickets_read_shared_context" in system
    answers = [m.text for m in model.received[-1] if isinstance(m, ToolMessage)]
    assert answers == [
        "The reset button is behind the panel.",
        "Customer cannot find the reset button.",
    ]


def test_retriever_searches_the_calling_thread(ctx):
    ctx.scope("alice").put("notes", "alice: the EU cluster timed out", agent="a")
    ctx.scope("bob").put("notes", "bob: the US cluster timed out", agent="b")
    retriever = SharedContextRetriever(ctx=ctx)
    docs = retriever.invoke("cluster timed out", thread("alice"))
    assert [d.page_content for d in docs] == ["alice: the EU cluster timed out"]
    assert retriever.invoke("cluster timed out") == []
    fixed = SharedContextRetriever(ctx=ctx, scope="bob")
    assert "bob" in fixed.invoke("cluster", k=1)[0].page_content


def test_an_entry_over_max_bytes_warns_and_the_run_goes_on(scripted, tool_call):
    ctx = SharedContext(max_bytes=4_000)

    @tool
    def dump() -> str:
        """Dump everything."""
        return "row ok\n" * 2_000

    model = scripted(tool_call("dump", {}, "d1"), "x " * 3_000)
    agent = create_agent(
        model, tools=[dump], middleware=[SharedContextMiddleware(ctx)], name="dumper"
    )
    with pytest.warns(RuntimeWarning, match="did not store") as warned:
        result = agent.invoke({"messages": [HumanMessage("dump")]})
    assert {str(w.message).split("'")[1] for w in warned} == {"dumper:tool:d1", "dumper"}
    assert result["messages"][-1].text == "x " * 3_000
    seen = next(m for m in model.received[1] if isinstance(m, ToolMessage))
    assert seen.text == "row ok\n" * 2_000  # not stored, so shown as it is
    assert ctx.missing_reason("dumper").startswith("refused: too large")


def test_a_printed_agent_result_compresses_as_the_conversation_it_is(scripted, tool_call):
    # print(agent.invoke(...)) shows {'messages': [HumanMessage(...), ...]}: one line of
    # message reprs. Read as turns, the failing run inside and the agent's decision stay.
    @tool
    def run_tests() -> str:
        """Run the test suite."""
        passed = [f"tests/test_ledger.py::test_case_{i} PASSED" for i in range(400)]
        return "\n".join([*passed, "E       KeyError: 'CHF'", "FAILED tests/test_fx.py::test_chf"])

    decision = "Decision: ship without the CHF market; the currency table is fixed in 4.12.1."
    model = scripted(tool_call("run_tests", {}, "call_1"), decision)
    agent = create_agent(model, tools=[run_tests])
    printed = str(agent.invoke({"messages": [HumanMessage("Run the tests and decide.")]}))
    assert printed.startswith("{'messages': [HumanMessage(")
    out = compress(printed, key="run")
    assert out.transforms == ["chat:turns"]
    assert "E       KeyError: 'CHF'" in out.text and decision in out.text
    assert out.compressed_tokens < out.original_tokens // 2


def test_thread_id_1_and_1_as_str_are_one_thread_as_in_langgraph(ctx, scripted):
    # LangGraph keys a checkpoint by str(thread_id): 1 and "1" are one conversation.
    researcher = create_agent(
        scripted("first finding", "second finding"),
        middleware=[SharedContextMiddleware(ctx)],
        name="researcher",
        checkpointer=InMemorySaver(),
    )
    researcher.invoke({"messages": [HumanMessage("check")]}, {"configurable": {"thread_id": 1}})
    state = researcher.invoke(
        {"messages": [HumanMessage("again")]}, {"configurable": {"thread_id": "1"}}
    )
    assert len(state["messages"]) == 4  # the checkpointer gave the second turn the first
    assert ctx.scope("1").keys() == ["researcher", "researcher#2"]

    mw = SharedContextMiddleware(ctx)
    create_agent(scripted("ok"), middleware=[mw], name="writer").invoke(
        {"messages": [HumanMessage("write")]}, {"configurable": {"thread_id": 1}}
    )
    assert mw.injection_for("1").keys == ("researcher", "researcher#2")
    assert mw.injection_for(1) == mw.injection_for("1")


def test_thread_id_0_and_0_as_str_are_two_threads_as_in_langgraph(ctx, scripted):
    # LangGraph converts a non-str thread_id to its str only when it is truthy: its
    # in-memory checkpointer keeps thread 0 (enumerate's first) apart from "0".
    saver = InMemorySaver()
    researcher = create_agent(
        scripted("CODE-int upstream timeout", "CODE-str disk full"),
        middleware=[SharedContextMiddleware(ctx)],
        name="researcher",
        checkpointer=saver,
    )
    first = researcher.invoke({"messages": [HumanMessage("check")]}, thread(0))
    second = researcher.invoke({"messages": [HumanMessage("check")]}, thread("0"))
    assert len(first["messages"]) == len(second["messages"]) == 2  # two conversations

    writer_model = scripted("report on int", "report on str")
    mw = SharedContextMiddleware(ctx)
    writer = create_agent(writer_model, middleware=[mw], name="writer")
    writer.invoke({"messages": [HumanMessage("write")]}, thread(0))
    writer.invoke({"messages": [HumanMessage("write")]}, thread("0"))
    int_prompt, str_prompt = (system_text(prompt) for prompt in writer_model.received)
    assert "CODE-int" in int_prompt and "CODE-str" not in int_prompt
    assert "CODE-str" in str_prompt and "CODE-int" not in str_prompt
    assert mw.injection_for(0) is not None and mw.injection_for("0") is not None
    assert mw.injection_for(0) is not mw.injection_for("0")  # each thread's own

    read, search, listing = make_context_tools(ctx)
    assert "CODE-str" not in read.invoke({"key": "researcher"}, thread(0))
    assert "CODE-int" not in search.invoke({"query": "CODE-int CODE-str"}, thread("0"))
    assert "read_shared_context" in listing.invoke({}, thread(0))
    assert ctx.scope("0").get("researcher", full=True) == "CODE-str disk full"
    assert ctx.scope("0").scope("int").get("researcher", full=True) == "CODE-int upstream timeout"
    docs = SharedContextRetriever(ctx=ctx).invoke("CODE-int CODE-str", thread(0))
    assert "CODE-int upstream timeout" in [doc.page_content for doc in docs]
    assert not any("CODE-str" in doc.page_content for doc in docs)


def test_a_thread_id_that_cannot_name_a_scope_fails_naming_the_thread_id(ctx, scripted):
    agent = create_agent(scripted("x"), middleware=[SharedContextMiddleware(ctx)], name="a")
    with pytest.raises(ValueError, match=r"the run's thread_id 'a\\x1fb' cannot name a scope"):
        agent.invoke({"messages": [HumanMessage("go")]}, thread("a\x1fb"))


def test_an_empty_thread_id_runs_as_a_run_without_a_thread(ctx, scripted):
    # LangGraph takes "" as a thread id; it names no scope here: the context itself.
    agent = create_agent(
        scripted("finding"),
        middleware=[SharedContextMiddleware(ctx)],
        name="researcher",
        checkpointer=InMemorySaver(),
    )
    agent.invoke({"messages": [HumanMessage("check")]}, {"configurable": {"thread_id": ""}})
    assert ctx.keys() == ["researcher"]
