"""A changelog's version heads: the line that opens each release's entry.

A Debian changelog opens each entry with ``pkg (1.2-3) unstable; urgency=medium``; a
markdown one with a heading that holds the version (``## [1.4.0] - 2024-01-02``,
``# 12.2.0 - 2026-06-16``, ``## Version 5.4.0``, ``## Unreleased``); a reStructuredText
or setext one with the version's line over its underline (``2.2.2 (2024-06-17)`` over
``====``); a NEWS file with ``Version 0.21``, ``Release 5.34 (…)``, ``Changes in 2.40:``,
``Noteworthy changes in release 1.2``. Cut to a budget, a changelog that keeps bodies'
lines without their versions says what changed but not when: each head names what follows.
"""

from __future__ import annotations

import re
from itertools import pairwise

# The header of an entry of a Debian changelog: "package (version) distributions; urgency=".
DEBIAN_ENTRY = re.compile(r"^[a-z0-9][\w.+-]* \([^()\s]+\) [^;]+; *urgency=")
# A version in a head: "1.2", "v1.2.3", "[12.4.0]", "2:6.2.1+dfsg", not in a longer word.
_VERSION = r"(?<![\w.])[\[(]?v?\d+\.\d+"
# A markdown heading naming a version (after two words at most) or the release to come.
_HEADING = re.compile(r"#{1,4} +(?:(?:[\w-]+ +){0,2}" + _VERSION + r"|\[?Unreleased\b)", re.I)
# A plain line that starts with a version or a release's word and a version.
_TITLE = re.compile(
    r"(?:(?:Version|Release|Changes in|(?:Noteworthy|User-visible) changes in release"
    r"|Overview of changes in)(?: version)? +)?" + _VERSION,
    re.I,
)
# A worded title's start: without it, a line opening with a version is a head only when
# underlined ("2.2.2 (2024-06-17)" over "====="), as a list's "1.2 Fixes" may not be.
_WORDED = re.compile(r"(?:Version|Release|Changes in|Noteworthy|User-visible|Overview)\b", re.I)
_UNDERLINE = re.compile(r"([=\-~^*.+])\1{2,}\s*$")
_NUMBERS = re.compile(r"(?<!\d)\d++(?:\.\d++)+")  # from a run's first digit: linear
_HEAD_CHARS = 100  # a head is short: a longer line is a body's
_MIN_HEADS = 3  # fewer do not make a changelog
# Of the steps from a version to the next, at least this share go one way (newest first,
# or oldest): a program's comments naming versions ("# 3.8+", "# 3.7") go back and forth.
_ORDERED = 0.75


def release_heads(lines: list[str]) -> list[int]:
    """Indices of the ``lines`` that open a release's entry, in order.

    Empty unless :data:`_MIN_HEADS` heads or more name versions in order.
    """
    heads = [i for i, line in enumerate(lines) if _is_head(lines, i, line)]
    versions = [
        tuple(map(int, found[0].split("."))) for i in heads if (found := _NUMBERS.search(lines[i]))
    ]
    steps = list(pairwise(versions))
    down = sum(a >= b for a, b in steps)  # a Debian revision's upstream version repeats
    up = sum(a <= b for a, b in steps)
    if len(heads) < _MIN_HEADS or max(down, up) < _ORDERED * len(steps):
        return []
    return heads


def _is_head(lines: list[str], i: int, line: str) -> bool:
    """Whether ``line`` (line ``i``) opens a release's entry."""
    if len(line) > _HEAD_CHARS or not line[:1].strip():
        return False  # indented: a body's line
    if line[0] == "#":
        return _HEADING.match(line) is not None
    if DEBIAN_ENTRY.match(line):
        return True
    if _TITLE.match(line) is None:
        return False
    underlined = i + 1 < len(lines) and _UNDERLINE.match(lines[i + 1]) is not None
    return underlined or _WORDED.match(line) is not None
