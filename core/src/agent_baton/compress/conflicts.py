"""Merge conflicts: a file git left conflicted keeps every conflict whole.

A merge, a rebase, a revert or a stash pop that could not apply a change writes both sides
into the file between markers: ``<<<<<<< HEAD``, diff3's ``||||||| base``, ``=======``,
``>>>>>>> theirs``. Those regions are what the next agent has to resolve, yet a compressor
reading the file as code, prose or a config drops a region with the body, the paragraph or
the run of lines around it. Each region's lines a compressor dropped come back at their place.
"""

from __future__ import annotations

from agent_baton.compress.guarantees import Failure, input_positions, put_back
from agent_baton.compress.markers import is_marker

# git's markers are seven characters long (its default conflict-marker-size), then a label.
_OPEN, _SPLIT, _CLOSE = "<" * 7, "=" * 7, ">" * 7
_BASE = "|" * 7  # diff3's: the common ancestor's side
_LABEL = "[… conflict lines from elsewhere in the original:]"


def _marker(line: str, mark: str) -> bool:
    """Whether ``line`` is the marker ``mark``, alone or before its label."""
    return line.startswith(mark) and (len(line) == len(mark) or line[len(mark)] == " ")


def conflict_lines(lines: list[str]) -> list[int]:
    """The indexes of the lines of each conflict, its opening marker to its closing one.

    A conflict opens with ``<<<<<<<``, splits its sides at ``=======`` and closes with
    ``>>>>>>>``; an opening marker with no split and close after it (a heading of "<"s, a
    conflict cut short) opens none.
    """
    found: list[int] = []
    start: int | None = None
    split = False
    for i, line in enumerate(lines):
        if _marker(line, _OPEN):
            start, split = i, False
        elif start is not None and line == _SPLIT:
            split = True
        elif start is not None and _marker(line, _CLOSE):
            if split:
                found.extend(range(start, i + 1))
            start = None
    return found


def conflict_heads(lines: list[str]) -> list[int]:
    """The lines that say what each conflict is: its markers and each side's first line.

    Cut to a budget, a conflict keeps its opening marker (which branch), the first line of
    each side under its marker (what each side has there), diff3's base marker and the
    closing one, before any other line of it.
    """
    heads: list[int] = []
    for i in conflict_lines(lines):
        line = lines[i]
        if line.startswith((_OPEN, _SPLIT, _BASE, _CLOSE)):
            heads.append(i)
            if not line.startswith(_CLOSE) and i + 1 < len(lines):
                heads.append(i + 1)  # a side's first line (a side may be empty: a marker)
    return list(dict.fromkeys(heads))


def restore_conflicts(original: str, compressed: str) -> str:
    """``compressed`` with the lines of ``original``'s conflicts it dropped put back."""
    if not original.startswith(_OPEN) and "\n" + _OPEN not in original:
        return compressed  # most texts: one scan
    lines = original.splitlines()
    wanted = conflict_lines(lines)
    if not wanted:
        return compressed
    present = {
        at[0] for at in input_positions(original, compressed.splitlines()) if at and not at[1]
    }
    missing = [Failure(i, lines[i]) for i in wanted if i not in present]
    if not missing:
        return compressed
    # A marker the compressor left inside a conflict stood for lines now back.
    out: list[str] = []
    inside = False
    for line in put_back(original, compressed, missing, _LABEL).split("\n"):
        if _marker(line, _OPEN):
            inside = True
        elif _marker(line, _CLOSE):
            inside = False
        elif inside and is_marker(line):
            continue
        out.append(line)
    return "\n".join(out)
