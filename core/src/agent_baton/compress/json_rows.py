"""A JSON document laid out an item a line, whose items' bulk is arrays of numbers.

GeoJSON feature collections are often written so (``{"type":"FeatureCollection",
"features":[`` on the first line, then a feature a line): the outline cannot cut such lines
between values, and the line fold kept 25 of 180 countries' names, their coordinates being
98 % of the text. Here each item line keeps its start up to its first long array of numbers
(a geometry's ``coordinates``, a series' values); a marker at the cut says what the arrays
held (how many numbers, the bounds of their positions) and shows what the line holds after
them (``"id":"AFG","properties":{...}``), so no item loses what names it. When even those
lines do not fit, the items are sampled as a table's rows (the queried, failing, rare, first
and last ones), each run left out counted by a marker.

GeoJSON features whose bulk is their properties (USGS's earthquake feeds: a quake's 27
properties, its title among the last, then a point) are items too: the line fold kept 256
of a week's 1,707 titles. A feature longer than its share of the room keeps its start, and
its marker names it: the feature's ``id`` and the property that names every feature
(``title``, ``name``), as a world map's lines name their countries before the coordinates.
"""

from __future__ import annotations

import json
import re
from typing import Any

from agent_baton.compress.json import JSON_DECODER, budget_chars, pick_rows
from agent_baton.compress.markers import note, omitted
from agent_baton.compress.prose import cut_line
from agent_baton.compress.request import Request

# The start of an array of numbers (nested or not) at least this long: only such characters.
_NUMBERS = re.compile(r"\[[-+\d.eE,\s\[\]]{80,}")
_WIDE = 400  # a longer line is cut, at its first long array of numbers if it has one
_AFTER = 300  # of what follows a line's arrays, what its marker shows
_SAYS = re.compile(r"[^\W\d_]")  # a letter: a key, a value
_LEAST_ITEMS = 3
_ITEM = re.compile(r"[ \t]*\{.*\}[ \t]*,?[ \t]*")  # a line holding one object, by its ends
_POSITION = (2, 3, 4)  # an innermost array this long is a position (x, y, z, m)
_LEAD = 24  # of a feature line cut for its share of the room, the start kept at least
# A property that names a feature: its key says so, and its values tell the features apart.
_NAMING_KEY = re.compile(r"(?i)name|title|label")
_DISTINCT = 0.5  # of the features, the share of distinct names (a quake's title may repeat)
_SAID = 120  # characters of a name a marker quotes


def compress_rows(text: str, request: Request) -> str | None:
    """``text``, a JSON document an item a line, cut and sampled; or None.

    None unless most of its lines are its items, each a JSON object on its own line, and
    most items hold a long array of numbers.
    """
    lines = text.splitlines()
    items = _item_lines(lines)
    if items is None:
        return None
    first, last = items
    head = [cut_line(line, _WIDE) for line in lines[:first]]
    tail = [cut_line(line, _WIDE) for line in lines[last:]]
    budget = budget_chars(len(text), request) - sum(len(line) + 1 for line in head + tail)
    # Where arrays of numbers are the items' bulk: each line with its arrays described, then
    # only counted, the first form that fits. Else features, each cut to its share of the
    # room with its names; other items fold as lines.
    if sum(_NUMBERS.search(line) is not None for line in lines[first:last]) * 2 >= last - first:
        forms = [[_cut(line, brief) for line in lines[first:last]] for brief in (False, True)]
    else:
        room = max(1, budget) // (last - first)
        # With its id and its name, then by its name alone (its id when it has none).
        named = [_named(lines[first:last], room, brief) for brief in (False, True)]
        forms = [form for form in named if form is not None]
        if not forms:
            return None
    for shown in forms:
        request.check_time()
        costs = [len(line) + 1 for line in shown]
        if sum(costs) <= budget:
            return "\n".join([*head, *shown, *tail])
    records = [_flat(json.loads(line.strip().rstrip(","))) for line in lines[first:last]]
    keep, stats = pick_rows(records, request, costs, budget)
    out = list(head)
    previous = -1
    for k in [*keep, len(shown)]:
        if k - previous > 1:
            out.append(note(f"{k - previous - 1} {'items' if k - previous > 2 else 'item'}"))
        if k < len(shown):
            out.append(shown[k])
        previous = k
    out.extend(tail)
    out.append(omitted(f"{len(shown) - len(keep)} of {len(shown)} items", request.key))
    if stats:
        out.append(note(f"stats over all {len(shown)} items: {stats}"))
    return "\n".join(out)


