"""Tables whose header is underlined by a rule that says where each column starts and ends.

psql (``---+---``), mysql, sqlite's ``.mode table`` and prettytable (``+----+----+``),
sqlite's ``.mode box``, tabulate's grids and rich's boxes (``├────┼────┤``, ``┡━━━━╇━━━━┩``),
markdown (``|---|:---:|``), and the rules of dashes apart by blanks (``----  -----``) of
sqlite's ``.mode column``, tabulate's ``simple`` and reStructuredText's ``====  ====``.

A row is read at the rule's places, not split at its bars: a cell may hold a bar (psql's
``||`` operator) or nothing at all (an empty last cell leaves psql's row ending ``| ``). Where
rules or blank lines stand between the rows (tabulate's grid, sqlite's box, sqlite's wrapped
columns), a row is the lines from one to the next, joined: kept or left out whole, with its
rule, and counted as one row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

# Horizontal strokes of a rule; the half strokes end rich's minimal rules (``╶───┼───╴``).
_HORIZONTAL = frozenset("-=─━═╌╍┄┅┈┉╴╶╸╺")
_VERTICAL = frozenset("|│┃║┆┇┊┋")
_ASCII_FRAME = frozenset("+-=:| ")  # ":" marks markdown's alignment
_MIN_STROKES = 3
_MIN_ROWS = 3
_MAX_AFTER = 3  # lines after the rows: a border, a count, a prompt
_MAX_BEFORE = 6  # lines before the header: a border, a title, the query mysql -vvv echoes
_RUN = re.compile(r"[-=]+")
_BAR_SPLIT = re.compile(r"(?<!\\)[|│┃║┆┇┊┋]")


def _box(char: str) -> bool:
    return "\u2500" <= char <= "\u257f"


def _frame(line: str) -> bool:
    """Whether the line is drawn only: strokes, corners, bars and blanks (a border)."""
    stripped = line.strip()
    return bool(stripped) and all(c in _ASCII_FRAME or _box(c) for c in stripped)


def is_rule(line: str) -> bool:
    """Whether the line is a rule: drawn only, with a run of horizontal strokes."""
    return _frame(line) and sum(c in _HORIZONTAL for c in line) >= _MIN_STROKES


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where a rule puts its columns: each column's span, and what stands between them."""

    spans: list[tuple[int, int | None]]  # [start, end) of each cell; None: to the line's end
    bars: list[int]  # places where a row has a bar: the rule's junctions
    gaps: list[tuple[int, int]]  # places where a row has blanks: between runs of dashes
    outer: tuple[bool, bool]  # whether a bar stands at the left, the right edge

    def cells(self, line: str) -> list[str] | None:
        """The line's cells, or None if it does not fit the layout."""
        if not line.strip() or _frame(line):
            return None
        width = len(line)
        if all(k < width and line[k] in _VERTICAL for k in self.bars) and all(
            not line[a:b].strip() for a, b in self.gaps
        ):
            return [line[a:b].strip() for a, b in self.spans]
        return self._split(line) if self.bars else None

    def continues(self, line: str, following: str) -> bool:
        """Whether psql's ``+`` ends a cell of ``line``: its value goes on ``following``."""
        if not self.bars or self.outer[0]:
            return False  # psql's border 1 (its default): bars between cells only
        if any(line[b - 1 : b] == "+" for _, b in self.spans if b is not None):
            return True
        # The last cell's "+" (or its value's own, "C++"): a blank first cell says which.
        cells = self.cells(following)
        return line.endswith("+") and cells is not None and not cells[0]

    def wraps(self, row: str, following: str) -> bool:
        """Whether ``following`` holds the rest of values ``row`` wrapped (rich, sqlite).

        Its first cell is blank and its other cells are some of those ``row`` fills: a row
        whose first value is null fills the others as any row does.
        """
        above, cells = self.cells(row), self.cells(following)
        if above is None or cells is None or cells[0] or not above[0]:
            return False
        filled = [bool(c) for c in cells]
        under = [f and not a for f, a in zip(filled, map(bool, above), strict=True)]
        return any(filled) and not any(under) and sum(filled) < sum(map(bool, above))

    def _split(self, line: str) -> list[str] | None:
        """The cells between the line's bars: a wide character shifts the places."""
        inner = line.strip()
        left, right = self.outer
        if left:
            inner = inner[1:] if inner[:1] in _VERTICAL else ""
        if right and inner[-1:] in _VERTICAL and inner[-2:-1] != "\\":
            inner = inner[:-1]
        cells = [cell.strip() for cell in _BAR_SPLIT.split(inner)]
        return cells if inner and len(cells) == len(self.spans) else None


