"""What a real Swarm run's TaskResult repr keeps when compressed: the decision said in a middle
turn, the tool's error, and whom each handoff went to."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import MaxMessageTermination, TextMentionTermination
from autogen_agentchat.messages import ToolCallSummaryMessage
from autogen_agentchat.teams import RoundRobinGroupChat, Swarm
from autogen_core.tools import FunctionTool

from agent_baton.compress import compress
from agent_baton.compress.segment import segments

DECISION = "Decision: we roll back to release 4.2.1 and keep the flag fast_path off."
ERROR = "HTTPSConnectionPool(host='metrics.internal', port=443): Max retries exceeded"
SOURCE = Path(textwrap.__file__).read_text()  # a real file, as a tool returns it


async def read_source() -> str:
    return SOURCE


async def fetch_metrics() -> str:
    raise ConnectionError(ERROR)


pytestmark = pytest.mark.asyncio

SAID = (
    "I went through the output line by line and compared it with the last run. Most of it "
    "matches the previous baseline, so I only call out what changed.\n\n"
    f"{DECISION}\n\nThe rest looks consistent with the configuration checked in today."
)


async def test_a_swarm_results_repr_keeps_the_decision_the_error_and_the_handoff(kit):
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


def _rows(k: int) -> str:
    return (
        f"Row {k}: the batch for region eu-{k} closed at 0{k}:15 with no retries; the ledger "
        "and the warehouse export agree on every total, the late payments of the night were "
        "booked on the next day as agreed, and nothing is left open for the morning shift."
    )


async def _closing_run(kit, plan: str = "") -> object:
    said = [plan] if plan else []
    said += [_rows(k) for k in range(9)]
    writer = AssistantAgent("writer", kit.replay(*said, "All regions closed. TERMINATE"))
    checker = AssistantAgent("checker", kit.replay(*(f"Checked row {k}." for k in range(10))))
    team = RoundRobinGroupChat(
        [writer, checker],
        termination_condition=TextMentionTermination("TERMINATE") | MaxMessageTermination(20),
    )
    return await team.run(task="Report every region's batch close.")


async def test_a_results_repr_of_short_turns_is_read_as_its_turns(kit):
    # Every turn short: none is cut, yet the repr is mostly ids, timestamps and usage. Read as
    # turns it keeps every row; cut as a long line it kept the first few.
    result = await _closing_run(kit)

    out = compress(repr(result))

    assert out.transforms == ["chat:turns"]
    assert all(_rows(k) in out.text for k in range(9))
    assert out.compressed_tokens < out.original_tokens / 2
    assert "other fields omitted" in out.text


async def test_a_results_repr_shown_in_a_document_keeps_its_head_like_a_transcript(kit):
    # A tutorial page shows the TaskResult a run returned. Written out as turns, a result
    # whose turns say little that can go keeps most of what they say (only its fields
    # around them gone): an example, like a Console transcript, its head and end show it.
    lines = [
        f"{k}. Region eu-{k}: read the ledger, compare the totals with the warehouse export "
        "and close the batch when both agree."
        for k in range(12)
    ]
    plan = "\n".join(["To close the batches we go region by region:", "", *lines])
    result = await _closing_run(kit, plan)
    prose = " ".join(["The team reports each region's close, one row at a time."] * 12)
    text = f"# Closing batches\n\n{prose}\n\n```text\n{result!r}\n```\n\n{prose}\n"

    out = compress(text)

    assert out.transforms == ["mixed:segments"]
    assert "[§ message" not in out.text  # not written out as turns
    assert f"```text\n{repr(result)[:40]}" in out.text


@pytest.mark.parametrize("shape", ["repr", "json"])
async def test_a_handoffs_context_is_read_as_the_messages_it_hands_over(kit, shape):
    """A tool call and a handoff in one response: the Swarm hands the tool's result over in
    the HandoffMessage's ``context``, which the next agent reads. As JSON (model_dump) the
    messages' classes are their ``type``; either way the context's calls and results are turns."""

    async def fetch_metrics() -> str:
        return "p95 latency 412.5 ms over 18,234 requests"

    engineer = AssistantAgent(
        "engineer",
        kit.replay(kit.calls(("fetch_metrics", {}), ("transfer_to_reviewer", {}))),
        tools=[FunctionTool(fetch_metrics, description="Fetch the metrics.")],
        handoffs=["reviewer"],
    )
    reviewer = AssistantAgent("reviewer", kit.replay(f"{SAID} TERMINATE"), handoffs=["engineer"])
    team = Swarm(
        [engineer, reviewer],
        termination_condition=TextMentionTermination("TERMINATE") | MaxMessageTermination(8),
    )
    result = await team.run(task="Check the metrics.")
    [handoff] = [m for m in result.messages if m.type == "HandoffMessage"]
    assert handoff.context  # what this test is about
    text = repr(result) if shape == "repr" else result.model_dump_json(indent=2)

    out = compress(text)

    assert out.transforms[0] == "chat:turns"
    assert "HandoffMessage (engineer, to reviewer)" in out.text
    assert "'s 2 messages of its context:]" in out.text
    assert "FunctionExecutionResultMessage" in out.text
    assert DECISION in out.text


async def test_a_tool_call_summary_joining_a_module_and_an_error_stays_one_program(kit):
    """A ToolCallSummaryMessage joins its tools' results with newlines: a module's source, then
    an error. Read line by line, the docstrings and the code alternated as prose and records
    (38 blocks, 22 % saved); the module is one block, compressed as code, the error after it."""
    engineer = AssistantAgent(
        "engineer",
        kit.replay(kit.calls(("read_source", {}), ("fetch_metrics", {})), "Done."),
        tools=[
            FunctionTool(read_source, description="Read the module."),
            FunctionTool(fetch_metrics, description="Fetch the metrics."),
        ],
    )
    reviewer = AssistantAgent("reviewer", kit.replay(f"{SAID} TERMINATE"))
    team = RoundRobinGroupChat(
        [engineer, reviewer],
        termination_condition=TextMentionTermination("TERMINATE") | MaxMessageTermination(6),
    )
    streamed = [m async for m in team.run_stream(task="Check the module and the metrics.")]
    [summary] = [m for m in streamed if isinstance(m, ToolCallSummaryMessage)]
    text = summary.content
    assert text.startswith(SOURCE[:100]) and text.endswith(ERROR)

    out = compress(text)

    assert len(segments(text)) == 2
    assert out.compressed_tokens < out.original_tokens / 2
    assert "def dedent(text):" in out.text
    assert out.text.rstrip().endswith(ERROR)
