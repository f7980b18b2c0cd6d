"""SharedContext: what one agent hands to the next, in full and compressed."""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any, TypeVar, cast

from agent_baton.allocator import release_free_memory
from agent_baton.backends import Backend, MemoryBackend, RedisBackend
from agent_baton.backends.base import SCOPE_SEP
from agent_baton.background import worker
from agent_baton.cache import DerivedCache
from agent_baton.compress import CompressionResult, compress
from agent_baton.compress.budget import fit_lines
from agent_baton.compress.guarantees import is_source
from agent_baton.compress.markers import ToolNames, name_tools
from agent_baton.compress.pipeline import DEFAULT_DEADLINE
from agent_baton.content import Content, text_of
from agent_baton.entry import ContextEntry, EntryTooLargeError, SharedContextStats, text_bytes
from agent_baton.focus import FOCUS_FROM_INDEX_CHARS, focused_view
from agent_baton.history import ScopedHistory
from agent_baton.offload import OffloadError, compress_and_index_in_child, compress_in_child
from agent_baton.render import render_entries
from agent_baton.report_html import report_html
from agent_baton.scan import SCAN_FROM_CHARS, TextScan
from agent_baton.search import Hit, SearchIndex
from agent_baton.tokens import (
    DEFAULT_MODEL,
    TokenCounterError,
    estimate_tokens,
    get_token_counter,
)

T = TypeVar("T")

DEFAULT_MAX_BYTES = 256 * 2**20  # 256 MiB
# A key is a name: it is repeated in every marker of its compressed form and in its render
# header (a 100,000-character key left render no room for anything, and it returned "").
MAX_KEY_CHARS = 256
_NUMBER_ROOM = len("#9999999")  # what append may add to a key, within MAX_KEY_CHARS
_DERIVED_SHARE = 4  # indexes and recompressions get max_bytes / 4 on top of the entries
_ASYNC_WORKER = "async"  # the worker thread of the async twins, named agent-baton-async-0
_ASYNC = f"agent-baton-{_ASYNC_WORKER}"
_INDEX_BYTES_PER_CHAR = 5  # a typical index's size for its text, until it is built
_FOCUSED_IN_RENDER = 3  # entries render recompresses around the query
_HISTORY_SIZE = 4096  # keys a scope remembers the fate of (put at, or refused), and numbers
_HISTORY_SHARE = 64  # those memories of every scope get max_bytes / 64, at least 1 MiB
_HISTORY_MIN_BYTES = 2**20


