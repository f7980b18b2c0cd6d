"""The CrewAI internals this package relies on, checked before they are used.

CrewAI has no public hook that changes the text a task receives from the tasks before it
(``crewai.hooks`` PRE_STEP sees that text, but its registry is process-wide and it does not
say which outputs the text came from). ``Crew._execute_tasks`` and ``_aexecute_tasks`` build
that text with ``self._get_context(task, task_outputs)`` (``crewai/crew.py``); an attached crew
gets an instance attribute of that name, which shadows the class's method for that crew only.
This module checks that the method is still there with that signature.
"""

from __future__ import annotations

import inspect
from typing import Any

SUPPORTED_MAJOR = 1
CONTEXT_HOOK = "_get_context"
# Called by kickoff (and akickoff) in its own context when the run raised, before it re-raises
# (crewai/crew.py, 1.15): where a failed run stops being active. Optional: without it, a
# failed run stays active in its caller's context until a later run there ends.
FAILURE_HOOK = "_dispatch_execution_end_failure"
_HOOK_PARAMETERS = ["task", "task_outputs"]


class UnsupportedCrewAIError(RuntimeError):
    """The installed CrewAI does not build task context the way this integration expects."""


def crewai_version() -> str:
    """The installed CrewAI version."""
    import crewai

    return str(getattr(crewai, "__version__", "unknown"))


def check_context_hook(crew: Any) -> None:
    """Refuse a crew whose CrewAI does not build task context as 1.x does.

    Raises :class:`UnsupportedCrewAIError` unless ``crew._get_context(task, task_outputs)``
    exists, on CrewAI 1.x.
    """
    version = crewai_version()
    major = version.split(".", 1)[0]
    if major != str(SUPPORTED_MAJOR):
        raise UnsupportedCrewAIError(
            f"agent-baton-crewai supports crewai {SUPPORTED_MAJOR}.x, found {version}: "
            f'pip install "crewai>={SUPPORTED_MAJOR}.0,<{SUPPORTED_MAJOR + 1}"'
        )
    hook = getattr(type(crew), CONTEXT_HOOK, None)
    if not callable(hook):
        raise UnsupportedCrewAIError(
            f"{type(crew).__name__}.{CONTEXT_HOOK} is missing in crewai {version}; "
            "agent-baton-crewai cannot change the context tasks receive"
        )
    # On the instance: a bound method (crewai 1.0) or a staticmethod (later) both take these.
    parameters = list(inspect.signature(getattr(crew, CONTEXT_HOOK)).parameters)
    if parameters != _HOOK_PARAMETERS:
        raise UnsupportedCrewAIError(
            f"{type(crew).__name__}.{CONTEXT_HOOK} takes {parameters} in crewai {version}, "
            f"expected {_HOOK_PARAMETERS}; agent-baton-crewai needs an update"
        )


def offered_tool_name(name: str) -> str:
    """The name CrewAI offers a tool named ``name`` to the model under, and calls it by.

    CrewAI 1.15 lowercases tool names, splits camelCase and turns every other character
    than a letter or digit into ``_`` (``crewai.utilities.string_utils.sanitize_tool_name``);
    a marker must name the tool that way, or the model calls a tool it does not have.
    """
    try:
        from crewai.utilities.string_utils import sanitize_tool_name
    except ImportError:  # a CrewAI that offers names as they are
        return name
    return str(sanitize_tool_name(name))
