"""Performance: put throughput and latency per content type, scaling, and read paths.

Usage: python benchmarks/perf_bench.py [--max-mb 10] [--runs 15]

Inputs are generated (JSON records, a log, Python code, prose), so the run needs no corpus.
Prints, per content type: put p50/p99 for a ~10k-token input and MB/s, one put at a time and
back to back; put time per MB from
10 KB to --max-mb (flat means linear cost); get/search/render latency on the entries put.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable

from agent_baton import SharedContext


def json_text(size: int) -> str:
    rows, total, i = [], 0, 0
    while total < size:
        rows.append(
            {
                "id": i,
                "user": f"user{i % 97}",
                "status": "error" if i % 997 == 5 else "ok",
                "latency_ms": (i * 37) % 400,
                "path": f"/api/v1/items/{i % 50}",
            }
        )
        total += 100
        i += 1
    return json.dumps(rows, indent=1)


def log_text(size: int) -> str:
    lines, total, i = [], 0, 0
    while total < size:
        level = "ERROR" if i % 4999 == 7 else "INFO"
        line = (
            f"2026-11-23 10:{i // 60 % 60:02d}:{i % 60:02d},{i % 1000:03d} {level} worker-{i % 8} "
        )
        line += f"request {i} served /api/items/{i % 50} in {i % 90} ms"
        lines.append(line)
        total += len(line) + 1
        i += 1
    return "\n".join(lines)


def code_text(size: int) -> str:
    parts, total, i = ['"""A generated module."""\n\nimport os\nimport sys\n'], 0, 0
    while total < size:
        part = (
            f"\n\ndef handler_{i}(request: dict, retries: int = 3) -> dict:\n"
            f'    """Handle request kind {i}."""\n'
            f"    result = {{}}\n"
            f"    for attempt in range(retries):\n"
            f"        result[attempt] = request.get('k{i}', attempt * {i})\n"
            f"    return result\n"
        )
        parts.append(part)
        total += len(part)
        i += 1
    return "".join(parts)


def prose_text(size: int) -> str:
    parts, total, i = ["# Findings\n"], 0, 0
    while total < size:
        part = (
            f"\n## Topic {i}\n\nThe service handled {i * 13} requests in {i % 60} minutes. "
            f"Latency rose to {i % 900} ms during the window, as operators noted on day {i % 28}. "
            "It is generally agreed that the matter deserves further attention in due course.\n"
        )
        parts.append(part)
        total += len(part)
        i += 1
    return "".join(parts)


KINDS: dict[str, Callable[[int], str]] = {
    "json": json_text,
    "logs": log_text,
    "code": code_text,
    "prose": prose_text,
}


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def report(name: str, times: list[float]) -> None:
    p50, p99 = statistics.median(times), percentile(times, 99)
    print(f"{name:<24} p50 {p50:8.2f} ms  p99 {p99:8.2f} ms")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-mb", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    ctx = SharedContext(ttl=None, max_entries=1000)

    print("## put, ~10k-token input\n")
    print(
        "p50/p99: one put at a time (each put's search index, built on a background thread,\n"
        "finishes before the next put); sustained: the same puts back to back, indexing included.\n"
    )
    print(f"{'kind':<7}{'tokens':>8}{'p50 ms':>9}{'p99 ms':>9}{'MB/s':>7}{'sustained MB/s':>16}")
    for kind, make in KINDS.items():
        text = make(40_000)
        ctx.put("warm", text)
        times = []
        for i in range(args.runs):
            ctx.search("warm" if i == 0 else f"{kind}-{i - 1}", "x")  # waits for the index
            times.append(timed(lambda i=i, k=kind, t=text: ctx.put(f"{k}-{i}", "\n" * i + t)))
        start = time.perf_counter()
        for i in range(args.runs):
            ctx.put(f"{kind}-b{i}", "\n" * i + text)
        ctx.search(f"{kind}-b{args.runs - 1}", "x")
        sustained = args.runs * len(text.encode()) / 1e6 / (time.perf_counter() - start)
        p50 = statistics.median(times)
        tokens = ctx.get_entry(f"{kind}-0").original_tokens
        mbs = len(text.encode()) / 1e6 / (p50 / 1000)
        print(
            f"{kind:<7}{tokens:>8,}{p50:>9.1f}{percentile(times, 99):>9.1f}{mbs:>7.1f}"
            f"{sustained:>16.1f}"
        )

    print("\n## put cost per MB as inputs grow (flat = linear)\n")
    sizes = [s for s in (10_000, 100_000, 1_000_000, 10_000_000) if s <= args.max_mb * 1e6]
    print(f"{'kind':<7}" + "".join(f"{s / 1e6:>10.2f}MB" for s in sizes) + "   (ms per MB)")
    for kind, make in KINDS.items():
        cells = []
        for size in sizes:
            text = make(size)
            ctx.search(f"scale-{kind}", "x")  # the previous put's index is built first
            ms = timed(lambda k=kind, t=text: ctx.put(f"scale-{k}", t))
            cells.append(f"{ms / (len(text.encode()) / 1e6):>12.0f}")
        print(f"{kind:<7}" + "".join(cells))

    print("\n## reads\n")
    big = log_text(int(min(args.max_mb, 10) * 1e6))
    ctx.put("big", big)
    ctx.search("big", "request 4242", k=5)  # waits for the background index once
    for name, fn in (
        ("get (compressed)", lambda: ctx.get("big")),
        ("get full", lambda: ctx.get("big", full=True)),
        (f"search {len(big) / 1e6:.0f} MB entry", lambda: ctx.search("big", "request 4242", k=5)),
    ):
        report(name, [timed(fn) for _ in range(args.runs)])
    small = SharedContext(ttl=None)
    for i in range(20):
        small.put(f"e{i}", KINDS[list(KINDS)[i % 4]](20_000), agent=f"agent{i % 3}")
    cold = timed(lambda: small.render(query="error latency", max_tokens=4000))
    print(f"{'render 20 entries, cold':<24} {cold:8.2f} ms (recompresses the best matches)")
    times = [
        timed(lambda: small.render(query="error latency", max_tokens=4000))
        for _ in range(args.runs)
    ]
    report("render 20, repeated", times)
    return 0


if __name__ == "__main__":
    sys.exit(main())
