"""The storage interface behind a SharedContext.

A backend stores finished :class:`ContextEntry` objects and enforces expiry and the entry
bound atomically; compression and token counting happen before it is called.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from agent_baton.entry import ContextEntry

SCOPE_SEP = "\x1f"
"""Ends each scope name in a stored key (``alice\x1fresearch``); refused in keys and names."""


class BackendError(RuntimeError):
    """A backend could not do what was asked; a write that raises it stored nothing.

    Raised as it is when the backend refuses (Redis out of memory under ``noeviction``, a
    missing ACL permission, a script error); the subclasses say more. No message holds
    content or credentials.
    """


class BackendUnavailableError(BackendError, ConnectionError):
    """A shared backend (such as Redis) could not be reached within its timeout.

    Raised by the call that needed it, or at once while a circuit breaker is open after
    repeated timeouts. A write that raises it never lands, not even later; a later call
    works once the backend is back.
    """


class CorruptEntryError(BackendError, ValueError):
    """The value stored under one key is not an entry this library wrote (damaged or foreign).

    Raised for that key alone: listings skip it with a logged warning.
    """


class Backend(ABC):
    """Where a SharedContext keeps its entries. Every method must be safe under many threads."""

    @abstractmethod
    def put(
        self,
        entry: ContextEntry,
        *,
        ttl: float | None,
        max_entries: int,
        now: float | None,
        max_bytes: int | None = None,
    ) -> list[str]:
        """Store ``entry`` under ``entry.key``, replacing any entry with that key.

        Returns the keys it dropped on the way (expired, or evicted for a bound), so the
        context forgets what it derived from them.

        A new key at ``max_entries`` first drops expired entries, then live ones, each the
        oldest entry of the scope holding the most entries (the new one counted in its
        scope; among scopes holding as many, the one whose oldest entry is oldest): a busy
        scope evicts its own entries, never those of a scope holding fewer. Each scope
        counts alone, not with the scopes inside it; the root's own entries are one scope.
        With one scope, that is the oldest entry. Replacing an existing key never drops
        another entry for that bound. ``max_bytes`` bounds the entries' total
        ``size_bytes`` the same way (expired, then the oldest of the scope holding the most
        bytes), for updates too; a backend that cannot enforce it says so in its
        documentation.
        ``now`` is the time by an injected clock, or ``None``: then the backend judges age by
        its own clock (one clock for every process sharing it).
        """

    def put_new(
        self,
        entry: ContextEntry,
        *,
        ttl: float | None,
        max_entries: int,
        now: float | None,
        max_bytes: int | None = None,
    ) -> list[str] | None:
        """:meth:`put`, unless a live entry holds ``entry.key``: then ``None``, nothing stored.

        The memory and Redis backends check and store atomically, so two processes appending
        to one scope never take the same key. This default, for other backends, does not.
        """
        if self.get(entry.key, ttl=ttl, now=now) is not None:
            return None
        return self.put(entry, ttl=ttl, max_entries=max_entries, now=now, max_bytes=max_bytes)

    @abstractmethod
    def get(self, key: str, *, ttl: float | None, now: float | None) -> ContextEntry | None:
        """The live entry under ``key``, or ``None`` when missing or expired."""

    @abstractmethod
    def entries(self, *, ttl: float | None, now: float | None) -> list[ContextEntry]:
        """All live entries, oldest first."""

    def entries_under(
        self, prefix: str, *, ttl: float | None, now: float | None
    ) -> list[ContextEntry]:
        """The live entries whose keys start with ``prefix``, oldest first.

        A scope reads its entries through this. The memory and Redis backends select them
        where they are stored; this default, for other backends, filters :meth:`entries`.
        """
        return [e for e in self.entries(ttl=ttl, now=now) if e.key.startswith(prefix)]

    def entries_in(
        self, prefix: str, *, ttl: float | None, now: float | None
    ) -> list[ContextEntry]:
        """The live entries of the scope ``prefix`` itself, not of the scopes inside it.

        Those whose keys are ``prefix`` then a key without :data:`SCOPE_SEP`, oldest first:
        what a scope's ``keys``, ``search`` and ``render`` read. The memory and Redis backends
        keep each scope's keys, so this does not read the other scopes' entries; this
        default, for other backends, filters :meth:`entries_under`.
        """
        start = len(prefix)
        found = self.entries_under(prefix, ttl=ttl, now=now)
        return [e for e in found if SCOPE_SEP not in e.key[start:]]

    @abstractmethod
    def delete(self, key: str) -> bool:
        """Remove ``key``; return whether it was there."""

    @abstractmethod
    def clear(self) -> None:
        """Remove every entry."""

    def close(self) -> None:  # noqa: B027 - optional: only a backend with connections has one
        """Hand back connections or other resources; a later call may open them again."""
