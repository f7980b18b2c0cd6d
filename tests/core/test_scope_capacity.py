"""Capacity between scopes: at a bound, the scope holding the most gives up its oldest entry.

Users, threads, crews and teams share one context's ``max_entries`` and ``max_bytes``; a busy
one must not make an idle one's entries vanish. Memory and a real Redis, the same rules.
"""

import random
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from agent_baton import Backend, MemoryBackend, SharedContext

from .conftest import FakeClock
from .test_redis_backend import assert_shares_match_the_order

IDLE_USERS, NOTES = 10, 3


def fill_idle_users(ctx: SharedContext, body: str) -> None:
    for user in range(IDLE_USERS):
        for note in range(NOTES):
            ctx.scope(f"user-{user}").put(f"note-{note}", f"user {user} note {note} {body}")


def idle_notes_left(ctx: SharedContext) -> int:
    return sum(len(ctx.scope(f"user-{user}").keys()) for user in range(IDLE_USERS))


def test_a_busy_scope_evicts_its_own_oldest_entries_never_an_idle_ones(
    clock: FakeClock, backend_factory: Callable[[], Backend]
) -> None:
    ctx = SharedContext(ttl=None, max_entries=50, clock=clock, backend=backend_factory())
    fill_idle_users(ctx, "")
    busy = ctx.scope("busy")
    for step in range(200):
        busy.put(f"step-{step}", f"busy step {step}")
    assert idle_notes_left(ctx) == IDLE_USERS * NOTES
    assert busy.keys() == [f"step-{step}" for step in range(180, 200)]  # its newest 20
    assert ctx.scope("user-0").missing_keys() == {}
    assert busy.missing_reason("step-179") == "evicted or deleted"


def test_the_byte_bound_takes_from_the_scope_holding_the_most_bytes(
    clock: FakeClock, backend_factory: Callable[[], Backend]
) -> None:
    # Many small entries are not what a scope's bytes are judged by: one large entry is.
    backend = backend_factory()
    ctx = SharedContext(ttl=None, max_entries=1_000, max_bytes=60_000, clock=clock, backend=backend)
    fill_idle_users(ctx, "x" * 200)
    big = ctx.scope("big")
    for step in range(40):
        big.put(f"dump-{step}", f"dump {step} " + "y" * 4_000)
    assert idle_notes_left(ctx) == IDLE_USERS * NOTES
    assert big.keys()[-1] == "dump-39" and "dump-0" not in big
    sizes = [e.size_bytes for e in backend.entries(ttl=None, now=clock())]
    assert sum(sizes) <= 60_000


def test_scopes_writing_at_the_bound_end_up_sharing_it(
    clock: FakeClock, backend_factory: Callable[[], Backend]
) -> None:
    # Two users writing in turn hold half each (one more for the latest writer: among equals,
    # the oldest entry goes); a third arriving takes from them, not from the root's one.
    ctx = SharedContext(ttl=None, max_entries=12, clock=clock, backend=backend_factory())
    ctx.put("shared", "the root's own entry, one scope among the others")
    alice, bob = ctx.scope("alice"), ctx.scope("bob")
    for step in range(30):
        alice.put(f"a{step}", "alice")
        bob.put(f"b{step}", "bob")
    assert (len(alice.keys()), len(bob.keys())) == (5, 6) and alice.keys()[-1] == "a29"
    # Nested scopes count on their own: carol's inner run is one more scope.
    carol = ctx.scope("carol").scope("run-1")
    for step in range(30):
        carol.put(f"c{step}", "carol")
    assert ctx.keys() == ["shared"]
    assert sorted(len(view.keys()) for view in (alice, bob, carol)) == [3, 4, 4]


def test_threads_of_many_scopes_at_the_bound_share_it_evenly(
    patient_backend_factory: Callable[[], Backend],
) -> None:
    backend = patient_backend_factory()
    ctx = SharedContext(ttl=None, max_entries=40, backend=backend, token_counter=len)
    start = threading.Barrier(8)

    def write(user: int) -> None:
        view = ctx.scope(f"user-{user}")
        start.wait()
        for step in range(60):
            view.put(f"k{step}", f"user {user} step {step}")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(8)))
    held = Counter(e.key.split("\x1f")[0] for e in backend.entries(ttl=None, now=None))
    assert sum(held.values()) == 40
    # Each writer evicts from the scope holding the most (itself, when it holds as many), so
    # no scope ends with fewer than its share less one, whatever the interleaving.
    assert min(held.values()) >= 40 // 8 - 1 and len(held) == 8, held
    for user in range(8):  # and each keeps its newest
        assert ctx.scope(f"user-{user}").keys()[-1] == "k59"
    if not isinstance(backend, MemoryBackend):
        assert_shares_match_the_order(backend)


def test_memory_and_redis_evict_the_same_entries(
    redis_backend_factory: Callable[..., Backend],
) -> None:
    # Random puts, replacements and deletes over nested scopes and the root at max_entries:
    # both backends pick the same scope and entry at every step.
    views = []
    for backend in (MemoryBackend(), redis_backend_factory()):
        ctx = SharedContext(ttl=None, max_entries=15, backend=backend, token_counter=len)
        views.append([ctx, ctx.scope("a"), ctx.scope("a").scope("b"), ctx.scope("c")])
    rng = random.Random(11)
    for step in range(300):
        at, key, action = rng.randrange(4), f"k{rng.randrange(8)}", rng.random()
        for view in (views[0][at], views[1][at]):
            if action < 0.85:
                view.put(key, f"step {step}")
            else:
                view.delete(key)
        held = [[view.keys() for view in both] for both in views]
        assert held[0] == held[1], step
