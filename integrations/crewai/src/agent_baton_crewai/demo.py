"""The agent-baton demo on CrewAI: a sequential crew of three agents on a scripted model.

The researcher fetches the transactions and the research note and hands them over, the
analyst adds the CI log and the code, the writer zooms into the transactions with
``search_shared_context``. :class:`CrewBaton` is attached to the crew; the figures are its
report: what CrewAI's own context building would have sent each task, and what was sent.
Importing this module imports CrewAI (telemetry, tracing and version checks off).
"""

from __future__ import annotations

import os

# Before crewai is imported: otherwise the run waits on telemetry and version checks.
for _name, _value in {
    "CREWAI_DISABLE_TELEMETRY": "true",
    "CREWAI_TRACING_ENABLED": "false",
    "CREWAI_DISABLE_VERSION_CHECK": "true",
    "OTEL_SDK_DISABLED": "true",
}.items():
    os.environ.setdefault(_name, _value)

import json  # noqa: E402
from typing import Any  # noqa: E402

from crewai import Agent, BaseLLM, Crew, Process, Task  # noqa: E402
from crewai.tools import tool  # noqa: E402
from pydantic import PrivateAttr  # noqa: E402

from agent_baton import SharedContext  # noqa: E402
from agent_baton.demo import (  # noqa: E402
    ANALYST_TASK,
    WRITER_TASK,
    DemoResult,
    Handoff,
    load_samples,
)
from agent_baton_crewai.baton import CrewBaton  # noqa: E402
from agent_baton_crewai.tools import SEARCH_TOOL_NAME, SharedContextSearchTool  # noqa: E402

MODEL = "CrewAI BaseLLM subclass (scripted replies)"
ZOOM_QUERY = "declined issuer_unavailable"


class ScriptedLLM(BaseLLM):
    """A CrewAI LLM that answers with fixed replies, in order, and records every prompt."""

    _replies: list[str] = PrivateAttr(default_factory=list)
    _prompts: list[str] = PrivateAttr(default_factory=list)

    def __init__(self, replies: list[str]) -> None:
        super().__init__(model="scripted")
        self._replies = list(replies)

    @property
    def prompts(self) -> list[str]:
        """The text of every prompt this model was sent, in order."""
        return self._prompts

    def call(self, messages: Any, *args: Any, **kwargs: Any) -> str:
        """Record the prompt; answer with the next reply (the last one again when done)."""
        if isinstance(messages, str):
            messages = [{"role": "user", "content": messages}]
        self._prompts.append("\n".join(str(m.get("content", "")) for m in messages))
        return self._replies.pop(0) if len(self._replies) > 1 else self._replies[0]

    def get_context_window_size(self) -> int:
        """Large, so CrewAI never summarises long prompts with extra calls."""
        return 1_000_000

    def get_input_tokens_count(self, messages: Any, *args: Any, **kwargs: Any) -> int:
        """CrewAI's fallback estimate, without its warning that the count is approximate."""
        text = messages if isinstance(messages, str) else str(messages)
        return len(text) // 4


def final(answer: str) -> str:
    """A reply CrewAI's ReAct parser reads as the task's final answer."""
    return f"Thought: I now know the final answer\nFinal Answer: {answer}"


def action(tool_name: str, **args: Any) -> str:
    """A reply CrewAI's ReAct parser reads as one tool call."""
    return f"Thought: I need a tool\nAction: {tool_name}\nAction Input: {json.dumps(args)}"


def run(max_tokens: int = 2000) -> DemoResult:
    """Run researcher → analyst → writer over the bundled samples; measure each handoff."""
    samples = load_samples()

    @tool("fetch")
    def fetch(name: str) -> str:
        """Fetch a source: transactions, research_note, ci_log or refunds_code."""
        return samples[name]

    def fetch_then_hand_over(*names: str) -> list[str]:
        # One task per source: call fetch, then answer with its output, as a model pasting it.
        return [
            reply for name in names for reply in (action("fetch", name=name), final(samples[name]))
        ]

    ctx = SharedContext()
    report = "Incident report: tx_100097 was declined (issuer timeout after 30 s); see CI."
    llms = {
        "researcher": ScriptedLLM(fetch_then_hand_over("transactions", "research_note")),
        "analyst": ScriptedLLM(fetch_then_hand_over("ci_log", "refunds_code")),
        "writer": ScriptedLLM([action(SEARCH_TOOL_NAME, query=ZOOM_QUERY), final(report)]),
    }
    agents = {
        role: Agent(
            role=role,
            goal="Hand the team what it needs",
            backstory="Scripted.",
            llm=llm,
            tools=[SharedContextSearchTool(ctx)] if role == "writer" else [fetch],
        )
        for role, llm in llms.items()
    }

    def task(name: str, role: str, description: str, context: list[Task]) -> Task:
        return Task(
            name=name,
            description=description,
            expected_output="the output",
            agent=agents[role],
            context=context,
        )

    # As in agent_baton.demo.run(): the analyst starts from the researcher's two outputs, the
    # writer from all four; the other tasks need no context.
    researched = [
        task("transactions", "researcher", "Fetch the transactions", []),
        task("research_note", "researcher", "Fetch the research note", []),
    ]
    analysed = [
        task("ci_log", "analyst", ANALYST_TASK, researched),
        task("refunds_code", "analyst", "Fetch the refunds code", []),
    ]
    tasks = [*researched, *analysed, task("report", "writer", WRITER_TASK, researched + analysed)]
    crew = Crew(agents=list(agents.values()), tasks=tasks, process=Process.sequential)
    baton = CrewBaton(ctx, max_tokens=max_tokens)
    baton.attach(crew).kickoff()

    run_ctx = baton.report().ctx  # the run's scope of ctx holds its outputs
    result = DemoResult("crewai", MODEL, stats=run_ctx.stats() if run_ctx else ctx.stats())
    labels = {"ci_log": "researcher → analyst", "report": "researcher + analyst → writer"}
    for handoff in baton.report().handoffs:
        label = labels[handoff.task]
        result.handoffs.append(Handoff(label, handoff.original_tokens, handoff.sent_tokens))
    # The writer's prompt after its tool call holds the search result: "[key @ location] …".
    observation = llms["writer"].prompts[-1].split("Observation:")[-1].strip()
    where, text = observation.split("\n", 1)
    where = where.rsplit(" from ", 1)[0]
    result.zoom = f"{SEARCH_TOOL_NAME}({ZOOM_QUERY!r}) → {where} {' '.join(text.split())[:250]}"
    return result
