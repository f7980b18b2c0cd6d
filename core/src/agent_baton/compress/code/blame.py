"""``git blame``: the source it annotates compressed as source, each kept line whole.

``git blame`` prefixes each line of a file with the commit that last changed it, its author,
date and the line's number (``cd3e00de2 (Patrik Ragnarsson 2024-11-18 12:13:31 +0100  6)
module Rack``; ``-s`` leaves out author and date, ``-e`` shows the e-mail, ``-l`` the whole
id, ``-f`` or a rename the file's name). ``--porcelain`` and ``--line-porcelain`` print a
header line per source line (``<id> <old line> <new line> [<lines>]``), the commit's fields
(``author``, ``summary``) and the source line after a tab. Folded as repeats, the prefixes
were what the lines had in common and the source's definitions went (37 of 72 ``def``,
``class`` and ``fun`` lines kept). Here the source is read as source: its lines go to the
code compressor, and the blame lines of the lines it keeps (its definitions' heads, imports,
top-level statements) stay whole, prefix and all; every run of the others leaves a marker
counting the input's lines.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right
from itertools import pairwise

from agent_baton.compress.guarantees import failing_lines_of
from agent_baton.compress.markers import note, omitted
from agent_baton.compress.memo import once
from agent_baton.compress.request import Compressor, Request

# The prefix of a blame line: ``^`` on a boundary commit, the commit's id, the file's name
# if shown, then author, date and line number in parentheses, or (``-s``) the number alone.
# An author's name may hold parentheses of its own (``Tina Müller (tinita)``).
_PREFIX = re.compile(
    r"\^?[0-9a-f]{7,40} (?:[^\s()]++ ++)?"
    r"(?:\(((?:[^()\n]|\([^()\n]*+\))*+)\)| *+(\d++)\)) ?"
)
# A porcelain header: the commit's whole id, the line's number in it and in the file, and
# on the first line of a run of lines from one commit, the run's length.
_HEADER = re.compile(r"[0-9a-f]{40} \d+ \d+(?: \d+)?")
# A commit's field in the porcelain forms (``author-mail <a@b.c>``, ``boundary``).
_FIELD = re.compile(r"[a-z][a-z-]*+(?: .*)?")
# The fields of a porcelain block kept with its header and source line: who and why.
_TELLING = ("author ", "summary ")
_MIN_LINES = 8  # source lines a blame has at least
_SHARE = 0.9  # of its lines, at least, read as blame lines (numbered in order)


@dataclasses.dataclass(frozen=True, slots=True)
class Blame:
    """A blame's source lines, and for each the lines of the text that show it."""

    source: list[str]
    shows: list[list[int]]  # per source line: the indices of its text lines to keep with it
    name: str | None  # the file's name, when the porcelain form says it


@once
def parse_blame(text: str) -> Blame | None:
    """The source lines of ``git blame``'s output, or None if the text is not one."""
    stripped = text.lstrip("\n")
    first = stripped[: stripped.find("\n")] if "\n" in stripped else stripped
    if _HEADER.fullmatch(first):
        return _porcelain(text.splitlines())
    return _annotated(text.splitlines()) if _PREFIX.match(first) else None


def _annotated(lines: list[str]) -> Blame | None:
    """The default form (and ``-s``, ``-e``, ``-l``, ``-f``): a prefix on every line."""
    source: list[str] = []
    shows: list[list[int]] = []
    numbers: list[int] = []
    for i, line in enumerate(lines):
        found = _PREFIX.match(line)
        inner = found[1] if found else None
        number = found[2] if found and inner is None else (inner or " ").rsplit(" ", 1)[-1]
        if found is None or not number.isdigit():
            if line.strip():
                return None  # a line of something else
            continue
        numbers.append(int(number))
        source.append(line[found.end() :])
        shows.append([i])
    in_order = sum(b == a + 1 for a, b in pairwise(numbers))
    if len(source) < _MIN_LINES or in_order < _SHARE * (len(source) - 1):
        return None
    return Blame(source, shows, None)


def _porcelain(lines: list[str]) -> Blame | None:
    """``--porcelain`` and ``--line-porcelain``: a header, fields, the source line after a tab."""
    source: list[str] = []
    shows: list[list[int]] = []
    name = None
    block: list[int] = []  # the header and the telling fields of the line being read
    for i, line in enumerate(lines):
        if line.startswith("\t"):
            if not block:
                return None  # a source line with no header
            source.append(line[1:])
            shows.append([*block, i])
            block = []
        elif _HEADER.fullmatch(line):
            if block:
                return None  # a header with no source line
            block = [i]
        elif block and _FIELD.fullmatch(line):
            if line.startswith(_TELLING):
                block.append(i)
            elif line.startswith("filename "):
                name = line[len("filename ") :]
        else:
            return None
    if block or len(source) < _MIN_LINES:
        return None
    return Blame(source, shows, name)


def compress_blame(text: str, request: Request, source: Compressor) -> str | None:
    """The blame lines of the source lines ``source`` keeps; None if the text is no blame.

    ``source``: the code compressor. None too when the source is not code, or its
    compressor leaves nothing out.
    """
    blame = parse_blame(text)
    if blame is None:
        return None
    code = "\n".join(blame.source)
    named = dataclasses.replace(request, name=blame.name or request.name)
    produced = source(code, named)
    if produced is None or produced[0] == code:
        return None
    shown = {i for k in _kept(blame.source, produced[0].splitlines()) for i in blame.shows[k]}
    lines = text.splitlines()
    # A line its prefix makes read as a failure report stays (source names failures; the
    # code compressor may leave out ``compile! 'ERROR'``).
    shown.update(failing_lines_of(text))
    out: list[str] = []
    gap = left = 0
    for i, line in enumerate(lines):
        if i not in shown:
            gap += 1
            continue
        if gap:
            out.append(note(f"{gap} lines"))
            left += gap
            gap = 0
        out.append(line)
    if gap:
        out.append(note(f"{gap} lines"))
        left += gap
    if not left:
        return None
    out.append(omitted(f"{left} of {len(lines)} lines (bodies of the blamed source)", request.key))
    return "\n".join(out)


def _kept(source: list[str], shown: list[str]) -> set[int]:
    """The source lines the compressed ``shown`` keeps, matched in order (markers match none)."""
    where: dict[str, list[int]] = {}
    for i, line in enumerate(source):
        where.setdefault(line, []).append(i)
    kept: set[int] = set()
    last = -1
    for line in shown:
        at = where.get(line)
        if not at:
            continue
        k = bisect_right(at, last)
        if k < len(at):
            last = at[k]
            kept.add(last)
    return kept
