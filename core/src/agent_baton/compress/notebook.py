"""Jupyter notebooks read as their cells: sources and outputs as text, images named.

A notebook is a JSON document (``cells``, ``metadata``, ``nbformat``; nbformat 3 keeps one
worksheet of cells, code in ``input``), but what its reader wants is what an open notebook
shows: each cell's source, then its outputs' text (a stream, a result's ``text/plain``, an
error's traceback). Sampled as JSON, its budget went to keys and metadata and most
outputs were cut (PythonDataScienceHandbook: 13 of 114 outputs' first lines kept).

So it is rendered cell by cell: a label per cell and per output (``[§ cell 4: In 3]``,
``[§ Out 3]``, ``[§ error: ZeroDivisionError: division by zero]``), then the lines of its
strings, which are the document's own string values' lines; an image or other binary output
is a marker naming its type and size. Under a budget every cell keeps its label, its
source's first line and the lines that say what it holds (a heading, a definition), its
outputs' first lines and every failure line, an error's traceback whole; the rest is shared
out in order, each run of lines left out a marker counting them. When even that does not
fit, the cells that fail or hold a word of the query come first, then cells spread over the
notebook; the others are counted by a marker at their place.
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from agent_baton.compress.guarantees import is_failure, restore_failures
from agent_baton.compress.markers import label, note, omitted
from agent_baton.compress.prose import cut_line
from agent_baton.compress.request import Request

_KEYS = ("cells", "metadata", "nbformat")  # nbformat's required top-level keys
_V3_KEYS = ("worksheets", "metadata", "nbformat")  # nbformat 3's
_SOURCES = ("source", "input")  # a cell's source member; nbformat 3's code cells: "input"
_ERRORS = ("error", "pyerr")  # an error output's type (nbformat 4, 3)
_RESULTS = ("execute_result", "pyout")  # a code cell's value (nbformat 4, 3)
# nbformat 3 names an output's images by their format alone, beside its other members.
_V3_MIMES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "pdf": "application/pdf",
    "svg": "image/svg+xml",
}
_V3_TEXT = {
    "text": "text/plain",
    "html": "text/html",
    "latex": "text/latex",
    "json": "application/json",
}
# Of an output's formats, the one shown: the first it has (the others are named).
_SHOWN = ("text/plain", "text/markdown", "text/latex", "text/html", "image/svg+xml")
_BINARY_MIME = re.compile(r"(?:image|audio|video)/(?!svg)|application/(?:pdf|octet-stream)")
_PNG = b"\x89PNG\r\n\x1a\n"  # a PNG's signature; its IHDR chunk follows, width and height first
# A line of a cell's source telling what the cell holds: a definition, a decorator, a
# heading (a markdown cell's, or a code cell's comment at its margin).
_TELLING = re.compile(r"(?:[ \t]*(?:async[ \t]+def|def|class)[ \t]|@|#{1,6}[ \t])")
_HEADING = re.compile(r"#{1,6}[ \t]", re.MULTILINE)
_WIDE = 400  # a longer line is cut to its start and a marker
_ERROR_ROOM = 4000  # a traceback is kept whole up to this; past it, its ends and failures
_HEAD_LINES = 2  # a long traceback's first lines kept
_GAP = 14  # what a marker for lines left out costs, about
_QUERY_WORD = re.compile(r"[\w.@/-]{3,}")


def notebook_cells(data: Any) -> list[Any] | None:
    """A Jupyter notebook's list of cells (objects), or None if ``data`` is no notebook.

    Of nbformat 3, its worksheet's: the format allowed several, but no tool wrote more.
    """
    if not isinstance(data, dict):
        return None
    if all(k in data for k in _KEYS):
        cells = data["cells"]
    elif all(k in data for k in _V3_KEYS):
        sheets = data["worksheets"]
        if not (isinstance(sheets, list) and len(sheets) == 1 and isinstance(sheets[0], dict)):
            return None
        cells = sheets[0].get("cells")
    else:
        return None
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        return None
    return cells


@dataclass(slots=True)
class _Block:
    """A cell's source or one of its outputs: its label, its lines, those always shown."""

    head: str
    lines: list[str]
    must: set[int] = field(default_factory=set)

    def cost(self, shown: set[int] | None = None) -> int:
        """What the block costs with ``shown`` lines (all when None), markers included."""
        count = range(len(self.lines)) if shown is None else shown
        gaps = 0 if shown is None else len(_runs(shown, len(self.lines)))
        return len(self.head) + 1 + sum(len(self.lines[i]) + 1 for i in count) + gaps * _GAP

    def render(self, room: int) -> tuple[list[str], int]:
        """Its label and the lines that fit ``room``, and how many lines were left out.

        Its musts are shown whatever ``room`` is; then its other lines in order.
        """
        shown = set(self.must)
        cost = self.cost(shown)
        # Taken in order, each line follows a shown one: it shortens a gap, adds none.
        for i in range(len(self.lines)):
            if i in shown:
                continue
            cost += len(self.lines[i]) + 1
            if cost > room:
                break
            shown.add(i)
        out = [self.head]
        gaps = {start: end for start, end in _runs(shown, len(self.lines))}
        i = 0
        while i < len(self.lines):
            if i in gaps:
                out.append(note(f"{gaps[i] - i} {'lines' if gaps[i] - i > 1 else 'line'}"))
                i = gaps[i]
                continue
            out.append(self.lines[i])
            i += 1
        return out, len(self.lines) - len(shown)


