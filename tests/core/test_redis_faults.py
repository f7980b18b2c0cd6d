"""A misbehaving Redis, against real redis-servers: every failure is a library error, no
failed put lands later, one bad entry costs only itself, eviction never tears a namespace,
one clock decides expiry, and Redis Cluster works the same."""

import json
import logging
import os
import signal
import socket
import threading
import time
import types
import uuid

import pytest
import redis
from redis.cluster import RedisCluster

from agent_baton import (
    BackendError,
    BackendUnavailableError,
    CorruptEntryError,
    RedisBackend,
    SharedContext,
)
from agent_baton.backends import redis as redis_module
from agent_baton.backends.redis import ACL_RULES, BREAKER_TIMEOUTS

from .test_redis_backend import accepted, error_of, wait_until

LOG = "\n".join(
    f"2026-11-23 10:00:{i % 60:02d} INFO worker-{i % 4} served /items/{i}" for i in range(400)
)


def fresh_namespace() -> str:
    return f"t-{uuid.uuid4().hex}"


def scripts_run(client) -> int:
    """How many scripts Redis has run (EVALSHA calls, refused or not)."""
    return int(client.info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0))


@pytest.fixture
def own_server(redis_server_factory):
    """A redis-server of this test's own, for faults that would disturb the others."""
    return redis_server_factory


def test_a_put_that_timed_out_while_redis_was_paused_never_lands(own_server):
    server = own_server()
    ctx = SharedContext.from_url(server.url, namespace="paused", timeout=0.5, ttl=None)
    ctx.put("k", "before")  # also reads Redis's clock
    client = redis.Redis.from_url(server.url)
    ran, connection = scripts_run(client), ctx._backend._client.client_id()
    os.kill(server.pid, signal.SIGSTOP)
    try:
        # The put gives up at its timeout while Redis is still paused: it is over before
        # SIGCONT (error_of only bounds a hang).
        error = error_of(lambda: ctx.put("k", "after the pause"))
        assert isinstance(error, BackendUnavailableError)
    finally:
        os.kill(server.pid, signal.SIGCONT)
    # Redis runs the put it had queued (its script refuses it), or drops it with its closed
    # connection: either way it is over once the script ran or the connection is gone.
    wait_until(
        lambda: (
            scripts_run(client) > ran or connection not in {c["id"] for c in client.client_list()}
        ),
        "Redis to run or drop the queued put",
    )
    assert client.hget("agent_baton:{paused}", "o:k") == b"before"
    assert ctx.get("k", full=True) == "before"
    ctx.put("k", "after")  # the next put works
    assert ctx.get("k", full=True) == "after"


def test_a_put_whose_caller_gave_up_while_it_read_a_large_namespace_never_lands(own_server):
    # A namespace written before puts kept an order is read whole once, by the next put. Its
    # script starts before its deadline, then reads 50,000 entries for longer than its caller
    # waits: the caller is told it failed, so the script must not write after.
    # A script past Redis's busy threshold (5 s) gets other clients BUSY errors rather than a
    # wait: on a loaded machine reading 50,000 entries can take that long.
    server = own_server("--busy-reply-threshold", "600000")
    backend = RedisBackend(server.url, namespace="large", timeout=300)
    SharedContext(ttl=None, backend=backend).put("seed", "x")
    client, h = backend._client, backend._key
    fields = client.hget(h, "m:seed").partition(b"\n")[2]
    pipe = client.pipeline(transaction=False)
    for i in range(50_000):
        pipe.hset(h, mapping={f"m:k{i}": b"%d 1.0 100\n" % (i + 2) + fields, f"o:k{i}": b"x"})
    pipe.execute()
    client.hset(h, "#seq", 50_001)
    client.hdel(h, "#n", "#b", "#h", "s:1")  # the layout without the order
    held = 50_001
    # Reading them takes about 0.7 s here, seven times the caller's patience. On a loaded
    # machine the script may start late and refuse at its first check: refused all the same.
    hasty = RedisBackend(server.url, namespace="large", timeout=0.1, check=True)  # clock read
    ctx = SharedContext(ttl=None, max_entries=10**6, backend=hasty)
    with pytest.raises(BackendUnavailableError):
        ctx.put("late", "z")
    # Redis runs one script at a time: this answers once the put's script is over. Only the
    # order may have been written: it is bookkeeping, and spares the next put the reading.
    assert sum(f.startswith(b"m:") for f in client.hkeys(h)) == held
    assert not client.hexists(h, "o:late") and not client.hexists(h, "m:late")
    SharedContext(ttl=None, max_entries=10**6, backend=backend).put("on-time", "z")
    assert client.hget(h, "#n") == b"50002" and client.hexists(h, "o:on-time")


