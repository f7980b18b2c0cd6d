import json
import multiprocessing
import os
import threading
import time

import pytest

from agent_baton import (
    BackendUnavailableError,
    ContextEntry,
    EntryTooLargeError,
    MemoryBackend,
    SharedContext,
)


def test_put_returns_entry_with_counts(ctx, clock):
    entry = ctx.put("research", "Paris is the capital of France.", agent="researcher")
    assert isinstance(entry, ContextEntry)
    assert entry.key == "research"
    assert entry.agent == "researcher"
    assert entry.original == "Paris is the capital of France."
    assert entry.original_tokens == ctx.count_tokens(entry.original) > 0
    assert entry.compressed_tokens == ctx.count_tokens(entry.compressed)
    assert entry.timestamp == clock.now
    assert entry.savings_percent == 0.0  # tiny content passes through


def test_get_compressed_and_full(ctx):
    ctx.put("k", "some text")
    assert ctx.get("k") == "some text"
    assert ctx.get("k", full=True) == "some text"
    assert ctx.get_entry("k").original == "some text"


def test_missing_key_gives_none(ctx):
    assert ctx.get("nope") is None
    assert ctx.get("nope", full=True) is None
    assert ctx.get_entry("nope") is None
    assert "nope" not in ctx


def test_update_replaces(ctx, clock):
    ctx.put("k", "first", agent="a")
    clock.advance(1)
    ctx.put("k", "second", agent="b")
    entry = ctx.get_entry("k")
    assert (entry.original, entry.agent, entry.timestamp) == ("second", "b", clock.now)
    assert ctx.keys() == ["k"]


def test_keys_len_contains_delete_clear(ctx):
    for key in ("a", "b", "c"):
        ctx.put(key, key * 3)
    assert ctx.keys() == ["a", "b", "c"]
    assert len(ctx) == 3 and "b" in ctx and 42 not in ctx
    assert ctx.delete("b") is True
    assert ctx.delete("b") is False
    assert ctx.keys() == ["a", "c"]
    ctx.clear()
    assert ctx.keys() == [] and len(ctx) == 0
    assert ctx.stats().entries == 0


def test_ttl_expiry_is_checked_on_every_read(ctx, clock):
    ctx.put("k", "value")
    clock.advance(59.9)
    assert ctx.get("k") == "value"
    clock.advance(0.1)
    assert ctx.get("k") is None
    assert ctx.get_entry("k") is None
    assert ctx.keys() == []
    assert "k" not in ctx
    assert ctx.stats().entries == 0


def test_ttl_none_never_expires(clock, backend_factory):
    ctx = SharedContext(ttl=None, clock=clock, backend=backend_factory())
    ctx.put("k", "v")
    clock.advance(10**9)
    assert ctx.get("k") == "v"


def test_eviction_drops_oldest_live(ctx, clock):
    for key in ("a", "b", "c"):
        ctx.put(key, key)
        clock.advance(1)
    ctx.put("d", "d")
    assert ctx.keys() == ["b", "c", "d"]


def test_eviction_drops_expired_before_live(ctx, clock):
    ctx.put("old1", "x")
    ctx.put("old2", "x")
    clock.advance(30)
    ctx.put("live", "x")
    clock.advance(31)  # old1 and old2 expired, live has 29 s left
    ctx.put("new", "x")
    assert ctx.keys() == ["live", "new"]


def test_update_at_capacity_evicts_nothing(ctx, clock):
    for key in ("a", "b", "c"):
        ctx.put(key, key)
        clock.advance(1)
    ctx.put("a", "a2")
    assert sorted(ctx.keys()) == ["a", "b", "c"]
    # "a" is now the newest, so the next new key evicts "b".
    ctx.put("d", "d")
    assert ctx.keys() == ["c", "a", "d"]


