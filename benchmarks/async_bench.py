"""Benchmark: how long the event loop stalls while 200 ``aput`` calls run at once.

Usage: python benchmarks/async_bench.py [--puts 200] [--kb 40] [--redis]

A ticker coroutine asks to wake every millisecond and records how late it wakes (the loop
lag) while the puts, then as many ``aget(query=...)``, ``asearch`` and ``arender`` calls,
run concurrently. Prints p50/p99/max lag per phase and the wall time. Target: p99 <= 20 ms.
The first phase only sleeps: its lag is the machine's own (other processes' turns).
With --redis, the context is in a throwaway redis-server (or $REDIS_URL).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from agent_baton import SharedContext

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perf_bench import code_text, json_text, log_text, prose_text


async def ticker(lags: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(0.001)
        lags.append((time.perf_counter() - start - 0.001) * 1000)


async def phase(name: str, calls: list[Callable[[], Awaitable[Any]]]) -> None:
    lags: list[float] = []
    stop = asyncio.Event()
    tick = asyncio.create_task(ticker(lags, stop))
    started = time.perf_counter()
    await asyncio.gather(*(call() for call in calls))
    wall = time.perf_counter() - started
    stop.set()
    await tick
    lags.sort()
    p50 = statistics.median(lags)
    p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]
    print(
        f"  {name:<8} {len(calls):4} calls  {wall:6.2f} s   loop lag p50 {p50:6.2f} ms  "
        f"p99 {p99:6.2f} ms  max {lags[-1]:7.2f} ms  ({len(lags)} ticks)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--puts", type=int, default=200)
    parser.add_argument("--kb", type=int, default=40, help="size of each put, in KB")
    parser.add_argument("--redis", action="store_true")
    args = parser.parse_args()
    size = args.kb * 1000
    makers = [json_text, log_text, code_text, prose_text]
    texts = [makers[i % len(makers)](size) for i in range(8)]
    server = None
    if args.redis:
        from backend_bench import redis_url

        url, server = redis_url()
        namespace = f"async-{uuid.uuid4().hex[:8]}"
        ctx = SharedContext.from_url(url, namespace=namespace, ttl=None, max_entries=args.puts)
    else:
        ctx = SharedContext(ttl=None, max_entries=args.puts)
    print(
        f"{args.puts} concurrent calls of each kind, {args.kb} KB each "
        f"(JSON, log, code, prose), {'Redis' if args.redis else 'memory'} backend"
    )
    try:
        await phase("idle", [lambda: asyncio.sleep(3)])
        keys = [f"k{i}" for i in range(args.puts)]
        await phase(
            "aput", [lambda i=i: ctx.aput(keys[i], texts[i % len(texts)]) for i in range(args.puts)]
        )
        await phase(
            "aget", [lambda k=k: ctx.aget(k, query="error 500", max_tokens=300) for k in keys]
        )
        await phase("asearch", [lambda k=k: ctx.asearch(k, "error timeout", k=3) for k in keys])
        await phase(
            "arender",
            [lambda: ctx.arender(keys[:8], query="error", max_tokens=800) for _ in range(20)],
        )
    finally:
        if args.redis:
            ctx.clear()
        if server is not None:
            server.kill()
            server.wait()


if __name__ == "__main__":
    asyncio.run(main())
