"""Real AgentChat teams on replay models: what each model received, and what the user sees."""

from __future__ import annotations

import pytest
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import MaxMessageTermination, TextMentionTermination
from autogen_agentchat.messages import HandoffMessage, TextMessage, ToolCallExecutionEvent
from autogen_agentchat.teams import (
    DiGraphBuilder,
    GraphFlow,
    RoundRobinGroupChat,
    SelectorGroupChat,
    Swarm,
)
from autogen_core import SingleThreadedAgentRuntime
from autogen_core.models import (
    AssistantMessage,
    FunctionExecutionResultMessage,
    SystemMessage,
    UserMessage,
)
from autogen_core.tools import FunctionTool

from agent_baton.answers import ToolNames
from agent_baton.compress.markers import name_tools
from agent_baton_autogen import (
    READ_TOOL_NAME,
    SEARCH_TOOL_NAME,
    BatonChatCompletionContext,
    BatonInterventionHandler,
    make_context_tools,
    team_scope,
)
from agent_baton_autogen._messages import compressed_key, text_key

pytestmark = [
    pytest.mark.asyncio,
    # AutoGen warns for any intervention handler when an RPC handler returns None.
    pytest.mark.filterwarnings("ignore:Intervention handler on_response returned None"),
]

TASK = "Analyse the Q3 sales and write a short report."


def agent(name, client, ctx=None, **kwargs):
    model_context = BatonChatCompletionContext(ctx, agent_name=name) if ctx is not None else None
    return AssistantAgent(name, model_client=client, model_context=model_context, **kwargs)


def round_robin_clients(kit, data):
    return (
        kit.replay(data, "Second look: nothing to add."),
        kit.replay("North leads with 75 rows of revenue."),
        kit.replay("Report: north leads."),
    )


async def run_round_robin(clients, ctx=None, runtime=None, handler_ctx=None):
    """The team's result, and the scope of ``ctx`` (or ``handler_ctx``) its run used."""
    researcher, analyst, writer = clients
    team = RoundRobinGroupChat(
        [
            agent("researcher", researcher, ctx),
            agent("analyst", analyst, ctx),
            agent("writer", writer, ctx),
        ],
        termination_condition=MaxMessageTermination(5),
        runtime=runtime,
    )
    result = await team.run(task=TASK)
    shared = ctx if ctx is not None else handler_ctx
    return result, (team_scope(shared, team) if shared is not None else None)


async def test_round_robin_models_get_other_agents_output_compressed(ctx, kit):
    data = kit.sales_rows()
    clients = round_robin_clients(kit, data)

    result, store = await run_round_robin(clients, ctx)

    researcher, analyst, writer = clients
    key = text_key("researcher", data)
    entry = store.get_entry(key)
    for client in (analyst, writer):
        received = kit.sent(client)
        assert data not in kit.texts(received)
        [from_researcher] = [m for m in received if getattr(m, "source", None) == "researcher"]
        assert isinstance(from_researcher, UserMessage)
        assert compressed_key(from_researcher.content) == key
        assert from_researcher.content.startswith(name_tools(entry.compressed, ToolNames()))
    # The user's task and the analyst's short reply reach the writer as they were.
    writer_texts = kit.texts(kit.sent(writer))
    assert TASK in writer_texts and "North leads with 75 rows of revenue." in writer_texts
    # The researcher's own earlier message comes back to it in full.
    own = [m for m in kit.sent(researcher, 1) if isinstance(m, AssistantMessage)]
    assert [m.content for m in own] == [data]
    # The user reads the full text in the team's result.
    assert [m.content for m in result.messages] == [
        TASK,
        data,
        "North leads with 75 rows of revenue.",
        "Report: north leads.",
        "Second look: nothing to add.",
    ]
    assert store.get(key, full=True) == data
    assert ctx.keys() == []  # the run's scope holds it, not the root


async def test_without_agent_baton_the_next_model_gets_the_full_text(kit):
    # The control: the same team with default model contexts sends the whole table along.
    data = kit.sales_rows()
    clients = round_robin_clients(kit, data)

    await run_round_robin(clients)

    assert data in kit.texts(kit.sent(clients[1]))