def _layout(rule: str) -> _Layout | None:
    """The columns a rule marks, or None if it marks fewer than two."""
    drawn = rule.rstrip()
    junctions = [k for k, c in enumerate(drawn) if c not in _HORIZONTAL and c not in " :"]
    if junctions:
        left = junctions[0] == len(drawn) - len(drawn.lstrip())
        right = junctions[-1] == len(drawn) - 1
        bounds = junctions if left else [-1, *junctions]
        spans: list[tuple[int, int | None]] = [(a + 1, b) for a, b in pairwise(bounds)]
        if not right:
            spans.append((bounds[-1] + 1, None))  # psql's last column: to the line's end
        return _Layout(spans, junctions, [], (left, right)) if len(spans) >= 2 else None
    if any(c not in "-= " for c in drawn.strip()):
        return None
    runs = [m.start() for m in _RUN.finditer(drawn)]
    if len(runs) < 2:
        return None
    ends = [m.end() for m in _RUN.finditer(drawn)]
    spans = [*pairwise(runs), (runs[-1], None)]
    return _Layout(spans, [], list(zip(ends, runs[1:], strict=False)), (False, False))


@dataclass(frozen=True, slots=True)
class RuledTable:
    """A ruled table read: its lines (a row of several lines joined), rows and cells."""

    kind: str  # boxes (drawn all round), pipes (bars), columns (dashes apart by blanks)
    lines: list[str]
    head: int  # index of the header line
    rows: list[int]  # index in ``lines`` of each row
    header: list[str]  # the columns' names, each unique: a nameless one named by its place
    cells: list[list[str]]


def read_ruled(lines: list[str]) -> RuledTable | None:
    """The ruled table that makes up most of ``lines``, or None.

    A few lines may stand before its header (a border, a title) and after its rows (a
    border, psql's ``(250 rows)``, mysql's ``250 rows in set``).
    """
    for i in range(min(_MAX_BEFORE + 1, len(lines) - 1)):
        if _frame(lines[i]) or not is_rule(lines[i + 1]):
            continue
        layout = _layout(lines[i + 1])
        if layout is None:
            continue
        header = layout.cells(lines[i])
        if header is None:
            continue
        # A nameless column is a drawn table's (pandas' index), not one apart by blanks.
        if sum(map(bool, header)) < (len(header) if layout.gaps else 2):
            continue
        found = _read_rows(lines, i, layout, header)
        if found is not None:
            return found
    return None


def _read_rows(
    lines: list[str], head: int, layout: _Layout, header: list[str]
) -> RuledTable | None:
    """The rows under the header at ``head``: lines, or blocks between rules (a grid)."""
    blocks: list[tuple[list[int], int | None]] = []  # a block's lines, the rule after it
    block: list[int] = []
    k = head + 2
    while k < len(lines):
        if layout.cells(lines[k]) is not None:
            block.append(k)
        elif (
            block
            and (is_rule(lines[k]) or (layout.gaps and not lines[k].strip()))
            and k + 1 < len(lines)
            and layout.cells(lines[k + 1]) is not None
        ):
            blocks.append((block, k))  # a rule (or sqlite's blank line) between rows
            block = []
        else:
            break
        k += 1
    if block:
        blocks.append((block, None))
    count = sum(len(b) for b, _ in blocks)
    if count < _MIN_ROWS or len(lines) - k > max(_MAX_AFTER, count // 10):
        return None  # too few rows, or the table is not most of the text
    out = lines[: head + 2]
    rows: list[int] = []
    cells: list[list[str]] = []
    grid = len(blocks) >= 0.5 * count  # else a rule sets a few rows apart: lines stay rows
    for block, rule in blocks:
        for record in [block] if grid else _records(lines, block, layout):
            parts = [layout.cells(lines[j]) or [] for j in record]
            rows.append(len(out))
            drawn = [*record, rule] if grid and rule is not None else record
            out.append("\n".join(lines[j] for j in drawn))
            cells.append([_joined(column) for column in zip(*parts, strict=True)])
        if not grid and rule is not None:
            out.append(lines[rule])
    out.extend(lines[k:])
    boxed = (head > 0 and _frame(lines[head - 1])) or any(map(_box, lines[head + 1]))
    kind = "columns" if layout.gaps else "boxes" if boxed else "pipes"
    return RuledTable(kind, out, head, rows, column_names(header), cells)


def _records(lines: list[str], block: list[int], layout: _Layout) -> list[list[int]]:
    """The block's lines by row: a value that goes on (psql's ``+``) or wraps, with its row."""
    records: list[list[int]] = []
    for j in block:
        if records and (
            layout.continues(lines[records[-1][-1]], lines[j])
            or layout.wraps(lines[records[-1][0]], lines[j])
        ):
            records[-1].append(j)
        else:
            records.append([j])
    return records


def _joined(pieces: tuple[str, ...]) -> str:
    """A cell of several lines as one value, without psql's ``+`` at each line's end."""
    if len(pieces) == 1:
        return pieces[0]
    return " ".join(p.removesuffix("+").rstrip() for p in pieces[:-1] + pieces[-1:] if p)


def column_names(header: list[str]) -> list[str]:
    """Each column's name: its header cell, or its place if it has none or shares it."""
    names: list[str] = []
    for j, cell in enumerate(header):
        place = f"column {j + 1}"
        names.append(place if not cell else cell if cell not in names else f"{cell} ({place})")
    return names
