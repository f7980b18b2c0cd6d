"""Pretty-printed JSON: its own lines, byte for byte, with a marker where items were left out.

A document that spans lines (``json.dumps(indent=2)``, an API's pretty output, one record a
line) is read twice: parsed, to know its arrays of records and what is rare in them, and
line by line, bracket by bracket, to know which lines each member and item stands on (a
JSON string never spans lines). A long array keeps the items a sampled table would keep as
rows (:func:`~agent_baton.compress.json.choose_records`): the first whole, as the example of
the others; whole, the ones the query matches or that report a failure; the rare ones and
the first ones by the lines of their telling fields (an identifier, the rare value). Every
run of items or lines left out is a ``[… 12 items]`` or ``[… 5 lines]`` marker at its place.
A key path the query spells (``check_run.app.permissions.pages``, ``items[0].name``) keeps
that value's lines and those of the containers around it; a map of names to versions (a
manifest's dependencies) names in its markers the members they stand for.

The lines are found where they are needed: one pass over the lines that hold a bracket
checks that the document's lines nest and finds its top-level items; a member's or an item's
own members are read from its lines when it is cut or kept, so a document of a million
records is neither split into lines nor held as a node per line.

"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from itertools import accumulate, repeat
from typing import Any

from agent_baton.compress.guarantees import failure_line_starts, restore_failures
from agent_baton.compress.json import (
    choose_records,
    is_keyed_records,
    is_link,
    is_noise,
    is_records,
    is_short_id,
    is_telling,
    keyed_rows,
)
from agent_baton.compress.lines import OTHER_BREAKS, line_count
from agent_baton.compress.markers import is_marker, note, omitted
from agent_baton.compress.prose import cut_line
from agent_baton.compress.request import Request
from agent_baton.compress.sarif import finding_starts
from agent_baton.search import STOPWORDS

_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*+"')
_BRACKET = re.compile(r"[\[\]{}]")
_VALUE_LINE = re.compile(r"^[ \t\r]*[^ \t\r\n].*", re.MULTILINE)  # a line that is not blank
_BLANK_LINE = re.compile(r"^[ \t\r]*$", re.MULTILINE)  # JSON has no other blanks
_BLANK_BETWEEN = re.compile(r"\n[ \t\r]*\n")  # a blank line, found by the breaks around it
# Found by the line feed before it: "^" would be tried at every character of a large text.
_BLANK_AFTER_BREAK = re.compile(r"\n[ \t\r]*$", re.MULTILINE)
_PATH_SPLIT = re.compile(r"[.\[\]]+")  # between a key path's keys
_CLOSERS = re.compile(r"[\s,\]}]*")
_CLOSING = re.compile(r"[ \t]*[\]}][\]},]*[ \t]*")
_SHAPES = 4096  # line shapes remembered per document: it repeats its bracket lines
_GAP_SHARE = 10  # what the markers between kept records cost each (not all have one)
_HEAD_ITEMS = 3  # a long list of plain values keeps its first items and its last
_ASKED_MOST = 5  # a query word the text holds more often than this names no one member
_ASKED_SCAN = 1 << 24  # how far into the text a query word is counted
_PATH_KEYS = 8  # outer keys dropped at most from a query's dotted path the text lacks
_WIDE = 400  # a longer line is cut to its start and a marker
_LEAST_SHARE = 60  # characters a nested member needs of a budget to be shown at all
_BRIEF_WIDE = 160  # in a record shown by its telling fields
_SMALL = 200  # a list or object field of a record shown by its fields: whole up to this
_NAMES_SHARE = 8  # a keyed object's markers may name its left-out members in 1/8 of its budget
_LISTED_LEAST = 2  # members of a map of names to versions whose markers name them
_VERSION_CHARS = 80  # a version (range) is no longer

# What a line does to the nesting: the containers it closes first, those it opens last, and
# whether it holds a value (a container it opens, or a value on its line).
_Shape = tuple[int, int, bool]


@dataclass(slots=True)
class _Node:
    """A member or item of the document and the lines it stands on.

    ``first`` and ``last`` are its lines' numbers, ``at`` and ``until`` where they start and
    end in the text (``until`` at the last one's line break, or the text's end). ``level``
    is -1 for a value on one line; for a container whose lines are its own (it opens at the
    end of its first line and closes at the start of its last), which of the containers
    opening on its first line it is (``"children": [{`` opens a list, 0, and its first item,
    1). ``entries``, its members or items, are read when first asked for.
    """

    first: int
    last: int
    at: int
    until: int
    level: int
    entries: _Entries | None = None


class _Entries:
    """A container's members or items and their lines, packed: a document may hold millions."""

    __slots__ = ("at", "first", "last", "level", "until")

    def __init__(self) -> None:
        self.first = array("q")
        self.last = array("q")
        self.at = array("q")
        self.until = array("q")
        self.level = array("i")

    def __len__(self) -> int:
        return len(self.first)

    def add(self, line: int, at: int, until: int, level: int) -> None:
        """One more, starting on line ``line`` (a container's end is set when it closes)."""
        self.first.append(line)
        self.last.append(line)
        self.at.append(at)
        self.until.append(until)
        self.level.append(level)

    def node(self, k: int) -> _Node:
        return _Node(self.first[k], self.last[k], self.at[k], self.until[k], self.level[k])

    def cost(self, k: int) -> int:
        """The characters of its lines, line breaks included."""
        return self.until[k] - self.at[k] + 1


def outline_json(text: str, data: Any, request: Request, budget: int) -> str | None:
    """``text``, a JSON document ``data`` over several lines, cut to about ``budget`` chars.

    None when its lines do not follow its structure (two values on one line, a container
    closing where another opens), so that they cannot be cut between values.
    """
    shapes: dict[str, _Shape | None] = {}
    top = _scan(text, None, shapes)
    if top is None:
        return None
    # One scan finds the lines that may report a failure; only those are tested. (A line
    # holding one in a string over several lines is no reason to keep its record: pip
    # inspect's descriptions hold many; what is cut of them comes back below.)
    outline = _Outline(text, request, shapes, finding_starts(text, data))
    outline.targets = sorted(outline.spelled(top, data))
    out = outline.render(top, data, budget)
    summary = [omitted(outline.summary(out), request.key)] if any(outline.left_out.values()) else []
    # A failure line of a string value cut out comes back, unescaped, at its place. (None
    # can be lost without a failure line or a string over several lines: restore_failures
    # splits the document into lines, a large one's peak memory.)
    body = "\n".join(out)
    if outline.failing or "\\n" in text or OTHER_BREAKS.search(text):
        body = restore_failures(text, body)
    return "\n".join([body, *summary])


def _scan(text: str, parent: _Node | None, shapes: dict[str, _Shape | None]) -> _Node | None:
    """``parent`` with its members or items (``entries``) read from its lines.

    When None, the document's top value so read, or None if the document's lines do not
    nest. Only the lines holding a bracket change the nesting; the others are read only
    where they are entries (a value on its line, directly inside the node): one search
    passes over a deeper item's lines. ``shapes`` remembers what lines do (:func:`_shape`).
    """
    node, entries = parent, _Entries()
    pos, end, number, depth = 0, len(text), 0, 0  # depth: 1 inside the node, 2 in an entry
    if parent is not None:
        # Its first line: the openings after its own open its first entry (``[{``).
        eol = text.find("\n", parent.at, parent.until)
        first = text[parent.at : eol]
        shape = shapes[first] if first in shapes else _shape(first)
        assert shape is not None and eol >= 0  # a container ends on a later line
        depth = shape[1] - parent.level
        if depth > 1:
            entries.add(parent.first, parent.at, -1, parent.level + 1)
        pos, end, number = eol + 1, parent.until, parent.first + 1
    # Bound once: the loop runs once per line holding a bracket, of every depth.
    search, find, rfind, count = _BRACKET.search, text.find, text.rfind, text.count
    while pos <= end:
        found = search(text, pos, end)
        start = end if found is None else rfind("\n", pos, found.start()) + 1 or pos
        if pos < start and depth <= 1:
            if depth == 1 and _value_lines(text, pos, start, number, entries):
                number += count("\n", pos, start)  # every line a member's or item's own
                pos = start
            else:  # values on their lines: entries, or the top value
                for value in _VALUE_LINE.finditer(text, pos, start):
                    number += count("\n", pos, value.start())
                    pos = value.start()
                    if depth:
                        entries.add(number, pos, value.end(), -1)
                    elif node is not None:
                        return None  # more after the document
                    else:
                        node = _Node(number, number, pos, value.end(), -1)
        if found is None:
            break
        if pos < start:
            number += count("\n", pos, start)
        eol = find("\n", found.end(), end)
        if eol < 0:
            eol = end
        line = text[start:eol]
        if line in shapes:
            shape = shapes[line]
        else:
            shape = _shape(line)
            if len(shapes) < _SHAPES:
                shapes[line] = shape
        if shape is None or (parent is None and shape[0] > depth):
            return None  # or it closes what was never opened
        closes, opens, holds = shape
        if depth > 1 >= depth - closes:
            entries.last[-1], entries.until[-1] = number, eol  # the open entry ends here
        if depth and closes >= depth:  # the node's last line
            if parent is not None:
                break  # what the line opens after it is not the node's
            assert node is not None
            node.last, node.until = number, eol
        depth = depth - closes if closes < depth else 0
        if holds:
            if depth == 0 and node is not None:
                return None  # more after the document
            if depth == 0:
                node = _Node(number, number, start, eol if not opens else -1, 0 if opens else -1)
            elif depth == 1 and not opens:
                entries.add(number, start, eol, -1)
            if depth <= 1 < depth + opens:  # it opens an entry (and what is in it)
                entries.add(number, start, -1, 1 - depth)
            depth += opens
        pos, number = eol + 1, number + 1
    if node is None or (depth and parent is None):
        return None  # an unfinished document
    if node.level >= 0:
        node.entries = entries
    return node


def _value_lines(text: str, pos: int, start: int, number: int, entries: _Entries) -> bool:
    """Adds the lines from ``pos`` to ``start`` (line starts) as entries, all at once.

    Each a value on its line, numbered from ``number``. False, adding none, when one is blank
    (not an entry): then they are read one by one. Lengths summed in C, not a loop per line:
    a record's members are most of a document's lines.
    """
    if not (0 < pos < start and text[pos - 1] == text[start - 1] == "\n"):
        return False
    if text.find("\n", pos, start - 1) < 0:  # one line (between two containers' lines)
        if not text[pos : start - 1].strip(" \t\r"):
            return False
        entries.add(number, pos, start - 1, -1)
        return True
    if _BLANK_BETWEEN.search(text, pos - 1, start):
        return False
    # Where each line's break is: the one before it, its length and one.
    steps = map((1).__add__, map(len, text[pos : start - 1].split("\n")))
    ends = list(accumulate(steps, initial=pos - 1))
    k = len(ends) - 1
    entries.first.extend(range(number, number + k))
    entries.last.extend(range(number, number + k))
    entries.at.extend(map((1).__add__, ends[:-1]))
    entries.until.extend(ends[1:])
    entries.level.extend(repeat(-1, k))
    return True


def _shape(line: str) -> _Shape | None:
    """What ``line`` does to the nesting (see :data:`_Shape`).

    None if a container closes after a value on it or opens before one.
    """
    bare = _STRING.sub('""', line)
    closing = _CLOSERS.match(bare)
    head = closing.group() if closing else ""
    closes = head.count("]") + head.count("}")
    body = bare[len(head) :].rstrip(" \t\r,")
    if not body:
        return closes, 0, False
    depth = body.count("{") + body.count("[") - body.count("}") - body.count("]")
    opening = body.replace(" ", "")[-depth:] if depth > 0 else ""
    if depth < 0 or opening.strip("[{") or (depth > 1 and opening[:-1].strip("[")):
        return None
    return closes, depth, True


class _Outline:
    """Renders nodes of one document as its kept lines and markers."""

    def __init__(
        self,
        text: str,
        request: Request,
        shapes: dict[str, _Shape | None],
        findings: list[int],
    ) -> None:
        self.text = text
        self.request = request
        self.shapes = shapes
        # A static analyzer's findings are kept as failures are (SARIF's results), but a
        # record holding only them is shown by its lines, not whole (its fixes are long).
        failures = failure_line_starts(text)
        self.failing = _line_numbers(text, sorted({*failures, *findings}))  # ascending
        self.reported = _line_numbers(text, failures) if findings else self.failing
        self.findings = set(_line_numbers(text, findings))
        self.left_out: dict[str, int] = {}
        # Its lines are str.splitlines' (as every reader's): a string value may hold a line
        # separator besides its line feeds (U+2028, NEL), which then splits its JSON line.
        self.other_breaks = OTHER_BREAKS.search(text) is not None
        self.naming = _naming_words(text, request)
        self.targets: list[int] = []  # where the lines of the values the query spells start
        self._read: dict[tuple[int, int], _Entries] = {}  # containers' entries, by where
        self._telling: dict[str, bool] = {}  # field names that tell a record (is_telling)

    def weight(self, line: str) -> int:
        """How many lines one of the document's JSON lines is."""
        return max(1, line_count(line)) if self.other_breaks else 1

    def lines_of(self, at: int, until: int) -> int:
        """How many lines the JSON lines from offset ``at`` to ``until`` are."""
        return max(1, line_count(self.text, at, until))

    def entries(self, node: _Node) -> _Entries:
        """The members or items of a container, read from its lines the first time.

        Once per container, not per node made for it: a record is read to cost it, then
        again to show it (and its objects twice for each).
        """
        if node.entries is None:
            key = (node.at, node.level)  # where it opens says which container it is
            node.entries = self._read.get(key)
            if node.entries is None:
                _scan(self.text, node, self.shapes)
                assert node.entries is not None  # a container's, as the document's lines nest
                self._read[key] = node.entries
        return node.entries

    def failures_in(self, first: int, last: int) -> list[int]:
        """The lines from ``first`` to ``last`` that report a failure."""
        start = bisect_left(self.failing, first)
        return self.failing[start : bisect_right(self.failing, last)]

    def targeted(self, entries: _Entries) -> set[int]:
        """The entries holding the line of a value whose path the query spells."""
        return _holding(entries.at, entries.until, self.targets)

    def spelled(self, top: _Node, data: Any) -> set[int]:
        """Where the values whose key paths the query spells start (``spec.containers[0].image``).

        A path may start with keys around the document (``payload.issue.id``): a few outer
        keys it does not hold are passed over.
        """
        found: set[int] = set()
        for path in _spelled_paths(self.request):
            for skip in range(min(len(path) - 2, _PATH_KEYS) + 1):
                at = self._walk(top, data, path[skip:])
                if at is not None:
                    found.add(at)
                    break
        return found

    def _walk(self, node: _Node, value: Any, path: list[str]) -> int | None:
        """Where the value at ``path`` under ``node`` (holding ``value``) starts, if it is there."""
        i = 0
        while i < len(path):
            if node.level < 0:  # a container on one line holds what it holds on that line
                return node.at if isinstance(value, (dict, list)) else None
            entries = self.entries(node)
            if isinstance(value, dict) and len(entries) == len(value):
                # The longest run of the path's parts that is a key: "time.3.6.0".
                j = next((j for j in range(len(path), i, -1) if ".".join(path[i:j]) in value), i)
                if j == i:
                    return None
                key: str | int = ".".join(path[i:j])
                k = next(n for n, name in enumerate(value) if name == key)
            elif isinstance(value, list) and len(entries) == len(value) and path[i].isdigit():
                k, j = int(path[i]), i + 1
                if k >= len(value):
                    return None
                key = k
            else:
                return None
            node, value, i = entries.node(k), value[key], j
        return node.at

    def failing_entries(self, entries: _Entries, reported: bool = False) -> set[int]:
        """The entries holding a line that reports a failure (or a finding, unless ``reported``)."""
        return _holding(entries.first, entries.last, self.reported if reported else self.failing)

    def cost(self, node: _Node) -> int:
        return node.until - node.at + 1

    def first_line(self, node: _Node) -> str:
        end = self.text.find("\n", node.at, node.until)
        return self.text[node.at : node.until if end < 0 else end]

    def last_line(self, node: _Node) -> str:
        return self.text[self.text.rfind("\n", node.at, node.until) + 1 or node.at : node.until]

    def span(self, node: _Node) -> list[str]:
        return self.text[node.at : node.until].split("\n")

    def summary(self, out: list[str]) -> str:
        """The closing marker's words, ``43 of 101 lines (15 items)``, as other kinds count.

        Of the whole, not of a place: the markers at the places count lines and items apart.
        """
        if self.other_breaks:
            total = sum(1 for line in self.text.splitlines() if line.strip())
        else:
            blank = bool(_BLANK_LINE.match(self.text)) + sum(
                1 for _ in _BLANK_AFTER_BREAK.finditer(self.text)
            )
            total = self.text.count("\n") + 1 - blank
        kept = sum(self.weight(line) for line in out if line.strip() and not is_marker(line))
        items = [f"{k} {_plural(u, k)}" for u, k in self.left_out.items() if k and u != "lines"]
        return f"{total - kept} of {total} lines" + (f" ({', '.join(items)})" if items else "")

    def render(self, node: _Node, value: Any, budget: int) -> list[str]:
        if self.cost(node) <= budget:
            return self.span(node)
        if node.level < 0:
            return [cut_line(line, max(_WIDE, budget)) for line in self.span(node)]
        entries = self.entries(node)
        if not isinstance(value, (dict, list)) or len(entries) != len(value):
            return self._cut(node, budget)  # duplicate keys: the parse and the lines differ
        if is_records(value) or is_keyed_records(value):
            return self._records(node, entries, value, budget)
        children = list(value.values()) if isinstance(value, dict) else value
        if isinstance(value, list) and len(value) > _HEAD_ITEMS + 2:
            return self._items(node, entries, children, budget)
        names = [str(k) for k in value] if isinstance(value, dict) else [""] * len(value)
        return self._members(node, entries, names, children, budget)

    def _frame(self, node: _Node, entries: _Entries, inner: list[str]) -> list[str]:
        """``inner`` between the node's first and last lines (unless its items hold them)."""
        head = [] if entries and entries.first[0] == node.first else [self.first_line(node)]
        tail = [] if entries and entries.last[-1] == node.last else [self.last_line(node)]
        return [*head, *inner, *tail]

    def _members(
        self, node: _Node, entries: _Entries, names: list[str], values: list[Any], budget: int
    ) -> list[str]:
        """Members: the one-line ones (not noise), then the larger sharing what is left."""
        left = budget - len(self.first_line(node)) - len(self.last_line(node))
        asked = self._asked(entries)
        # A map of versions is shown, if only by the names in its marker (unless a token
        # budget is to be filled: it fills it with lines).
        free = self.request.max_tokens is None
        asked.update(
            k
            for k, value in enumerate(values)
            if free
            and entries.level[k] >= 0
            and isinstance(value, dict)
            and _versions(value.values())
        )
        leaves = [k for k in range(len(entries)) if entries.level[k] < 0]
        if sum(entries.cost(k) for k in leaves) > left // 2:
            # Too many to keep: the noise goes first, then what does not fit in half. A
            # record's one link where no short id names it (a search result's url) is where
            # it is found, not noise: the noise is an API record's dozen link siblings.
            links = [k for k in leaves if is_link(values[k])]
            if any(is_short_id(names[k], values[k]) for k in leaves):
                links = []
            plain = [k for k in leaves if not is_noise(names[k], values[k]) or links == [k]]
            kept_leaves = {k for k in leaves if k in asked}
            left -= sum(entries.cost(k) for k in kept_leaves)
            for k in plain:
                if entries.cost(k) <= left // 2 or not kept_leaves:
                    kept_leaves.add(k)
                    left -= entries.cost(k)
        else:
            kept_leaves = set(leaves)
            left -= sum(entries.cost(k) for k in leaves)
        nested = self._shown(entries, asked, left)
        shares: dict[int, int] = {}
        for rank, k in enumerate(nested):
            shares[k] = max(0, min(entries.cost(k), left // (len(nested) - rank)))
            left -= shares[k]
        # A member on the node's own first or last line (``[{``) stays with that line.
        ends = (0, len(entries) - 1)
        edges = {k for k in ends if entries.first[k] == node.first}
        edges.update(k for k in ends if entries.last[k] == node.last)
        # A map of names to versions (a manifest's dependencies): the names are its content,
        # so a marker names the members it stands for.
        listed = free and _versions(values)
        inner: list[str] = []
        gap: list[int] = []  # the entries left out since the last one kept
        for k, value in enumerate(values):
            if (
                k in kept_leaves
                or k in edges
                or (k in shares and (k in asked or shares[k] >= min(_LEAST_SHARE, entries.cost(k))))
            ):
                self._gap(inner, entries, gap, "lines", _said(names, gap) if listed else "")
                gap = []
                entry = entries.node(k)
                kept = self.render(entry, value, shares[k]) if k in shares else self.span(entry)
                inner.extend(kept)
            else:
                gap.append(k)
        self._gap(inner, entries, gap, "lines", _said(names, gap) if listed else "")
        return self._frame(node, entries, inner)

    def _shown(self, entries: _Entries, asked: set[int], room: int) -> list[int]:
        """The nested members that share ``room``, the smallest first.

        All of them when each gets the least a member is shown with; else as many as get it,
        the asked ones and those holding a failure first, then in order: an equal share too
        small for any would leave none (a map of 400 operations' examples under a budget:
        its first line alone).
        """
        nested = [k for k in range(len(entries)) if entries.level[k] >= 0]
        least = [min(_LEAST_SHARE, entries.cost(k)) for k in range(len(entries))]
        if sum(least[k] for k in nested) > room:
            first = asked | self.failing_entries(entries)
            spelled = self.targeted(entries)  # a path the query spells is shown whatever is left
            chosen = []
            for k in sorted(nested, key=lambda k: k not in first):
                if least[k] <= room or k in spelled:
                    chosen.append(k)
                    room -= least[k]
            nested = chosen
        return sorted(nested, key=entries.cost)

    def _items(
        self,
        node: _Node,
        entries: _Entries,
        values: list[Any],
        budget: int,
        telling: Iterable[int] = (),
    ) -> list[str]:
        """A long list of values: its first and last, and those the query or a failure names.

        Then the ``telling`` ones, and the others in order, while they fit.
        """
        n = len(entries)
        words = _query_words(self.request)
        keep = {*range(min(_HEAD_ITEMS, n)), n - 1, *self.failing_entries(entries)}
        keep.update(self.targeted(entries))
        if words:
            keep.update(k for k in range(n) if self._holds(entries, k, words))
        used = sum(entries.cost(k) for k in keep)
        told: set[int] = set()
        for k in telling:
            if k not in keep and used + entries.cost(k) <= budget:
                told.add(k)
                used += entries.cost(k)
        keep.update(told)
        for k in range(_HEAD_ITEMS, n):
            if k in told:
                continue
            if used + entries.cost(k) > budget:
                break
            keep.add(k)
            used += entries.cost(k)
        share = max(200, budget // max(1, len(keep)))
        inner: list[str] = []
        previous = -1
        for k in sorted(keep):
            self._gap(inner, entries, range(previous + 1, k), "items")
            inner.extend(self.render(entries.node(k), values[k], share))
            previous = k
        self._gap(inner, entries, range(previous + 1, n), "items")
        return self._frame(node, entries, inner)

    def _asked(self, entries: _Entries) -> set[int]:
        """The members holding a word of the query that names something (:func:`_naming_words`).

        A long line (a README in a string) is no setting: it competes like the others. With
        them, the members holding a value whose path the query spells.
        """
        found = self.targeted(entries)
        if not self.naming:
            return found
        return found | {
            k
            for k in range(len(entries))
            if (entries.level[k] >= 0 or entries.cost(k) <= _WIDE)
            and self._holds(entries, k, self.naming)
        }

    def _holds(self, entries: _Entries, k: int, words: set[str]) -> bool:
        """Whether entry ``k``'s lines hold one of ``words`` (none spans lines)."""
        at, until = entries.at[k], entries.until[k]
        return any(self.text.find(w, at, until) >= 0 for w in words)

    def _gap(
        self,
        inner: list[str],
        entries: _Entries,
        skipped: range | list[int],
        unit: str,
        said: str = "",
    ) -> None:
        """A marker for the ``skipped`` entries, counted in items (or cells) or in their lines.

        ``said``: the names of the members it stands for (``: baseLatency, close``), if any.
        """
        if not skipped:
            return
        if unit != "lines":
            count = len(skipped)
        else:
            count = sum(self.lines_of(entries.at[k], entries.until[k]) for k in skipped)
        self.left_out[unit] = self.left_out.get(unit, 0) + count
        first = self.first_line(entries.node(skipped[0]))
        inner.append(_indent(first) + note(f"{count} {_plural(unit, count)}{said}"))

    def _records(
        self, node: _Node, entries: _Entries, value: dict[str, Any] | list[Any], budget: int
    ) -> list[str]:
        """An array (or an object keyed by name) of records, sampled as a table's rows."""
        names: list[str] = []
        if isinstance(value, dict):
            records = keyed_rows(value)
            values = list(value.values())
            # A member's key is its name, and no field inside says it again: the markers
            # name the members they stand for, in a share of the budget taken off the rows.
            names = [str(k) for k in value]
            named = _NamedGaps(min(budget // _NAMES_SHARE, sum(len(n) + 2 for n in names)))
            budget -= named.room
        else:
            records = [v if isinstance(v, dict) else {"value": v} for v in value]
            values = value
            named = _NamedGaps(0)
        always = self.failing_entries(entries)
        failing = self.failing_entries(entries, reported=True) if always else always
        spelled = self.targeted(entries)
        example = min(entries.cost(0), budget // 4)
        whole = max(200, budget // 4)  # what a record kept whole may take
        room = budget // min(len(entries), 20)  # what telling fields may add to a record
        briefs: dict[int, tuple[list[str], int]] = {}
        shown: dict[int, set[int]] = {}  # a record's first and last lines and its fields'

        def field_lines(k: int, node: _Node, fields: list[str]) -> set[int]:
            # Its bound and its brief ask alike: its lines are read once.
            if k not in shown:
                shown[k] = {node.first, node.last}
                self._field_lines(node, values[k], set(fields), "", shown[k])
            return shown[k]

        def cost(k: int, fields: list[str]) -> int:
            if k in failing:
                return min(entries.cost(k), whole)
            node = entries.node(k)
            plain = node.level < 0 or not isinstance(values[k], dict)  # a record a line
            lines = set() if plain else field_lines(k, node, fields)
            briefs[k] = self._brief(node, values[k], lines, room)
            # With its share of the ``[… n items]`` markers between kept records.
            return sum(len(line) + 1 for line in briefs[k][0]) + _GAP_SHARE

        def least(k: int, fields: list[str], left: int) -> int:
            """At most ``cost(k, fields)``, told without reading the record's objects."""
            node = entries.node(k)
            if k in failing:
                return min(entries.cost(k), whole)
            if node.level < 0:  # a record a line: that line, cut
                return min(entries.cost(k) - 1, _WIDE) + 1 + _GAP_SHARE
            if not isinstance(values[k], dict):
                return 0
            # Its first and last lines alone: a record they do not fit into ``left`` is not
            # read (most of those asked about, once the room is all but used).
            ends = self._floor(node, {node.first, node.last}) + _GAP_SHARE
            if ends > left:
                return ends
            return self._floor(node, field_lines(k, node, fields)) + _GAP_SHARE

        keep, matched, stats = choose_records(
            records,
            self.request,
            max(0, budget - example),
            cost,
            always=always | spelled,
            least=least,
        )
        inner: list[str] = []
        previous = -1
        found = always - failing  # records holding findings only: shown by their lines
        matched |= spelled
        for k in keep:
            said = named.say(names, previous + 1, k)
            self._gap(inner, entries, range(previous + 1, k), "items", said)
            if k in found and k not in matched and k not in briefs:
                # The example record too: as an example, cut to its room, it loses them.
                record = entries.node(k)
                briefs[k] = self._brief(record, values[k], {record.first, record.last}, room)
            if (k == 0 and k not in found) or k in matched or k in failing or k not in briefs:
                # What the query asks for may take half the room, the example a quarter.
                share = max(example, budget // 2) if k in matched else whole if k else example
                inner.extend(self.render(entries.node(k), values[k], share))
            else:
                brief, left = briefs[k]
                inner.extend(brief)
                self.left_out["lines"] = self.left_out.get("lines", 0) + left
            previous = k
        rest = named.say(names, previous + 1, len(entries))
        self._gap(inner, entries, range(previous + 1, len(entries)), "items", rest)
        if stats and len(keep) < len(entries):
            indent = _indent(self.first_line(entries.node(0)))
            inner.append(indent + note(f"stats over all {len(entries)} items: {stats}"))
        return self._frame(node, entries, inner)

    def _brief(self, node: _Node, value: Any, base: set[int], room: int) -> tuple[list[str], int]:
        """A record by the lines ``base`` (its first and last, its fields'); lines cut.

        Then the lines that name or describe it, while they fit in ``room``.
        """
        lines = self.span(node)
        if node.level < 0 or not isinstance(value, dict):
            return [cut_line(line, _WIDE) for line in lines], 0  # a record a line
        kept = set(base)
        # Then the lines that name or describe it, nested ones too (a response's id), in
        # order while they fit.
        first = node.first
        used = sum(len(lines[i - first]) + 1 for i in kept)
        for i, parent in self._telling_lines(node, value):
            if i not in kept and used + len(lines[i - first]) + 1 <= room:
                kept.update((i, parent))
                used += len(lines[i - first]) + len(lines[parent - first]) + 2
        kept.update(self.failures_in(node.first, node.last))
        # The kept lines in order (the record's last among them), each run of others between
        # them a marker: a record's other lines are passed over, not read one by one.
        out: list[str] = []
        left = 0
        shown = 0  # the lines before this one are shown or stood for
        for i in sorted(kept):
            i -= first
            if i < shown:
                continue
            # A closing line after a kept one costs less than a marker for it.
            while shown < i and _CLOSING.fullmatch(lines[shown]):
                out.append(cut_line(lines[shown], _BRIEF_WIDE))
                shown += 1
            if shown < i:
                gap = lines[shown:i]
                gap_lines = sum(map(self.weight, gap)) if self.other_breaks else len(gap)
                out.append(self._marker(lines[shown], gap_lines, "lines"))
                left += gap_lines
            # A finding's line stays whole (an analyzer's long message).
            found = i + first in self.findings
            out.append(lines[i] if found else cut_line(lines[i], _BRIEF_WIDE))
            shown = i + 1
        return out, left

    def _floor(self, node: _Node, kept: set[int]) -> int:
        """What :meth:`_brief` shows of a record at least: its lines ``kept``, cut.

        (Its first and last lines and the lines of its fields: the objects holding none of
        them are not read, as its telling lines would read them.)
        """
        if len(kept) == 2:  # its first and last lines: the others are not split off
            ends = (self.first_line(node), self.last_line(node))
            return sum(len(cut_line(line, _BRIEF_WIDE)) + 1 for line in ends)
        lines = self.span(node)
        return sum(len(cut_line(lines[i - node.first], _BRIEF_WIDE)) + 1 for i in kept)

    def _telling_lines(self, node: _Node, value: dict[str, Any]) -> list[tuple[int, int]]:
        """(line, line of its object) of the short fields naming or describing a record.

        The record's own, and its objects' one level down (a response's id).
        """
        found: list[tuple[int, int]] = []
        entries = self.entries(node)
        if len(entries) != len(value):
            return found  # duplicate keys: the parse and the lines differ
        for k, (key, child) in enumerate(value.items()):
            if entries.level[k] < 0:
                if self._tells(entries, k, str(key), child):
                    found.append((entries.first[k], node.first))
            elif isinstance(child, dict):
                entry = entries.node(k)
                inner = self.entries(entry)
                if len(inner) == len(child):
                    found.extend(
                        (inner.first[j], entry.first)
                        for j, (name, v) in enumerate(child.items())
                        if inner.level[j] < 0 and self._tells(inner, j, str(name), v)
                    )
        return found

    def _tells(self, entries: _Entries, k: int, name: str, value: Any) -> bool:
        telling = self._telling.get(name)
        if telling is None:  # records repeat their fields' names: each is read once
            telling = self._telling[name] = is_telling(name)
        return (
            telling
            and not isinstance(value, (dict, list))
            and not is_noise(name, value)
            and entries.cost(k) - 1 <= _BRIEF_WIDE
        )

    def _field_lines(
        self, node: _Node, value: dict[str, Any], fields: set[str], prefix: str, kept: set[int]
    ) -> bool:
        found = False
        entries = self.entries(node)
        if len(entries) != len(value):
            return False
        for k, (key, child) in enumerate(value.items()):
            name = f"{prefix}{key}"
            if name in fields:
                if entries.level[k] < 0:
                    kept.add(entries.first[k])
                elif entries.cost(k) <= _SMALL:  # a short list or object: whole, else none
                    kept.update(range(entries.first[k], entries.last[k] + 1))
                else:
                    continue
                found = True
            elif entries.level[k] >= 0 and isinstance(child, dict):
                inner = f"{name}."
                # An object none of the fields is in is not read (its lines, its objects').
                if any(f.startswith(inner) for f in fields) and self._field_lines(
                    entries.node(k), child, fields, inner, kept
                ):
                    kept.add(entries.first[k])
                    found = True
        return found

    def _cut(self, node: _Node, budget: int) -> list[str]:
        """A node read by lines alone: its first lines that fit, a marker, its last line."""
        last = self.last_line(node)
        out: list[str] = []
        used = len(last)
        at = node.at
        for _ in range(node.last - node.first):
            line = self.text[at : self.text.find("\n", at)]
            if used + len(line) + 1 > budget:
                left = self.lines_of(at, node.until) - self.weight(last)
                self.left_out["lines"] = self.left_out.get("lines", 0) + left
                out.append(self._marker(line, left, "lines"))
                break
            out.append(line)
            used += len(line) + 1
            at += len(line) + 1
        return [*out, last]

    def _marker(self, line: str, count: int, unit: str) -> str:
        """``[… 5 lines]`` or ``[… 12 items]``, indented as ``line``, the first it stands for."""
        return _indent(line) + note(f"{count} {_plural(unit, count)}")


class _NamedGaps:
    """The names the markers of a keyed object's left-out members say, in ``room`` characters."""

    def __init__(self, room: int) -> None:
        self.room = self.left = room

    def say(self, names: list[str], start: int, end: int) -> str:
        """``: a, b, +3 more`` for the members ``start`` to ``end``; what is left of the room."""
        if start >= end or self.left <= 0:
            return ""
        said: list[str] = []
        for name in names[start:end]:
            if len(name) + 2 > self.left:
                break
            said.append(name)
            self.left -= len(name) + 2
        if not said:
            return ""
        more = end - start - len(said)
        return ": " + ", ".join(said) + (f", +{more} more" if more else "")


def _holding(starts: array[int], ends: array[int], points: Iterable[int]) -> set[int]:
    """The entries (starting and ending at ``starts``, ``ends``) holding one of ``points``."""
    found: set[int] = set()
    for point in points:
        # Siblings follow each other: one may end on the line where the next starts.
        k = bisect_right(starts, point) - 1
        while k >= 0 and ends[k] >= point:
            found.add(k)
            k -= 1
    return found


def _versions(values: Collection[Any]) -> bool:
    """Whether an object's values are versions (``^8.1.0``, ``>=2, <3``, ``*``, ``workspace:*``).

    Of an object of a few members at least: package.json's and composer.json's dependencies.
    """
    if len(values) < _LISTED_LEAST:
        return False
    versions = 0
    for value in values:
        if not isinstance(value, str) or len(value) > _VERSION_CHARS:
            return False
        bare = value.lstrip("^~<>=!v ")
        versions += bare[:1].isdigit() or bare in ("*", "x", "latest") or ":" in bare[1:]
    return versions >= 0.8 * len(values)


def _said(names: list[str], members: list[int]) -> str:
    """``: a, b`` naming the left-out ``members`` of a map of versions."""
    return ": " + ", ".join(names[k] for k in members) if members else ""


def _line_numbers(text: str, starts: list[int]) -> list[int]:
    """The numbers of the lines starting at ``starts`` (ascending)."""
    numbers: list[int] = []
    number = previous = 0
    for at in starts:
        number += text.count("\n", previous, at)
        numbers.append(number)
        previous = at
    return numbers


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _plural(unit: str, count: int) -> str:
    return unit if count != 1 else unit[:-1]


def _naming_words(text: str, request: Request) -> set[str]:
    """The query's words that name something, to keep the members holding them.

    Words ``text`` holds only a few times (a setting, a file in a list), not words many
    records share.
    """
    words = {w.rstrip(".,;:?!") for w in _query_words(request)}
    for word in list(words):
        # A dotted path the text does not hold ("time.3.6.0"): its key is in the text
        # without the path of the objects around it ("3.6.0").
        # A few outer keys at most: a long run of dots would scan the text once per key.
        for _ in range(_PATH_KEYS):
            if "." not in word or text.find(word, 0, _ASKED_SCAN) >= 0:
                break
            word = word.split(".", 1)[1]
            words.add(word)
    words = {w for w in words if len(w) > 2 and w.lower() not in STOPWORDS}
    return {w for w in words if 0 < text.count(w, 0, _ASKED_SCAN) <= _ASKED_MOST}


def _spelled_paths(request: Request) -> list[list[str]]:
    """The key paths the query spells, split into keys (``a.b[0].c``: ``a b 0 c``)."""
    paths = []
    for word in (request.query or "").split():
        word = word.strip("`'\"()<>,;:?!*").rstrip(".")
        if ("." in word or "[" in word) and "://" not in word:
            keys = [k for k in _PATH_SPLIT.split(word) if k]
            if len(keys) >= 2:
                paths.append(keys)
    return paths


def _query_words(request: Request) -> set[str]:
    if not request.query:
        return set()
    return {w for w in re.findall(r"[\w.@/-]{3,}", request.query)}
