"""Text tables and listings, sampled by their records: rare rows and outliers stay, whole.

Recognised: CSV and TSV (with a header row or without; separated by ``;`` or ``|`` too; a
quoted field may hold line breaks, its record then kept or left out whole), pipe tables
(markdown, and psql's ``a | b`` over ``---+---``), column-aligned command output under a
header (``kubectl get``, ``docker ps``), whitespace-aligned listings (``ls -l``, ``ps -ef``,
``dpkg -l``, ``df``) and path listings (``find``). The rows are parsed into records (cells
that spell numbers become numbers) to choose which rows to keep; the kept rows are the
input's own lines, byte for byte, and every run of left-out rows leaves a ``[… n rows]``
marker where it was.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from itertools import chain, pairwise, repeat
from typing import Any

from agent_baton.compress.json import budget_chars, pick_rows
from agent_baton.compress.logs import log_line, looks_like_log
from agent_baton.compress.markers import note, omitted
from agent_baton.compress.memo import once
from agent_baton.compress.request import Request
from agent_baton.compress.ruled import column_names, is_rule, read_ruled
from agent_baton.compress.top import summary_end

_MIN_ROWS = 3
_MIN_LISTING = 10  # rows a listing needs before its columns say anything
_ALIGNED = 0.8  # of a listing's rows: a column starts or ends at the same place in them
# Of a listing's rows: padding (two blanks or more, or a tab) between some of their fields.
# A tool pads its columns to line them up; on this machine 0.87 to 1.00 of the rows of ls -l,
# ps, dpkg -l, df, ss, lsof, tar -tv, unzip -l and vmstat have it, 0.36 of a markdown table
# numbered 1 to 25 (only "| 1  |" to "| 9  |" padded), none of apt's status lines and at
# most 0.04 of npm ls's tree.
_PADDED = 0.2
_MARKER_CHARS = 12  # what the marker of a gap costs a kept row
_INT = re.compile(r"-?\d{1,18}")
_NAME = re.compile(r"[A-Za-z_][\w.-]*")  # a column's name in a header row: one word
_FLOAT = re.compile(r"-?\d+\.\d+")
_GAP = re.compile(r"\S+(?: \S+)*")  # a header cell: words separated by single spaces
_TOKEN = re.compile(r"\S+")
_THREE_WORDS = re.compile(r"\s*+\S++\s++\S++\s++\S")  # a line holding three _TOKENs or more
_FILLED = re.compile(r"x+")  # a run of places words cover, marked "x" (blanks " ")
_MARKS = bytes.maketrans(b"\0\1", b" x")
# Blanks between two words other than one space: the padding of a column.
_INNER_GAP = re.compile(r"\S(?:\s{2,}+|[^\S ])\S")
_STAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d")  # a log's, to the second
_PATH = re.compile(r"[^\s:]*/[^\s]*")  # a path of a listing: no blanks, a slash
_LEADING_BREAKS = re.compile(r"\n*")
# The separators of delimited text, in the order tried: ";" is Excel's where the comma is
# the decimal mark, "|" is psql -A's and many exports'. A line of code or a shell pipeline
# has one of them as often, so those two need three fields or more.
_SEPARATORS = (("\t", "tsv"), (",", "csv"), (";", "csv"), ("|", "csv"))
_RARE_SEPARATORS = ";|"


@dataclass(frozen=True, slots=True)
class TextTable:
    """A table found in text: its lines, the lines that are rows, and their records."""

    kind: str  # csv, tsv, pipes, columns, listing, paths, jsonl
    lines: list[str]
    head: int  # index in ``lines`` of the table's first line: its header, or its first row
    rows: list[int]  # index in ``lines`` of each record's line, ascending
    records: list[dict[str, Any]]

    @property
    def before(self) -> str:
        """The lines before the table (a title, a command), without its blank edges."""
        return "\n".join(self.lines[: self.head]).strip()

    @property
    def after(self) -> str:
        """The lines after the last row (a footer such as ``(250 rows)``)."""
        return "\n".join(self.lines[self.rows[-1] + 1 :]).strip()


@once
def looks_like_table(text: str) -> bool:
    """Whether the text's head is a table (a cheap check on 40 lines).

    A few lines may stand over it (a title, a command); top's summary block may be longer
    (one line per CPU with ``-1``), and is parsed.
    """
    leading = _LEADING_BREAKS.match(text)
    lines = _first_lines(text, leading.end() if leading else 0, 40)
    found = find_table("\n".join(lines), cut=True)
    return found is not None and (found.head <= 5 or found.head == summary_end(lines))


def _first_lines(text: str, start: int, n: int) -> list[str]:
    """``text[start:].splitlines()[:n]``, splitting no more of a long text than that needs."""
    size = 4096
    while True:
        lines = text[start : start + size].splitlines()
        # Only the last line of a cut may be cut short (or lose the "\n" of its "\r\n").
        if len(lines) > n or start + size >= len(text):
            return lines[:n]
        size *= 4


def compress_table(text: str, request: Request) -> tuple[str, str] | None:
    """The table's lines with only its telling rows; None if the text is not mostly a table."""
    found = find_table(text)
    if found is None:
        return None
    request.check_time()
    return sample_table(found, request, f"table:{found.kind}")


