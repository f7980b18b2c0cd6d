"""Bytes that are not text: a short description in place of them, never a bare marker.

Their size, their kind when the first bytes name one (PNG, gzip, PDF, ELF, ...), the first
bytes in hex and the longest readable strings inside, so the next agent knows what it holds.
"""

from __future__ import annotations

import re

from agent_baton.compress.markers import label, omitted
from agent_baton.compress.request import Request

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or docx, xlsx, jar, wheel)"),
    (b"\x1f\x8b", "gzip data"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"7z\xbc\xaf'\x1c", "7-zip archive"),
    (b"\x7fELF", "ELF executable or library"),
    (b"MZ", "Windows executable"),
    (b"\xca\xfe\xba\xbe", "Java class or Mach-O universal binary"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\x00asm", "WebAssembly module"),
    (b"RIFF", "RIFF media (WAV, AVI, WebP)"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\x80\x04\x95", "Python pickle"),
)
_ESCAPED = re.compile(rb"\\x([0-9a-f]{2})")
_READABLE = re.compile(rb"[\x20-\x7e]{8,}")
_HEAD_BYTES = 32
_STRINGS = 8


def raw_bytes(text: str) -> bytes:
    r"""The bytes a decoded text came from, as far as they can be told (``\\xNN`` escapes)."""
    data = text.encode("utf-8", errors="replace")
    return _ESCAPED.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def kind_of(data: bytes) -> str:
    """What the first bytes say the data is, or ``unknown binary data``."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    return "unknown binary data"


def compress_binary(text: str, request: Request) -> tuple[str, str] | None:
    """A description of binary content: size, kind, hex head and readable strings."""
    data = raw_bytes(text)
    head = data[:_HEAD_BYTES].hex(" ")
    found = sorted(set(_READABLE.findall(data)), key=len, reverse=True)
    lines = [
        label(f"binary content: {len(data):,} bytes, {kind_of(data)}"),
        label(f"first bytes: {head}{' …' if len(data) > _HEAD_BYTES else ''}"),
    ]
    if found:
        shown = [s[:80].decode("ascii") for s in found[:_STRINGS]]
        lines.append(label("readable strings: " + " | ".join(shown)))
    lines.append(omitted("the bytes", request.key))
    return "\n".join(lines), "binary:describe"
