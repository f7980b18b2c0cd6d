"""RedisBackend against a real redis-server: processes, eviction races, expiry, outages."""

import importlib
import json
import multiprocessing
import random
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from agent_baton import BackendUnavailableError, MemoryBackend, RedisBackend, SharedContext
from agent_baton.entry import ContextEntry

# A spawned process imports this module (and tiktoken) before it works: on a loaded machine
# (a load of 28 on 2 cores) that alone took minutes. Bounds, not timings: generous.
PROCESS_SECONDS = 900
# Children talk to Redis with this timeout: the tests of this module are about sharing, and
# a busy machine may leave a put's answer waiting longer than the default 2 s.
CHILD_TIMEOUT = 60.0

ORDERS = json.dumps(
    [{"order_id": 4000 + i, "status": "failed" if i == 77 else "ok"} for i in range(300)],
    indent=2,
)


# -- worker processes (spawn: each starts a fresh interpreter and imports this module) ----


def put_orders(url: str, namespace: str) -> None:
    ctx = SharedContext.from_url(url, namespace=namespace, timeout=CHILD_TIMEOUT)
    ctx.put("orders", ORDERS, agent="researcher")


def read_orders(url: str, namespace: str, results: "multiprocessing.Queue[object]") -> None:
    ctx = SharedContext.from_url(url, namespace=namespace, timeout=CHILD_TIMEOUT)
    entry = ctx.get_entry("orders")
    hits = ctx.search("orders", "order 4077 failed", k=1)
    results.put((ctx.get("orders"), ctx.get("orders", full=True), entry.agent, hits[0].text))


def put_many(url: str, namespace: str, n: int, start: "multiprocessing.Event") -> None:
    ctx = SharedContext.from_url(
        url, namespace=namespace, ttl=None, max_entries=50, timeout=CHILD_TIMEOUT
    )
    start.wait()
    for i in range(120):
        ctx.put(f"p{n}-{i}", f"body of p{n}-{i}", agent=f"proc{n}")


def mixed_load(url: str, namespace: str, n: int, seconds: float) -> None:
    """Puts, reads, searches, renders and deletes on a shared namespace until time is up."""
    ctx = SharedContext.from_url(
        url, namespace=namespace, ttl=None, max_entries=40, timeout=CHILD_TIMEOUT
    )
    stop, i = time.monotonic() + seconds, 0
    while time.monotonic() < stop:
        key = f"m{n}-{i % 30}"
        body = f"{ORDERS}\nwritten by {n} round {i}"
        ctx.put(key, body, agent=f"proc{n}")
        got = ctx.get(key, full=True)
        assert got is None or got.startswith(ORDERS)  # evicted by another, or intact
        ctx.search(None, "order 4077 failed", k=3)
        assert ctx.count_tokens(ctx.render(max_tokens=300)) <= 300
        if i % 7 == 0:
            ctx.delete(f"m{n}-{(i + 3) % 30}")
        i += 1


@pytest.fixture
def workers(monkeypatch):
    """This module under a plain name, so spawned children can import its workers."""
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    monkeypatch.delitem(sys.modules, "test_redis_backend", raising=False)
    return importlib.import_module("test_redis_backend")


def spawn(target, *args):
    proc = multiprocessing.get_context("spawn").Process(target=target, args=args)
    proc.start()
    return proc


def join_ok(*procs):
    for proc in procs:
        proc.join(PROCESS_SECONDS)
        alive = proc.is_alive()
        if alive:
            proc.kill()
        assert not alive, f"a worker process ran past {PROCESS_SECONDS} s"
        assert proc.exitcode == 0


