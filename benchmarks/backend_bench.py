"""Benchmark: put/get/search latency of a SharedContext in memory vs in Redis on loopback.

Usage: python benchmarks/backend_bench.py [--n 300]

Both backends get the same payloads (JSON, logs, prose) in the same run; times are per call
of the SharedContext API, so a put includes compression (the same work for both). Uses the
Redis at $REDIS_URL if one answers there, else starts a throwaway redis-server on loopback.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from agent_baton import MemoryBackend, RedisBackend, SharedContext

# The example already knows how to find or start a throwaway redis-server.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
from multiprocess_handoff import reachable, start_redis


def payloads() -> list[str]:
    rows = [{"id": i, "status": "ok" if i % 50 else "failed", "region": "eu"} for i in range(200)]
    log = "\n".join(
        f"10:{i // 60:02d}:{i % 60:02d} INFO worker compiled m{i}.py" for i in range(300)
    )
    prose = "The deploy of service alpha failed at 10:02 because the disk was full. " * 40
    return [json.dumps(rows, indent=2), log, prose]


def redis_url() -> tuple[str, subprocess.Popen[bytes] | None]:
    url = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
    return (url, None) if reachable(url) else start_redis()


def timed(fn: Callable[..., object], *args: object, **kwargs: object) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return (time.perf_counter() - start) * 1e6


def run(ctx: SharedContext, texts: list[str], n: int) -> dict[str, list[float]]:
    keys = [f"k{i}" for i in range(n)]
    times: dict[str, list[float]] = {"put": [], "get": [], "get full": [], "search": []}
    for i, key in enumerate(keys):
        times["put"].append(timed(ctx.put, key, texts[i % len(texts)], agent="bench"))
    for key in keys:
        times["get"].append(timed(ctx.get, key))
        times["get full"].append(timed(ctx.get, key, full=True))
        times["search"].append(timed(ctx.search, key, "failed disk", k=3))
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300, help="entries per backend")
    n = parser.parse_args().n
    url, server = redis_url()
    texts = payloads()
    redis_backend = RedisBackend(url, namespace=f"bench-{uuid.uuid4().hex[:8]}")
    try:
        results = {
            "memory": run(SharedContext(max_entries=n, backend=MemoryBackend()), texts, n),
            "redis": run(SharedContext(max_entries=n, backend=redis_backend), texts, n),
        }
    finally:
        redis_backend.clear()
        if server is not None:
            server.kill()
            server.wait()
    sizes = ", ".join(f"{len(t):,}" for t in texts)
    print(f"{n} entries per backend, payloads of {sizes} chars; latency in microseconds")
    print(f"{'op':<9} {'backend':<7} {'p50':>9} {'p99':>9}")
    for op in results["memory"]:
        for backend, times in results.items():
            cuts = statistics.quantiles(times[op], n=100)
            print(f"{op:<9} {backend:<7} {cuts[49]:>9,.0f} {cuts[98]:>9,.0f}")


if __name__ == "__main__":
    main()
