r"""SQL dumps (pg_dump plain, ``--inserts``, ``--schema-only``): the schema whole, the data sampled.

A dump is split into statements the way psql reads a script: ``;`` ends one outside quotes
(``'…'``, ``"…"``), dollar-quoted bodies (``$$ … $$``, ``$fn$ … $fn$``) and comments; a
line opening with a backslash is a psql meta-command (``\connect``, ``\restrict``); after
``COPY … FROM stdin;`` the lines up to ``\.`` are data. A text any of whose statements does
not open with an SQL command is no dump; a script of DDL alone (an extension's) is left to
the code compressor, and only a dump (pg_dump's header or its ``-- Name:`` entries, or rows
of data) is taken here. sqlite3's ``.dump`` opens with SQLite's ``PRAGMA`` and quotes by the
standard, as PostgreSQL does.

Every table, view, function, index and constraint definition stays whole at every level, as
do the ``-- Name:`` lines over them; the settings and ownership statements go first (each
run marked), then the other comments. The rows of each ``COPY`` block, and of each run of
one-line ``INSERT`` statements into one table, are sampled by the table compressor with the
columns the statement names: the rows holding a value rare in its column stay, with a
marker per run of rows left out and statistics over all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent_baton.compress.markers import is_marker, omitted
from agent_baton.compress.memo import once
from agent_baton.compress.request import Request
from agent_baton.compress.tables import TextTable, parse_cell, sample_table

_COMMANDS = frozenset(
    [
        "abort",
        "alter",
        "analyze",
        "begin",
        "call",
        "checkpoint",
        "close",
        "cluster",
        "comment",
        "commit",
        "copy",
        "create",
        "deallocate",
        "declare",
        "delete",
        "discard",
        "do",
        "drop",
        "end",
        "execute",
        "explain",
        "fetch",
        "grant",
        "import",
        "insert",
        "listen",
        "load",
        "lock",
        "merge",
        "move",
        "notify",
        "pragma",
        "prepare",
        "reassign",
        "refresh",
        "reindex",
        "release",
        "reset",
        "revoke",
        "rollback",
        "savepoint",
        "security",
        "select",
        "set",
        "show",
        "start",
        "truncate",
        "unlisten",
        "update",
        "use",
        "vacuum",
        "values",
        "with",
        "lock",
        "unlock",
        "replace",
        "rename",
    ]
)
# What a statement defines: kept whole at every level.
_DEFINES = re.compile(r"(?i)(?:create|alter\s+table\b(?!.*\bowner\s+to\b))")
# Where a quote, a dollar quote, a comment or a statement's end may be on a line.
_SPECIAL = re.compile(r"'|\"|\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$|--|/\*|;")
# The blanks before a column list are inside its optional group: a run of blanks is matched
# one way, not split between two quantifiers (quadratic: 200 s on a line of 50,000 blanks).
_COPY = re.compile(
    r"(?i)copy\s+(?P<table>[\w.\"`]+)(?:\s*\((?P<columns>[^)]*)\))?\s+from\s+stdin\b"
)
_INSERT = re.compile(
    r"(?i)insert\s+into\s+(?P<table>[\w.\"`]+)(?:\s*\((?P<columns>[^)]*)\))?\s*values\s*\("
)
# pg_dump's header and table-of-contents entries; mysqldump's header.
_DUMP_SIGN = re.compile(r"^-- (?:PostgreSQL database dump|Name: .*; Type: |MySQL dump)", re.M)
# The sqlite3 shell's .dump opens so (its PRAGMA is no command psql or MySQL reads).
_SQLITE_HEAD = "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n"
_SAMPLE = 20_000
_MIN_STATEMENTS = 3
_MIN_ROWS = 5  # one-line INSERTs into one table that make a run of rows
# drop_at: a line stays while the level is below it.
_ALWAYS = 99
_SETTING = 2  # SET, set_config, OWNER TO and other statements that define nothing
_COMMENT = 1
_BLANK = 0  # blank lines and bare "--" lines: left out unmarked


@dataclass(frozen=True, slots=True)
class _Statement:
    first: int  # its first line
    last: int  # its last line (a COPY's: the line of its "\."
    rows: tuple[int, int] | None = None  # a COPY's data lines, first to last (exclusive)


@once
def parse_dump(text: str) -> list[_Statement] | None:
    """The statements of an SQL dump, or None if the text is none (or a script of DDL)."""
    head = text[:_SAMPLE]
    if _DUMP_SIGN.search(head) is None and not re.search(r"(?im)^(?:copy|insert)\s", head):
        return None
    lines = text.splitlines()
    statements = _statements(lines, _backslash_escapes(head))
    if statements is None or len(statements) < _MIN_STATEMENTS:
        return None
    return statements


def compress_sql(text: str, request: Request) -> tuple[str, str] | None:
    """The dump's definitions whole and its rows sampled; None if the text is no dump."""
    statements = parse_dump(text)
    if statements is None:
        return None
    lines = text.splitlines()
    backslash = _backslash_escapes(text[:_SAMPLE])
    drop_at = [_COMMENT if line.strip() not in ("", "--") else _BLANK for line in lines]
    blocks: dict[int, tuple[int, int, str]] = {}  # first row line -> (end, header line, table)
    for s in statements:
        opening = lines[s.first].lstrip()
        level = _ALWAYS if _DEFINES.match(opening) else _SETTING
        if s.rows is not None and s.rows[1] > s.rows[0]:
            level = _ALWAYS
            blocks[s.rows[0]] = (s.rows[1], s.first, "copy")
        for i in range(s.first, s.last + 1):
            if s.rows is None or not s.rows[0] <= i < s.rows[1]:
                drop_at[i] = level
    for first, end in _insert_runs(lines, statements):
        blocks[first] = (end, first, "insert")
        for i in range(first, end):
            drop_at[i] = _ALWAYS
    for i, line in enumerate(lines):
        if line.startswith("-- Name: "):
            drop_at[i] = _ALWAYS
    out: list[str] = []
    run = 0
    i = 0
    while i < len(lines):
        if i in blocks:
            end, header, kind = blocks[i]
            request.check_time()
            sampled = _sampled(lines, header, i, end, kind, request, backslash)
            if sampled is not None:
                out.extend(sampled)
                i = end
                continue
        if request.level < drop_at[i]:
            if run:
                out.append(_run_marker(run))
                run = 0
            out.append(lines[i])
        elif drop_at[i] != _BLANK:
            run += 1
        i += 1
    if run:
        out.append(_run_marker(run))
    shown = sum(1 for line in out if not is_marker(line))
    if shown == len(lines):
        return None
    out.append(omitted(f"{len(lines) - shown} of {len(lines)} lines", request.key))
    return "\n".join(out), "sql:dump"


