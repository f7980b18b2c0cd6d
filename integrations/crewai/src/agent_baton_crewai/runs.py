"""Run scopes: which part of the shared context one crew run stores into and reads from.

Each run of an attached crew (a ``kickoff``, each input of ``kickoff_for_each`` and its async
twins) works in a scope of the :class:`~agent_baton.SharedContext`, a view that sees only its
own entries, so runs that share one context (threads, users, inputs) never see each other's
outputs. The scope is, first match wins:

1. ``inputs[SCOPE_INPUT]``, given to ``kickoff(inputs=...)`` or in one ``kickoff_for_each``
   input: runs that name the same scope share it, and their outputs accumulate there;
2. the ``scope`` given to :meth:`CrewBaton.attach`, shared by every kickoff of that crew;
3. the Flow run the kickoff happens in (``flow-<flow id>``), shared by the crews of that run;
4. otherwise a new scope for this run alone (``run-<12 hex digits>``).

In cases 2 and 3, a copy of the crew (one ``kickoff_for_each`` input) gets a new scope inside
that one, so inputs stay apart there too.

A run is *active* in the context (:mod:`contextvars`) its kickoff runs in, from its
before-kickoff callback to its after-kickoff callback: CrewAI runs tasks, async tasks and tool
calls in that context or copies of it. The tools an attached crew's agents hold read the scope
of the run active where they are called, so an agent shared by two crews, or kept after its
crew's run, never reads another run's scope (:func:`active_run`).
"""

from __future__ import annotations

import threading
import uuid
import weakref
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from agent_baton import SharedContext
from agent_baton_crewai.report import RunReport

if TYPE_CHECKING:
    from crewai.tasks.task_output import TaskOutput

SCOPE_INPUT = "baton_scope"


def new_run_name() -> str:
    """A scope name no other run has: ``run-`` and 12 random hex digits."""
    return f"run-{uuid.uuid4().hex[:12]}"


def flow_run_id() -> str | None:
    """The id of the CrewAI Flow run the caller is in, if any."""
    try:
        from crewai.flow.flow_context import current_flow_id
    except ImportError:  # a CrewAI without flow context variables
        return None
    return current_flow_id.get()


def pop_scope_input(inputs: dict[str, Any] | None) -> tuple[dict[str, Any] | None, str | None]:
    """``inputs`` without :data:`SCOPE_INPUT`, and its value (checked to be a name)."""
    if not inputs or SCOPE_INPUT not in inputs:
        return inputs, None
    name = inputs[SCOPE_INPUT]
    if not isinstance(name, str) or not name:
        raise TypeError(f"inputs[{SCOPE_INPUT!r}] must be a non-empty str, not {name!r}")
    return {k: v for k, v in inputs.items() if k != SCOPE_INPUT}, name


def run_scope(
    ctx: SharedContext, explicit: str | None, attached: str | None, is_copy: bool
) -> SharedContext:
    """The scope of one run of a crew attached to ``ctx`` (see the module's docstring)."""
    if explicit is not None:
        return ctx.scope(explicit)
    base: SharedContext | None = None
    if attached is not None:
        base = ctx.scope(attached)
    elif (flow := flow_run_id()) is not None:
        base = ctx.scope(f"flow-{flow}")
    if base is None:
        return ctx.scope(new_run_name())
    return base.scope(new_run_name()) if is_copy else base


class Run:
    """One run of an attached crew: its scope, its report, and what it has stored.

    ``root`` is the context the run's scope ``ctx`` is a view of. The baton keeps its last
    runs for their reports; the crew's outputs are only referred to weakly, so the baton
    never holds a run's texts beyond the context's own bounds.
    """

    def __init__(self, report: RunReport, ctx: SharedContext, root: SharedContext) -> None:
        self.report = report
        self.ctx = ctx
        self.root = root
        # Set when the backend failed: the rest of the run leaves it alone (fails fast).
        self.backend_down = False
        self._result: weakref.ref[Any] | None = None
        self._stored: dict[int, tuple[weakref.ref[TaskOutput], str]] = {}
        self._lock = threading.Lock()

    @property
    def result(self) -> Any:
        """The CrewOutput of the finished kickoff, while anyone else still holds it."""
        return None if self._result is None else self._result()

    @result.setter
    def result(self, result: Any) -> None:
        self._result = weakref.ref(result)

    def stored_key(self, output: TaskOutput) -> str | None:
        """The key ``output`` was stored under in this run, if it was."""
        found = self._stored.get(id(output))
        # The output itself, not a later object given its id() after it was freed.
        return found[1] if found is not None and found[0]() is output else None

    def store(self, key: str, output: TaskOutput) -> str:
        """Append ``output`` under ``key`` (``key#2``... if taken) once; the key it got."""
        with self._lock:  # async tasks finish on worker threads
            known = self.stored_key(output)
            if known is not None:
                return known
            entry = self.ctx.append(key, output.raw, agent=output.agent)
            self._stored[id(output)] = (weakref.ref(output), entry.key)
            return entry.key

    def store_again(self, key: str, output: TaskOutput) -> None:
        """Put ``output`` back under ``key``, the key it got in this run, after it was lost.

        The context's bounds and ttl hold for every run together, so other runs' puts may
        evict this run's outputs while CrewAI still holds them.
        """
        with self._lock:
            if self.stored_key(output) == key:
                self.ctx.put(key, output.raw, agent=output.agent)


# The runs active in this context, innermost last (a crew kicked off inside another's run).
_ACTIVE: ContextVar[tuple[Run, ...]] = ContextVar("agent_baton_crewai_runs", default=())


def enter(run: Run) -> None:
    """Make ``run`` active in the calling context (its kickoff's), innermost."""
    _ACTIVE.set((*_ACTIVE.get(), run))


def leave(run: Run) -> None:
    """Make ``run`` inactive in the calling context."""
    _ACTIVE.set(tuple(r for r in _ACTIVE.get() if r is not run))


def active_run(root: SharedContext) -> Run | None:
    """The innermost run over ``root`` active in the calling context, if any."""
    return next((r for r in reversed(_ACTIVE.get()) if r.root is root), None)
