"""A tool's listing of records: the line that names each record, and its first field.

Package tools print one record per package, each opening with the line that names it:
``apt-cache policy`` an unindented ``python3:`` over its indented fields (``Installed:``,
``Candidate:``, the version table); ``apt-cache show`` and ``dpkg -s`` a stanza of fields,
separated by blank lines, whose first field names it (``Package: gcc``). Folded as repeats,
the records' fields ran together (``Installed:`` lines of ten packages in one fold under the
first package's name) and the lines naming the later records went. Each record's naming line
and the field under it stay instead (and a package's ``Version:``); the rest of each record
may be cut, with a marker.

Some tools open every record with the same line: ``openssl pkcs7 -print_certs -text`` a
``Certificate:`` over each certificate's indented fields. There the fields tell the records
apart: those each record has once, with a value on the line that differs from record to
record (``Subject:``, ``Issuer:``, ``Not Before:``, ``Not After :``, a one-line ``Serial
Number:``), name it and stay; the fields every record shares (``Public-Key: (2048 bit)``)
and the bytes under them do not.
"""

from __future__ import annotations

import re
from collections import Counter

# A record's name over its indented fields: one word and a colon (``python3:``, ``eth0:``).
_NAME = re.compile(r"[^\s:]+:$")
# A stanza's first field naming it: a field name of letters and dashes, a colon and one
# token (``Package: gcc``; not ``Start-Date: 2024-05-01  10:00:00``).
_FIELD = re.compile(r"[A-Za-z][\w-]*: \S+$")
# A listing has at least this many records.
_MIN_RECORDS = 3
# A field inside a record: indented, a name of words and a colon (openssl pads ``Not After``
# before it), then its value on the line. Bytes (``d0:d9:96:…``) have no blank after a colon.
_INNER_FIELD = re.compile(r"\s++([A-Za-z][\w.-]*+(?: [\w.-]++)*+) ?:(?: (\S.*)| ?)")
# Of the records alike-headed, at least this share have a naming field; of its values, at
# least this share differ (a few roots of one CA share their Not Before).
_NAMING_SHARE = 0.9
_DISTINCT_SHARE = 0.5
# A stanza record's field that names it with its first: the package's version.
_VERSION = "Version: "
# Of a control file's stanzas, at least this share hold a package: it lists packages.
_PACKAGE_SHARE = 0.9


def lists_packages(stanzas: list[dict[str, str]]) -> bool:
    """Whether control-file stanzas (field name with its colon: value) list packages.

    dpkg's status, ``dpkg -s`` and ``apt-cache show`` print a stanza per package, each with
    its ``Package:`` field: records, each named, not one file's settings (read as settings,
    nearly every field of every package stayed). A ``debian/control`` opens with the source
    package's stanza; a copyright file's stanzas name files.
    """
    packages = sum("Package:" in names for names in stanzas)
    return packages >= _MIN_RECORDS and packages >= _PACKAGE_SHARE * len(stanzas)


def record_heads(lines: list[str]) -> set[int]:
    """Indices of each record's naming line and the line under it, in a listing of records.

    The names identify the records: most are another's (a test report's ``Expected:`` and
    ``Got:`` over indented values name no record). Empty when the lines are no such listing:
    fewer than :data:`_MIN_RECORDS` such names over indented lines, and fewer stanzas
    opening with one field, most with another value.
    """
    named = _names(lines)
    if _identify(lines, named):
        return _with_next(lines, named)
    stanzas = _stanzas(lines)
    if stanzas:
        return _with_next(lines, stanzas) | _versions(lines, stanzas)
    return _naming_fields(lines, named)


def _with_next(lines: list[str], heads: list[int]) -> set[int]:
    """The heads and the line under each, if it is not blank."""
    return {j for i in heads for j in (i, i + 1) if j < len(lines) and lines[j].strip()}


def _names(lines: list[str]) -> list[int]:
    """The unindented lines of one word and a colon over indented fields."""
    return [
        i
        for i, line in enumerate(lines[:-1])
        if line.endswith(":")
        and _NAME.match(line)
        and lines[i + 1][:1] in (" ", "\t")
        and lines[i + 1].strip()
    ]


def _naming_fields(lines: list[str], heads: list[int]) -> set[int]:
    """Records all headed by one line: each head and the fields that tell the records apart.

    A naming field is in most records (:data:`_NAMING_SHARE`); of its values on the line
    (each record's first), most differ (:data:`_DISTINCT_SHARE`), and there are
    :data:`_MIN_RECORDS` of them at least. Empty unless there are :data:`_MIN_RECORDS`
    heads or more, all the same text, and a naming field.
    """
    if len(heads) < _MIN_RECORDS or len({lines[i] for i in heads}) > 1:
        return set()
    spread: Counter[str] = Counter()  # a field: in how many records
    valued: dict[str, list[tuple[int, str]]] = {}  # a field: each record's first value, where
    for head, end in zip(heads, [*heads[1:], len(lines)], strict=True):
        mine: dict[str, tuple[int, str | None]] = {}
        for i in range(head + 1, end):
            field = _INNER_FIELD.fullmatch(lines[i]) if ":" in lines[i] else None
            if field is not None:
                mine.setdefault(field[1], (i, field[2]))
        spread.update(mine.keys())
        for name, (i, value) in mine.items():
            if value is not None:
                valued.setdefault(name, []).append((i, value))
    naming = [
        found
        for name, found in valued.items()
        if spread[name] >= _NAMING_SHARE * len(heads)
        and len({value for _, value in found}) >= max(_MIN_RECORDS, _DISTINCT_SHARE * len(found))
    ]
    return {*heads, *(i for found in naming for i, _ in found)} if naming else set()


def _versions(lines: list[str], heads: list[int]) -> set[int]:
    """Each stanza record's ``Version:`` line: a package is named by its name and version."""
    found = set()
    for head in heads:
        i = head
        while i < len(lines) and lines[i] and not lines[i].startswith(_VERSION):
            i += 1
        if i < len(lines) and lines[i]:
            found.add(i)
    return found


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
