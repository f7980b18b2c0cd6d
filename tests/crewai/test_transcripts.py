"""What a real crew's CrewOutput keeps when compressed, as repr and as JSON: each task's output
by its agent, the decision said in it, and the tool error its agent saw on the way."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from crewai import Agent, Crew, Process, Task
from crewai.tools import tool

from agent_baton.compress import compress
from agent_baton_crewai.demo import ScriptedLLM, action, final

DECISION = "Decision: we roll back to release 4.2.1 and keep the flag fast_path off."
ERROR = "HTTPSConnectionPool(host='metrics.internal', port=443): Max retries exceeded"


def _engineer(said: str, verbose: bool = False) -> Agent:
    """An engineer who reads textwrap's source, fails to fetch metrics (:data:`ERROR`), says."""
    return Agent(
        role="engineer",
        goal="Check the module",
        backstory="An SRE.",
        llm=ScriptedLLM(
            [action("read_source", name="textwrap"), action("fetch_metrics", run=7), final(said)]
        ),
        tools=_engineer_tools(Path(textwrap.__file__).read_text()),
        verbose=verbose,
    )


def _engineer_tools(source: str) -> list:
    """A tool that returns a module's source and one whose call fails with :data:`ERROR`."""

    @tool("read_source")
    def read_source(name: str) -> str:
        """Read a module's source."""
        return source

    @tool("fetch_metrics")
    def fetch_metrics(run: int) -> str:
        """Fetch a run's metrics."""
        raise ConnectionError(ERROR)

    return [read_source, fetch_metrics]


@pytest.fixture(scope="module")
def crew_output():
    source = Path(textwrap.__file__).read_text()  # a real file, as a tool returns it
    engineer = _engineer(f"I compared the module with the last release.\n\n{DECISION}\n\n{source}")
    reviewer = Agent(
        role="reviewer",
        goal="Review",
        backstory="A lead.",
        llm=ScriptedLLM([final("Reviewed: the module is unchanged.")]),
    )
    check = Task(description="Check the module.", expected_output="Findings", agent=engineer)
    review = Task(
        description="Review the findings.",
        expected_output="Review",
        agent=reviewer,
        context=[check],
    )
    crew = Crew(agents=[engineer, reviewer], tasks=[check, review], process=Process.sequential)
    return crew.kickoff()


@pytest.mark.parametrize("shape", ["repr", "json"])
def test_a_crew_outputs_tasks_are_turns_with_their_decision_and_errors(crew_output, shape):
    text = repr(crew_output) if shape == "repr" else crew_output.model_dump_json(indent=2)

    out = compress(text)

    assert out.transforms[0] == "chat:turns"
    assert out.compressed_tokens < out.original_tokens / 2
    assert DECISION in out.text
    assert ERROR in out.text  # in the engineer's own messages, which TaskOutput carries
    assert "engineer" in out.text.partition("\n")[0]  # the first turn's label names its agent


def test_a_verbose_crews_console_panels_are_turns_with_their_decision_and_tool_errors(capfd):
    """``verbose=True`` prints each step in a box (rich panels): read box by box, the
    decision in the final answer's panel and the tool error in its panel survive, and
    no line is one the console did not print (a panel's lines are read without its bars)."""
    from agent_baton.compress.guarantees import violations

    items = "\n".join(f"- item {i}: checked function_{i}, took {3 * i} ms" for i in range(12))
    said = f"I compared the module with the last release.\n\n{DECISION}\n\n{items}"
    engineer = _engineer(said, verbose=True)
    check = Task(description="Check the module.", expected_output="Findings", agent=engineer)
    capfd.readouterr()
    Crew(agents=[engineer], tasks=[check], verbose=True).kickoff()
    console = capfd.readouterr().out
    assert console.count("╭") >= 5  # the boxes this test is about

    out = compress(console)

    assert out.transforms[0] == "chat:turns"
    assert out.compressed_tokens < out.original_tokens / 2
    assert DECISION in out.text
    # The tool error panel's line (wrapped at the console's width), without its bars.
    error = next(line for line in console.splitlines() if line.startswith("│  Error: "))
    assert f"\n{error.strip('│ ')}\n" in out.text
    assert "[§ ✅ Agent Final Answer]" in out.text  # each panel's title names its turn
    assert violations(console, out.text) == []
