"""The agent-baton demo on LangChain: three ``create_agent`` agents on a scripted fake model.

The researcher fetches the transactions and the research note and hands them over, the
analyst adds the CI log and the code, the writer zooms into the transactions with
``search_shared_context``. Each agent has its own :class:`SharedContextMiddleware`; the
figures come from the middleware's :class:`Injection` record of what each model received.
Importing this module imports LangChain (``langchain``, the ``agent`` extra).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.tools import tool

from agent_baton import SharedContext
from agent_baton.demo import ANALYST_TASK, WRITER_TASK, DemoResult, Handoff, load_samples
from agent_baton_langchain.middleware import SharedContextMiddleware
from agent_baton_langchain.tools import SEARCH_TOOL_NAME

MODEL = "LangChain GenericFakeChatModel (scripted)"
ZOOM_QUERY = "declined issuer_unavailable"


class ScriptedChatModel(GenericFakeChatModel):
    """LangChain's fake chat model; create_agent binds tools, the script makes the calls."""

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:
        """Keep the model as it is: the script, not the tools, decides the calls."""
        return self


def tool_call(name: str, args: dict[str, Any], call_id: str) -> AIMessage:
    """An AI message that calls one tool."""
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id}])


def run(max_tokens: int = 2000) -> DemoResult:
    """Run researcher → analyst → writer over the bundled samples; measure each handoff."""
    samples = load_samples()

    @tool
    def fetch(name: str) -> str:
        """Fetch a source: transactions, research_note, ci_log or refunds_code."""
        return samples[name]

    def fetches_then_hands_over(*names: str) -> ScriptedChatModel:
        # Calls fetch for each source, then answers with the outputs, as a model pasting them.
        calls = [tool_call("fetch", {"name": name}, f"fetch-{name}") for name in names]
        answer = "\n\n".join(f"## {name}\n\n{samples[name]}" for name in names)
        return ScriptedChatModel(messages=iter([*calls, answer]))

    zoom = tool_call(SEARCH_TOOL_NAME, {"query": ZOOM_QUERY}, "zoom")
    report = "Incident report: tx_100097 was declined (issuer timeout after 30 s); see CI."
    steps = [
        ("researcher", fetches_then_hands_over("transactions", "research_note"), "Collect."),
        ("analyst", fetches_then_hands_over("ci_log", "refunds_code"), ANALYST_TASK),
        ("writer", ScriptedChatModel(messages=iter([zoom, report])), WRITER_TASK),
    ]

    ctx = SharedContext()
    result = DemoResult("langchain", MODEL)
    for name, model, task in steps:
        middleware = SharedContextMiddleware(ctx, agent_name=name, max_tokens=max_tokens)
        agent = create_agent(model, tools=[fetch], middleware=[middleware])
        state = agent.invoke({"messages": [HumanMessage(task)]})
        injection = middleware.last_injection
        if injection is not None:
            label = f"{' + '.join(injection.keys)} → {name}"
            result.handoffs.append(
                Handoff(label, injection.original_tokens, injection.injected_tokens)
            )
        for message in state["messages"]:
            if message.type == "tool" and message.name == SEARCH_TOOL_NAME:
                where, text = message.text.split("\n", 1)  # the best hit: "[key @ location] …"
                where = where.rsplit(" from ", 1)[0]
                result.zoom = (
                    f"{SEARCH_TOOL_NAME}({ZOOM_QUERY!r}) → {where} {' '.join(text.split())[:250]}"
                )
    result.stats = ctx.stats()
    return result
