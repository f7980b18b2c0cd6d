"""Scaling: time against input size on adversarial shapes, for every compressor and end to end.

Usage: python benchmarks/scaling_bench.py [--sizes 10000,40000,160000]
       [--cap SECONDS] [--generators blank,spaces] [--targets compress,put]

Each generator makes a text of n lines (or, for one-line shapes, of n * 10 characters) in a
shape that made a backtracking pattern or a scan go quadratic: blank lines, lines of spaces,
brackets, long identifiers and words, pipes, parentheses, fences... Every target (each
compressor called directly, the kind detector, the token counter, compress(), put,
get_focused: get(key, query=..., max_tokens=500), search and render_query: render(query=...,
max_tokens=2000)) runs on every size, in a child process that
is killed when one call takes longer than --cap seconds. Printed: CPU seconds of the child
(all its threads, so a busy machine does not bend the curve) per size, the exponent from the
first size timed above 5 ms to the largest (1.0 is linear; the target is <= 1.15) and, per
generator, the worst exponent over the targets.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import select
import subprocess
import sys
import time
from collections.abc import Callable

QUERY = "error timeout failed request"


def _js_head() -> str:
    return (
        "import { readFile } from 'node:fs/promises';\n"
        "const cache = new Map();\n"
        "export async function load(path) {\n"
        "  const text = await readFile(path, 'utf8');\n"
        "  return JSON.parse(text);\n"
        "}\n"
    )


def _log_line(i: int) -> str:
    level = "ERROR" if i % 997 == 3 else "INFO"
    return f"2026-11-23 10:{i // 60 % 60:02d}:{i % 60:02d} {level} worker-{i % 8} request {i} ok"


GENERATORS: dict[str, Callable[[int], str]] = {
    # n lines each
    "blank lines": lambda n: "\n" * n,
    "lines of spaces": lambda n: "        \n" * n,
    "brackets": lambda n: "[{(" * 8 + "\n" + ("{[( " * 6 + "\n") * n,
    "nested braces": lambda n: "class A {\n" * (n // 2) + "}\n" * (n // 2),
    "long identifiers": lambda n: "".join(
        f"someVeryLong_identifier{i}_Name{'Xy' * 30}\n" for i in range(n)
    ),
    "long words": lambda n: ("x" * 80 + "\n") * n,
    "pipes": lambda n: "| a | b |\n" + "| | | | | | | | | |\n" * n,
    "parentheses": lambda n: "".join(
        f"The run (id {i}) of (the) job (was) (slow) (see (notes)) today.\n" for i in range(n)
    ),
    "digits": lambda n: ("1" * 60 + "\n") * n,
    "dashes": lambda n: ("-" * 60 + "\n") * n,
    "backticks and fences": lambda n: "text ```\n```\n" + "``` ~~~ `` `\n" * n,
    "speaker lines": lambda n: "".join(
        f"User: question {i}?\nAssistant: answer {i}\n" for i in range(n // 2)
    ),
    "key lines": lambda n: "".join(f"key_{i}: value {i}\n" for i in range(n)),
    "log then spaces": lambda n: (
        "".join(_log_line(i) + "\n" for i in range(200)) + (" " * 30 + "\n") * n
    ),
    "error log": lambda n: "".join(_log_line(i) + "\n" for i in range(n)),
    "js with blank run": lambda n: _js_head() + "\n" * n + _js_head(),
    "code then spaces": lambda n: _js_head() * 5 + " " * (10 * n),
    "json records": lambda n: json.dumps(
        [{"id": i, "status": "ok" if i % 500 else "error", "ms": i % 97} for i in range(n // 4)],
        indent=1,
    ),
    "deep json": lambda n: "[" * n + "]" * n,
    # one line of n * 10 characters
    "one long word": lambda n: "a" * (10 * n),
    "one line of spaces": lambda n: "x" + " " * (10 * n) + "x",
    "base64 line": lambda n: ("QUJDZGVm+/0123456789abcdXYZ" * (n // 2 + 1))[: 10 * n],
    "table rule padded": lambda n: "| a | b |\n|" + " " * (10 * n) + "---|---|\n| 1 | 2 |\n" * 3,
    "one line of parentheses": lambda n: "(a) " * (10 * n // 4),
}


def _targets() -> dict[str, tuple[Callable[[str], object], Callable[[str], object]]]:
    """name -> (setup(text) -> state, run(state)); setup is not timed."""
    from agent_baton import SharedContext
    from agent_baton.compress import compress
    from agent_baton.compress.detect import kinds
    from agent_baton.compress.pipeline import COMPRESSORS
    from agent_baton.compress.request import Request
    from agent_baton.tokens import get_token_counter

    count = get_token_counter()

    def with_entry(text: str) -> SharedContext:
        ctx = SharedContext(ttl=None, max_bytes=None)
        ctx.put("k", text)
        ctx.search("k", "warm")  # waits for the index: what is timed is the read
        return ctx

    def same(text: str) -> str:
        return text

    targets: dict[str, tuple[Callable[[str], object], Callable[[str], object]]] = {}
    for kind, compressor in COMPRESSORS.items():
        targets[kind] = (same, lambda text, c=compressor: c(text, Request()))
    targets["route"] = (same, kinds)
    targets["count"] = (same, count)
    targets["compress"] = (same, compress)
    targets["put"] = (
        lambda text: (SharedContext(ttl=None, max_bytes=None), text),
        lambda state: state[0].put("k", state[1]),
    )
    targets["get_focused"] = (
        with_entry,
        lambda ctx: ctx.get("k", query=QUERY, max_tokens=500),
    )
    targets["search"] = (with_entry, lambda ctx: ctx.search("k", QUERY))
    targets["render_query"] = (
        with_entry,
        lambda ctx: ctx.render(query=QUERY, max_tokens=2000),
    )
    return targets


def worker(generator: str, work: list[tuple[str, int]]) -> None:
    """Run (target, size) pairs in order, printing one JSON line per measurement."""
    targets = _targets()
    make = GENERATORS[generator]
    for name, size in work:
        text = make(size)
        setup, run = targets[name]
        state = setup(text)
        best: float | str = math.inf
        for _ in range(3):
            started = time.process_time()
            try:
                run(state)
            except Exception as exc:  # a compressor called directly may raise; compress() not
                best = type(exc).__name__
                break
            best = min(best, time.process_time() - started)
            if best > 0.2:
                break  # one run is enough to tell
        print(json.dumps([name, size, best]), flush=True)


Result = float | str | None  # seconds, an exception's name, or None: over the cap


def measure(
    generator: str, names: list[str], sizes: list[int], cap: float
) -> dict[str, dict[int, Result]]:
    """Seconds per (target, size) for one generator; None where a call exceeded ``cap``."""
    results: dict[str, dict[int, Result]] = {name: {} for name in names}
    pending = [(name, size) for name in names for size in sizes]
    while pending:
        command = [sys.executable, __file__, "--worker", generator, json.dumps(pending)]
        child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        while pending:
            # The cap is on the call measured; its setup (a put, an index) gets room too.
            ready, _, _ = select.select([child.stdout], [], [], 3 * cap + 60)
            line = child.stdout.readline() if ready else ""
            if not line:
                child.kill()
                child.wait()
                name, size = pending.pop(0)
                results[name][size] = None  # over the cap: larger sizes would be too
                pending = [(n, s) for n, s in pending if n != name]
                break
            name, size, seconds = json.loads(line)
            results[name][size] = seconds
            pending.remove((name, size))
            if isinstance(seconds, str) or seconds > cap:
                pending = [(n, s) for n, s in pending if n != name]
                child.kill()
                child.wait()
                break
        else:
            child.wait()
    return results


# Below this many seconds a call's time is mostly noise, or a cheap branch (a text too short
# to compress): the exponent is read from the sizes above it.
_NOISE = 0.005


def exponent(results: dict[int, Result], cap: float) -> tuple[float, bool]:
    """The exponent of time against size, from the first size timed above noise to the last.

    (exponent, True) when a size hit the cap: the exponent is then a lower bound. Sizes
    where the call raised are left out; under noise at all sizes but one, it is 0.
    """
    times = {s: t for s, t in results.items() if not isinstance(t, str)}
    capped = [s for s in sorted(times) if times[s] is None]
    timed = [s for s in sorted(times) if times[s] is not None and times[s] >= _NOISE]
    if capped:
        timed = [s for s in timed if s < capped[0]]
        if not timed:
            return math.inf, True
        first, last, seconds = timed[0], capped[0], cap
    elif len(timed) >= 2:
        first, last = timed[0], timed[-1]
        seconds = times[last] or 0.0
    else:
        return 0.0, False
    return math.log(seconds / (times[first] or _NOISE)) / math.log(last / first), bool(capped)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,40000,160000")
    parser.add_argument("--cap", type=float, default=20.0, help="seconds per call")
    parser.add_argument("--generators", help="comma-separated, default all")
    parser.add_argument("--targets", help="comma-separated, default all")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], [tuple(pair) for pair in json.loads(args.worker[1])])
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    generators = args.generators.split(",") if args.generators else list(GENERATORS)
    names = args.targets.split(",") if args.targets else list(_targets())
    print(f"sizes (lines, or 10-char units for one-line shapes): {sizes}; cap {args.cap:g} s")
    print(f"{'generator':<24} {'target':<22} " + " ".join(f"{s:>8}" for s in sizes) + "  exponent")
    worst: dict[str, tuple[float, str, bool]] = {}
    for generator in generators:
        started = time.perf_counter()
        results = measure(generator, names, sizes, args.cap)
        for name in names:
            times = results[name]
            cells = []
            for s in sizes:
                t = times.get(s, "-")
                shown = ">cap" if t is None else t[:8] if isinstance(t, str) else f"{t:.3f}"
                cells.append(f"{shown:>8}")
            value, capped = exponent(times, args.cap)
            raised = [t for t in times.values() if isinstance(t, str)]
            if raised:
                value, capped = math.inf, False
            shown = f"raised {raised[0]}" if raised else f"{'>=' if capped else '  '}{value:.2f}"
            print(f"{generator:<24} {name:<22} " + " ".join(cells) + f"  {shown}", flush=True)
            if generator not in worst or value > worst[generator][0]:
                worst[generator] = (value, name, capped)
        print(f"  ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    print("\nworst exponent per generator (target <= 1.15):")
    failed = 0
    for generator, (value, name, capped) in worst.items():
        ok = value <= 1.15
        failed += not ok
        bound = ">=" if capped else "  "
        shown = "raised" if value == math.inf and not capped else f"{bound}{value:.2f}"
        print(f"  {'PASS' if ok else 'MISS'} {generator:<24} {shown}  ({name})")
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