def test_stats_arithmetic(clock, backend_factory):
    ctx = SharedContext(
        clock=clock, token_counter=lambda text: len(text), backend=backend_factory()
    )
    ctx.put("a", "x" * 10)
    ctx.put("b", "y" * 30)
    stats = ctx.stats()
    assert stats.entries == 2
    assert stats.total_original_tokens == 40
    assert stats.total_compressed_tokens == 40
    assert stats.total_tokens_saved == 0
    assert stats.savings_percent == 0.0


def test_stats_over_compressed_entries(clock, backend_factory):
    rows = [{"id": i, "status": "ok", "region": "eu-west-1"} for i in range(300)]
    ctx = SharedContext(clock=clock, backend=backend_factory())
    entry = ctx.put("rows", json.dumps(rows, indent=2))
    ctx.put("small", "tiny")
    stats = ctx.stats()
    assert stats.total_original_tokens == entry.original_tokens + ctx.count_tokens("tiny")
    assert stats.total_compressed_tokens == entry.compressed_tokens + ctx.count_tokens("tiny")
    assert stats.total_tokens_saved == stats.total_original_tokens - stats.total_compressed_tokens
    expected = round(100 * stats.total_tokens_saved / stats.total_original_tokens, 1)
    assert stats.savings_percent == expected


def test_empty_content_is_stored(ctx):
    entry = ctx.put("empty", "")
    assert (entry.original_tokens, entry.compressed_tokens, entry.savings_percent) == (0, 0, 0.0)
    assert ctx.get("empty") == ""
    assert ctx.get("empty", full=True) == ""


def test_non_string_content(ctx):
    ctx.put("d", {"a": 1, "b": [1, 2]})
    assert json.loads(ctx.get("d", full=True)) == {"a": 1, "b": [1, 2]}
    ctx.put("l", [1, "two"])
    assert json.loads(ctx.get("l", full=True)) == [1, "two"]
    ctx.put("b", b"caf\xc3\xa9 \xff")
    assert ctx.get("b", full=True) == "café \\xff"  # a byte that is not UTF-8 kept as \xNN
    with pytest.raises(TypeError, match="content must be"):
        ctx.put("n", 42)
    with pytest.raises(TypeError, match="content must be"):
        ctx.put("n", None)


@pytest.mark.parametrize("key,error", [("", ValueError), (None, TypeError), (3, TypeError)])
def test_bad_keys(ctx, key, error):
    with pytest.raises(error):
        ctx.put(key, "x")
    with pytest.raises(error):
        ctx.get(key)
    with pytest.raises(error):
        ctx.delete(key)


def test_bad_agent(ctx):
    with pytest.raises(TypeError):
        ctx.put("k", "x", agent=5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ttl": 0},
        {"ttl": -1},
        {"ttl": "3600"},
        {"max_entries": 0},
        {"max_entries": 1.5},
        {"compress_deadline": 0},
        {"compress_deadline": "10"},
    ],
)
def test_bad_construction(kwargs):
    # A number given as text (read from an environment variable) is named, not compared.
    (name,) = kwargs
    with pytest.raises(ValueError, match=f"^{name} must be"):
        SharedContext(**kwargs)


def test_odd_unicode_round_trips(ctx):
    text = "שלום e\u0301\u0301 \u200f🙂 \x00 \ud800 end"
    ctx.put("u", text)
    assert ctx.get("u", full=True) == text


def test_compression_failure_falls_back(clock, backend_factory):
    calls = []

    def flaky_counter(text: str) -> int:
        calls.append(text)
        if len(calls) == 1:
            raise RuntimeError(f"boom on {text!r}")  # a message that quotes the content
        return len(text)

    ctx = SharedContext(clock=clock, token_counter=flaky_counter, backend=backend_factory())
    entry = ctx.put("k", "some text")
    assert entry.compressed == entry.original == "some text"
    assert entry.transforms == ["fallback:RuntimeError"]  # its type alone
    assert entry.original_tokens == entry.compressed_tokens == len("some text")