@dataclass(slots=True)
class _Cell:
    number: int
    kind: str
    blocks: list[_Block]
    failing: bool
    text: str  # its blocks' lines, for the query's words

    def least(self) -> int:
        return sum(b.cost(b.must) for b in self.blocks)

    def whole(self) -> int:
        return sum(b.cost() for b in self.blocks)


def compress_notebook(text: str, data: Any, request: Request, budget: int) -> str | None:
    """The notebook ``data`` (parsed from ``text``) as its cells' text, in about ``budget``.

    ``budget`` is in characters. None when ``data`` is no notebook.
    """
    raw = notebook_cells(data)
    if raw is None:
        return None
    cells = [_cell(k, c) for k, c in enumerate(raw, 1)]
    kinds = Counter(c.kind for c in cells)
    spelled = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
    head = label(f"a Jupyter notebook of {len(cells)} cells ({spelled}), read as its cells' text")
    if sum(c.whole() for c in cells) <= budget:
        out = [head, *(line for c in cells for b in c.blocks for line in b.render(b.cost())[0])]
        return restore_failures(text, "\n".join(out))
    request.check_time()
    chosen = _chosen(cells, budget - len(head), _query_words(request))
    blocks = [b for k in chosen for b in cells[k].blocks]
    least = [b.cost(b.must) for b in blocks]
    left = budget - len(head) - sum(least) - _GAP * (len(cells) - len(chosen))
    # What each shown block has beyond its musts: the rest shared out, the cheapest first.
    extra = _shares([b.cost() - m for b, m in zip(blocks, least, strict=True)], max(0, left))
    rooms = iter([m + e for m, e in zip(least, extra, strict=True)])
    out = [head]
    lines_left = 0
    previous = -1
    for k in chosen:
        _skipped(out, cells[previous + 1 : k])
        for block in cells[k].blocks:
            shown, dropped = block.render(next(rooms))
            out.extend(shown)
            lines_left += dropped
        previous = k
    _skipped(out, cells[previous + 1 :])
    total = sum(len(b.lines) for c in cells for b in c.blocks)
    kept = set(chosen)
    lines_left += sum(len(b.lines) for k, c in enumerate(cells) if k not in kept for b in c.blocks)
    dropped_cells = len(cells) - len(chosen)
    what = f"{lines_left} of {total} lines of the cells' text"
    if dropped_cells:
        what += f" ({dropped_cells} of {len(cells)} cells whole)"
    if lines_left:
        out.append(omitted(what, request.key))
    return restore_failures(text, "\n".join(out))


def _cell(number: int, cell: dict[str, Any]) -> _Cell:
    """A cell read as its source block and its outputs' blocks."""
    kind = str(cell.get("cell_type", "cell"))
    source = _text(next((cell[name] for name in _SOURCES if name in cell), ""))
    lines = [cut_line(line, _WIDE) for line in source.splitlines()]
    if kind == "code":
        count = cell.get("execution_count", cell.get("prompt_number"))
        head = label(f"cell {number}: In {count}" if count is not None else f"cell {number}: code")
    else:
        head = label(f"cell {number}: {kind}")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    must = {i for i, line in enumerate(lines) if _TELLING.match(line) or is_failure(line)}
    blocks = [_Block(head, lines, must | ({first} if first is not None else set()))]
    outputs = cell.get("outputs")
    for out in outputs if isinstance(outputs, list) else ():
        if isinstance(out, dict):
            blocks.append(_output(out, cell.get("execution_count", cell.get("prompt_number"))))
    failing = any(b.head.startswith("[§ error") for b in blocks) or any(
        is_failure(b.lines[i]) for b in blocks for i in b.must
    )
    text = "\n".join(line for b in blocks for line in b.lines)
    return _Cell(number, kind, blocks, failing, text)


def _output(out: dict[str, Any], count: Any) -> _Block:
    """One output: its label (naming its type and what is not shown) and its text's lines."""
    kind = out.get("output_type")
    if kind in _ERRORS:
        name, value = _text(out.get("ename", "")), _text(out.get("evalue", ""))
        frames = out.get("traceback", [])  # its lines, without their line breaks
        frames = "\n".join(_text(f) for f in frames) if isinstance(frames, list) else _text(frames)
        lines = [cut_line(line, _WIDE) for line in frames.splitlines()]
        head = label(f"error: {name}: {value}"[:_WIDE].replace("\n", " "))
        whole = sum(len(line) + 1 for line in lines) <= _ERROR_ROOM
        ends = set(range(min(_HEAD_LINES, len(lines)))) | {len(lines) - 1} if lines else set()
        failing = {i for i, line in enumerate(lines) if is_failure(line)}
        return _Block(head, lines, set(range(len(lines))) if whole else ends | failing)
    if kind == "stream":
        head = label(str(out.get("name", out.get("stream", "stream"))))
        return _shown_text(head, _text(out.get("text", "")))
    bundle = out.get("data")
    if not isinstance(bundle, dict):  # nbformat 3: the formats are the output's own members
        bundle = {
            _V3_MIMES.get(k, _V3_TEXT.get(k, k)): v
            for k, v in out.items()
            if k in _V3_MIMES or k in _V3_TEXT
        }
    shown = next((m for m in _SHOWN if m in bundle), None)
    others = [_described(m, v) for m, v in bundle.items() if m != shown]
    what = f"Out {count}" if kind in _RESULTS and count is not None else str(kind or "output")
    if others:
        what += f"; not shown: {', '.join(others)}"
    return _shown_text(label(what), _text(bundle.get(shown, "")) if shown else "")


