"""CrewBaton: tasks of a CrewAI crew hand each other compressed context through a SharedContext."""

from __future__ import annotations

import logging
import threading
import weakref
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from agent_baton import SharedContext
from agent_baton_crewai._compat import CONTEXT_HOOK, check_context_hook
from agent_baton_crewai.keys import task_key, unique_keys
from agent_baton_crewai.report import Handoff, RunReport

if TYPE_CHECKING:
    from crewai import Crew, Task
    from crewai.tasks.task_output import TaskOutput
    from crewai.tools import BaseTool

logger = logging.getLogger("agent_baton_crewai")

CrewT = TypeVar("CrewT", bound="Crew")

DEFAULT_MAX_TOKENS = 8000  # chosen by benchmarks/crewai_bench.py; see docs/crewai.md
DEFAULT_MAX_RUNS = 100


class CrewBaton:
    """Hands the tasks of attached crews each other's outputs compressed, keeping them in full.

    ``baton.attach(crew)`` is all the wiring a crew needs. After each task, its output goes
    into the :class:`~agent_baton.SharedContext` ``ctx`` in full under :meth:`key_for` (the
    task's name, else a slug of its description; the agent is the agent's role). A task that
    depends on earlier tasks (``Task(context=[...])``, or every earlier task in a sequential
    crew) receives ``ctx.render`` of those entries within ``max_tokens`` instead of their
    outputs joined in full, unless that would not be shorter.
    ``crew.kickoff()``'s result and every ``TaskOutput`` stay complete. The copies that
    ``kickoff_for_each`` and its async twins run, one per input, are attached too.

    With ``focus`` the receiving task's description is the query that decides which entries
    come first and what survives when the budget is tight. Each handoff is logged on the
    ``agent_baton_crewai`` logger (INFO) and recorded in :meth:`report`; the last
    ``max_runs`` runs are kept.
    """

    def __init__(
        self,
        ctx: SharedContext,
        *,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        focus: bool = True,
        max_runs: int = DEFAULT_MAX_RUNS,
    ) -> None:
        if not isinstance(ctx, SharedContext):
            raise TypeError(f"ctx must be an agent_baton.SharedContext, not {type(ctx).__name__}")
        for name, value in (("max_tokens", max_tokens), ("max_runs", max_runs)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, not {value!r}")
        self._ctx = ctx
        self.max_tokens = max_tokens
        self.focus = focus
        self._runs: deque[RunReport] = deque(maxlen=max_runs)
        self._lock = threading.Lock()
        # Task id -> its crew's attachment; the crew owns the attachment, so this follows it.
        self._attachments: weakref.WeakValueDictionary[str, _Attachment] = (
            weakref.WeakValueDictionary()
        )

    @property
    def ctx(self) -> SharedContext:
        """The shared context the outputs are stored in."""
        return self._ctx

    # -- wiring ----------------------------------------------------------------------------

    def attach(self, crew: CrewT) -> CrewT:
        """Wire ``crew`` to this baton and return it; attaching it again changes nothing.

        Sets, on this crew only: a ``task_callback`` that stores each output and then calls the
        crew's previous ``task_callback`` (per-task callbacks are untouched, CrewAI runs both),
        a before- and an after-kickoff callback that delimit a run, and an instance-level
        ``_get_context`` (see :mod:`agent_baton_crewai._compat`). :meth:`detach` undoes it.

        Raises ``TypeError`` for anything but a ``crewai.Crew``, ``ValueError`` when another
        baton is attached, and :class:`~agent_baton_crewai.UnsupportedCrewAIError` when the
        installed CrewAI builds task context differently.
        """
        from crewai import Crew

        if not isinstance(crew, Crew):
            raise TypeError(f"attach() takes a crewai.Crew, not {type(crew).__name__}")
        current = _attachment_of(crew)
        if current is not None:
            if current.baton is self:
                return crew
            raise ValueError("this crew is attached to another CrewBaton; detach it first")
        check_context_hook(crew)
        self._install(_Attachment(self, crew, getattr(crew, CONTEXT_HOOK), crew.task_callback))
        return crew

    def _install(self, attachment: _Attachment) -> None:
        crew = attachment.crew
        # Instance attributes shadow the class's methods for this crew only.
        vars(crew)[CONTEXT_HOOK] = attachment.get_context
        vars(crew)["copy"] = attachment.copy_crew
        crew.task_callback = attachment.on_task_output
        # A task holding the crew's previous callback got it from CrewAI at an earlier
        # kickoff: let CrewAI give it ours, which chains that one, so it runs once per task.
        for task in crew.tasks:
            if attachment.previous_callback is not None and (
                task.callback == attachment.previous_callback
            ):
                task.callback = None
        crew.before_kickoff_callbacks.append(attachment.start_run)
        crew.after_kickoff_callbacks.append(attachment.finish_run)
        for task in crew.tasks:
            self._attachments[str(task.id)] = attachment

    def detach(self, crew: Crew) -> None:
        """Undo :meth:`attach`: restore the crew's own task callback and context building."""
        attachment = _attachment_of(crew)
        if attachment is None or attachment.baton is not self:
            raise ValueError("this crew is not attached to this CrewBaton")
        del vars(crew)[CONTEXT_HOOK]
        del vars(crew)["copy"]
        attachment.remove_callbacks()
        for task_id in attachment.keys:
            self._attachments.pop(task_id, None)

    def task_callback(self, output: TaskOutput) -> None:
        """Store ``output`` under its task's key, for ``Crew(task_callback=...)`` wiring.

        Also fits ``Task(callback=...)``. This only records outputs (for the tools and
        :attr:`ctx`); the next tasks receive the compressed form only from attached crews.
        """
        self._store(_key_of_output(output), output)

    # -- reading ---------------------------------------------------------------------------

    def key_for(self, task: Task) -> str:
        """The key ``task``'s output is stored under.

        Unique within an attached crew and stable across runs: computed from the name or
        description the task had when attached, before CrewAI interpolates inputs.
        """
        attachment = self._attachments.get(str(task.id))
        if attachment is not None:
            return attachment.key_for(task)
        return task_key(task.name, task.description)

    def report(self) -> RunReport:
        """Handoffs of the latest run of an attached crew (empty before the first run)."""
        with self._lock:
            return self._runs[-1] if self._runs else RunReport(crew="")

    @property
    def runs(self) -> list[RunReport]:
        """Reports of the last ``max_runs`` runs, oldest first."""
        with self._lock:
            return list(self._runs)

    def tools(self) -> list[BaseTool]:
        """A :class:`SharedContextReadTool` and a :class:`SharedContextSearchTool` over ctx."""
        from agent_baton_crewai.tools import SharedContextReadTool, SharedContextSearchTool

        return [SharedContextReadTool(self._ctx), SharedContextSearchTool(self._ctx)]

    def __repr__(self) -> str:
        return f"CrewBaton({self._ctx!r}, max_tokens={self.max_tokens}, focus={self.focus})"

    # -- internals -------------------------------------------------------------------------

    def _store(self, key: str, output: TaskOutput) -> None:
        if not output.raw:
            return  # skipped conditional tasks and empty answers add nothing to hand over
        entry = self._ctx.get_entry(key)
        if entry is not None and entry.original == output.raw:
            return  # already stored by the task callback
        entry = self._ctx.put(key, output.raw, agent=output.agent)
        logger.debug(
            "stored %r from %s: %d -> %d tokens",
            key,
            output.agent,
            entry.original_tokens,
            entry.compressed_tokens,
        )

    def _new_run(self, crew_name: str) -> RunReport:
        run = RunReport(crew=crew_name)
        with self._lock:
            self._runs.append(run)
        return run


class _Attachment:
    """What :meth:`CrewBaton.attach` installs on one crew; the crew holds it, not the baton."""

    def __init__(
        self,
        baton: CrewBaton,
        crew: Crew,
        default_context: Callable[[Task, list[TaskOutput]], str],
        previous_callback: Callable[[TaskOutput], Any] | None,
    ) -> None:
        self.baton = baton
        self.crew = crew
        self.default_context = default_context
        self.previous_callback = previous_callback
        # Crew(task_callback=baton.task_callback) needs no chaining: on_task_output stores.
        self.user_callback = None if previous_callback == baton.task_callback else previous_callback
        # Keys are fixed at attach time: later input interpolation rewrites descriptions.
        bases = [task_key(t.name, t.description) for t in crew.tasks]
        self.keys = dict(zip((str(t.id) for t in crew.tasks), unique_keys(bases), strict=True))
        self.run: RunReport | None = None

    def copy_crew(self) -> Crew:
        """Replaces ``Crew.copy`` for this crew: the copy is attached too, with the same keys.

        ``kickoff_for_each`` and its async twins run copies of the crew, one per input.
        """
        crew = self.crew
        # Copied without this attachment's callbacks, which belong to this crew alone (a task
        # copy would otherwise keep storing through this crew's); then put back as they were.
        before, after = list(crew.before_kickoff_callbacks), list(crew.after_kickoff_callbacks)
        task_callbacks = [task.callback for task in crew.tasks]
        self.remove_callbacks()
        try:
            clone = type(crew).copy(crew)
        finally:
            crew.task_callback = self.on_task_output
            crew.before_kickoff_callbacks[:] = before
            crew.after_kickoff_callbacks[:] = after
            for task, callback in zip(crew.tasks, task_callbacks, strict=True):
                task.callback = callback
        twin = _Attachment(self.baton, clone, getattr(clone, CONTEXT_HOOK), clone.task_callback)
        # Tasks are copied in order: each copy stores under its original's key.
        twin.keys = {
            str(copy.id): self.key_for(task)
            for copy, task in zip(clone.tasks, crew.tasks, strict=True)
        }
        self.baton._install(twin)
        return clone

    def remove_callbacks(self) -> None:
        """Give the crew back its own task callback and kickoff callbacks."""
        crew = self.crew
        crew.task_callback = self.previous_callback
        # CrewAI copies crew.task_callback into each task without a callback of its own at
        # kickoff; the next kickoff copies the crew's own one again.
        for task in crew.tasks:
            if task.callback == self.on_task_output:
                task.callback = None
        # In place, and whether or not the user already took them out.
        crew.before_kickoff_callbacks[:] = [
            c for c in crew.before_kickoff_callbacks if c != self.start_run
        ]
        crew.after_kickoff_callbacks[:] = [
            c for c in crew.after_kickoff_callbacks if c != self.finish_run
        ]

    def key_for(self, task: Task) -> str:
        task_id = str(task.id)
        key = self.keys.get(task_id)
        if key is None:  # a task added after attach
            taken = set(self.keys.values())
            key = unique_keys([*taken, task_key(task.name, task.description)])[-1]
            self.keys[task_id] = key
            self.baton._attachments[task_id] = self
        return key

    def key_of_output(self, output: TaskOutput) -> str:
        for task in self.crew.tasks:
            if task.output is output:
                return self.key_for(task)
        return _key_of_output(output)

    # -- installed on the crew -------------------------------------------------------------

    def on_task_output(self, output: TaskOutput) -> Any:
        """The crew's ``task_callback``: store the output, then run the user's callback."""
        try:
            self.baton._store(self.key_of_output(output), output)
        except Exception:  # like get_context: storing is an extra, the task has succeeded
            logger.warning("agent-baton could not store %r", output.name, exc_info=True)
        if self.user_callback is not None:
            return self.user_callback(output)  # CrewAI awaits it if it is a coroutine
        return None

    def start_run(self, inputs: dict[str, Any] | None) -> dict[str, Any] | None:
        """A ``before_kickoff_callbacks`` entry: open a new run report."""
        self.run = self.baton._new_run(self.crew.name or "crew")
        return inputs

    def finish_run(self, result: Any) -> Any:
        """An ``after_kickoff_callbacks`` entry: log the run's totals."""
        if self.run is not None and self.run.handoffs:
            logger.info(
                "crew %r: %d handoff(s), %d -> %d context tokens (%.1f%% saved)",
                self.run.crew,
                len(self.run.handoffs),
                self.run.original_tokens,
                self.run.sent_tokens,
                self.run.savings_percent,
            )
        return result

    def get_context(self, task: Task, task_outputs: list[TaskOutput]) -> str:
        """Replaces ``Crew._get_context`` for this crew: CrewAI's choice of sources, compressed."""
        default = self.default_context(task, task_outputs)
        if not default:
            return default
        try:
            return self._hand_over(task, task_outputs, default)
        except Exception:  # a failed optimisation must not fail the crew: send what CrewAI would
            logger.warning(
                "agent-baton could not compress the context of task %r; sending it in full",
                self.key_for(task),
                exc_info=True,
            )
            return default

    def _hand_over(self, task: Task, task_outputs: list[TaskOutput], default: str) -> str:
        # The same sources as CrewAI's _get_context: the listed tasks, else the outputs given.
        if isinstance(task.context, list):
            sources = [(self.key_for(t), t.output) for t in task.context if t.output is not None]
        else:
            sources = [(self.key_of_output(o), o) for o in task_outputs]
        sources = [(key, output) for key, output in sources if output.raw]
        for key, output in sources:
            self.baton._store(key, output)  # normally a no-op: the callback stored it
        ctx = self.baton.ctx
        keys = [key for key, _ in sources]
        original_tokens = ctx.count_tokens(default)
        text, sent_tokens = default, original_tokens
        # Within the budget, CrewAI's own text loses nothing: it is sent as it is.
        if original_tokens > self.baton.max_tokens:
            rendered = ctx.render(
                keys,
                query=task.description if self.baton.focus else None,
                max_tokens=self.baton.max_tokens,
            )
            rendered_tokens = ctx.count_tokens(rendered)
            if rendered and rendered_tokens < original_tokens:
                text, sent_tokens = rendered, rendered_tokens
        handoff = Handoff(
            task=self.key_for(task),
            agent=task.agent.role if task.agent is not None else None,
            sources=tuple(keys),
            original_tokens=original_tokens,
            sent_tokens=sent_tokens,
        )
        if self.run is None:  # run without kickoff's callbacks, e.g. Crew.replay
            self.run = self.baton._new_run(self.crew.name or "crew")
        self.run.handoffs.append(handoff)
        logger.info("handoff %s", handoff)
        return text


def _attachment_of(crew: Any) -> _Attachment | None:
    hook = vars(crew).get(CONTEXT_HOOK) if hasattr(crew, "__dict__") else None
    owner = getattr(hook, "__self__", None)
    return owner if isinstance(owner, _Attachment) else None


def _key_of_output(output: TaskOutput) -> str:
    # CrewAI sets TaskOutput.name to the task's name, or to its description when unnamed.
    name = output.name if output.name != output.description else None
    return task_key(name, output.description)
