"""CrewBaton: tasks of a CrewAI crew hand each other compressed context through a SharedContext."""

from __future__ import annotations

import logging
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from agent_baton import BackendUnavailableError, SharedContext
from agent_baton.answers import DEFAULT_TOOL_TOKENS, ToolNames, tool_names
from agent_baton_crewai._compat import CONTEXT_HOOK, FAILURE_HOOK, check_context_hook
from agent_baton_crewai.keys import task_key, unique_keys
from agent_baton_crewai.report import Handoff, RunReport
from agent_baton_crewai.runs import Run, active_run, enter, leave, pop_scope_input, run_scope

if TYPE_CHECKING:
    from crewai import Crew, Task
    from crewai.tasks.task_output import TaskOutput
    from crewai.tools import BaseTool

    from agent_baton_crewai.tools import _SharedContextTool

logger = logging.getLogger("agent_baton_crewai")

CrewT = TypeVar("CrewT", bound="Crew")

DEFAULT_MAX_TOKENS = 8000  # chosen by benchmarks/crewai_bench.py; see docs/crewai.md
DEFAULT_MAX_RUNS = 100
_PING_KEY = "agent-baton-crewai:ping"  # read, never written: one cheap round trip


class CrewBaton:
    """Hands the tasks of attached crews each other's outputs compressed, keeping them in full.

    ``baton.attach(crew)`` is all the wiring a crew needs. Each run of the crew works in its
    own scope of ``ctx`` (see :mod:`agent_baton_crewai.runs`), so concurrent runs never see
    each other's outputs. After each task, its output is appended to the run's scope in full
    under :meth:`key_for` (the task's name, else a slug of its description; ``key#2`` when a
    run in the same scope already used it; the agent is the agent's role). A task that depends
    on earlier tasks (``Task(context=[...])``, or every earlier task in a sequential crew)
    receives those outputs rendered within ``max_tokens`` instead of joined in full, unless
    CrewAI's own text fits. ``crew.kickoff()``'s result and every ``TaskOutput`` stay complete.

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
        self._runs: deque[Run] = deque(maxlen=max_runs)
        self._lock = threading.Lock()
        # Task id -> its crew's attachment; the crew owns the attachment, so this follows it.
        self._attachments: weakref.WeakValueDictionary[str, _Attachment] = (
            weakref.WeakValueDictionary()
        )

    @property
    def ctx(self) -> SharedContext:
        """The shared context the runs' scopes are views of."""
        return self._ctx

    # -- wiring ----------------------------------------------------------------------------

    def attach(self, crew: CrewT, *, scope: str | None = None) -> CrewT:
        """Wire ``crew`` to this baton and return it; attaching it again changes nothing.

        ``scope`` names the scope every kickoff of this crew shares (outputs accumulate there);
        by default each kickoff gets its own. Sets, on this crew only: a ``task_callback`` that
        stores each output and then calls the crew's previous ``task_callback``, a before- and
        an after-kickoff callback that delimit a run, and an instance-level ``_get_context``
        (see :mod:`agent_baton_crewai._compat`). :meth:`detach` undoes it.

        Raises ``TypeError`` for anything but a ``crewai.Crew``, ``ValueError`` when another
        baton is attached or this one with another ``scope`` (detach it first),
        :class:`~agent_baton.BackendUnavailableError` when the context's backend does not
        answer (one read, bounded by the backend's timeout), and
        :class:`~agent_baton_crewai.UnsupportedCrewAIError` when the installed CrewAI builds
        task context differently.
        """
        from crewai import Crew

        if not isinstance(crew, Crew):
            raise TypeError(f"attach() takes a crewai.Crew, not {type(crew).__name__}")
        if scope is not None and (not isinstance(scope, str) or not scope):
            raise ValueError(f"scope must be a non-empty str or None, not {scope!r}")
        current = _attachment_of(crew)
        if current is not None:
            if current.baton is self and current.scope == scope:
                return crew
            if current.baton is self:  # silently keeping the old scope would mislead
                raise ValueError(
                    f"this crew is already attached with scope={current.scope!r}, not "
                    f"{scope!r}; detach it first to attach it with another scope"
                )
            raise ValueError("this crew is attached to another CrewBaton; detach it first")
        check_context_hook(crew)
        self._ctx.get_entry(_PING_KEY)  # a dead or hung backend fails here, not mid-run
        previous = crew.task_callback
        self._install(_Attachment(self, crew, getattr(crew, CONTEXT_HOOK), previous, scope=scope))
        return crew

    def _install(self, attachment: _Attachment) -> None:
        crew = attachment.crew
        # Instance attributes shadow the class's methods for this crew only.
        vars(crew)[CONTEXT_HOOK] = attachment.get_context
        if callable(getattr(type(crew), FAILURE_HOOK, None)):
            vars(crew)[FAILURE_HOOK] = attachment.fail_run
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
        """Undo :meth:`attach`: restore the crew's own callbacks, context building and tools."""
        attachment = _attachment_of(crew)
        if attachment is None or attachment.baton is not self:
            raise ValueError("this crew is not attached to this CrewBaton")
        del vars(crew)[CONTEXT_HOOK]
        vars(crew).pop(FAILURE_HOOK, None)
        del vars(crew)["copy"]
        attachment.remove_callbacks()
        attachment.bind_tools(False)
        for task_id in attachment.keys:
            self._attachments.pop(task_id, None)

    def task_callback(self, output: TaskOutput) -> None:
        """Store ``output`` in ``ctx`` (not in a run scope), for ``Crew(task_callback=...)``.

        Also fits ``Task(callback=...)``. This only records outputs (for the tools and
        :attr:`ctx`); the next tasks receive the compressed form only from attached crews,
        which store into their runs' scopes instead.
        """
        if output.raw:
            self._ctx.put(_key_of_output(output), output.raw, agent=output.agent)

    # -- reading ---------------------------------------------------------------------------

    def key_for(self, task: Task) -> str:
        """The key ``task``'s output is stored under (the first time in its run's scope).

        Unique within an attached crew and stable across runs: computed from the name or
        description the task had when attached, before CrewAI interpolates inputs.
        """
        attachment = self._attachments.get(str(task.id))
        if attachment is not None:
            return attachment.key_for(task)
        return task_key(task.name, task.description)

    def report(self, of: Any = None) -> RunReport:
        """The report of a run: by default the latest run of an attached crew.

        With crews running at once, the latest is whichever started last: ``of`` names the
        run meant, either what ``kickoff`` (or one input of ``kickoff_for_each``) returned,
        that run, or an attached ``Crew``, its latest run. Empty before the first run.

        Raises ``ValueError`` for a result that is none of the last ``max_runs`` runs'
        results, and for a crew not attached to this baton.
        """
        from crewai import Crew

        if isinstance(of, Crew):
            attachment = _attachment_of(of)
            if attachment is None or attachment.baton is not self:
                raise ValueError("this crew is not attached to this CrewBaton")
            run = attachment.run
            return run.report if run is not None else RunReport(crew=of.name or "crew")
        if of is not None:
            return self._run_of(of, "report()").report
        with self._lock:
            return self._runs[-1].report if self._runs else RunReport(crew="")

    @property
    def runs(self) -> list[RunReport]:
        """Reports of the last ``max_runs`` runs, oldest first."""
        with self._lock:
            return [run.report for run in self._runs]

    def handoff(
        self, result: Any, *, query: str | None = None, max_tokens: int | None = None
    ) -> str:
        """A crew's result as the next crew's input, compressed: for Flows and crew chains.

        ``result`` is what ``kickoff`` of an attached crew returned; the text is its final
        task's output (what ``result.raw`` holds) as stored in that run's scope, within
        ``max_tokens`` (default: the baton's), focused on ``query`` if given, with a header
        naming its key; unchanged when it fits. The next crew's agents can read it in full with
        the tools when that crew runs in the same scope: in one Flow run, or with the same
        ``scope`` / ``inputs["baton_scope"]``::

            writer_crew.kickoff(inputs={"research": baton.handoff(research_result)})
        """
        budget = self.max_tokens if max_tokens is None else max_tokens
        if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
            raise ValueError(f"max_tokens must be an int >= 1 or None, not {max_tokens!r}")
        run = self._run_of(result, "handoff()")
        outputs = getattr(result, "tasks_output", None) or []
        if not outputs:
            raise ValueError("handoff() takes the result of a run that has task outputs")
        final = outputs[-1]
        key = run.stored_key(final)
        if key is None or self._ctx.count_tokens(final.raw) <= budget:
            return str(final.raw)
        rendered = run.ctx.render([key], query=query, max_tokens=budget, tools=ToolNames())
        return rendered or str(final.raw)

    def tools(self, *, max_tokens: int = DEFAULT_TOOL_TOKENS, prefix: str = "") -> list[BaseTool]:
        """The read, search and list tools over ctx, each answer within ``max_tokens``.

        In an attached crew each run's agents get copies that read the run's scope.
        ``prefix`` goes before each tool name, for two contexts on one agent: ASCII letters,
        digits, ``_`` and ``-`` (else ``ValueError``); the tools are named as CrewAI offers them
        to the model, lowercase with ``_`` for ``-`` (``"Docs-"`` gives
        ``docs_read_shared_context``).
        """
        from agent_baton_crewai.tools import (
            SharedContextListTool,
            SharedContextReadTool,
            SharedContextSearchTool,
        )

        names = tool_names(prefix)
        return [
            tool(self._ctx, max_tokens=max_tokens, names=names)
            for tool in (SharedContextReadTool, SharedContextSearchTool, SharedContextListTool)
        ]

    def __repr__(self) -> str:
        return f"CrewBaton({self._ctx!r}, max_tokens={self.max_tokens}, focus={self.focus})"

    # -- internals -------------------------------------------------------------------------

    def _new_run(self, crew_name: str, ctx: SharedContext) -> Run:
        run = Run(RunReport(crew=crew_name, ctx=ctx), ctx, self._ctx)
        with self._lock:
            self._runs.append(run)
        return run

    def _run_of(self, result: Any, method: str) -> Run:
        """The run whose kickoff returned ``result``; ``method`` names the caller in errors."""
        run = next((r for r in self._iter_runs() if r.result is result), None)
        if run is None:
            raise ValueError(
                f"{method} takes what kickoff() of a crew attached to this CrewBaton returned "
                f"(one of its last {self._runs.maxlen} runs), not {type(result).__name__}"
            )
        return run

    def _iter_runs(self) -> Iterator[Run]:
        with self._lock:
            runs = list(self._runs)
        return reversed(runs)


