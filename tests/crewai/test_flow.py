"""Flows: the crews of one Flow run share its scope; a crew result reaches the next compressed."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from crewai import Agent, Crew, Task
from crewai.flow.flow import Flow, listen, start

from agent_baton_crewai import CrewBaton
from agent_baton_crewai.demo import action, final

CODE = re.compile(r"\b(R\d+)-CODE-\d+")


def research_of(region: str) -> str:
    rows = [{"id": i, "code": f"{region.upper()}-CODE-{i}", "ms": 100 + i % 13} for i in range(300)]
    return json.dumps(rows, indent=2)


def researcher(prompt: str) -> str:
    return final(research_of(re.search(r"data of region (r\d+)", prompt).group(1)))


def writer(prompt: str) -> str:
    region = re.search(r"report on region (r\d+)", prompt).group(1)
    if "Action: read_shared_context" in prompt:
        return final(f"Report on {region}.")
    return action("read_shared_context", key="research", query=f"{region.upper()}-CODE-250")


class ReportFlow(Flow[dict[str, Any]]):
    """Research crew, then writer crew; the research reaches the writer through inputs."""

    def __init__(self, baton: CrewBaton, rule_llm: type, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.baton = baton
        self.writer_llm = rule_llm(writer)
        agent = Agent(role="Researcher", goal="Fetch", backstory="-", llm=rule_llm(researcher))
        self.research_crew = baton.attach(
            Crew(
                agents=[agent],
                tasks=[
                    Task(
                        name="research",
                        description="Collect the data of region {region}",
                        expected_output="JSON",
                        agent=agent,
                    )
                ],
            )
        )
        author = Agent(
            role="Writer", goal="Write", backstory="-", llm=self.writer_llm, tools=baton.tools()
        )
        self.writer_crew = baton.attach(
            Crew(
                agents=[author],
                tasks=[
                    Task(
                        name="report",
                        description="Write the report on region {region} from: {research}",
                        expected_output="text",
                        agent=author,
                    )
                ],
            )
        )

    @start()
    def research(self) -> Any:
        return self.research_crew.kickoff(inputs={"region": self.state["region"]})

    @listen(research)
    def write(self, research: Any) -> str:
        handed = self.baton.handoff(research, query=f"region {self.state['region']}")
        inputs = {"region": self.state["region"], "research": handed}
        return self.writer_crew.kickoff(inputs=inputs).raw


def test_flow_handoff_is_compressed_and_the_writer_reads_the_flows_scope(ctx, rule_llm, big):
    baton = CrewBaton(ctx, max_tokens=1000)
    flow = ReportFlow(baton, rule_llm)

    assert flow.kickoff(inputs={"region": "r1"}) == "Report on r1."

    first_prompt = flow.writer_llm.prompts[0]
    research = research_of("r1")
    assert research not in first_prompt and '"id": 250' not in first_prompt
    assert ctx.count_tokens(first_prompt) < ctx.count_tokens(research) / 3
    assert 'read_shared_context(key="research", full=true)' in first_prompt  # tool, not get()
    assert "R1-CODE-250" in flow.writer_llm.prompts[1]  # the tool read the research
    # Both crews ran in the Flow run's scope.
    research_run, writer_run = baton.runs
    assert research_run.scope == writer_run.scope == (f"flow-{flow.flow_id}",)
    assert research_run.ctx.keys() == ["research", "report"]


def test_eight_flows_at_once_stay_apart(ctx, rule_llm):
    baton = CrewBaton(ctx, max_tokens=1000)
    flows = [ReportFlow(baton, rule_llm) for _ in range(8)]
    regions = [f"r{i}" for i in range(8)]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda f, r: f.kickoff(inputs={"region": r}), flows, regions))

    assert results == [f"Report on {r}." for r in regions]
    for flow, region in zip(flows, regions, strict=True):
        for prompt in flow.writer_llm.prompts:
            assert set(CODE.findall(prompt)) <= {region.upper()}
        assert f"{region.upper()}-CODE-250" in flow.writer_llm.prompts[1]
    assert len({run.scope for run in baton.runs}) == 8


def test_handoff_takes_an_attached_crews_result(ctx, rule_llm):
    baton = CrewBaton(ctx)
    with pytest.raises(ValueError, match="what kickoff"):
        baton.handoff("some text")
    flow = ReportFlow(baton, rule_llm)
    result = flow.research_crew.kickoff(inputs={"region": "r2"})
    assert baton.handoff(result, max_tokens=50_000) == research_of("r2")  # fits: unchanged
    assert baton.handoff(result).startswith("### research")
