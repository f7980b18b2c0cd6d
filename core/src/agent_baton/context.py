"""SharedContext: what one agent hands to the next, in full and compressed."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any

from agent_baton.backends import Backend, MemoryBackend, RedisBackend
from agent_baton.background import worker
from agent_baton.compress import compress
from agent_baton.compress.budget import fit_lines
from agent_baton.entry import ContextEntry, EntryTooLargeError, SharedContextStats, text_bytes
from agent_baton.render import render_entries
from agent_baton.search import Hit, SearchIndex
from agent_baton.tokens import DEFAULT_MODEL, estimate_tokens, get_token_counter

DEFAULT_MAX_BYTES = 256 * 2**20  # 256 MiB
_FOCUS_CACHE_SIZE = 256  # query/budget recompressions kept (render runs before every call)
_FOCUSED_IN_RENDER = 3  # entries render recompresses around the query

Content = str | bytes | bytearray | dict[str, Any] | list[Any]


class SharedContext:
    """A thread-safe store of agent outputs, each kept in full and in compressed form.

    ``put`` compresses outside any lock, so a slow put never blocks readers. Entries expire
    ``ttl`` seconds after they were put (``None``: never); at ``max_entries`` a new key first
    evicts expired entries, then the oldest live one. ``max_bytes`` bounds the memory the
    entries take (original and compressed, UTF-8) the same way, by age; a single entry larger
    than the bound is refused with :class:`EntryTooLargeError`. ``clock`` is injectable.
    A custom ``token_counter`` replaces tiktoken; it is called from several threads at once
    (the puts' and a counting thread's), so it must be thread-safe.
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        ttl: float | None = 3600,
        max_entries: int = 100,
        *,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
        backend: Backend | None = None,
        token_counter: Callable[[str], int] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if ttl is not None and (isinstance(ttl, bool) or not ttl > 0):
            raise ValueError(f"ttl must be a positive number of seconds or None, not {ttl!r}")
        if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
            raise ValueError(f"max_entries must be an int >= 1, not {max_entries!r}")
        if max_bytes is not None and (
            isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1
        ):
            raise ValueError(f"max_bytes must be an int >= 1 or None, not {max_bytes!r}")
        self.model = model
        self.ttl = ttl
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._backend = backend if backend is not None else MemoryBackend()
        self._counter = get_token_counter(model, token_counter)
        self._clock = clock
        # Search indexes are built once per put, on a background thread (see put).
        # key -> (version of the entry, its index, the process that started building it)
        self._indexes: dict[str, tuple[tuple[float, int], Future[SearchIndex], int]] = {}
        self._index_lock = threading.Lock()
        self._focus_cache: OrderedDict[tuple[str, float, int, str | None, int | None], str]
        self._focus_cache = OrderedDict()
        self._focus_lock = threading.Lock()

    @classmethod
    def from_url(
        cls, url: str | None = None, *, namespace: str, timeout: float = 2.0, **kwargs: Any
    ) -> SharedContext:
        """A context in Redis at ``url``, shared by every process that opens ``namespace``.

        ``kwargs`` are this class's other arguments (``ttl``, ``max_entries``, ...); see
        :class:`~agent_baton.backends.RedisBackend` for ``url`` (default: ``$REDIS_URL``),
        ``namespace`` and ``timeout``.
        Needs the ``redis`` extra: ``pip install 'agent-baton[redis]'``.
        """
        return cls(backend=RedisBackend(url, namespace=namespace, timeout=timeout), **kwargs)

    @property
    def token_counter_name(self) -> str:
        """Which counter counts tokens: a tiktoken encoding name, ``estimate`` or custom."""
        return self._counter.name

    def count_tokens(self, text: str) -> int:
        """Count the tokens of ``text`` with this context's counter."""
        return self._counter(text)

    # -- writing ---------------------------------------------------------------------------

    def put(self, key: str, content: Content, agent: str | None = None) -> ContextEntry:
        """Store ``content`` under ``key`` in full and compressed; replace any earlier entry.

        dict and list content is stored as JSON, bytes are decoded as UTF-8 (invalid bytes
        replaced). Compression never raises here: on failure the entry keeps the original as
        its compressed form and ``transforms`` says ``fallback:<reason>``.
        """
        _check_key(key)
        if agent is not None and not isinstance(agent, str):
            raise TypeError(f"agent must be a str or None, not {type(agent).__name__}")
        text = _as_text(content)
        original_bytes = text_bytes(text)
        self._check_size(key, original_bytes)  # before spending time on compression
        try:
            result = compress(text, key=key, counter=self._counter)
            compressed, compressed_tokens = result.text, result.compressed_tokens
            original_tokens, transforms = result.original_tokens, result.transforms
        except Exception as exc:  # the pipeline guards itself; this is the last line
            compressed, transforms = text, [f"fallback:{type(exc).__name__}: {exc}"[:200]]
            try:
                original_tokens = self._counter(text)
            except Exception:  # a custom token_counter that fails: estimate rather than lose
                original_tokens = estimate_tokens(text)
            compressed_tokens = original_tokens
        now = self._clock()
        size = original_bytes + (original_bytes if compressed is text else text_bytes(compressed))
        self._check_size(key, size)
        entry = ContextEntry(
            key, agent, text, compressed, original_tokens, compressed_tokens, transforms, now, size
        )
        self._backend.put(
            entry, ttl=self.ttl, max_entries=self.max_entries, now=now, max_bytes=self.max_bytes
        )
        # A put returns before its index is built; a search waits only for the entry it reads.
        index = worker("index").submit(SearchIndex.of_text, text)
        with self._index_lock:
            self._indexes[key] = (_version(entry), index, os.getpid())
            # Indexes of evicted entries go in batches: pruning reads every entry.
            if len(self._indexes) > 2 * self.max_entries:
                self._prune_indexes()
        return entry

    def _check_size(self, key: str, size: int) -> None:
        if self.max_bytes is not None and size > self.max_bytes:
            raise EntryTooLargeError(
                f"entry {key!r} needs {size:,} bytes (original and compressed), more than "
                f"max_bytes={self.max_bytes:,}; raise max_bytes or store less"
            )

    def delete(self, key: str) -> bool:
        """Remove ``key``; return whether it was there."""
        _check_key(key)
        with self._index_lock:
            self._indexes.pop(key, None)
        return self._backend.delete(key)

    def clear(self) -> None:
        """Remove every entry."""
        self._backend.clear()
        with self._index_lock:
            self._indexes.clear()
        with self._focus_lock:
            self._focus_cache.clear()

    # -- reading ---------------------------------------------------------------------------

    def get_entry(self, key: str) -> ContextEntry | None:
        """The live entry under ``key``, or ``None`` when missing or expired."""
        _check_key(key)
        return self._backend.get(key, ttl=self.ttl, now=self._clock())

    def get(
        self,
        key: str,
        full: bool = False,
        *,
        query: str | None = None,
        max_tokens: int | None = None,
    ) -> str | None:
        """The compressed text under ``key`` (the original with ``full=True``), or ``None``.

        With ``query`` the original is compressed again keeping what matches the query; with
        ``max_tokens`` it is compressed harder until it fits (a budget too small even for the
        omission marker gives ``""``). The plain form is cached; focused forms are cached too.
        """
        if query is not None and not isinstance(query, str):
            raise TypeError(f"query must be a str or None, not {type(query).__name__}")
        if max_tokens is not None and (
            isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1
        ):
            raise ValueError(f"max_tokens must be an int >= 1 or None, not {max_tokens!r}")
        entry = self.get_entry(key)
        if entry is None:
            return None
        if full:
            return entry.original
        if not query and max_tokens is None:
            return entry.compressed
        if not query and max_tokens is not None and entry.compressed_tokens <= max_tokens:
            return entry.compressed
        return self._focused(entry, query or None, max_tokens)

    def _focused(self, entry: ContextEntry, query: str | None, max_tokens: int | None) -> str:
        """``entry`` compressed again for a query or a budget; recent results are cached."""
        cache_key = (entry.key, *_version(entry), query, max_tokens)
        with self._focus_lock:
            cached = self._focus_cache.get(cache_key)
            if cached is not None:
                self._focus_cache.move_to_end(cache_key)
                return cached
        text = compress(
            entry.original, query=query, max_tokens=max_tokens, key=entry.key, counter=self._counter
        ).text
        with self._focus_lock:
            self._focus_cache[cache_key] = text
            while len(self._focus_cache) > _FOCUS_CACHE_SIZE:
                self._focus_cache.popitem(last=False)
        return text

    def keys(self) -> list[str]:
        """Live keys, oldest first."""
        return [e.key for e in self._entries()]

    def entries(self) -> list[ContextEntry]:
        """Live entries, oldest first."""
        return self._entries()

    def stats(self) -> SharedContextStats:
        """Entry count and token totals over the live entries."""
        live = self._entries()
        return SharedContextStats(
            entries=len(live),
            total_original_tokens=sum(e.original_tokens for e in live),
            total_compressed_tokens=sum(e.compressed_tokens for e in live),
        )

    def search(self, key: str | None, query: str, k: int = 5) -> list[Hit]:
        """The ``k`` passages of the original content that best match ``query``.

        ``key=None`` searches every live entry. Unknown or expired keys give ``[]``.
        """
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, not {type(query).__name__}")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be an int >= 1, not {k!r}")
        if key is None:
            entries = self._entries()
        else:
            entry = self.get_entry(key)
            entries = [] if entry is None else [entry]
        hits: list[Hit] = []
        for entry in entries:
            hits.extend(self._index_for(entry).search(query, k, key=entry.key, agent=entry.agent))
        hits.sort(key=lambda h: -h.score)
        return hits[:k]

    def render(
        self,
        keys: Iterable[str] | None = None,
        *,
        query: str | None = None,
        max_tokens: int = 4000,
        header: bool = True,
    ) -> str:
        """One context block for the next agent from several entries, within ``max_tokens``.

        Defaults to every live entry, newest first; with ``query`` the most relevant come
        first and get more of the budget. Missing keys are skipped. ``""`` when none is live.
        """
        if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
            raise ValueError(f"max_tokens must be an int >= 1, not {max_tokens!r}")
        if keys is None:
            entries = self._entries()
        else:
            if isinstance(keys, str):
                raise TypeError("keys must be a list of keys, not a single str")
            found = (self.get_entry(k) for k in dict.fromkeys(keys))
            entries = [e for e in found if e is not None]
        scores = {e.key: self._index_for(e).relevance(query) if query else 0.0 for e in entries}
        # The entries that best match the query are compressed again around it; the others,
        # and all of them without a query, keep the head of their compressed form (cheap).
        ranked = sorted((e for e in entries if scores[e.key] > 0), key=lambda e: -scores[e.key])
        focus = {e.key for e in ranked[:_FOCUSED_IN_RENDER]}

        def shrink(entry: ContextEntry, tokens: int) -> str:
            if entry.key in focus:
                return self._focused(entry, query, tokens)
            return fit_lines(entry.compressed, tokens, self._counter, entry.key)

        return render_entries(
            entries,
            scores,
            query=query,
            max_tokens=max_tokens,
            header=header,
            counter=self._counter,
            shrink=shrink,
        )

    # -- async twins -----------------------------------------------------------------------

    async def aput(self, key: str, content: Content, agent: str | None = None) -> ContextEntry:
        """:meth:`put` on a worker thread, so compression does not block the event loop."""
        return await asyncio.to_thread(self.put, key, content, agent)

    async def aget(
        self,
        key: str,
        full: bool = False,
        *,
        query: str | None = None,
        max_tokens: int | None = None,
    ) -> str | None:
        """:meth:`get` on a worker thread."""
        return await asyncio.to_thread(self.get, key, full, query=query, max_tokens=max_tokens)

    async def asearch(self, key: str | None, query: str, k: int = 5) -> list[Hit]:
        """:meth:`search` on a worker thread."""
        return await asyncio.to_thread(self.search, key, query, k)

    async def arender(
        self,
        keys: Iterable[str] | None = None,
        *,
        query: str | None = None,
        max_tokens: int = 4000,
        header: bool = True,
    ) -> str:
        """:meth:`render` on a worker thread."""
        return await asyncio.to_thread(
            self.render, keys, query=query, max_tokens=max_tokens, header=header
        )

    # -- container protocol ----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and bool(key) and self.get_entry(key) is not None

    def __repr__(self) -> str:
        return (
            f"SharedContext(model={self.model!r}, ttl={self.ttl!r}, "
            f"max_entries={self.max_entries!r}, backend={type(self._backend).__name__})"
        )

    # -- internals -------------------------------------------------------------------------

    def _entries(self) -> list[ContextEntry]:
        return self._backend.entries(ttl=self.ttl, now=self._clock())

    def _index_for(self, entry: ContextEntry) -> SearchIndex:
        with self._index_lock:
            cached = self._indexes.get(entry.key)
        # An index still being built when this process forked never will be here.
        if cached is not None and cached[0] == _version(entry):
            future, owner = cached[1], cached[2]
            if owner == os.getpid() or future.done():
                return future.result()
        # Put by another process (shared backend) or pruned: index it once here.
        index: Future[SearchIndex] = Future()
        index.set_result(SearchIndex.of_text(entry.original))
        with self._index_lock:
            self._indexes[entry.key] = (_version(entry), index, os.getpid())
        return index.result()

    def _prune_indexes(self) -> None:
        live = {e.key for e in self._backend.entries(ttl=self.ttl, now=self._clock())}
        for key in [k for k in self._indexes if k not in live]:
            del self._indexes[key]


def _version(entry: ContextEntry) -> tuple[float, int]:
    """Tells two puts of one key apart, even at one clock tick (str caches its hash)."""
    return entry.timestamp, hash(entry.original)


def _check_key(key: object) -> None:
    if not isinstance(key, str):
        raise TypeError(f"key must be a str, not {type(key).__name__}")
    if not key:
        raise ValueError("key must be a non-empty string")


def _as_text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, (bytes, bytearray)):
        return bytes(content).decode("utf-8", errors="replace")
    if isinstance(content, (dict, list)):
        # default=str keeps values such as datetimes readable instead of failing the put.
        return json.dumps(content, ensure_ascii=False, default=str)
    raise TypeError(
        f"content must be str, bytes, dict or list, not {type(content).__name__}; "
        "convert it to text first"
    )