class _Attachment:
    """What :meth:`CrewBaton.attach` installs on one crew; the crew holds it, not the baton."""

    def __init__(
        self,
        baton: CrewBaton,
        crew: Crew,
        default_context: Callable[[Task, list[TaskOutput]], str],
        previous_callback: Callable[[TaskOutput], Any] | None,
        *,
        scope: str | None = None,
        is_copy: bool = False,
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
        self.scope = scope
        self.is_copy = is_copy
        self.run: Run | None = None
        self.running = False  # from start_run to finish_run (or fail_run)

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
        hook, previous = getattr(clone, CONTEXT_HOOK), clone.task_callback
        twin = _Attachment(self.baton, clone, hook, previous, scope=self.scope, is_copy=True)
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

    def bind_tools(self, bound: bool) -> None:
        """Give this crew's agents and tasks copies of the baton's tools that know their LLM.

        A copy reads the scope of the run active where it is called (see
        :mod:`agent_baton_crewai.runs`), never the scope of the run that bound it. ``False``
        puts the user's own tools back. New lists are assigned, never changed in place: a
        copied crew's agents share the lists of the original's.
        """
        from agent_baton_crewai.tools import _SharedContextTool

        def rebound(tools: list[Any] | None, llm: Any) -> list[Any] | None:
            if not tools or not any(isinstance(t, _SharedContextTool) for t in tools):
                return None
            return [
                self._rebind(t, bound, llm) if isinstance(t, _SharedContextTool) else t
                for t in tools
            ]

        crew = self.crew
        agents = {id(a): a for a in [*crew.agents, crew.manager_agent] if a is not None}
        agents.update({id(t.agent): t.agent for t in crew.tasks if t.agent is not None})
        for agent in agents.values():
            tools = rebound(agent.tools, agent.llm)
            if tools is not None:
                agent.tools = tools
        for task in crew.tasks:
            llm = task.agent.llm if task.agent is not None else None
            tools = rebound(task.tools, llm)
            if tools is not None:
                task.tools = tools

    def _rebind(self, tool: _SharedContextTool, bound: bool, llm: Any) -> Any:
        origin = tool.origin
        if origin.ctx is not self.baton.ctx:  # over another context: the user's business
            return tool
        return origin.for_agent(llm) if bound else origin

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

    def current_run(self) -> Run:
        """The run in progress; one is opened for runs without kickoff's callbacks (replay)."""
        if self.run is None:
            ctx = run_scope(self.baton.ctx, None, self.scope, self.is_copy)
            self.run = self.baton._new_run(self.crew.name or "crew", ctx)
        return self.run

    def store(self, output: TaskOutput) -> str | None:
        """Store ``output`` in the current run's scope (once); the key it got, if any."""
        run = self.current_run()
        if not output.raw or run.backend_down:
            return None  # skipped conditional tasks and empty answers add nothing
        try:
            key = run.store(self.key_of_output(output), output)
        except BackendUnavailableError:
            run.backend_down = True  # one timeout per run, not one per operation
            logger.warning(
                "agent-baton: the shared context's backend is unavailable; this run of %r "
                "hands over CrewAI's own context from now on",
                run.report.crew,
                exc_info=True,
            )
            return None
        logger.debug("stored %r from %s", key, output.agent)
        return key

    def on_task_output(self, output: TaskOutput) -> Any:
        """The crew's ``task_callback``: store the output, then run the user's callback."""
        try:
            self.store(output)
        except Exception:  # like get_context: storing is an extra, the task has succeeded
            logger.warning("agent-baton could not store %r", output.name, exc_info=True)
        if self.user_callback is not None:
            return self.user_callback(output)  # CrewAI awaits it if it is a coroutine
        return None

    def start_run(self, inputs: dict[str, Any] | None) -> dict[str, Any] | None:
        """A ``before_kickoff_callbacks`` entry: open a run in its scope, active in this context.

        Raises ``RuntimeError`` while another kickoff of this crew object runs: CrewAI keeps a
        run's state on the crew's tasks and agents, so two at once mix their users' inputs and
        outputs (measured: every writer prompt carried another user's data). CrewAI calls
        this before it interpolates the inputs, so the running kickoff is left alone. Only
        with the failure hook, which ends a run that raised: without it the crew would stay
        marked as running.
        """
        with self.baton._lock:
            if self.running and FAILURE_HOOK in vars(self.crew):
                raise RuntimeError(
                    "agent-baton: this crew is running a kickoff already; a CrewAI crew object "
                    "runs one kickoff at a time (its tasks and agents hold the run's state). "
                    "Make a crew per request and attach each, or use kickoff_for_each_async, "
                    "which runs copies"
                )
            self.running = True
        try:
            inputs, explicit = pop_scope_input(inputs)
            ctx = run_scope(self.baton.ctx, explicit, self.scope, self.is_copy)
        except BaseException:  # no run opened: fail_run would not unmark the crew
            self.running = False
            raise
        self.run = self.baton._new_run(self.crew.name or "crew", ctx)
        enter(self.run)
        self.bind_tools(True)
        return inputs

    def finish_run(self, result: Any) -> Any:
        """An ``after_kickoff_callbacks`` entry: end the run, remember its result, log totals."""
        run = self.run
        self.running = False
        if run is not None:
            leave(run)
            run.result = result
            report = run.report
            if report.handoffs:
                logger.info(
                    "crew %r: %d handoff(s), %d -> %d context tokens (%.1f%% saved)",
                    report.crew,
                    len(report.handoffs),
                    report.original_tokens,
                    report.sent_tokens,
                    report.savings_percent,
                )
        return result

    def fail_run(self, error: BaseException) -> Any:
        """Shadows the crew's failure hook (``FAILURE_HOOK``): the failed run ends here too.

        A kickoff refused by :meth:`start_run` fails here as well, where no run of this crew
        is active: the running one stays marked as running.
        """
        if self.run is not None and active_run(self.baton.ctx) is self.run:
            self.running = False
            leave(self.run)
        return getattr(type(self.crew), FAILURE_HOOK)(self.crew, error)

    def get_context(self, task: Task, task_outputs: list[TaskOutput]) -> str:
        """Replaces ``Crew._get_context`` for this crew: CrewAI's choice of sources, compressed."""
        default = self.default_context(task, task_outputs)
        if not default:
            return default
        try:
            return self._hand_over(task, task_outputs, default)
        except BackendUnavailableError:
            self.current_run().backend_down = True
            logger.warning(
                "agent-baton: the shared context's backend is unavailable; task %r receives "
                "CrewAI's own context",
                self.key_for(task),
                exc_info=True,
            )
            return default
        except Exception:  # a failed optimisation must not fail the crew: send what CrewAI would
            logger.warning(
                "agent-baton could not compress the context of task %r; sending it in full",
                self.key_for(task),
                exc_info=True,
            )
            return default

    def _hand_over(self, task: Task, task_outputs: list[TaskOutput], default: str) -> str:
        run = self.current_run()
        # The same sources as CrewAI's _get_context: the listed tasks, else the outputs given.
        if isinstance(task.context, list):
            outputs = [t.output for t in task.context if t.output is not None]
        else:
            outputs = list(task_outputs)
        stored = [(output, key) for output in outputs if (key := self.store(output)) is not None]
        keys = [key for _, key in stored]
        ctx = run.ctx
        original_tokens = ctx.count_tokens(default)
        text, sent_tokens = default, original_tokens
        restored: tuple[str, ...] = ()
        # Within the budget, CrewAI's own text loses nothing: it is sent as it is.
        if original_tokens > self.baton.max_tokens and not run.backend_down:
            restored = self._restore_lost(task, run, stored)
            rendered = ctx.render(
                keys,
                query=task.description if self.baton.focus else None,
                max_tokens=self.baton.max_tokens,
                tools=_tool_names(task, self.baton.ctx),
            )
            # render skips a missing key: one evicted again meanwhile gets CrewAI's text sent.
            lost = [key for key in keys if key not in ctx]
            rendered_tokens = ctx.count_tokens(rendered)
            if lost:
                logger.warning(
                    "agent-baton: %s evicted from scope %s while task %r's context was "
                    "rendered; it receives CrewAI's own text",
                    ", ".join(map(repr, lost)),
                    "/".join(ctx.scope_path),
                    self.key_for(task),
                )
            elif rendered and rendered_tokens < original_tokens:
                text, sent_tokens = rendered, rendered_tokens
        handoff = Handoff(
            task=self.key_for(task),
            agent=task.agent.role if task.agent is not None else None,
            sources=tuple(keys),
            original_tokens=original_tokens,
            sent_tokens=sent_tokens,
            restored=restored,
        )
        run.report.handoffs.append(handoff)
        logger.info("handoff %s", handoff)
        return text

    def _restore_lost(
        self, task: Task, run: Run, stored: list[tuple[TaskOutput, str]]
    ) -> tuple[str, ...]:
        """Store again each source whose entry is gone; their keys.

        max_entries, max_bytes and ttl bound every run of the context together: other runs'
        puts evict this run's oldest outputs, while CrewAI still holds them.
        """
        restored = []
        for output, key in stored:
            reason = run.ctx.missing_reason(key)
            if reason is None:
                continue
            logger.warning(
                "agent-baton: output %r, which task %r receives, was %s from scope %s "
                "(max_entries, max_bytes and ttl bound all runs of the context together); "
                "stored again from CrewAI's output",
                key,
                self.key_for(task),
                reason,
                "/".join(run.ctx.scope_path),
            )
            run.store_again(key, output)
            restored.append(key)
        return tuple(restored)


def _tool_names(task: Task, ctx: SharedContext) -> ToolNames:
    """The names of the task's agent's tools over ``ctx``, for markers; the defaults if none.

    Tools over another context (a second baton's, prefixed) would read the wrong entries.
    """
    from agent_baton_crewai.tools import _SharedContextTool

    agent_tools = (task.agent.tools or []) if task.agent is not None else []
    tools = [*(task.tools or []), *agent_tools]
    ours = [t for t in tools if isinstance(t, _SharedContextTool) and t.origin.ctx is ctx]
    return ours[0].names if ours else ToolNames()


def _attachment_of(crew: Any) -> _Attachment | None:
    hook = vars(crew).get(CONTEXT_HOOK) if hasattr(crew, "__dict__") else None
    owner = getattr(hook, "__self__", None)
    return owner if isinstance(owner, _Attachment) else None


def _key_of_output(output: TaskOutput) -> str:
    # CrewAI sets TaskOutput.name to the task's name, or to its description when unnamed.
    name = output.name if output.name != output.description else None
    return task_key(name, output.description)
