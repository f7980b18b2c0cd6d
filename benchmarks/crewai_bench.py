"""Benchmark: what a CrewAI writer receives from the tasks before it, with and without agent-baton.

Usage: python benchmarks/crewai_bench.py [--corpus DIR] [--budgets 2000,4000,8000] [--cases]
       [--side-by-side]

Runs real CrewAI crews on a scripted model (no network): a researcher task returns a corpus
case's content (../shared/corpus, its logs, prose and JSON cases), and a writer task whose
description is the case's task receives it as context. Per handoff kind, the table gives the
median tokens of the writer's context block and the planted facts (the case's needles) found
in it: CrewAI alone, and CrewBaton at each budget. "3 in 1" hands one log, one prose and one
JSON case to one writer at once (the budget is shared), as a crew with three researchers does.

``--side-by-side`` runs a crew of three researchers (one log, one report, one JSON case),
an analyst and a writer, and prints the tokens sent to each later agent's model (every call,
CrewAI's summarising calls included) and the planted facts found in the prompt it answered:
CrewAI alone with a large window and with a 32k one (``respect_context_window``, CrewAI's
default, summarises when the model refuses a prompt as too long), and agent-baton. Then the
zoom: a writer fetching one case with a plain tool under CrewAI's ``use_better_compaction``
(native tool calls, 32k window), and with ``read_shared_context`` / ``search_shared_context``.
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

import json  # noqa: E402
from typing import Any  # noqa: E402

from corpus_bench import COUNT, DEFAULT_CORPUS, Case, kept, load_cases  # noqa: E402
from crewai import Agent, BaseLLM, Crew, Process, Task  # noqa: E402
from crewai.tools import tool  # noqa: E402
from pydantic import PrivateAttr  # noqa: E402

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


class WindowLLM(BaseLLM):
    """A scripted model with a context window, refusing longer prompts as a provider does.

    Replies in order; a call whose prompt (counted as CrewAI does, 4 characters a token) is
    over the window raises the provider's "maximum context length" error, and CrewAI's
    summarising calls get a short summary. Every call's prompt is kept.
    """

    _replies: list[Any] = PrivateAttr(default_factory=list)
    _window: int = PrivateAttr(default=1_000_000)
    _native: bool = PrivateAttr(default=False)
    _calls: list[list[dict[str, Any]]] = PrivateAttr(default_factory=list)

    def __init__(self, replies: list[Any], window: int, native: bool = False) -> None:
        super().__init__(model="scripted")
        self._replies, self._window, self._native = list(replies), window, native

    @property
    def calls(self) -> list[list[dict[str, Any]]]:
        """The messages of every call, in order."""
        return self._calls

    def call(self, messages: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(messages, str):
            messages = [{"role": "user", "content": messages}]
        self.calls.append([dict(m) for m in messages])
        if self.get_input_tokens_count(messages) > self._window:
            raise RuntimeError(f"This model's maximum context length is {self._window} tokens")
        if "structured summar" in str(messages[0].get("content", "")):
            return "Summary: the agents fetched material; details were summarised."
        return self._replies.pop(0)

    async def acall(self, messages: Any, *args: Any, **kwargs: Any) -> Any:
        return self.call(messages, *args, **kwargs)  # CrewAI summarises chunks with acall

    def supports_function_calling(self) -> bool:
        return self._native

    def get_context_window_size(self) -> int:
        return self._window

    def get_input_tokens_count(self, messages: Any, *args: Any, **kwargs: Any) -> int:
        return len(messages if isinstance(messages, str) else str(messages)) // 4

    def answered(self) -> str:
        """The prompt of the last call (the one the model answered)."""
        return "\n".join(str(m.get("content", "")) for m in self.calls[-1])

    def tokens_sent(self) -> int:
        """Tokens of every prompt sent, refused ones and summarising calls included."""
        return sum(COUNT("\n".join(str(m.get("content", "")) for m in c)) for c in self.calls)


def crew_run(trio: list[Case], window: int, baton: bool) -> dict[str, tuple[int, ...]]:
    """Researchers, analyst, writer: per later agent, (tokens sent, calls, facts found, 1
    if the model refused a prompt as too long, so that CrewAI summarised, else 0)."""
    researchers = [
        Agent(role=f"Researcher {i}", goal="Fetch", backstory="-", llm=ScriptedLLM([final(c.text)]))
        for i, c in enumerate(trio)
    ]
    llms = {
        "analyst": WindowLLM([final("Analysis: see the material.")], window),
        "writer": WindowLLM([final("Report.")], window),
    }
    agents = {
        role: Agent(role=role.title(), goal="Answer", backstory="-", llm=llm)
        for role, llm in llms.items()
    }
    task = " ".join(case.task for case in trio)
    tasks = [
        Task(name=c.id, description="Fetch the material", expected_output="it", agent=a)
        for c, a in zip(trio, researchers, strict=True)
    ]
    tasks += [
        Task(name=role, description=task, expected_output="text", agent=agents[role])
        for role in llms
    ]
    crew = Crew(agents=[*researchers, *agents.values()], tasks=tasks, process=Process.sequential)
    if baton:
        CrewBaton(SharedContext(model="gpt-4")).attach(crew)
    crew.kickoff()
    needles = [n for case in trio for n in case.free_needles + case.task_needles]
    return {
        role: (
            llm.tokens_sent(),
            len(llm.calls),
            kept(needles, llm.answered()),
            int(any(llm.get_input_tokens_count(c) > window for c in llm.calls)),
        )
        for role, llm in llms.items()
    }


def zoom_run(case: Case, how: str) -> tuple[int, int]:
    """Tokens and facts of the tool result a writer gets when it fetches ``case`` with a tool."""

    @tool("fetch_material")
    def fetch_material() -> str:
        """Return the material the researcher collected."""
        return case.text

    ctx = SharedContext(model="gpt-4")
    baton = CrewBaton(ctx)
    calls = {
        "plain tool": ("fetch_material", {}),
        "read_shared_context": ("read_shared_context", {"key": case.id, "query": case.task}),
        "search_shared_context": ("search_shared_context", {"query": case.task}),
    }
    name, arguments = calls[how]
    reply = [{"id": "c1", "function": {"name": name, "arguments": json.dumps(arguments)}}]
    writer_llm = WindowLLM([reply, "Report."], 32_000, native=True)
    researcher = Agent(
        role="Researcher", goal="Fetch", backstory="-", llm=ScriptedLLM([final(case.text)])
    )
    tools = [fetch_material] if how == "plain tool" else baton.tools()
    writer = Agent(role="Writer", goal="Answer", backstory="-", llm=writer_llm, tools=tools)
    crew = Crew(
        agents=[researcher, writer],
        tasks=[
            Task(name=case.id, description="Fetch", expected_output="it", agent=researcher),
            Task(description=case.task, expected_output="text", agent=writer, context=[]),
        ],
    )
    baton.attach(crew)
    crew.kickoff()
    results = [m["content"] for m in writer_llm.calls[-1] if m.get("role") == "tool"]
    result = str(results[-1]) if results else ""
    return COUNT(result), kept(case.free_needles + case.task_needles, result)


def side_by_side(cases: dict[str, list[Case]]) -> None:
    trios = [list(trio) for trio in zip(*cases.values(), strict=False)]
    configs = {
        "CrewAI alone, 1M window": (1_000_000, False),
        "CrewAI alone, 32k window": (32_000, False),
        "agent-baton, 1M window": (1_000_000, True),
        "agent-baton, 32k window": (32_000, True),
    }
    needles = sum(len(c.free_needles + c.task_needles) for trio in trios for c in trio)
    print(f"\n{len(trios)} crews: 3 researchers (log, report, JSON) -> analyst -> writer")
    print("(calls: every model call of that agent, refused and summarising ones included)")
    print(f"{'':<26}{'analyst':>37}{'writer':>37}")
    print(f"{'':<26}" + f"{'tokens sent calls   facts summarised':>37}" * 2)
    for label, (window, baton) in configs.items():
        totals = {role: [0, 0, 0, 0] for role in ("analyst", "writer")}
        for trio in trios:
            for role, figures in crew_run(trio, window, baton).items():
                totals[role] = [a + b for a, b in zip(totals[role], figures, strict=True)]
        cells = "".join(
            f"{t[0]:>13,} {t[1]:>5} {t[2]:>5}/{needles:<4} {t[3]:>10}" for t in totals.values()
        )
        print(f"{label:<26}{cells}")
    singles = [case for found in cases.values() for case in found]
    needles = sum(len(c.free_needles + c.task_needles) for c in singles)
    print(f"\nzoom: a writer fetches one case with a tool ({len(singles)} cases, 32k window,")
    print("native tool calls, CrewAI's use_better_compaction on)")
    print(f"{'tool':<26}{'tokens of the results':>24}{'facts':>12}")
    for how in ("plain tool", "read_shared_context", "search_shared_context"):
        tokens = found = 0
        for case in singles:
            t, f = zoom_run(case, how)
            tokens, found = tokens + t, found + f
        print(f"{how:<26}{tokens:>24,}{found:>7}/{needles}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--budgets", default="2000,4000,8000")
    parser.add_argument("--cases", action="store_true", help="print one line per case")
    parser.add_argument("--side-by-side", action="store_true", help="the crew and zoom tables")
    args = parser.parse_args()
    budgets: list[int | None] = [None, *(int(b) for b in args.budgets.split(","))]
    cases: dict[str, list[Case]] = {kind: [] for kind in KINDS}
    for root in (args.corpus, args.corpus / "more"):
        for case in load_cases(root, set(KINDS)):
            cases[case.kind].append(case)
    if not any(cases.values()):
        print(f"no corpus cases under {args.corpus}", file=sys.stderr)
        return 1
    if args.side_by_side:
        side_by_side(cases)
        return 0
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
