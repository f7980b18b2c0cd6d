"""Benchmark: what a CrewAI writer receives from the tasks before it, with and without agent-baton.

Usage: python benchmarks/crewai_bench.py [--corpus DIR] [--budgets 2000,4000,8000] [--cases]

Runs real CrewAI crews on a scripted model (no network): a researcher task returns a corpus
case's content (../shared/corpus, its logs, prose and JSON cases), and a writer task whose
description is the case's task receives it as context. Per handoff kind, the table gives the
median tokens of the writer's context block and the planted facts (the case's needles) found
in it: CrewAI alone, and CrewBaton at each budget. "3 in 1" hands one log, one prose and one
JSON case to one writer at once (the budget is shared), as a crew with three researchers does.
Needs crewai and agent-baton-crewai: run it in the CrewAI test venv, e.g.
``.nox/tests-crewai/bin/python benchmarks/crewai_bench.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

for _name, _value in {
    "CREWAI_DISABLE_TELEMETRY": "true",
    "CREWAI_TRACING_ENABLED": "false",
    "CREWAI_DISABLE_VERSION_CHECK": "true",
    "OTEL_SDK_DISABLED": "true",
}.items():
    os.environ.setdefault(_name, _value)

from corpus_bench import COUNT, DEFAULT_CORPUS, Case, kept, load_cases  # noqa: E402
from crewai import Agent, Crew, Process, Task  # noqa: E402

from agent_baton import SharedContext  # noqa: E402
from agent_baton_crewai import CrewBaton  # noqa: E402
from agent_baton_crewai.demo import ScriptedLLM, final  # noqa: E402

KINDS = ("logs", "prose", "json")
LABELS = {"logs": "log", "prose": "report", "json": "JSON"}
CONTEXT_MARKER = "This is the context you're working with:"


@dataclass
class Cell:
    """One configuration on one group of handoffs."""

    tokens: list[int] = field(default_factory=list)
    found: int = 0
    needles: int = 0

    def add(self, tokens: int, found: int, needles: int) -> None:
        self.tokens.append(tokens)
        self.found += found
        self.needles += needles

    def __str__(self) -> str:
        median = statistics.median(self.tokens) if self.tokens else 0
        return f"{median:>8,.0f} {self.found:>3}/{self.needles:<3}"


def writer_context(cases: list[Case], budget: int | None) -> str:
    """The context block the writer's model receives after researchers returned ``cases``."""
    researchers = [
        Agent(
            role=f"Researcher {i}",
            goal="Fetch the material",
            backstory="Scripted.",
            llm=ScriptedLLM([final(case.text)]),
        )
        for i, case in enumerate(cases)
    ]
    writer_llm = ScriptedLLM([final("Done.")])
    writer = Agent(role="Writer", goal="Answer", backstory="Scripted.", llm=writer_llm)
    tasks = [
        Task(name=case.id, description="Fetch the material", expected_output="it", agent=agent)
        for case, agent in zip(cases, researchers, strict=True)
    ]
    task = " ".join(case.task for case in cases)
    tasks.append(Task(name="write", description=task, expected_output="answer", agent=writer))
    crew = Crew(agents=[*researchers, writer], tasks=tasks, process=Process.sequential)
    if budget is not None:
        CrewBaton(SharedContext(model="gpt-4"), max_tokens=budget).attach(crew)
    crew.kickoff()
    prompt = writer_llm.prompts[0]
    return prompt.split(CONTEXT_MARKER, 1)[1] if CONTEXT_MARKER in prompt else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--budgets", default="2000,4000,8000")
    parser.add_argument("--cases", action="store_true", help="print one line per case")
    args = parser.parse_args()
    budgets: list[int | None] = [None, *(int(b) for b in args.budgets.split(","))]
    cases: dict[str, list[Case]] = {kind: [] for kind in KINDS}
    for root in (args.corpus, args.corpus / "more"):
        for case in load_cases(root, set(KINDS)):
            cases[case.kind].append(case)
    if not any(cases.values()):
        print(f"no corpus cases under {args.corpus}", file=sys.stderr)
        return 1
    groups = {LABELS[kind]: [[case] for case in found] for kind, found in cases.items()}
    groups["3 in 1"] = [list(trio) for trio in zip(*cases.values(), strict=False)]

    names = ["CrewAI alone", *(f"baton {b:,}" for b in budgets if b is not None)]
    print(f"{'handoff':<10} {'n':>3}  " + "  ".join(f"{n:>16}" for n in names))
    print(f"{'':<10} {'':>3}  " + "  ".join(f"{'tokens  facts':>16}" for _ in names))
    for label, handoffs in groups.items():
        cells = [Cell() for _ in budgets]
        for sources in handoffs:
            needles = [n for case in sources for n in case.free_needles + case.task_needles]
            line = []
            for cell, budget in zip(cells, budgets, strict=True):
                received = writer_context(sources, budget)
                found = kept(needles, received)
                cell.add(COUNT(received), found, len(needles))
                line.append(f"{COUNT(received):>7,} {found}/{len(needles)}")
            if args.cases:
                print(f"  {'+'.join(c.id for c in sources)}: " + " | ".join(line))
        row = "  ".join(f"{cell!s:>16}" for cell in cells)
        print(f"{label:<10} {len(handoffs):>3}  {row}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
