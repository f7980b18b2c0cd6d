"""A team saved mid-run and resumed as a new team object (a new team id, so a new scope)."""

from __future__ import annotations

import logging

import pytest
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import MaxMessageTermination, TextMentionTermination
from autogen_agentchat.teams import Swarm
from autogen_core import SingleThreadedAgentRuntime
from autogen_core.models import FunctionExecutionResultMessage
from autogen_core.tools import FunctionTool

from agent_baton_autogen import (
    READ_TOOL_NAME,
    BatonChatCompletionContext,
    BatonInterventionHandler,
    make_context_tools,
)
from agent_baton_autogen._messages import compressed_key, text_key

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.filterwarnings("ignore:Intervention handler on_response returned None"),
]


def swarm(kit, data, ctx, runtime, analyst_client, stop, setup):
    """A researcher fetching ``data`` and handing off to an analyst with the context tools."""

    async def fetch_sales() -> str:
        return data

    scope = "conversation-42" if setup == "scope" else None
    researcher = AssistantAgent(
        "researcher",
        model_client=kit.replay(kit.calls(("fetch_sales", {}), ("transfer_to_analyst", {}))),
        tools=[FunctionTool(fetch_sales, description="Fetch the Q3 sales table.")],
        handoffs=["analyst"],
    )
    analyst = AssistantAgent(
        "analyst",
        model_client=analyst_client,
        tools=make_context_tools(ctx, scope=scope),
        max_tool_iterations=2,
        model_context=BatonChatCompletionContext(ctx) if setup == "baton" else None,
    )
    return Swarm([researcher, analyst], termination_condition=stop, runtime=runtime)


async def run_in_new_runtime(ctx, setup, run):
    """``run(runtime)`` in a runtime of its own with a handler: a worker of its own."""
    scope = "conversation-42" if setup == "scope" else None
    handler = BatonInterventionHandler(ctx, scope=scope)
    runtime = SingleThreadedAgentRuntime(intervention_handlers=[handler])
    runtime.start()
    try:
        return await run(runtime)
    finally:
        await runtime.stop()


def read_answers(messages):
    return [
        r.content
        for m in messages
        if isinstance(m, FunctionExecutionResultMessage)
        for r in m.content
        if r.name == READ_TOOL_NAME
    ]


@pytest.mark.parametrize("setup", ["plain", "scope", "baton"])
async def test_a_swarm_resumed_from_saved_state_in_a_new_team_object(any_ctx, kit, setup, caplog):
    # One worker runs the swarm until the analyst has the handoff and saves the team's state;
    # another (a new runtime, handler and team object) loads it and resumes: its analyst reads
    # the handed-over original by the key its context names. With AutoGen's own model context
    # the saved state holds the handler's compressed copy, whose original is in the first
    # team's scope: unreadable unless the handler and tools share a scope (then it reads), or
    # the agents' BatonChatCompletionContext saved the original (then it is stored again).
    ctx, data = any_ctx, kit.sales_rows()
    key = text_key("researcher", data)

    async def first_run(runtime):
        team = swarm(
            kit, data, ctx, runtime, kit.replay("Looking."), MaxMessageTermination(3), setup
        )
        await team.run(task="Analyse the Q3 sales.")
        return await team.save_state()

    state = await run_in_new_runtime(ctx, setup, first_run)
    resumed_client = kit.replay(
        kit.calls((READ_TOOL_NAME, {"key": key, "full": True})), "North leads. TERMINATE"
    )

    async def resumed_run(runtime):
        stop = TextMentionTermination("TERMINATE")
        team = swarm(kit, data, ctx, runtime, resumed_client, stop, setup)
        await team.load_state(state)
        return await team.run(task="Go on.")

    with caplog.at_level(logging.WARNING, logger="agent_baton_autogen"):
        result = await run_in_new_runtime(ctx, setup, resumed_run)

    shown = [
        r.content
        for m in kit.sent(resumed_client, 0)
        if isinstance(m, FunctionExecutionResultMessage)
        for r in m.content
    ]
    assert data not in shown and any(compressed_key(text) == key for text in shown)
    [answer] = read_answers(kit.sent(resumed_client, 1))
    assert result.messages[-1].content == "North leads. TERMINATE"
    warned = [r.getMessage() for r in caplog.records if "never stored" in r.getMessage()]
    if setup == "plain":
        assert "not stored" in answer
        assert len(warned) == 1 and key in warned[0] and "scope=" in warned[0]
    else:
        assert data.startswith(answer.rsplit("\n", 1)[0]) and len(answer) > 2000
        assert warned == []