async def test_runtime_hook_captures_every_agents_output_and_leaves_results_alone(ctx, kit):
    data = kit.sales_rows()
    baseline, _ = await run_round_robin(round_robin_clients(kit, data))
    handler = BatonInterventionHandler(ctx)
    runtime = SingleThreadedAgentRuntime(intervention_handlers=[handler])
    runtime.start()
    try:
        result, store = await run_round_robin(
            round_robin_clients(kit, data), runtime=runtime, handler_ctx=ctx
        )
    finally:
        await runtime.stop()

    assert [(m.source, m.content) for m in result.messages] == [
        (m.source, m.content) for m in baseline.messages
    ]
    agent_messages = [m for m in result.messages if m.source != "user"]
    assert len(agent_messages) == 4
    expected_keys = [text_key(m.source, m.content) for m in agent_messages]
    assert handler.captured_keys == expected_keys
    for message, key in zip(agent_messages, expected_keys, strict=True):
        assert store.get(key, full=True) == message.content
        assert store.get_entry(key).agent == message.source
    assert text_key("user", TASK) not in store


async def test_hook_and_model_contexts_share_one_entry_per_message(ctx, kit):
    data = kit.sales_rows()
    clients = round_robin_clients(kit, data)
    runtime = SingleThreadedAgentRuntime(intervention_handlers=[BatonInterventionHandler(ctx)])
    runtime.start()
    try:
        _, store = await run_round_robin(clients, ctx, runtime=runtime)
    finally:
        await runtime.stop()

    assert len(store) == 4
    assert data not in kit.texts(kit.sent(clients[1]))


# -- Swarm handoffs ---------------------------------------------------------------------


def swarm(kit, data, *, ctx=None, analyst_ctx=None, runtime=None, analyst_tools=None):
    async def fetch_sales() -> str:
        return data

    researcher_client = kit.replay(kit.calls(("fetch_sales", {}), ("transfer_to_analyst", {})))
    analyst_responses = (
        [kit.calls((READ_TOOL_NAME, {"key": text_key("researcher", data), "full": True}))]
        if analyst_tools
        else []
    )
    analyst_client = kit.replay(*analyst_responses, "North leads. TERMINATE")
    researcher = agent(
        "researcher",
        researcher_client,
        ctx,
        tools=[FunctionTool(fetch_sales, description="Fetch the Q3 sales table.")],
        handoffs=["analyst"],
    )
    analyst = agent(
        "analyst", analyst_client, analyst_ctx, tools=analyst_tools, max_tool_iterations=2
    )
    team = Swarm(
        [researcher, analyst],
        termination_condition=TextMentionTermination("TERMINATE") | MaxMessageTermination(10),
        runtime=runtime,
    )
    return team, analyst_client


def handoff_results(messages):
    return [m for m in messages if isinstance(m, FunctionExecutionResultMessage)]


def assert_full_handoff_in_result(result, data):
    [handoff] = [m for m in result.messages if isinstance(m, HandoffMessage)]
    assert handoff.target == "analyst"
    [results] = handoff_results(handoff.context)
    assert [r.content for r in results.content] == [data]
    [execution] = [m for m in result.messages if isinstance(m, ToolCallExecutionEvent)]
    assert {r.content for r in execution.content} >= {data}


async def test_swarm_handoff_context_reaches_next_model_compressed(ctx, kit):
    data = kit.sales_rows()
    team, analyst_client = swarm(kit, data, ctx=ctx, analyst_ctx=ctx)

    result = await team.run(task=TASK)

    received = kit.sent(analyst_client)
    [results] = handoff_results(received)
    [fetched] = results.content
    key = text_key("researcher", data)
    assert fetched.name == "fetch_sales" and compressed_key(fetched.content) == key
    store = team_scope(ctx, team)
    assert fetched.content.startswith(name_tools(store.get_entry(key).compressed, ToolNames()))
    assert data not in kit.texts(received)
    assert_full_handoff_in_result(result, data)
    assert isinstance(result.messages[-1], TextMessage)