def test_a_corrupt_entry_costs_only_itself(redis_backend_factory, caplog):
    backend = redis_backend_factory()
    ctx = SharedContext(ttl=None, backend=backend)
    for key in ("a", "bad-utf8", "bad-meta", "bad-types", "no-original", "b"):
        ctx.put(key, f"{key}: {LOG}")
    client, h = backend._client, backend._key
    client.hset(h, "o:bad-utf8", b"secret \xff\xfe bytes")
    client.hset(h, "m:bad-meta", b"garbage")
    head = client.hget(h, "m:bad-types").partition(b"\n")[0]
    fields = {"agent": None, "original_tokens": [1], "compressed_tokens": 1, "transforms": []}
    client.hset(h, "m:bad-types", head + b"\n" + json.dumps({**fields, "timestamp": 1.0}).encode())
    client.hdel(h, "o:no-original")
    with caplog.at_level(logging.WARNING, logger="agent_baton"):
        assert ctx.keys() == ["a", "b"]
        assert ctx.stats().entries == 2
        assert "### a" in ctx.render() and ctx.search(None, "worker", k=3)
    assert "skipped an unreadable entry" in caplog.text
    assert "secret" not in caplog.text and "bad-meta" in caplog.text
    for key in ("bad-utf8", "bad-meta", "bad-types", "no-original"):
        with pytest.raises(CorruptEntryError, match=key) as info:
            ctx.get(key)
        assert "secret" not in str(info.value)
        assert isinstance(info.value, BackendError)
    assert ctx.get("a").startswith("a:") and ctx.delete("bad-utf8")
    ctx.put("bad-meta", "repaired")
    assert ctx.get("bad-meta") == "repaired"


def test_a_foreign_value_at_the_namespace_key_is_a_library_error(redis_backend_factory):
    backend = redis_backend_factory()
    backend._client.set(backend._key, "not ours")
    ctx = SharedContext(backend=backend)
    for call in (lambda: ctx.put("k", "v"), lambda: ctx.get("k"), ctx.keys):
        with pytest.raises(BackendError, match="did not write"):
            call()


@pytest.mark.parametrize("policy", ["allkeys-lru", "allkeys-random", "volatile-lru"])
def test_eviction_takes_a_namespace_whole(own_server, policy):
    server = own_server()
    client = redis.Redis.from_url(server.url)
    client.config_set("maxmemory", 3 * 2**20)
    client.config_set("maxmemory-policy", policy)
    contexts = [
        SharedContext.from_url(server.url, namespace=fresh_namespace(), ttl=600, max_bytes=None)
        for _ in range(6)
    ]
    body = LOG * 2  # ~100 KB
    for i in range(10):  # 6 namespaces x 10 x 100 KB: far over 3 MiB
        for n, ctx in enumerate(contexts):
            try:
                ctx.put(f"k{i}", f"{n} {i} {body}")
            except BackendError:  # volatile-lru: nothing left to evict
                assert policy == "volatile-lru"
    assert client.info("stats")["evicted_keys"] > 0
    for ctx in contexts:
        keys = ctx.keys()  # listing works, and lists only entries that are whole
        # Redis evicts before any command over maxmemory, reads included: a namespace listed
        # a moment ago may be gone whole, never in part.
        texts = [ctx.get(k, full=True) for k in keys]
        assert all(text is None or text.endswith(body) for text in texts)
        ctx.clear()
    assert client.dbsize() == 0  # clear() left nothing behind


