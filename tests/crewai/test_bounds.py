"""Outputs evicted from a bounded context by other runs still reach the tasks that need them."""

from __future__ import annotations

import logging

from crewai import Crew, Process, Task
from crewai.tasks.task_output import TaskOutput

from agent_baton import SharedContext
from agent_baton_crewai import CrewBaton

OTHER_RUNS = 5


def _crew_evicting_between_tasks(make_agent, big, final, ctx: SharedContext):
    """research -> summary; after research, other runs fill the context (max_entries=5)."""
    researcher, _ = make_agent("Researcher", [final(big)])
    writer, writer_llm = make_agent("Writer", [final("Hosts are healthy.")])

    def other_runs_busy(output: TaskOutput) -> None:
        if output.name != "research":
            return
        # As a busy service does: other users' runs put their outputs meanwhile.
        for i in range(OTHER_RUNS):
            ctx.scope(f"run-other-{i}").put("research", f"user {i}'s rows", agent="Researcher")

    research, write = (
        Task(name=name, description=description, expected_output=shape, agent=agent)
        for name, description, shape, agent in (
            ("research", "Collect latency metrics of every host", "JSON rows", researcher),
            ("summary", "Write a one-line summary of the host metrics", "One line", writer),
        )
    )
    crew = Crew(
        agents=[researcher, writer],
        tasks=[research, write],
        process=Process.sequential,
        task_callback=other_runs_busy,
    )
    return crew, writer_llm


def test_source_evicted_by_other_runs_is_stored_again_and_sent(make_agent, big, final, caplog):
    ctx = SharedContext(max_entries=OTHER_RUNS)
    crew, writer_llm = _crew_evicting_between_tasks(make_agent, big, final, ctx)
    baton = CrewBaton(ctx, max_tokens=1500)
    baton.attach(crew)

    with caplog.at_level(logging.WARNING, logger="agent_baton_crewai"):
        result = crew.kickoff()

    prompt = writer_llm.prompt()
    assert "### research" in prompt  # the research reached the writer, compressed
    assert big not in prompt and "omitted" in prompt
    handoff = baton.report().handoffs[-1]
    assert handoff.sources == ("research",) and handoff.restored == ("research",)
    assert handoff.sent_tokens < handoff.original_tokens
    assert "stored again: research" in str(baton.report())
    warned = [r.getMessage() for r in caplog.records if "'research'" in r.getMessage()]
    assert len(warned) == 1 and "evicted or deleted" in warned[0]
    assert "bound all runs" in warned[0]
    # Stored again, it was the run's, for the writer's read tool; the summary then took the
    # place of the run's own oldest entry (the run held the most), not another run's.
    assert baton.report().ctx.keys() == ["summary"]
    assert [len(ctx.scope(f"run-other-{i}").keys()) for i in range(OTHER_RUNS)] == [0, 1, 1, 1, 1]
    assert result.tasks_output[0].raw == big  # CrewAI's result is complete


def test_live_sources_are_not_stored_again(make_agent, big, final, caplog):
    ctx = SharedContext(max_entries=100)
    crew, writer_llm = _crew_evicting_between_tasks(make_agent, big, final, ctx)
    baton = CrewBaton(ctx, max_tokens=1500)
    baton.attach(crew)

    with caplog.at_level(logging.WARNING, logger="agent_baton_crewai"):
        crew.kickoff()

    assert "### research" in writer_llm.prompt()
    assert baton.report().handoffs[-1].restored == ()
    assert "stored again" not in str(baton.report())
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
