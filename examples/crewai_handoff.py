"""A CrewAI crew handing work over through agent-baton, offline: no API key needed.

A researcher returns 300 rows of host metrics, an operator returns an incident log, and a
writer reports on both. The same crew runs twice with scripted models, without and with
``CrewBaton``; the table shows, per handoff, the context tokens each task received.

    python examples/crewai_handoff.py
"""

from __future__ import annotations

import json
import os

# Before crewai is imported: otherwise the run waits on telemetry and version checks.
os.environ.update(
    CREWAI_DISABLE_TELEMETRY="true",
    CREWAI_TRACING_ENABLED="false",
    CREWAI_DISABLE_VERSION_CHECK="true",
    OTEL_SDK_DISABLED="true",
)

from crewai import Agent, Crew, Process, Task

from agent_baton import SharedContext
from agent_baton_crewai import CrewBaton
from agent_baton_crewai.demo import ScriptedLLM, final

METRICS = json.dumps(
    [
        {"host": f"web-{i % 12}", "region": ["eu", "us", "ap"][i % 3], "p95_ms": 80 + i % 17}
        for i in range(300)
    ],
    indent=2,
)
INCIDENTS = "\n".join(
    f"2026-11-02T10:{i % 60:02d}:00Z WARN web-{i % 12} p95 above 90 ms, retrying"
    for i in range(240)
)
REPORT = "Latency is stable; web-4 and web-9 need a look (p95 above 90 ms)."


def build_crew() -> tuple[Crew, dict[str, ScriptedLLM]]:
    """Three agents, three sequential tasks; each task gets the earlier outputs as context."""
    llms = {
        "research": ScriptedLLM([final(METRICS)]),
        "incidents": ScriptedLLM([final(INCIDENTS)]),
        "report": ScriptedLLM([final(REPORT)]),
    }
    roles = {"research": "Researcher", "incidents": "Operator", "report": "Writer"}
    agents = {
        key: Agent(role=roles[key], goal=f"Produce the {key}", backstory="Scripted.", llm=llm)
        for key, llm in llms.items()
    }
    tasks = [
        Task(
            name="research",
            description="Collect p95 latency of every host",
            expected_output="JSON rows",
            agent=agents["research"],
        ),
        Task(
            name="incidents",
            description="List the latency incidents of the hosts",
            expected_output="log lines",
            agent=agents["incidents"],
        ),
        Task(
            name="report",
            description="Report which hosts need attention",
            expected_output="one paragraph",
            agent=agents["report"],
        ),
    ]
    return Crew(agents=list(agents.values()), tasks=tasks, process=Process.sequential), llms


def context_tokens(ctx: SharedContext, prompt: str) -> int:
    """Tokens of the context block CrewAI put into a task's prompt."""
    marker = "This is the context you're working with:"
    return ctx.count_tokens(prompt.split(marker, 1)[1]) if marker in prompt else 0


def main() -> None:
    """Run the crew without and with agent-baton and print tokens per handoff."""
    ctx = SharedContext()

    plain_crew, plain_llms = build_crew()
    plain = plain_crew.kickoff()

    crew, llms = build_crew()
    baton = CrewBaton(ctx, max_tokens=600)
    baton.attach(crew)
    result = crew.kickoff()

    print(f"{'handoff':32} {'without':>9} {'with':>7} {'saved':>7}")
    for handoff in baton.report().handoffs:
        without = context_tokens(ctx, plain_llms[handoff.task].prompts[0])
        sent = context_tokens(ctx, llms[handoff.task].prompts[0])
        route = f"{' + '.join(handoff.sources)} -> {handoff.task}"
        print(f"{route:32} {without:>9,} {sent:>7,} {100 * (without - sent) / without:>6.1f}%")
    report = baton.report()
    print(
        f"{'total (report())':32} {report.original_tokens:>9,} {report.sent_tokens:>7,} "
        f"{report.savings_percent:>6.1f}%"
    )

    assert result.raw == plain.raw == REPORT
    assert result.tasks_output[0].raw == METRICS  # users still read the full outputs
    run_ctx = report.ctx  # the run's own scope of ctx: its outputs, in full
    assert run_ctx is not None and run_ctx.get("research", full=True) == METRICS
    print(f"\nfinal result (same with and without): {result.raw}")
    full = run_ctx.get("research", full=True) or ""
    print(f"full research output in the run's scope {run_ctx.scope_path}: {len(full):,} chars")


if __name__ == "__main__":
    main()
