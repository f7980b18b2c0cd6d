"""A text parsed as data, once: detection, the compressors and the guarantee checks share it.

A document is parsed when its kind is detected, again when its compressor reads it (at each
level of a budget), and again when the guarantees check the result; within one compression
(:func:`~agent_baton.compress.memo.once`) each is parsed once, and nothing is kept after it.
Callers must not change the values they get.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from agent_baton.compress.memo import once

# What json_value and literal_value return for a text that is not such a value.
NOT_DATA: Any = object()
_MAX_LITERAL_CHARS = 5_000_000  # ast.literal_eval on more would take too long
# From this length on a document's equal strings and ints are parsed into one object each.
_SHARED_VALUES_FROM_CHARS = 1_000_000
_SHARED_VALUES = 65_536  # distinct values remembered for sharing, at most
_JSON = json.JSONDecoder()
# What Python's tokenizer skips between a complete value and what goes on with it.
_PYTHON_BLANKS = " \t\f\r\n"
# A line Python reads as more than a blank or a comment.
_CODE_LINE = re.compile(r"^[ \t\f\r]*+[^ \t\f\r#\n]", re.M)


@once
def json_value(text: str) -> Any:
    """``text`` as one JSON document (whitespace around it allowed), else :data:`NOT_DATA`."""
    if text.lstrip()[:1] not in ("[", "{"):
        return NOT_DATA
    try:
        if len(text) < _SHARED_VALUES_FROM_CHARS:
            return json.loads(text)
        return json.loads(text, object_pairs_hook=_sharing_values())
    except (ValueError, RecursionError):  # "[planner]: ..." starts with "[" too
        return NOT_DATA


def _sharing_values() -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """An object hook that makes the members' equal strings and ints one object.

    A large array repeats its records' values ("ok", a user name, a path) a million times:
    parsed as separate objects, they take most of its parse tree (a 50 MB array of records,
    a third of its 200 MB). Keys are shared by the parser itself.
    """
    shared: dict[str | int, str | int] = {}

    def build(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        share = shared.setdefault if len(shared) < _SHARED_VALUES else shared.get
        return {k: share(v, v) if type(v) is str or type(v) is int else v for k, v in pairs}

    return build


@once
def literal_value(text: str) -> Any:
    """``text`` as the repr of a Python list, dict, tuple, set or bytes, else :data:`NOT_DATA`.

    The ``str()`` an agent framework calls on a tool's return value. Reprs of objects in it
    are read as their text (``datetime.datetime(...)``, ``<DirEntry 'a.py'>``), a call of
    keywords alone as a record (see :func:`_with_calls`).
    """
    stripped = text.strip()
    if len(stripped) > _MAX_LITERAL_CHARS:
        return NOT_DATA
    if _FIELD.match(stripped) and "\n" not in stripped:
        try:
            return _fields(stripped)
        except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
            return NOT_DATA
    # A record's repr on one line (AutoGen's TaskResult, CrewAI's CrewOutput): only its
    # fields make it data, a call with other arguments is code (print('x')).
    record = "\n" not in stripped and _RECORD.match(stripped) is not None
    if not (record or stripped[:1] in ("[", "{", "(") or stripped[:2] in ("b'", 'b"')):
        return NOT_DATA
    if _json_then_more(text.lstrip(), stripped) or _line_then_more(stripped):
        return NOT_DATA
    try:
        value = parse_literal(stripped)
        return value if not record or is_record(value) else NOT_DATA
    except SyntaxError as error:
        # A value's repr in angle brackets (<Response [200]>, <DirEntry 'a.py'>) as a string,
        # if the parser got as far as one (a log's "[2026-12-06 10:01] <module>" stops at its
        # date: quoting what comes after changes nothing, and it is not scanned again).
        first = _OBJECT_START.search(stripped)
        if first is None or first.start() > _index(stripped, error.lineno, error.offset):
            return NOT_DATA
        quoted = quote_objects(stripped)
        try:
            value = parse_literal(quoted) if quoted != stripped else NOT_DATA
            return value if not record or is_record(value) else NOT_DATA
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return NOT_DATA
    except (ValueError, TypeError, MemoryError, RecursionError):
        return NOT_DATA


_RECORD = re.compile(r"[A-Za-z_][\w.]*\(")


def is_record(value: Any) -> bool:
    """Whether a parsed value is a record read from its repr (a dict under its class)."""
    return isinstance(value, dict) and "class" in value


# A field of pydantic's str() of a model: "messages=[...] stop_reason=None" (AutoGen's
# TaskResult, as print() shows it).
_FIELD = re.compile(r"[A-Za-z_]\w*=(?!=)")
# Fields of a model's str(), at most: each is found by parsing the rest of the text (a
# LangChain message has about ten; "a=1 a=1 ..." would take a parse of the rest per field).
_MAX_FIELDS = 16


def _fields(text: str) -> Any:
    """A pydantic model's ``str()``, ``name=value`` pairs apart by blanks, as a dict.

    Each value is a literal (maybe holding reprs of objects); the parser says where it ends,
    at the next field's name. At least one value must be a list, tuple or dict: ``a=1 b=2``
    is a log line's fields (logfmt), not a model. The str() is one line (its values are
    reprs): lines of ``name=value`` are a .env file or assignments, not a model.
    """
    fields: dict[str, Any] = {}
    at = 0
    for _ in range(_MAX_FIELDS):
        if at == len(text):
            break
        name = _FIELD.match(text, at)
        if name is None:
            return NOT_DATA
        rest = text[name.end() :]
        try:
            value = parse_literal(rest)
            end = len(rest)
        except SyntaxError as error:
            end = _index(rest, error.lineno, error.offset)
            if not rest[:end].strip() or not rest[end - 1].isspace():
                return NOT_DATA  # the value does not end where a field could start
            value = parse_literal(rest[:end])
        if value is NOT_DATA:
            return NOT_DATA
        fields[name.group(0)[:-1]] = value
        at = name.end() + end
        while at < len(text) and text[at].isspace():
            at += 1
    if at < len(text) or not any(isinstance(v, list | tuple | dict) for v in fields.values()):
        return NOT_DATA
    return fields


@once
def json_opening(text: str) -> int | None:
    """Where the JSON value that opens ``text`` ends, or None if none opens it.

    Asked of a text without its leading blanks by detection and by :func:`literal_value`
    alike: a tool's JSON result joined to a log is read once.
    """
    try:
        return _JSON.raw_decode(text)[1]
    except (ValueError, RecursionError):
        return None


def _json_then_more(opened: str, stripped: str) -> bool:
    """Whether a JSON array or object opens the text and something a literal cannot hold follows.

    ``opened`` is the text without its leading blanks, ``stripped`` without its trailing ones
    too. Read as Python, that JSON value is one complete expression, and a literal goes on
    after it only with "," (a tuple's next item), a comment or a line continuation; anything
    else (a log after a tool's JSON result) makes the text no literal. The JSON parser (C)
    tells so without Python's parser reading the whole value first (0.1 s for 250 kB).
    """
    end = json_opening(opened)
    if end is None:
        return False
    rest = stripped[end:].lstrip(_PYTHON_BLANKS)
    return bool(rest) and rest[0] not in ",#\\"


def _line_then_more(text: str) -> bool:
    """Whether the first line of ``text`` is a literal alone and more than comments follow.

    That line is then one complete expression, and an expression read as a whole text ends
    with its line: what follows makes the text no literal (a repr on one line, then a log).
    The first line's value is asked for anyway (the segmenter splits such a text there).
    """
    first, newline, rest = text.partition("\n")
    return bool(newline and _CODE_LINE.search(rest)) and literal_value(first) is not NOT_DATA


def parse_literal(text: str) -> Any:
    """``text`` parsed once: a literal, else one whose values include calls (or NOT_DATA)."""
    tree = ast.parse(text, mode="eval")
    try:
        return ast.literal_eval(tree)
    except ValueError:
        return _with_calls(text, tree.body)  # a value's repr that is a call: datetime(...)


def _index(text: str, lineno: int | None, offset: int | None) -> int:
    """Where in ``text`` a parser's 1-based line and column are (its end if not known)."""
    if lineno is None or offset is None:
        return len(text)
    start = 0
    for _ in range(lineno - 1):
        start = text.find("\n", start) + 1
        if not start:
            return len(text)
    return start + offset - 1


_OBJECT_CHARS = 300  # an object's repr in angle brackets is at most this long
_OBJECT_START = re.compile(r"<[^\W\d]")  # "<DirEntry", "<_io.TextIOWrapper"


# Where a string literal or an object's repr may open; a string literal's body after its
# opening quote, up to its closing one (a backslash escapes the next character).
_QUOTE_OR_OBJECT = re.compile(r"['\"<]")
_STRING_BODY = {q: re.compile(rf"(?:[^{q}\\]++|\\[\s\S])*+") for q in "'\""}


def quote_objects(text: str) -> str:
    """``text`` with each ``<...>`` outside its string literals made one (the rest unchanged)."""
    out: list[str] = []
    i, n, done = 0, len(text), 0
    # From one quote or "<" to the next by regex: a repr of megabytes is not read a
    # character at a time in Python.
    while (found := _QUOTE_OR_OBJECT.search(text, i)) is not None:
        i = found.start()
        char = text[i]
        if char != "<":
            body = _STRING_BODY[char].match(text, i + 1)  # matches, if only an empty body
            i = (body.end() if body else n) + 1
        elif i + 1 < n and (text[i + 1].isalpha() or text[i + 1] == "_"):
            depth, end = 0, i
            while end < min(n, i + _OBJECT_CHARS):
                depth += {"<": 1, ">": -1}.get(text[end], 0)
                if depth == 0 or text[end] == "\n":
                    break
                end += 1
            if depth:
                return text  # not closed where an object's repr would be: not one
            out += [text[done:i], repr(text[i : end + 1])]
            i = done = end + 1
        else:
            i += 1
    return "".join([*out, text[done:]])


def _with_calls(text: str, tree: ast.expr) -> Any:
    """A literal whose values include reprs of objects, each read as the text of its call.

    ``str()`` of a boto3 response holds ``datetime.datetime(2026, 12, 6, 19, 19,
    tzinfo=tzutc())``, a database row ``Decimal('1.50')``, a path ``PosixPath('/tmp')``:
    a call of a dotted name on literals (calls of the same kind included). A call of
    keywords alone is a record (``Job(id='job-7', status='FAILED')``): a dict of them; so is
    a collection's (``Counter({'a': 2})``), its items under ``items``. Anything
    else (a bare name, an operator) is code, not data: :data:`NOT_DATA`.
    """
    source = text.encode()
    starts = [0]  # byte offset of each line: the parser's columns count UTF-8 bytes
    starts += [i + 1 for i, byte in enumerate(source) if byte == 10]

    def segment(node: ast.expr) -> str:
        first = starts[node.lineno - 1] + node.col_offset
        last = starts[(node.end_lineno or node.lineno) - 1] + (node.end_col_offset or 0)
        return source[first:last].decode()

    def value(node: ast.expr) -> Any:
        if isinstance(node, ast.Call):
            if not _dotted(node.func) or any(k.arg is None for k in node.keywords):
                raise ValueError("not a repr")
            if node.keywords and not node.args:
                # A record's repr (a dataclass, a pydantic model, a named tuple): its fields,
                # under its class ("class" is no keyword argument's name).
                fields = {k.arg: value(k.value) for k in node.keywords if k.arg}
                return {"class": segment(node.func), **fields}
            held = held_collection(node)
            if held is not None:
                # A collection's repr: Counter({...}), OrderedDict([...]), deque([...],
                # maxlen=5), defaultdict(<class 'list'>, {...}), numpy's array([...],
                # dtype=float32). Its items under "items", its other arguments as written.
                said = {k.arg: setting(k.value) for k in node.keywords if k.arg}
                rest = [setting(arg) for arg in node.args if arg is not held]
                name = segment(node.func)
                items = value(held)
                if name.lower().endswith("dict") and isinstance(items, list):
                    items = _mapping(items)  # OrderedDict([('a', 1)]): a mapping, by its pairs
                return {"class": name, **({"args": rest} if rest else {}), **said, "items": items}
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                if not (isinstance(arg, ast.Attribute) and _dotted(arg)):
                    value(arg)  # else a constant's name: tzinfo=datetime.timezone.utc
            return segment(node)
        if isinstance(node, ast.Dict):
            if any(key is None for key in node.keys):
                raise ValueError("not a repr")
            return {value(k): value(v) for k, v in zip(node.keys, node.values, strict=True) if k}
        if isinstance(node, ast.List | ast.Tuple):
            items = [value(item) for item in node.elts]
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, ast.Set):
            return {value(item) for item in node.elts}
        return ast.literal_eval(node)  # a constant, a signed number; ValueError for the rest

    def setting(node: ast.expr) -> Any:
        """A collection's other argument: a value, or a name as written (``dtype=float32``)."""
        return segment(node) if _dotted(node) else value(node)

    try:
        return value(tree)
    except (ValueError, TypeError, MemoryError, RecursionError):
        return NOT_DATA


# What a collection's repr holds its items in: a dict, list, tuple or set display.
_DISPLAYS = (ast.Dict, ast.List, ast.Tuple, ast.Set)


def held_collection(node: ast.Call) -> ast.expr | None:
    """The one display among a call's positional arguments (a collection's items), else None."""
    held = [arg for arg in node.args if isinstance(arg, _DISPLAYS)]
    return held[0] if len(held) == 1 else None


def _mapping(pairs: list[Any]) -> Any:
    """A list of (key, value) pairs as a dict, if each is one and no key repeats, else itself."""
    if not all(isinstance(p, tuple) and len(p) == 2 and hashable(p[0]) for p in pairs):
        return pairs
    mapping = dict(pairs)
    return mapping if len(mapping) == len(pairs) else pairs


def hashable(key: object) -> bool:
    """Whether ``key`` can be a dict's key."""
    try:
        hash(key)
    except TypeError:
        return False
    return True


def _dotted(node: ast.expr) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


def data_value(text: str) -> Any:
    """``text`` as a JSON document or a Python literal, else :data:`NOT_DATA`."""
    value = json_value(text)
    return literal_value(text) if value is NOT_DATA else value


@once
def line_values(text: str) -> list[Any] | None:
    """The values of a text that is a JSON or Python value per line, else None.

    JSON Lines, and what a loop printing values writes (LangGraph's ``stream()``, printed
    update by update: ``{'model': {'messages': [AIMessage(...)]}}``; token by token, a tuple
    a line: ``(AIMessageChunk(...), {...})``). Two lines at least.
    """
    if text.lstrip()[:1] not in ("{", "[", "("):
        return None  # the first line that is not blank opens no value: no line need be read
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2 or any(line.lstrip()[:1] not in ("{", "[", "(") for line in lines):
        return None
    values = [data_value(line) for line in lines]
    return None if any(v is NOT_DATA for v in values) else values


def strings(value: Any) -> Iterator[str]:
    """The text values inside a parsed value, in order (bytes decoded, keys left out)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, bytes):
            yield item.decode("utf-8", errors="backslashreplace")
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
