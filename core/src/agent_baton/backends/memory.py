"""The default backend: a dict in this process, guarded by one lock."""

from __future__ import annotations

import heapq
import threading
import time
from collections import OrderedDict

from agent_baton.backends.base import SCOPE_SEP, Backend
from agent_baton.entry import ContextEntry

_ENTRIES, _BYTES = 0, 1  # the bounds, as indexes of MemoryBackend._ranks
_Rank = tuple[int, int, str]  # (-entries or -bytes held, oldest entry's put number, scope)


class MemoryBackend(Backend):
    """Entries in put order (so the oldest is first), one lock for every operation.

    At a bound, a put evicts the oldest entry of the scope that holds the most (see
    :meth:`Backend.put`), found at the top of a heap of the scopes: in logarithmic time.
    Age is measured on ``time.monotonic`` unless the context injects a clock: a wall clock
    that steps back (NTP, a suspended laptop) cannot make an old entry look fresh.
    """

    def __init__(self) -> None:
        # key -> (entry, the time it was put by the clock that judges its age, put number)
        self._entries: OrderedDict[str, tuple[ContextEntry, float, int]] = OrderedDict()
        # scope prefix -> its own keys, in the order of _entries: a scope's reads visit these
        # rather than every entry of every scope; and the bytes they take.
        self._scopes: dict[str, dict[str, None]] = {}
        self._scope_bytes: dict[str, int] = {}
        self._bytes = 0  # total size_bytes of the entries held
        self._puts = 0  # put numbers: which of two scopes' oldest entries is older
        # Per bound (entries, bytes), a heap of (-what a scope holds, its oldest entry's put
        # number, its prefix): pushed at every change, stale ranks dropped when met.
        self._ranks: tuple[list[_Rank], list[_Rank]] = ([], [])
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
        """Store ``entry``, evicting expired entries, then the busiest scope's oldest ones."""
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
        scope, size = _scope_of(entry.key), entry.size_bytes
        if self._pop(entry.key) is None:
            self._drop_expired(ttl, now, dropped)
            while len(self._entries) >= max_entries:
                self._evict(_ENTRIES, scope, 1, dropped)
        if max_bytes is not None and self._bytes + size > max_bytes:
            self._drop_expired(ttl, now, dropped)
            while self._entries and self._bytes + size > max_bytes:
                self._evict(_BYTES, scope, size, dropped)
        self._puts += 1
        self._entries[entry.key] = (entry, now, self._puts)
        self._scopes.setdefault(scope, {})[entry.key] = None
        self._scope_bytes[scope] = self._scope_bytes.get(scope, 0) + size
        self._bytes += size
        self._reshare(scope)
        return dropped

    def _evict(self, bound: int, scope: str, adding: int, dropped: list[str]) -> None:
        """Drop the oldest entry of the scope holding the most, counting what ``scope`` adds.

        The entry being put counts in its scope, so a writer never takes from a scope that
        would then hold more than it; among equals, the scope whose oldest entry is oldest.
        """
        heap = self._ranks[bound]
        while heap[0] != self._rank(bound, heap[0][2]):  # changed since it was pushed
            heapq.heappop(heap)
        busiest = heap[0][2]
        mine = self._rank(bound, scope)
        if mine is not None and busiest != scope and (mine[0] - adding, mine[1]) < heap[0][:2]:
            busiest = scope
        key = next(iter(self._scopes[busiest]))
        self._pop(key)
        dropped.append(key)

    def _rank(self, bound: int, scope: str) -> _Rank | None:
        """Where ``scope`` ranks now for ``bound`` (the lowest first), ``None`` when empty."""
        keys = self._scopes.get(scope)
        if not keys:
            return None
        held = len(keys) if bound == _ENTRIES else self._scope_bytes[scope]
        return -held, self._entries[next(iter(keys))][2], scope

    def _reshare(self, scope: str) -> None:
        """Rank ``scope`` again after a change; rebuild a heap grown stale."""
        for bound, heap in enumerate(self._ranks):
            rank = self._rank(bound, scope)
            if rank is not None:
                heapq.heappush(heap, rank)
            if len(heap) > 2 * len(self._scopes) + 64:
                heap[:] = [r for s in self._scopes if (r := self._rank(bound, s)) is not None]
                heapq.heapify(heap)

    def _pop(self, key: str) -> tuple[ContextEntry, float, int] | None:
        """Remove ``key`` from the entries, its scope's keys and the byte counts; what it held."""
        held = self._entries.pop(key, None)
        if held is not None:
            scope, size = _scope_of(key), held[0].size_bytes
            keys = self._scopes[scope]
            del keys[key]
            self._bytes -= size
            self._scope_bytes[scope] -= size
            if not keys:
                del self._scopes[scope]
                del self._scope_bytes[scope]
            self._reshare(scope)
        return held

    def _drop_expired(self, ttl: float | None, now: float, dropped: list[str]) -> None:
        if ttl is None:
            return
        # Every entry is tested, not only a prefix: an injected clock may go back.
        for key in [k for k, (_, put_at, _) in self._entries.items() if now - put_at >= ttl]:
            self._pop(key)
            dropped.append(key)

    def get(self, key: str, *, ttl: float | None, now: float | None) -> ContextEntry | None:
        """The live entry under ``key``; an expired one is dropped on the way."""
        now = time.monotonic() if now is None else now
        with self._lock:
            held = self._entries.get(key)
            if held is None:
                return None
            if ttl is not None and now - held[1] >= ttl:
                self._pop(key)
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
                for key, (e, put_at, _) in self._entries.items()
                if key.startswith(prefix) and (ttl is None or now - put_at < ttl)
            ]

    def entries_in(
        self, prefix: str, *, ttl: float | None, now: float | None
    ) -> list[ContextEntry]:
        """The live entries of the scope ``prefix`` itself, from its own keys, oldest first."""
        now = time.monotonic() if now is None else now
        with self._lock:
            found = (self._entries[key] for key in self._scopes.get(prefix, ()))
            return [e for e, put_at, _ in found if ttl is None or now - put_at < ttl]

    def delete(self, key: str) -> bool:
        """Remove ``key``; return whether it was there."""
        with self._lock:
            return self._pop(key) is not None

    def clear(self) -> None:
        """Remove every entry."""
        with self._lock:
            self._entries.clear()
            self._scopes.clear()
            self._scope_bytes.clear()
            for heap in self._ranks:
                heap.clear()
            self._bytes = 0


def _scope_of(key: str) -> str:
    """The prefix of the scope a stored key is directly in (``""``: the root)."""
    return key[: key.rfind(SCOPE_SEP) + 1]