@pytest.mark.parametrize("compress_handoffs", [True, False])
async def test_runtime_hook_compresses_handoffs_for_plain_agents(ctx, kit, compress_handoffs):
    data = kit.sales_rows()
    handler = BatonInterventionHandler(ctx, compress_handoffs=compress_handoffs)
    runtime = SingleThreadedAgentRuntime(intervention_handlers=[handler])
    runtime.start()
    try:
        team, analyst_client = swarm(kit, data, runtime=runtime)
        result = await team.run(task=TASK)
    finally:
        await runtime.stop()

    [results] = handoff_results(kit.sent(analyst_client))
    [fetched] = results.content
    key = text_key("researcher", data)
    if compress_handoffs:
        assert compressed_key(fetched.content) == key
        assert data not in kit.texts(kit.sent(analyst_client))
    else:
        assert fetched.content == data
    assert_full_handoff_in_result(result, data)
    assert team_scope(ctx, team).get(key, full=True) == data
    [handoff] = [m for m in result.messages if isinstance(m, HandoffMessage)]
    final = result.messages[-1]
    assert handler.captured_keys == [  # the handoff tool's result repeats the handoff: once
        text_key("researcher", handoff.content),
        key,
        text_key("analyst", final.content),
    ]


async def test_hook_and_model_context_compress_a_handoff_once(ctx, kit):
    data = kit.sales_rows()
    runtime = SingleThreadedAgentRuntime(intervention_handlers=[BatonInterventionHandler(ctx)])
    runtime.start()
    try:
        team, analyst_client = swarm(kit, data, analyst_ctx=ctx, runtime=runtime)
        await team.run(task=TASK)
    finally:
        await runtime.stop()

    [results] = handoff_results(kit.sent(analyst_client))
    assert results.content[0].content.count("[agent-baton:") == 1


async def test_read_tool_gives_the_next_agent_the_original(ctx, kit):
    data = kit.sales_rows()
    team, analyst_client = swarm(
        kit, data, ctx=ctx, analyst_ctx=ctx, analyst_tools=make_context_tools(ctx)
    )

    result = await team.run(task=TASK)

    first, second = kit.sent(analyst_client, 0), kit.sent(analyst_client, 1)
    assert data not in kit.texts(first)
    read_results = [
        r for m in handoff_results(second) for r in m.content if r.name == READ_TOOL_NAME
    ]
    [page] = [r.content for r in read_results]  # the original, a page of 2,000 tokens at most
    first_page, note = page.rsplit("\n", 1)
    assert data.startswith(first_page) and len(first_page) > 2000
    assert note.endswith(
        f'next: {READ_TOOL_NAME}(key="{text_key("researcher", data)}", full=true, page=2)]'
    )
    assert isinstance(second[0], SystemMessage)
    assert result.messages[-1].content == "North leads. TERMINATE"


async def test_selector_group_chat_selector_reads_compressed_history(ctx, kit):
    # The selector model reads the whole conversation before each turn: given a baton
    # context, it reads the other agents' long outputs compressed, like the agents do.
    data = kit.sales_rows()
    selector = kit.replay("researcher", "analyst")
    team = SelectorGroupChat(
        [
            agent("researcher", kit.replay(data), ctx),
            agent("analyst", kit.replay("North leads."), ctx),
        ],
        model_client=selector,
        model_context=BatonChatCompletionContext(ctx),  # the manager's name comes from AutoGen
        termination_condition=MaxMessageTermination(3),
        allow_repeated_speaker=True,
    )

    result = await team.run(task=TASK)

    assert [m.content for m in result.messages] == [TASK, data, "North leads."]
    second_choice = "\n".join(kit.texts(kit.sent(selector, 1)))
    assert data not in second_choice
    key = text_key("researcher", data)
    assert f'key="{key}"' in second_choice  # the note that says how to read the original
    store = team_scope(ctx, team)
    assert name_tools(store.get_entry(key).compressed, ToolNames()) in second_choice
    assert store.get(key, full=True) == data