def sample_table(table: TextTable, request: Request, name: str) -> tuple[str, str]:
    """``table``'s lines with only its telling rows, and the transform (``name``, sampled).

    The header and the lines around the rows stay; a row stays whole when the query names
    it, when it reports a failure, when it is the first or last, or when it holds a rare
    value or a column's largest number, as far as the budget allows.
    """
    # lazy: guarantees imports prose
    from agent_baton.compress.guarantees import failing_lines, failing_strings

    lines, rows = table.lines, table.rows
    costs = [len(lines[r]) + _MARKER_CHARS for r in rows]
    budget = budget_chars(sum(len(line) + 1 for line in lines), request)
    if sum(costs) <= budget:
        return "\n".join(lines), name  # nothing to leave out: the table is its own
    records = [lines[r] for r in rows]
    if any("\n" in record for record in records):
        failing = set(failing_strings(records))  # a failure on any line of a CSV record
    else:
        failing_line = failing_lines(lines)
        failing = {k for k, r in enumerate(rows) if r in failing_line}
    keep, stats = pick_rows(table.records, request, costs, budget, always=failing)
    kept_lines = {rows[k] for k in keep}
    row_lines = set(rows)
    out: list[str] = []
    gap = 0
    for i, line in enumerate(lines):
        if i in row_lines and i not in kept_lines:
            gap += 1
            continue
        if gap:
            out.append(note(f"{gap} row{'s' if gap > 1 else ''}"))
            gap = 0
        out.append(line)
    n = len(rows)
    out.append(omitted(f"{n - len(keep)} of {n} rows", request.key))
    if stats:
        out.append(note(f"stats over all {n} rows: {stats}"))
    return "\n".join(out), f"{name}+sample"


def find_table(text: str, cut: bool = False) -> TextTable | None:
    """The table that makes up most of ``text``, or None.

    A few lines may come before it (a title, a command) and after it (``(250 rows)``).
    ``cut`` says the text is the head of a longer one: its last record may be cut short.
    """
    lines = text.strip("\n").splitlines()
    found = _ruled(lines) or _delimited(lines, cut)
    if found is not None:
        return found
    # Aligned output: by its header's cells (``NOMINATED NODE``, ``Up 3 hours`` line up
    # under one) or by its blanks (``ls -l`` has no header), whichever finds more columns.
    headed, listed = _columns(lines), _listing(lines)
    if headed is not None and (listed is None or _width(headed) >= _width(listed)):
        return headed
    return listed or _paths(lines)


def _width(table: TextTable) -> int:
    return len(table.records[0])


