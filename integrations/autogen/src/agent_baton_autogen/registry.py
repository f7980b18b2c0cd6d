"""Named SharedContexts, so that a team dumped to a component config can be loaded again.

A :class:`~agent_baton.SharedContext` holds live data and cannot be written into a config;
:class:`~agent_baton_autogen.BatonChatCompletionContext` writes its ``context_name`` instead and
looks the context up here when it is loaded. Register a context under that name before
``load_component`` to share your own; otherwise the first agent loaded creates a fresh one and
the others share it.
"""

from __future__ import annotations

import threading

from agent_baton import SharedContext

DEFAULT_CONTEXT_NAME = "default"

_contexts: dict[str, SharedContext] = {}
_lock = threading.Lock()


def register_shared_context(name: str, ctx: SharedContext) -> None:
    """Make ``ctx`` the context that configs naming ``name`` load with (replacing any other)."""
    _check_name(name)
    if not isinstance(ctx, SharedContext):
        raise TypeError(f"ctx must be an agent_baton.SharedContext, not {type(ctx).__name__}")
    with _lock:
        _contexts[name] = ctx


def get_shared_context(name: str) -> SharedContext | None:
    """The context registered under ``name``, or None."""
    _check_name(name)
    with _lock:
        return _contexts.get(name)


def unregister_shared_context(name: str) -> bool:
    """Forget the context registered under ``name``; False when there was none."""
    _check_name(name)
    with _lock:
        return _contexts.pop(name, None) is not None


def claim_name(name: str, ctx: SharedContext) -> None:
    """Register ``ctx`` under ``name`` unless taken; a different context there is an error."""
    with _lock:
        current = _contexts.setdefault(name, ctx)
    if current is not ctx:
        raise ValueError(
            f"the context name {name!r} is registered for another SharedContext; give this "
            "BatonChatCompletionContext its own context_name=..., or call "
            "register_shared_context() to replace it"
        )


def resolve_name(name: str) -> SharedContext:
    """The context registered under ``name``, created and registered when there is none."""
    with _lock:
        ctx = _contexts.get(name)
        if ctx is None:
            ctx = _contexts[name] = SharedContext()
        return ctx


def _check_name(name: object) -> None:
    if not isinstance(name, str) or not name:
        raise ValueError(f"a context name must be a non-empty str, not {name!r}")
