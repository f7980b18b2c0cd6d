"""Bytes that are not text: a short description in place of them, never a bare marker.

Their size, their kind when the first bytes name one (PNG, gzip, PDF, ELF, ...), the first
bytes in hex and the longest readable strings inside, so the next agent knows what it holds;
and the lines among the bytes that report a failure (a log read with a few bytes that did
not decode, the log lines a core file's memory held), as the guarantees keep any failure.
"""

from __future__ import annotations

import re

from agent_baton.compress.guarantees import failure_line_starts, is_failure
from agent_baton.compress.lines import line_end
from agent_baton.compress.markers import label, note, omitted
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
_READABLE_TEXT = re.compile(r"[\x20-\x7e]{8,}")
_FAILURE_LINES = 40  # failure lines shown, at most (a marker counts the others)
_FAILURE_CHARS = 400  # a longer failure line is shown by its readable runs
_READABLE_SHARE = 0.9  # of a failure line's characters, at least, to show it as it is
# A printf conversion: the line is a message's template, not a message.
_TEMPLATE = re.compile(r"%[-+ #0]{0,3}\d{0,3}(?:\.\d{1,3})?l{0,2}[sdiuxXfgcp]")


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
    failing = _failure_lines(text)
    if failing:
        lines.append(label(f"lines among the bytes that report a failure ({len(failing)}):"))
        lines.extend(failing[:_FAILURE_LINES])
        if len(failing) > _FAILURE_LINES:
            lines.append(note(f"{len(failing) - _FAILURE_LINES} more failure lines"))
    lines.append(omitted("the bytes", request.key))
    return "\n".join(lines), "binary:describe"


def _failure_lines(text: str) -> list[str]:
    """The lines of ``text`` that report a failure, each once, in order.

    A line of text among the bytes is shown as it is; of one mostly of bytes that did not
    decode, the readable runs that report a failure, each under a label. A program's
    message templates (``cannot open `%s'``, in an executable's strings) report none.
    """
    shown: dict[str, None] = {}
    for start in failure_line_starts(text):
        line = text[start : line_end(text, start)]
        readable = sum(1 for c in line if c.isprintable() and c != "\ufffd")
        if len(line) <= _FAILURE_CHARS and readable >= _READABLE_SHARE * len(line):
            if not _TEMPLATE.search(line):
                shown[line] = None
            continue
        for run in _READABLE_TEXT.findall(line):
            if is_failure(run) and not _TEMPLATE.search(run):
                shown[label(f"failure among the bytes: {run[:_FAILURE_CHARS]}")] = None
    return list(shown)