def _run_marker(run: int) -> str:
    return f"-- [… {run} line{'s' * (run != 1)}]"


def _sampled(
    lines: list[str],
    header: int,
    first: int,
    end: int,
    kind: str,
    request: Request,
    backslash: bool,
) -> list[str] | None:
    """The rows ``first``..``end`` sampled as a table, or None if they do not split alike."""
    found = (_COPY if kind == "copy" else _INSERT).match(lines[header].lstrip())
    if found is None:
        return None
    block = lines[first:end]
    if len(block) < _MIN_ROWS:
        return None  # an empty table's COPY, a few rows: they stay as they are
    cells: list[list[str] | None] = (
        [row.split("\t") for row in block]
        if kind == "copy"
        else [_values(row, backslash) for row in block]
    )
    tail: list[str] = []
    last, opening = cells[-1], cells[0]
    if last is None or (opening is not None and len(last) != len(opening)):
        tail = block[-1:]  # a dump cut short inside its last row: that line stays as it is
        block, cells = block[:-1], cells[:-1]
    columns = found.group("columns")
    names = [c.strip().strip('"`') for c in columns.split(",")] if columns else []
    names = names or [f"column{n + 1}" for n in range(len(opening or ()))]
    if len(set(names)) != len(names) or any(row is None or len(row) != len(names) for row in cells):
        return None
    records = [dict(zip(names, map(parse_cell, row), strict=True)) for row in cells if row]
    table = TextTable("sql", block, 0, list(range(len(block))), records)
    return sample_table(table, request, "sql")[0].splitlines() + tail


