"""The segmenter: any text as homogeneous blocks, in order, each compressed by its own kind.

Agents join things: two tool results with a newline (a JSON document, then a log), an answer
with data pasted in without code fences, a report with a listing in the middle. A block is a
JSON value that parses (from a line opening with ``{`` or ``[``), a fenced block, or a run of
lines of one sort: sentences (prose, markdown) or records (log lines, table rows, listings,
code). Short runs of one sort inside the other belong to it. Each block's kind is then
detected by parsing it alone (:mod:`agent_baton.compress.detect`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from agent_baton.compress.request import Request

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_OPENS_DATA = re.compile(r"^\s*[\[{]")
_MIN_DATA_LINES = 4  # fewer record lines inside prose are part of it (a command, a path)
_MIN_TEXT_LINES = 2  # fewer sentence lines inside records are part of them (a log message)
_MIN_JSON_CHARS = 120
_JSON_WINDOW = 4096  # characters the decoder first reads of a value
_SMALL = 600  # characters: a block this short stays as it is
_MIN_SHARE = 0.15  # of the text: the least of two sorts, for the text to be split


@dataclass(frozen=True, slots=True)
class Segment:
    """One homogeneous block of a text: its lines joined, and its sort."""

    text: str
    sort: str  # json, fenced, text (sentences), records


def segments(text: str) -> list[Segment]:
    r"""The blocks of ``text`` in order; joined with "\\n" they give the text back."""
    lines = text.split("\n")
    out: list[tuple[str, list[str]]] = []

    def add(sort: str, block: list[str]) -> None:
        if out and out[-1][0] == sort and sort in ("text", "records"):
            out[-1][1].extend(block)
        else:
            out.append((sort, list(block)))

    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith(fence.group(1)):
                j += 1
            add("fenced", lines[i : j + 1])
            i = j + 1
            continue
        if _OPENS_DATA.match(line):
            end = _json_end(text, offsets[i] + len(line) - len(line.lstrip()))
            if end is not None:
                j = i
                while offsets[j + 1] <= end:
                    j += 1
                add("json", lines[i : j + 1])
                i = j + 1
                continue
        add(_sort(line, out[-1][0] if out else "text"), [line])
        i += 1
    return [Segment("\n".join(block), sort) for sort, block in _absorb(out)]


def _json_end(text: str, start: int) -> int | None:
    """Where a JSON object or array starting at ``start`` ends, if it ends a line.

    The decoder reads a window from ``start``, four times larger while the value runs past
    it: its errors count the lines before their position, so on the whole text every line
    opening with a bracket would cost the length of all the text before it (n²).
    """
    window = _JSON_WINDOW
    while True:
        part = text[start : start + window]
        try:
            _, size = json.JSONDecoder().raw_decode(part)
            break
        except json.JSONDecodeError as error:
            cut = start + window < len(text)
            unterminated = error.pos >= len(part) - 1 or error.msg.startswith("Unterminated")
            if not (cut and unterminated):
                return None
            window *= 4
        except (ValueError, RecursionError):
            return None
    end = start + size
    line_end = text.find("\n", end)
    rest = text[end : line_end if line_end >= 0 else len(text)]
    if rest.strip(" \t,;") or end - start < _MIN_JSON_CHARS:
        return None
    return end - 1


def _sort(line: str, previous: str) -> str:
    """A line's sort: sentences or records; a blank line goes with what came before."""
    from agent_baton.compress.detect import sentence_line  # lazy: detect imports the compressors

    if not line.strip():
        return previous if previous in ("text", "records") else "text"
    return "text" if sentence_line(line) else "records"


def _absorb(blocks: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Short runs of one sort inside the other joined to the run before them."""
    out: list[tuple[str, list[str]]] = []
    for sort, block in blocks:
        filled = sum(1 for line in block if line.strip())
        short = filled < (_MIN_DATA_LINES if sort == "records" else _MIN_TEXT_LINES)
        runs = ("text", "records")
        if out and out[-1][0] in runs and sort in runs and (short or out[-1][0] == sort):
            out[-1][1].extend(block)
            continue
        out.append((sort, block))
    return out


def split_worthy(text: str) -> bool:
    """Whether ``text`` holds big blocks of different sorts (a JSON value counts always).

    A listing with a few sentences among its lines is one listing: each sort must make up
    a good share of the text, or the blocks would fold apart what repeats across them.
    """
    sizes: dict[str, int] = {}
    for block in segments(text):
        if len(block.text) >= _SMALL:
            sizes[block.sort] = sizes.get(block.sort, 0) + len(block.text)
    if "json" in sizes:
        return True
    return len(sizes) >= 2 and min(sizes.values()) >= _MIN_SHARE * len(text)


def compress_segments(text: str, request: Request) -> tuple[str, str] | None:
    """Each block compressed by its own kind, in order; None if the text is one block."""
    from agent_baton.compress.detect import detect  # lazy: detect imports the compressors
    from agent_baton.compress.pipeline import compress_part  # lazy: pipeline imports this

    blocks = segments(text)
    if len(blocks) < 2:
        return None
    out: list[str] = []
    names: list[str] = []
    for block in blocks:
        kind = detect(block.text) if block.sort != "fenced" else "fenced"
        if len(block.text) < _SMALL or kind == "fenced":
            out.append(block.text if kind != "fenced" else _fenced(block.text, request))
            continue
        produced = compress_part(block.text, request, skip=("segments",))
        if produced is None:
            out.append(block.text)
            continue
        out.append(produced[0])
        names.append(produced[1])
    if not names:
        return None
    return "\n".join(out), "segments:" + "+".join(dict.fromkeys(names))


def _fenced(block: str, request: Request) -> str:
    """A fenced block by the kind of what is inside it, its fences kept."""
    from agent_baton.compress.pipeline import compress_part  # lazy: pipeline imports this

    lines = block.split("\n")
    closing = len(lines) >= 2 and _FENCE.match(lines[-1]) is not None
    inner = "\n".join(lines[1 : -1 if closing else None])
    if len(inner) < _SMALL:
        return block
    produced = compress_part(inner, request, skip=("segments",))
    if produced is None:
        return block
    return "\n".join([lines[0], produced[0], *lines[-1:] * closing])
