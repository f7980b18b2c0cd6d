"""What a context derives from its entries (search indexes, recompressions), within a budget.

Items are filed under the entry they come from, so deleting an entry forgets them all, and
the least recently used go first when their sizes add up to more than the budget. Nothing
here is shared between contexts: no word of one context's content outlives it elsewhere.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class DerivedCache:
    """A thread-safe LRU of ``(entry key, item) -> value``, bounded by the values' sizes."""

    def __init__(self, budget: int, forget: Callable[[object], None] | None = None) -> None:
        """``forget(value)`` is called for each value dropped (to cancel work it stands for)."""
        self.budget = budget
        self._forget = forget
        self._items: OrderedDict[tuple[str, Hashable], tuple[object, int]] = OrderedDict()
        self._by_entry: dict[str, set[Hashable]] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        """The sizes of the values held, added up."""
        return self._bytes

    def get(self, entry: str, item: Hashable) -> object | None:
        """The value filed under ``entry`` as ``item``, or None; it becomes the most recent."""
        with self._lock:
            held = self._items.get((entry, item))
            if held is None:
                return None
            self._items.move_to_end((entry, item))
            return held[0]

    def put(self, entry: str, item: Hashable, value: object, size: int) -> None:
        """File ``value`` (``size`` bytes), then drop the least recent items over the budget."""
        with self._lock:
            self._remove((entry, item))
            self._items[(entry, item)] = (value, size)
            self._by_entry.setdefault(entry, set()).add(item)
            self._bytes += size
            self._shrink()

    def resize(self, entry: str, item: Hashable, value: object, size: int) -> None:
        """Charge ``size`` bytes for ``value`` if it is still what is filed there."""
        with self._lock:
            held = self._items.get((entry, item))
            if held is not None and held[0] is value:
                self._items[(entry, item)] = (value, size)
                self._bytes += size - held[1]
                self._shrink()

    def drop(self, entry: str) -> None:
        """Forget everything derived from ``entry``."""
        with self._lock:
            for item in list(self._by_entry.get(entry, ())):
                self._remove((entry, item))

    def drop_entries(self, doomed: Callable[[str], bool]) -> None:
        """Forget everything derived from the entries for which ``doomed(key)`` holds."""
        with self._lock:
            for entry in [e for e in self._by_entry if doomed(e)]:
                for item in list(self._by_entry[entry]):
                    self._remove((entry, item))

    def entries(self) -> list[str]:
        """The entry keys that have something filed."""
        with self._lock:
            return list(self._by_entry)

    def _remove(self, slot: tuple[str, Hashable]) -> None:
        held = self._items.pop(slot, None)
        if held is None:
            return
        self._bytes -= held[1]
        if self._forget is not None:
            self._forget(held[0])
        items = self._by_entry[slot[0]]
        items.discard(slot[1])
        if not items:
            del self._by_entry[slot[0]]

    def _shrink(self) -> None:
        while self._bytes > self.budget and self._items:
            self._remove(next(iter(self._items)))