def _values(line: str, backslash: bool) -> list[str] | None:
    """The values of a one-line ``INSERT … VALUES (…);``, each as written; None if not one."""
    found = _INSERT.match(line)
    if found is None or not line.endswith(");"):
        return None
    values: list[str] = []
    at, size = found.end(), len(line) - 2
    while at <= size:
        end = at
        depth = 0
        while end < size and (depth or line[end] != ","):
            c = line[end]
            if c == "'":
                close = line.find("'", end + 1)
                while backslash and close > 0 and _escaped(line, close):
                    close = line.find("'", close + 1)
                if close < 0:
                    return None
                end = close
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            end += 1
        values.append(line[at:end].strip().strip("'"))
        at = end + 1
    return values


def _backslash_escapes(head: str) -> bool:
    r"""Whether a backslash escapes a quote in the dump's strings: MySQL's dumps.

    PostgreSQL and SQLite quote by the standard (a quote doubled): 'C:\' ends there.
    """
    return not ("PostgreSQL" in head or head.startswith(_SQLITE_HEAD))


def _escaped(line: str, at: int) -> bool:
    """Whether the character at ``at`` follows an odd run of backslashes."""
    before = at
    while before and line[before - 1] == "\\":
        before -= 1
    return (at - before) % 2 == 1


def _insert_runs(lines: list[str], statements: list[_Statement]) -> list[tuple[int, int]]:
    """Runs of one-line INSERTs into one table, on consecutive lines: (first, end) lines."""
    runs: list[tuple[int, int]] = []
    table = None
    first = end = -1
    for s in statements:
        found = _INSERT.match(lines[s.first]) if s.first == s.last else None
        name = found.group("table") if found else None
        if name is not None and name == table and s.first == end:
            end += 1
            continue
        if end - first >= _MIN_ROWS:
            runs.append((first, end))
        table, first, end = name, s.first, s.first + 1
    if end - first >= _MIN_ROWS:
        runs.append((first, end))
    return runs


def _statements(lines: list[str], backslash: bool) -> list[_Statement] | None:
    """The statements the lines make, or None when one opens with no SQL command.

    ``backslash``: a backslash escapes a quote in a string (MySQL's dumps; not PostgreSQL's,
    whose strings conform to the standard).
    """
    found: list[_Statement] = []
    start: int | None = None
    state = ""  # the quote, dollar tag or "/*" the scan is inside
    i = 0
    while i < len(lines):
        line = lines[i]
        if start is None and not state:
            stripped = line.strip()
            if not stripped or stripped.startswith("--"):
                i += 1
                continue
            if stripped.startswith("\\"):
                found.append(_Statement(i, i))  # a psql meta-command
                i += 1
                continue
            word = re.match(r"[A-Za-z]+", stripped)
            if not stripped.startswith("/*") and (
                word is None or word.group().lower() not in _COMMANDS
            ):
                return None
            start = i
        ended = _scan(line, state, backslash)
        if ended is None:
            return None
        state, closed = ended
        if closed and start is not None:
            copy = _COPY.match(lines[start].lstrip())
            if copy is not None:
                stop = next((k for k in range(i + 1, len(lines)) if lines[k] == "\\."), len(lines))
                found.append(_Statement(start, min(stop, len(lines) - 1), (i + 1, stop)))
                start, i = None, stop + 1
                continue
            found.append(_Statement(start, i))
            start = None
        i += 1
    if start is not None:
        found.append(_Statement(start, len(lines) - 1))  # cut short: the dump's tail
    return found


def _scan(line: str, state: str, backslash: bool) -> tuple[str, bool] | None:
    """The state after ``line`` (inside which quote, if any) and whether a statement ended.

    None when a statement ends before the line does and another follows it on the line
    (``SET a = 1; SET b = 2;``): such lines are not a dump's.
    """
    at = 0
    closed = False
    while True:
        if state:
            close = "*/" if state == "/*" else state
            end = line.find(close, at)
            while backslash and state == "'" and end > 0 and _escaped(line, end):
                end = line.find(close, end + 1)
            if end < 0:
                return state, closed
            at, state = end + len(close), ""
            continue
        found = _SPECIAL.search(line, at)
        if found is None or found.group() == "--":
            return "", closed
        token = found.group()
        at = found.end()
        if token == ";":
            closed = True
            rest = line[at:].strip()
            if rest and not rest.startswith("--"):
                return None
        else:
            state = token
