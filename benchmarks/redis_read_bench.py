"""Benchmark: a scope's reads on Redis as the namespace around it grows (100, 1k, 10k entries).

Usage: python benchmarks/redis_read_bench.py [--sizes 100,1000,10000] [--repeat 200]

One namespace holds a scope ``alice`` of 5 entries and, around it, other users' scopes (50
of them) and the root, filled to each size. Prints the median milliseconds of alice's
``get``, ``get_entry``, ``get`` of a missing key, ``keys()`` and ``stats()``, and of the
root's ``get``, each with the commands Redis ran per call (``INFO commandstats``). A read
that does not depend on the namespace's size costs the same at every size. Uses the Redis
at $REDIS_URL if one answers there, else starts a throwaway redis-server on loopback.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from agent_baton import SharedContext
from agent_baton.entry import ContextEntry

sys.path.insert(0, str(Path(__file__).resolve().parent))
from redis_put_bench import bench_backend, commands, per_call

OTHER_SCOPES = 50
ALICE = 5


def filler(i: int) -> ContextEntry:
    """Entry ``i`` of another user's scope, or of the root (every 10th)."""
    text = f"step {i}: the worker compiled module m{i}.py in 0.{i % 10} s"
    key = f"k{i}" if i % 10 == 0 else f"user-{i % OTHER_SCOPES}\x1fk{i}"
    return ContextEntry(key, "bench", text, text, 12, 12, [], time.time(), 0)


def median_ms(call: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with bench_backend() as backend:
        ctx = SharedContext(backend=backend, max_entries=10**9, ttl=3600)
        alice = ctx.scope("alice")
        for i in range(ALICE):
            alice.put(f"research-{i}", f"Alice's research note {i}: order 4711 shipped late. " * 20)
        reads: dict[str, Callable[[], object]] = {
            "alice.get": lambda: alice.get("research-2"),
            "alice.get_entry": lambda: alice.get_entry("research-2"),
            "alice.get(missing)": lambda: alice.get("nothing"),
            "alice.keys": alice.keys,
            "alice.stats": alice.stats,
            "root.get": lambda: ctx.get("k0"),
        }
        print(f"{'read':<20}" + "".join(f"{size:>10,}" for size in sizes) + "  (median ms)")
        done, rows = 0, {name: [] for name in reads}
        per_read: dict[str, str] = {}
        for size in sizes:
            while done < size - ALICE:
                backend.put(filler(done), ttl=3600, max_entries=10**9, now=None)
                done += 1
            assert len(alice.keys()) == ALICE
            for name, read in reads.items():
                before = commands(backend)
                rows[name].append(median_ms(read, args.repeat))
                after = commands(backend)
                per_read[name] = per_call(before, after, args.repeat)
        for name, figures in rows.items():
            cells = "".join(f"{ms:>10.3f}" for ms in figures)
            print(f"{name:<20}{cells}  {per_read[name]}")


if __name__ == "__main__":
    main()
