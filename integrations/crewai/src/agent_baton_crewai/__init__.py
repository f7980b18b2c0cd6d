"""CrewAI integration of agent-baton: tasks hand each other compressed context.

Usage::

    baton = CrewBaton(SharedContext(), max_tokens=2000)
    baton.attach(crew)
    result = crew.kickoff()
    print(baton.report())

- :class:`CrewBaton`: stores each task output in full in its run's scope, hands the next
  tasks the compressed form, hands one crew's result to the next compressed (``handoff``),
  and reports tokens saved per handoff.
- :class:`SharedContextReadTool`, :class:`SharedContextSearchTool`,
  :class:`SharedContextListTool`: CrewAI tools to zoom into what was compressed, each answer
  within a token budget.
- :data:`SCOPE_INPUT`: the ``kickoff(inputs=...)`` key that names a run's scope.

Importing this package does not import CrewAI; the tools and :meth:`CrewBaton.attach` do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agent_baton.version import distribution_version
from agent_baton_crewai._compat import UnsupportedCrewAIError
from agent_baton_crewai.baton import CrewBaton
from agent_baton_crewai.keys import slugify, task_key
from agent_baton_crewai.report import Handoff, RunReport
from agent_baton_crewai.runs import SCOPE_INPUT

if TYPE_CHECKING:
    from agent_baton_crewai.tools import (
        SharedContextListTool,
        SharedContextReadTool,
        SharedContextSearchTool,
    )

__all__ = [
    "SCOPE_INPUT",
    "CrewBaton",
    "Handoff",
    "RunReport",
    "SharedContextListTool",
    "SharedContextReadTool",
    "SharedContextSearchTool",
    "UnsupportedCrewAIError",
    "slugify",
    "task_key",
]
__version__ = distribution_version("agent-baton-crewai", __file__)

_TOOL_NAMES = frozenset(
    {"SharedContextListTool", "SharedContextReadTool", "SharedContextSearchTool"}
)


def __getattr__(name: str) -> Any:
    # The tools subclass crewai's BaseTool; importing crewai takes seconds, so wait until asked.
    if name in _TOOL_NAMES:
        from agent_baton_crewai import tools

        return getattr(tools, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
