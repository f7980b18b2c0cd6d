"""Screen every regular expression the library compiles for superlinear time.

Usage: python benchmarks/pattern_screen.py [--corpus DIR] [--jobs 2] [--pattern-seconds 120]

Records each pattern agent_baton compiles (at import, and inline ones while compressing the
corpus with a query and a budget), then times ``finditer`` on pumped inputs: a literal of
the pattern, then one or two characters repeated, at 300 and 1,200 characters. A pattern
whose time grows more than 8-fold for the 4-fold input, and again from 1,200 to 4,800
characters (once is often a busy machine), is printed with the first pump that shows it.
finditer tries every start: a pattern that the library only uses with ``match`` or
``fullmatch`` (one start) is listed in ALLOWED, by its module and name, with that call and the
reason; it is screened with that call instead, and counts only if it is superlinear even
then. A pattern that cannot be screened by its call alone (its input is of a kind the pumps
are not) is listed with ``None`` and the reason, and printed apart.

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
from collections import deque
from collections.abc import Callable
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

# Patterns the library only ever anchors, by module and name (under agent_baton): the call
# that uses them, screened instead of finditer ("match", "fullmatch"), or None when only
# their input keeps them linear; and why.
ALLOWED: dict[str, tuple[str | None, str]] = {
    "compress.logs._FAILURE_START": ("match", "at a line's start, one attempt per line"),
    "compress.numbered_failures._SUMMARY": ("match", "at the start of a failure line"),
    "compress.numbered_failures._NUMBERED": ("match", "at the start of a line holding ') '"),
    "compress.dumps._TAIL": ("match", "at the start of a line after a blank one (head's header)"),
    "compress.dumps._SOURCE": ("match", "at the start of the line under a cxml document tag"),
    "compress.dumps._DOCUMENT": ("match", "at the start of one line of a cxml dump"),
    "compress.dumps._REPOMIX_FILE": ("match", "at the start of a line opening with <file"),
    "compress.dumps._RULE": ("match", "at the start of a line opening with 8 ="),
    "compress.dumps._RULED_FILE": ("match", "at the start of a title line between two rules"),
    "compress.dumps._FENCED_FILE": ("match", "at the start of a line opening with # or a backtick"),
    "compress.dumps._FENCE": ("match", "at the start of the line under a file's header"),
    "compress.dumps._PATH": ("fullmatch", "of one line over ---, holding / or ."),
    "compress.heads._AT": ("match", "at a line's start, one attempt per line"),
    "compress.heads._BODY": ("match", "at a line's start, one attempt per line"),
    "compress.detect._FIELD_NAME": ("match", "at a line's start, one attempt per line"),
    "compress.parsed._FIELD": ("match", "at a model's str() start and after each field's value"),
    "compress.parsed._RECORD": ("match", "at the start of a stripped text (a record's repr)"),
    "compress.pretty._OPENS": ("match", "at the start of a stripped text (a value over lines)"),
    "compress.chat._MESSAGE_CLASS": ("fullmatch", "of the class name of one message's repr"),
    "compress.tables._FLOAT": ("fullmatch", "of one table cell or column name"),
    "compress.tables._PATH": ("fullmatch", "of one stripped line of a listing"),
    "compress.tables._THREE_WORDS": ("match", "at the start of one line of a table's head"),
    "compress.notebook._TELLING": ("match", "at the start of one line of a cell's source"),
    "compress.notebook._HEADING": ("match", "at the start of one markdown cell's text"),
    "compress.json_rows._ITEM": ("fullmatch", "of one line of a JSON document"),
    "compress.strace._EXECVE": ("match", "at the start of one line of a trace"),
    "compress.strace._FAILED": ("match", "at the start of one line of a trace"),
    "compress.posts._DOTTED": ("fullmatch", "of one stripped line of at most 120 characters"),
    "compress.posts._VERBED": ("fullmatch", "of one stripped line of at most 120 characters"),
    "compress.posts._VOTED": ("fullmatch", "of one stripped line of at most 120 characters"),
    "compress.posts._EXPORTED": ("fullmatch", "of one stripped line of at most 120 characters"),
    "compress.posts._STAMPED": ("fullmatch", "of one stripped line of at most 120 characters"),
    "compress.outline._UNDERLINE": ("match", "at the start of the line under a title"),
    "compress.outline._ENTRY": ("fullmatch", "of one line of a pydoc page"),
    "compress.outline._METHOD": ("fullmatch", "of one line of a pydoc page"),
    "compress.outline._MANUAL": ("fullmatch", "of one line of at most 100 characters"),
    "compress.strace._ENDED": ("match", "at the start of one line of a trace"),
    "compress.strace._QUOTED": ("match", "at each string's start in an execve's argument list"),
    "compress.prose._PLAIN_WORD": ("fullmatch", "of one whitespace-separated token"),
    "compress.prose._OPTION_START": ("match", "at the start of one indented line of a manual"),
    "compress.prose._OPTION_LINE": ("match", "at the start of one indented line of a manual"),
    "compress.code.fallback._CONSTRUCTOR_BELOW": ("match", "at the start of a head's next line"),
    "compress.detect._PLAIN_WORD": ("fullmatch", "of one whitespace-separated token"),
    "compress.prose._DATA_START": ("match", "at the start of one paragraph"),
    "compress.prose._TITLE": ("fullmatch", "of one stripped line"),
    "compress.prose._OUTLINE_HEADING": ("match", "at a line's start (an outline's heading)"),
    "compress.prose._SIGNATURE": ("fullmatch", "of one line without its indent"),
    "compress.detect._HTML": ("match", "at the text's start, one pass over its blanks"),
    "compress.detect._SHEBANG": ("match", "on the text's first 256 characters"),
    "compress.detect._RECORD": ("match", "at a line's start (sentence_line)"),
    "compress.detect._DIRECTIVE": ("match", "at a line's start (C header detection)"),
    "compress.detect._TOOL_LINE": ("match", "on a line's first 300 characters"),
    "compress.top._UPTIME": ("fullmatch", "of a text's first line (top's uptime)"),
    "compress.top._SUMMARY_LINE": ("fullmatch", "of one line of top's summary block"),
    "compress.guarantees._FAILURE_HEAD": ("match", "at a line's start (is_failure)"),
    "compress.guarantees._ASSERTION": ("match", "at a line's start (an assert statement)"),
    "compress.guarantees._QUOTE": ("match", "at a line's start (is_failure: its quote marks)"),
    "compress.guarantees._BEHIND_START": ("match", "at a line's start (a log line's prefix)"),
    "compress.go_tests._VERDICT": ("match", "at a line's start (go test's verdict)"),
    "compress.go_tests._RUN": ("match", "at a line's start (go test -v's === RUN)"),
    "compress.go_tests._LOGGED": ("match", "at a line's start (a line a test logged)"),
    "compress.numbered_failures._DEFECT": ("match", "at a line's start (PHPUnit's defect)"),
    "compress.code.makefile._RULE": ("match", "at the start of one stripped Makefile line"),
    "compress.code.makefile._ASSIGNMENT": ("match", "at the start of one stripped Makefile line"),
    "compress.code.blocks._TOKEN": ("match", "at one position, the token after the last"),
    "compress.code.blocks._DIRECTIVE_LINE": ("fullmatch", "of one line of a block config"),
    "compress.heads._CLOSER": ("match", "at a line's start (a line that only closes a block)"),
    "compress.heads._COMMENT": ("match", "at a line's start (a comment line)"),
    "compress.heads._PREAMBLE": ("match", "at a line's start (an import or attribute line)"),
    "compress.latex._HEADING": ("match", "at a line's start (a sectioning command)"),
    "compress.strace._FATAL": ("match", "at a trace line's start (a fatal signal)"),
    "compress.code.dockerfile._KEYWORD": ("match", "at the start of one Dockerfile line"),
    "compress.code.dockerfile._FROM": ("fullmatch", "one FROM line of a Dockerfile"),
    "compress.budget._SECTION": ("match", "at the start of one line (a heading or [section])"),
    "compress.code.diff._CONTROL": ("match", "at a diff line's or a code header's start"),
    "compress.config._FIELD": ("match", "at a line's start (Debian control stanzas)"),
    "compress.config._ACTIVE": (
        "match",
        "at the start of a line of at most 160 characters (a commented settings file's)",
    ),
    "compress.xml._XML": ("match", "at the text's start"),
    "compress.records._NAME": ("match", "at the start of a line ending with a colon"),
    "compress.records._FIELD": ("match", "at the start of a stanza's first line"),
    "compress.records._INNER_FIELD": ("fullmatch", "of one line of a record holding ': '"),
    "compress.logs._CRITICAL_EXTENSION": ("fullmatch", "of one line holding 'X509v3 '"),
    "compress.code._CODE_START": ("match", "at a line's start (looks_like_code)"),
    "compress.detect._DOCTEST_HEAD": ("fullmatch", "of one line (a doctest report's)"),
    "compress.json_outline._CLOSING": ("fullmatch", "of one line of a JSON document"),
    "compress.json_outline._STRING": (
        None,
        "sub() on the lines of a document that parsed as JSON: a JSON string closes on its "
        "line, so every start tried is a quote that reads one whole string, or no quote "
        "(the pumps flag an unclosed string, which such a line never holds)",
    ),
}


class Verdict(NamedTuple):
    """A pattern's screen under ``call``; ``evidence`` is empty if no pump showed it superlinear."""

    source: str
    flags: int
    call: str
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


