"""Three LangChain agents hand work over through a SharedContext, with no API key.

A researcher pulls monitoring rows, an analyst reads the CI log, a writer turns both into an
incident report. Each agent is a real ``langchain.agents.create_agent`` agent with
``SharedContextMiddleware``: its final answer goes into the context, and the next agent's
model gets the others' answers compressed in its system message instead of in full. Oversized
tool results are compressed for the model too; the writer zooms into the originals with
``search_shared_context`` (``read_shared_context(key, full=True)`` returns a whole original).

Without OPENAI_API_KEY the agents run on LangChain's own fake chat model with a scripted
conversation. With OPENAI_API_KEY set and ``langchain-openai`` installed they use
``ChatOpenAI`` (model from OPENAI_MODEL, default gpt-4o-mini).

Run: pip install -e ./core -e "./integrations/langchain[agent]"
     python examples/langchain_handoff.py
"""

from __future__ import annotations

import importlib.util
import json
import os

from langchain.agents import create_agent
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool

from agent_baton import SharedContext
from agent_baton_langchain import CONTEXT_TOOL_NAMES, SharedContextMiddleware
from agent_baton_langchain.demo import ScriptedChatModel, tool_call

TASK = "Write an incident report on last night's upstream timeouts and the failing CI test."


def metrics() -> str:
    """300 monitoring rows as pretty-printed JSON, three of them errors."""
    rows = [
        {
            "id": i,
            "service": f"svc-{i % 12}",
            "region": ("eu-west-1", "us-east-1", "ap-south-1")[i % 3],
            "latency_ms": 80 + (i * 7) % 45,
            "status": "error" if i % 97 == 13 else "ok",
            "message": "upstream timeout after 30s" if i % 97 == 13 else "healthy",
        }
        for i in range(300)
    ]
    return json.dumps(rows, indent=2)


def ci_log() -> str:
    """A build log: 600 routine lines and one failing test with its traceback."""
    lines = [
        f"2026-11-23 10:{i // 60:02d}:{i % 60:02d} INFO worker-{i % 4} compiled module_{i}.py"
        for i in range(600)
    ]
    lines[420:420] = [
        "2026-11-23 10:07:00 ERROR test_gateway.py::test_retry_budget FAILED",
        "Traceback (most recent call last):",
        '  File "tests/test_gateway.py", line 41, in test_retry_budget',
        "    assert client.timeout_s <= 10",
        "AssertionError: 30 > 10",
    ]
    return "\n".join(lines)


@tool
def fetch_metrics(region: str) -> str:
    """Fetch last night's monitoring rows of a region ("all" for every region)."""
    return metrics()


@tool
def fetch_ci_log(job: str) -> str:
    """Fetch the log of a CI job."""
    return ci_log()


def fake_models() -> dict[str, BaseChatModel]:
    """Scripted conversations: what a capable model would do here."""
    research = "Findings: 3 upstream timeouts (rows 13, 110, 207). Raw rows:\n" + metrics()
    analysis = (
        "CI: test_gateway.py::test_retry_budget fails because the client timeout is 30 s "
        "(budget 10 s), the same 30 s seen in the upstream timeouts. Log around the failure:\n"
        + "\n".join(ci_log().splitlines()[380:460])
    )
    report = (
        "Incident report: three upstream timeouts after 30 s (svc-1, svc-2, svc-3); the gateway "
        "client timeout is 30 s against a 10 s budget, which the failing CI test also shows. "
        "Action: lower the client timeout to 10 s."
    )
    return {
        "researcher": ScriptedChatModel(
            messages=iter([tool_call("fetch_metrics", {"region": "all"}, "m1"), research])
        ),
        "analyst": ScriptedChatModel(
            messages=iter([tool_call("fetch_ci_log", {"job": "nightly"}, "l1"), analysis])
        ),
        "writer": ScriptedChatModel(
            messages=iter(
                [
                    tool_call("search_shared_context", {"query": "upstream timeout"}, "z1"),
                    report,
                ]
            )
        ),
    }


def real_models() -> dict[str, BaseChatModel] | None:
    """ChatOpenAI for every agent when a key and langchain-openai are there, else None."""
    if not os.environ.get("OPENAI_API_KEY") or importlib.util.find_spec("langchain_openai") is None:
        return None
    from langchain_openai import ChatOpenAI

    model = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")
    return {name: ChatOpenAI(model=model) for name in ("researcher", "analyst", "writer")}


def main() -> None:
    models = real_models()
    print("model:", "ChatOpenAI" if models else "LangChain GenericFakeChatModel (scripted)")
    models = models or fake_models()
    ctx = SharedContext()

    steps = [
        ("researcher", [fetch_metrics], "Collect last night's monitoring rows of all regions."),
        ("analyst", [fetch_ci_log], "Find why the nightly CI job failed."),
        ("writer", [], TASK),
    ]
    print(f"\n{'handoff':<34}{'without agent-baton':>21}{'with agent-baton':>18}{'saved':>8}")
    for name, tools, prompt in steps:
        middleware = SharedContextMiddleware(ctx, max_tokens=1500)  # named after the agent
        agent = create_agent(
            models[name],
            tools=tools,
            middleware=[middleware],
            system_prompt=f"You are the {name} of an incident team. Be concise.",
            name=name,
        )
        result = agent.invoke({"messages": [HumanMessage(prompt)]})
        zooms = [m for m in result["messages"] if m.type == "tool" and m.name in CONTEXT_TOOL_NAMES]
        injection = middleware.last_injection
        if injection is not None:
            label = f"{' + '.join(injection.keys)} -> {name}"
            print(
                f"{label:<34}{injection.original_tokens:>14,} tokens"
                f"{injection.injected_tokens:>11,} tokens{injection.savings_percent:>7}%"
            )
        for zoom in zooms:
            print(f"  {name} zoomed in with {zoom.name}: {ctx.count_tokens(zoom.text):,} tokens")

    print("\nwhat the context holds (each kept in full; the model saw the compressed form):")
    for entry in ctx.entries():
        print(
            f"  {entry.key:<22} from {entry.agent:<10} {entry.original_tokens:>7,} -> "
            f"{entry.compressed_tokens:>6,} tokens ({entry.savings_percent}% saved)"
        )
    stats = ctx.stats()
    print(
        f"\nstats: {stats.entries} entries, {stats.total_original_tokens:,} -> "
        f"{stats.total_compressed_tokens:,} tokens ({stats.savings_percent}% saved)"
    )
    print("\nwriter's report:\n ", ctx.get("writer", full=True))


if __name__ == "__main__":
    main()