def _named(lines: list[str], room: int, brief: bool) -> list[str] | None:
    """Feature lines, each longer than ``room`` cut with a marker naming it; None if not features.

    The start kept ends after a comma (a member's end, mostly); the marker quotes the
    feature's ``id`` and naming property (:func:`_naming`) unless the start shows them;
    ``brief``: a marker alone, quoting only the one that names it (its id when no property
    does).
    """
    features = [JSON_DECODER.decode(line.strip().rstrip(",")) for line in lines]
    if not all(f.get("type") == "Feature" for f in features):
        return None
    naming = _naming(features)
    shown = []
    for line, feature in zip(lines, features, strict=True):
        if len(line) <= room:
            shown.append(line)
            continue
        names = [("id", feature.get("id"))] if feature.get("id") is not None else []
        properties = feature.get("properties")
        if naming is not None and isinstance(properties, dict) and naming in properties:
            name = (naming, properties[naming])
            names = [name] if brief else [*names, name]
        said = [(key, json.dumps(value, ensure_ascii=False)[:_SAID]) for key, value in names]
        marker = ", ".join(f"{key} {value}" for key, value in said)
        # Brief, the marker alone stands for the line (a feature's, named).
        lead = "" if brief else line[: max(_LEAD, room - len(marker) - 30)]
        lead = lead[: lead.rfind(",") + 1] or lead
        told = ", ".join(f"{key} {value}" for key, value in said if value not in lead)
        told = told.replace("[", "(").replace("]", ")")  # a marker holds no brackets
        if brief and not told:
            told = "a feature"
        rest = f"{len(line) - len(lead):,} characters omitted"
        shown.append(lead + note(f"{told}; {rest}" if told else rest))
    return shown


def _naming(features: list[dict[str, Any]]) -> str | None:
    """The property whose key says it names a feature and whose values tell most apart."""
    counts: dict[str, set[Any]] = {}
    for feature in features:
        properties = feature.get("properties")
        if isinstance(properties, dict):
            for key, value in properties.items():
                if isinstance(value, str) and _NAMING_KEY.search(key):
                    counts.setdefault(key, set()).add(value)
    best = max(counts, key=lambda key: len(counts[key]), default=None)
    if best is None or len(counts[best]) < _DISTINCT * len(features):
        return None
    return best


def _item_lines(lines: list[str]) -> tuple[int, int] | None:
    """The run of lines that are each one JSON object (a comma after it), as (first, end)."""
    items = [i for i, line in enumerate(lines) if _ITEM.fullmatch(line) and _is_object(line)]
    if len(items) < _LEAST_ITEMS or len(items) < len(lines) // 2:
        return None
    first, end = items[0], items[-1] + 1
    return (first, end) if end - first == len(items) else None


def _is_object(line: str) -> bool:
    try:
        return isinstance(JSON_DECODER.decode(line.strip().rstrip(",")), dict)
    except (ValueError, RecursionError):
        return False


def _cut(line: str, brief: bool) -> str:
    """An item line, or its start to its first long array of numbers and a marker.

    The marker says what the line's long arrays hold and shows the rest of the line
    (brackets as parentheses: a marker holds none), up to :data:`_AFTER` characters;
    ``brief``: only how many numbers they hold, and the rest when it names something.
    """
    if len(line) <= _WIDE:
        return line
    found = _NUMBERS.search(line)
    if found is None:
        return cut_line(line, _WIDE)
    start, pos, parts = found.start(), found.start(), []
    while found is not None:
        try:
            value, end = JSON_DECODER.raw_decode(line, found.start())
        except (ValueError, RecursionError):
            break
        if found.start() > pos:
            parts.append(line[pos : found.start()])
        parts.append(f"({_described(value, brief)})")
        pos = end
        found = _NUMBERS.search(line, pos)
    parts.append(line[pos:])
    # What follows the arrays, when it says something (not only the brackets closing).
    after = "".join(parts[1:] if _SAYS.search("".join(parts[1:])) else parts[:1])
    after = after.replace("[", "(").replace("]", ")")
    if len(after) > _AFTER:
        after = after[:_AFTER] + "..."
    kept = line[:start]
    return f"{kept}{note(f'{after}; {len(line) - len(kept):,} characters omitted')}"


def _described(value: Any, brief: bool) -> str:
    """An array of numbers in words: how many, and its positions' bounds when it has them."""
    numbers: list[float] = []
    positions: list[list[float]] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            if item and all(isinstance(x, (int, float)) for x in item):
                numbers.extend(item)
                if len(item) in _POSITION:
                    positions.append(item)
            else:
                stack.extend(item)
    if not brief and positions and len(positions) * len(positions[0]) == len(numbers):
        axes = min(len(p) for p in positions)
        bounds = (
            f"{'xy'[a]} {_num(min(p[a] for p in positions))}..{_num(max(p[a] for p in positions))}"
            for a in range(min(axes, 2))
        )
        return ", ".join([f"{len(positions):,} positions", *bounds])
    return f"{len(numbers):,} numbers"


def _num(x: float) -> str:
    return f"{x:.5g}"


def _flat(value: Any, prefix: str = "", depth: int = 0) -> dict[str, Any]:
    """An item's scalars by dotted path (its arrays of numbers left out), as a row's cells."""
    out: dict[str, Any] = {}
    if isinstance(value, dict) and depth < 4:
        for key, member in value.items():
            out.update(_flat(member, f"{prefix}{key}.", depth + 1))
    elif isinstance(value, (str, int, float, bool)) or value is None:
        out[prefix.rstrip(".")] = value
    return out
