"""What each later agent of an AutoGen team receives: AutoGen's own contexts beside agent-baton.

The team is the demo's RoundRobinGroupChat on replayed model answers (no API key): the
researcher fetches a JSON API result (240 transactions) and a research note, the analyst a CI
log and the module under test, the writer writes the report. Each agent's tool results are its
message to the team. Every agent gets the same kind of model context; for each option the script
prints the tokens of the first prompt of the analyst and of the writer (every message, tool
results included, counted with tiktoken) and how many of the facts planted in the earlier
agents' outputs that prompt contains. With agent-baton the writer also makes one
``search_shared_context`` call with its task as the query; the last column counts the facts
in its prompt or in that answer.

    python examples/autogen_compare.py
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.messages import ToolCallExecutionEvent
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_core import EVENT_LOGGER_NAME
from autogen_core.model_context import (
    BufferedChatCompletionContext,
    ChatCompletionContext,
    HeadAndTailChatCompletionContext,
    TokenLimitedChatCompletionContext,
)
from autogen_core.models import FunctionExecutionResultMessage, LLMMessage
from autogen_core.tools import FunctionTool, Tool, ToolSchema
from autogen_ext.models.replay import ReplayChatCompletionClient

from agent_baton import SharedContext
from agent_baton.demo import ANALYST_TASK, WRITER_TASK, load_samples
from agent_baton_autogen import (
    SEARCH_TOOL_NAME,
    BatonChatCompletionContext,
    make_context_tools,
)
from agent_baton_autogen.demo import TOOL_MODEL, calls

# Facts the later agents need, each found in exactly one earlier output, by the agent that
# fetched it.
FACTS = {
    "researcher": {
        "customer of the declined tx": "cus_9375",
        "the 48,250 EUR order": "48250",
        "the recommended timeout": "from 30 s to 5 s",
    },
    "analyst": {
        "the failing assertion": "Decimal('12.50') == Decimal('12.05')",
        "the test count": "1283 passed, 1 failed",
        "the retry at the failure": "retrying issuer call (attempt 2 of 3)",
        "the tie-break at fault": "largest = max(eligible, key=lambda line: line.total)",
    },
}
TOKEN_LIMIT = 8000  # TokenLimitedChatCompletionContext's budget for a whole prompt
BATON_MAX_TOKENS = 2000  # agent-baton's budget for one other agent's message


class TiktokenReplay(ReplayChatCompletionClient):
    """The replay model, counting tokens like a real client: every text, tool results too.

    ``ReplayChatCompletionClient.count_tokens`` counts words of str contents only, which would
    let ``TokenLimitedChatCompletionContext`` keep any tool result.
    """

    def __init__(self, answers: list[object], ctx: SharedContext) -> None:
        super().__init__(answers, model_info=TOOL_MODEL)  # type: ignore[arg-type]
        self._ctx = ctx

    def count_tokens(
        self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = ()
    ) -> int:
        return self._ctx.count_tokens("\n".join(texts(messages)))


Option = Callable[[SharedContext, ReplayChatCompletionClient], ChatCompletionContext | None]
OPTIONS: dict[str, Option] = {
    "AutoGen default (Unbounded)": lambda ctx, client: None,
    "BufferedChatCompletionContext(buffer_size=2)": lambda ctx, client: (
        BufferedChatCompletionContext(buffer_size=2)
    ),
    f"TokenLimitedChatCompletionContext({TOKEN_LIMIT:,})": lambda ctx, client: (
        TokenLimitedChatCompletionContext(client, token_limit=TOKEN_LIMIT)
    ),
    "HeadAndTailChatCompletionContext(1, 1)": lambda ctx, client: HeadAndTailChatCompletionContext(
        head_size=1, tail_size=1
    ),
    f"agent-baton (max_tokens={BATON_MAX_TOKENS:,})": lambda ctx, client: (
        BatonChatCompletionContext(ctx, max_tokens=BATON_MAX_TOKENS)
    ),
}


def texts(messages: Sequence[LLMMessage]) -> list[str]:
    """Every text a prompt carries: message contents and tool results."""
    out: list[str] = []
    for message in messages:
        if isinstance(message, FunctionExecutionResultMessage):
            out.extend(result.content for result in message.content)
        elif isinstance(message.content, str):
            out.append(message.content)
    return out


async def run_option(name: str, option: Option) -> list[str]:
    """Run the team with every agent on ``option``; one printed row."""
    samples = load_samples()

    async def fetch(name: str) -> str:
        """Fetch a source: transactions, research_note, ci_log or refunds_code."""
        return samples[name]

    ctx = SharedContext()
    baton = isinstance(option(ctx, TiktokenReplay([], ctx)), BatonChatCompletionContext)
    scripts: dict[str, list[object]] = {
        "researcher": [
            calls(("fetch", {"name": "transactions"}), ("fetch", {"name": "research_note"}))
        ],
        "analyst": [calls(("fetch", {"name": "ci_log"}), ("fetch", {"name": "refunds_code"}))],
        "writer": [calls((SEARCH_TOOL_NAME, {"query": WRITER_TASK})), "Report."]
        if baton
        else ["Report."],
    }
    clients = {agent: TiktokenReplay(script, ctx) for agent, script in scripts.items()}
    fetch_tool = FunctionTool(fetch, description="Fetch a source by name.")
    team = RoundRobinGroupChat(
        [
            AssistantAgent(
                agent,
                model_client=client,
                model_context=option(ctx, client),
                tools=(make_context_tools(ctx) if baton else [])
                if agent == "writer"
                else [fetch_tool],
                reflect_on_tool_use=agent == "writer",
            )
            for agent, client in clients.items()
        ],
        max_turns=3,
    )
    result = await team.run(task=f"{ANALYST_TASK} {WRITER_TASK}")

    row = [name]
    for agent, upstream in (("analyst", ["researcher"]), ("writer", ["researcher", "analyst"])):
        prompt = "\n".join(texts(clients[agent].create_calls[0]["messages"]))
        facts = [fact for source in upstream for fact in FACTS[source].values()]
        found = sum(fact in prompt for fact in facts)
        row += [f"{ctx.count_tokens(prompt):,}", f"{found}/{len(facts)}"]
    if baton:
        answers = [
            r.content
            for m in result.messages
            if isinstance(m, ToolCallExecutionEvent) and m.source == "writer"
            for r in m.content
        ]
        seen = prompt + "\n".join(answers)
        row.append(f"{sum(fact in seen for fact in facts)}/{len(facts)}")
    else:
        row.append("no tools")
    return row


async def main() -> None:
    header = ["model context of every agent", "analyst", "facts", "writer", "facts", "+1 search"]
    rows = [header] + [await run_option(name, option) for name, option in OPTIONS.items()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    print("Tokens of each later agent's first prompt, and the planted facts it contains")
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        print("  " + "  ".join(cells))


if __name__ == "__main__":
    # The replay model logs that it ignores tool_choice and counts only string content.
    logging.getLogger(EVENT_LOGGER_NAME).setLevel(logging.ERROR)
    logging.getLogger("autogen_ext").setLevel(logging.ERROR)
    asyncio.run(main())
