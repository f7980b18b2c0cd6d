"""The storage interface behind a SharedContext.

A backend stores finished :class:`ContextEntry` objects and enforces expiry and the entry
bound atomically; compression and token counting happen before it is called.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from agent_baton.entry import ContextEntry


class BackendUnavailableError(ConnectionError):
    """A shared backend (such as Redis) could not be reached within its timeout.

    Raised by the call that needed it. A write is atomic, so it happened whole or not at all;
    a later call works once the backend is back.
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
        now: float,
        max_bytes: int | None = None,
    ) -> None:
        """Store ``entry`` under ``entry.key``, replacing any entry with that key.

        A new key at ``max_entries`` first drops expired entries, then the oldest live one;
        replacing an existing key never drops another entry for that bound. ``max_bytes``
        bounds the entries' total ``size_bytes`` the same way (expired, then oldest), for
        updates too; a backend that cannot enforce it says so in its documentation.
        """

    @abstractmethod
    def get(self, key: str, *, ttl: float | None, now: float) -> ContextEntry | None:
        """The live entry under ``key``, or ``None`` when missing or expired."""

    @abstractmethod
    def entries(self, *, ttl: float | None, now: float) -> list[ContextEntry]:
        """All live entries, oldest first."""

    @abstractmethod
    def delete(self, key: str) -> bool:
        """Remove ``key``; return whether it was there."""

    @abstractmethod
    def clear(self) -> None:
        """Remove every entry."""
