"""Run scopes: views of one SharedContext that never see each other's entries."""

import threading
from collections.abc import Callable

import pytest

from agent_baton import Backend, EntryTooLargeError, MemoryBackend, SharedContext

from .conftest import FakeClock

LOG = "\n".join(
    f"2026-01-01 10:00:{i % 60:02d} INFO request {i} served in 12ms" for i in range(300)
)


@pytest.fixture
def shared(clock: FakeClock, backend_factory: Callable[[], Backend]) -> SharedContext:
    return SharedContext(ttl=60, max_entries=50, clock=clock, backend=backend_factory())


def test_scopes_see_only_their_own_entries(shared: SharedContext) -> None:
    alice, bob = shared.scope("alice"), shared.scope("bob")
    alice.put("research", "Alice's order 4711 shipped to Lyon.", agent="researcher")
    bob.put("research", "Bob's order 9000 went to Oslo.", agent="researcher")
    shared.put("notes", "root notes")

    assert alice.get("research") == "Alice's order 4711 shipped to Lyon."
    assert bob.get("research", full=True) == "Bob's order 9000 went to Oslo."
    assert alice.keys() == ["research"] and bob.keys() == ["research"]
    assert shared.keys() == ["notes"]  # the root sees its own entries, not the scopes'
    assert [h.key for h in alice.search(None, "order Oslo")] == ["research"]
    assert all("Oslo" not in h.text for h in alice.search(None, "order Oslo"))
    assert "Oslo" not in alice.render() and "Lyon" in alice.render()
    assert "Lyon" not in bob.render(query="Lyon")
    assert alice.stats().entries == 1 and len(bob) == 1
    assert "research" in alice and "notes" not in alice
    assert alice.scope_path == ("alice",) and shared.scope_path == ()


def test_every_view_of_a_context_names_its_one_store() -> None:
    # What an adapter keys its per-store state by (the puts under way, for eviction).
    store = MemoryBackend()
    ctx = SharedContext(backend=store)
    assert ctx.backend is store
    assert ctx.scope("alice").scope("run").backend is store
    assert SharedContext().backend is not SharedContext().backend


def test_same_name_is_the_same_scope_and_scopes_nest(shared: SharedContext) -> None:
    shared.scope("team").scope("run-1").put("plan", "step one")
    assert shared.scope("team").scope("run-1").get("plan") == "step one"
    assert shared.scope("team").keys() == []
    assert shared.scope("team").scope("run-2").get("plan") is None
    # A scope name cannot be spelled out in a key of another scope.
    with pytest.raises(ValueError):
        shared.scope("team").put("run-1\x1fplan", "forged")
    with pytest.raises(ValueError):
        shared.scope("a\x1fb")


def test_markers_name_the_key_the_scope_reader_knows(shared: SharedContext) -> None:
    entry = shared.scope("alice").put("log", LOG)
    assert entry.key == "log"
    assert 'get("log", full=True)' in entry.compressed
    assert "\x1f" not in shared.scope("alice").render(max_tokens=200)


def test_clear_removes_a_scope_and_its_children_only(shared: SharedContext) -> None:
    team = shared.scope("team")
    team.put("a", "1")
    team.scope("run").put("b", "2")
    shared.scope("other").put("c", "3")
    team.clear()
    assert team.keys() == [] and team.scope("run").keys() == []
    assert shared.scope("other").get("c") == "3"
    shared.clear()
    assert shared.scope("other").get("c") is None


def test_append_keeps_every_run(shared: SharedContext) -> None:
    run = shared.scope("run")
    keys = [run.append("researcher", f"finding {i}").key for i in range(3)]
    assert keys == ["researcher", "researcher#2", "researcher#3"]
    assert [run.get(k) for k in keys] == ["finding 0", "finding 1", "finding 2"]
    # Another scope numbers its own runs; a plain put is not overwritten by append.
    other = shared.scope("other")
    other.put("researcher", "put directly")
    assert other.append("researcher", "appended").key == "researcher#2"
    assert other.get("researcher") == "put directly"
    rendered = run.render()
    assert "finding 0" in rendered and "finding 2" in rendered


def test_concurrent_appends_in_one_scope_never_collide(shared: SharedContext) -> None:
    run = shared.scope("run")
    keys: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        key = run.append("step", f"output {i}").key
        with lock:
            keys.append(key)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 12
    assert sorted(run.get(k) or "" for k in keys) == sorted(f"output {i}" for i in range(12))


