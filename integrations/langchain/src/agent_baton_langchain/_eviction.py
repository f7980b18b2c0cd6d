"""Who a put would evict: the context's rule, replayed on a listing of its scopes."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable

from agent_baton import Backend, ContextEntry, SharedContext
from agent_baton.backends.base import SCOPE_SEP

_Path = tuple[str, ...]


class Room:
    """The puts under way into one context in this process, by every middleware on it.

    A middleware deciding what to give up for a put holds :attr:`lock` and counts the
    others' puts under way (:meth:`pending_under`): two agents' runs at the bound, each with
    its own middleware, must not both count on one free slot.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: dict[int, tuple[_Path, int]] = {}  # token -> (scope path, bytes)

    def pending_under(self, base: _Path) -> list[tuple[_Path, int]]:
        """The puts under way into the scopes under ``base``, their paths relative to it."""
        cut = len(base)
        return [(path[cut:], size) for path, size in self.pending.values() if path[:cut] == base]


# By backend: the views of one context, and every middleware over any of them, share it.
_ROOMS: weakref.WeakKeyDictionary[Backend, Room] = weakref.WeakKeyDictionary()
_ROOMS_LOCK = threading.Lock()


def room_of(ctx: SharedContext) -> Room:
    """The :class:`Room` of the context ``ctx`` is a view of."""
    with _ROOMS_LOCK:
        room = _ROOMS.get(ctx.backend)
        if room is None:
            room = _ROOMS[ctx.backend] = Room()
        return room


class Holdings:
    """The live entries of every scope, as the backend ranks them for eviction.

    At a bound, a put evicts the oldest entry of the scope holding the most (entries, or
    bytes for ``max_bytes``), the new entry counted in its own scope; among equals, the scope
    whose oldest entry is oldest (:meth:`agent_baton.Backend.put`). The middleware asks this
    before a put to give up its own copies only when the put would otherwise take from its
    own scope or an entry that must stay (another run's handoff).
    """

    def __init__(
        self,
        listing: list[tuple[_Path, ContextEntry]],
        mine: _Path,
        keep: Callable[[ContextEntry], bool],
        pending: Iterable[tuple[_Path, int]] = (),
    ) -> None:
        """From ``entries_in_scopes()`` (oldest first) and the path of the putting scope.

        ``keep`` tells the entries a put must not evict while the putting scope can give
        up one of its own instead; ``pending`` are puts under way (scope, bytes), counted
        as the newest entries of their scopes.
        """
        # scope -> key -> (age: position in the listing, size in bytes, must stay)
        self._scopes: dict[_Path, OrderedDict[str, tuple[int, int, bool]]] = {}
        for age, (path, entry) in enumerate(listing):
            held = (age, entry.size_bytes, keep(entry))
            self._scopes.setdefault(path, OrderedDict())[entry.key] = held
        for newer, (path, size) in enumerate(pending, start=len(listing)):
            key = f"{SCOPE_SEP}pending{newer}"  # no entry's key holds SCOPE_SEP
            self._scopes.setdefault(path, OrderedDict())[key] = (newer, size, False)
        self._mine = mine
        self._count = sum(len(keys) for keys in self._scopes.values())
        self._bytes = sum(held[1] for keys in self._scopes.values() for held in keys.values())

    def over(self, max_entries: int, max_bytes: int | None, adding: int, by_bytes: bool) -> bool:
        """Whether a put of a new entry (``adding`` bytes) evicts for the bound asked."""
        if not self._count:  # nothing left to evict: the put fits or is refused
            return False
        if by_bytes:
            return max_bytes is not None and self._bytes + adding > max_bytes
        return self._count >= max_entries

    def must_give_up(self, adding: int, by_bytes: bool) -> bool:
        """Whether the putting scope should give up one of its own before the next eviction.

        Yes when that eviction falls on it (``adding``: what it puts), or on an entry that
        must stay; else the put takes from a busier scope, as any put does.
        """
        victim = self._victim(adding, by_bytes)
        return victim == self._mine or next(iter(self._scopes[victim].values()))[2]

    def evict_other(self, adding: int, by_bytes: bool) -> None:
        """Forget the entry the next eviction takes from another scope: the put's victim."""
        victim = self._victim(adding, by_bytes)
        self.forget(next(iter(self._scopes[victim])), victim)

    def forget(self, key: str, path: _Path | None = None) -> None:
        """Forget ``key`` of the scope ``path`` (default: the putting scope), if listed."""
        path = self._mine if path is None else path
        keys = self._scopes.get(path, OrderedDict())
        held = keys.pop(key, None)
        if held is None:
            return
        self._count -= 1
        self._bytes -= held[1]
        if not keys:
            del self._scopes[path]

    def _victim(self, adding: int, by_bytes: bool) -> _Path:
        """The scope the next eviction takes from, the putting scope's new entry counted."""

        def rank(path: _Path) -> tuple[int, int]:
            keys = self._scopes[path]
            held = sum(h[1] for h in keys.values()) if by_bytes else len(keys)
            held += adding if path == self._mine else 0
            return -held, next(iter(keys.values()))[0]

        return min(self._scopes, key=rank)
