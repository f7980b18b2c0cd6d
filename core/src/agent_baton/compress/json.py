"""JSON tool and API results: arrays of records become tables, then tables are sampled.

Lossless first: every array of objects becomes a table (header once, one line per row, nested
objects flattened to dotted columns, columns equal in every row stated once). When that is
still large, the table keeps the most telling columns and these rows: the ones matching the
query, the ones holding rare or anomalous values (a failed status among successes, outliers,
nulls where others have values), and the first and last; per-column statistics describe the
rest, and a marker says how many rows and columns were left out.
"""

from __future__ import annotations

import functools
import json
import math
import re
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from itertools import chain, repeat
from typing import Any

from agent_baton.compress.guarantees import RESTORED, Contains, failing_strings, pieces
from agent_baton.compress.lines import LINE_BREAKS
from agent_baton.compress.markers import note, omitted, view_of
from agent_baton.compress.memo import once
from agent_baton.compress.parsed import json_value, literal_value, strings
from agent_baton.compress.request import Request
from agent_baton.search import best_matches

# One decoder for every raw_decode: it keeps nothing between calls (json.loads shares one).
JSON_DECODER = json.JSONDecoder()
_MAX_FLATTEN_DEPTH = 12
_LONG_VALUE = 600  # lossy mode cuts a longer scalar or short list to its start
_CELL_CHARS = 90  # lossy mode cuts longer cells of rows kept for being rare or first/last
_HEAD_ROWS = 5  # a sampled text table's first rows, kept to show its usual row
_ID_CHARS = 12  # what an identifying column counts for when rows are budgeted
_ARRAY_CHARS = 16  # and a column of arrays of numbers, shown counted
_ARRAY_NUMBERS = 8  # a column of arrays of numbers is counted when one holds more
# Rows that did not fit passed over for later, shorter ones before the rest are left: each
# row of a million records would otherwise be costed once the budget is nearly spent.
_PASSED_OVER = 1_000
_IMPORTANT_NAME = re.compile(
    r"(^|[._])(id|key|name|title|summary|status|state|conclusion|severity|result|error|errors|"
    r"message|type|kind|level|login|number|count|total|code|version|tag|branch|date|year)$",
    re.IGNORECASE,
)
_IDENTITY_NAME = re.compile(
    r"(^|[._-])(id|key|name|ref|url|uri|purl|uuid|guid|sku|slug|path|file|title|email|login|"
    r"bom-ref|package|module)$",
    re.IGNORECASE,
)
_ABOUT = re.compile(r"(^|[._])(description|comment|\$comment|label)$", re.IGNORECASE)
_QUERY_VALUE = re.compile(r"[^\s,;:'\"()\[\]{}]+")
_NAMED_COLUMNS = 8  # dropped columns named in the marker
_NAME_CHARS = 60  # a column naming rows left out is no wider
_CLOSING_CHARS = 120  # what the closing marker of a sampled table takes
_NOTE_CHARS = 40  # what a note naming a gap's rows takes besides the names
_NAMED_GAP = 3  # the least rows of a gap whose rows are named
# A column that names rows in words: pip's "name", a title, a path, a module (not a login:
# it names who, not what).
_WORD_NAME = re.compile(r"(^|[._-])(name|title|slug|package|module|path|file|key)$", re.I)
_NAMING_KEYS = 5  # a query word more settings hold than this names none of them
_NOISE_NAME = re.compile(r"(node_id|avatar|gravatar|_url$|^url$|\.url$|sha$|etag|hash)", re.I)
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_SHORT_ID = 40  # characters: an id, key or name this short names a record
_ID_NAME = re.compile(r"(^|[._-])(id|key|name|ref|uuid|guid|sku|slug|number|login)$", re.I)
_HEXISH = re.compile(r"^[0-9a-f]{20,}$|^[A-Za-z0-9+/=_-]{24,}$")


