"""Storage backends for SharedContext."""

from agent_baton.backends.base import (
    Backend,
    BackendError,
    BackendUnavailableError,
    CorruptEntryError,
)
from agent_baton.backends.memory import MemoryBackend
from agent_baton.backends.redis import RedisBackend

__all__ = [
    "Backend",
    "BackendError",
    "BackendUnavailableError",
    "CorruptEntryError",
    "MemoryBackend",
    "RedisBackend",
]
