"""A tool's listing of records: the line that names each record, and its first field.

Package tools print one record per package, each opening with the line that names it:
``apt-cache policy`` an unindented ``python3:`` over its indented fields (``Installed:``,
``Candidate:``, the version table); ``apt-cache show`` and ``dpkg -s`` a stanza of fields,
separated by blank lines, whose first field names it (``Package: gcc``). Folded as repeats,
the records' fields ran together (``Installed:`` lines of ten packages in one fold under the
first package's name) and the lines naming the later records went. Each record's naming line
and the field under it stay instead; the rest of each record may be cut, with a marker.
"""

from __future__ import annotations

import re

# A record's name over its indented fields: one word and a colon (``python3:``, ``eth0:``).
_NAME = re.compile(r"[^\s:]+:$")
# A stanza's first field naming it: a field name of letters and dashes, a colon and one
# token (``Package: gcc``; not ``Start-Date: 2024-05-01  10:00:00``).
_FIELD = re.compile(r"[A-Za-z][\w-]*: \S+$")
# A listing has at least this many records.
_MIN_RECORDS = 3


def record_heads(lines: list[str]) -> set[int]:
    """Indices of each record's naming line and the line under it, in a listing of records.

    The names identify the records: most are another's (a test report's ``Expected:`` and
    ``Got:`` over indented values name no record). Empty when the lines are no such listing:
    fewer than :data:`_MIN_RECORDS` such names over indented lines, and fewer stanzas
    opening with one field, most with another value.
    """
    heads = _named(lines) or _stanzas(lines)
    return {j for i in heads for j in (i, i + 1) if j < len(lines) and lines[j].strip()}


def _named(lines: list[str]) -> list[int]:
    """The lines naming a record over its indented fields, if there are enough of them."""
    named = [
        i
        for i, line in enumerate(lines[:-1])
        if line.endswith(":")
        and _NAME.match(line)
        and lines[i + 1][:1] in (" ", "\t")
        and lines[i + 1].strip()
    ]
    return named if _identify(lines, named) else []


def _stanzas(lines: list[str]) -> list[int]:
    """The first lines of stanzas after a blank line, if enough open with one field name."""
    firsts: dict[str, list[int]] = {}
    openings = [0, *(i + 1 for i, line in enumerate(lines) if not line)]  # after a blank line
    for i in openings:
        if i < len(lines) and _FIELD.match(lines[i]):
            firsts.setdefault(lines[i][: lines[i].index(":")], []).append(i)
    most = max(firsts.values(), key=len, default=[])
    return most if _identify(lines, most) else []


def _identify(lines: list[str], heads: list[int]) -> bool:
    """Whether the ``heads`` are enough records, most named by a line of their own.

    (apt-cache show lists each version of a package: its name repeats in a few.)
    """
    return len(heads) >= _MIN_RECORDS and 2 * len({lines[i] for i in heads}) >= len(heads)
