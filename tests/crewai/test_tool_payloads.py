"""What real tools return, as the next task receives it through CrewBaton.

A tool whose result is the task's answer (``result_as_answer=True``) returning
``pprint.pformat`` of a dataclass: the writer must get whole records and markers counting
the records left out, not a few lines of it read as a CSV table.
"""

from __future__ import annotations

import dataclasses
import pprint

from crewai import Crew, Process, Task
from crewai.tools import BaseTool

from agent_baton_crewai import CrewBaton


@dataclasses.dataclass
class Host:
    name: str
    region: str
    latency_ms: int
    status: str


@dataclasses.dataclass
class Fleet:
    checked: str
    hosts: list[Host]
    count: int


def fleet() -> Fleet:
    regions = ("eu-west-1", "us-east-1", "ap-south-1")
    hosts = [Host(f"web-{i:03d}", regions[i % 3], 80 + i * 7 % 45, "healthy") for i in range(150)]
    hosts[97] = Host("web-097", "us-east-1", 30000, "unreachable: connect timeout after 30 s")
    return Fleet("2026-12-07T15:00Z", hosts, len(hosts))


class CheckFleet(BaseTool):
    name: str = "check_fleet"
    description: str = "Check every host of the fleet."
    result_as_answer: bool = True

    def _run(self) -> str:
        return pprint.pformat(fleet())


def test_a_pformat_dataclass_reaches_the_next_task_as_whole_records(ctx, make_agent, final):
    text = pprint.pformat(fleet())
    action = "Thought: I need the data\nAction: check_fleet\nAction Input: {}"
    checker, _ = make_agent("Checker", [action, final("see above")], tools=[CheckFleet()])
    writer, writer_llm = make_agent("Writer", [final("One host is down.")])
    crew = Crew(
        agents=[checker, writer],
        tasks=[
            Task(description="Check the fleet", expected_output="hosts", agent=checker),
            Task(description="Report the fleet's health", expected_output="text", agent=writer),
        ],
        process=Process.sequential,
    )
    CrewBaton(ctx, max_tokens=1500).attach(crew)

    result = crew.kickoff()

    assert result.tasks_output[0].raw == text
    lines = writer_llm.prompt().splitlines()
    assert "      hosts=[Host(name='web-000'," in lines  # the first record
    start = text.index("             Host(name='web-097',")
    down = text[start : text.index("\n", text.index("after 30 s", start))].splitlines()
    assert len(down) == 4 and all(line in lines for line in down)  # the host down, whole
    assert "      count=150)" in lines
    assert any(line.strip().startswith("[… ") and line.endswith(" items]") for line in lines)