def _shown_text(head: str, text: str) -> _Block:
    lines = [cut_line(line, _WIDE) for line in text.splitlines()]
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    must = {i for i, line in enumerate(lines) if is_failure(line)}
    return _Block(head, lines, must | ({first} if first is not None else set()))


def _described(mime: str, value: Any) -> str:
    """An output format not shown, in words: ``image/png 640x480, 23,810 characters``."""
    if not isinstance(value, str) or not _BINARY_MIME.match(mime):
        return f"{mime} ({len(_text(value)):,} characters)"
    try:
        start = value[:32].strip()
        head = base64.b64decode(start + "=" * (-len(start) % 4))
    except ValueError:
        head = b""
    size = f"{len(value):,} characters of base64"
    if mime == "image/png" and head[:8] == _PNG and head[12:16] == b"IHDR":
        width, height = (int.from_bytes(head[at : at + 4], "big") for at in (16, 20))
        return f"{mime} {width}x{height}, {size}"
    return f"{mime}, {size}"


def _text(value: Any) -> str:
    """A notebook string: one string, or a list of lines (each keeping its line break)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(v if isinstance(v, str) else "" for v in value)
    return "" if value is None else str(value)


def _chosen(cells: list[_Cell], budget: int, words: set[str]) -> list[int]:
    """The cells shown: all whose least fits, else failing ones, asked ones, then spread."""
    if sum(c.least() for c in cells) <= budget:
        return list(range(len(cells)))
    first = [k for k, c in enumerate(cells) if c.failing]
    first += [k for k, c in enumerate(cells) if words and any(w in c.text for w in words)]
    # Then the headings, which name the parts; then code cells and their outputs, the
    # notebook's computed facts, and its prose last: each group spread over the notebook.
    groups = [
        [k for k, c in enumerate(cells) if c.kind != "code" and _HEADING.match(c.text)],
        [k for k, c in enumerate(cells) if c.kind == "code"],
        list(range(len(cells))),
    ]
    spread = [group[i] for group in groups for i in _spread(len(group)) if group]
    order = list(dict.fromkeys([*first, *spread]))
    chosen: set[int] = set()
    used = 0
    for k in order:
        cost = cells[k].least() + _GAP
        if used + cost <= budget or (k in first and cells[k].failing):
            chosen.add(k)
            used += cost
    return sorted(chosen)


def _spread(n: int) -> list[int]:
    """0..n-1 in an order that covers the range evenly at every prefix (ends, middle, …)."""
    order = [0, n - 1] if n > 1 else [0]
    parts = [(0, n - 1)]
    while parts:
        nxt = []
        for lo, hi in parts:
            if hi - lo > 1:
                mid = (lo + hi) // 2
                order.append(mid)
                nxt += [(lo, mid), (mid, hi)]
        parts = nxt
    return order


def _skipped(out: list[str], cells: list[_Cell]) -> None:
    """A marker for a run of cells left out, counting them by kind."""
    if not cells:
        return
    kinds = Counter(c.kind for c in cells)
    spelled = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
    span = (
        f"cell {cells[0].number}"
        if len(cells) == 1
        else f"cells {cells[0].number}-{cells[-1].number}"
    )
    out.append(note(f"{len(cells)} {'cells' if len(cells) > 1 else 'cell'} ({span}: {spelled})"))


def _runs(shown: set[int], n: int) -> list[tuple[int, int]]:
    """The runs of indices below ``n`` not in ``shown``, as (start, end) pairs."""
    runs = []
    i = 0
    while i < n:
        if i in shown:
            i += 1
            continue
        j = i
        while j < n and j not in shown:
            j += 1
        runs.append((i, j))
        i = j
    return runs


def _shares(costs: list[int], budget: int) -> list[int]:
    """``budget`` shared out: the cheapest first get what they cost, the rest the same."""
    shares = [0] * len(costs)
    left = budget
    order = sorted(range(len(costs)), key=costs.__getitem__)
    for rank, k in enumerate(order):
        shares[k] = max(0, min(costs[k], left // (len(costs) - rank)))
        left -= shares[k]
    return shares


def _query_words(request: Request) -> set[str]:
    return set(_QUERY_WORD.findall(request.query)) if request.query else set()
