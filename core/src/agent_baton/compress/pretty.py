r"""Python values pretty-printed over several lines: their own lines, items sampled.

``pprint.pformat`` of a tool's result, a dataclass's or a model's repr laid out by ``pprint``
(``Listing(root='/usr/bin',\n        files=[FileStat(path=...),\n ...``): what an agent prints
or quotes of what a tool returned. Python's parser reading the whole text as one expression
of literals and records (calls of keywords alone, reprs such as ``datetime.datetime(...)``)
is the evidence; its tree says on which lines each item of a list stands. The longest list
whose items each start a line is sampled as a table of its records would be
(:func:`~agent_baton.compress.json.choose_records`): its first and last items, the ones the
query matches or that report a failure, the rare ones, then what fits; every other line is
kept byte for byte, and each run of items left out is a ``[… 12 items]`` marker at its place.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right
from itertools import pairwise
from typing import Any

from agent_baton.compress.guarantees import failure_line_starts, restore_failures
from agent_baton.compress.json import as_data, budget_chars, choose_records, compress_repr
from agent_baton.compress.markers import note, omitted
from agent_baton.compress.parsed import (
    NOT_DATA,
    hashable,
    held_collection,
    is_record,
    parse_literal,
    quote_objects,
)
from agent_baton.compress.request import Request

# A list, tuple, dict or set opening, or a record's class and its parenthesis.
_OPENS = re.compile(r"[\[({]|[A-Za-z_][\w.]*\(")
_MAX_CHARS = 20_000_000  # a larger text is not parsed whole
_LEAST_ITEMS = 8  # a shorter list is kept whole
_GAP_SHARE = 10  # what a marker between kept items costs


def compress_python(text: str, request: Request) -> tuple[str, str] | None:
    """A Python value's repr: on one line as data (:func:`compress_repr`), else its lines."""
    return compress_repr(text, request) or compress_pretty(text, request)


def pretty_value(text: str) -> Any:
    """The value of ``text`` if it is a Python value's repr over several lines, else NOT_DATA.

    A list, dict, tuple or set, or a record (a call of keywords alone: a dataclass, a named
    tuple, a pydantic model), with reprs of values inside (``Decimal('1.5')``).
    """
    stripped = text.strip()
    if "\n" not in stripped or len(stripped) > _MAX_CHARS or not _OPENS.match(stripped):
        return NOT_DATA  # parsed only when it opens as a value would: prose fails no parse
    try:
        value = parse_literal(_parsed_form(stripped))
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        return NOT_DATA
    if isinstance(value, list | tuple | set) or (isinstance(value, dict) and value):
        opener = stripped[:1]
        return value if opener in "[({" or is_record(value) else NOT_DATA
    return NOT_DATA


