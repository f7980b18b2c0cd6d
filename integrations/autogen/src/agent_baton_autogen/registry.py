"""Named SharedContexts, so that a team dumped to a component config can be loaded again.

A :class:`~agent_baton.SharedContext` holds live data and cannot be written into a config;
:class:`~agent_baton_autogen.BatonChatCompletionContext` writes its ``context_name`` instead and
looks the context up here when it is loaded. Register a context under that name before
``load_component`` to share your own; otherwise the first agent loaded creates a fresh one and
the others share it. A name taken by a dump or a load (not registered) is held only while its
context is in use, so a process that makes a context per request or per test can dump each.
"""

from __future__ import annotations

import gc
import threading
import weakref

from agent_baton import SharedContext

DEFAULT_CONTEXT_NAME = "default"

_contexts: dict[str, SharedContext] = {}  # registered by the user: kept until unregistered
# Taken by a dump or a load: held by the contexts that use them, not by the registry.
_claimed: weakref.WeakValueDictionary[str, SharedContext] = weakref.WeakValueDictionary()
_lock = threading.Lock()


def register_shared_context(name: str, ctx: SharedContext) -> None:
    """Make ``ctx`` the context that configs naming ``name`` load with (replacing any other)."""
    _check_name(name)
    if not isinstance(ctx, SharedContext):
        raise TypeError(f"ctx must be an agent_baton.SharedContext, not {type(ctx).__name__}")
    with _lock:
        _contexts[name] = ctx
        _claimed.pop(name, None)


def get_shared_context(name: str) -> SharedContext | None:
    """The context registered under ``name``, or None."""
    _check_name(name)
    with _lock:
        return _held(name)


def unregister_shared_context(name: str) -> bool:
    """Forget the context registered under ``name``; False when there was none."""
    _check_name(name)
    with _lock:
        registered, claimed = _contexts.pop(name, None), _claimed.pop(name, None)
        return registered is not None or claimed is not None


def claim_name(name: str, ctx: SharedContext) -> None:
    """Take ``name`` for ``ctx`` unless another context in use holds it (then an error)."""
    with _lock:
        taken = _held(name) not in (None, ctx) and name not in _contexts
    if taken:  # maybe by a context no longer used but in a reference cycle: collect it
        gc.collect()
    with _lock:
        current = _held(name)
        if current is None:
            _claimed[name] = current = ctx
    if current is not ctx:
        raise ValueError(
            f"the context name {name!r} is registered for another SharedContext; give this "
            "BatonChatCompletionContext its own context_name=..., or call "
            "register_shared_context() to replace it"
        )


def resolve_name(name: str) -> SharedContext:
    """The context registered under ``name``, created (and held while used) when there is none."""
    with _lock:
        ctx = _held(name)
        if ctx is None:
            ctx = _claimed[name] = SharedContext()
        return ctx


def _held(name: str) -> SharedContext | None:
    return _contexts.get(name) or _claimed.get(name)  # a SharedContext is always truthy


def _check_name(name: object) -> None:
    if not isinstance(name, str) or not name:
        raise ValueError(f"a context name must be a non-empty str, not {name!r}")