def wait_until(condition, what, seconds=60.0):
    """Poll ``condition`` until it holds; fail naming ``what`` after ``seconds`` (a bound)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what} after {seconds} s"
        time.sleep(0.01)


def error_of(call, seconds=60.0):
    """What ``call()`` raised (``None`` if nothing), run on a thread until it is over.

    ``seconds`` only bounds a hang: a call that gives up at its own timeout is over long
    before, however loaded the machine.
    """
    raised = []

    def run():
        try:
            call()
        except BaseException as exc:  # handed to the test as it is
            raised.append(exc)
        else:
            raised.append(None)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"{call!r} still running after {seconds} s"
    return raised[0]


def raw_keys(backend):
    """Every Redis key that names ``backend``'s namespace (its one hash, if nothing leaked)."""
    tag = f"{{{backend.namespace}}}".encode()
    return {k for k in backend._client.scan_iter(count=1000) if tag in k}


def members(backend, kind=b"m"):
    """The entry keys with a field of ``kind`` (m: meta, o: original, c: compressed)."""
    return {
        f[2:].decode("utf-8", "surrogatepass")
        for f in backend._client.hkeys(backend._key)
        if f.startswith(kind + b":")
    }


def assert_shares_match_the_order(backend):
    """In Redis, each scope's share counts exactly its entries in the order, and the heaps
    the bounds pick the busiest scope from rank every scope holding entries by it."""
    fields = backend._client.hgetall(backend._key)
    order = {}
    for field, value in fields.items():
        if field.startswith(b"s:"):
            size, member = value.split(b" ", 1)
            scope = member[: member.rfind(b"\x1f") + 1]
            n, b = order.get(scope, (0, 0))
            order[scope] = (n + 1, b + int(size))
    shares = {
        field[2:]: tuple(int(x) for x in value.split(b" "))
        for field, value in fields.items()
        if field.startswith(b"u:")
    }
    assert shares == order
    for kind, which in ((b"e", 0), (b"y", 1)):
        slots = [
            fields[b"x%s:%d" % (kind, i)].split(b" ", 2)
            for i in range(1, int(fields[b"#x" + kind]) + 1)
        ]
        assert sorted(scope for _, _, scope in slots) == sorted(order)
        for i, (value, oldest, scope) in enumerate(slots, start=1):
            assert int(fields[b"p%s:%s" % (kind, scope)]) == i
            assert int(value) == order[scope][which]
            if i > 1:  # no slot ranks above its parent
                up_value, up_oldest, _ = slots[i // 2 - 1]
                rank, up_rank = (int(value), -int(oldest)), (int(up_value), -int(up_oldest))
                assert rank <= up_rank


# -- tests -------------------------------------------------------------------------------


def test_two_processes_share_one_context(redis_server, workers, redis_backend_factory):
    namespace = redis_backend_factory().namespace  # cleared at teardown
    join_ok(spawn(workers.put_orders, redis_server.url, namespace))
    results = multiprocessing.get_context("spawn").Queue()
    reader = spawn(workers.read_orders, redis_server.url, namespace, results)
    compressed, full, agent, hit = results.get(timeout=PROCESS_SECONDS)
    join_ok(reader)
    assert full == ORDERS
    assert compressed != ORDERS and len(compressed) < len(ORDERS)
    assert agent == "researcher"
    assert "4077" in hit


def test_concurrent_processes_at_max_entries(redis_server, workers, redis_backend_factory):
    backend = redis_backend_factory()
    start = multiprocessing.get_context("spawn").Event()
    procs = [
        spawn(workers.put_many, redis_server.url, backend.namespace, n, start) for n in range(8)
    ]
    start.set()
    join_ok(*procs)
    entries = backend.entries(ttl=None, now=time.time())
    keys = [e.key for e in entries]
    assert len(keys) == len(set(keys)) == 50
    for entry in entries:  # intact: each field as its writer put it
        n = entry.key[1 : entry.key.index("-")]
        assert entry.original == entry.compressed == f"body of {entry.key}"
        assert entry.agent == f"proc{n}"
    # No orphans: exactly the live entries have fields, the namespace has one key.
    assert members(backend) == members(backend, b"o") == set(keys)
    assert raw_keys(backend) == {backend._key}
    # Each process's later puts are newer than its earlier ones, so none outlived them.
    for n in range(8):
        for i in range(119):
            if f"p{n}-{i}" in keys:
                assert f"p{n}-{i + 1}" in keys


def test_fake_clock_expiry(redis_backend_factory, clock):
    backend = redis_backend_factory()
    ctx = SharedContext(ttl=60, clock=clock, backend=backend)
    ctx.put("k", "v")
    clock.advance(60)
    assert ctx.keys() == [] and ctx.get("k") is None
    # The read dropped it: only the namespace's counters remain.
    assert all(f.startswith(b"#") for f in backend._client.hkeys(backend._key))


def test_redis_pexpire_reclaims_memory(redis_backend_factory):
    backend = redis_backend_factory()
    ctx = SharedContext(ttl=0.3, backend=backend)
    ctx.put("k", "v")
    client = backend._client
    # An expiry of at most the ttl (-2: already reclaimed, on a machine slow to ask).
    assert client.pttl(backend._key) in {-2, *range(1, 301)}
    wait_until(lambda: raw_keys(backend) == set(), "Redis to reclaim the namespace by itself")
    assert ctx.get("k") is None and ctx.keys() == []
    SharedContext(ttl=None, backend=backend).put("forever", "v")
    assert client.pttl(backend._key) == -1


def test_entries_reclaimed_by_redis_free_their_slots(redis_backend_factory, clock):
    # The fake clock never moves, so only Redis's PEXPIRE removes these values.
    backend = redis_backend_factory()
    ctx = SharedContext(ttl=0.2, max_entries=2, clock=clock, backend=backend)
    ctx.put("a", "a")
    ctx.put("keep", "keep")
    SharedContext(ttl=None, max_entries=2, clock=clock, backend=backend).put("keep", "keep")
    time.sleep(0.4)  # "a" is reclaimed, its members stay until the next call
    ctx.put("b", "b")
    assert ctx.keys() == ["keep", "b"]
    assert members(backend) == {"keep", "b"}


def test_restart_mid_run(redis_server_factory):
    server = redis_server_factory()
    ctx = SharedContext.from_url(server.url, namespace="restart", timeout=1.0)
    ctx.put("k", "before")
    server.stop()
    # Each call gives up on the refused connection (one immediate retry, no backoff loop).
    for call in (lambda: ctx.get("k"), lambda: ctx.put("k", "x"), ctx.keys, ctx.clear):
        error = error_of(call)
        assert isinstance(error, BackendUnavailableError) and "unavailable" in str(error)
    server.start()  # same port, empty: no persistence
    assert ctx.get("k") is None
    ctx.put("k", "after")
    assert ctx.get("k", full=True) == "after"
    assert ctx.keys() == ["k"]


def test_unresponsive_server_times_out():
    # Accepts connections (the kernel's backlog) and never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        ctx = SharedContext.from_url(url, namespace="silent", timeout=0.3)
        started = time.monotonic()
        with pytest.raises(BackendUnavailableError, match="Timeout"):
            ctx.put("k", "v")
        # One connection, given up at its timeout rather than retried; the bound only
        # catches a hang (a loaded machine may take seconds to get here).
        assert len(accepted(silent)) == 1
        assert time.monotonic() - started < 60


def test_namespaces_are_isolated(redis_backend_factory):
    one, two = redis_backend_factory(), redis_backend_factory()
    a, b = SharedContext(ttl=None, backend=one), SharedContext(ttl=None, backend=two)
    tricky = ["*", "x:*", ":", "e:*", f"}}:e:{two.namespace}", "[a-z]*", "\ud800?"]
    for key in tricky:
        a.put(key, f"one {key}")
    b.put("k", "two")
    assert b.keys() == ["k"] and b.get("*") is None
    assert sorted(a.keys()) == sorted(tricky)
    assert all(a.get(key, full=True) == f"one {key}" for key in tricky)
    # Every key name of "one" stays under its own prefix, whatever the entry key holds.
    assert raw_keys(one) == {one._key} and members(one) == set(tricky)
    a.clear()
    assert a.keys() == [] and raw_keys(one) == set()
    assert b.get("k", full=True) == "two" and raw_keys(two) == {two._key}
    assert b.delete("*") is False and b.keys() == ["k"]


@pytest.mark.parametrize("namespace", ["", "a:b", "a*", "{x}", "a b", "x" * 129, None])
def test_bad_namespace(namespace):
    with pytest.raises(ValueError, match="namespace"):
        RedisBackend("redis://127.0.0.1:1/0", namespace=namespace)


@pytest.mark.parametrize("timeout", [0, -1, "2", None, True])
def test_bad_timeout(timeout):
    with pytest.raises(ValueError, match=r"^timeout must be a positive number of seconds"):
        RedisBackend("redis://127.0.0.1:1/0", namespace="ns", timeout=timeout)


@pytest.mark.parametrize(
    "url", ["http://user:s3cret@host/0", "redis://user:s3cret@host:port/0", "s3cret"]
)
def test_bad_url_never_shows_credentials(url):
    with pytest.raises(ValueError, match="URL") as info:
        RedisBackend(url, namespace="ns")
    assert "s3cret" not in str(info.value)


def test_unreachable_url_error_and_repr_hide_credentials():
    port = free_local_port()
    ctx = SharedContext.from_url(f"redis://user:s3cret@127.0.0.1:{port}/0", namespace="ns")
    with pytest.raises(BackendUnavailableError) as info:
        ctx.put("k", "v")
    assert isinstance(info.value, ConnectionError)
    assert "s3cret" not in str(info.value) and "s3cret" not in repr(ctx)
    assert repr(ctx._backend) == "RedisBackend(namespace='ns')"


def test_url_from_environment(redis_server, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    ctx = SharedContext.from_url(None, namespace="from-env")
    ctx.put("k", "v")
    assert ctx.get("k", full=True) == "v"
    ctx.clear()


def test_missing_redis_py_names_the_extras_requirement(monkeypatch, install_extra):
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis now raises ImportError
    with pytest.raises(ImportError) as raised:
        RedisBackend(namespace="ns")
    assert str(raised.value).endswith(install_extra("redis"))


def accepted(listener):
    """The connections waiting in ``listener``'s backlog, accepted (and closed) now."""
    listener.setblocking(False)
    found = []
    while True:
        try:
            conn, _ = listener.accept()
        except BlockingIOError:
            return found
        conn.close()
        found.append(conn)


def free_local_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_eight_processes_of_mixed_load(redis_server, workers, redis_backend_factory):
    backend = redis_backend_factory()
    join_ok(
        *(spawn(workers.mixed_load, redis_server.url, backend.namespace, n, 3.0) for n in range(8))
    )
    entries = backend.entries(ttl=None, now=time.time())
    assert 0 < len(entries) <= 40
    live = {e.key for e in entries}
    assert members(backend) == members(backend, b"o") == live
    assert raw_keys(backend) == {backend._key}
    for entry in entries:
        assert entry.original.startswith(ORDERS) and entry.agent.startswith("proc")


def test_a_context_closes_its_connections_and_works_as_a_with_block(redis_server):
    # A web app opening a context per request must be able to hand its connections back.
    import redis

    admin = redis.Redis.from_url(redis_server.url)

    def clients() -> int:
        return len(admin.client_list())

    before = clients()

    def clients_once_settled() -> int:
        # The server drops a closed client on its next loop turn, not when the socket closes.
        wait_until(lambda: clients() == before, "Redis to drop the closed connections")
        return clients()

    with SharedContext.from_url(redis_server.url, namespace="closing") as ctx:
        ctx.put("k", "text")
        assert ctx.get("k") == "text" and clients() > before
    assert clients_once_settled() == before
    assert ctx.get("k") == "text"  # a later call opens a connection again
    ctx.close()
    ctx.clear()
    ctx.close()
    with SharedContext() as memory:  # in memory there is nothing to close
        memory.put("k", "text")
    admin.close()


def test_a_put_reads_none_of_the_namespace(redis_backend_factory):
    # A put finds what to expire and evict at the head of the namespace's order: it runs no
    # command that reads every entry, and the same commands at 1,000 entries as at 100
    # (INFO commandstats counts the commands the put script runs too).
    per_size = []
    for size in (100, 1_000):
        backend = redis_backend_factory()
        ctx = SharedContext(ttl=600, max_entries=size, backend=backend)
        for i in range(size):
            ctx.put(f"k{i}", "body")
        ctx.delete(f"k{size // 2}")  # a hole in the order
        client = backend._client
        # Read now, Redis's clock is not read again (once a minute) during the 40 puts
        # below, however slow a loaded machine makes filling the namespace.
        backend._read_server_clock()
        client.config_resetstat()
        for i in range(20):  # each new key evicts the oldest
            ctx.put(f"new{i}", "body")
            ctx.put(f"new{i}", "replaced")
        stats = client.info("commandstats")
        calls = {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()}
        assert "hkeys" not in calls and "hmget" not in calls
        # The hash's expiry only grows: a put moves it only when a millisecond has passed
        # since the last one, so how often depends on the machine's speed, not on the size.
        assert calls.pop("pexpire", 0) <= 40
        per_size.append(calls)
        assert len(ctx.keys()) == size  # the bound still holds
    assert per_size[1] == per_size[0]


@pytest.mark.parametrize("old_layout", [False, True])
def test_the_order_survives_replace_delete_and_the_layout_without_it(
    redis_backend_factory, old_layout
):
    backend = redis_backend_factory()
    ctx = SharedContext(ttl=None, max_entries=5, backend=backend)
    for key in "abcde":
        ctx.put(key, key)
    client, h = backend._client, backend._key
    if old_layout:  # as written before puts kept an order
        client.hdel(h, "#n", "#b", "#h", *(f for f in client.hkeys(h) if f.startswith(b"s:")))
    ctx.put("f", "f")  # evicts the oldest
    assert ctx.keys() == list("bcdef")
    assert ctx.delete("c")
    ctx.put("g", "g")  # room left by the delete: nothing evicted
    assert ctx.keys() == list("bdefg")
    ctx.put("b", "b again")  # a replacement moves to the end
    ctx.put("h", "h")
    assert ctx.keys() == list("efgbh")
    assert client.hget(h, "#n") == b"5"
    assert int(client.hget(h, "#b")) == sum(
        e.size_bytes for e in backend.entries(ttl=None, now=None)
    )
    assert_shares_match_the_order(backend)


def commands_run(backend, read):
    """The commands Redis ran, by name, while ``read()`` ran (``INFO commandstats``)."""

    def calls():
        stats = backend._client.info("commandstats")
        return {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()}

    before = calls()
    read()
    after = calls()
    return {k: n - before.get(k, 0) for k, n in after.items() if n > before.get(k, 0)}


def directories(backend):
    """Each scope's prefix -> its keys, walked along its list in the raw fields."""
    fields = {
        f.decode("utf-8", "surrogatepass"): v.decode("utf-8", "surrogatepass")
        for f, v in backend._client.hgetall(backend._key).items()
    }
    found = {}
    for field, ends in fields.items():
        if field.startswith("d:"):
            prefix, key, keys = field[2:], ends.split("\x1f")[0], []
            while key:
                keys.append(key)
                key = fields[f"l:{prefix}{key}"].split("\x1f")[1]
            assert keys[-1] == ends.split("\x1f")[1]
            found[prefix] = sorted(keys)
    return found


def test_a_scopes_reads_never_read_the_namespace(redis_backend_factory):
    # Other users' entries around alice's: her keys, stats, search and render cost what her
    # scope holds (one directory field), not what the namespace holds.
    backend = redis_backend_factory()
    ctx = SharedContext(backend=backend, max_entries=10_000)
    for i in range(300):
        text = f"note {i} of user {i % 30}"
        backend.put(
            ContextEntry(f"user-{i % 30}\x1fn{i}", None, text, text, 5, 5, [], 0.0, 0),
            ttl=3600,
            max_entries=10_000,
            now=None,
        )
    alice = ctx.scope("alice")
    alice.put("research", "order 4711 shipped late")
    alice.scope("inner").put("draft", "not alice's own")

    for read in (alice.keys, alice.stats, lambda: alice.search(None, "4711"), alice.render):
        ran = commands_run(backend, read)
        assert "hkeys" not in ran and ran.get("hmget", 0) <= 2, ran
    assert alice.keys() == ["research"]
    assert ctx.keys() == [] and len(ctx.scope("user-7").keys()) == 10


def test_scope_directories_follow_every_write(backend_factory, clock):
    # Puts, replacements, appends, deletes, evictions by both bounds, expiry and scope clears,
    # in odd scope names: each directory lists exactly its scope's live keys (both backends
    # keep one per scope).
    backend = backend_factory()
    ctx = SharedContext(ttl=60, max_entries=12, max_bytes=40_000, clock=clock, backend=backend)
    views = [ctx, ctx.scope("a%.-["), ctx.scope("a"), ctx.scope("a").scope("b"), ctx.scope("é")]
    rng = random.Random(7)
    for step in range(400):
        view = rng.choice(views)
        key = f"k{rng.randrange(6)}"
        action = rng.random()
        if action < 0.55:
            view.put(key, "x" * rng.choice([10, 500, 3000]))
        elif action < 0.7:
            view.append(key, f"appended at {step}")
        elif action < 0.85:
            view.delete(key)
        elif action < 0.9:
            view.clear()
        else:
            clock.advance(rng.choice([1, 30, 61]))
        for view in views:
            prefix = view._prefix
            scanned = [
                e.key[len(prefix) :]
                for e in backend.entries_under(prefix, ttl=60, now=clock())
                if "\x1f" not in e.key[len(prefix) :]
            ]
            assert view.keys() == scanned, step
    if isinstance(backend, MemoryBackend):
        return
    live = {e.key for e in backend.entries_under("", ttl=None, now=clock())}
    listed = {p + k for p, ks in directories(backend).items() for k in ks}
    assert listed == live  # no name left behind, none missing
    assert_shares_match_the_order(backend)  # what the bounds pick the busiest scope by


def test_a_namespace_without_directories_is_read_whole_then_given_them(redis_backend_factory):
    # Written by a version before directories: a scope's reads scan it, the next put lists it.
    backend = redis_backend_factory()
    ctx = SharedContext(backend=backend)
    ctx.scope("alice").put("research", "alice's research")
    ctx.scope("bob").put("research", "bob's research")
    ctx.put("shared", "root entry")
    client = backend._client
    lists = [f for f in client.hkeys(backend._key) if f.startswith((b"d:", b"l:"))]
    client.hdel(backend._key, "#d", *lists)

    assert ctx.scope("alice").keys() == ["research"] and ctx.keys() == ["shared"]
    ctx.scope("bob").put("notes", "bob's notes")
    assert directories(backend) == {
        "": ["shared"],
        "alice\x1f": ["research"],
        "bob\x1f": ["notes", "research"],
    }
    ran = commands_run(backend, ctx.scope("bob").keys)
    assert "hkeys" not in ran
    assert ctx.scope("bob").keys() == ["research", "notes"]


def test_a_namespace_without_scope_shares_gets_them_from_its_order(redis_backend_factory):
    # Written by a version before the bounds took from the busiest scope: the next put counts
    # each scope's share from the order (not the namespace), then evicts bob's own.
    backend = redis_backend_factory()
    ctx = SharedContext(ttl=None, max_entries=6, backend=backend)
    ctx.scope("alice").put("plan", "alice's plan")
    for step in range(5):
        ctx.scope("bob").put(f"b{step}", "bob")
    client = backend._client
    shares = [f for f in client.hkeys(backend._key) if f.startswith((b"u:", b"x", b"p"))]
    client.hdel(backend._key, "#u", "#xe", "#xy", *shares)
    ctx.scope("bob").put("b5", "bob")
    assert ctx.scope("alice").keys() == ["plan"]
    assert ctx.scope("bob").keys() == [f"b{step}" for step in range(1, 6)]
    assert_shares_match_the_order(backend)
