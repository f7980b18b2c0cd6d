"""Recursion in a stack trace: a run of repeated frames folds to its first and last copy.

A deep recursion prints the same frame (or the same cycle of frames, for mutual recursion
or a recursion through library code) hundreds of times: Java's StackOverflowError 1,024
``at Foo.bar(Foo.java:12)`` lines, Node's ``at depth (x.js:1:28)``, Python's alternating
frames of two functions (its own ``[Previous line repeated …]`` folds only one), Rust's
numbered backtrace, gdb's ``bt`` (each copy with its own arguments). The copies between
the first and the last say only how deep it went: they become one marker that counts
them, in lines and in copies. The exception line, the
frames before and after the run and one whole copy of the cycle stay.
"""

from __future__ import annotations

import re

# A numbered frame (Rust's "  12: rdeep::walk", gdb's "#12 "): the number differs in each
# copy of a cycle, the frame does not.
_NUMBER = re.compile(r"^\s*+#?\d+:? ")
# gdb's frame "#12 0x00005555555551c9 in walk (n=988, p=0x7ffd…) at walk.c:6": each copy
# has its own return address (the innermost its own) and arguments; the function and the
# place are the frame.
_GDB_FRAME = re.compile(r"^#\d+ +(?:0x[0-9a-f]+ in )?([^ (]+) \(.*\) (at|from) (\S+)$")
# gdb's "bt full" lists each frame's locals under it, eight spaces in: their values differ.
_GDB_LOCAL = re.compile(r"^ {8}(\w+) = ")
# recursion_marker's marker.
_MARKER = re.compile(r"^\[… \d+ lines, the (?:frame|\d+ lines) above \d+ more times\]$", re.M)
# Most lines one copy of a cycle spans (a recursion through a stream pipeline: 12 frames).
_PERIOD = 24
# Copies a run needs: Python's own fold shows three before its marker; more is a recursion.
_COPIES = 4


def recursion_runs(lines: list[str]) -> dict[int, tuple[int, int]]:
    """The runs of repeated frames in a trace's ``lines`` to leave out.

    Each run is keyed by its first line left out: (lines left out, lines of one copy).
    Kept: the first copy of the cycle and the last, and whatever is not a whole copy.
    """
    keys = [frame_key(line) for line in lines]
    runs: dict[int, tuple[int, int]] = {}
    i = 0
    while i < len(keys):
        found = _cycle(keys, i)
        if found is None:
            i += 1
            continue
        period, copies = found
        runs[i + period] = ((copies - 2) * period, period)
        i += copies * period
    return runs


def frame_key(line: str) -> str:
    """What each copy of ``line``'s frame has alike.

    Its number masked and, in gdb, the address, the arguments and the locals' values.
    """
    frame = _GDB_FRAME.match(line)
    if frame is not None:
        return f"# {frame[1]} (…) {frame[2]} {frame[3]}"
    local = _GDB_LOCAL.match(line)
    if local is not None:
        return f"{local[1]} = …"
    return _NUMBER.sub("#", line.strip(), count=1)


def _cycle(keys: list[str], i: int) -> tuple[int, int] | None:
    """The shortest cycle of lines from ``i`` on repeated in a row, and its copies.

    None if no cycle of at most :data:`_PERIOD` lines repeats :data:`_COPIES` times there.
    """
    if not keys[i]:
        return None
    for period in range(1, min(_PERIOD, (len(keys) - i) // _COPIES) + 1):
        end = i + period * _COPIES
        if all(keys[k] == keys[k - period] for k in range(i + period, end)):
            while end + period <= len(keys) and keys[end : end + period] == keys[i : i + period]:
                end += period
            return period, (end - i) // period
    return None


def recursion_marker(left_out: int, period: int) -> str:
    """The marker for ``left_out`` lines of a cycle of ``period`` lines repeated."""
    copies = left_out // period
    what = "the frame above" if period == 1 else f"the {period} lines above"
    return f"[… {left_out} lines, {what} {copies} more times]"


def folded_frames(compressed: str) -> set[str]:
    """The :func:`frame_key` of each line ``compressed`` shows, if it folds a recursion.

    A frame left out of a run stands in its fold: a copy of it, its key alike, is shown
    before the marker and after it. Empty when ``compressed`` has no such marker.
    """
    if _MARKER.search(compressed) is None:
        return set()
    return {frame_key(line) for line in compressed.splitlines()}
