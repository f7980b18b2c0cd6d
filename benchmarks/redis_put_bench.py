"""Benchmark: RedisBackend.put throughput as one namespace grows (500, 1k, 2k, 4k entries).

Usage: python benchmarks/redis_put_bench.py [--sizes 500,1000,2000,4000] [--window 200]

Fills one namespace with small entries through ``RedisBackend.put`` (no bound is reached)
and prints puts/s over the ``window`` puts that end at each size, the milliseconds the put's
script ran inside Redis and the commands it ran there (from ``INFO commandstats``). A put
that reads the whole namespace slows down in proportion to its size. Uses the Redis at
$REDIS_URL if one answers there, else starts a throwaway redis-server on loopback.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from agent_baton import RedisBackend
from agent_baton.entry import ContextEntry

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
from multiprocess_handoff import reachable, start_redis


def redis_url() -> tuple[str, subprocess.Popen[bytes] | None]:
    url = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
    return (url, None) if reachable(url) else start_redis()


def entry(i: int) -> ContextEntry:
    text = f"step {i}: the worker compiled module m{i}.py in 0.{i % 10} s"
    return ContextEntry(f"k{i}", "bench", text, text, 12, 12, [], time.time(), 0)


def commands(backend: RedisBackend) -> dict[str, tuple[int, int]]:
    """Calls and microseconds of each command Redis ran so far."""
    stats = backend._client.info("commandstats")
    return {
        name.removeprefix("cmdstat_"): (int(v["calls"]), int(v["usec"]))
        for name, v in stats.items()
    }


def per_call(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]], n: int) -> str:
    """The commands Redis ran between two readings of :func:`commands`, per one of ``n`` calls."""
    calls = {k: after[k][0] - before.get(k, (0, 0))[0] for k in after if k != "info"}
    return ", ".join(f"{k} {c / n:g}" for k, c in sorted(calls.items()) if c)


@contextmanager
def bench_backend() -> Iterator[RedisBackend]:
    """A fresh namespace in the Redis at $REDIS_URL (or a throwaway server), cleared after."""
    url, server = redis_url()
    backend = RedisBackend(url, namespace=f"bench-{uuid.uuid4().hex[:8]}", timeout=30)
    try:
        yield backend
    finally:
        backend.clear()
        backend.close()
        if server is not None:
            server.terminate()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="500,1000,2000,4000")
    parser.add_argument("--window", type=int, default=200)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with bench_backend() as backend:
        print(f"{'entries':>8} {'puts/s':>8} {'ms/put':>7} {'in Redis':>8}  commands per put")
        done = 0
        for size in sizes:
            while done < size - args.window:
                backend.put(entry(done), ttl=3600, max_entries=10**9, now=None)
                done += 1
            before = commands(backend)
            start = time.perf_counter()
            for _ in range(size - done):
                backend.put(entry(done), ttl=3600, max_entries=10**9, now=None)
                done += 1
            seconds = time.perf_counter() - start
            after = commands(backend)
            per = per_call(before, after, args.window)
            # The script's own time in Redis: what every other client waits behind.
            script_ms = (after["evalsha"][1] - before["evalsha"][1]) / args.window / 1e3
            rate, ms = args.window / seconds, seconds / args.window * 1e3
            print(f"{size:>8} {rate:>8.0f} {ms:>7.2f} {script_ms:>8.2f}  {per}")


if __name__ == "__main__":
    main()
