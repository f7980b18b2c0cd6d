"""Benchmark: does ``max_bytes`` bound what a context holds?

Usage: python benchmarks/memory_bench.py [--mb 64] [--redis-mb 8] [--skip-redis]

Memory backend: with ``max_bytes=--mb`` MiB, puts twice that in distinct 1 MiB logs, searching
and reading each one around a query as it goes (so search indexes and recompressions are
built), and prints the process's RSS growth against max_bytes (target: at most 1.5x).

Redis backend: with ``max_bytes=--redis-mb`` MiB, puts twice that of ANSI-coloured logs and of
text holding NUL bytes, and prints Redis's ``used_memory`` growth and ``MEMORY USAGE`` of the
namespace against the size the backend counted (target: within 20 %). Uses a throwaway
redis-server on loopback, or $REDIS_URL.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import sys
import uuid
from pathlib import Path

from agent_baton import SharedContext

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perf_bench import log_text

MIB = 2**20


def rss() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def trim() -> None:
    """Return the C allocator's free memory to the system, so RSS shows what is held."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: RSS as it is
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def memory(mb: int) -> None:
    base = log_text(MIB)
    ctx = SharedContext(max_bytes=mb * MIB, ttl=None, max_entries=10_000)
    # One round first, then cleared: loads the tokenizer, the compressors and the worker
    # threads, whose memory does not depend on what the context holds.
    ctx.put("warm-up", base.replace("worker-", "warm-"))
    ctx.search("warm-up", "request 4242 served", k=3)
    ctx.get("warm-up", query="ERROR", max_tokens=500)
    ctx.clear()
    trim()  # the baseline: what the warm-up freed is not counted as held
    before = rss()
    peak = before
    for i in range(2 * mb):
        ctx.put(f"log{i}", base.replace("worker-", f"w{i}-"), agent="bench")
        ctx.search(f"log{i}", "request 4242 served", k=3)
        ctx.get(f"log{i}", query="ERROR", max_tokens=500)
        peak = max(peak, rss())
    ctx.search(None, "ERROR", k=5)  # every live entry's index
    gc.collect()
    after = rss()
    trim()
    trimmed = rss()
    held = sum(e.size_bytes for e in ctx.entries())
    print(f"memory backend, max_bytes {mb} MiB, {2 * mb} distinct 1 MiB logs put")
    print(f"  entries held          {len(ctx.entries()):5} entries, {held / MIB:7.1f} MiB")
    print(f"  indexes, recompressions         {ctx._derived.nbytes / MIB:7.1f} MiB (estimated)")
    print(
        f"  RSS growth            {(after - before) / MIB:7.1f} MiB = "
        f"{(after - before) / (mb * MIB):.2f} x max_bytes (peak {(peak - before) / MIB:.1f} MiB)"
    )
    print(
        f"  after malloc_trim     {(trimmed - before) / MIB:7.1f} MiB = "
        f"{(trimmed - before) / (mb * MIB):.2f} x max_bytes (what the allocator still holds)"
    )


def redis(mb: int) -> None:
    import redis as redis_py
    from backend_bench import redis_url

    url, server = redis_url()
    client = redis_py.Redis.from_url(url)
    colour = "\n".join(
        f"\x1b[32m2026-11-23 10:00:{i % 60:02d}\x1b[0m \x1b[1mINFO\x1b[0m request {i} ok"
        for i in range(6000)
    )
    nuls = "".join(f"{i}\x00\x00\x01 " for i in range(60_000))
    print(f"Redis backend, max_bytes {mb} MiB, twice that put")
    try:
        for name, body in (("ANSI-coloured log", colour), ("text with NUL bytes", nuls)):
            namespace = f"memory-bench-{uuid.uuid4().hex[:8]}"
            ctx = SharedContext.from_url(url, namespace=namespace, ttl=None, max_bytes=mb * MIB)
            used = client.info("memory")["used_memory"]
            for i in range(2 * mb * MIB // len(body) + 1):
                ctx.put(f"k{i}", f"{i} {body}")
            grown = client.info("memory")["used_memory"] - used
            counted = sum(e.size_bytes for e in ctx.entries())
            usage = client.memory_usage(f"agent_baton:{{{namespace}}}", samples=0) or 0
            print(
                f"  {name:<20} counted {counted / MIB:5.2f} MiB  MEMORY USAGE "
                f"{usage / MIB:5.2f} MiB ({100 * (usage - counted) / counted:+.1f} %)  "
                f"used_memory grew {grown / MIB:5.2f} MiB"
            )
            ctx.clear()
    finally:
        if server is not None:
            server.kill()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=64, help="max_bytes of the memory run, MiB")
    parser.add_argument("--redis-mb", type=int, default=8, help="max_bytes in Redis, MiB")
    parser.add_argument("--skip-redis", action="store_true")
    args = parser.parse_args()
    if not args.skip_redis:
        redis(args.redis_mb)
    memory(args.mb)


if __name__ == "__main__":
    main()
