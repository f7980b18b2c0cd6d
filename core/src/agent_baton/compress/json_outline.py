"""Pretty-printed JSON: its own lines, byte for byte, with a marker where items were left out.

A document that spans lines (``json.dumps(indent=2)``, an API's pretty output, one record a
line) is read twice: parsed, to know its arrays of records and what is rare in them, and
line by line, bracket by bracket, to know which lines each member and item stands on (a
JSON string never spans lines). A long array keeps the items a sampled table would keep as
rows (:func:`~agent_baton.compress.json.choose_records`): the first whole, as the example of
the others; whole, the ones the query matches or that report a failure; the rare ones and
the first ones by the lines of their telling fields (an identifier, the rare value). Every
run of items or lines left out is a ``[… 12 items]`` or ``[… 5 lines]`` marker at its place.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

from agent_baton.compress.guarantees import (
    failure_candidates,
    is_failure,
    restore_failures,
)
from agent_baton.compress.json import (
    choose_records,
    is_keyed_records,
    is_noise,
    is_records,
    is_telling,
    keyed_rows,
)
from agent_baton.compress.markers import is_marker, note, omitted
from agent_baton.compress.prose import cut_line
from agent_baton.compress.request import Request

_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*+"')
_BRACKET = re.compile(r"[\[\]{}]")
_CLOSERS = re.compile(r"[\s,\]}]*")
_CLOSING = re.compile(r"[ \t]*[\]}][\]},]*[ \t]*")
_GAP_SHARE = 10  # what the markers between kept records cost each (not all have one)
_HEAD_ITEMS = 3  # a long list of plain values keeps its first items and its last
_WIDE = 400  # a longer line is cut to its start and a marker
_BRIEF_WIDE = 160  # in a record shown by its telling fields
_SMALL = 200  # a list or object field of a record shown by its fields: whole up to this


@dataclass(slots=True)
class _Node:
    """A member or item of the document and the lines it stands on (``end`` included).

    ``entries`` are the members or items of a container whose lines are its own (it opens
    at the end of its first line and closes at the start of its last); None for a value on
    one line.
    """

    start: int
    end: int
    entries: list[_Node] | None = None


def outline_json(text: str, data: Any, request: Request, budget: int) -> str | None:
    """``text``, a JSON document ``data`` over several lines, cut to about ``budget`` chars.

    None when its lines do not follow its structure (two values on one line, a container
    closing where another opens), so that they cannot be cut between values.
    """
    lines = text.split("\n")
    root = _tree(lines)
    if root is None:
        return None
    # One scan finds the lines that may report a failure; only those are tested. (A line
    # holding one in a string over several lines is no reason to keep its record: pip
    # inspect's descriptions hold many; what is cut of them comes back below.)
    failing = [i for i in failure_candidates(text, lines) if is_failure(lines[i])]
    outline = _Outline(lines, request, failing)
    out = outline.render(root, data, budget)
    summary = [omitted(outline.summary(out), request.key)] if any(outline.left_out.values()) else []
    # A failure line of a string value cut out comes back, unescaped, at its place.
    return "\n".join([restore_failures(text, "\n".join(out)), *summary])


def _tree(lines: list[str]) -> _Node | None:
    """The document's members and items with their lines; None if its lines do not nest."""
    root: _Node | None = None
    stack: list[_Node] = []
    for i, line in enumerate(lines):
        if stack and not _BRACKET.search(line):
            if line.strip():  # a value on its line (most lines): no bracket to read
                entries = stack[-1].entries
                assert entries is not None
                entries.append(_Node(i, i))
            continue
        bare = _STRING.sub('""', line)
        closing = _CLOSERS.match(bare)
        head = closing.group() if closing else ""
        for _ in range(head.count("]") + head.count("}")):
            if not stack:
                return None
            stack.pop().end = i
        body = bare[len(head) :].rstrip(" \t\r,")
        if not body:
            continue
        if not stack and root is not None:
            return None  # more after the document
        depth = body.count("{") + body.count("[") - body.count("}") - body.count("]")
        opening = body.replace(" ", "")[-depth:] if depth > 0 else ""
        if depth < 0 or opening.strip("[{") or (depth > 1 and opening[:-1].strip("[")):
            return None  # a container closing after a value, or opening before one
        # ``"children": [{`` opens a list and its first item: a node each, on one line.
        for level in range(max(1, depth)):
            node = _Node(i, i, [] if depth else None)
            if stack:
                entries = stack[-1].entries
                assert entries is not None
                entries.append(node)
            elif root is None and not level:
                root = node
            if node.entries is not None:
                stack.append(node)
    return root if root is not None and not stack else None