def compress_pretty(text: str, request: Request) -> tuple[str, str] | None:
    """``text``, a Python value over several lines, cut between the items of its longest list.

    None if it is no such value, or no list of it has enough items each on lines of its own.
    """
    if text.strip("\n") != text.strip():
        return None  # an indented first line: the parser's lines would not be the text's
    value = pretty_value(text)
    if value is NOT_DATA:
        return None
    stripped = text.strip()
    tree = ast.parse(_parsed_form(stripped), mode="eval")
    found = _longest_list(tree.body, value)
    if found is None:
        return None
    items, values = found
    lines = stripped.split("\n")
    spans = [(item.lineno - 1, (item.end_lineno or item.lineno) - 1) for item in items]
    budget = budget_chars(len(text), request)
    size = sum(len(line) + 1 for line in lines)
    items_size = sum(len(line) + 1 for line in lines[spans[0][0] : spans[-1][1] + 1])
    room = max(0, budget - (size - items_size))
    records = [v if isinstance(v, dict) else {"value": v} for v in map(as_data, values)]
    failing = _failing_items(stripped, spans)

    def cost(k: int, fields: list[str]) -> int:
        first, last = spans[k]
        return sum(len(line) + 1 for line in lines[first : last + 1]) + _GAP_SHARE

    ends = {0, len(items) - 1}  # they share their lines with the list's brackets
    keep, _, stats = choose_records(records, request, room, cost, always={*ends, *failing})
    kept = sorted({*keep, *ends})
    if (
        len(kept) == len(items)
        or sum(cost(k, []) for k in kept) > len(text) // 2 - size + items_size
    ):
        return None  # its lines outside the list, or the items kept, are most of it: folded
    out = lines[: spans[0][0]]
    previous = -1
    for k in kept:
        if k - previous > 1:
            left = k - previous - 1
            out.append(_indent(lines[spans[k][0]]) + note(f"{left} item{'s' if left > 1 else ''}"))
        first, last = spans[k]
        out.extend(lines[first : last + 1])
        previous = k
    out.extend(lines[spans[-1][1] + 1 :])
    dropped = len(items) - len(kept)
    if stats:
        out.append(note(f"stats over all {len(items)} items: {stats}"))
    out.append(omitted(f"{dropped} of {len(items)} items", request.key))
    return restore_failures(text, "\n".join(out)), "repr:outline+sample"


def _parsed_form(text: str) -> str:
    """``text`` as the parser reads it: a value's repr in angle brackets made a string.

    (``<Color.RED: 1>``, ``<DirEntry 'a.py'>``, as
    :func:`~agent_baton.compress.parsed.literal_value` reads them.) On the lines they stand
    on: the parser's line numbers are the text's.
    """
    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        return quote_objects(text) if "<" in text else text
    return text


def _longest_list(node: ast.expr, value: Any) -> tuple[list[ast.expr], list[Any]] | None:
    """The list (tuple, set) of ``node`` with the most items each starting a line of its own.

    With the items' values, read from ``value`` (the parsed ``node``) by the same path.
    """
    best: tuple[list[ast.expr], list[Any]] | None = None
    stack: list[tuple[ast.expr, Any]] = [(node, value)]
    while stack:
        current, data = stack.pop()
        children: list[tuple[ast.expr, Any]] = []
        if isinstance(current, ast.List | ast.Tuple) and isinstance(data, list | tuple):
            if len(current.elts) == len(data):
                children = list(zip(current.elts, data, strict=True))
                if _on_own_lines(current.elts) and (best is None or len(data) > len(best[0])):
                    best = (list(current.elts), list(data))
        elif isinstance(current, ast.Dict) and isinstance(data, dict):
            children = [
                (v, data[k.value])
                for k, v in zip(current.keys, current.values, strict=True)
                if isinstance(k, ast.Constant) and hashable(k.value) and k.value in data
            ]
        elif isinstance(current, ast.Call) and isinstance(data, dict) and is_record(data):
            children = [(k.value, data[k.arg]) for k in current.keywords if k.arg in data]
            held = held_collection(current)  # a collection's items: deque([...])
            if held is not None and "items" in data:
                children.append((held, data["items"]))
        stack.extend(children)
    return best


def _on_own_lines(items: list[ast.expr]) -> bool:
    """Whether there are enough items and each starts on a line after the previous one ends."""
    if len(items) < _LEAST_ITEMS:
        return False
    return all(
        item.lineno > (before.end_lineno or before.lineno) for before, item in pairwise(items)
    )


def _failing_items(text: str, spans: list[tuple[int, int]]) -> set[int]:
    """The items holding a line that reports a failure."""
    starts = failure_line_starts(text)
    if not starts:
        return set()
    firsts = [first for first, _ in spans]
    found = set()
    line, counted = 0, 0
    for start in starts:  # ascending: the line breaks before each are counted once
        line += text.count("\n", counted, start)
        counted = start
        k = bisect_right(firsts, line) - 1
        if k >= 0 and line <= spans[k][1]:
            found.add(k)
    return found


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]