def _ruled(lines: list[str]) -> TextTable | None:
    """A table whose header a rule underlines: psql, mysql, sqlite, tabulate, rich, markdown."""
    found = read_ruled(lines)
    if found is None:
        return None
    value = _cell_values(found.cells).__getitem__
    records = [dict(zip(found.header, map(value, row), strict=True)) for row in found.cells]
    return TextTable(found.kind, found.lines, found.head, found.rows, records)


def _delimited(lines: list[str], cut: bool) -> TextTable | None:
    """CSV or TSV: the rows have as many fields as the first line, a header or a row.

    A quoted field may hold line breaks: such a row is its lines joined, so that it is kept
    or left out whole.
    """
    if not lines or lines[0].lstrip()[:1] in ("{", "[") or log_line(lines[0]):
        return None  # JSON, or a log line ("10:00:00,123 - app - INFO"): commas, no header
    for delimiter, kind in _SEPARATORS:
        if lines[0].count(delimiter) < 1:
            continue
        grouped = _records(lines, delimiter, cut)
        if grouped is None:
            continue
        logical, parsed = grouped
        first = parsed[0]
        if delimiter in _RARE_SEPARATORS and (len(first) < 3 or not all(first)):
            # One ";" or "|" a line is a statement or a pipe; "| a | b |" is markdown's.
            continue
        # Under a header of names, a row may leave its last fields out (distro-info's
        # ubuntu.csv: no end-of-life dates for a release still supported).
        named = len(first) >= 3 and all(_NAME.fullmatch(cell.strip()) for cell in first)
        least = 2 if named else len(first)
        end = 1
        while end < len(parsed) and least <= len(parsed[end]) <= len(first):
            end += 1
        if kind == "csv" and any(len(cell) > 60 for cell in first) and end < 10:
            continue  # a sentence with commas, not a header
        rows = [row + [""] * (len(first) - len(row)) for row in parsed[1:end]]
        found = _table(kind, logical, 0, 1, end, first, rows)
        if found is None and end >= 10:
            # No header (a RECORD file, ``dpkg-query -W``): the first line is a row.
            names = [f"column {j + 1}" for j in range(len(first))]
            found = _table(kind, logical, 0, 0, end, names, parsed[:end])
        if found is not None:
            return found
    return None


def _records(
    lines: list[str], delimiter: str, cut: bool
) -> tuple[list[str], list[list[str]]] | None:
    """Each record's lines joined, and its fields; None if a quote is left open.

    ``csv`` reads a quoted field on across line breaks; a quote that never closes would make
    one record of everything after it, so such text is no table (unless it was ``cut`` there).
    A field over the csv module's size limit (a JSON column of a database dump) is none either.
    """
    try:
        parsed = list(csv.reader(lines, delimiter=delimiter))
    except csv.Error:
        return None
    if len(parsed) == len(lines):
        return lines, parsed
    reader = csv.reader(lines, delimiter=delimiter, strict=not cut)
    ends: list[int] = []
    try:
        for _ in reader:
            ends.append(reader.line_num)
    except csv.Error:
        return None
    starts = [0, *ends[:-1]]
    return ["\n".join(lines[a:b]) for a, b in zip(starts, ends, strict=True)], parsed