class SharedContext:
    """A thread-safe store of agent outputs, each kept in full and in compressed form.

    ``put`` compresses outside any lock, so a slow put never blocks readers. Entries expire
    ``ttl`` seconds after they were put (``None``: never); at ``max_entries`` a new key first
    evicts expired entries, then the oldest entry of the :meth:`scope` holding the most
    (the new entry counted in its own): a busy user, thread or run evicts its own oldest
    entries, never those of one holding fewer (with one scope: the oldest entry). Each scope
    counts alone, without the scopes inside it. ``max_bytes`` bounds the memory the entries
    take (original and compressed, UTF-8) the same way, from the scope holding the most
    bytes; a single entry larger than the bound is refused with :class:`EntryTooLargeError`.
    Age is judged by the backend's own clock (monotonic in memory, the server's in Redis);
    ``clock`` replaces it, for tests, and also stamps ``entry.timestamp`` (else the wall
    clock).
    :meth:`scope` gives a view for one run, user or thread that sees only its own entries.
    A compression that takes ``compress_deadline`` seconds of CPU time (default 10, ``None``:
    no limit) falls back to one linear pass; ``transforms`` then says ``fallback:deadline``.
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
        clock: Callable[[], float] | None = None,
        compress_deadline: float | None = DEFAULT_DEADLINE,
    ) -> None:
        if ttl is not None and not (_is_positive_number(ttl) and math.isfinite(ttl)):
            raise ValueError(
                f"ttl must be a positive number of seconds or None (never expire), not {ttl!r}"
            )
        if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
            raise ValueError(f"max_entries must be an int >= 1, not {max_entries!r}")
        if max_bytes is not None and (
            isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1
        ):
            raise ValueError(f"max_bytes must be an int >= 1 or None, not {max_bytes!r}")
        if compress_deadline is not None and not _is_positive_number(compress_deadline):
            raise ValueError(f"compress_deadline must be > 0 or None, not {compress_deadline!r}")
        if not isinstance(model, str):
            raise TypeError(f"model must be a str such as 'gpt-4o', not {type(model).__name__}")
        if not model.strip():
            raise ValueError("model must name a model, such as 'gpt-4o'; it picks the tokenizer")
        self.compress_deadline = compress_deadline
        self.model = model
        self.ttl = ttl
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._backend = backend if backend is not None else MemoryBackend()
        self._counter = get_token_counter(model, token_counter)
        self._custom_counter = token_counter is not None
        self._clock = clock
        # Search indexes (built once per put, on a background thread) and recompressions,
        # filed under their entry's storage key, within a quarter of max_bytes:
        # "index" -> _HeldIndex: the entry's version, its index being built, ...
        # ("focus", version, query, max_tokens) -> the entry compressed again for them
        self._derived = DerivedCache(
            (max_bytes or DEFAULT_MAX_BYTES) // _DERIVED_SHARE, forget=_cancel_index
        )
        # Scopes share everything above and below; only the path (and so the prefix) differs.
        self._scope_path: tuple[str, ...] = ()
        self._prefix = ""
        # Per scope (by prefix), so one scope's puts never push out another's memory, half
        # of the budget each: key -> when it was put, or why it was refused (missing_reason);
        # key -> the highest sequence append has handed out for it.
        memory = max((max_bytes or DEFAULT_MAX_BYTES) // _HISTORY_SHARE, _HISTORY_MIN_BYTES)
        self._history: ScopedHistory[float | str] = ScopedHistory(_HISTORY_SIZE, memory // 2)
        self._sequences: ScopedHistory[int] = ScopedHistory(_HISTORY_SIZE, memory // 2)
        self._append_lock = threading.Lock()

    @classmethod
    def from_url(
        cls,
        url: str | None = None,
        *,
        namespace: str,
        timeout: float = 2.0,
        cluster: bool = False,
        check: bool = False,
        **kwargs: Any,
    ) -> SharedContext:
        """A context in Redis at ``url``, shared by every process that opens ``namespace``.

        ``kwargs`` are this class's other arguments (``ttl``, ``max_entries``, ...); see
        :class:`~agent_baton.backends.RedisBackend` for ``url`` (default: ``$REDIS_URL``),
        ``namespace``, ``timeout``, ``cluster`` (Redis Cluster) and ``check`` (ping now).
        Needs the ``redis`` extra (redis-py): ``pip install "./core[redis]"`` from a clone.
        """
        backend = RedisBackend(
            url, namespace=namespace, timeout=timeout, cluster=cluster, check=check
        )
        return cls(backend=backend, **kwargs)

    def scope(self, name: str) -> SharedContext:
        """A view of this context for one run, user or thread: it sees only its own entries.

        The view shares the backend, token counter and caches, so it is cheap to make; its
        ``put``, ``get``, ``keys``, ``search``, ``render``, ``stats``, ``clear`` and their async
        twins see only entries put through a view of the same name (in any process, with a
        shared backend). Scopes nest: ``ctx.scope("team").scope("run-7")``. Neither a scope nor
        its parent sees the other's entries.
        """
        if not isinstance(name, str):
            raise TypeError(f"scope name must be a str, not {type(name).__name__}")
        if not name or SCOPE_SEP in name:
            raise ValueError("scope name must be a non-empty string without '\\x1f'")
        view = copy.copy(self)
        view._scope_path = (*self._scope_path, name)
        view._prefix = "".join(part + SCOPE_SEP for part in view._scope_path)
        return view

    @property
    def scope_path(self) -> tuple[str, ...]:
        """The names of the scopes this view is in, outermost first; ``()`` for the root."""
        return self._scope_path

    @property
    def backend(self) -> Backend:
        """The store of this context's entries: one object for the context and all its scopes.

        What an adapter keys per-store state by (the puts under way into one context); reading
        or writing through it bypasses scopes, bounds and compression: use the context.
        """
        return self._backend

    @property
    def token_counter_name(self) -> str:
        """Which counter counts tokens: a tiktoken encoding name, ``estimate`` or custom."""
        return self._counter.name

    def count_tokens(self, text: str) -> int:
        """Count the tokens of ``text`` with this context's counter."""
        return self._counter(text)

    # -- writing ---------------------------------------------------------------------------

    def put(self, key: str, content: Content, agent: str | None = None) -> ContextEntry:
        r"""Store ``content`` under ``key`` in full and compressed; replace any earlier entry.

        dict and list content is stored as valid JSON; bytes that are text are decoded (in
        a byte-order mark's encoding, UTF-16, UTF-8 or Windows-1252; ``transforms`` starts
        with ``decoded:<encoding>`` when not UTF-8, and with ``mapped:<what>`` when a dict or
        list held NaN, sets, bytes, keys that are not strings or other objects), other bytes
        as UTF-8 with invalid bytes kept as ``\\xNN`` escapes, which compression describes
        (see :mod:`agent_baton.content` for what is mapped: NaN, sets, bytes, deep nesting).
        Compression never raises here: on
        failure the entry keeps the original as its compressed form and ``transforms`` says
        ``fallback:<reason>``.
        """
        entry = self._store(key, content, agent, only_new=False)
        assert entry is not None  # only a store of a new key is turned down
        return entry

    def _store(
        self, key: str, content: Content, agent: str | None, *, only_new: bool
    ) -> ContextEntry | None:
        """:meth:`put`; with ``only_new``, ``None`` (nothing stored) if ``key`` is live."""
        _check_key(key)
        if agent is not None and not isinstance(agent, str):
            raise TypeError(f"agent must be a str or None, not {type(agent).__name__}")
        # Bytes in another encoding than UTF-8, and data JSON cannot hold as it is, are
        # stored as text; transforms say how.
        text, made = text_of(content)
        original_bytes = text_bytes(text)
        self._check_size(key, original_bytes)  # before spending time on compression
        try:
            # Markers name the key as this scope's reader knows it.
            result, index = self._compress_for_put(text, key=key, deadline=self.compress_deadline)
            compressed, compressed_tokens = result.text, result.compressed_tokens
            original_tokens, transforms = result.original_tokens, result.transforms
        except Exception as exc:  # the pipeline guards itself; this is the last line
            # The type alone: an exception's message may quote the content.
            reason = exc.raised if isinstance(exc, TokenCounterError) else type(exc).__name__
            compressed, transforms, index = text, [f"fallback:{reason}"], None
            try:
                original_tokens = self._counter(text)
            except Exception:  # a custom token_counter that fails: estimate rather than lose
                original_tokens = estimate_tokens(text)
            compressed_tokens = original_tokens
        if made is not None:
            transforms = [made, *transforms]
        now = self._now()
        stamp = time.time() if now is None else now
        # A compressed form equal to the original is not held twice.
        size = original_bytes + (0 if compressed == text else text_bytes(compressed))
        self._check_size(key, size)
        stored = self._prefix + key
        tokens = (original_tokens, compressed_tokens)
        entry = ContextEntry(stored, agent, text, compressed, *tokens, transforms, stamp, size)
        store = self._backend.put_new if only_new else self._backend.put
        dropped = store(
            entry, ttl=self.ttl, max_entries=self.max_entries, now=now, max_bytes=self.max_bytes
        )
        if only_new and dropped is None:
            return None
        for gone in dropped or ():  # a backend of an older interface returns None
            self._derived.drop(gone)
        self._remember(key, self._age_clock())
        self._derived.drop(stored)  # what was derived from the entry this put replaced
        if index is not None:
            self._hold_index(stored, entry, index)
        elif len(text) < SCAN_FROM_CHARS:  # larger texts are searched by scanning them
            self._index_later(stored, entry, text)
        # What was derived from evicted entries goes in batches: pruning reads every entry.
        if len(self._derived.entries()) > 2 * self.max_entries:
            self._prune_derived()
        release_free_memory(len(text))  # what compressing it, and evicting for it, freed
        # Under the key its reader knows (made as it was: dataclasses.replace reads fields).
        return ContextEntry(key, agent, text, compressed, *tokens, transforms, stamp, size)

    def append(self, key: str, content: Content, agent: str | None = None) -> ContextEntry:
        """Store ``content`` without replacing anything: under ``key``, else ``key#2``, ``#3``...

        For an agent that runs more than once in one scope (a supervisor calling a researcher
        twice): every run's output stays. The returned entry's ``key`` is the key used; the
        sequence is kept per scope, so two runs never take the same key. ``key`` leaves room
        for the number: at most ``MAX_KEY_CHARS - 8`` characters.
        """
        _check_key(key)
        if len(key) > MAX_KEY_CHARS - _NUMBER_ROOM:
            # Refused at the first append, not when a later one numbers it past the bound.
            raise ValueError(
                f"append's key must be at most {MAX_KEY_CHARS - _NUMBER_ROOM} characters "
                f"(room for its #number), not {len(key):,}"
            )
        while True:
            with self._append_lock:
                number = (self._sequences.get(self._prefix, key) or 0) + 1
                # Entries put before this process knew the key (another process, a plain put).
                while self.get_entry(_numbered(key, number)) is not None:
                    number += 1
                self._sequences.set(self._prefix, key, number)
            # Another process may take the number meanwhile: the backend stores only a new key.
            entry = self._store(_numbered(key, number), content, agent, only_new=True)
            if entry is not None:
                return entry

    def _check_size(self, key: str, size: int) -> None:
        if self.max_bytes is not None and size > self.max_bytes:
            reason = f"refused: too large ({size:,} bytes > max_bytes={self.max_bytes:,})"
            self._remember(key, reason)
            raise EntryTooLargeError(
                f"entry {key!r} needs {size:,} bytes (original and compressed), more than "
                f"max_bytes={self.max_bytes:,}; raise max_bytes or store less"
            )

    def _remember(self, key: str, fate: float | str) -> None:
        self._history.set(self._prefix, key, fate)

    def delete(self, key: str) -> bool:
        """Remove ``key``; return whether it was there."""
        _check_key(key)
        stored = self._prefix + key
        self._derived.drop(stored)
        self._history.pop(self._prefix, key)
        return self._backend.delete(stored)

    def clear(self) -> None:
        """Remove every entry of this scope and of the scopes inside it (root: every entry)."""
        if not self._prefix:
            self._backend.clear()
        else:
            for entry in self._backend.entries_under(self._prefix, ttl=None, now=self._now()):
                self._backend.delete(entry.key)
        self._derived.drop_entries(lambda stored: stored.startswith(self._prefix))
        for memory in (self._history, self._sequences):
            memory.drop_scopes(lambda prefix: prefix.startswith(self._prefix))

    # -- reading ---------------------------------------------------------------------------

    def get_entry(self, key: str) -> ContextEntry | None:
        """The live entry under ``key``, or ``None`` when missing or expired."""
        _check_key(key)
        entry = self._backend.get(self._prefix + key, ttl=self.ttl, now=self._now())
        return None if entry is None else dataclasses.replace(entry, key=key)

    def missing_reason(self, key: str) -> str | None:
        """Why :meth:`get` gives ``None`` for ``key``; ``None`` while the entry is live.

        One of ``"expired"``, ``"evicted or deleted"`` (to respect ``max_entries`` or
        ``max_bytes``, or by another process), ``"refused: too large (…)"`` or ``"not stored"``.
        Only puts made through this context object (or a view of it) are remembered: the
        latest 4,096 keys of each scope, within max_bytes / 64 for all scopes, of which the
        scopes that remember the most forget first (see :mod:`agent_baton.history`).
        """
        if self.get_entry(key) is not None:
            return None
        fate = self._history.get(self._prefix, key)
        return "not stored" if fate is None else self._reason(fate)

    def missing_keys(self) -> dict[str, str]:
        """Keys put in this scope that are gone now, each with its :meth:`missing_reason`.

        Oldest put first; only keys put through this context object (or a view of it) and
        still remembered (see :meth:`missing_reason`); a deleted key is forgotten, so it is
        never listed. For adapters that must say what a bound or ``ttl`` took from a run:
        ``max_entries`` and ``max_bytes`` bound the whole context, every scope together (a
        bound takes from the scope holding the most).
        """
        remembered = self._history.items(self._prefix)
        if not remembered:  # nothing put here: no backend round trip
            return {}
        live = set(self.keys())
        return {key: self._reason(fate) for key, fate in remembered if key not in live}

    def _reason(self, fate: float | str) -> str:
        """Why a remembered key with ``fate`` (put time, or refusal) is not live."""
        if isinstance(fate, str):
            return fate
        if self.ttl is not None and self._age_clock() - fate >= self.ttl:
            return "expired"
        return "evicted or deleted"

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
        omission marker gives ``""``), but keeps every line that reports a failure: when those
        alone exceed ``max_tokens``, they all stay and a marker says so. The plain form is
        cached; focused forms are cached too. ``full=True`` with ``query`` or ``max_tokens``
        raises ``ValueError``: the original is never cut (:meth:`search` finds its passages).
        """
        if query is not None and not isinstance(query, str):
            raise TypeError(f"query must be a str or None, not {type(query).__name__}")
        if max_tokens is not None and (
            isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1
        ):
            raise ValueError(f"max_tokens must be an int >= 1 or None, not {max_tokens!r}")
        if full and (query or max_tokens is not None):
            # Ignoring them would hand a caller who asked for a budget the whole original.
            raise ValueError(
                "full=True returns the original whole: drop query and max_tokens, or drop "
                "full for the original compressed around them (search finds passages)"
            )
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
        stored, item = self._prefix + entry.key, ("focus", _version(entry), query, max_tokens)
        cached = self._derived.get(stored, item)
        if isinstance(cached, str):
            return cached
        if len(entry.original) >= FOCUS_FROM_INDEX_CHARS:
            # Too large to compress again per query: start from the passages that match.
            text = focused_view(entry, self._index_for(entry), query, max_tokens, self._counter)
        else:
            text = self._compress(
                entry.original,
                query=query,
                max_tokens=max_tokens,
                key=entry.key,
                deadline=self.compress_deadline,
            ).text
        self._derived.put(stored, item, text, sys.getsizeof(text))
        release_free_memory(len(entry.original))
        return text

    def keys(self) -> list[str]:
        """Live keys, oldest first."""
        return [e.key for e in self._entries()]

    def entries(self) -> list[ContextEntry]:
        """Live entries, oldest first."""
        return self._entries()

    def entries_in_scopes(self) -> list[tuple[tuple[str, ...], ContextEntry]]:
        """Every live entry of this view and of the scopes inside it, with its scope's path.

        The path is relative to this view (``()`` for its own entries); oldest first. For
        operators looking at a whole run (``agent-baton inspect --namespace``): the
        integrations keep each run in a scope, which :meth:`entries` of the root never lists.
        """
        start = len(self._prefix)
        found = []
        for entry in self._backend.entries_under(self._prefix, ttl=self.ttl, now=self._now()):
            *path, key = entry.key[start:].split(SCOPE_SEP)
            found.append((tuple(path), dataclasses.replace(entry, key=key)))
        return found

    def stats(self) -> SharedContextStats:
        """Entry count and token totals over the live entries."""
        live = self._entries()
        return SharedContextStats(
            entries=len(live),
            total_original_tokens=sum(e.original_tokens for e in live),
            total_compressed_tokens=sum(e.compressed_tokens for e in live),
        )

    def report_html(self, path: str | os.PathLike[str] | None = None) -> str:
        """One self-contained HTML page of the live entries: what was kept and what dropped.

        The entries of the scopes inside this view are on it too, named by their scope
        (``alice / research``): the integrations keep each run in a scope.

        Each entry's original beside what the next agent sees, markers linked to the lines
        they stand for, tokens before and after, and the run's handoffs as a timeline. Also
        written to ``path`` (UTF-8) when given.
        """
        page = report_html(labelled_entries(self), counter_name=self.token_counter_name)
        if path is not None:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(page)
        return page

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
        tools: ToolNames | None = None,
    ) -> str:
        """One context block for the next agent from several entries, within ``max_tokens``.

        Defaults to every live entry, newest first; with ``query`` the most relevant come
        first and get more of the budget. Missing keys are skipped. ``""`` when none is live.
        Entries that do not fit are named in a last line (as many names as fit, the rest
        counted); a budget too small for any entry gets that line alone, and from
        :data:`~agent_baton.render.MIN_RENDER_TOKENS` (12) tokens on it always holds their
        count; below, ``""``. Keys and agents that hold line breaks, control characters or lone
        surrogates are JSON-quoted in headers, so each header stays one line of valid UTF-8.
        With ``tools``, headers and markers name the agent's tools rather than ``get``.
        """
        if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
            raise ValueError(f"max_tokens must be an int >= 1, not {max_tokens!r}")
        if query is not None and not isinstance(query, str):
            raise TypeError(f"query must be a str or None, not {type(query).__name__}")
        if tools is not None and not isinstance(tools, ToolNames):
            raise TypeError(f"tools must be a ToolNames or None, not {type(tools).__name__}")
        if keys is None:
            entries = self._entries()
        else:
            if isinstance(keys, str) or not isinstance(keys, Iterable):
                raise TypeError(f"keys must be a list of keys or None, not {type(keys).__name__}")
            found = (self.get_entry(k) for k in dict.fromkeys(keys))
            entries = [e for e in found if e is not None]
        scores = {e.key: self._index_for(e).relevance(query) if query else 0.0 for e in entries}
        # The entries that best match the query are compressed again around it; the others,
        # and all of them without a query, keep the head of their compressed form (cheap).
        ranked = sorted((e for e in entries if scores[e.key] > 0), key=lambda e: -scores[e.key])
        focus = {e.key for e in ranked[:_FOCUSED_IN_RENDER]}

        def shrink(entry: ContextEntry, tokens: int) -> str:
            if entry.key in focus:
                text = self._focused(entry, query, tokens)
            else:
                original = None if entry.compressed == entry.original else entry.original
                source = is_source(entry.transforms)  # its `raise` lines report nothing
                text = fit_lines(
                    entry.compressed,
                    tokens,
                    self._counter,
                    entry.key,
                    None,
                    original,
                    failures_first=not source,
                )
            return text if tools is None else name_tools(text, tools)

        return render_entries(
            entries,
            scores,
            query=query,
            max_tokens=max_tokens,
            header=header,
            counter=self._counter,
            shrink=shrink,
            tools=tools,
        )

    # -- async twins -----------------------------------------------------------------------

    async def aput(self, key: str, content: Content, agent: str | None = None) -> ContextEntry:
        """:meth:`put` off the event loop, so compression does not block it (see _off_loop)."""
        return await _off_loop(self.put, key, content, agent)

    async def aget(
        self,
        key: str,
        full: bool = False,
        *,
        query: str | None = None,
        max_tokens: int | None = None,
    ) -> str | None:
        """:meth:`get` off the event loop."""
        return await _off_loop(self.get, key, full, query=query, max_tokens=max_tokens)

    async def asearch(self, key: str | None, query: str, k: int = 5) -> list[Hit]:
        """:meth:`search` off the event loop."""
        return await _off_loop(self.search, key, query, k)

    async def arender(
        self,
        keys: Iterable[str] | None = None,
        *,
        query: str | None = None,
        max_tokens: int = 4000,
        header: bool = True,
        tools: ToolNames | None = None,
    ) -> str:
        """:meth:`render` off the event loop."""
        return await _off_loop(
            self.render, keys, query=query, max_tokens=max_tokens, header=header, tools=tools
        )

    async def aappend(self, key: str, content: Content, agent: str | None = None) -> ContextEntry:
        """:meth:`append` off the event loop."""
        return await _off_loop(self.append, key, content, agent)

    async def adelete(self, key: str) -> bool:
        """:meth:`delete` off the event loop."""
        return await _off_loop(self.delete, key)

    async def aclear(self) -> None:
        """:meth:`clear` off the event loop."""
        await _off_loop(self.clear)

    async def aget_entry(self, key: str) -> ContextEntry | None:
        """:meth:`get_entry` off the event loop."""
        return await _off_loop(self.get_entry, key)

    async def amissing_reason(self, key: str) -> str | None:
        """:meth:`missing_reason` off the event loop."""
        return await _off_loop(self.missing_reason, key)

    async def amissing_keys(self) -> dict[str, str]:
        """:meth:`missing_keys` off the event loop."""
        return await _off_loop(self.missing_keys)

    async def akeys(self) -> list[str]:
        """:meth:`keys` off the event loop."""
        return await _off_loop(self.keys)

    async def aentries(self) -> list[ContextEntry]:
        """:meth:`entries` off the event loop."""
        return await _off_loop(self.entries)

    async def aentries_in_scopes(self) -> list[tuple[tuple[str, ...], ContextEntry]]:
        """:meth:`entries_in_scopes` off the event loop."""
        return await _off_loop(self.entries_in_scopes)

    async def astats(self) -> SharedContextStats:
        """:meth:`stats` off the event loop."""
        return await _off_loop(self.stats)

    async def areport_html(self, path: str | os.PathLike[str] | None = None) -> str:
        """:meth:`report_html` off the event loop."""
        return await _off_loop(self.report_html, path)

    async def aclose(self) -> None:
        """:meth:`close` off the event loop."""
        await _off_loop(self.close)

    # -- container protocol ----------------------------------------------------------------

    def close(self) -> None:
        """Close the backend's connections (Redis); nothing in memory. A later call reopens them.

        Every view and scope of this context shares the backend: close once, when done.
        ``with SharedContext.from_url(...) as ctx:`` closes at the end of the block.
        """
        self._backend.close()

    def __enter__(self) -> SharedContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._entries())

    def __bool__(self) -> bool:
        # Always true, even when empty: ``ctx or SharedContext()`` must never swap an empty
        # scope for a new root (without this, Python would ask __len__, a backend round trip).
        return True

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key_problem(key) is None and self.get_entry(key) is not None

    def __repr__(self) -> str:
        return (
            f"SharedContext(model={self.model!r}, ttl={self.ttl!r}, "
            f"max_entries={self.max_entries!r}, backend={type(self._backend).__name__})"
        )

    # -- internals -------------------------------------------------------------------------

    def _entries(self) -> list[ContextEntry]:
        """The live entries of this scope, under the keys its reader knows."""
        start = len(self._prefix)
        return [
            dataclasses.replace(entry, key=entry.key[start:])
            for entry in self._backend.entries_in(self._prefix, ttl=self.ttl, now=self._now())
        ]

    def _compress(self, text: str, **kwargs: Any) -> CompressionResult:
        """:func:`compress` with this context's counter; for an async twin, in a child process.

        The async twins' thread waits on the child without the GIL, so the event loop keeps
        it (see :mod:`agent_baton.offload`). A custom counter may not pickle: it stays here.
        """
        if self._offloads():
            try:
                return compress_in_child(text, model=self.model, **kwargs)
            except OffloadError:
                pass
        return compress(text, counter=self._counter, **kwargs)

    def _compress_for_put(
        self, text: str, **kwargs: Any
    ) -> tuple[CompressionResult, SearchIndex | None]:
        """:meth:`_compress`; for an async twin, the text's search index built in the child too.

        Built on this process's index thread instead, it takes the GIL from the event loop.
        """
        if self._offloads() and len(text) < SCAN_FROM_CHARS:
            try:
                return compress_and_index_in_child(text, model=self.model, **kwargs)
            except OffloadError:
                pass
        return self._compress(text, **kwargs), None

    def _offloads(self) -> bool:
        """Whether compression goes to the child process: an async twin's, with tiktoken."""
        return not self._custom_counter and threading.current_thread().name.startswith(_ASYNC)

    def _now(self) -> float | None:
        """The injected clock's time, or None: the backend's own clock judges age."""
        return None if self._clock is None else self._clock()

    def _age_clock(self) -> float:
        """The injected clock, or a monotonic one: what this process measures ages with."""
        return time.monotonic() if self._clock is None else self._clock()

    def _index_for(self, entry: ContextEntry) -> SearchIndex | TextScan:
        if len(entry.original) >= SCAN_FROM_CHARS:
            # Its index would take several times its size (a 50 MB log's: 250 MB).
            return TextScan(entry.original)
        stored = self._prefix + entry.key
        held = cast("_HeldIndex | None", self._derived.get(stored, "index"))
        if held is not None and held[0] == _version(entry):
            future, owner = held[1], held[2]
            # Still queued behind other puts' indexes (any context's): build it here rather
            # than wait. One still being built when this process forked never will be here.
            if not (owner == os.getpid() and future.cancel()) and (
                owner == os.getpid() or future.done()
            ):
                return future.result()
        # Put by another process (shared backend), dropped, or taken from the queue.
        index = SearchIndex.of_text(entry.original)
        self._hold_index(stored, entry, index)
        return index

    def _hold_index(self, stored: str, entry: ContextEntry, index: SearchIndex) -> None:
        """File ``entry``'s index, already built."""
        built: Future[SearchIndex] = Future()
        built.set_result(index)
        self._derived.put(stored, "index", (_version(entry), built, os.getpid(), []), index.nbytes)

    def _index_later(self, stored: str, entry: ContextEntry, text: str) -> None:
        """Index ``text`` on a background thread; a put returns before it is built."""
        # A search waits only for the entry it reads. Until built, an index is charged at a
        # size typical of indexes, then at its own.
        job = [text]  # emptied if the entry goes first: a queued job then holds no text
        index = worker("index").submit(_index_job, job)
        held = (_version(entry), index, os.getpid(), job)
        self._derived.put(stored, "index", held, _INDEX_BYTES_PER_CHAR * len(text))
        # The callback holds the cache, never the context: a context dropped by its user is
        # freed at once, not when the index thread is done with it (the AutoGen registry
        # frees a dumped context's name then).
        index.add_done_callback(functools.partial(_charge_index, self._derived, stored, held))

    def _prune_derived(self) -> None:
        live = {e.key for e in self._backend.entries(ttl=self.ttl, now=self._now())}
        self._derived.drop_entries(lambda stored: stored not in live)


