"""agent-baton: hand work from one agent to the next in full and compressed form.

The compression pipeline on its own: ``from agent_baton.compress import compress``.

>>> from agent_baton import SharedContext
>>> ctx = SharedContext()
>>> entry = ctx.put("research", "findings ...", agent="researcher")
>>> ctx.get("research")            # compressed, for the next agent's prompt
'findings ...'
>>> ctx.get("research", full=True) # the original, on demand
'findings ...'
"""

from agent_baton.backends import (
    Backend,
    BackendError,
    BackendUnavailableError,
    CorruptEntryError,
    MemoryBackend,
    RedisBackend,
)
from agent_baton.compress import CompressionResult
from agent_baton.content import Content
from agent_baton.context import MAX_KEY_CHARS, SharedContext
from agent_baton.entry import ContextEntry, EntryTooLargeError, SharedContextStats
from agent_baton.search import Hit
from agent_baton.tokens import DEFAULT_MODEL, TokenCounter, TokenCounterError, get_token_counter

__all__ = [
    "DEFAULT_MODEL",
    "MAX_KEY_CHARS",
    "Backend",
    "BackendError",
    "BackendUnavailableError",
    "CompressionResult",
    "Content",
    "ContextEntry",
    "CorruptEntryError",
    "EntryTooLargeError",
    "Hit",
    "MemoryBackend",
    "RedisBackend",
    "SharedContext",
    "SharedContextStats",
    "TokenCounter",
    "TokenCounterError",
    "get_token_counter",
]


def __getattr__(name: str) -> str:
    # The version is read from the installed metadata at its first use: importlib.metadata
    # would add a tenth of a second to every import of agent_baton.
    if name == "__version__":
        from agent_baton.version import distribution_version

        globals()["__version__"] = version = distribution_version("agent-baton", __file__)
        return version
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
