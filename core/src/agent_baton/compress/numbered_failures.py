"""Numbered failures: the lines that name each failing test, read from a runner's summary.

mocha's and PHPUnit's; see :func:`numbered_failures` and :func:`phpunit_defects`.

mocha's reporters (spec, dot, list, min) end a run with ``  N passing``, ``  N failing`` and
a block per failure: ``  1) Suite`` (two spaces in), the nested suites' names and the
test's under it, each deeper, the test's ending with a colon, then the error and its frames.
The spec reporter also numbers each failing test where it ran (``      1) should …``). On
its own, ``  1) res`` is an item of any numbered list; in a text whose summary counts N
failing tests, the lines numbered 1 to N so are those tests' names: failure lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# mocha's count of failed tests (``  3 failing``); ``0 failing`` is never printed.
_SUMMARY = re.compile(r" *([1-9]\d*) failing$")
# A test numbered as failed: in a failure block's head (two spaces in) or where it ran.
_NUMBERED = re.compile(r"( +)([1-9]\d*)\) \S")
_HEAD_INDENT = 2  # a failure block's head, ``  1) Suite``, stands two spaces in
_NAMES = 8  # of a block's head, at most this many lines of names under its first
# PHPUnit's heading over a list of defects (``There was 1 failure:``, ``There were 2 errors:``)
# and each defect's head (``1) CartTest::testTotal``, ``with data set #1 (2, 2, 5)`` after it).
_DEFECTS = re.compile(r"There (?:was|were) ([1-9]\d*) (?:failure|error|warning)s?:$")
_DEFECT = re.compile(r"([1-9]\d*)\) [\w\\]+::\w")


def numbered_failures(lines: list[str], among: Iterable[int]) -> set[int]:
    """Indices of ``lines`` that name a test mocha counted as failed.

    ``among``: indices of lines holding every failure line (more will do), mocha's ``N
    failing`` summary among them when the text holds a run; without one, nothing is read.
    """
    among = list(among)
    defects = phpunit_defects(lines, among)
    counts = [int(m[1]) for i in among if (m := _SUMMARY.match(lines[i])) is not None]
    if not counts:
        return defects
    last = max(counts)
    named: set[int] = set()
    for i, line in enumerate(lines):
        number = _NUMBERED.match(line) if ") " in line else None
        if number is None or int(number[2]) > last:
            continue
        named.add(i)
        if len(number[1]) == _HEAD_INDENT:
            named.update(_names_under(lines, i))
    return named | defects


def phpunit_defects(lines: list[str], among: list[int]) -> set[int]:
    """Indices of ``lines`` that name a test PHPUnit listed as failed, or open its message.

    Under ``There were 2 failures:`` each defect is ``N) Class::method`` (N counted up to
    the heading's number) then its message (``Failed asserting that …``, a custom message,
    ``Error: Call to a member function …``): the head and the message's first line. The
    list ends at the next heading, at ``--`` between lists, or at the run's verdict.
    """
    found: set[int] = set()
    for i in among:
        heading = _DEFECTS.match(lines[i])
        if heading is None:
            continue
        last = int(heading[1])
        for j in range(i + 1, len(lines)):
            line = lines[j]
            if line == "--" or _DEFECTS.match(line) or line.endswith("!"):
                break
            head = _DEFECT.match(line) if ") " in line else None
            if head is None or int(head[1]) > last:
                continue
            found.add(j)
            if j + 1 < len(lines) and lines[j + 1].strip():
                found.add(j + 1)
    return found


def _names_under(lines: list[str], head: int) -> list[int]:
    """The lines naming suites and the test under a failure block's ``head``, to the test's.

    Each name stands deeper than the one before it; the test's ends with a colon.
    """
    names = []
    indent = _HEAD_INDENT
    for j in range(head + 1, min(len(lines), head + 1 + _NAMES)):
        name = lines[j]
        depth = len(name) - len(name.lstrip(" "))
        if not name.strip() or depth <= indent:
            break
        names.append(j)
        if name.endswith(":"):
            break
        indent = depth
    return names