async def _off_loop(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``call(*args, **kwargs)`` on the one thread that runs every async twin's work.

    That thread compresses in a child process (see :meth:`SharedContext._compress`), and
    its other work is short or waits on I/O, so the loop gets the GIL back at once. On
    asyncio's default pool of threads compressing, 200 concurrent aputs stalled the loop
    0.9 s at p99 (benchmarks/async_bench.py).
    """
    import asyncio  # at the first async call: a sync user's import of agent_baton skips it

    job = worker(_ASYNC_WORKER).submit(functools.partial(call, *args, **kwargs))
    return await asyncio.wrap_future(job)


# (version of the entry, its index, the process that started building it, the build's input)
_HeldIndex = tuple[tuple[float, int], Future[SearchIndex], int, list[str]]


def _charge_index(
    derived: DerivedCache, stored: str, held: _HeldIndex, built: Future[SearchIndex]
) -> None:
    """Charge an index at its own size once built (if it is still the one filed)."""
    if not built.cancelled() and built.exception() is None:
        derived.resize(stored, "index", held, built.result().nbytes)


def _index_job(job: list[str]) -> SearchIndex:
    return SearchIndex.of_text(job.pop())


def _cancel_index(value: object) -> None:
    """An index dropped before it was built: its build is cancelled, its text let go."""
    if isinstance(value, tuple) and len(value) == 4 and isinstance(value[1], Future):
        value[1].cancel()
        value[3].clear()


def _version(entry: ContextEntry) -> tuple[float, int]:
    """Tells two puts of one key apart, even at one clock tick (str caches its hash)."""
    return entry.timestamp, hash(entry.original)


def _numbered(key: str, number: int) -> str:
    """The key of an agent's ``number``-th output in a scope: ``key``, ``key#2``, ..."""
    return key if number == 1 else f"{key}#{number}"


def labelled_entries(view: SharedContext) -> list[ContextEntry]:
    """:meth:`SharedContext.entries_in_scopes` for people: each keyed ``alice / research``."""
    return [
        dataclasses.replace(entry, key=" / ".join((*path, entry.key)))
        for path, entry in view.entries_in_scopes()
    ]


def _is_positive_number(value: object) -> bool:
    """Whether ``value`` is an int or float above 0 (a str such as "3600" is not)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def key_problem(key: str) -> str | None:
    """What makes the str ``key`` unusable as a key, or ``None`` when it is a valid key."""
    if not key:
        return "key must be a non-empty string"
    if len(key) > MAX_KEY_CHARS:
        return f"key must be at most {MAX_KEY_CHARS} characters, not {len(key):,}"
    if SCOPE_SEP in key:
        return "key must not contain '\\x1f' (it separates scopes)"
    return None


def _check_key(key: object) -> None:
    if not isinstance(key, str):
        raise TypeError(f"key must be a str, not {type(key).__name__}")
    problem = key_problem(key)
    if problem is not None:
        raise ValueError(problem)
