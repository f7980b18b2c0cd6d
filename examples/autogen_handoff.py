"""A three-agent AutoGen Swarm handing work along, with and without agent-baton.

researcher fetches a 300-row sales table and hands off to analyst; analyst fetches an error log
and hands off to writer, who writes the report. Each handoff carries the tool output to the
next agent. The script prints, per handoff, how many tokens the receiving model would get
without agent-baton and how many it gets with it.

    python examples/autogen_handoff.py    # offline: replayed model answers, no API key
    OPENAI_API_KEY=... python examples/autogen_handoff.py    # a real model: OPENAI_MODEL,
                                                             # default gpt-4o-mini
Needs autogen-ext: pip install ./core "./integrations/autogen[openai]" from the clone's root.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import warnings
from collections.abc import Sequence

from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import MaxMessageTermination, TextMentionTermination
from autogen_agentchat.messages import HandoffMessage
from autogen_agentchat.teams import Swarm
from autogen_core import EVENT_LOGGER_NAME, FunctionCall, SingleThreadedAgentRuntime
from autogen_core.models import (
    ChatCompletionClient,
    FunctionExecutionResultMessage,
    LLMMessage,
)
from autogen_core.tools import FunctionTool

from agent_baton import SharedContext
from agent_baton_autogen import (
    BatonChatCompletionContext,
    BatonInterventionHandler,
    make_context_tools,
    team_scope,
)

TASK = "Find why Q3 revenue in the west region dropped and write a short report."


def sales_table() -> str:
    rows = [
        {
            "id": i,
            "region": ["north", "south", "east", "west"][i % 4],
            "month": ["2026-07", "2026-08", "2026-09"][i % 3],
            "units": (i * 37) % 211,
            "revenue_eur": round(((i * 37) % 211) * 19.9, 2),
            "sku": f"SKU-{i:04d}",
        }
        for i in range(300)
    ]
    return json.dumps(rows, indent=2)


def error_log() -> str:
    lines = []
    for i in range(400):
        level = "ERROR" if i % 50 == 7 else "INFO"
        event = "checkout-west timeout after 30s" if level == "ERROR" else "request served in 42ms"
        lines.append(f"2026-09-{1 + i % 28:02d}T10:{i % 60:02d}:00Z {level} api-gw {event}")
    return "\n".join(lines)


async def fetch_sales() -> str:
    """The Q3 sales table as JSON."""
    return sales_table()


async def fetch_error_log() -> str:
    """The Q3 API gateway log."""
    return error_log()


class MeteredContext(BatonChatCompletionContext):
    """Records, at each model call, the tokens sent and the tokens the originals would take."""

    def __init__(self, ctx: SharedContext, agent_name: str) -> None:
        super().__init__(ctx, agent_name=agent_name)
        self.calls: list[tuple[int, int]] = []

    async def get_messages(self) -> list[LLMMessage]:
        messages = await super().get_messages()
        without = count(self.shared_context, await self.get_original_messages())
        self.calls.append((without, count(self.shared_context, messages)))
        return messages


def count(ctx: SharedContext, messages: Sequence[LLMMessage]) -> int:
    parts: list[str] = []
    for message in messages:
        if isinstance(message, FunctionExecutionResultMessage):
            parts.extend(result.content for result in message.content)
        elif isinstance(message.content, str):
            parts.append(message.content)
        else:
            parts.extend(
                f"{item.name}({item.arguments})" if isinstance(item, FunctionCall) else str(item)
                for item in message.content
            )
    return ctx.count_tokens("\n".join(parts))


def clients() -> dict[str, ChatCompletionClient]:
    if os.environ.get("OPENAI_API_KEY"):
        from autogen_ext.models.openai import OpenAIChatCompletionClient

        model = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")
        client = OpenAIChatCompletionClient(model=model, parallel_tool_calls=False)
        return dict.fromkeys(("researcher", "analyst", "writer"), client)

    from autogen_ext.models.replay import ReplayChatCompletionClient

    from agent_baton_autogen.demo import TOOL_MODEL, calls

    return {
        "researcher": ReplayChatCompletionClient(
            [calls(("fetch_sales", {}), ("transfer_to_analyst", {}))], model_info=TOOL_MODEL
        ),
        "analyst": ReplayChatCompletionClient(
            [calls(("fetch_error_log", {}), ("transfer_to_writer", {}))], model_info=TOOL_MODEL
        ),
        "writer": ReplayChatCompletionClient(
            [
                "West revenue fell because checkout-west timed out (ERROR every 50 requests "
                "in September). Fix the gateway timeout. TERMINATE"
            ],
            model_info=TOOL_MODEL,
        ),
    }


async def main() -> None:
    ctx = SharedContext()
    models = clients()
    contexts = {name: MeteredContext(ctx, name) for name in models}
    context_tools = make_context_tools(ctx)
    researcher = AssistantAgent(
        "researcher",
        model_client=models["researcher"],
        model_context=contexts["researcher"],
        tools=[FunctionTool(fetch_sales, description="Fetch the Q3 sales table.")],
        handoffs=["analyst"],
        system_message="Call fetch_sales, then hand off to analyst.",
    )
    analyst = AssistantAgent(
        "analyst",
        model_client=models["analyst"],
        model_context=contexts["analyst"],
        tools=[
            FunctionTool(fetch_error_log, description="Fetch the Q3 API gateway log."),
            *context_tools,
        ],
        handoffs=["writer"],
        system_message="Call fetch_error_log, then hand off to writer.",
    )
    writer = AssistantAgent(
        "writer",
        model_client=models["writer"],
        model_context=contexts["writer"],
        tools=context_tools,
        system_message="Write a three-sentence report, then say TERMINATE.",
    )
    # The handler files every agent's message in ctx; the caller owns the runtime.
    runtime = SingleThreadedAgentRuntime(intervention_handlers=[BatonInterventionHandler(ctx)])
    runtime.start()
    try:
        team = Swarm(
            [researcher, analyst, writer],
            termination_condition=TextMentionTermination("TERMINATE") | MaxMessageTermination(20),
            runtime=runtime,
        )
        result = await team.run(task=TASK)
    finally:
        await runtime.stop()

    print(f"AutoGen Swarm, {'real model' if os.environ.get('OPENAI_API_KEY') else 'replay'}")
    handoffs = [m for m in result.messages if isinstance(m, HandoffMessage)]
    total_without = total_with = 0
    for handoff in handoffs:
        calls = contexts[handoff.target].calls
        if not calls:
            continue
        without, with_baton = calls[0]  # the first model call after the handoff
        total_without += without
        total_with += with_baton
        print(
            f"  handoff {handoff.source} -> {handoff.target}: {without:,} tokens without "
            f"agent-baton, {with_baton:,} with ({saved(without, with_baton)} saved)"
        )
    print(
        f"  total: {total_without:,} -> {total_with:,} tokens "
        f"({saved(total_without, total_with)} saved)"
    )
    full_kept = any(
        r.content == sales_table()
        for h in handoffs
        for m in h.context
        if isinstance(m, FunctionExecutionResultMessage)
        for r in m.content
    )
    print(f"  team result still holds the full sales table: {full_kept}")
    store = team_scope(ctx, team)  # the entries of this team's run
    print(f"  shared context: {len(store)} entries, e.g. {store.keys()[:3]}")
    print(f"  last message: {result.messages[-1].to_text()[:120]}")


def saved(without: int, with_baton: int) -> str:
    return f"{100 * (without - with_baton) / without:.1f}%" if without else "0%"


if __name__ == "__main__":
    # AutoGen warns whenever an RPC returns None through any intervention handler, and the
    # replay model logs that it counts only string content; neither matters here.
    warnings.filterwarnings("ignore", message="Intervention handler on_response returned None")
    logging.getLogger(EVENT_LOGGER_NAME).setLevel(logging.ERROR)
    asyncio.run(main())
