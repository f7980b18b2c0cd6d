"""A CrewAI Flow whose research crew hands its result to a writer crew, offline.

The Flow runs twice, for two regions at once (two threads, one SharedContext): each run's
crews share that Flow run's scope, the writer receives the research compressed through
``baton.handoff`` and reads row 250 back with ``read_shared_context``, and neither run sees
the other's research. Prints the tokens of the research as CrewAI would hand it over
(``kickoff(inputs=...)`` interpolates it in full) and as handed over.

    python examples/crewai_flow.py
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

# Before crewai is imported: otherwise the run waits on telemetry and version checks.
os.environ.update(
    CREWAI_DISABLE_TELEMETRY="true",
    CREWAI_TRACING_ENABLED="false",
    CREWAI_DISABLE_VERSION_CHECK="true",
    OTEL_SDK_DISABLED="true",
)

from crewai import Agent, Crew, Task
from crewai.flow.flow import Flow, listen, start

from agent_baton import SharedContext
from agent_baton_crewai import CrewBaton
from agent_baton_crewai.demo import ScriptedLLM, action, final


def metrics(region: str) -> str:
    """300 rows of host metrics of one region: what the research crew returns."""
    rows = [{"row": i, "host": f"{region}-web-{i % 12}", "p95_ms": 80 + i % 17} for i in range(300)]
    return json.dumps(rows, indent=2)


class RegionReport(Flow[dict[str, Any]]):
    """Research crew, then writer crew; the research reaches the writer through inputs."""

    def __init__(self, baton: CrewBaton, region: str) -> None:
        super().__init__()
        self.baton = baton
        researcher = Agent(
            role="Researcher",
            goal="Fetch metrics",
            backstory="Scripted.",
            llm=ScriptedLLM([final(metrics(region))]),
        )
        self.writer_llm = ScriptedLLM(
            [
                action("read_shared_context", key="research", query="row 250"),
                final(f"{region}: latency is stable."),
            ]
        )
        writer = Agent(
            role="Writer",
            goal="Report",
            backstory="Scripted.",
            llm=self.writer_llm,
            tools=baton.tools(),
        )
        research = Task(
            name="research",
            description="Collect p95 latency of the {region} hosts",
            expected_output="JSON rows",
            agent=researcher,
        )
        report = Task(
            name="report",
            description="Report on the {region} hosts from this research: {research}",
            expected_output="one line",
            agent=writer,
        )
        self.research_crew = baton.attach(Crew(agents=[researcher], tasks=[research]))
        self.writer_crew = baton.attach(Crew(agents=[writer], tasks=[report]))

    @start()
    def research(self) -> Any:
        return self.research_crew.kickoff(inputs={"region": self.state["region"]})

    @listen(research)
    def write(self, research: Any) -> str:
        handed = self.baton.handoff(research, query="p95 latency")
        self.state["sizes"] = (
            self.baton.ctx.count_tokens(research.raw),
            self.baton.ctx.count_tokens(handed),
        )
        return self.writer_crew.kickoff(
            inputs={"region": self.state["region"], "research": handed}
        ).raw


def main() -> None:
    """Run the Flow for two regions at once and print what each writer received."""
    baton = CrewBaton(SharedContext(), max_tokens=1500)
    regions = ["eu", "us"]
    flows = [RegionReport(baton, region) for region in regions]
    with ThreadPoolExecutor(len(flows)) as pool:
        results = list(pool.map(lambda f, r: f.kickoff(inputs={"region": r}), flows, regions))

    print(f"{'flow run':10} {'research in full':>17} {'handed over':>12}  writer's answer")
    for flow, region, result in zip(flows, regions, results, strict=True):
        full, handed = flow.state["sizes"]
        print(f"{region:10} {full:>17,} {handed:>12,}  {result}")
        read_back = flow.writer_llm.prompts[-1].split("Observation:")[-1]
        other = next(r for r in regions if r != region)
        assert '"row": 250' in read_back or "\n250|" in read_back  # zoomed in on row 250
        assert f"{other}-web" not in "".join(flow.writer_llm.prompts)  # never the other run
    scopes = sorted({"/".join(run.scope) for run in baton.runs})
    print(f"\nscopes: {', '.join(scopes)} (each Flow run's crews share one)")


if __name__ == "__main__":
    main()