def allowances() -> dict[tuple[str, int], tuple[str, str | None, str]]:
    """ALLOWED by pattern: (name, call, reason); a name that no longer exists is an error."""
    found = {}
    for name, (call, reason) in ALLOWED.items():
        module, _, attribute = name.rpartition(".")
        pattern = getattr(importlib.import_module(f"agent_baton.{module}"), attribute, None)
        if not isinstance(pattern, re.Pattern):
            raise SystemExit(f"ALLOWED names {name}, which is not a compiled pattern")
        found[(pattern.pattern, _given(pattern.flags))] = (name, call, reason)
    return found


def _given(flags: int) -> int:
    """The flags as passed to compile: a compiled str pattern adds re.UNICODE."""
    return flags & ~re.UNICODE


def caller(pattern: re.Pattern[str], call: str) -> Callable[[str], object]:
    """``call`` of ``pattern`` on a text: every match of finditer, or one match."""
    if call != "finditer":
        return getattr(pattern, call)  # type: ignore[no-any-return]
    return lambda text: deque(pattern.finditer(text), maxlen=0)


def seconds(run: Callable[[str], object], text: str, limit: float) -> float:
    """The time ``run(text)`` takes, or ``limit`` if it would take longer."""
    started = time.perf_counter()
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, limit)
            run(text)
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