async def test_a_tool_result_and_its_summary_message_are_stored_once(ctx, kit):
    # Without reflect_on_tool_use the researcher's message to the team is its tool result
    # (a ToolCallSummaryMessage): its own context, the analyst's and the handler see one text.
    data = kit.sales_rows()

    async def fetch_sales() -> str:
        return data

    analyst_client = kit.replay(kit.calls((SEARCH_TOOL_NAME, {"query": "SKU-0042"})))
    runtime = SingleThreadedAgentRuntime(intervention_handlers=[BatonInterventionHandler(ctx)])
    team = RoundRobinGroupChat(
        [
            agent(
                "researcher",
                kit.replay(kit.calls(("fetch_sales", {}))),
                ctx,
                tools=[FunctionTool(fetch_sales, description="Fetch the Q3 sales table.")],
            ),
            agent("analyst", analyst_client, ctx, tools=make_context_tools(ctx)),
        ],
        termination_condition=MaxMessageTermination(3),
        runtime=runtime,
    )
    runtime.start()
    try:
        result = await team.run(task=TASK)
    finally:
        await runtime.stop()

    assert team_scope(ctx, team).keys() == [text_key("researcher", data)]
    *_, search = [m for m in result.messages if isinstance(m, ToolCallExecutionEvent)]
    assert search.source == "analyst"
    assert search.content[0].content.count('"sku": "SKU-0042"') == 1


@pytest.mark.parametrize("with_handler", [False, True])
async def test_two_tool_results_in_one_turn_are_stored_once_each(ctx, kit, with_handler):
    # Two tools in one turn: the researcher's message to the team joins both results. The
    # analyst's context must show it through the two stored results, not store it a third
    # time (search then showed every passage twice: 3 entries, 36,044 tokens for 18,022).
    data = kit.sales_rows()
    log = "\n".join(f"2026-01-01 10:00:{i % 60:02d} INFO shipment {i} ok" for i in range(400))
    log += "\n2026-01-01 10:07:00 ERROR SKU-0042 stuck in customs"

    async def fetch_sales() -> str:
        return data

    async def fetch_log() -> str:
        return log

    analyst_client = kit.replay(kit.calls((SEARCH_TOOL_NAME, {"query": "SKU-0042 customs"})))
    analyst_context = BatonChatCompletionContext(ctx, agent_name="analyst")
    analyst = AssistantAgent(
        "analyst", analyst_client, model_context=analyst_context, tools=make_context_tools(ctx)
    )
    runtime = (
        SingleThreadedAgentRuntime(intervention_handlers=[BatonInterventionHandler(ctx)])
        if with_handler
        else None
    )
    team = RoundRobinGroupChat(
        [
            agent(
                "researcher",
                kit.replay(kit.calls(("fetch_sales", {}), ("fetch_log", {}))),
                ctx,
                tools=[
                    FunctionTool(fetch_sales, description="Fetch the Q3 sales table."),
                    FunctionTool(fetch_log, description="Fetch the shipment log."),
                ],
            ),
            analyst,
        ],
        termination_condition=MaxMessageTermination(3),
        runtime=runtime,
    )
    if runtime is not None:
        runtime.start()
    try:
        result = await team.run(task=TASK)
    finally:
        if runtime is not None:
            await runtime.stop()

    store = team_scope(ctx, team)
    assert sorted(store.keys()) == sorted(
        [text_key("researcher", data), text_key("researcher", log)]
    )
    # the analyst's model got the joined message compressed, naming both entries
    shown = "\n".join(kit.texts(kit.sent(analyst_client, 0)))
    assert text_key("researcher", data) in shown and text_key("researcher", log) in shown
    assert ctx.count_tokens(shown) < ctx.count_tokens(data + log) // 4
    *_, search = [m for m in result.messages if isinstance(m, ToolCallExecutionEvent)]
    assert search.content[0].content.count("stuck in customs") == 1
    # what the model would have got without agent-baton, and the saved state: both in full
    originals = "\n".join(kit.texts(await analyst_context.get_original_messages()))
    assert f"{data}\n{log}" in originals
    saved = await analyst_context.save_state()
    assert any(m["content"] == f"{data}\n{log}" for m in saved["messages"])


