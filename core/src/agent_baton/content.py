r"""What a put accepts, turned into the text that is stored: said, not guessed at silently.

- ``str`` as it is; ``bytes`` decoded as UTF-8, each invalid byte kept as a ``\xNN``
  escape (the original stays whole, and the compressor can tell binary data).
- ``dict`` and ``list`` as valid JSON (RFC 8259), with these mappings inside them: a float
  that is NaN or infinite becomes the string ``"NaN"``, ``"Infinity"`` or ``"-Infinity"``;
  ``bytes`` become a string as above; a ``set`` becomes a list in a fixed order (sorted by
  each item's JSON), a ``tuple`` a list; a key that is not a string becomes its JSON text;
  any other object becomes ``str(obj)`` (a datetime reads as it prints).
- Nesting deeper than :data:`MAX_DEPTH` levels raises ``ValueError`` (pass such data as
  text); it never reaches Python's recursion limit.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 200  # far under the interpreter's recursion limit, far over real tool output

Content = str | bytes | bytearray | dict[str, Any] | list[Any]


def as_text(content: object) -> str:
    """The text stored for ``content`` (see the module's documentation)."""
    if isinstance(content, str):
        return content
    if isinstance(content, (bytes, bytearray)):
        return bytes(content).decode("utf-8", errors="backslashreplace")
    if isinstance(content, (dict, list)):
        return json.dumps(_plain(content, 0), ensure_ascii=False, allow_nan=False)
    raise TypeError(
        f"content must be str, bytes, dict or list, not {type(content).__name__}; "
        "convert it to text first"
    )


def _plain(value: object, depth: int) -> Any:
    """``value`` with only what JSON holds: dicts with str keys, lists, str, finite numbers."""
    if depth > MAX_DEPTH:
        raise ValueError(f"content nests deeper than {MAX_DEPTH} levels; pass it as a str instead")
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    # Plain loops: a comprehension would add a frame per level.
    if isinstance(value, dict):
        mapping = {}
        for k, v in value.items():
            mapping[_key(k)] = _plain(v, depth + 1)
        return mapping
    if isinstance(value, (list, tuple, set, frozenset)):
        items = []
        for v in value:
            items.append(_plain(v, depth + 1))
        if isinstance(value, (set, frozenset)):
            items.sort(key=lambda item: json.dumps(item, sort_keys=True))
        return items
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="backslashreplace")
    return str(value)


def _key(key: object) -> str:
    if isinstance(key, str):
        return key
    plain = _plain(key, MAX_DEPTH)
    return plain if isinstance(plain, str) else json.dumps(plain)