def test_concurrent_mixed_operations_lose_nothing(backend_factory):
    backend = backend_factory()
    ctx = SharedContext(ttl=None, max_entries=10_000, backend=backend)
    # keys() and stats() read every entry; over loopback Redis that is slow, so fewer puts.
    per_thread = 500 if isinstance(backend, MemoryBackend) else 120
    stored: set[str] = set()  # puts that returned: each must be there, intact
    # Puts that raised BackendUnavailableError: a loaded Redis reached them past their deadline,
    # or the circuit breaker was open. Documented to leave nothing behind: checked below.
    refused: set[str] = set()
    errors: list[BaseException] = []
    lock = threading.Lock()

    def body(n: int, i: int) -> str:
        return f"t{n}-{i} " * (i % 7 + 1)

    def worker(n: int) -> None:
        try:
            for i in range(per_thread):
                key = f"t{n}-{i}"
                try:
                    ctx.put(key, body(n, i), agent=f"agent{n}")
                except BackendUnavailableError:
                    with lock:
                        refused.add(key)
                    continue
                with lock:
                    stored.add(key)
                try:
                    assert ctx.get(key, full=True) == body(n, i)
                    if i % 50 == 0:
                        ctx.keys()
                        ctx.stats()
                except BackendUnavailableError:
                    pass  # a read that came too late loses nothing: every entry is read below
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert stored, f"every put was refused ({len(refused)}): nothing was checked"
    if isinstance(backend, MemoryBackend):
        assert not refused  # memory has nothing to refuse a put for
        reader = ctx
    else:
        # Past every refused put's deadline on Redis's clock: one still queued refuses itself
        # from now on, so what is stored now is final. Read by another client, with time to
        # spare, so a loaded machine or an open breaker cannot make the check itself fail.
        time.sleep(backend.timeout)
        other = backend_factory(namespace=backend.namespace, timeout=30.0)
        reader = SharedContext(ttl=None, max_entries=10_000, backend=other)
    entries = {entry.key: entry for entry in reader.entries()}
    assert not refused & entries.keys(), "a put reported as refused landed"
    assert not stored - entries.keys(), "a put that returned was lost"
    assert entries.keys() == stored
    for key, entry in entries.items():
        n, i = map(int, key[1:].split("-"))
        assert entry.original == body(n, i) and entry.agent == f"agent{n}"
    assert reader.stats().entries == len(stored) == 16 * per_thread - len(refused)


def test_concurrent_puts_respect_max_entries(patient_backend_factory):
    ctx = SharedContext(ttl=None, max_entries=50, backend=patient_backend_factory())

    def worker(n: int) -> None:
        for i in range(300):
            ctx.put(f"t{n}-{i}", "x")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ctx) == 50
    # Each thread's last write is newer than its earlier ones, so none of those outlived it.
    keys = set(ctx.keys())
    for n in range(16):
        for i in range(299):
            if f"t{n}-{i}" in keys:
                assert f"t{n}-{i + 1}" in keys


def test_async_twins(ctx):
    import asyncio

    async def main():
        await asyncio.gather(*(ctx.aput(f"k{i}", f"v{i}") for i in range(3)))
        return await ctx.aget("k1"), await ctx.asearch("k2", "v2"), await ctx.arender()

    got, hits, block = asyncio.run(main())
    assert got == "v1"
    assert hits[0].key == "k2"
    assert "### k0" in block


