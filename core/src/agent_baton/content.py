r"""What a put accepts, turned into the text that is stored: said, not guessed at silently.

- ``str`` as it is; ``bytes`` that are text (:func:`decode_text`: a byte-order mark, UTF-16
  without one, UTF-8, else Windows-1252 when that reads as text) decoded, the encoding
  reported when it is not UTF-8; other bytes decoded as UTF-8, each invalid byte kept as a
  ``\xNN`` escape (the original stays whole, and the compressor describes the binary data).
- ``dict`` and ``list`` as valid JSON (RFC 8259), with these mappings inside them: a float
  that is NaN or infinite becomes the string ``"NaN"``, ``"Infinity"`` or ``"-Infinity"``;
  ``bytes`` become a string as UTF-8 with ``\xNN`` escapes; a ``set`` becomes a list in a
  fixed order (sorted by each item's JSON), a ``tuple`` a list; a key that is not a string
  becomes its JSON text; any other object becomes ``str(obj)`` (a datetime reads as it
  prints). What was mapped is said: :func:`text_of`'s note ``mapped:NaN,bytes,set``.
- Nesting deeper than :data:`MAX_DEPTH` levels raises ``ValueError`` (pass such data as
  text); it never reaches Python's recursion limit.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from typing import Any

MAX_DEPTH = 200  # far under the interpreter's recursion limit, far over real tool output

Content = str | bytes | bytearray | dict[str, Any] | list[Any]

# Byte-order marks, UTF-32's first: its little-endian mark starts with UTF-16's. Each
# decoder drops its mark: a mark is the encoding's, not the text's (JSON's parser refuses
# a document that opens with one).
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters that text does not hold (tab, line and page breaks and ESC, which
# colours a terminal's output, are text's); their bytes in a legacy encoding are the same.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
# A character of two or more bytes in UTF-8: text where these make most bytes beyond ASCII
# is UTF-8 with bytes that are not (cut short, a byte of another encoding pasted in), which
# escapes keep; in another encoding's text they are the odd chance pair.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_HIGH_BYTES = bytes(range(0x80, 0x100))
_SAMPLE = 4096  # bytes whose NULs tell UTF-16 without a byte-order mark
_UTF16_NULS = 0.4  # share of its code units with a NUL half: text mostly in Latin letters


def as_text(content: object) -> str:
    """The text stored for ``content`` (see the module's documentation)."""
    return text_of(content)[0]


def text_of(content: object) -> tuple[str, str | None]:
    r"""The text stored for ``content``, and a note of how it was made, if not as it was.

    The note is ``decoded:<encoding>`` for bytes read in another encoding than UTF-8, and
    ``mapped:<what>`` for a dict or list holding what JSON does not (``NaN`` for a float
    that is not finite, ``bytes``, ``set``, ``key`` for a key that is not a string,
    ``object`` for one written as ``str(obj)``). Bytes that are not text in an encoding
    :func:`decode_text` knows (binary data) are decoded as UTF-8 with each invalid byte kept
    as a ``\xNN`` escape, with no note: the compressor describes them.
    """
    if isinstance(content, str):
        return content, None
    if isinstance(content, (bytes, bytearray)):
        data = bytes(content)
        text = decode_text(data)
        if text is None:
            return data.decode("utf-8", errors="backslashreplace"), None
        return text[0], (None if text[1] == "utf-8" else f"decoded:{text[1]}")
    if isinstance(content, (dict, list)):
        mapped: set[str] = set()
        plain = json.dumps(_plain(content, 0, mapped), ensure_ascii=False, allow_nan=False)
        return plain, (f"mapped:{','.join(sorted(mapped))}" if mapped else None)
    raise TypeError(
        f"content must be str, bytes, dict or list, not {type(content).__name__}; "
        "convert it to text first"
    )


def decode_text(data: bytes) -> tuple[str, str] | None:
    """``data`` as text and the encoding it was read in; None when it is not text.

    In this order: a byte-order mark (UTF-8, UTF-32, UTF-16) names the encoding and is
    dropped; a NUL in about half of the first code units' high or low bytes, and nowhere
    else, marks UTF-16 without one; then UTF-8; then Windows-1252, the usual legacy
    encoding of Western text (Latin-1's printable characters and more), when the bytes hold
    no control character that text does not (an image, an archive or an executable holds
    many) and most of its bytes beyond ASCII are not UTF-8's characters (else it is UTF-8
    with a few bytes that are not, stored with escapes). Text in another legacy code page
    (Cyrillic, Greek) reads as Windows-1252's letters, which the encoding named lets a
    reader turn back; bytes Windows-1252 leaves undefined make the data binary.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _as_text(data, encoding)
    utf16 = _utf16_order(data)
    if utf16 is not None:
        return _as_text(data, utf16)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _CONTROL_BYTES.search(data) or _mostly_utf8(data):
        return None
    return _as_text(data, "cp1252")


def _mostly_utf8(data: bytes) -> bool:
    """Whether most bytes beyond ASCII form UTF-8 characters (a few stray ones do not)."""
    utf8 = sum(map(len, _UTF8_SEQUENCE.findall(data)))
    return utf8 * 2 > len(data) - len(data.translate(None, _HIGH_BYTES))


def _utf16_order(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when NULs sit in one half of the code units only."""
    sample = data[: _SAMPLE & ~1]
    units = len(sample) // 2
    if units < 2 or len(data) % 2:
        return None
    low, high = sample[0::2].count(0), sample[1::2].count(0)
    if high >= _UTF16_NULS * units and low == 0:
        return "utf-16-le"
    if low >= _UTF16_NULS * units and high == 0:
        return "utf-16-be"
    return None


def _as_text(data: bytes, encoding: str) -> tuple[str, str] | None:
    """``data`` decoded, or None when it does not decode or holds control characters."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return None if _CONTROL.search(text) else (text, encoding)


def _plain(value: object, depth: int, mapped: set[str]) -> Any:
    """``value`` with only what JSON holds: dicts with str keys, lists, str, finite numbers.

    ``mapped`` gathers the names of what was turned into something else.
    """
    if depth > MAX_DEPTH:
        raise ValueError(f"content nests deeper than {MAX_DEPTH} levels; pass it as a str instead")
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        mapped.add("NaN")
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    # Plain loops: a comprehension would add a frame per level.
    if isinstance(value, dict):
        mapping = {}
        for k, v in value.items():
            mapping[_key(k, mapped)] = _plain(v, depth + 1, mapped)
        return mapping
    if isinstance(value, (list, tuple, set, frozenset)):
        items = []
        for v in value:
            items.append(_plain(v, depth + 1, mapped))
        if isinstance(value, (set, frozenset)):
            mapped.add("set")
            items.sort(key=lambda item: json.dumps(item, sort_keys=True))
        return items
    if isinstance(value, (bytes, bytearray)):
        mapped.add("bytes")
        return bytes(value).decode("utf-8", errors="backslashreplace")
    mapped.add("object")
    return str(value)


def _key(key: object, mapped: set[str]) -> str:
    if isinstance(key, str):
        return key
    mapped.add("key")
    plain = _plain(key, MAX_DEPTH, mapped)
    return plain if isinstance(plain, str) else json.dumps(plain)