def _columns(lines: list[str]) -> TextTable | None:
    """Command output whose columns line up under a header (kubectl, docker, ps, df).

    A rule may underline the header (rich's ``─────``). A column starts where its header
    cell does; where that does not hold (pandas right-aligns a column's name over its
    values), columns are what the blanks that run down all the rows set apart.
    """
    top = next((i for i, line in enumerate(lines[:2]) if line.strip()), 0)
    if len(lines) < top + 2:
        return None
    header = lines[top]
    if any(c.isdigit() for c in header):
        return None
    first = top + 1 + is_rule(lines[top + 1])
    cells = list(_GAP.finditer(header))
    if len(cells) < 2 or "  " not in header.strip():
        # pandas parts right-aligned names by one blank: only its rows tell the columns.
        return _gutters(lines, top, first) if len(_TOKEN.findall(header)) >= 2 else None
    starts = [cells[0].start() if top else 0, *(m.start() for m in cells[1:])]
    end = first
    # A row fits when a blank comes right before each column's start: no cell straddles two.
    # It may end before the last columns start (column -t leaves empty last cells out).
    while (
        end < len(lines)
        and _starts_at(lines[end], starts[1])
        and all(len(lines[end]) < s or lines[end][s - 1] == " " for s in starts[2:])
    ):
        end += 1
    names = [m.group() for m in cells]
    found = _table("columns", lines, top, first, end, names, _cut(lines[first:end], starts))
    return found or _gutters(lines, top, first)


def _starts_at(line: str, start: int) -> bool:
    """Whether a cell of the line starts at ``start`` (a blank before, a word after)."""
    return len(line) > start and line[start - 1] == " " and not line[start:].isspace()


def _cut(lines: list[str], starts: list[int]) -> list[list[str]]:
    """Each line's cells: from each start to the next (the last to the line's end)."""
    bounds = [*starts[1:], None]
    return [[line[a:b].strip() for a, b in zip(starts, bounds, strict=True)] for line in lines]


def _gutters(lines: list[str], top: int, first: int) -> TextTable | None:
    """The columns that blanks running down the header and the rows (to a blank line) part.

    A part with values under no name is the rest of the values on its left (``Up 3 hours``
    the same in every row), a part with a name over no values the rest of the name on its
    left (``NOMINATED NODE``); only a first column may have no name (pandas' index).
    """
    end = first
    while end < len(lines) and lines[end].strip():
        end += 1
    header, rows = lines[top], lines[first:end]
    if len(rows) < _MIN_LISTING or "|" in header:
        # A few lines of prose may have blanks in one place by chance; a table with bars
        # that did not read at its rule's places is no table apart by blanks.
        return None
    valued = _filled(rows, max(len(line) for line in [header, *rows]))
    named = _filled([header], len(valued))
    starts: list[int] = []
    covered = bytes(v | n for v, n in zip(valued, named, strict=True))
    for m in _FILLED.finditer(covered.translate(_MARKS).decode("ascii")):
        a, b = m.span()
        if not starts or (any(valued[a:b]) and any(named[a:b])):
            starts.append(a)
    if len(starts) < 2:
        return None
    starts[0] = 0
    names = _cut([header], starts)[0]
    cells = _cut(rows, starts)
    if any(name in column for name, column in zip(names, zip(*cells, strict=True), strict=False)):
        return None  # the first line is a row ("proc on /proc type proc" of mount): no header
    return _table("columns", lines, top, first, end, column_names(names), cells)


def _filled(lines: list[str], width: int) -> bytearray:
    """For each place up to ``width``: 1 if a word of one of ``lines`` covers it."""
    filled = bytearray(width)
    for line in lines:
        for m in _TOKEN.finditer(line):
            filled[m.start() : m.end()] = b"\1" * (m.end() - m.start())
    return filled