def test_max_bytes_evicts_by_age(clock, backend_factory):
    # 300 bytes each, too short to compress so held once; Redis adds what it allocates.
    probe = SharedContext(clock=clock, backend=backend_factory())
    probe.put("p", "p" * 300)
    size = probe.get_entry("p").size_bytes
    ctx = SharedContext(clock=clock, max_bytes=size * 10 // 3, backend=backend_factory())
    for key in ("a", "b", "c"):
        ctx.put(key, key * 300)
        clock.advance(1)
    assert ctx.keys() == ["a", "b", "c"]
    ctx.put("d", "d" * 300)
    assert ctx.keys() == ["b", "c", "d"]
    ctx.put("b", "b" * 900)  # growing an entry may evict the oldest others
    assert ctx.keys() in (["b"], ["d", "b"])


def test_max_bytes_counts_utf8_and_refuses_an_entry_that_cannot_fit(clock, backend_factory):
    ctx = SharedContext(clock=clock, max_bytes=100, backend=backend_factory())
    # 80 bytes, compressed form and original being one (Redis then adds its allocations)
    assert ctx.put("small", "é" * 40).size_bytes == 80
    with pytest.raises(EntryTooLargeError, match="max_bytes=100"):
        ctx.put("big", "x" * 120)
    assert ctx.keys() == ["small"]  # nothing evicted for a refused entry
    with pytest.raises(ValueError):
        SharedContext(max_bytes=0)
    assert SharedContext(max_bytes=None).max_bytes is None


def test_many_concurrent_async_tasks(backend_factory):
    import asyncio

    ctx = SharedContext(ttl=None, max_entries=1000, backend=backend_factory())
    body = "\n".join(f"2026-11-23 10:00:{i % 60:02d} INFO item {i} ok" for i in range(300))

    async def agent(n: int) -> tuple[str | None, int]:
        await ctx.aput(f"a{n}", f"{body}\nagent {n} done", agent=f"agent{n}")
        text = await ctx.aget(f"a{n}", full=True)
        hits = await ctx.asearch(f"a{n}", f"agent {n} done", k=1)
        block = await ctx.arender([f"a{n}"], max_tokens=200)
        assert ctx.count_tokens(block) <= 200
        return text, len(hits)

    async def main():
        return await asyncio.gather(*(agent(n) for n in range(200)))

    results = asyncio.run(main())
    assert [text for text, _ in results] == [f"{body}\nagent {n} done" for n in range(200)]
    assert all(found == 1 for _, found in results)
    assert len(ctx) == 200


@pytest.mark.parametrize("repeat", [1, 2_000])  # long texts are counted on another thread
def test_a_failing_token_counter_never_loses_the_put(clock, repeat):
    def broken(text: str) -> int:
        raise RuntimeError(f"tokenizer down on {text[:30]!r}")

    text = "some text worth keeping\n" * repeat
    ctx = SharedContext(clock=clock, token_counter=broken)
    entry = ctx.put("k", text)
    assert ctx.get("k", full=True) == text
    assert entry.transforms == ["fallback:RuntimeError"]
    assert entry.original_tokens == entry.compressed_tokens > 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_gets_worker_threads_of_its_own():
    ctx = SharedContext()
    report = "## Findings\n\n" + "The cache hit rate fell to 41 % after the deploy. " * 400
    ctx.put("parent", report)
    assert ctx.search("parent", "cache hit rate")  # starts this process's index worker
    # A big entry whose index is still being built when the process forks.
    ctx.put("big", "\n".join(f"line {i}: the cache hit rate was {i % 97} %" for i in range(60_000)))
    child = multiprocessing.get_context("fork").Process(target=_search_in_child, args=(ctx,))
    child.start()
    child.join(timeout=60)
    if child.is_alive():
        child.kill()
    assert child.exitcode == 0


def _search_in_child(inherited: SharedContext) -> None:
    # The parent's unfinished index never finishes here: it is built again.
    if not inherited.search("big", "hit rate was 42"):
        raise SystemExit(1)
    ctx = SharedContext()
    ctx.put("child", inherited.get("parent", full=True) or "")
    if not ctx.search("child", "cache hit rate"):
        raise SystemExit(2)


def test_memory_ages_entries_on_a_monotonic_clock(monkeypatch):
    """A wall clock that jumps (NTP, a suspended laptop) neither revives nor kills entries."""
    ctx = SharedContext(ttl=0.3, max_entries=2)
    ctx.put("old", "put first")
    time.sleep(0.35)  # really expired
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - 3600)  # the wall clock steps back
    assert ctx.get("old") is None
    ctx.put("live", "put after the step")
    monkeypatch.setattr(time, "time", lambda: real() + 3600)  # and forward
    ctx.put("newer", "put after another step")
    assert ctx.keys() == ["live", "newer"]  # the expired entry went, no live one
    assert ctx.get("live") == "put after the step"