def test_missing_reason(clock: FakeClock, backend_factory: Callable[[], Backend]) -> None:
    ctx = SharedContext(
        ttl=60, max_entries=2, max_bytes=10_000, clock=clock, backend=backend_factory()
    )
    run = ctx.scope("run")
    assert run.missing_reason("nothing") == "not stored"
    run.put("old", "first")
    assert run.missing_reason("old") is None
    run.put("b", "second")
    run.put("c", "third")  # max_entries=2: "old" goes
    assert run.missing_reason("old") == "evicted or deleted"
    with pytest.raises(Exception, match="max_bytes"):
        run.put("huge", "x" * 20_000)
    assert (run.missing_reason("huge") or "").startswith("refused: too large")
    clock.advance(61)
    assert run.missing_reason("c") == "expired"
    assert ctx.missing_reason("c") == "not stored"  # the root never stored it


def test_missing_keys_lists_what_a_bound_or_ttl_took_from_a_scope(
    clock: FakeClock, backend_factory: Callable[[], Backend]
) -> None:
    # max_entries bounds every scope together: bob's second put (him holding as many as
    # alice with it) evicts the oldest of the scope whose oldest is oldest: alice's plan.
    ctx = SharedContext(ttl=60, max_entries=3, clock=clock, backend=backend_factory())
    alice, bob = ctx.scope("alice"), ctx.scope("bob")
    assert alice.missing_keys() == {}
    alice.put("plan", "alice's plan")
    alice.put("draft", "alice's draft")
    alice.put("scratch", "to delete")
    alice.delete("scratch")  # deleted on purpose: forgotten, never listed
    assert alice.missing_keys() == {}
    bob.put("a", "bob a")
    bob.put("b", "bob b")  # evicts alice's plan
    assert alice.missing_keys() == {"plan": "evicted or deleted"}
    assert bob.missing_keys() == {} and ctx.missing_keys() == {}
    clock.advance(61)
    assert alice.missing_keys() == {"plan": "expired", "draft": "expired"}


def test_missing_reason_never_tells_one_user_of_another(
    clock: FakeClock, backend_factory: Callable[[], Backend]
) -> None:
    # The history behind missing_reason is shared by every view of one context object.
    backend = backend_factory()
    ctx = SharedContext(ttl=60, max_entries=10, max_bytes=10_000, clock=clock, backend=backend)
    alice, bob = ctx.scope("alice"), ctx.scope("bob")
    alice.put("notes", "alice's notes")
    alice.put("gone", "alice's draft")
    alice.delete("gone")
    with pytest.raises(EntryTooLargeError):
        alice.put("dump", "x" * 20_000)
    others = [bob, ctx, alice.scope("bob"), ctx.scope("alic"), SharedContext(backend=backend)]
    for view in others:
        for key in ("notes", "gone", "dump"):
            assert view.missing_reason(key) == "not stored", (view.scope_path, key)
    # One user's writes and clear() leave the other's history as it was.
    bob.put("dump", "bob's small dump")
    bob.clear()
    assert bob.missing_reason("dump") == "not stored"
    assert (alice.missing_reason("dump") or "").startswith("refused: too large")
    assert alice.missing_reason("notes") is None
    clock.advance(61)
    assert alice.missing_reason("notes") == "expired"
    assert bob.missing_reason("notes") == "not stored"


