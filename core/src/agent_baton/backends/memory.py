"""The default backend: a dict in this process, guarded by one lock."""

from __future__ import annotations

import threading
from collections import OrderedDict

from agent_baton.backends.base import Backend
from agent_baton.entry import ContextEntry


def is_expired(entry: ContextEntry, ttl: float | None, now: float) -> bool:
    """Whether ``entry`` has outlived ``ttl`` seconds at time ``now``."""
    return ttl is not None and now - entry.timestamp >= ttl


class MemoryBackend(Backend):
    """Entries in insertion order (so the oldest is first), one lock for every operation."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, ContextEntry] = OrderedDict()
        self._bytes = 0  # total size_bytes of the entries held
        self._lock = threading.Lock()

    def put(
        self,
        entry: ContextEntry,
        *,
        ttl: float | None,
        max_entries: int,
        now: float,
        max_bytes: int | None = None,
    ) -> None:
        """Store ``entry``, evicting expired then oldest entries to respect both bounds."""
        with self._lock:
            old = self._entries.pop(entry.key, None)
            if old is not None:
                self._bytes -= old.size_bytes
            else:
                self._drop_expired(ttl, now)
                while len(self._entries) >= max_entries:
                    self._pop_oldest()
            if max_bytes is not None and self._bytes + entry.size_bytes > max_bytes:
                self._drop_expired(ttl, now)
                while self._entries and self._bytes + entry.size_bytes > max_bytes:
                    self._pop_oldest()
            self._entries[entry.key] = entry
            self._bytes += entry.size_bytes

    def _drop_expired(self, ttl: float | None, now: float) -> None:
        # Entries are in put order, so the expired ones form a prefix.
        while self._entries and is_expired(next(iter(self._entries.values())), ttl, now):
            self._pop_oldest()

    def _pop_oldest(self) -> None:
        self._bytes -= self._entries.popitem(last=False)[1].size_bytes

    def get(self, key: str, *, ttl: float | None, now: float) -> ContextEntry | None:
        """The live entry under ``key``; an expired one is dropped on the way."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and is_expired(entry, ttl, now):
                del self._entries[key]
                self._bytes -= entry.size_bytes
                return None
            return entry

    def entries(self, *, ttl: float | None, now: float) -> list[ContextEntry]:
        """All live entries, oldest first."""
        with self._lock:
            return [e for e in self._entries.values() if not is_expired(e, ttl, now)]

    def delete(self, key: str) -> bool:
        """Remove ``key``; return whether it was there."""
        with self._lock:
            entry = self._entries.pop(key, None)
            if entry is None:
                return False
            self._bytes -= entry.size_bytes
            return True

    def clear(self) -> None:
        """Remove every entry."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