async def test_agent_name_comes_from_the_runtime_and_is_checked(ctx, kit):
    data = kit.sales_rows()
    analyst_context = BatonChatCompletionContext(ctx)  # no agent_name: AutoGen says who runs
    analyst_client = kit.replay("North leads. " + data)
    team = RoundRobinGroupChat(
        [
            agent("researcher", kit.replay(data), ctx),
            AssistantAgent("analyst", analyst_client, model_context=analyst_context),
            agent("writer", kit.replay("Report."), ctx),
        ],
        termination_condition=MaxMessageTermination(4),
    )
    await team.run(task=TASK)

    assert analyst_context.agent_name == "analyst"
    assert data not in kit.texts(kit.sent(analyst_client))
    state = await analyst_context.save_state()
    assert state["messages"][-1]["content"] == "North leads. " + data  # its own words, whole

    wrong = RoundRobinGroupChat(
        [
            AssistantAgent(
                "writer",
                kit.replay("x"),
                model_context=BatonChatCompletionContext(ctx, agent_name="analyst"),
            )
        ],
        termination_condition=MaxMessageTermination(2),
    )
    # AutoGen re-raises an agent's error from team.run as a RuntimeError naming it.
    with pytest.raises(RuntimeError, match="agent_name='analyst' but serves the agent 'writer'"):
        await wrong.run(task=TASK)


@pytest.mark.parametrize("saved_with_baton", [True, False])
async def test_team_state_moves_between_baton_and_autogens_contexts(ctx, kit, saved_with_baton):
    data = kit.sales_rows()

    def team(clients, baton):
        return RoundRobinGroupChat(
            [
                agent(name, client, ctx if baton else None)
                for name, client in zip(("researcher", "analyst"), clients, strict=True)
            ],
            termination_condition=MaxMessageTermination(3),
        )

    first = team([kit.replay(data), kit.replay("Noted.")], saved_with_baton)
    await first.run(task="go")
    resumed_analyst = kit.replay("Noted.", "Still noted.")
    second = team([kit.replay("again"), resumed_analyst], not saved_with_baton)
    await second.load_state(await first.save_state())
    await second.run(task="continue")

    received = kit.texts(kit.sent(resumed_analyst))
    assert "go" in received and "Noted." in received  # nothing of the first run is lost
    assert (data in received) is saved_with_baton  # AutoGen's context gets the full table


async def test_graph_flow_fan_in_gets_both_branches_compressed(ctx, kit):
    # researcher -> (sales, logs) -> writer: the writer reads both branches compressed.
    data, log = kit.sales_rows(), "\n".join(f"12:00:{i:02d} WARN retry {i}" for i in range(60))
    writer_client = kit.replay("Report.")
    researcher = agent("researcher", kit.replay("Split the work."), ctx)
    sales = agent("sales", kit.replay(data), ctx)
    logs = agent("logs", kit.replay(log * 20), ctx)
    writer = agent("writer", writer_client, ctx)
    builder = DiGraphBuilder()
    for node in (researcher, sales, logs, writer):
        builder.add_node(node)
    builder.add_edge(researcher, sales).add_edge(researcher, logs)
    builder.add_edge(sales, writer).add_edge(logs, writer)
    flow = GraphFlow(builder.get_participants(), graph=builder.build())

    result = await flow.run(task=TASK)

    assert result.messages[-1].content == "Report."
    received = kit.texts(kit.sent(writer_client))
    assert data not in received and log * 20 not in received
    keys = [compressed_key(text) for text in received]
    assert text_key("sales", data) in keys and text_key("logs", log * 20) in keys
    store = team_scope(ctx, flow)
    assert store.get(text_key("sales", data), full=True) == data