def test_many_concurrent_runs_never_see_each_other(shared: SharedContext) -> None:
    errors: list[str] = []

    def run(i: int) -> None:
        view = shared.scope(f"user-{i}")
        for step in range(5):
            view.append("research", f"user {i} secret-{i}-{step} order {1000 + i}")
        seen = view.render(max_tokens=2000) + "".join(
            h.text for h in view.search(None, "secret order")
        )
        leaked = [j for j in range(10) if j != i and f"secret-{j}-" in seen]
        if leaked or f"secret-{i}-4" not in seen:
            errors.append(f"user {i}: leaked {leaked}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_appends_from_two_contexts_on_one_store_never_collide(
    backend_factory: Callable[[], Backend],
) -> None:
    # Two SharedContext objects on one store: what two processes on one Redis namespace are.
    backend = backend_factory()
    first = SharedContext(max_entries=100, backend=backend).scope("run")
    second = SharedContext(max_entries=100, backend=backend).scope("run")
    keys: list[str] = []
    lock = threading.Lock()

    def work(view: SharedContext, i: int) -> None:
        key = view.append("step", f"output {i}").key
        with lock:
            keys.append(key)

    threads = [
        threading.Thread(target=work, args=(first if i % 2 else second, i)) for i in range(16)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 16
    assert sorted(first.get(k) or "" for k in keys) == sorted(f"output {i}" for i in range(16))


def test_backends_select_a_scopes_entries_where_they_are_stored(
    clock: FakeClock, backend_factory: Callable[[], Backend]
) -> None:
    backend = backend_factory()
    ctx = SharedContext(ttl=60, max_entries=50, clock=clock, backend=backend)
    # Lua pattern characters in a scope name must match literally.
    names = ["a%.-[", "a%.-[x", "b", "a"]
    for name in names:
        ctx.scope(name).put("k", f"text of {name}")
    ctx.put("a%", "root entry")

    for name in names:
        chosen = backend.entries_under(f"{name}\x1f", ttl=60, now=clock())
        assert [e.original for e in chosen] == [f"text of {name}"]
    assert len(backend.entries_under("", ttl=60, now=clock())) == len(names) + 1
    assert backend.entries_under("nobody\x1f", ttl=60, now=clock()) == []
    clock.advance(61)
    assert backend.entries_under("b\x1f", ttl=60, now=clock()) == []


# Names users may choose: prefixes of each other, glob and Lua pattern characters, the
# Redis hash's own field prefixes, newlines, NUL, a lone surrogate, two spellings of é, long.
USER_NAMES = ["a", "ab", "a b", "a:", "*", "[a]", "%", "m:a", "d:", "l:a", "s:1", "x1:0"]
USER_NAMES += ["\n", "a\nb", "a\x00", "\ud800", "\u00e9", "e\u0301", "#", "a#2", "a" * 3000]


def test_scope_names_users_choose_never_reach_another_scope(
    clock: FakeClock, backend_factory: Callable[[], Backend]
) -> None:
    ctx = SharedContext(ttl=60, max_entries=500, clock=clock, backend=backend_factory())
    tags = {name: f"T{i}T" for i, name in enumerate(USER_NAMES)}
    for name, tag in tags.items():
        view = ctx.scope(name)
        view.put("k", f"secret {tag} " * 30)
        view.append("k", f"second {tag}")
        view.scope("inner").put("k", f"nested {tag}")

    for name, tag in tags.items():
        view = ctx.scope(name)
        others = [t for n, t in tags.items() if n != name]
        assert view.keys() == ["k", "k#2"]
        seen = [view.render(max_tokens=50_000), *(h.text for h in view.search(None, "T", k=50))]
        seen += [e.original for _, e in view.entries_in_scopes()]
        assert tag in seen[0] and not [t for t in others if any(t in text for text in seen)]
        assert len(view.entries_in_scopes()) == 3 and view.missing_keys() == {}
    ctx.scope("a").clear()
    assert all(ctx.scope(n).keys() == ["k", "k#2"] for n in USER_NAMES if n != "a")
    assert ctx.keys() == []


def test_one_scope_flooding_its_history_leaves_another_scopes_as_it_was(
    clock: FakeClock, backend_factory: Callable[[], Backend]
) -> None:
    # missing_reason remembers the latest 4,096 keys of each scope: a user who puts more
    # forgets only their own keys, and another user is still told "evicted", not "not stored".
    ctx = SharedContext(
        ttl=None, max_entries=5, max_bytes=10_000, clock=clock, backend=backend_factory()
    )
    alice, bob = ctx.scope("alice"), ctx.scope("bob")
    alice.put("draft", "alice's draft")
    for i in range(5):
        alice.put(f"note{i}", "alice's note")  # max_entries=5: her draft goes
    with pytest.raises(EntryTooLargeError):
        alice.put("dump", "x" * 20_000)
    flood = 4096 + 10
    for i in range(flood):
        bob.put(f"k{i}", "b")  # alice's notes go while she holds more, then bob's own
    assert alice.get("draft") is None
    assert alice.missing_reason("draft") == "evicted or deleted"
    assert (alice.missing_reason("dump") or "").startswith("refused: too large")
    assert bob.missing_reason(f"k{flood - 6}") == "evicted or deleted"
    assert bob.missing_reason("k0") == "not stored"  # bob's own oldest keys are forgotten


def test_an_empty_scope_is_truthy_so_or_never_swaps_it_for_the_root(
    shared: SharedContext,
) -> None:
    shared.put("root-note", "the root's entry")
    alice = shared.scope("alice")
    assert len(alice) == 0
    assert bool(alice) and bool(SharedContext())
    chosen = alice or shared  # user code's fallback must keep the (empty) scope it was given
    chosen.put("note", "alice's")
    assert shared.keys() == ["root-note"] and alice.keys() == ["note"]
