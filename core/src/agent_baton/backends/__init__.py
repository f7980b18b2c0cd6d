"""Storage backends for SharedContext."""

from agent_baton.backends.base import Backend
from agent_baton.backends.memory import MemoryBackend

__all__ = ["Backend", "MemoryBackend"]
