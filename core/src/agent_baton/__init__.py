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

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _installed_version
from pathlib import Path

from agent_baton.backends import (
    Backend,
    BackendError,
    BackendUnavailableError,
    CorruptEntryError,
    MemoryBackend,
    RedisBackend,
)
from agent_baton.compress import CompressionResult
from agent_baton.context import SharedContext
from agent_baton.entry import ContextEntry, EntryTooLargeError, SharedContextStats
from agent_baton.search import Hit
from agent_baton.tokens import DEFAULT_MODEL, TokenCounter, TokenCounterError, get_token_counter

__all__ = [
    "DEFAULT_MODEL",
    "Backend",
    "BackendError",
    "BackendUnavailableError",
    "CompressionResult",
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


def _version(distribution: str = "agent-baton") -> str:
    """The installed distribution's version; from a source tree, its VERSION marked ``+source``.

    ``PYTHONPATH=core/src`` imports the package without installing it, so no metadata says.
    """
    try:
        return _installed_version(distribution)
    except PackageNotFoundError:
        try:  # core/VERSION, a link to VERSION at the repository root
            number = (Path(__file__).parents[2] / "VERSION").read_text(encoding="utf-8").strip()
        except OSError:
            number = "0"
        return f"{number}+source"


__version__ = _version()
