"""Storage backends for SharedContext."""

from agent_baton.backends.base import Backend, BackendUnavailableError
from agent_baton.backends.memory import MemoryBackend
from agent_baton.backends.redis import RedisBackend

__all__ = ["Backend", "BackendUnavailableError", "MemoryBackend", "RedisBackend"]
