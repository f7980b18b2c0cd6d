"""Which run a call belongs to: the scope of a SharedContext that a call reads and writes.

By default a run is a LangGraph thread (``config["configurable"]["thread_id"]``): one
compiled agent serving threads ``alice`` and ``bob`` keeps their entries apart. Outside
LangGraph, a ``RunnableWithMessageHistory`` session (``config["configurable"]["session_id"]``)
is the run, the scope its :class:`~agent_baton_langchain.BatonChatMessageHistory` is kept in.
A call with neither (a plain ``invoke`` without a checkpointer) uses the context as given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.runnables import RunnableConfig

from agent_baton import SharedContext


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What a scope can be derived from: the call's LangGraph thread, runtime context, config."""

    thread_id: str | None
    """``config["configurable"]["thread_id"]`` as a str (``1`` is ``"1"``, one thread in
    LangGraph), or ``None`` outside a thread. LangGraph keeps ``0`` apart from ``"0"``:
    :func:`by_thread` does too, a resolver of your own sees ``"0"`` for both."""
    context: Any
    """LangGraph's ``runtime.context`` (what ``invoke(..., context=...)`` passed), or ``None``."""
    config: RunnableConfig
    """The call's whole ``RunnableConfig``."""
    session_id: str | None = None
    """``config["configurable"]["session_id"]`` (``RunnableWithMessageHistory``'s) as a str."""


ScopeResolver = Callable[[RunInfo], str | None]
"""Gives the scope name of a run, or ``None`` for the unscoped context."""

Scope = str | ScopeResolver | None
"""A fixed scope name, a resolver called on every call, or ``None`` (never scoped)."""


def by_thread(run: RunInfo) -> str | None:
    """The default scope: the run's LangGraph ``thread_id``, else its history ``session_id``."""
    return run.thread_id if run.thread_id is not None else run.session_id


def run_info(config: RunnableConfig, context: Any = None) -> RunInfo:
    """The :class:`RunInfo` of a call from its config (and the runtime context, if known)."""
    configurable = config.get("configurable") or {}
    thread_id, session_id = configurable.get("thread_id"), configurable.get("session_id")
    return RunInfo(thread_scope(thread_id), context, config, thread_scope(session_id))


def thread_scope(thread_id: object) -> str | None:
    """The scope name of a ``thread_id`` (or ``session_id``): itself, or its str.

    LangGraph keys a thread's checkpoints by ``str(thread_id)`` (its Pregel loop converts
    any other type): ``1`` and ``"1"`` are one thread, so they are one scope. ``""``, which
    LangGraph takes too, names no scope: such a run uses the context as a run without a
    thread does (both are shared by every run that passes them).
    """
    if thread_id is None or thread_id == "":
        return None
    return thread_id if isinstance(thread_id, str) else str(thread_id)


def thread_path(thread_id: object) -> tuple[str, ...]:
    """The scope names of a thread as :func:`by_thread` tells threads apart, outermost first.

    ``()`` without a thread, ``(str(thread_id),)`` for most. LangGraph converts a non-str
    ``thread_id`` to its str only when it is truthy (its Pregel loop:
    ``if thread_id := ...``), so its in-memory checkpointer keeps thread ``0`` (enumerate's
    first) apart from ``"0"``: such an id (``0``, ``0.0``, ``False``) gets a scope of its
    type's name inside its str's, ``("0", "int")``, which no str thread can name.
    """
    name = thread_scope(thread_id)
    if name is None:
        return ()
    if isinstance(thread_id, str) or thread_id:
        return (name,)
    return (name, type(thread_id).__name__)


def runtime_context() -> Any:
    """LangGraph's ``runtime.context`` of the graph run this is called in, else ``None``."""
    try:
        from langgraph.runtime import get_runtime
    except ImportError:  # langchain-core alone: no LangGraph runs
        return None
    try:
        runtime = get_runtime()
    except (RuntimeError, KeyError):  # called outside a LangGraph run
        return None
    return None if runtime is None else runtime.context


def scoped(ctx: SharedContext, scope: Scope, run: RunInfo) -> SharedContext:
    """The view of ``ctx`` that a call of ``run`` uses.

    Raises:
        ValueError: If a resolver raises, or gives something other than a non-empty str or
            ``None``.
    """
    if callable(scope):
        try:
            name = scope(run)
        except Exception as exc:
            # The resolver's own error (often ``run.context`` is None: no ``context=``) does
            # not say which setting failed on what: name both.
            context = "None" if run.context is None else type(run.context).__name__
            raise ValueError(
                f"the scope resolver {getattr(scope, '__qualname__', scope)!r} (the scope= "
                f"setting) raised {type(exc).__name__}: {exc}; the run had "
                f"thread_id={run.thread_id!r}, session_id={run.session_id!r}, context={context} "
                "(a resolver reading run.context needs invoke(..., context=...))"
            ) from exc
    else:
        name = scope
    if name is None:
        return ctx
    if not isinstance(name, str) or not name:
        raise ValueError(f"a scope must be a non-empty str or None, not {name!r}")
    path: tuple[str, ...] = (name,)
    if scope is by_thread and name == run.thread_id:
        path = thread_path((run.config.get("configurable") or {}).get("thread_id"))
    try:
        for part in path:
            ctx = ctx.scope(part)
    except ValueError as exc:  # the core's message does not say where the name came from
        source = {run.session_id: "session_id", run.thread_id: "thread_id"}.get(name, "scope=")
        raise ValueError(f"the run's {source} {name!r} cannot name a scope: {exc}") from exc
    return ctx


def check_scope(scope: object) -> Scope:
    """``scope`` if it is a valid :data:`Scope` argument.

    Raises:
        TypeError: If it is neither a str, a callable nor ``None``.
        ValueError: If it is the empty str.
    """
    if scope is None or callable(scope):
        return scope
    if not isinstance(scope, str):
        raise TypeError(
            f"scope must be a str, a function of RunInfo or None, not {type(scope).__name__}"
        )
    if not scope:
        raise ValueError("scope must not be empty")
    return scope
