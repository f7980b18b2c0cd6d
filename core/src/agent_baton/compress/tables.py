"""Text tables as records, so they are sampled like JSON tables: rare rows and outliers stay.

Recognised: CSV and TSV with a header row, pipe tables (markdown, and psql's ``a | b`` over
``---+---``) and column-aligned command output under a header (``kubectl get``, ``docker
ps``). Cells that spell numbers become numbers, for the statistics and the outliers.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from typing import Any

from agent_baton.compress.json import budget_chars, compress_records
from agent_baton.compress.logs import LOG_LINE
from agent_baton.compress.memo import once
from agent_baton.compress.request import Request

_MIN_ROWS = 3
_INT = re.compile(r"-?\d{1,18}")
_FLOAT = re.compile(r"-?\d+\.\d+")
# Each run of blanks has one place in the pattern: padded with spaces, a rule that fails
# must fail in one pass, not after trying every split of the padding.
_PIPE_RULE = re.compile(r"^\s*(?:\|\s*)?:?-{3,}:?(?:\s*\|\s*:?-{3,}:?)*\s*(?:\|\s*)?$")
_PSQL_RULE = re.compile(r"^-+(\+-+)+$")
_GAP = re.compile(r"\S+(?: \S+)*")  # a header cell: words separated by single spaces


@dataclass(frozen=True, slots=True)
class TextTable:
    """A table found in text: its records and the lines around it."""

    kind: str  # csv, tsv, pipes, columns
    records: list[dict[str, Any]]
    before: str
    after: str


@once
def looks_like_table(text: str) -> bool:
    """Whether the text's head is a table with a header row (a cheap check on 40 lines)."""
    head = "\n".join(text.lstrip("\n").splitlines()[:40])
    found = find_table(head)
    return found is not None and not found.before


def compress_table(text: str, request: Request) -> tuple[str, str] | None:
    """A text table sampled like a JSON table; None if the text is not mostly one table."""
    found = find_table(text)
    if found is None:
        return None
    request.check_time()
    body, lossy = compress_records(found.records, request, budget_chars(len(text), request))
    parts = [p for p in (found.before, body, found.after) if p]
    return "\n".join(parts), f"table:{found.kind}{'+sample' if lossy else ''}"


def find_table(text: str) -> TextTable | None:
    """The table that makes up most of ``text``, or None.

    A few lines may come before it (a title, a command) and after it (``(250 rows)``).
    """
    lines = text.strip("\n").splitlines()
    for parse in (_pipes, _delimited, _columns):
        found = parse(lines)
        if found is not None:
            return found
    return None


def _pipes(lines: list[str]) -> TextTable | None:
    """Markdown tables (a ``|---|`` rule under the header) and psql output (``---+---``)."""
    for i in range(min(3, len(lines) - 1)):
        rule = lines[i + 1].strip()
        if "|" in lines[i] and (_PIPE_RULE.match(rule) or _PSQL_RULE.match(rule)):
            header = _cells(lines[i])
            end = i + 2
            while end < len(lines) and "|" in lines[end]:
                end += 1
            rows = [_cells(line) for line in lines[i + 2 : end]]
            return _table("pipes", lines, i, end, header, rows)
    return None


def _cells(line: str) -> list[str]:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|") and not stripped.endswith("\\|"):
        stripped = stripped[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", stripped)]


def _delimited(lines: list[str]) -> TextTable | None:
    """CSV or TSV: the first line is the header, the rows have as many fields."""
    if not lines or lines[0].lstrip()[:1] in ("{", "[") or LOG_LINE.search(lines[0]):
        return None  # JSON, or a log line ("10:00:00,123 - app - INFO"): commas, no header
    for delimiter, kind in (("\t", "tsv"), (",", "csv")):
        if lines[0].count(delimiter) < 1:
            continue
        parsed = list(csv.reader(lines, delimiter=delimiter))
        if len(parsed) != len(lines):
            continue  # a quoted field spans lines: rows and lines no longer match
        header = parsed[0]
        end = 1
        while end < len(parsed) and len(parsed[end]) == len(header):
            end += 1
        if kind == "csv" and any(len(cell) > 60 for cell in header):
            continue  # a sentence with commas, not a header
        found = _table(kind, lines, 0, end, header, parsed[1:end])
        if found is not None:
            return found
    return None


def _columns(lines: list[str]) -> TextTable | None:
    """Command output whose columns line up under a header (kubectl, docker, ps, df)."""
    if len(lines) < 2:
        return None
    header = lines[0]
    cells = list(_GAP.finditer(header))
    if len(cells) < 2 or "  " not in header.strip() or any(c.isdigit() for c in header):
        return None
    starts = [0, *(m.start() for m in cells[1:])]  # a right-aligned first column: from 0
    end = 1
    # A row fits when a blank comes right before each column's start: no cell straddles two.
    while end < len(lines) and all(
        len(lines[end]) > s and lines[end][s - 1] == " " for s in starts[1:]
    ):
        end += 1
    bounds = [*starts[1:], None]
    rows = [
        [lines[r][a:b].strip() for a, b in zip(starts, bounds, strict=True)] for r in range(1, end)
    ]
    return _table("columns", lines, 0, end, [m.group() for m in cells], rows)


def _table(
    kind: str, lines: list[str], start: int, end: int, header: list[str], rows: list[list[str]]
) -> TextTable | None:
    """Records of ``rows`` under ``header`` if they make a table of most of ``lines``."""
    names = [name.strip() for name in header]
    if len(names) < 2 or any(not name for name in names) or len(set(names)) < len(names):
        return None
    if all(_INT.fullmatch(name) or _FLOAT.fullmatch(name) for name in names):
        return None  # a row of numbers, not a header
    if len(rows) < _MIN_ROWS or any(len(row) != len(names) for row in rows):
        return None  # a row that does not fit would be lost from the records
    after = lines[end:]
    if len(after) > max(2, (end - start) // 10) or start > 2:
        return None  # the table is not most of the text
    records = [dict(zip(names, map(_value, row), strict=True)) for row in rows]
    return TextTable(kind, records, "\n".join(lines[:start]).strip(), "\n".join(after).strip())


def _value(cell: str) -> Any:
    """A cell as a number when it spells one exactly ("007" and "3.10" stay text)."""
    if _INT.fullmatch(cell) and str(int(cell)) == cell:
        return int(cell)
    if _FLOAT.fullmatch(cell) and repr(float(cell)) == cell:
        return float(cell)
    return cell
