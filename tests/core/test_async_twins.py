"""Every method of SharedContext that reads or writes the backend has an async twin.

The twins must agree with their sync methods, keep scopes apart, and leave the event loop
free while the backend works (on Redis, a network round trip per call).
"""

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any

from agent_baton import SharedContext

ENTRIES = 400

# Public methods that never touch the backend, so need no twin.
NO_BACKEND = {"scope", "count_tokens", "from_url"}


def test_every_backend_method_has_an_async_twin():
    public = {
        name
        for name, member in inspect.getmembers(SharedContext, inspect.isfunction)
        if not name.startswith("_") and not inspect.iscoroutinefunction(member)
    }
    missing = sorted(
        name
        for name in public - NO_BACKEND
        if not inspect.iscoroutinefunction(getattr(SharedContext, f"a{name}", None))
    )
    assert missing == []
    # Same parameters, so a user can swap one for the other.
    for name in public - NO_BACKEND:
        sync = inspect.signature(getattr(SharedContext, name))
        twin = inspect.signature(getattr(SharedContext, f"a{name}"))
        assert list(twin.parameters) == list(sync.parameters), name


def test_twins_agree_with_sync_methods_and_keep_scopes_apart(ctx, clock, tmp_path):
    alice, bob = ctx.scope("alice"), ctx.scope("bob")

    async def main() -> dict[str, Any]:
        await alice.aput("notes", "alice's notes: the refund failed", agent="a")
        await alice.aput("log", "ERROR alice's build failed")
        await bob.aput("notes", "bob's notes: all green", agent="b")
        seen = {
            "alice_keys": await alice.akeys(),
            "alice_sync_keys": alice.keys(),
            "bob_keys": await bob.akeys(),
            "root_keys": await ctx.akeys(),
            "alice_entries": [e.original for e in await alice.aentries()],
            "bob_entry": (await bob.aget_entry("notes")).original,
            "bob_log": await bob.aget_entry("log"),
            "alice_stats": (await alice.astats()).entries,
            "bob_stats": (await bob.astats()).entries,
            "in_scopes": sorted((p, e.key) for p, e in await ctx.aentries_in_scopes()),
            "bob_page": await bob.areport_html(tmp_path / "bob.html"),
        }
        # Deleting in one scope leaves the other's entry of the same key.
        seen["bob_deleted"] = await bob.adelete("notes")
        seen["bob_deleted_again"] = await bob.adelete("notes")
        seen["alice_after_delete"] = await alice.aget_entry("notes")
        seen["bob_reason"] = await bob.amissing_reason("notes")
        seen["alice_reason"] = await alice.amissing_reason("notes")
        seen["never_reason"] = await alice.amissing_reason("never")
        await bob.aput("plan", "bob's plan")
        await alice.aclear()
        seen["alice_after_clear"] = await alice.akeys()
        seen["bob_after_clear"] = await bob.akeys()
        return seen

    seen = asyncio.run(main())
    assert seen["alice_keys"] == seen["alice_sync_keys"] == ["notes", "log"]
    assert seen["bob_keys"] == ["notes"]
    assert seen["root_keys"] == []  # the root sees no scope's entries
    assert seen["alice_entries"] == [
        "alice's notes: the refund failed",
        "ERROR alice's build failed",
    ]
    assert seen["bob_entry"] == "bob's notes: all green"
    assert seen["bob_log"] is None
    assert (seen["alice_stats"], seen["bob_stats"]) == (2, 1)
    assert seen["in_scopes"] == [(("alice",), "log"), (("alice",), "notes"), (("bob",), "notes")]
    assert "all green" in seen["bob_page"] and "alice" not in seen["bob_page"]
    assert (tmp_path / "bob.html").read_text(encoding="utf-8") == seen["bob_page"]
    assert (seen["bob_deleted"], seen["bob_deleted_again"]) == (True, False)
    assert seen["alice_after_delete"].original == "alice's notes: the refund failed"
    assert seen["bob_reason"] == "not stored"  # delete forgets the key
    assert seen["alice_reason"] is None
    assert seen["never_reason"] == "not stored"
    assert seen["alice_after_clear"] == []
    assert seen["bob_after_clear"] == ["plan"]


def test_aclose_closes_and_a_later_call_reopens(redis_backend_factory):
    ctx = SharedContext(backend=redis_backend_factory())

    async def main() -> list[str]:
        await ctx.aput("k", "v")
        await ctx.aclose()
        return await ctx.akeys()

    assert asyncio.run(main()) == ["k"]


async def _ticks_during(call: Callable[[], Awaitable[Any]]) -> tuple[int, Any]:
    """How often a 1 ms ticker on the loop ticked while ``call`` ran, and its result."""
    ticks = 0
    running = True

    async def ticker() -> None:
        nonlocal ticks
        while running:
            await asyncio.sleep(0.001)
            ticks += 1

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    before = ticks
    result = await call()
    during = ticks - before
    running = False
    await task
    return during, result


def test_akeys_on_a_big_redis_scope_leaves_the_loop_running(redis_backend_factory):
    # Enough entries that reading them all back takes some milliseconds (puts on Redis get
    # slower as a namespace grows, so not many more).
    ctx = SharedContext(ttl=None, max_entries=5000, max_bytes=None, backend=redis_backend_factory())
    alice, bob = ctx.scope("alice"), ctx.scope("bob")
    body = "\n".join(f"line {n}: ok, nothing to see" for n in range(60))
    for n in range(ENTRIES):
        alice.put(f"k{n}", f"entry {n}\n{body}")
    bob.put("b", "bob's only entry")
    start = time.perf_counter()
    assert len(alice.keys()) == ENTRIES
    sync_seconds = time.perf_counter() - start

    async def blocking() -> list[str]:
        return alice.keys()

    async def main() -> tuple[tuple[int, Any], tuple[int, Any], tuple[int, Any]]:
        return (
            await _ticks_during(blocking),
            await _ticks_during(alice.akeys),
            await _ticks_during(bob.akeys),
        )

    (sync_ticks, _), (ticks, keys), (_, bob_keys) = asyncio.run(main())
    # The measure tells the two apart: the sync call holds the loop, so no tick at all.
    assert sync_ticks == 0
    assert ticks >= 1, f"{ticks} ticks in akeys; keys() took {sync_seconds:.3f} s"
    assert keys == [f"k{n}" for n in range(ENTRIES)]
    assert bob_keys == ["b"]
