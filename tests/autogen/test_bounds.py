"""save_state keeps the originals after other teams evicted them from a bounded context."""

from __future__ import annotations

import json
from typing import Any

import pytest
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import TextMentionTermination
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_core.model_context import UnboundedChatCompletionContext
from autogen_core.models import FunctionExecutionResultMessage, UserMessage
from autogen_core.tools import FunctionTool
from autogen_ext.models.replay import ReplayChatCompletionClient

from agent_baton import SharedContext
from agent_baton.answers import ToolNames
from agent_baton_autogen import BatonChatCompletionContext, team_scope
from agent_baton_autogen._messages import compress_text, compressed_key, text_key
from agent_baton_autogen.demo import TOOL_MODEL, calls

pytestmark = pytest.mark.asyncio

ROWS = json.dumps(
    [{"id": i, "host": f"web-{i % 12}", "p95_ms": 80 + i % 17} for i in range(300)], indent=2
)
MAX_ENTRIES = 5


async def fetch() -> str:
    """Fetch the latency rows."""
    return ROWS


def _tool_results(messages: list[Any]) -> list[str]:
    return [
        result.content
        for message in messages
        if isinstance(message, FunctionExecutionResultMessage)
        for result in message.content
    ]


async def test_save_state_after_other_teams_evicted_the_original_keeps_it(caplog):
    ctx = SharedContext(max_entries=MAX_ENTRIES)
    client = ReplayChatCompletionClient(
        [calls(("fetch", {})), "summary TERMINATE"], model_info=TOOL_MODEL
    )
    model_context = BatonChatCompletionContext(ctx)
    agent = AssistantAgent(
        "researcher",
        model_client=client,
        model_context=model_context,
        tools=[FunctionTool(fetch, description="fetch")],
        reflect_on_tool_use=True,
    )
    team = RoundRobinGroupChat([agent], termination_condition=TextMentionTermination("TERMINATE"))
    await team.run(task="fetch the rows")
    (shown,) = _tool_results(await model_context.get_messages())
    key = compressed_key(shown)
    assert key is not None and ROWS not in shown  # the model saw it compressed

    for i in range(MAX_ENTRIES):  # other teams' entries on the same context
        ctx.scope(f"team-other-{i}").put("answer", f"other team {i}", agent="a")
    assert team_scope(ctx, team).missing_reason(key) == "evicted or deleted"

    state = await team.save_state()
    plain = UnboundedChatCompletionContext()
    await plain.load_state(state["agent_states"]["researcher"]["agent_state"]["llm_context"])
    assert _tool_results(await plain.get_messages()) == [ROWS]
    assert _tool_results(await model_context.get_original_messages()) == [ROWS]
    assert not [r for r in caplog.records if r.name.startswith("agent_baton")]


async def test_message_compressed_on_its_way_keeps_its_original_after_eviction():
    # As the handler's handoff copies arrive: already compressed, the original in ctx.
    ctx = SharedContext(max_entries=MAX_ENTRIES)
    key = text_key("researcher", ROWS)
    compressed = await compress_text(
        ctx, key, ROWS, "researcher", min_tokens=100, max_tokens=None, tools=ToolNames()
    )
    assert compressed is not None
    model_context = BatonChatCompletionContext(ctx, agent_name="writer")
    await model_context.add_message(UserMessage(content=compressed.text, source="researcher"))
    for i in range(MAX_ENTRIES):
        ctx.scope(f"team-other-{i}").put("answer", f"other team {i}", agent="a")
    assert key not in ctx

    state = await model_context.save_state()

    plain = UnboundedChatCompletionContext()
    await plain.load_state(state)
    assert [m.content for m in await plain.get_messages()] == [ROWS]