def evidence(run: Callable[[str], object], prefix: str, pump: str) -> str:
    """Why this pump shows superlinear time, or ``""`` when it does not."""

    def text(size: int) -> str:
        return prefix + pump * (size // len(pump))

    small = seconds(run, text(SMALL), CAP)
    if small < SLOW:
        return ""
    if small >= CAP:
        return f"over {CAP:.0f} s at {SMALL:,} characters"
    # Twice, so a busy machine's hiccup is not taken for a trend.
    growth = min(seconds(run, text(BIG), CAP) / seconds(run, text(SMALL), CAP) for _ in "ab")
    took = seconds(run, text(BIG), CAP)
    if took >= CAP:
        return f"over {CAP:.0f} s at {BIG:,} characters"
    if took <= MEASURABLE or growth <= GROWTH:
        return ""
    # Confirmed only if 4,800 characters take more than 8 times as long as 1,200, twice.
    limit = 1.1 * GROWTH * took
    if all(seconds(run, text(BIGGER), limit) > GROWTH * took for _ in "ab"):
        return f"x{growth:.0f} {took * 1000:.1f} ms at {BIG:,} characters"
    return ""


def screen(source: str, flags: int, call: str, budget: float) -> Verdict:
    """Try the pumps on one pattern's ``call`` until one confirms superlinear time or
    ``budget`` seconds have passed."""

    def stop(*_: object) -> None:
        raise _Stopped

    signal.signal(signal.SIGALRM, stop)
    run = caller(re.compile(source, flags), call)
    started = time.perf_counter()
    for prefix, pump in pumped(source):
        if time.perf_counter() - started > budget:
            return Verdict(source, flags, call, "", True, time.perf_counter() - started)
        found = evidence(run, prefix, pump)
        if found:
            shown = f"{found}  {prefix!r} + {pump!r}*n"
            return Verdict(source, flags, call, shown, False, time.perf_counter() - started)
    return Verdict(source, flags, call, "", False, time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--pattern-seconds", type=float, default=120.0)
    args = parser.parse_args()
    started = time.perf_counter()
    patterns = recorded(args.corpus)
    allowed = allowances()
    print(f"{len(patterns)} patterns, screened in {args.jobs} processes", flush=True)
    # Spawned, not forked: this process has run compress(), whose threads a fork would copy.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(args.jobs, mp_context=spawn) as pool:
        jobs = []
        for source, flags in patterns:
            call = allowed.get((source, _given(flags)), ("", None, ""))[1] or "finditer"
            jobs.append(pool.submit(screen, source, flags, call, args.pattern_seconds))
        verdicts = [job.result() for job in as_completed(jobs)]
    counts = {"flagged": 0, "allowed": 0, "unfinished": 0, "linear when anchored": 0}
    for verdict in sorted(verdicts, key=lambda v: -v.seconds):
        shown = f"{verdict.source[:120]!r} (flags {verdict.flags}, {verdict.seconds:.0f} s)"
        name, call, reason = allowed.get((verdict.source, _given(verdict.flags)), (None, None, ""))
        if verdict.unfinished:
            counts["unfinished"] += 1
            print(f"unfinished after {args.pattern_seconds:.0f} s under {verdict.call}: {shown}")
        elif verdict.evidence and name is not None and call is None:
            counts["allowed"] += 1
            print(f"allowed, {name}: {reason}: {verdict.evidence}  {shown}")
        elif verdict.evidence:
            counts["flagged"] += 1
            named = f"{name}, " if name else ""
            print(f"{named}under {verdict.call}: {verdict.evidence}  {shown}")
        elif name is not None and call is not None:
            counts["linear when anchored"] += 1
    print(
        f"{counts['flagged']} patterns grow faster than linearly under their call, not allowed "
        f"({counts['linear when anchored']} linear under match/fullmatch as the library calls "
        f"them); {counts['allowed']} allowed; {counts['unfinished']} unfinished; "
        f"{len(patterns)} screened in {time.perf_counter() - started:.0f} s"
    )
    return 1 if counts["flagged"] or counts["unfinished"] else 0


if __name__ == "__main__":
    sys.exit(main())
