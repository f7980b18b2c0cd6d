"""What real tools return, as it reaches the next model through BatonChatCompletionContext.

A tool that returns ``pprint.pformat`` of a dataclass (a listing of records) hands over a
Python value over many lines: the model must get whole records and markers counting the
records left out, not a few lines of it read as a CSV table.
"""

from __future__ import annotations

import dataclasses
import pprint

import pytest
from autogen_agentchat.agents import AssistantAgent
from autogen_core.tools import FunctionTool

from agent_baton_autogen import BatonChatCompletionContext

pytestmark = pytest.mark.asyncio


@dataclasses.dataclass
class Sale:
    sku: str
    region: str
    units: int
    status: str


@dataclasses.dataclass
class Report:
    quarter: str
    sales: list[Sale]
    total_units: int


def report() -> Report:
    regions = ("north", "south", "east", "west")
    sales = [Sale(f"SKU-{i:04d}", regions[i % 4], i * 7 % 113, "booked") for i in range(200)]
    sales[131] = Sale("SKU-0131", "east", 0, "failed: card issuer unavailable (code 91)")
    return Report("Q3", sales, sum(s.units for s in sales))


async def test_a_pformat_dataclass_reaches_the_model_as_whole_records(ctx, kit):
    text = pprint.pformat(report())

    async def fetch_report() -> str:
        return text

    client = kit.replay(kit.calls(("fetch_report", {})), "Q3 summarised.")
    agent = AssistantAgent(
        "researcher",
        model_client=client,
        tools=[FunctionTool(fetch_report, description="Fetch the Q3 sales report.")],
        reflect_on_tool_use=True,
        model_context=BatonChatCompletionContext(ctx, agent_name="researcher"),
    )
    await agent.run(task="Summarise the Q3 sales")

    [shown] = [t for t in kit.texts(kit.sent(client, 1)) if t.startswith("Report(quarter='Q3',")]
    assert len(shown) < len(text) / 2
    lines = shown.splitlines()
    assert "       sales=[Sale(sku='SKU-0000', region='north', units=0, status='booked')," in lines
    start = text.index("              Sale(sku='SKU-0131',")
    failed = text[start : text.index("\n", text.index("(code 91)", start))].splitlines()
    assert len(failed) == 4 and all(line in lines for line in failed)  # the failed sale, whole
    assert "              Sale(sku='SKU-0199', region='west', units=37, status='booked')]," in lines
    assert "       total_units=11032)" in lines
    assert lines[-1].startswith("[agent-baton: compressed from researcher")
    gaps = [line.split()[1] for line in lines if line.endswith(("item]", "items]"))]
    shown_sales = [line for line in lines if "Sale(sku=" in line]
    assert sum(map(int, gaps)) + len(shown_sales) == 200
