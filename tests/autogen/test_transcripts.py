"""What a real Swarm run's TaskResult repr keeps when compressed: the decision said in a middle
turn, the tool's error, and whom each handoff went to."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import MaxMessageTermination, TextMentionTermination
from autogen_agentchat.teams import Swarm
from autogen_core.tools import FunctionTool

from agent_baton.compress import compress

DECISION = "Decision: we roll back to release 4.2.1 and keep the flag fast_path off."
ERROR = "HTTPSConnectionPool(host='metrics.internal', port=443): Max retries exceeded"
pytestmark = pytest.mark.asyncio

SAID = (
    "I went through the output line by line and compared it with the last run. Most of it "
    "matches the previous baseline, so I only call out what changed.\n\n"
    f"{DECISION}\n\nThe rest looks consistent with the configuration checked in today."
)


async def test_a_swarm_results_repr_keeps_the_decision_the_error_and_the_handoff(kit):
    source = Path(textwrap.__file__).read_text()  # a real file, as a tool returns it

    async def read_source() -> str:
        return source

    async def fetch_metrics() -> str:
        raise ConnectionError(ERROR)

    engineer = AssistantAgent(
        "engineer",
        kit.replay(
            kit.calls(("read_source", {}), ("fetch_metrics", {})),
            kit.calls(("transfer_to_reviewer", {})),
        ),
        tools=[
            FunctionTool(read_source, description="Read the module."),
            FunctionTool(fetch_metrics, description="Fetch the metrics."),
        ],
        handoffs=["reviewer"],
    )
    reviewer = AssistantAgent(
        "reviewer", kit.replay(SAID, "Agreed. TERMINATE"), handoffs=["engineer"]
    )
    team = Swarm(
        [engineer, reviewer],
        termination_condition=TextMentionTermination("TERMINATE") | MaxMessageTermination(8),
    )
    result = await team.run(task="Check the module and the metrics.")
    text = repr(result)

    out = compress(text)

    assert out.transforms[0] == "chat:turns"
    assert out.compressed_tokens < out.original_tokens / 2
    assert DECISION in out.text
    assert json.dumps(ERROR)[1:-1] in out.text or ERROR in out.text
    assert "HandoffMessage (engineer, to reviewer)" in out.text
