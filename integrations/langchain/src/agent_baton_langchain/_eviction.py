"""Who a put would evict: the context's rule, replayed on a listing of its scopes."""

from __future__ import annotations

from collections import OrderedDict

from agent_baton import ContextEntry

_Path = tuple[str, ...]


class Holdings:
    """The live entries of every scope, as the backend ranks them for eviction.

    At a bound, a put evicts the oldest entry of the scope holding the most (entries, or
    bytes for ``max_bytes``), the new entry counted in its own scope; among equals, the scope
    whose oldest entry is oldest (:meth:`agent_baton.Backend.put`). The middleware asks this
    before a put to give up its own copies only when its scope is the one that would pay.
    """

    def __init__(self, listing: list[tuple[_Path, ContextEntry]], mine: _Path) -> None:
        """From ``entries_in_scopes()`` (oldest first) and the path of the putting scope."""
        # scope -> key -> (age: position in the listing, size in bytes), oldest first
        self._scopes: dict[_Path, OrderedDict[str, tuple[int, int]]] = {}
        for age, (path, entry) in enumerate(listing):
            self._scopes.setdefault(path, OrderedDict())[entry.key] = (age, entry.size_bytes)
        self._mine = mine
        self._count = len(listing)
        self._bytes = sum(entry.size_bytes for _, entry in listing)

    def over(self, max_entries: int, max_bytes: int | None, adding: int, by_bytes: bool) -> bool:
        """Whether a put of a new entry (``adding`` bytes) evicts for the bound asked."""
        if not self._count:  # nothing left to evict: the put fits or is refused
            return False
        if by_bytes:
            return max_bytes is not None and self._bytes + adding > max_bytes
        return self._count >= max_entries

    def evicts_own(self, adding: int, by_bytes: bool) -> bool:
        """Whether the next eviction falls on the putting scope (``adding``: what it puts)."""
        ranks = {path: self._rank(path, by_bytes) for path in self._scopes}
        mine = ranks.pop(self._mine, None)
        if mine is None:
            return False
        if not ranks:
            return True
        return (mine[0] - adding, mine[1]) < min(ranks.values())

    def evict_other(self, by_bytes: bool) -> None:
        """Forget the oldest entry of the busiest scope but the putting one: the put's victim."""
        others = [path for path in self._scopes if path != self._mine]
        victim = min(others, key=lambda path: self._rank(path, by_bytes))
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

    def _rank(self, path: _Path, by_bytes: bool) -> tuple[int, int]:
        """(minus what ``path`` holds, its oldest entry's age): the lowest is evicted first."""
        keys = self._scopes[path]
        held = sum(size for _, size in keys.values()) if by_bytes else len(keys)
        return -held, next(iter(keys.values()))[0]
