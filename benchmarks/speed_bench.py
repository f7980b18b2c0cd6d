"""Speed: the median put per kind against counting the same input's tokens, side by side.

Usage: python benchmarks/speed_bench.py [--corpus DIR] [--per-kind 25] [--kinds json,logs]
                                       [--runs 5] [--cpu] [--sizes 1,10 | --sizes ""]

For each kind of the generated corpus (build_corpus.py), times SharedContext.put and the token
count of the same text with the tokenizer that context uses (agent-baton's counter for its
model), one after the other in this run, and prints per kind the median put, the median count
and the median of each input's put/count ratio, each timing the fastest of --runs. The target
(issue 17): a put takes at most twice as long as counting. Then times a put of 1 MB and 10 MB
of JSON, logs, code and prose built from the same real material.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from corpus_bench import Case, load_cases
from corpus_rules import spread

from agent_baton import SharedContext, get_token_counter
from agent_baton.tokens import DEFAULT_MODEL

REPO = Path(__file__).resolve().parent.parent
COUNT = get_token_counter(DEFAULT_MODEL)  # what a SharedContext with the default model counts with


def timed_put(ctx: SharedContext) -> Callable[[str], object]:
    return lambda text: ctx.put("timed", text)


def fastest_ms(
    fn: Callable[[str], object],
    text: str,
    runs: int,
    settle: Callable[[], object] = int,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    """The fastest of ``runs`` calls of ``fn`` on variants of ``text``, in ms of ``clock``.

    The fastest, not the median: on a busy machine a call is delayed by the others' time
    slices, and a long call (a put) more often than a short one (a count), which would skew
    the ratio. ``settle`` runs, untimed, after each call.
    """
    fn(text)  # warm-up: imports and start-up are not part of a compression
    settle()
    times = []
    for i in range(runs):
        variant = "\n" * (i + 1) + text  # defeat any cache keyed by content
        start = clock()
        fn(variant)
        times.append((clock() - start) * 1000)
        settle()
    return min(times)


def per_kind(corpus: Path, limit: int, kinds: set[str] | None, runs: int, cpu: bool) -> None:
    cases = [case for case in load_cases(corpus, None) if kinds is None or case.kind in kinds]
    groups: dict[str, list[str]] = {}
    for case in cases:
        groups.setdefault(case.kind, []).append(case.text)
    if not groups:
        return  # --kinds named none of the corpus's kinds (or "-": only the large inputs)
    ctx = SharedContext(max_entries=10)
    settle = lambda: ctx.search("timed", "x")  # noqa: E731 - the index a put starts, finished
    # CPU time of every thread of the process (a put's count of its original included): what
    # a loaded machine cannot inflate, and no less than a put's time on an idle one.
    clock = time.process_time if cpu else time.perf_counter
    what = "CPU time" if cpu else "wall time"
    print(f"## put vs count per kind ({COUNT.name}, {what}, fastest of {runs}, inputs spread)\n")
    print(f"{'kind':<8} {'inputs':>6} {'med KB':>7} {'put ms':>8} {'count ms':>9} {'put/count':>9}")
    ratios = {}
    for kind in sorted(groups):
        texts = spread(sorted(groups[kind], key=len), limit)
        puts, counts = [], []
        for text in texts:
            puts.append(fastest_ms(timed_put(ctx), text, runs, settle=settle, clock=clock))
            counts.append(fastest_ms(COUNT, text, runs, clock=clock))
        put, count = statistics.median(puts), statistics.median(counts)
        # Each put against its own input's count: a noisy moment skews one pair only.
        ratios[kind] = statistics.median(p / c for p, c in zip(puts, counts, strict=True))
        kb = statistics.median(len(t.encode()) for t in texts) / 1000
        print(
            f"{kind:<8} {len(texts):>6} {kb:>7.1f} {put:>8.2f} {count:>9.2f} {ratios[kind]:>8.1f}x"
        )
    worst = max(ratios, key=lambda k: ratios[k])
    print(
        f"\nPUT/COUNT: worst kind {worst} {ratios[worst]:.1f}x, median over kinds"
        f" {statistics.median(ratios.values()):.1f}x (target: <= 2x for every kind)"
    )


def big_inputs(corpus: Path, megabytes: list[int], cpu: bool) -> None:
    cases = load_cases(corpus, None)
    by_kind: dict[str, list[str]] = {}
    for case in cases:
        by_kind.setdefault(case.kind, []).append(case.text)
    makers: dict[str, Callable[[int], str]] = {
        "json": lambda size: _json_records(cases, size),
        "logs": lambda size: _repeat(by_kind.get("logs", []), size),
        # One language's files, as a tool prints them one after another: Python modules.
        "code": lambda size: _repeat(
            [c.text for c in cases if c.format == "python" and "def " in c.text], size
        ),
        "prose": lambda size: _repeat(by_kind.get("prose", []), size),
    }
    ctx = SharedContext(max_entries=4)
    clock = time.process_time if cpu else time.perf_counter
    print(f"\n## put of large inputs ({COUNT.name}, {'CPU' if cpu else 'wall'} time)\n")
    print(f"{'input':<6} {'MB':>5} {'put s':>7} {'count s':>8} {'ratio':>6} {'saved':>6}")
    for kind, make in makers.items():
        for mb in megabytes:
            text = make(mb * 1_000_000)
            if not text:
                print(f"{kind:<6} no material")
                break
            ctx.put("warm", text[:50_000])
            start = clock()
            entry = ctx.put(f"{kind}-{mb}", text)
            put = clock() - start
            start = clock()
            COUNT(text)
            count = clock() - start
            ctx.search(f"{kind}-{mb}", "x")
            print(
                f"{kind:<6} {len(text.encode()) / 1e6:>5.1f} {put:>7.2f} {count:>8.2f}"
                f" {put / count:>5.1f}x {entry.savings_percent:>5.1f}%"
            )


def _repeat(texts: list[str], size: int) -> str:
    """Real texts one after another until ``size`` bytes (the corpus repeats if it is short)."""
    if not texts:
        return ""
    parts, total, i = [], 0, 0
    while total < size:
        parts.append(texts[i % len(texts)])
        total += len(parts[-1].encode()) + 1
        i += 1
    return "\n".join(parts)


def _json_records(cases: list[Case], size: int) -> str:
    """A JSON array of the corpus's JSON Lines and API records, repeated to ``size`` bytes."""
    records = []
    for case in cases:
        if case.format == "jsonl":
            records += [json.loads(line) for line in case.text.splitlines() if line.strip()]
    if not records:
        return ""
    out, total, i = [], 0, 0
    while total < size:
        record = {"seq": i, **records[i % len(records)]}
        out.append(record)
        total += len(json.dumps(record)) + 4
        i += 1
    return json.dumps(out, indent=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO / ".bench" / "corpus")
    parser.add_argument("--per-kind", type=int, default=25)
    parser.add_argument("--kinds", help='comma-separated kinds to time (default: all; "-": none)')
    parser.add_argument(
        "--runs", type=int, default=5, help="timings per input (the fastest counts)"
    )
    parser.add_argument("--cpu", action="store_true", help="time CPU, not wall (a loaded machine)")
    parser.add_argument("--sizes", default="1,10", help='MB sizes of the large inputs ("": none)')
    args = parser.parse_args()
    if not (args.corpus / "cases").is_dir():
        print(f"no generated corpus at {args.corpus}: run benchmarks/build_corpus.py first")
        return 0
    kinds = set(args.kinds.split(",")) if args.kinds else None
    per_kind(args.corpus, args.per_kind, kinds, args.runs, args.cpu)
    if args.sizes:
        big_inputs(args.corpus, [int(s) for s in args.sizes.split(",")], args.cpu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
