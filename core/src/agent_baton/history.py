"""What a context remembers about keys, per scope: one scope's writes never push out another's.

``missing_reason`` tells why a key is gone from what was remembered when it was put, and
``append`` numbers an agent's runs from what it handed out before. Each scope keeps its own
latest keys, so a user who puts thousands of keys forgets only their own. All scopes together
stay within a byte budget; over it, the scopes that hold the most give up their oldest keys
first, down to an even level, so a scope that holds little keeps it while any holds more.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")

_SLOT_BYTES = 100  # an OrderedDict slot and its link, besides the key and the value
_SCOPE_BYTES = 330  # a scope's OrderedDict and its slots in the tables of scopes
_TRIM_TO = 7 / 8  # of the budget, after a trim: trims come in batches (they sort the scopes)


class ScopedHistory(Generic[V]):
    """A thread-safe map of ``(scope, key) -> value``, most recent ``per_scope`` keys a scope."""

    def __init__(self, per_scope: int, budget: int) -> None:
        """``budget``: bytes that the keys and values of every scope together may take."""
        self.per_scope = per_scope
        self.budget = budget
        self._scopes: dict[str, OrderedDict[str, V]] = {}
        self._sizes: dict[str, int] = {}  # bytes each scope holds
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        """The bytes held, every scope's added up."""
        return self._bytes

    def get(self, scope: str, key: str) -> V | None:
        """The value remembered for ``key`` in ``scope``, or None."""
        with self._lock:
            table = self._scopes.get(scope)
            return None if table is None else table.get(key)

    def items(self, scope: str) -> list[tuple[str, V]]:
        """The keys remembered in ``scope`` and their values, oldest set first."""
        with self._lock:
            return list(self._scopes.get(scope, {}).items())

    def set(self, scope: str, key: str, value: V) -> None:
        """Remember ``value`` for ``key`` in ``scope`` as its most recent key."""
        with self._lock:
            table = self._scopes.get(scope)
            if table is None:
                table = self._scopes[scope] = OrderedDict()
                self._sizes[scope] = 0
                self._charge(scope, sys.getsizeof(scope) + _SCOPE_BYTES)
            self._forget(scope, key)
            table[key] = value
            self._charge(scope, _size(key, value))
            if len(table) > self.per_scope:
                self._forget(scope, next(iter(table)))
            if self._bytes > self.budget:
                self._trim(scope)

    def pop(self, scope: str, key: str) -> None:
        """Forget ``key`` in ``scope``."""
        with self._lock:
            self._forget(scope, key)
            self._drop_if_empty(scope)

    def drop_scopes(self, doomed: Callable[[str], bool]) -> None:
        """Forget every scope for which ``doomed(scope)`` holds."""
        with self._lock:
            for scope in [s for s in self._scopes if doomed(s)]:
                self._bytes -= self._sizes.pop(scope)
                del self._scopes[scope]

    def _forget(self, scope: str, key: str) -> None:
        table = self._scopes.get(scope)
        if table is not None and key in table:
            self._charge(scope, -_size(key, table.pop(key)))

    def _charge(self, scope: str, size: int) -> None:
        self._sizes[scope] += size
        self._bytes += size

    def _drop_if_empty(self, scope: str) -> None:
        if scope in self._scopes and not self._scopes[scope]:
            del self._scopes[scope]
            self._bytes -= self._sizes.pop(scope)

    def _trim(self, writer: str) -> None:
        """Bring the largest scopes down to one level, oldest keys first, under the budget.

        A scope frees whole keys, and its own table only once empty, so the level may lie
        under what a scope can keep: the trim stops once under the budget, the largest scopes
        (of equal ones the oldest) cut first, and ``writer``, whose key was just set, last.
        """
        target = int(self.budget * _TRIM_TO)
        level = _level(sorted(self._sizes.values(), reverse=True), self._bytes - target)
        others = sorted(self._sizes, key=self._sizes.__getitem__, reverse=True)
        others.remove(writer)
        for scope in [*others, writer]:
            if self._bytes <= target:
                break
            if self._sizes[scope] <= level:
                continue
            table = self._scopes[scope]
            while table and self._sizes[scope] > level and self._bytes > target:
                self._forget(scope, next(iter(table)))
            self._drop_if_empty(scope)


def _level(sizes: list[int], excess: int) -> int:
    """The highest level that cutting ``sizes`` (largest first) down to frees ``excess``."""
    cut = 0  # the sizes above the level, added up
    for k, size in enumerate(sizes, 1):
        cut += size
        below = sizes[k] if k < len(sizes) else 0
        level = (cut - excess) // k
        if level >= below:
            return max(level, 0)
    return 0


def _size(key: str, value: object) -> int:
    return sys.getsizeof(key) + sys.getsizeof(value) + _SLOT_BYTES