def _table(
    kind: str,
    lines: list[str],
    head: int,
    first: int,
    end: int,
    header: list[str],
    rows: list[list[str]],
) -> TextTable | None:
    """The table of ``rows`` (lines ``first`` to ``end`` - 1) under ``header``, or None.

    None unless the rows make most of ``lines`` and every row has a cell for each name.
    """
    names = [name.strip() for name in header]
    if len(names) < 2 or any(not name for name in names) or len(set(names)) < len(names):
        return None
    if all(_INT.fullmatch(name) or _FLOAT.fullmatch(name) for name in names):
        return None  # a row of numbers, not a header
    if len(rows) < _MIN_ROWS or any(len(row) != len(names) for row in rows):
        return None  # a row that does not fit would be lost from the records
    if len(lines) - end > max(2, (end - first) // 10) or head > 2:
        return None  # the table is not most of the text
    value = _cell_values(rows).__getitem__
    records = [dict(zip(names, map(value, row), strict=True)) for row in rows]
    return TextTable(kind, lines, head, list(range(first, end)), records)


def _listing(lines: list[str]) -> TextTable | None:
    """Rows of whitespace-separated fields that line up (``ls -l``, ``ps -ef``, ``dpkg -l``).

    A row's fields are its leading columns that line up (each starts or ends at one place
    in most of a run of rows: ``ls -lR`` pads each directory alone); the last of them keeps
    the rest of the line (a command line, a description). Other lines (a header, ``total
    48``, a directory's name) may stand between the rows, up to one in four; they stay.
    """
    if len(lines) < _MIN_LISTING:
        return None
    # Its rows (three in four lines at least) are padded often enough (below): a text with
    # fewer lines padded anywhere is none, told before its columns are read.
    padding = sum(map(bool, map(_INNER_GAP.search, lines)))
    if padding < _PADDED * 0.75 * len(lines) - 1:  # - 1: float rounding cannot tip it
        return None
    # The fields are read in lines of three words or more: with fewer such lines than the
    # rows need, no width passes (told before each word's place is read).
    if sum(map(bool, map(_THREE_WORDS.match, lines))) < max(_MIN_LISTING, 0.75 * len(lines)):
        return None
    spans = [[m.span() for m in _TOKEN.finditer(line)] for line in lines]
    runs = _runs([i for i, found in enumerate(spans) if len(found) >= 3])
    width = 0
    while True:
        having = [[i for i in run if len(spans[i]) > width] for run in runs]
        total = sum(map(len, having))
        if total < max(_MIN_LISTING, 0.75 * len(lines)):
            break
        aligned = sum(
            len(run)
            for run in having
            if len(run) >= 3 and _lined_up([spans[i][width] for i in run])
        )
        if aligned < _ALIGNED * total:
            break
        width += 1
    if width < 3:
        return None
    head = "\n".join(lines[:200])
    if looks_like_log(head) or len(_STAMP.findall(head)) >= 20:
        return None  # a log, its timestamps maybe after a first field: its own compressor
    # The rows: runs of lines with all the fields, lined up; any other line stays as it is.
    rows = [
        i
        for run in _runs([i for i, found in enumerate(spans) if len(found) >= width])
        if len(run) >= 3 and all(_lined_up([spans[i][j] for i in run]) for j in range(width))
        for i in run
    ]
    if len(rows) < 0.75 * len(lines) or len({lines[i] for i in rows}) < 0.5 * len(rows):
        return None  # mostly other lines, or one line repeated (a fold's, not a table's)
    if sum(lines[i][:1] == "#" and lines[i][1:2].isdigit() for i in rows) > 0.5 * len(rows):
        return None  # gdb's numbered frames ("#12 0x… in walk (…)"): a trace, folded as one
    padded = sum(1 for i in rows if _padded(lines[i], spans[i][:width]))
    if padded < _PADDED * len(rows):
        # Words of one length line up by chance, one blank apart: a tool's status lines
        # ("Unpacking ...", "Preparing ...", "Selecting ..."), not columns laid out.
        return None
    cells = [[c.strip() for c in lines[i].split(None, width - 1)] for i in rows]
    value = _cell_values(cells).__getitem__
    values = [list(map(value, row)) for row in cells]
    top, names = rows[0], [f"column {j + 1}" for j in range(width)]
    header = _listing_header(lines, rows, values, width)
    if header is not None:
        top, names = header
        if top == rows[0]:  # a header left-aligned as its rows are: read as one of them
            rows, values = rows[1:], values[1:]
    records = [dict(zip(names, row, strict=False)) for row in values]
    return TextTable("listing", lines, top, rows, records)


def _listing_header(
    lines: list[str], rows: list[int], values: list[list[Any]], width: int
) -> tuple[int, list[str]] | None:
    """The line of the listing's header and its names, if it has one.

    A header is the line over the rows (over its rule: dpkg -l's ``+++-====``) with a word
    for each field, no number among them (ps aux's ``USER PID %CPU``); or the first row,
    if it holds words where the rest of the rows hold numbers (column -t's header).
    """
    first = rows[0]
    above = first - 2 if first > 1 and is_rule(lines[first - 1]) else first - 1
    words = lines[above].split() if above >= 0 else []
    if len(words) == width and len(set(words)) == width and not _numbers(words):
        return above, words
    named = values[0]
    below = list(zip(*values[1:], strict=False))
    if len(below) == width and len(set(named)) == width and not _numbers(named):
        numeric = (sum(not isinstance(v, str) for v in column) for column in below)
        if any(n >= 0.8 * len(values[1:]) for n in numeric):
            return first, [str(name) for name in named]
    return None


def _numbers(words: list[Any]) -> bool:
    return any(not isinstance(parse_cell(str(w)), str) for w in words)


def _runs(indices: list[int]) -> list[list[int]]:
    """Ascending line numbers grouped into runs of consecutive ones."""
    runs: list[list[int]] = []
    for i in indices:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _lined_up(spans: list[tuple[int, int]]) -> bool:
    """Whether most of a column's cells start at one place, or end at one (right-aligned)."""
    starts = Counter(a for a, _ in spans).most_common(1)[0][1]
    ends = Counter(b for _, b in spans).most_common(1)[0][1]
    return max(starts, ends) >= _ALIGNED * len(spans)


def _padded(line: str, fields: list[tuple[int, int]]) -> bool:
    """Whether blanks other than one space stand between some of a row's leading fields."""
    return any(line[end:start] != " " for (_, end), (start, _) in pairwise(fields))


def _paths(lines: list[str]) -> TextTable | None:
    """A listing of paths, one a line (``find``, ``git ls-files``): directory and extension.

    A file alone in its directory, or of an extension no other has, is the rare row.
    """
    least = max(_MIN_LISTING, 0.9 * len(lines))
    if sum(map(str.count, lines, repeat("/"))) < least:
        return None  # too few slashes for as many paths
    paths = [i for i, line in enumerate(lines) if _PATH.fullmatch(line.strip())]
    if len(paths) < least:
        return None
    records = []
    for i in paths:
        path = lines[i].strip()
        folder, _, name = path.rstrip("/").rpartition("/")
        ext = name.rpartition(".")[2] if "." in name.strip(".") else ""
        records.append({"path": path, "directory": folder, "extension": ext})
    return TextTable("paths", lines, paths[0], paths, records)


def _cell_values(rows: list[list[str]]) -> dict[str, Any]:
    """Each distinct cell of ``rows`` parsed (:func:`parse_cell`) once: a column repeats.

    A number padded with blanks (``|  12444 |``, ``a, 3``) is that number: the padding
    lines the column up.
    """
    cells = set(chain.from_iterable(rows))
    values: dict[str, Any] = dict(zip(cells, cells, strict=True))
    for cell in cells:
        bare = cell.strip()
        if bare[-1:].isdecimal():  # else no number: parse_cell gives the cell back
            number = parse_cell(bare)
            values[cell] = cell if isinstance(number, str) else number
    return values


def parse_cell(cell: str) -> Any:
    """A cell as a number when it spells one exactly ("007" and "3.10" stay text)."""
    # _INT and _FLOAT, tested by str methods (isdecimal is re's \d): a table has many cells.
    digits = cell[1:] if cell[:1] == "-" else cell
    if digits.isdecimal():
        return int(cell) if len(digits) <= 18 and str(int(cell)) == cell else cell
    whole, dot, fraction = digits.partition(".")
    if dot and whole.isdecimal() and fraction.isdecimal() and repr(float(cell)) == cell:
        return float(cell)
    return cell
