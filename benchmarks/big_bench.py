"""Big inputs: time and peak memory of a put and of focused reads on 50 MB entries.

Usage: python benchmarks/big_bench.py [--mb 50] [--inputs logs,json] [--ops put,get_focused]

Each (input, operation) runs in a fresh process: the input is built, the peak resident set
size is reset to the current one (Linux /proc/self/clear_refs), the operation runs, and the
growth of the peak over the starting size is the memory the operation needed. Printed: wall
seconds, CPU seconds of the process (all its threads: on a busy machine the wall time says
more about the neighbours), that peak growth in MB and as a multiple of the input's UTF-8
size (target <= 5x), and the targets: compress and put <= 15 s, focused reads (get with
query and max_tokens, render with a query) <= 2 s.

put includes its search index, built on a background thread (the operation waits for it);
the reads are timed on an entry already put and indexed (one of 1,000,000 characters or more
has no index: it is scanned per query).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perf_bench import json_text, log_text, prose_text

QUERY = "worker-3 ERROR request 4242 timeout"


def base64_line(size: int) -> str:
    """One line of base64, as an agent gets an encoded file or image back."""
    block = "TWFueSBoYW5kcyBtYWtlIGxpZ2h0IHdvcmsuIFRoZSBxdWljayBicm93biBmb3gg+/9="
    return (block * (size // len(block) + 1))[:size]


INPUTS: dict[str, Callable[[int], str]] = {
    "logs": log_text,
    "json": json_text,
    "prose": prose_text,
    "base64": base64_line,
}
DEFAULT_MB = {"logs": 50.0, "json": 50.0, "prose": 10.0, "base64": 5.0}


def _rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(kind: str, mb: float, op: str) -> None:
    """Run one operation on one input and print its figures as JSON."""
    from agent_baton import SharedContext
    from agent_baton.compress import compress

    text = INPUTS[kind](int(mb * 1e6))
    ctx = SharedContext(ttl=None, max_bytes=None)
    if op != "put" and op != "compress":
        ctx.put("big", text)
        ctx.search("big", "warm")  # the index is built: the read is what is measured
    actions: dict[str, Callable[[], object]] = {
        "compress": lambda: compress(text),
        "put": lambda: (ctx.put("big", text), ctx.search("big", "warm")),
        "get_focused": lambda: ctx.get("big", query=QUERY, max_tokens=500),
        "get_query": lambda: ctx.get("big", query=QUERY),
        "render_query": lambda: ctx.render(query=QUERY, max_tokens=300),
        "search": lambda: ctx.search("big", QUERY),
    }
    Path("/proc/self/clear_refs").write_text("5")  # the peak starts from here
    start_mb = _rss_mb("VmRSS")
    started, cpu = time.perf_counter(), time.process_time()
    actions[op]()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = _rss_mb("VmHWM") - start_mb
    size = len(text.encode()) / 1e6
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak, "input_mb": size}))


# get_focused: get(key, query=..., max_tokens=500); get_query: get(key, query=...);
# render_query: render(query=..., max_tokens=300); search: search(key, query).
OPS = ["compress", "put", "get_focused", "get_query", "render_query", "search"]
LIMITS = {"compress": 15.0, "put": 15.0, "get_focused": 2.0, "render_query": 2.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, help="input size in MB (default: per input)")
    parser.add_argument("--inputs", default=",".join(INPUTS))
    parser.add_argument("--ops", default=",".join(OPS))
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], float(args.child[1]), args.child[2])
        return 0
    print(
        f"{'input':<8} {'MB':>6} {'operation':<14} {'seconds':>8} {'CPU s':>8} "
        f"{'peak MB':>8} {'x input':>8}"
    )
    missed = 0
    for kind in args.inputs.split(","):
        mb = args.mb or DEFAULT_MB[kind]
        for op in args.ops.split(","):
            command = [sys.executable, __file__, "--child", kind, str(mb), op]
            try:
                done = subprocess.run(
                    command, capture_output=True, text=True, timeout=args.timeout, check=True
                )
            except subprocess.TimeoutExpired:
                print(f"{kind:<8} {mb:>6.1f} {op:<14} {'>' + str(int(args.timeout)):>8}")
                missed += 1
                continue
            except subprocess.CalledProcessError as failed:
                print(f"{kind:<8} {mb:>6.1f} {op:<14} failed: {failed.stderr.strip()[-300:]}")
                missed += 1
                continue
            got = json.loads(done.stdout.strip().splitlines()[-1])
            ratio = got["peak_mb"] / got["input_mb"]
            limit = LIMITS.get(op)
            ok = ratio <= 5 and (limit is None or min(got["seconds"], got["cpu"]) <= limit)
            missed += not ok
            print(
                f"{kind:<8} {got['input_mb']:>6.1f} {op:<14} {got['seconds']:>8.2f} "
                f"{got['cpu']:>8.2f} {got['peak_mb']:>8.0f} {ratio:>8.1f}  {'' if ok else 'MISS'}",
                flush=True,
            )
    return 1 if missed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