def compress_json(text: str, request: Request) -> tuple[str, str] | None:
    """Compress a JSON document (possibly wrapped in a line of prose); None if not JSON."""
    starts = text.lstrip()[:1] == "{" and "\n{" in text  # a cheap look before a parse
    lines = _json_lines(text.strip()) if starts else None
    if lines is not None:
        # JSON Lines: each record is a line of the input, kept whole like a table's row.
        from agent_baton.compress.tables import TextTable, sample_table  # lazy: tables imports json

        kept = text.strip("\n").splitlines()
        rows = [i for i, line in enumerate(kept) if line.strip()]
        return sample_table(TextTable("jsonl", kept, rows[0], rows, lines), request, "json:lines")
    parsed = parse_embedded(text)
    if parsed is None:
        return None
    before, data, after = parsed
    request.check_time()
    budget = budget_chars(len(text), request)
    document = text[len(before) : len(text) - len(after)]
    from agent_baton.compress.notebook import compress_notebook  # lazy: it imports guarantees

    notebook = compress_notebook(document, data, request, budget)
    if notebook is not None:
        return "\n".join(p for p in (_kept(before), notebook, _kept(after)) if p), "json:notebook"
    if "\n" in document.strip():
        # Its own lines, cut between values: a view would show lines that are not its.
        from agent_baton.compress.json_outline import outline_json  # lazy: it imports json

        # At most half its size, as a YAML document's outline: a short document reaching a
        # compressor is asked to be shorter (a fenced block keeps only its ends otherwise).
        body = outline_json(document, data, request, min(budget, len(document) // 2))
        if body is None:
            # Its lines are not cut between values: an item a line (GeoJSON's features)?
            from agent_baton.compress.json_rows import compress_rows  # lazy: it imports json

            items = compress_rows(document, request)
            if items is None:
                return None
            return "\n".join(p for p in (_kept(before), items, _kept(after)) if p), "json:rows"
        transform = "json:outline" if body == document else "json:outline+sample"
        return "\n".join(
            p for p in (before.removesuffix("\n"), body, after.lstrip("\n")) if p
        ), transform
    renderer = _Renderer(request, budget)
    body = view_of(text, document, renderer.render(data), "JSON, re-rendered: not its text")
    parts = [p for p in (_kept(before), body, _kept(after)) if p]
    transform = "json:table+sample" if renderer.lossy else "json:table"
    if not renderer.tables:
        transform = "json:minify+sample" if renderer.lossy else "json:minify"
    return "\n".join(parts), transform


def _kept(prose: str) -> str:
    """The lines around a document, its blank ones at either end aside, each byte for byte.

    A stripped line is no input line: cargo's ``   Compiling cr v0.1.0`` keeps its blanks.
    """
    lines = prose.splitlines()
    while lines and not lines[0].strip():
        del lines[0]
    while lines and not lines[-1].strip():
        del lines[-1]
    return "\n".join(lines)


def compress_repr(text: str, request: Request) -> tuple[str, str] | None:
    """The repr of a Python list, dict or tuple (``str()`` of a tool's result) read as data.

    ``ast.literal_eval`` parses it (reprs of objects in it read as their text, a record's as
    its fields: :func:`~agent_baton.compress.parsed.literal_value`); tuples become lists, sets
    sorted lists, bytes text and keys strings, then it is rendered like JSON. None if it is
    not such a repr.
    """
    value = literal_value(text)
    if isinstance(value, bytes):
        return _bytes_repr(value, request)
    if not isinstance(value, (list, dict, tuple)):
        return None
    if "\n" in text.strip():
        return None  # pprint's lines: the line-level fallback keeps them
    renderer = _Renderer(request, budget_chars(len(text), request))
    body = view_of(
        text,
        text.strip(),
        renderer.render(as_data(value)),
        "a Python literal, re-rendered: not its text",
    )
    return body, "repr:table+sample" if renderer.lossy else "repr:table"


def _bytes_repr(value: bytes, request: Request) -> tuple[str, str]:
    """``b'...'`` of bytes that decode: their text, compressed by its own kind (failures kept)."""
    from agent_baton.compress.guarantees import restore_failures  # lazy: it imports logs
    from agent_baton.compress.pipeline import compress_part  # lazy: pipeline imports json

    text = value.decode("utf-8", errors="backslashreplace")
    produced = compress_part(text, request, skip=("repr",))
    if produced is None:
        return text, "repr:bytes"
    return restore_failures(text, produced[0]), "repr:bytes"


def as_data(value: Any, depth: int = 0) -> Any:
    """A literal as JSON-shaped data (lists, string-keyed dicts, scalars)."""
    if depth > _MAX_FLATTEN_DEPTH * 4:
        return repr(value)
    if isinstance(value, dict):
        return {
            k if isinstance(k, str) else repr(k): as_data(v, depth + 1) for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [as_data(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((as_data(v, depth + 1) for v in value), key=repr)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="backslashreplace")
    if isinstance(value, complex):
        return repr(value)
    return value


def compress_records(
    records: list[dict[str, Any]], request: Request, budget: int
) -> tuple[str, bool]:
    """Records (rows of a text table) rendered as an array of JSON objects: (text, lossy).

    Lossless when the table fits ``budget`` characters (see :func:`budget_chars`), else
    sampled.
    """
    renderer = _Renderer(request, budget)
    return renderer.render(records), renderer.lossy


def pick_rows(
    records: list[dict[str, Any]],
    request: Request,
    costs: list[int],
    budget: int,
    always: Collection[int] = (),
) -> tuple[list[int], str]:
    """The rows of a text table to keep whole, and statistics over all of them.

    ``records`` are flat: each a row's cells (strings and numbers). Row ``i`` costs
    ``costs[i]`` characters of ``budget``. Kept whatever they cost: the rows in ``always``,
    the query's rows, the first and the last; then the rarest rows that fit (a lone value of
    a column, the largest number), then the first rows while they fit.
    Returns (sorted row indices, statistics as ``name lo–hi mean m; name: a×3, b×1``).
    """
    table = _Table("rows", records, request, flat=True)
    n = len(table.rows)
    varying = [c for c in table.columns if not (len(c.distinct) == 1 and n > 1)]
    rare = table._rare_rows(varying)
    return _keep_rows(
        table, rare, costs.__getitem__, budget, {*always, *table._query_rows()}
    ), table._stats(varying)


def choose_records(
    records: list[dict[str, Any]],
    request: Request,
    budget: int,
    cost: Callable[[int, list[str]], int],
    always: Collection[int] = (),
    least: Callable[[int, list[str], int], int] | None = None,
) -> tuple[list[int], set[int], str]:
    """Which records to keep, each shown by the fields that tell it apart, as a table would.

    Record ``i`` is shown by ``fields`` (flattened names, ``size.installed_kb``): of the
    columns a sampled table of ``records`` would show, those that name a record or say what
    it is (an id, a status, a version) and those in which it is rare; ``cost(i, fields)`` is
    what that costs of ``budget`` characters. ``least(i, fields, room)``, if given, is at most
    that and cheaper to tell: a record it shows cannot fit the ``room`` left is passed over
    without its cost (once it exceeds ``room``, it need not be added up further).
    Returns (sorted record indices, the records the query matched, statistics as
    :func:`pick_rows` words them).
    """
    table = _Table("rows", records, request)
    table.budget = budget
    n = len(table.rows)
    varying = [c for c in table.columns if not (len(c.distinct) == 1 and n > 1)]
    rare = table._rare_rows(varying)
    columns = table._choose_columns(varying, rare)
    columns += table._anomaly_columns(varying, columns, rare)
    matched = table._query_rows()
    # Each record by the fields that name it, the telling ones (a status, a version), and
    # those in which it is rare: what it is kept for.
    names = [c for c in columns if _identifying(c, n) or c.name == KEY_COLUMN]
    if not names:
        # No column is called an id: the short one whose values tell the most records apart
        # names them, unique or nearly (MSBuild's flag tables: a switch shared by a few), if
        # the columns shown leave it out too.
        short = [c for c in varying if 0 < c.width <= 40 and len(c.distinct) >= 0.9 * n]
        names = sorted(short, key=lambda c: -len(c.distinct))[:1]
    # A telling field (a status, a message) shows where it is not its column's usual value.
    telling = [
        (c, c.distinct.most_common(1)[0][0])
        for c in columns
        if c not in names and _IMPORTANT_NAME.search(c.name.rsplit(".", 1)[-1])
    ]
    if not names and not telling and columns:
        names = columns[:1]
    rare_fields: dict[int, list[str]] = {}
    for name, rows in rare.columns.items():
        for i in rows:
            rare_fields.setdefault(i, []).append(name)
    costs: dict[int, int] = {}

    def fields(i: int) -> list[str]:
        unusual = [c.name for c, usual in telling if _value_key(c.values[i]) != usual]
        return [*(c.name for c in names), *unusual, *rare_fields.get(i, ())]

    def row_cost(i: int) -> int:
        if i not in costs:
            costs[i] = cost(i, fields(i))
        return costs[i]

    def row_least(i: int, room: int) -> int:
        assert least is not None
        return costs[i] if i in costs else least(i, fields(i), room)

    # The rarer half of the rows a sampled table would keep stay whatever their lines cost
    # (a record on one wide line costs three table rows): then what fits, in order.
    rarest = rare.order[: _table_room(budget, columns, n) // 2]
    anyway = {*always, *matched, *rarest}
    bound = None if least is None else row_least
    keep = _keep_rows(table, rare, row_cost, budget, anyway, fill=n, least=bound)
    return keep, matched, table._stats(varying)


def _keep_rows(
    table: _Table,
    rare: _Rarity,
    cost: Callable[[int], int],
    budget: int,
    always: set[int],
    fill: int = _HEAD_ROWS,
    least: Callable[[int, int], int] | None = None,
) -> list[int]:
    """The rows ``always``, the first and last, then the rarest and the first ``fill`` that fit.

    ``cost(i)`` is asked only of rows that may still fit (a row costs at least 1, and at
    least ``least(i, room)`` with ``room`` what is left), and of at most :data:`_PASSED_OVER`
    rows that do not, in each order.
    """
    n = len(table.rows)
    keep = dict.fromkeys([*sorted(always), 0, n - 1])
    used = sum(cost(i) for i in keep)
    for order in (rare.order, range(min(n, fill))):  # then the first rows: a usual row
        passed = 0
        for i in order:
            if used >= budget or passed == _PASSED_OVER:
                break
            if i in keep:
                continue
            if least is not None and used + least(i, budget - used) > budget:
                passed += 1  # what it costs at least does not fit: costed no further
            elif used + cost(i) <= budget:
                keep[i] = None
                used += cost(i)
            else:
                passed += 1  # a long row yields to a later, shorter one
    return sorted(keep)


@once
def parse_embedded(text: str) -> tuple[str, Any, str] | None:
    """Split text into (prose before, JSON value, prose after), or None when it holds no JSON.

    The JSON must start at the first ``{`` or ``[`` that begins a line and span most of the
    text, so a sentence that merely contains braces is not taken for data.
    """
    whole = json_value(text)  # parsed once, shared with detection
    if isinstance(whole, (dict, list)):
        return "", whole, ""
    stripped = text.strip()
    if not stripped:
        return None
    start = 0 if stripped[0] in "[{" else _json_line_start(text)
    if start is None:
        return None
    offset = len(text) - len(text.lstrip()) if start == 0 else start
    try:
        data, end = JSON_DECODER.raw_decode(text, offset)
    except (ValueError, RecursionError):
        return None
    if isinstance(data, dict) and start == 0 and end < len(text):
        lines = _json_lines(stripped)  # one object per line: structured logs, exports
        if lines is not None:
            return "", lines, ""
    if not isinstance(data, (dict, list)) or (end - offset) < 0.6 * len(stripped):
        return None
    # The document starts at its line's start: an indented block (a doc's ``Output::``)
    # keeps its first line whole, indent and brace together.
    line_start = text.rfind("\n", 0, offset) + 1
    return text[:line_start], data, text[end:]


def _json_lines(text: str) -> list[Any] | None:
    """JSON Lines: every non-blank line one JSON object (at least three), else None."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):
            return None
        if not isinstance(row, dict):
            return None
        rows.append(row)
    return rows if len(rows) >= 3 else None


def _json_line_start(text: str) -> int | None:
    match = re.search(r"^[ \t]*[\[{]", text[:2000], re.MULTILINE)
    return None if match is None else match.end() - 1


def budget_chars(original_chars: int, request: Request) -> int:
    """How many characters the compressed form of a table or document may take."""
    # About 12 % of the original, never under ~3,000 chars, or ~3 chars per token of the
    # caller's budget; each level halves it.
    base = max(3000, original_chars // 8)
    if request.max_tokens is not None:
        base = min(base, request.max_tokens * 3)
    return max(200, int(base * request.scale) >> request.level)


def minify(value: Any) -> str:
    """Compact JSON, or the value's repr when it cannot be encoded."""
    # Scalars are most values of a table: spell them without json.dumps' overhead.
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) is int:
        return str(value)
    if type(value) is float and math.isfinite(value):
        return repr(value)
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (ValueError, TypeError, RecursionError):
        return repr(value)


# A row is one line: escape the separator and every character str.splitlines() breaks on.
_CELL_ESCAPES = str.maketrans(
    {"\\": "\\\\", "|": "\\|", "\n": "\\n", "\r": "\\r"}
    | {c: f"\\u{ord(c):04x}" for c in LINE_BREAKS[2:]}
)


def cell(value: Any) -> str:
    """A table cell: strings bare (quoted only when empty), other values as compact JSON."""
    text = (value or '""') if isinstance(value, str) else minify(value)
    return text.translate(_CELL_ESCAPES)


def flatten(
    record: dict[str, Any], maps: set[str], prefix: str = "", depth: int = 0
) -> dict[str, Any]:
    """Nested objects as dotted columns; lists, map-like objects and deep objects stay values."""
    if not prefix and not any(
        isinstance(v, dict) and v and str(k) not in maps for k, v in record.items()
    ):
        return record  # already flat: no copy, big arrays are mostly flat records
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and depth < _MAX_FLATTEN_DEPTH and name not in maps:
            out.update(flatten(value, maps, f"{name}.", depth + 1))
        else:
            out[name] = value
    return out


def map_like_paths(records: list[dict[str, Any]]) -> set[str]:
    """Paths of objects keyed by data (currency codes, ids) rather than by a schema.

    Flattening those would make one sparse column per key; such an object whose keys mostly
    appear in few of the rows stays a single JSON-valued column.
    """
    presence: dict[str, Counter[str]] = {}
    seen: Counter[str] = Counter()

    def walk(obj: dict[str, Any], path: str, depth: int) -> None:
        seen[path] += 1
        keys = presence.setdefault(path, Counter())
        for key, value in obj.items():
            keys[key] += 1
            if isinstance(value, dict) and value and depth < _MAX_FLATTEN_DEPTH:
                walk(value, f"{path}{key}.", depth + 1)

    for record in records:
        # Records themselves are never map-like: only their nested objects are walked.
        for key, value in record.items():
            if isinstance(value, dict) and value:
                walk(value, f"{key}.", 1)
    maps = set()
    for path, keys in presence.items():
        if seen[path] >= 3:
            mean_share = sum(keys.values()) / len(keys) / seen[path]
            if mean_share < 0.5:
                maps.add(path[:-1])
    return maps


@dataclass
class _Column:
    name: str
    values: list[Any]  # one per row; _MISSING where the row lacks the column
    distinct: Counter[str | int] = field(default_factory=Counter)
    # Packed: a float object each would take a 50 MB array's numbers four times the room.
    numbers: array[float] = field(default_factory=lambda: array("d"))
    as_text: bool = False  # whether ``numbers`` were read from strings
    own_keys: bool = False  # whether every value is its own key (_value_key): str and int

    def __post_init__(self) -> None:
        kinds = set(map(type, self.values))
        # Strings and ints are their own keys: counted as they are, at C speed.
        self.own_keys = kinds <= {str, int}
        self.distinct = Counter(self.keys())
        if any(issubclass(kind, (int, float)) for kind in kinds):  # else no number to gather
            self.numbers = array(
                "d",
                (
                    float(v)
                    for v in self.values
                    if isinstance(v, (int, float))
                    and not isinstance(v, bool)
                    # Beyond a float's range an int (a 400-digit id) is an identifier.
                    and (abs(v) < _FLOAT_MAX if isinstance(v, int) else math.isfinite(v))
                ),
            )
        # Numbers sent as strings (DynamoDB's "N", prices, sizes): numbers all the same. Not
        # codes of one width: each row its own ("I_D": "3148" names a row, not a quantity),
        # or whole numbers (ISO 3166's "numeric": "891", shared by two former countries).
        self.as_text = not self.numbers and _numbers_as_text(self.values[:20])
        if self.as_text:
            texts = [v for v in self.values if isinstance(v, str)]
            if len({len(v) for v in texts}) == 1:
                whole = not any("." in v for v in texts)
                self.as_text = not whole and len(self.distinct) < len(self.values)
        if self.as_text:
            self.numbers = array("d", (float(v) for v in self.values if _numeric_text(v)))

    def keys(self) -> Iterable[str | int]:
        """Each row's value as :attr:`distinct` counts it (:func:`_value_key`)."""
        return self.values if self.own_keys else map(_value_key, self.values)

    def numeric(self) -> dict[int, float]:
        """The rows' values that are numbers (written as strings, in a column of those)."""
        if self.as_text:
            return {i: float(v) for i, v in enumerate(self.values) if _numeric_text(v)}
        return {
            i: v
            for i, v in enumerate(self.values)
            if isinstance(v, (int, float)) and not isinstance(v, bool)
        }

    @functools.cached_property
    def width(self) -> int:
        """The widest cell among the first 50 rows."""
        return max((len(cell(v)) for v in self.values[:50] if v is not _MISSING), default=0)

    @functools.cached_property
    def arrays(self) -> bool:
        """Whether its cells are arrays of numbers (a geometry's coordinates), some long.

        A sampled table shows them counted (``<240 numbers>``): shown cut, they took the
        room of the rows that name the records (TopoJSON: 80 of 177 countries' names).
        """
        present = [v for v in self.values[:50] if v is not _MISSING and v is not None]
        counts = [_numbers_in(v) if isinstance(v, list) else None for v in present]
        numbers = [c for c in counts if c is not None]
        return bool(numbers) and len(numbers) == len(counts) and max(numbers) > _ARRAY_NUMBERS


_MISSING = object()
_FLOAT_MAX = 2**1023


def _numbers_in(value: list[Any]) -> int | None:
    """How many numbers ``value`` holds, nested lists of numbers only; else None."""
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            count += 1
        else:
            return None
    return count


def _value_key(value: Any) -> str | int:
    """What a cell counts as among its column's values: strings and ints are their own."""
    # No new object for most cells: a column of a million ids counts the ids it holds.
    return value if type(value) is str or type(value) is int else _hashable(value)


def _hashable(value: Any) -> str:
    if value is _MISSING:
        return "\x00missing"
    # Tagged, so the string "1" and the number 1 are different values.
    return value if isinstance(value, str) else "\x01" + minify(value)


class _TooLarge(Exception):
    """The lossless form outgrew the budget: render the sampled form instead."""


class _Renderer:
    """Renders one JSON document, lossless when it fits the budget, sampled otherwise."""

    def __init__(self, request: Request, budget_chars: int) -> None:
        self.request = request
        self.budget = budget_chars
        self.lossy = False
        # Built once: a lossless attempt that outgrows the budget is redone lossy.
        self._tables: dict[int, _Table] = {}
        self.tables = 0

    def render(self, data: Any) -> str:
        try:
            return self._value(data, "", lossy=False)
        except _TooLarge:
            self.request.check_time()
            self.lossy = True
            self.tables = 0
            return _with_failures(self._value(data, "", lossy=True), data)

    def _value(self, value: Any, path: str, *, lossy: bool) -> str:
        if (is_keyed_records(value) and not _collections(value)) or is_records(value):
            self.tables += 1
            # Keyed by the parsed value, which lives as long as this renderer.
            table = self._tables.get(id(value))
            if table is None:
                # {"id-1": {...}, "id-2": {...}}: a table with the keys as its first column.
                records = keyed_rows(value) if isinstance(value, dict) else value
                table = self._tables[id(value)] = _Table(path or "rows", records, self.request)
            return table.render(self.budget, lossy=lossy)
        if isinstance(value, dict):
            return self._object(value, path, lossy=lossy)
        if isinstance(value, list) and lossy and len(value) > 20:
            shown = ",".join(minify(v) for v in value[:10])
            rest = omitted(f"{len(value) - 10} of {len(value)} items", self.request.key)
            return f"{path or 'items'}: [{shown}, …] {rest}"
        text = f"{path}: {minify(value)}" if path else minify(value)
        if not lossy and len(text) > self.budget:
            raise _TooLarge
        return _cut(text) if lossy else text

    def _object(self, obj: dict[str, Any], path: str, *, lossy: bool) -> str:
        scalars: list[str] = []
        blocks: list[str] = []
        for key, value in obj.items():
            name = f"{path}.{key}" if path else str(key)
            if is_records(value) or (isinstance(value, (dict, list)) and len(minify(value)) > 200):
                blocks.append(self._value(value, name, lossy=lossy))
            else:
                scalars.append(f"{name}: {minify(value)}")
        if sum(len(line) + 1 for line in scalars) > self.budget:
            if not lossy:
                raise _TooLarge
            # A long value's start, not a marker alone: a key holding a blob still shows.
            scalars = self._some([_cut(line) for line in scalars])
        return "\n".join([*scalars, *blocks])

    def _some(self, scalars: list[str]) -> list[str]:
        """Some of many settings (a config's thousand keys), a marker at each run left out.

        The first that fit half the budget, and those reporting a failure or holding a word
        the query names.
        """
        from agent_baton.compress.guarantees import failing_lines  # lazy: it imports json

        keep = set(failing_lines(scalars))
        words = {w for w in _QUERY_VALUE.findall(self.request.query or "") if len(w) > 2}
        for word in words:
            holding = [i for i, line in enumerate(scalars) if word in line]
            keep.update(holding if len(holding) <= _NAMING_KEYS else ())
        used = 0
        for i, line in enumerate(scalars):
            used += len(line) + 1
            if used > self.budget // 2:
                break
            keep.add(i)
        out: list[str] = []
        gap = 0
        for i, line in enumerate(scalars):
            if i in keep:
                out.extend([note(f"{gap} keys")] if gap else [])
                out.append(line)
                gap = 0
            else:
                gap += 1
        return [*out, *([note(f"{gap} keys")] if gap else [])]


def _cut(text: str) -> str:
    """A blob (base64 image, embedding, minified text) as its start and its length."""
    if len(text) <= _LONG_VALUE:
        return text
    return f"{text[:_LONG_VALUE]}… [{len(text) - _LONG_VALUE} more chars]"


def _with_failures(rendered: str, data: Any) -> str:
    """``rendered`` (a sampled view of ``data``) with the failure lines of its strings it cut.

    Guarantee 3: a table shows them under the rows that hold them; any other (a long value
    cut to its start, a list cut to its first items) comes back here, at the end.
    """
    values = list(strings(data))
    found = failing_strings(values)
    shown = Contains(rendered, lambda: pieces(rendered))
    lost = [line for k in found for line in found[k] if line not in shown]
    if not lost:
        return rendered
    return "\n".join([rendered, RESTORED, *dict.fromkeys(lost)])


KEY_COLUMN = "(key)"


@functools.lru_cache(maxsize=4096)  # the same field names, record after record
@functools.lru_cache(maxsize=4096)  # asked of every field of every record shown
def is_telling(name: str) -> bool:
    """Whether a field's name says it names or describes its record (id, name, status…)."""
    return bool(_IDENTITY_NAME.search(name) or _IMPORTANT_NAME.search(name) or _ABOUT.search(name))


def is_link(value: Any) -> bool:
    """Whether a value is a URL (``https://…``, ``s3://…``)."""
    return isinstance(value, str) and _URL.match(value) is not None


def is_short_id(name: str, value: Any) -> bool:
    """Whether a field names its record in a few characters (``order_id``, ``key``, ``name``)."""
    return (
        isinstance(value, (str, int))
        and not isinstance(value, bool)
        and len(str(value)) <= _SHORT_ID
        and bool(_ID_NAME.search(name.rsplit(".", 1)[-1]))
    )


def is_noise(name: str, value: Any) -> bool:
    """Whether a field is one a reader rarely needs: a URL, a node id, a hash, an avatar."""
    if _NOISE_NAME.search(name):
        return True
    return isinstance(value, str) and bool(_URL.match(value) or _HEXISH.match(value))


def is_keyed_records(value: Any) -> bool:
    """An object whose values are records keyed by name or id (not a record itself)."""
    return (
        isinstance(value, dict)
        and len(value) >= 3
        and sum(isinstance(v, dict) and KEY_COLUMN not in v for v in value.values())
        >= 0.9 * len(value)
    )


def _collections(value: dict[str, Any]) -> bool:
    """Whether most records keyed by name hold records of their own, more than there are keys.

    TopoJSON's ``objects`` (counties, states, land): as one table's rows, each collection's
    records were a cell, ``["3641 items", {...}]``, and 14 of 3,694 ids stayed.
    """
    holding = sum(
        any(is_records(member) and len(member) > len(value) for member in record.values())
        for record in value.values()
        if isinstance(record, dict)
    )
    return 2 * holding >= len(value)


def keyed_rows(value: dict[str, Any]) -> list[dict[str, Any]]:
    """The records of an object keyed by name, its keys as their first column.

    The few values that are no record (tar's ``"./package.json": "./package.json"`` among
    its exports) are rows of one field, as an array's are.
    """
    return [
        {KEY_COLUMN: k, **(v if isinstance(v, dict) else {"value": v})} for k, v in value.items()
    ]


def is_records(value: Any) -> bool:
    """An array of (mostly) objects: the rows of a table."""
    return (
        isinstance(value, list)
        and len(value) >= 2
        and sum(isinstance(v, dict) for v in value) >= 0.9 * len(value)
    )


class _Table:
    """An array of objects as a table; sampled (rows and columns) in lossy mode."""

    def __init__(
        self, name: str, records: list[Any], request: Request, *, flat: bool = False
    ) -> None:
        self.name = name
        if flat:  # a text table's records: cells, nothing nested to look for
            self.rows = records
        else:
            objects = [r for r in records if isinstance(r, dict)]
            maps = map_like_paths(objects)
            self.rows = [flatten(r, maps) if isinstance(r, dict) else {"value": r} for r in records]
        self.request = request
        self.budget = 0
        names = list(dict.fromkeys(chain.from_iterable(self.rows)))  # each row's keys
        self.columns = [
            _Column(n, list(map(dict.get, self.rows, repeat(n), repeat(_MISSING)))) for n in names
        ]
        self._failing: dict[int, list[str]] | None = None

    def render(self, budget: int, *, lossy: bool) -> str:
        """The table in full, or sampled to ``budget`` chars when ``lossy``.

        Raises _TooLarge as soon as the full table outgrows the budget.
        """
        self.budget = budget
        n = len(self.rows)
        constant = [c for c in self.columns if len(c.distinct) == 1 and n > 1]
        varying = [c for c in self.columns if not (len(c.distinct) == 1 and n > 1)]
        lines = [note(f"{self.name}: {n} rows")]
        if lossy:
            return self._sampled(lines, constant, varying)
        if constant:
            lines.append(note("same in all rows: " + "; ".join(_pair(c, 0) for c in constant)))
        lines.append("|".join(c.name for c in varying))
        size = sum(map(len, lines))
        for i in range(n):
            row = self._row(i, varying)
            size += len(row) + 1
            if size > budget:
                raise _TooLarge
            lines.append(row)
        return "\n".join(lines)

    # -- lossy ----------------------------------------------------------------------------

    def _sampled(self, lines: list[str], constant: list[_Column], varying: list[_Column]) -> str:
        n = len(self.rows)
        key = self.request.key
        # Constants cost one mention each: keep all but noise (URLs, hashes) and long ones.
        shown_constant = [c for c in constant if _priority(c, n) > -3 and c.width <= 120]
        urls = [c for c in constant if isinstance(c.values[0], str) and _URL.match(c.values[0])]
        if urls:
            # The shortest top-level shared URL usually names what the rows belong to.
            shown_constant.append(min(urls, key=lambda c: (c.name.count("."), len(c.values[0]))))
        if shown_constant:
            lines.append(
                note("same in all rows: " + "; ".join(_pair(c, 0) for c in shown_constant))
            )

        rare = self._rare_rows(varying)
        matched = self._query_rows()
        columns = self._choose_columns(varying, rare)
        columns += self._anomaly_columns(varying, columns, rare)

        header = "|".join(c.name for c in columns)
        room = _table_room(self.budget, columns, n)
        if room < n and any(self._names(c) for c in varying):
            room = max(3, room // 3)  # the rest names the rows left out, for less each
        failing = self._failing_rows()
        keep = _pick_rows(n, {*matched, *failing}, rare.order, room)
        shown = {c.name for c in columns} | {c.name for c in shown_constant}
        dropped = [c.name for c in [*varying, *constant] if c.name not in shown]

        lines.append(header)
        # Cells may grow when few rows are kept: the budget is for the whole table.
        cells = max(1, len(keep) * len(columns))  # no columns when every one is constant
        limit = min(400, max(_CELL_CHARS, self.budget * 6 // 10 // cells))
        previous = -1
        gaps: list[tuple[int, int, int]] = []  # a gap's marker line, its first and last row
        for i in keep:
            if i - previous > 1:
                gaps.append((len(lines), previous + 1, i - 1))
                lines.append(note(f"rows {previous + 1}-{i - 1}"))
            start = len(lines)
            if i in matched:
                lines.append(f"{self._row(i, columns)}  ← matches query")
                extra = self._full_row(i, {c.name for c in columns})
                if extra:
                    lines.append(f"  more of row {i}: {extra}")
            else:
                lines.append(self._row(i, columns, limit))
            # The failure lines of its values that its cells cut or left out, as they read.
            row = "\n".join(lines[start:])
            lines.extend(line for line in failing.get(i, ()) if line not in row)
            previous = i
        if previous < n - 1:
            gaps.append((len(lines), previous + 1, n - 1))
            lines.append(note(f"rows {previous + 1}-{n - 1}"))
        lines.append(note(f"stats: {self._stats(columns)}"))
        self._name_left_out(lines, gaps, varying)
        parts = [f"{n - len(keep)} of {n} rows"] if len(keep) < n else []
        if dropped:
            names = ", ".join(dropped[:_NAMED_COLUMNS])
            more = (
                f" and {len(dropped) - _NAMED_COLUMNS} more"
                if len(dropped) > _NAMED_COLUMNS
                else ""
            )
            parts.append(f"{len(dropped)} column{'s' if len(dropped) > 1 else ''} ({names}{more})")
        what = ", ".join(parts) or "long cells"
        lines.append(omitted(what, key))
        return "\n".join(lines)

    def _name_left_out(
        self, lines: list[str], gaps: list[tuple[int, int, int]], varying: list[_Column]
    ) -> None:
        """Under each gap's marker, the names of the rows it left out, as the room allows.

        A column that names every row (``name`` of ``pip list --format=json``, an ``id``)
        says what the table holds: the rows left out are named in the room the rows kept
        left, every other name of each gap or every fourth … if all do not fit
        (``[… name of rows 9-160, every 4th: aiosqlite, appdirs, … (114 more)]``). Changes
        ``lines`` in place.
        """
        naming = [c for c in varying if self._names(c)]
        room = self.budget - sum(len(line) + 1 for line in lines) - _CLOSING_CHARS
        # A gap of a row or two is not worth its note.
        gaps = [gap for gap in gaps if gap[2] - gap[1] + 1 >= _NAMED_GAP]
        if not naming or not gaps or room <= 0:
            return
        column = naming[0]
        values = column.values
        named = [[cell(values[i]) for i in range(first, last + 1)] for _, first, last in gaps]

        def cost(step: int) -> int:
            return sum(_NOTE_CHARS + sum(len(x) + 2 for x in names[::step]) for names in named)

        # Every step-th name of each gap, the least step whose names fit the room left.
        step = 1
        while cost(step) > room and step < max(map(len, named)):
            step *= 2
        if cost(step) > room:
            return
        for (at, first, last), names in reversed(list(zip(gaps, named, strict=True))):
            picked = names[::step]
            every = f", every {_ordinal(step)}" if len(picked) < len(names) else ""
            more = f" ({len(names) - len(picked)} more)" if every else ""
            said = f"{column.name} of rows {first}-{last}{every}: {', '.join(picked)}{more}"
            lines.insert(at + 1, note(said))

    def _names(self, column: _Column) -> bool:
        """Whether ``column`` names every row, in words and briefly: it can name the rows left out.

        Not a number, an id or a URL: ``12068673`` tells a reader nothing of its row.
        """
        leaf = column.name.rsplit(".", 1)[-1]
        worded = column.name == KEY_COLUMN or _WORD_NAME.search(leaf) is not None
        numbered = bool(column.numbers) or column.as_text
        fits = column.width <= _NAME_CHARS
        return worded and fits and not numbered and _identifying(column, len(self.rows))

    def _row(self, i: int, columns: list[_Column], limit: int = 0) -> str:
        """Row ``i``; with a ``limit``, long cells are cut and objects reduced to a brief."""
        cells = []
        for c in columns:
            value = c.values[i]
            text = "" if value is _MISSING else cell(value)
            if limit and c.arrays and len(text) > _ARRAY_CHARS and isinstance(value, list):
                text = f"<{_numbers_in(value)} numbers>"
            if limit and len(text) > limit:
                if isinstance(value, (dict, list)):
                    text = cell(_brief(value, limit))
                text = text if len(text) <= limit else text[: limit - 1] + "…"
            cells.append(text)
        return "|".join(cells)

    def _failing_rows(self) -> dict[int, list[str]]:
        """The rows whose values (nested ones too) hold failure lines, with those lines."""
        if self._failing is None:
            values: list[str] = []
            owners: list[int] = []
            for i, row in enumerate(self.rows):
                for value in row.values():
                    found = [value] if isinstance(value, str) else strings(value)
                    for text in found:
                        values.append(text)
                        owners.append(i)
            self._failing = {}
            for k, lines in failing_strings(values).items():
                self._failing.setdefault(owners[k], []).extend(lines)
        return self._failing

    def _full_row(self, i: int, shown: set[str]) -> str:
        """The other non-empty fields of a row that matched the query, as name=value.

        The record's own top-level fields (its URLs too) and its telling nested ones.
        """
        n = len(self.rows)
        pairs = [
            f"{c.name}={cell(c.values[i])}"
            for c in self.columns
            if c.name not in shown
            and c.values[i] is not _MISSING
            and c.values[i] not in ("", None)
            and not (len(c.distinct) == 1 and n > 1)
            and ("." not in c.name or _priority(c, n) > -3)
        ]
        return "; ".join(pairs)

    def _query_rows(self) -> set[int]:
        if not self.request.query:
            return set()  # spares spelling out every row
        texts = [" ".join(_hashable(v) for v in row.values()) for row in self.rows]
        # The three best matches and anything close to them, at most six; and a row whose
        # identifying value the query spells out whole ("gpt-4o", not "gpt-4o-mini").
        found = best_matches(texts, self.request.query, most=6, floor=0.5, sure=3)
        # A name ends a sentence as often as not: "the details of tree-sitter."
        words = {w for v in _QUERY_VALUE.findall(self.request.query) for w in (v, v.rstrip(".?!"))}
        n = len(self.rows)
        for c in self.columns:
            if _identifying(c, n) or c.name == KEY_COLUMN:
                found.update(i for i, v in enumerate(c.values) if isinstance(v, str) and v in words)
        return found

    def _rare_rows(self, columns: list[_Column]) -> _Rarity:
        n = len(self.rows)
        score = [0.0] * n
        flagged: dict[str, set[int]] = {}
        strength: dict[str, float] = {}
        for c in columns:
            hits = _rare_in(c, n)
            if hits:
                flagged[c.name] = set(hits)
                strength[c.name] = max(hits.values())
                for i, weight in hits.items():
                    score[i] += weight
        order = sorted((i for i in range(n) if score[i] > 0), key=lambda i: (-score[i], i))
        return _Rarity(order, flagged, strength)

    def _anomaly_columns(
        self, varying: list[_Column], chosen: list[_Column], rare: _Rarity
    ) -> list[_Column]:
        """Columns that explain why a kept row is rare, unless a shown column already does."""
        n = len(self.rows)
        shown = {c.name for c in chosen}
        explained = set().union(*(rare.columns.get(name, set()) for name in shown))
        extra = []
        # The column that makes its rows rarest first ("mode: audio_speech" among "chat"
        # explains a row better than a price only a few rows have).
        ranked = sorted(varying, key=lambda c: (-rare.strength.get(c.name, 0.0), -_priority(c, n)))
        for c in ranked:
            rows = rare.columns.get(c.name)
            if not rows or c.name in shown or rows <= explained or _priority(c, n) <= -3:
                continue
            extra.append(c)
            explained |= rows
            if len(extra) == 6:
                break
        return extra

    def _choose_columns(self, varying: list[_Column], rare: _Rarity) -> list[_Column]:
        n = len(self.rows)
        families = Counter(_family(c.name) for c in varying)
        ranked = sorted(
            varying,
            # Rare for a value much rarer than its column's usual one, not for being one of
            # a column's extremes or a field few records have.
            key=lambda c: (
                -_priority(c, n, rare.strength.get(c.name, 0) >= 1.5, families[_family(c.name)])
            ),
        )
        # The column that tells rows apart (a unique id, key, name, ref or url) always stays:
        # without them a kept row cannot be named or looked up.
        chosen = [c for c in ranked if _identifying(c, n)][:1]
        # A record's only link, its own, where no short id names it (a search result: a
        # title, a rank, a url) is where it is found: the penalty on URL columns is for an
        # API record's dozen link siblings, and an order's url repeats its order_id.
        links = [c for c in varying if _links(c)]
        short = [
            c
            for c in varying
            if len(c.distinct) == n and any(is_short_id(c.name, v) for v in c.values[:1])
        ]
        if len(links) == 1 and len(links[0].distinct) == n and links[0] not in chosen:
            chosen += [] if short else links
        width = sum(min(c.width, _CELL_CHARS) + 1 for c in chosen)
        limit = max(120, self.budget // max(8, min(n, 40)))
        for c in ranked:
            w = min(c.width, _CELL_CHARS) + 1
            if c in chosen or (chosen and (width + w > limit or _priority(c, n) <= -3)):
                continue
            chosen.append(c)
            width += w
        order = {c.name: i for i, c in enumerate(varying)}
        return sorted(chosen, key=lambda c: order[c.name])

    def _stats(self, columns: list[_Column]) -> str:
        """Numbers as min–max and mean, categories as counts; other columns are left out."""
        parts = []
        n = len(self.rows)
        for c in columns:
            present = sum(k for v, k in c.distinct.items() if v != "\x00missing")
            if present < 0.5 * n:
                continue
            if len(c.numbers) >= 0.8 * n and len(c.distinct) > 5:
                lo, hi = min(c.numbers), max(c.numbers)
                mean = sum(c.numbers) / len(c.numbers)
                parts.append(f"{c.name} {_num(lo)}–{_num(hi)} mean {_num(mean)}")
            elif 1 < len(c.distinct) <= 8 and len(c.distinct) < n:
                top = ", ".join(f"{_short(v)}×{k}" for v, k in c.distinct.most_common(5))
                parts.append(f"{c.name}: {top}")
        return "; ".join(parts)


@dataclass
class _Rarity:
    order: list[int]  # row indices, most anomalous first
    columns: dict[str, set[int]]  # column -> rows where it holds a rare value
    strength: dict[str, float]  # column -> the weight of its rarest value


def _rare_in(c: _Column, n: int) -> dict[int, float]:
    """Rows whose value in this column is rare, an outlier, or a lone null/missing."""
    hits: dict[int, float] = {}
    if n < 3:
        return hits
    # The counts of the values present, without copying a column of a million ids.
    missing = c.distinct.get("\x00missing", 0)
    have = c.distinct.total() - missing
    if have <= max(2, n // 10):
        # A field only a few records have (a deprecation date, an error) marks them out.
        return {i: 0.5 for i, v in enumerate(c.values) if v is not _MISSING and v is not None}
    if have < 0.5 * n:
        return hits  # a sparse column: having it is common enough not to be an anomaly
    distinct = len(c.distinct) - (missing > 0)
    top_count = max(k for v, k in c.distinct.items() if v != "\x00missing")
    if len(c.numbers) >= 0.8 * n and distinct > 5:
        hits.update(_outliers(c))
    if 1 < distinct < have and top_count >= 2:
        # Categories, numbers of few values too (a link count, an exit code): a value at
        # most a third as common as the column's average value is an anomaly, weighed by
        # how much rarer it is (a lone "failed" among 600 "ok" counts for more than a lone
        # section among forty).
        mean = have / distinct
        rare = {
            v: math.log2(mean / k)
            for v, k in c.distinct.items()
            if k <= mean / 3 and v != "\x00missing"
        }
        for i, weight in enumerate(map(rare.get, c.keys()) if rare else ()):
            if weight is not None:
                hits[i] = max(hits.get(i, 0.0), weight)
    if not hits and 2 * distinct > have:
        hits.update(_rare_lengths(c.values, have))
    if not hits:
        nulls = [i for i, v in enumerate(c.values) if v is None or v is _MISSING]
        if 0 < len(nulls) <= max(1, n // 10):
            for i in nulls:
                hits[i] = 1.0
    return hits


def _rare_lengths(values: list[Any], have: int) -> dict[int, float]:
    """Rows whose list, in a column of mostly distinct lists, has a rare length.

    Lists of other things (a commit's parents, an issue's labels) differ row by row; their
    length tells what the row is: the merge commit (two parents) among plain ones.
    """
    if not any(isinstance(v, list) for v in values[:20]):
        return {}  # not a column of lists: a column of a million ids is not read again
    lengths = Counter(len(v) for v in values if isinstance(v, list))
    if sum(lengths.values()) < 0.8 * have or len(lengths) < 2:
        return {}
    mean = have / len(lengths)
    rare = {n: math.log2(mean / k) for n, k in lengths.items() if k <= mean / 3}
    return {i: rare[len(v)] for i, v in enumerate(values) if isinstance(v, list) and len(v) in rare}


def _outliers(c: _Column) -> dict[int, float]:
    values = sorted(c.numbers)
    q1, q3 = values[len(values) // 4], values[(3 * len(values)) // 4]
    spread = q3 - q1
    bottom, top = q1 - 3 * spread, q3 + 3 * spread
    hits = {}
    numbers = c.numeric()
    for i, v in numbers.items():
        if spread <= 0:
            break  # most values are one: only the extremes below stand out
        if not bottom <= v <= top:
            hits[i] = 1.0 + min(1.0, abs(v - (q1 + q3) / 2) / spread / 10)
    # The largest value (the biggest file, the busiest process) is a fact of its own, worth
    # a category 32 times rarer than its column's usual one; the smallest counts a little
    # (the one zero stock among hundreds).
    low = min(numbers, key=lambda i: (numbers[i], i))
    high = max(numbers, key=lambda i: (numbers[i], -i))
    hits[high] = max(hits.get(high, 0.0), 5.0)
    hits.setdefault(low, 0.25)
    return hits


_NUMERIC_TEXT = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:\.\d{1,12})?")


def _numeric_text(value: Any) -> bool:
    """A string that is a plain decimal number ("225", "-0.5"; not "007", "1e3", "1.2.3")."""
    return isinstance(value, str) and _NUMERIC_TEXT.fullmatch(value) is not None


def _numbers_as_text(sample: list[Any]) -> bool:
    """Whether a column's first values are numbers written as strings (all of those present)."""
    present = [v for v in sample if v is not _MISSING and v is not None]
    return len(present) >= 3 and all(_numeric_text(v) for v in present)


def _ordinal(k: int) -> str:
    """``2nd``, ``4th``, ``32nd``: a step of names."""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _table_room(budget: int, columns: list[_Column], n: int) -> int:
    """How many rows of ``columns`` a sampled table keeps in ``budget`` characters."""
    # A long identifier (a model name, a package URL) counts as a short one: naming the
    # rows must not cost the rare rows their places.
    row_chars = sum(
        min(c.width, _ID_CHARS if _identifying(c, n) else _ARRAY_CHARS if c.arrays else _CELL_CHARS)
        + 1
        for c in columns
    )
    return max(3, (budget * 7 // 10) // max(1, row_chars))


def _identifying(c: _Column, n: int) -> bool:
    """Whether a column names its row: unique in every row, and called id, key, ref, url..."""
    if n < 3 or len(c.distinct) != n or c.width > 200:
        return False
    return c.name == KEY_COLUMN or bool(_IDENTITY_NAME.search(c.name.rsplit(".", 1)[-1]))


def _links(c: _Column) -> bool:
    """Whether most of a column's values (of its first 50 strings) are URLs."""
    texts = [v for v in c.values[:50] if isinstance(v, str)]
    return bool(texts) and sum(map(is_link, texts)) > len(texts) / 2


def _priority(c: _Column, n: int, rare: bool = False, family: int = 1) -> float:
    sample = [v for v in c.values[:50] if v is not _MISSING and v is not None]
    score = 0.0
    if c.name == KEY_COLUMN:
        score += 6  # the key a keyed object held each record under: its identity
    if n > 2 and len(c.distinct) == n and 0 < c.width <= 40:
        score += 2  # an identifier: unique and short
    if family > 6:
        score -= 2  # one of many siblings (translations.*, *_url): rarely the point
    texts = [v for v in sample if isinstance(v, str)]
    if texts and sum(v.count(" ") >= 4 for v in texts) > len(texts) / 2:
        score += 2  # prose: a title, a message, a comment's body
    leaf = c.name.rsplit(".", 1)[-1]
    if _IMPORTANT_NAME.search(leaf):
        score += 3
    if rare:
        score += 3
    if c.numbers:
        score += 1
    if _NOISE_NAME.search(c.name):
        score -= 4
    if texts:
        if _links(c):
            score -= 3
        if sum(bool(_HEXISH.match(s)) for s in texts) > len(texts) / 2:
            score -= 3
    score -= 0.5 * c.name.count(".")
    if all(v is _MISSING or v is None or v == "" for v in c.values):
        score -= 5
    return score


def _brief(value: Any, limit: int) -> Any:
    """The telling scalar fields of a nested object (ids, names, states first), no URLs.

    A cut JSON prefix shows URLs and node ids; a brief shows what identifies the object.
    """
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return [f"{len(value)} items", _brief(value[0], limit)]
        return value
    fields = [
        (k, v)
        for k, v in value.items()
        if not isinstance(v, (dict, list))
        and not (isinstance(v, str) and (_URL.match(v) or _HEXISH.match(v)))
    ]
    fields.sort(key=lambda kv: not _IMPORTANT_NAME.search(str(kv[0])))
    brief: dict[str, Any] = {}
    size = 2
    for k, v in fields:
        size += len(str(k)) + len(minify(v)) + 2
        if size > limit:
            break
        brief[str(k)] = v
    return brief


def _family(name: str) -> str:
    """The top-level field a dotted column belongs to (``translations`` for ``translations.x``)."""
    return name.split(".", 1)[0] if "." in name else name


def _pick_rows(n: int, matched: set[int], rare_order: list[int], room: int) -> list[int]:
    # A dict keeps the order of choice and answers "already kept?" at once (rooms run to
    # tens of thousands of rows on a 10 MB array).
    keep = dict.fromkeys([*sorted(matched), 0, n - 1])
    for i in rare_order:
        if len(keep) >= room:
            break
        keep.setdefault(i)
    fill = 1
    while len(keep) < min(room, n) and fill < n:
        keep.setdefault(fill)
        fill += 1
    return sorted(keep)


def _pair(c: _Column, row: int) -> str:
    value = c.values[row]
    return f"{c.name}={'' if value is _MISSING else cell(value)}"


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else f"{x:.4g}"


def _short(value: str | int) -> str:
    if value == "\x00missing":
        return "(missing)"
    v = str(value).removeprefix("\x01")
    return v if len(v) <= 30 else v[:29] + "…"
