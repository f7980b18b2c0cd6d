"""Screen every regular expression the library compiles for superlinear time.

Usage: python benchmarks/pattern_screen.py [--corpus DIR]

Records each pattern agent_baton compiles (at import, and inline ones while compressing the
corpus with a query and a budget), then times ``finditer`` on pumped inputs: a literal of
the pattern, then one or two characters repeated, at 300 and 1,200 characters. A pattern
whose time grows more than 8-fold for the 4-fold input, and again from 1,200 to 4,800
characters (once is often a busy machine), is printed with the pump. finditer tries every
start: a pattern flagged here is harmless only where it is used with ``match``/``fullmatch``
on one bounded piece or its first search always succeeds; those are listed in ALLOWED with
the reason, printed apart, and do not count.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BASE = list(" \n\taA1()[]{}|-_.,:=`\"'/*#<>@$!?+;%~&x\\")

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
    r"^\s*+[\w.\-\"'/@:][\w.\-\"' /@:]*(?:\[[\w@.\-]+\])?\s*[=:]\s*\S": "config._SETTING: "
    "match() on a line's first 160 characters only (0.17 ms at most)",
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


def seconds(pattern: re.Pattern[str], text: str) -> float:
    started = time.perf_counter()
    for _ in pattern.finditer(text):
        pass
    return time.perf_counter() - started


def worst_pump(pattern: re.Pattern[str]) -> tuple[float, str, str, float] | None:
    """(seconds at 1,200 chars, prefix, pump, growth) of the worst pump, or None if linear."""
    source = pattern.pattern
    alphabet = sorted(set(BASE) | {c for c in source if c.isprintable()})
    literals = re.findall(r"[A-Za-z_]{2,}|[^\w\s\\()\[\]|?*+{}^$.]{1,3}", source)
    prefixes = ["", *sorted(set(literals))]
    pumps = alphabet + [a + b for a in alphabet for b in alphabet if a != b]
    pumps += [w + c for w in prefixes[1:] for c in " (<:=\n,.1a'"]
    worst = None
    for prefix in prefixes[:30]:
        for pump in pumps:
            small = prefix + pump * (300 // len(pump))
            if seconds(pattern, small) < 2e-4:
                continue
            big = prefix + pump * (1200 // len(pump))
            # Twice, so a busy machine's hiccup is not taken for a trend.
            growth = min(seconds(pattern, big) / max(seconds(pattern, small), 1e-7) for _ in "ab")
            took = seconds(pattern, big)
            if took > 2e-3 and growth > 8 and (worst is None or took > worst[0]):
                bigger = prefix + pump * (4800 // len(pump))
                if min(seconds(pattern, bigger) for _ in "ab") > 8 * took:  # confirmed
                    worst = (took, prefix, pump, growth)
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    args = parser.parse_args()
    patterns = recorded(args.corpus)
    print(f"{len(patterns)} patterns")
    flagged = 0
    for (source, _), pattern in patterns.items():
        found = worst_pump(pattern)
        if found is not None:
            took, prefix, pump, growth = found
            line = f"x{growth:.0f} {took * 1000:.1f} ms  {prefix!r} + {pump!r}*n  {source[:120]!r}"
            if source in ALLOWED:
                print(f"allowed ({ALLOWED[source]}): {line}")
            else:
                flagged += 1
                print(line)
    print(f"{flagged} patterns grow faster than linearly under finditer, not allowed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
