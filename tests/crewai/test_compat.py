"""The version check guarding the one CrewAI internal the integration shadows."""

from __future__ import annotations

from crewai import Crew, Task

from agent_baton_crewai import CrewBaton, UnsupportedCrewAIError
from agent_baton_crewai._compat import check_context_hook, crewai_version


class OtherContextCrew(Crew):
    """A crew whose context building does not look like CrewAI 1.x's."""

    def _get_context(self, task: Task) -> str:  # type: ignore[override]
        return ""


def test_installed_crewai_passes_the_check(make_agent):
    agent, _ = make_agent("A", [])
    crew = Crew(agents=[agent], tasks=[Task(description="d", expected_output="e", agent=agent)])
    check_context_hook(crew)
    assert crewai_version().startswith("1.")


def test_an_unexpected_signature_is_refused_before_anything_changes(ctx, make_agent):
    agent, _ = make_agent("A", [])
    crew = OtherContextCrew(
        agents=[agent], tasks=[Task(description="d", expected_output="e", agent=agent)]
    )
    try:
        CrewBaton(ctx).attach(crew)
    except UnsupportedCrewAIError as error:
        assert "['task']" in str(error)
    else:
        raise AssertionError("attach() accepted a crew it cannot hook")
    assert "_get_context" not in vars(crew)
    assert crew.task_callback is None and crew.before_kickoff_callbacks == []
