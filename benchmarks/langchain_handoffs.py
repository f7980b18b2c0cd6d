"""What the later agents of a LangGraph pipeline receive: agent-baton beside LangChain's options.

A researcher, an analyst and a writer are ``create_agent`` agents and the nodes of one
``StateGraph(MessagesState)``, the usual way to chain agents in LangGraph: each node gets
the messages of the nodes before it. The researcher fetches a 240-transaction API result
and a research note, the analyst a CI log and the code under test (agent-baton's bundled
samples); each pastes what it found into its answer, as models do. The writer must report
six planted facts.

Each variant runs the same scripted fake models (no API key, no network) and measures the
first prompt of the analyst's and the writer's models: tokens (tiktoken cl100k) and how many
of the six facts are in it.

- ``full``: LangGraph as it is: every message reaches the next agents.
- ``trim_messages``: LangChain's ``trim_messages`` in a ``@wrap_model_call`` middleware,
  keeping the latest messages that fit the budget.
- ``ContextEditingMiddleware``: clears old tool results above the budget.
- ``SummarizationMiddleware``: summarizes old messages above the budget. Its summary is
  written by a model; with a fake one its facts cannot be measured (``-``).
- ``agent-baton``: ``SharedContextMiddleware`` on each agent (injection budget as given).

Run: python benchmarks/langchain_handoffs.py [--budget TOKENS]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import (
    AgentMiddleware,
    ClearToolUsesEdit,
    ContextEditingMiddleware,
    ModelRequest,
    ModelResponse,
    SummarizationMiddleware,
    wrap_model_call,
)
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import BaseMessage, HumanMessage, trim_messages
from langchain_core.outputs import ChatResult
from langchain_core.tools import tool
from langgraph.graph import END, START, MessagesState, StateGraph
from pydantic import Field

from agent_baton import SharedContext
from agent_baton.demo import load_samples
from agent_baton.tokens import get_token_counter
from agent_baton_langchain import SharedContextMiddleware
from agent_baton_langchain.demo import ScriptedChatModel, tool_call

FACTS = {
    "declined transaction": "tx_100097",
    "decline reason": "issuer_unavailable",
    "outlier order": "tx_100181",
    "failing test": "test_partial_refund_rounding",
    "assertion": "Decimal('12.50') == Decimal('12.05')",
    "nightly job": "nightly-build #812",
}
count = get_token_counter("gpt-4o")


class RecordingModel(ScriptedChatModel):
    """The demo's scripted fake model, recording each prompt it gets."""

    received: list[list[BaseMessage]] = Field(default_factory=list)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.received.append(list(messages))
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


def prompt_text(prompt: Sequence[BaseMessage]) -> str:
    return "\n".join(message.text for message in prompt)


def trimming(budget: int) -> AgentMiddleware:
    @wrap_model_call
    def trim(
        request: ModelRequest, handler: Callable[[ModelRequest], ModelResponse[Any]]
    ) -> ModelResponse[Any]:
        kept = trim_messages(
            request.messages,
            max_tokens=budget,
            strategy="last",
            token_counter=lambda messages: count(prompt_text(messages)),
            allow_partial=True,
        )
        return handler(request.override(messages=kept))

    return trim


def variants(budget: int) -> dict[str, Callable[[SharedContext], list[AgentMiddleware]]]:
    summary = "Summary: the researcher and the analyst collected data on last night's incident."
    return {
        "full": lambda ctx: [],
        "trim_messages": lambda ctx: [trimming(budget)],
        "ContextEditingMiddleware": lambda ctx: [
            ContextEditingMiddleware(edits=[ClearToolUsesEdit(trigger=budget, keep=1)])
        ],
        "SummarizationMiddleware": lambda ctx: [
            SummarizationMiddleware(
                RecordingModel(messages=iter([summary] * 10)),
                trigger=("tokens", budget),
                keep=("messages", 2),
            )
        ],
        "agent-baton": lambda ctx: [SharedContextMiddleware(ctx, max_tokens=budget)],
    }


def run(middleware: Callable[[SharedContext], list[AgentMiddleware]]) -> dict[str, str]:
    """Run the pipeline once; the first prompt of the analyst's and the writer's models."""
    samples = load_samples()

    @tool
    def fetch(name: str) -> str:
        """Fetch a source: transactions, research_note, ci_log or refunds_code."""
        return samples[name]

    def pastes(*names: str) -> RecordingModel:
        calls = [tool_call("fetch", {"name": name}, f"fetch-{name}") for name in names]
        answer = "\n\n".join(f"## {name}\n\n{samples[name]}" for name in names)
        return RecordingModel(messages=iter([*calls, answer]))

    ctx = SharedContext(ttl=None)
    models = {
        "researcher": pastes("transactions", "research_note"),
        "analyst": pastes("ci_log", "refunds_code"),
        "writer": RecordingModel(messages=iter(["Incident report."])),
    }
    graph = StateGraph(MessagesState)
    for name, model in models.items():
        agent = create_agent(
            model,
            tools=[fetch],
            middleware=middleware(ctx),
            name=name,
            system_prompt=f"You are the {name} of an incident team.",
        )
        graph.add_node(name, agent)
    graph.add_edge(START, "researcher").add_edge("researcher", "analyst")
    graph.add_edge("analyst", "writer").add_edge("writer", END)
    task = "Find why last night's settlement declined a transaction and why CI failed; report."
    graph.compile().invoke({"messages": [HumanMessage(task)]})
    return {name: prompt_text(models[name].received[0]) for name in ("analyst", "writer")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--budget", type=int, default=4000, help="token budget of each option")
    budget = parser.parse_args().budget
    print(f"researcher -> analyst -> writer as StateGraph nodes; budget {budget:,} tokens")
    print(f"{'':26}{'analyst gets':>14}{'writer gets':>13}{'facts (of 6)':>14}")
    for label, middleware in variants(budget).items():
        prompts = run(middleware)
        found = sum(fact in prompts["writer"] for fact in FACTS.values())
        facts = "-" if label == "SummarizationMiddleware" else str(found)
        print(
            f"{label:<26}{count(prompts['analyst']):>14,}{count(prompts['writer']):>13,}{facts:>14}"
        )


if __name__ == "__main__":
    main()