def test_out_of_memory_under_noeviction_is_a_library_error(own_server):
    server = own_server()
    client = redis.Redis.from_url(server.url)
    client.config_set("maxmemory", 2 * 2**20)
    client.config_set("maxmemory-policy", "noeviction")
    ctx = SharedContext.from_url(server.url, namespace="full", ttl=None, max_bytes=None)
    with pytest.raises(BackendError, match="out of memory") as info:
        for i in range(100):
            ctx.put(f"k{i}", f"{i} {LOG * 4}")
    assert "noeviction" in str(info.value)
    stored = ctx.keys()
    assert f"k{i}" not in stored and len(stored) == i  # the refused put stored nothing


def test_acl_rules_in_the_docs_are_enough_and_a_missing_one_is_named(redis_server):
    admin = redis.Redis.from_url(redis_server.url)
    user, password = f"baton-{uuid.uuid4().hex[:8]}", "pw-" + uuid.uuid4().hex
    admin.execute_command("ACL", "SETUSER", user, "on", f">{password}", *ACL_RULES.split())
    url = redis_server.url.replace("redis://", f"redis://{user}:{password}@")
    ctx = SharedContext.from_url(url, namespace=fresh_namespace(), ttl=60, check=True)
    ctx.put("k", LOG)
    assert ctx.get("k", full=True) == LOG and ctx.keys() == ["k"]
    assert ctx.search("k", "worker-3", k=1) and ctx.delete("k") is True
    ctx.clear()
    admin.execute_command("ACL", "SETUSER", user, "-@scripting")
    with pytest.raises(BackendError, match="may not run") as info:
        SharedContext.from_url(url, namespace="x", check=True)
    assert password not in str(info.value) and "+evalsha" in str(info.value)
    admin.execute_command("ACL", "DELUSER", user)


def test_check_pings_at_construction():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    SharedContext.from_url(f"redis://127.0.0.1:{port}/0", namespace="dead")  # lazy: no error
    with pytest.raises(BackendUnavailableError):
        SharedContext.from_url(f"redis://127.0.0.1:{port}/0", namespace="dead", check=True)


def test_circuit_breaker_fails_fast_after_repeated_timeouts(monkeypatch):
    # The breaker's clock is moved by hand: on a loaded machine, more than its 1 s window
    # can pass between two calls, which would close it before the call that checks it.
    now = [time.monotonic()]
    monkeypatch.setattr(redis_module, "time", types.SimpleNamespace(monotonic=lambda: now[0]))
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        ctx = SharedContext.from_url(url, namespace="silent", timeout=0.2)
        for _ in range(BREAKER_TIMEOUTS):
            with pytest.raises(BackendUnavailableError, match="Timeout"):
                ctx.get("k")
        accepted(silent)
        now[0] += 0.95  # within 5 x the timeout: failing fast
        with pytest.raises(BackendUnavailableError, match="circuit breaker") as info:
            ctx.put("k", "v")
        assert accepted(silent) == []  # failed fast: not even a connection
        assert "failing fast for another 0.1 s" in str(info.value)
        now[0] += 0.1  # past it: one call tries again
        with pytest.raises(BackendUnavailableError, match="Timeout"):
            ctx.get("k")


def test_a_host_whose_clock_runs_fast_keeps_others_entries(redis_backend_factory, monkeypatch):
    namespace = redis_backend_factory().namespace
    writer = SharedContext(backend=redis_backend_factory(namespace), ttl=10)
    writer.put("fresh", "written a moment ago")
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 20)  # this host runs 20 s fast
    fast = SharedContext(backend=redis_backend_factory(namespace), ttl=10, max_entries=2)
    assert fast.get("fresh") == "written a moment ago"
    fast.put("other", "x")
    fast.put("third", "y")  # at max_entries: evicts the oldest, which is not expired
    assert fast.keys() == ["other", "third"] and "fresh" not in fast