class _Outline:
    """Renders nodes of one document as its kept lines and markers."""

    def __init__(self, lines: list[str], request: Request, failing: list[int]) -> None:
        self.lines = lines
        self.request = request
        self.failing = failing  # the lines that report a failure, ascending
        self.starts = [0]
        for line in lines:
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.left_out: dict[str, int] = {}

    def failures_in(self, node: _Node) -> list[int]:
        """The lines of ``node`` that report a failure."""
        first = bisect_left(self.failing, node.start)
        return self.failing[first : bisect_right(self.failing, node.end)]

    def _indent(self, node: _Node) -> str:
        line = self.lines[node.start]
        return line[: len(line) - len(line.lstrip())]

    def cost(self, node: _Node) -> int:
        return self.starts[node.end + 1] - self.starts[node.start]

    def summary(self, out: list[str]) -> str:
        """The closing marker's words, ``43 of 101 lines (15 items)``, as other kinds count.

        Of the whole, not of a place: the markers at the places count lines and items apart.
        """
        total = sum(1 for line in self.lines if line.strip())
        kept = sum(1 for line in out if line.strip() and not is_marker(line))
        items = [f"{k} {_plural(u, k)}" for u, k in self.left_out.items() if k and u != "lines"]
        return f"{total - kept} of {total} lines" + (f" ({', '.join(items)})" if items else "")

    def render(self, node: _Node, value: Any, budget: int) -> list[str]:
        if self.cost(node) <= budget:
            return self.lines[node.start : node.end + 1]
        entries = node.entries
        if entries is None:
            return [cut_line(line, max(_WIDE, budget)) for line in self._span(node)]
        if not isinstance(value, (dict, list)) or len(entries) != len(value):
            return self._cut(node, budget)  # duplicate keys: the parse and the lines differ
        if is_records(value) or is_keyed_records(value):
            return self._records(node, value, budget)
        children = list(value.values()) if isinstance(value, dict) else value
        if isinstance(value, list) and len(value) > _HEAD_ITEMS + 2:
            return self._items(node, children, budget)
        names = [str(k) for k in value] if isinstance(value, dict) else [""] * len(value)
        return self._members(node, names, children, budget)

    def _span(self, node: _Node) -> list[str]:
        return self.lines[node.start : node.end + 1]

    def _frame(self, node: _Node, inner: list[str]) -> list[str]:
        """``inner`` between the node's first and last lines (unless its items hold them)."""
        entries = node.entries or []
        head = [] if entries and entries[0].start == node.start else [self.lines[node.start]]
        tail = [] if entries and entries[-1].end == node.end else [self.lines[node.end]]
        return [*head, *inner, *tail]

    def _members(self, node: _Node, names: list[str], values: list[Any], budget: int) -> list[str]:
        """Members: the one-line ones (not noise), then the larger sharing what is left."""
        entries = node.entries or []
        left = budget - len(self.lines[node.start]) - len(self.lines[node.end])
        leaves = [k for k, e in enumerate(entries) if e.entries is None]
        if sum(self.cost(entries[k]) for k in leaves) > left // 2:
            # Too many to keep: the noise goes first, then what does not fit in half.
            plain = [k for k in leaves if not is_noise(names[k], values[k])]
            kept_leaves: set[int] = set()
            for k in plain:
                if self.cost(entries[k]) <= left // 2 or not kept_leaves:
                    kept_leaves.add(k)
                    left -= self.cost(entries[k])
        else:
            kept_leaves = set(leaves)
            left -= sum(self.cost(entries[k]) for k in leaves)
        nested = sorted(
            (k for k, e in enumerate(entries) if e.entries is not None),
            key=lambda k: self.cost(entries[k]),
        )
        shares: dict[int, int] = {}
        for rank, k in enumerate(nested):
            shares[k] = max(0, min(self.cost(entries[k]), left // (len(nested) - rank)))
            left -= shares[k]
        # A member on the node's own first or last line (``[{``) stays with that line.
        edges = {k for k in (0, len(entries) - 1) if entries[k].start == node.start}
        edges.update(k for k in (0, len(entries) - 1) if entries[k].end == node.end)
        inner: list[str] = []
        gap: list[_Node] = []
        for k, (entry, value) in enumerate(zip(entries, values, strict=True)):
            if (
                k in kept_leaves
                or k in edges
                or (k in shares and shares[k] >= min(60, self.cost(entry)))
            ):
                self._gap(inner, gap, "lines")
                gap = []
                inner.extend(
                    self.render(entry, value, shares[k]) if k in shares else self._span(entry)
                )
            else:
                gap.extend(self._nodes_lines(entry))
        self._gap(inner, gap, "lines")
        return self._frame(node, inner)

    def _nodes_lines(self, node: _Node) -> list[_Node]:
        """A node's lines, one leaf node each (what a ``[… n lines]`` marker counts)."""
        return [_Node(i, i) for i in range(node.start, node.end + 1)]

    def _items(self, node: _Node, values: list[Any], budget: int) -> list[str]:
        """A long list of values: its first and last, and those the query or a failure names."""
        entries = node.entries or []
        n = len(entries)
        words = _query_words(self.request)
        keep = {*range(_HEAD_ITEMS), n - 1}
        keep.update(k for k, e in enumerate(entries) if self._telling(e, words))
        used = sum(self.cost(entries[k]) for k in keep)
        for k in range(_HEAD_ITEMS, n):
            if used + self.cost(entries[k]) > budget:
                break
            keep.add(k)
            used += self.cost(entries[k])
        share = max(200, budget // max(1, len(keep)))
        return self._frame(node, self._sampled(entries, values, sorted(keep), share, "items"))

    def _telling(self, node: _Node, words: set[str]) -> bool:
        span = self._span(node)
        return bool(self.failures_in(node)) or bool(
            words and any(w in line for line in span for w in words)
        )

    def _sampled(
        self, entries: list[_Node], values: list[Any], keep: list[int], share: int, unit: str
    ) -> list[str]:
        inner: list[str] = []
        previous = -1
        for k in keep:
            self._gap(inner, entries[previous + 1 : k], unit)
            inner.extend(self.render(entries[k], values[k], share))
            previous = k
        self._gap(inner, entries[previous + 1 :], unit)
        return inner

    def _gap(self, inner: list[str], skipped: list[_Node], unit: str) -> None:
        if skipped:
            count = len(skipped)
            self.left_out[unit] = self.left_out.get(unit, 0) + count
            inner.append(self._indent(skipped[0]) + note(f"{count} {_plural(unit, count)}"))

    def _records(self, node: _Node, value: dict[str, Any] | list[Any], budget: int) -> list[str]:
        """An array (or an object keyed by name) of records, sampled as a table's rows."""
        entries = node.entries or []
        if isinstance(value, dict):
            records = keyed_rows(value)
            values = list(value.values())
        else:
            records = [v if isinstance(v, dict) else {"value": v} for v in value]
            values = value
        failing = {k for k, e in enumerate(entries) if self.failures_in(e)}
        example = min(self.cost(entries[0]), budget // 4)
        whole = max(200, budget // 4)  # what a record kept whole may take
        room = budget // min(len(entries), 20)  # what telling fields may add to a record
        briefs: dict[int, tuple[list[str], int]] = {}

        def cost(k: int, fields: list[str]) -> int:
            if k in failing:
                return min(self.cost(entries[k]), whole)
            briefs[k] = self._brief(entries[k], values[k], set(fields), room)
            # With its share of the ``[… n items]`` markers between kept records.
            return sum(len(line) + 1 for line in briefs[k][0]) + _GAP_SHARE

        keep, matched, stats = choose_records(
            records, self.request, max(0, budget - example), cost, always=failing
        )
        inner: list[str] = []
        previous = -1
        for k in keep:
            self._gap(inner, entries[previous + 1 : k], "items")
            if k == 0 or k in matched or k in failing or k not in briefs:
                # What the query asks for may take half the room, the example a quarter.
                share = max(example, budget // 2) if k in matched else whole if k else example
                inner.extend(self.render(entries[k], values[k], share))
            else:
                brief, left = briefs[k]
                inner.extend(brief)
                self.left_out["lines"] = self.left_out.get("lines", 0) + left
            previous = k
        self._gap(inner, entries[previous + 1 :], "items")
        if stats and len(keep) < len(entries):
            inner.append(
                self._indent(entries[0]) + note(f"stats over all {len(entries)} items: {stats}")
            )
        return self._frame(node, inner)

    def _brief(self, node: _Node, value: Any, fields: set[str], room: int) -> tuple[list[str], int]:
        """A record by the lines of ``fields`` (and of the objects holding them); lines cut."""
        if node.entries is None or not isinstance(value, dict):
            return [cut_line(line, _WIDE) for line in self._span(node)], 0  # a record a line
        kept: set[int] = {node.start, node.end}
        self._field_lines(node, value, fields, "", kept)
        # Then the lines that name or describe it, nested ones too (a response's id), in
        # order while they fit.
        used = sum(len(self.lines[i]) + 1 for i in kept)
        for i, parent in self._telling_lines(node, value):
            if i not in kept and used + len(self.lines[i]) + 1 <= room:
                kept.update((i, parent))
                used += len(self.lines[i]) + len(self.lines[parent]) + 2
        kept.update(self.failures_in(node))
        out: list[str] = []
        gap = left = 0
        for i in range(node.start, node.end + 1):
            if i in kept or (gap == 0 and _CLOSING.fullmatch(self.lines[i])):
                # A closing line after a kept one costs less than a marker for it.
                if gap:
                    out.append(self._lines_left_out(i - gap, gap))
                    left += gap
                    gap = 0
                out.append(cut_line(self.lines[i], _BRIEF_WIDE))
            else:
                gap += 1
        return out, left

    def _telling_lines(self, node: _Node, value: dict[str, Any]) -> list[tuple[int, int]]:
        """(line, line of its object) of the short fields naming or describing a record.

        The record's own, and its objects' one level down (a response's id).
        """
        found: list[tuple[int, int]] = []
        if len(node.entries or []) != len(value):
            return found  # duplicate keys: the parse and the lines differ
        for entry, (key, child) in zip(node.entries or [], value.items(), strict=True):
            if entry.entries is None:
                if self._tells(entry, str(key), child):
                    found.append((entry.start, node.start))
            elif isinstance(child, dict) and len(entry.entries) == len(child):
                found.extend(
                    (inner.start, entry.start)
                    for inner, (name, v) in zip(entry.entries, child.items(), strict=True)
                    if inner.entries is None and self._tells(inner, str(name), v)
                )
        return found

    def _tells(self, entry: _Node, name: str, value: Any) -> bool:
        return (
            is_telling(name)
            and not isinstance(value, (dict, list))
            and not is_noise(name, value)
            and len(self.lines[entry.start]) <= _BRIEF_WIDE
        )

    def _field_lines(
        self, node: _Node, value: dict[str, Any], fields: set[str], prefix: str, kept: set[int]
    ) -> bool:
        found = False
        entries = node.entries or []
        if len(entries) != len(value):
            return False
        for entry, (key, child) in zip(entries, value.items(), strict=True):
            name = f"{prefix}{key}"
            if name in fields:
                if entry.entries is None:
                    kept.add(entry.start)
                elif self.cost(entry) <= _SMALL:  # a short list or object: whole, else none
                    kept.update(range(entry.start, entry.end + 1))
                else:
                    continue
                found = True
            elif (
                entry.entries is not None
                and isinstance(child, dict)
                and self._field_lines(entry, child, fields, f"{name}.", kept)
            ):
                kept.add(entry.start)
                found = True
        return found

    def _cut(self, node: _Node, budget: int) -> list[str]:
        """A node read by lines alone: its first lines that fit, a marker, its last line."""
        span = self._span(node)
        out: list[str] = []
        used = len(span[-1])
        for line in span[:-1]:
            if used + len(line) + 1 > budget:
                break
            out.append(line)
            used += len(line) + 1
        left = len(span) - 1 - len(out)
        if left:
            self.left_out["lines"] = self.left_out.get("lines", 0) + left
            out.append(self._lines_left_out(node.start + len(out), left))
        return [*out, span[-1]]

    def _lines_left_out(self, first: int, count: int) -> str:
        """``[… 5 lines]``, indented as the first line it stands for."""
        line = self.lines[first]
        return line[: len(line) - len(line.lstrip())] + note(f"{count} {_plural('lines', count)}")


def _plural(unit: str, count: int) -> str:
    return unit if count != 1 else unit[:-1]


def _query_words(request: Request) -> set[str]:
    if not request.query:
        return set()
    return {w for w in re.findall(r"[\w.@/-]{3,}", request.query)}
