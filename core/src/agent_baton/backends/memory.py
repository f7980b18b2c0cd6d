"""The default backend: a dict in this process, guarded by one lock."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from agent_baton.backends.base import SCOPE_SEP, Backend
from agent_baton.entry import ContextEntry


class MemoryBackend(Backend):
    """Entries in put order (so the oldest is first), one lock for every operation.

    Age is measured on ``time.monotonic`` unless the context injects a clock: a wall clock
    that steps back (NTP, a suspended laptop) cannot make an old entry look fresh.
    """

    def __init__(self) -> None:
        # key -> (entry, the time it was put by the clock that judges its age)
        self._entries: OrderedDict[str, tuple[ContextEntry, float]] = OrderedDict()
        # scope prefix -> its own keys, in the order of _entries: a scope's reads visit these
        # rather than every entry of every scope.
        self._scopes: dict[str, dict[str, None]] = {}
        self._bytes = 0  # total size_bytes of the entries held
        self._lock = threading.Lock()

    def put(
        self,
        entry: ContextEntry,
        *,
        ttl: float | None,
        max_entries: int,
        now: float | None,
        max_bytes: int | None = None,
    ) -> list[str]:
        """Store ``entry``, evicting expired then oldest entries to respect both bounds."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return self._put(entry, ttl, max_entries, now, max_bytes)

    def put_new(
        self,
        entry: ContextEntry,
        *,
        ttl: float | None,
        max_entries: int,
        now: float | None,
        max_bytes: int | None = None,
    ) -> list[str] | None:
        """:meth:`put` unless a live entry holds the key (``None``), under one lock hold."""
        now = time.monotonic() if now is None else now
        with self._lock:
            held = self._entries.get(entry.key)
            if held is not None and (ttl is None or now - held[1] < ttl):
                return None
            return self._put(entry, ttl, max_entries, now, max_bytes)

    def _put(
        self,
        entry: ContextEntry,
        ttl: float | None,
        max_entries: int,
        now: float,
        max_bytes: int | None,
    ) -> list[str]:
        dropped: list[str] = []
        old = self._pop(entry.key)
        if old is not None:
            self._bytes -= old[0].size_bytes
        else:
            self._drop_expired(ttl, now, dropped)
            while len(self._entries) >= max_entries:
                self._pop_oldest(dropped)
        if max_bytes is not None and self._bytes + entry.size_bytes > max_bytes:
            self._drop_expired(ttl, now, dropped)
            while self._entries and self._bytes + entry.size_bytes > max_bytes:
                self._pop_oldest(dropped)
        self._entries[entry.key] = (entry, now)
        self._scopes.setdefault(_scope_of(entry.key), {})[entry.key] = None
        self._bytes += entry.size_bytes
        return dropped

    def _pop(self, key: str) -> tuple[ContextEntry, float] | None:
        """Remove ``key`` from the entries and its scope's keys; what it held, if anything."""
        held = self._entries.pop(key, None)
        if held is not None:
            scope = _scope_of(key)
            keys = self._scopes[scope]
            del keys[key]
            if not keys:
                del self._scopes[scope]
        return held

    def _drop_expired(self, ttl: float | None, now: float, dropped: list[str]) -> None:
        if ttl is None:
            return
        # Every entry is tested, not only a prefix: an injected clock may go back.
        for key in [k for k, (_, put_at) in self._entries.items() if now - put_at >= ttl]:
            self._bytes -= self._held(key)[0].size_bytes
            dropped.append(key)

    def _pop_oldest(self, dropped: list[str]) -> None:
        key = next(iter(self._entries))
        self._bytes -= self._held(key)[0].size_bytes
        dropped.append(key)

    def _held(self, key: str) -> tuple[ContextEntry, float]:
        held = self._pop(key)
        assert held is not None  # callers pass keys they found in _entries
        return held

    def get(self, key: str, *, ttl: float | None, now: float | None) -> ContextEntry | None:
        """The live entry under ``key``; an expired one is dropped on the way."""
        now = time.monotonic() if now is None else now
        with self._lock:
            held = self._entries.get(key)
            if held is None:
                return None
            if ttl is not None and now - held[1] >= ttl:
                self._pop(key)
                self._bytes -= held[0].size_bytes
                return None
            return held[0]

    def entries(self, *, ttl: float | None, now: float | None) -> list[ContextEntry]:
        """All live entries, oldest first."""
        return self.entries_under("", ttl=ttl, now=now)

    def entries_under(
        self, prefix: str, *, ttl: float | None, now: float | None
    ) -> list[ContextEntry]:
        """The live entries whose keys start with ``prefix``, oldest first."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return [
                e
                for key, (e, put_at) in self._entries.items()
                if key.startswith(prefix) and (ttl is None or now - put_at < ttl)
            ]

    def entries_in(
        self, prefix: str, *, ttl: float | None, now: float | None
    ) -> list[ContextEntry]:
        """The live entries of the scope ``prefix`` itself, from its own keys, oldest first."""
        now = time.monotonic() if now is None else now
        with self._lock:
            found = (self._entries[key] for key in self._scopes.get(prefix, ()))
            return [e for e, put_at in found if ttl is None or now - put_at < ttl]

    def delete(self, key: str) -> bool:
        """Remove ``key``; return whether it was there."""
        with self._lock:
            held = self._pop(key)
            if held is None:
                return False
            self._bytes -= held[0].size_bytes
            return True

    def clear(self) -> None:
        """Remove every entry."""
        with self._lock:
            self._entries.clear()
            self._scopes.clear()
            self._bytes = 0


def _scope_of(key: str) -> str:
    """The prefix of the scope a stored key is directly in (``""``: the root)."""
    return key[: key.rfind(SCOPE_SEP) + 1]