def test_entries_expire_by_redis_time(redis_backend_factory):
    # Judged by Redis's clock, read around each step: a loaded machine may take any time
    # between them, so the test says what must hold whenever they ran.
    backend = redis_backend_factory()
    ctx = SharedContext(ttl=2, backend=backend)
    started = redis_time(backend)
    ctx.put("k", "v")
    put_by = redis_time(backend)  # the entry's put time is between started and this
    got = ctx.get("k")
    assert got == "v" or redis_time(backend) >= started + 2  # live within its ttl
    wait_until(lambda: redis_time(backend) >= put_by + 2, "Redis's clock to pass the ttl")
    assert ctx.get("k") is None and ctx.keys() == []


def redis_time(backend: RedisBackend) -> float:
    seconds, micros = backend._client.time()
    return seconds + micros / 1e6


def test_size_counted_is_what_redis_holds(redis_server):
    """max_bytes is what Redis holds, whatever the bytes: ANSI colours, NUL bytes.

    (benchmarks/memory_bench.py does the same at 8 MiB and reports used_memory.)
    """
    colour = "\n".join(
        f"\x1b[32m2026-11-23 10:00:{i % 60:02d}\x1b[0m \x1b[1mINFO\x1b[0m req {i} ok"
        for i in range(1800)
    )
    nuls = "".join(f"{i}\x00\x00\x01 " for i in range(12000))
    client = redis.Redis.from_url(redis_server.url)
    for body in (colour, nuls):
        ctx = SharedContext.from_url(
            redis_server.url, namespace=fresh_namespace(), ttl=None, max_bytes=2**20
        )
        for i in range(14):
            ctx.put(f"k{i}", f"{i} {body}")
        counted = sum(e.size_bytes for e in ctx.entries())
        used = client.memory_usage(ctx._backend._key, samples=0)
        assert 0.8 * 2**20 < counted <= 2**20
        assert abs(used - counted) <= 0.05 * counted, (used, counted)
        ctx.clear()


def test_redis_cluster(redis_cluster):
    namespace = fresh_namespace()
    ctx = SharedContext.from_url(redis_cluster, namespace=namespace, cluster=True, check=True)
    other = SharedContext(
        backend=RedisBackend(client=RedisCluster.from_url(redis_cluster), namespace=namespace)
    )
    ctx.put("logs", LOG, agent="a")
    assert other.get("logs", full=True) == LOG
    assert other.search(None, "worker-2 served", k=1)[0].key == "logs"
    other.put("more", "more")
    assert ctx.keys() == ["logs", "more"] and "### more" in ctx.render()
    assert ctx.delete("logs") and other.keys() == ["more"]
    ctx.clear()
    assert other.keys() == []
    client = other._backend._client
    assert all(not k.startswith(b"agent_baton:") for k in client.keys(target_nodes="all"))


def test_threads_share_one_backend_through_a_pause(own_server):
    """Many threads on one backend: errors are library errors, entries stay whole."""
    server = own_server()
    ctx = SharedContext.from_url(server.url, namespace="threads", timeout=0.3, ttl=None)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        for i in range(20):
            try:
                ctx.put(f"{n}-{i}", f"{n} {i} {LOG}")
                got = ctx.get(f"{n}-{i}", full=True)
                assert got is None or got == f"{n} {i} {LOG}"
            except BackendError:
                pass
            except BaseException as exc:  # anything else is a defect
                errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    os.kill(server.pid, signal.SIGSTOP)
    time.sleep(0.5)
    os.kill(server.pid, signal.SIGCONT)
    for t in threads:
        t.join(600)  # a bound: each put waits 0.3 s at most, or fails at once (breaker)
        assert not t.is_alive()
    assert errors == []
    # Read with a patient context of its own: the writers' may have its breaker open, and
    # a loaded machine may answer later than their 0.3 s.
    reader = SharedContext.from_url(server.url, namespace="threads", timeout=60, ttl=None)
    for entry in reader.entries():
        n, i = entry.key.split("-")
        assert entry.original == f"{n} {i} {LOG}"
