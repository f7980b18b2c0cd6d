"""Screen every regular expression the library compiles for superlinear time.

Usage: python benchmarks/pattern_screen.py [--corpus DIR] [--jobs 2] [--pattern-seconds 120]

Records each pattern agent_baton compiles (at import, and inline ones while compressing the
corpus with a query and a budget), then times ``finditer`` on pumped inputs: a literal of
the pattern, then one or two characters repeated, at 300 and 1,200 characters. A pattern
whose time grows more than 8-fold for the 4-fold input, and again from 1,200 to 4,800
characters (once is often a busy machine), is printed with the first pump that shows it.
finditer tries every start: a pattern flagged here is harmless only where it is used with
``match``/``fullmatch`` on one bounded piece or its first search always succeeds; those are
listed in ALLOWED with the reason, printed apart, and do not count.

Each timing is stopped by an alarm (the regex engine checks for signals) once its verdict is
certain, so a pattern that explodes costs seconds, not hours: 300 or 1,200 characters that
take over 2 s flag it at once, and 4,800 characters stop at 8.8 times the 1,200's time. A
pattern's screen stops at its first confirmed pump; one still unscreened after
``--pattern-seconds`` is printed as unfinished and counts as flagged. Patterns are screened
in ``--jobs`` processes at once (default: 2, this machine's cores).
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing
import os
import pkgutil
import re
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, NamedTuple

REPO = Path(__file__).resolve().parent.parent
BASE = list(" \n\taA1()[]{}|-_.,:=`\"'/*#<>@$!?+;%~&x\\")
SMALL, BIG, BIGGER = 300, 1_200, 4_800  # characters of the pumped inputs
GROWTH = 8  # 4-fold input: more than 8-fold time is worse than n^1.5
SLOW = 2e-4  # seconds on SMALL below which a pump is not looked at further
MEASURABLE = 2e-3  # seconds on BIG below which growth is noise
CAP = 2.0  # seconds after which SMALL or BIG characters flag a pattern outright
PREFIXES = 30  # literals of the pattern tried before the pumps

# Patterns flagged under finditer that the library only ever anchors: where, and why linear.
ALLOWED = {
    r"[ \t]*FAIL\b|E {3,}\S|[ \t]+File \"[^\"]+\", line \d+": "logs._FAILURE_START: "
    "match() at a line's start, one attempt per line",
    r"-?\d+\.\d+": "tables._FLOAT: fullmatch() of one table cell or column name",
    r"[\"'(*_`]*[A-Za-z][a-z'’-]*(?:[)\"*_`][)\"'*_`]*)?(?:[.,;:!?][)\"']*)?": "prose._PLAIN_WORD: "
    "fullmatch() of one whitespace-separated token",
    r"[\"'(*_`]*[A-Za-z][a-z'’-]*[)\"'*_`]*[.,;:!?]?[)\"']*": "detect._PLAIN_WORD: fullmatch() "
    "of one whitespace-separated token",
    r"\s*([\[{(]|[\w.]+\()": "prose._DATA_START: match() at the start of one paragraph",
    r"\s*+(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])": "detect._HTML: match() at the "
    "text's start, one pass over its blanks (1.2 ms for 160,000)",
    r"#![^\n]*\b(?:sh|bash|zsh|dash|ksh|python[\d.]*|node|perl|ruby)\b": "detect._SHEBANG: "
    "match() on the text's first 256 characters only (0.003 ms whatever the line's length)",
    # detect._RECORD
    (
        "^\\s*+(\\S+\\.\\w+:\\d+(:\\d+)?:?\\s|\\S+::\\S+\\s+(PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPAS"
        "S)\\b|(PASSED|FAILED|ERROR|ok|not ok)\\s|[a-zA-Z]{2}\\s{2}\\S+\\s{2,})|[^\\S\\n]*#[^\\S\\"
        'n]*(?:(?:define|undef|ifdef|ifndef)\\s+[A-Za-z_]|include\\s*[<\\"]|(?:if|elif)\\s+(?'
        ":!?\\s*defined\\b|[A-Z_]{2,}|\\d|\\()|(?:endif|else)(?:\\s|$)|pragma\\s|error\\s)"
    ): "detect._RECORD: match() only on lines already read as words or markdown "
    "(sentence_line), whose first token is a word or a marker, so no \\S+ runs past it "
    "(0.3 ms on a 10,000-character line; 'a::' * 3,000, which is no sentence, 0.02 ms)",
}


class Verdict(NamedTuple):
    """A pattern's screen: ``evidence`` is empty when no pump showed superlinear time."""

    source: str
    flags: int
    evidence: str
    unfinished: bool
    seconds: float


class _Stopped(Exception):
    """Raised by the alarm: the timing in progress has reached its limit."""


