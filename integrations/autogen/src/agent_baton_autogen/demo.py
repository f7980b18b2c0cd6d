"""The agent-baton demo on AutoGen: a RoundRobinGroupChat of three agents on replayed answers.

The researcher fetches the transactions and the research note, the analyst the CI log and the
code; each agent's tool results are its message to the team, which AutoGen broadcasts to the
others. Every agent has a :class:`BatonChatCompletionContext`, so the others' messages reach
its model compressed; the writer zooms into the transactions with ``search_shared_context``.
Importing this module imports AutoGen (``autogen-agentchat``, ``autogen-ext``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence

from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.base import ChatAgent, Team
from autogen_agentchat.messages import ToolCallExecutionEvent
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_core import EVENT_LOGGER_NAME, FunctionCall
from autogen_core.models import (
    AssistantMessage,
    CreateResult,
    LLMMessage,
    ModelFamily,
    ModelInfo,
    RequestUsage,
    UserMessage,
)
from autogen_core.tools import FunctionTool
from autogen_ext.models.replay import ReplayChatCompletionClient

from agent_baton import SharedContext
from agent_baton.demo import ANALYST_TASK, WRITER_TASK, DemoResult, Handoff, load_samples
from agent_baton_autogen.model_context import BatonChatCompletionContext
from agent_baton_autogen.runs import team_scope
from agent_baton_autogen.tools import SEARCH_TOOL_NAME, make_context_tools

MODEL = "AutoGen ReplayChatCompletionClient (replayed answers)"
ZOOM_QUERY = "declined issuer_unavailable"
TOOL_MODEL = ModelInfo(
    vision=False,
    function_calling=True,
    json_output=False,
    family=ModelFamily.UNKNOWN,
    structured_output=False,
)


def calls(*calls: tuple[str, dict[str, object]]) -> CreateResult:
    """A model response that calls the given tools, each as (name, arguments)."""
    return CreateResult(
        finish_reason="function_calls",
        content=[
            FunctionCall(id=f"call-{i}-{name}", name=name, arguments=json.dumps(args))
            for i, (name, args) in enumerate(calls)
        ],
        usage=RequestUsage(prompt_tokens=0, completion_tokens=0),
        cached=False,
    )


class MeteredContext(BatonChatCompletionContext):
    """Records, at this agent's first model call, the other agents' messages in tokens.

    ``first_call`` is (tokens in full, tokens sent): the originals AutoGen would have replayed
    (:meth:`get_original_messages`) and what :meth:`get_messages` gave the model.
    """

    def __init__(self, ctx: SharedContext, agent_name: str, max_tokens: int) -> None:
        super().__init__(ctx, agent_name=agent_name, max_tokens=max_tokens)
        self.first_call: tuple[int, int] | None = None

    async def get_messages(self) -> list[LLMMessage]:
        """The messages for the model; the first time, also measure them."""
        messages = await super().get_messages()
        if self.first_call is None:
            originals = await self.get_original_messages()
            self.first_call = (
                self._other_agents_tokens(originals),
                self._other_agents_tokens(messages),
            )
        return messages

    def _other_agents_tokens(self, messages: Sequence[LLMMessage]) -> int:
        texts = [
            message.content
            for message in messages
            if isinstance(message, UserMessage | AssistantMessage)
            and isinstance(message.content, str)
            and message.source not in (self.agent_name, "user")
        ]
        return self.shared_context.count_tokens("\n\n".join(texts)) if texts else 0


def run(max_tokens: int = 2000) -> DemoResult:
    """Run researcher → analyst → writer over the bundled samples; measure each handoff.

    ``max_tokens`` bounds each other agent's message as a model receives it. Uses
    ``asyncio.run``: from async code, await :func:`arun` instead.
    """
    events = logging.getLogger(EVENT_LOGGER_NAME)
    level = events.level
    events.setLevel(logging.ERROR)  # the replay client warns about arguments it ignores
    try:
        return asyncio.run(arun(max_tokens))
    finally:
        events.setLevel(level)


async def arun(max_tokens: int = 2000) -> DemoResult:
    """Async twin of :func:`run`."""
    samples = load_samples()

    async def fetch(name: str) -> str:
        """Fetch a source: transactions, research_note, ci_log or refunds_code."""
        return samples[name]

    ctx = SharedContext()
    report = "Incident report: tx_100097 was declined (issuer timeout after 30 s); see CI."
    scripts: dict[str, list[str | CreateResult]] = {  # each agent's replayed model answers
        "researcher": [
            calls(("fetch", {"name": "transactions"}), ("fetch", {"name": "research_note"}))
        ],
        "analyst": [calls(("fetch", {"name": "ci_log"}), ("fetch", {"name": "refunds_code"}))],
        "writer": [calls((SEARCH_TOOL_NAME, {"query": ZOOM_QUERY})), report],
    }
    fetch_tool = FunctionTool(fetch, description="Fetch a source by name.")
    contexts = {name: MeteredContext(ctx, name, max_tokens) for name in scripts}
    agents: list[ChatAgent | Team] = [  # the type RoundRobinGroupChat takes (a list: invariant)
        AssistantAgent(
            name,
            model_client=ReplayChatCompletionClient(script, model_info=TOOL_MODEL),
            model_context=contexts[name],
            # A list made here takes AssistantAgent's element type (its List is invariant).
            tools=[*make_context_tools(ctx)] if name == "writer" else [fetch_tool],
            reflect_on_tool_use=name == "writer",  # the others hand over their tool results
        )
        for name, script in scripts.items()
    ]
    team = RoundRobinGroupChat(agents, max_turns=len(agents))
    task_result = await team.run(task=f"{ANALYST_TASK} {WRITER_TASK}")

    result = DemoResult("autogen", MODEL)
    for label, receiver in (
        ("researcher → analyst", "analyst"),
        ("researcher + analyst → writer", "writer"),
    ):
        without, sent = contexts[receiver].first_call or (0, 0)
        result.handoffs.append(Handoff(label, without, sent))
    for event in task_result.messages:
        if isinstance(event, ToolCallExecutionEvent) and event.source == "writer":
            where, text = event.content[0].content.split("\n", 1)  # "[key @ location] from …"
            where = where.rsplit(" from ", 1)[0]
            result.zoom = (
                f"{SEARCH_TOOL_NAME}({ZOOM_QUERY!r}) → {where} {' '.join(text.split())[:250]}"
            )
    result.stats = team_scope(ctx, team).stats()  # what this team run stored
    return result
