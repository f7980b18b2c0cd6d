"""CrewAI integration of agent-baton: tasks hand each other compressed context.

Usage::

    baton = CrewBaton(SharedContext(), max_tokens=2000)
    baton.attach(crew)
    result = crew.kickoff()
    print(baton.report())

- :class:`CrewBaton`: stores each task output in full, hands the next tasks the compressed
  form, and reports tokens saved per handoff.
- :class:`SharedContextReadTool`, :class:`SharedContextSearchTool`: CrewAI tools to zoom into
  what was compressed.

Importing this package does not import CrewAI; the tools and :meth:`CrewBaton.attach` do.
"""

from __future__ import annotations

from importlib.metadata import version as _version
from typing import TYPE_CHECKING, Any

from agent_baton_crewai._compat import UnsupportedCrewAIError
from agent_baton_crewai.baton import CrewBaton
from agent_baton_crewai.keys import slugify, task_key
from agent_baton_crewai.report import Handoff, RunReport

if TYPE_CHECKING:
    from agent_baton_crewai.tools import SharedContextReadTool, SharedContextSearchTool

__all__ = [
    "CrewBaton",
    "Handoff",
    "RunReport",
    "SharedContextReadTool",
    "SharedContextSearchTool",
    "UnsupportedCrewAIError",
    "slugify",
    "task_key",
]
__version__ = _version("agent-baton-crewai")  # VERSION at the repository root

_TOOL_NAMES = frozenset({"SharedContextReadTool", "SharedContextSearchTool"})


def __getattr__(name: str) -> Any:
    # The tools subclass crewai's BaseTool; importing crewai takes seconds, so wait until asked.
    if name in _TOOL_NAMES:
        from agent_baton_crewai import tools

        return getattr(tools, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