def recorded(corpus: Path) -> dict[tuple[str, int], re.Pattern[str]]:
    """Every str pattern agent_baton's modules compile at import or while compressing."""
    seen: dict[tuple[str, int], re.Pattern[str]] = {}
    compile_ = re._compile  # type: ignore[attr-defined]

    def record(pattern: Any, flags: Any) -> Any:
        compiled = compile_(pattern, flags)
        caller = sys._getframe(1)
        while caller.f_back is not None and caller.f_globals.get("__name__") == "re":
            caller = caller.f_back  # re.compile, re.search...: who called them
        ours = str(caller.f_globals.get("__name__", "")).startswith("agent_baton")
        if isinstance(pattern, str) and ours:
            seen.setdefault((pattern, int(flags)), compiled)
        return compiled

    re._compile = record  # type: ignore[attr-defined]
    try:
        import agent_baton

        for module in pkgutil.walk_packages(agent_baton.__path__, "agent_baton."):
            if not module.name.endswith("__main__"):
                importlib.import_module(module.name)
        from agent_baton.compress import compress

        for case in sorted(corpus.glob("cases/*/content.*")):
            compress(case.read_text(), query="error in the build", max_tokens=300)
    finally:
        re._compile = compile_  # type: ignore[attr-defined]
    return seen


def seconds(pattern: re.Pattern[str], text: str, limit: float) -> float:
    """The time ``finditer`` takes over ``text``, or ``limit`` if it would take longer."""
    started = time.perf_counter()
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, limit)
            for _ in pattern.finditer(text):
                pass
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Stopped:
        return limit
    return min(time.perf_counter() - started, limit)


def pumped(source: str) -> list[tuple[str, str]]:
    """(prefix, pump) pairs to try, without two that make the same input."""
    alphabet = sorted(set(BASE) | {c for c in source if c.isprintable()})
    literals = re.findall(r"[A-Za-z_]{2,}|[^\w\s\\()\[\]|?*+{}^$.]{1,3}", source)
    prefixes = ["", *sorted(set(literals))][:PREFIXES]
    pumps = alphabet + [a + b for a in alphabet for b in alphabet if a != b]
    pumps += [w + c for w in prefixes[1:] for c in " (<:=\n,.1a'"]
    unique = {
        prefix + pump * (SMALL // len(pump)): (prefix, pump)
        for prefix in prefixes
        for pump in pumps
    }
    return list(unique.values())


def evidence(pattern: re.Pattern[str], prefix: str, pump: str) -> str:
    """Why this pump shows superlinear time, or ``""`` when it does not."""

    def text(size: int) -> str:
        return prefix + pump * (size // len(pump))

    small = seconds(pattern, text(SMALL), CAP)
    if small < SLOW:
        return ""
    if small >= CAP:
        return f"over {CAP:.0f} s at {SMALL:,} characters"
    # Twice, so a busy machine's hiccup is not taken for a trend.
    growth = min(
        seconds(pattern, text(BIG), CAP) / seconds(pattern, text(SMALL), CAP) for _ in "ab"
    )
    took = seconds(pattern, text(BIG), CAP)
    if took >= CAP:
        return f"over {CAP:.0f} s at {BIG:,} characters"
    if took <= MEASURABLE or growth <= GROWTH:
        return ""
    # Confirmed only if 4,800 characters take more than 8 times as long as 1,200, twice.
    limit = 1.1 * GROWTH * took
    if all(seconds(pattern, text(BIGGER), limit) > GROWTH * took for _ in "ab"):
        return f"x{growth:.0f} {took * 1000:.1f} ms at {BIG:,} characters"
    return ""


def screen(source: str, flags: int, budget: float) -> Verdict:
    """Try the pumps on one pattern until one confirms superlinear time or ``budget`` runs out."""

    def stop(*_: object) -> None:
        raise _Stopped

    signal.signal(signal.SIGALRM, stop)
    pattern = re.compile(source, flags)
    started = time.perf_counter()
    for prefix, pump in pumped(source):
        if time.perf_counter() - started > budget:
            return Verdict(source, flags, "", True, time.perf_counter() - started)
        found = evidence(pattern, prefix, pump)
        if found:
            shown = f"{found}  {prefix!r} + {pump!r}*n"
            return Verdict(source, flags, shown, False, time.perf_counter() - started)
    return Verdict(source, flags, "", False, time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--pattern-seconds", type=float, default=120.0)
    args = parser.parse_args()
    started = time.perf_counter()
    patterns = recorded(args.corpus)
    print(f"{len(patterns)} patterns, screened in {args.jobs} processes", flush=True)
    # Spawned, not forked: this process has run compress(), whose threads a fork would copy.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(args.jobs, mp_context=spawn) as pool:
        jobs = [pool.submit(screen, s, f, args.pattern_seconds) for s, f in patterns]
        verdicts = [job.result() for job in as_completed(jobs)]
    flagged = allowed = unfinished = 0
    for verdict in sorted(verdicts, key=lambda v: -v.seconds):
        shown = f"{verdict.source[:120]!r} (flags {verdict.flags}, {verdict.seconds:.0f} s)"
        if verdict.unfinished:
            unfinished += 1
            print(f"unfinished after {args.pattern_seconds:.0f} s: {shown}")
        elif verdict.evidence and verdict.source in ALLOWED:
            allowed += 1
            print(f"allowed ({ALLOWED[verdict.source]}): {verdict.evidence}  {shown}")
        elif verdict.evidence:
            flagged += 1
            print(f"{verdict.evidence}  {shown}")
    print(
        f"{flagged} patterns grow faster than linearly under finditer, not allowed; "
        f"{allowed} allowed; {unfinished} unfinished; {len(patterns)} screened in "
        f"{time.perf_counter() - started:.0f} s"
    )
    return 1 if flagged or unfinished else 0


if __name__ == "__main__":
    sys.exit(main())
