"""The segmenter: any text as homogeneous blocks, in order, each compressed by its own kind.

Agents join things: two tool results with a newline (a JSON document, then a log), an answer
with data pasted in without code fences, a report with a listing in the middle. A block is a
JSON value that parses (from a line opening with ``{`` or ``[``; values a line each make one
block, JSON Lines), the repr of a Python list or dict on one line (``str()`` of a tool's
result), a fenced block, a Python module that opens the text (its source, then an error
joined to it: one block, as the parser takes it), or a run of lines of one sort: sentences
(prose, markdown) or records (log lines, table rows, listings, code). Short runs of one sort
inside the other belong to it.
Each block's kind is then detected by parsing it alone (:mod:`agent_baton.compress.detect`).
"""

from __future__ import annotations

import csv
import json
import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate, groupby

from agent_baton.compress.code import program_lines
from agent_baton.compress.dumps import DumpFile, dump_files
from agent_baton.compress.json import JSON_DECODER
from agent_baton.compress.lines import lines_matching
from agent_baton.compress.markers import is_marker, omitted
from agent_baton.compress.memo import line_test, once
from agent_baton.compress.parsed import NOT_DATA, json_value, literal_value
from agent_baton.compress.request import Request

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_OPENS_DATA = re.compile(r"^\s*[\[{]")
# The lines where a fence or a JSON value may open, found in one scan of the text.
_OPENS_BLOCK = re.compile(r"\n[^\S\n]*+(?:```|~~~|[\[{])")
_MIN_DATA_LINES = 4  # fewer record lines inside prose are part of it (a command, a path)
_MIN_TEXT_LINES = 2  # fewer sentence lines inside records are part of them (a log message)
_MIN_JSON_CHARS = 120
_MIN_FIELDS = 3  # delimited fields of a table row
# A header field: a name of printable characters but the colon, then a colon (RFC 822).
_FIELD = re.compile(r"^([!-9;-~]+):(?: |$)")
_MIN_FIELDS_OF_HEADER = 4
_MAX_HEADER_LINES = 2_000
_FOLD_FIELDS = 5  # a run of this many fields of one name keeps a few and counts the rest
_SHOWN_FIELDS = 2
# The fields that say what a header's document is: a package's (PKG-INFO, METADATA, a Debian
# control file's), an e-mail's.
_NAMING_FIELDS = frozenset(("name", "package", "version", "summary", "subject", "from", "date"))
_JSON_WINDOW = 4096  # characters the decoder first reads of a value
_SMALL = 600  # characters: a block this short stays as it is
_MIN_SHARE = 0.15  # of the text: the least of two sorts, for the text to be split


@dataclass(frozen=True, slots=True)
class Segment:
    """One homogeneous block of a text: its lines joined, and its sort."""

    text: str
    sort: str  # json, fenced, text (sentences), records, program (a Python module)


@once
def segments(text: str) -> list[Segment]:
    r"""The blocks of ``text`` in order; joined with "\\n" they give the text back."""
    from agent_baton.compress.detect import sentence_line  # lazy: detect imports this

    # Detection reads the lines of a sample, the segmenter every line, then each block of a
    # text is detected (and maybe segmented) again: each line is told once.
    sentence = line_test(sentence_line)
    lines = text.split("\n")
    out: list[tuple[str, list[str]]] = []

    def add(sort: str, block: list[str]) -> None:
        if out and out[-1][0] == sort and sort in ("text", "records", "jsonl"):
            out[-1][1].extend(block)
        else:
            out.append((sort, list(block)))

    offsets = list(accumulate(map((1).__add__, map(len, lines)), initial=0))
    rows = _table_rows(text, lines)
    opens = lines_matching(_OPENS_BLOCK, text)

    def add_lines(start: int, end: int) -> None:
        """Lines of sentences or records: each its sort, runs of one sort one block."""
        previous = out[-1][0] if out else "text"
        sorts = []
        for k in range(start, end):
            if k in rows:
                previous = "records"
            elif lines[k].strip():
                previous = "text" if sentence(lines[k]) else "records"
            elif previous not in ("text", "records"):
                previous = "text"  # a blank line goes with what came before
            sorts.append(previous)
        for sort, run in groupby(sorts):
            size = len(list(run))
            add(sort, lines[start : start + size])
            start += size

    program = program_lines(text)
    if program:
        out.append(("program", lines[:program]))  # one block, parsed whole as its kind
    i = program
    while i < len(lines):
        following = bisect_left(opens, i)
        if following == len(opens) or opens[following] > i:
            # No fence or value opens on the lines up to the next that may open one.
            stop = opens[following] if following < len(opens) else len(lines)
            add_lines(i, stop)
            i = stop
            continue
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
                # A value on a line of its own may be one of many: JSON Lines, one block.
                add("json" if j > i else "jsonl", lines[i : j + 1])
                i = j + 1
                continue
            if repr_line(line):
                add("json", [line])  # str() of a tool's list or dict: a Python repr
                i += 1
                continue
        add_lines(i, i + 1)
        i += 1
    # A run of JSON Lines is data; a value or two on their own lines are records (a log's).
    blocks = [
        (
            ("json" if len(block) >= _MIN_DATA_LINES else "records") if sort == "jsonl" else sort,
            block,
        )
        for sort, block in out
    ]
    return [Segment("\n".join(block), sort) for sort, block in _absorb(blocks)]


def _table_rows(text: str, lines: list[str]) -> set[int]:
    """The lines in runs of delimited rows: as many comma (or tab) fields as their neighbours.

    A CSV row may read like a sentence (a package's description); a run of lines that split
    into the same number of fields, three or more, is a table all the same. Only lines of
    two delimiters or more may be in one: the others are passed over.
    """
    rows: set[int] = set()
    for delimiter in (",", "\t"):
        if text.count(delimiter) < 2 * _MIN_DATA_LINES:
            continue  # too few for a run of rows: the lines need not be read
        widths = [
            (i, _fields(line, delimiter))
            for i, line in enumerate(lines)
            if line.count(delimiter) >= _MIN_FIELDS - 1
        ]
        start = 0
        for k in range(1, len(widths) + 1):
            first, width = widths[start]
            if k < len(widths) and widths[k] == (first + k - start, width):
                continue
            if width >= _MIN_FIELDS and k - start >= _MIN_DATA_LINES:
                rows.update(range(first, first + k - start))
            start = k
    return rows


def _fields(line: str, delimiter: str) -> int:
    """How many fields ``line`` splits into (quotes respected); 0 for fewer than three."""
    count = line.count(delimiter)
    if count < _MIN_FIELDS - 1:
        return 0
    if '"' not in line:
        return count + 1
    try:
        return len(next(csv.reader([line], delimiter=delimiter)))
    except csv.Error:  # a NUL, or a field over the csv module's size limit
        return 0


def repr_line(line: str) -> bool:
    """Whether a line is the repr of a Python list, dict or tuple (a line of data)."""
    closed = line.rstrip()[-1:] in ("]", "}", ")")
    return closed and len(line) >= _MIN_JSON_CHARS and literal_value(line) is not NOT_DATA


def _json_end(text: str, start: int) -> int | None:
    """Where a JSON object or array starting at ``start`` ends, if it ends a line.

    A value over several lines must be big enough to be data; one on a line of its own may
    be a row of JSON Lines (a lone one goes back to the records around it). The decoder reads
    a window from ``start``, four times larger while the value runs past it: its errors count
    the lines before their position, so on the whole text every line opening with a bracket
    would cost the length of all the text before it (n²).
    """
    window = _JSON_WINDOW
    while True:
        part = text[start : start + window]
        try:
            _, size = JSON_DECODER.raw_decode(part)
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
    one_line = "\n" not in text[start:end]
    if rest.strip(" \t,;") or (end - start < _MIN_JSON_CHARS and not one_line):
        return None
    return end - 1


def _absorb(blocks: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Short runs of one sort inside the other joined to the run before them.

    A sentence set apart by blank lines that ends with a colon or a period stays apart: it
    introduces what follows ("And the run that failed:", "Current listing follows."), so
    the records on either side of it are two blocks.
    """
    out: list[tuple[str, list[str]]] = []
    for sort, block in blocks:
        filled = sum(1 for line in block if line.strip())
        short = filled < (_MIN_DATA_LINES if sort == "records" else _MIN_TEXT_LINES)
        apart = sort == "text" and _set_apart(block) and out and not out[-1][1][-1].strip()
        runs = ("text", "records")
        if (
            out
            and out[-1][0] in runs
            and sort in runs
            and ((short and not apart) or out[-1][0] == sort)
        ):
            out[-1][1].extend(block)
            continue
        out.append((sort, block))
    return out


def _set_apart(block: list[str]) -> bool:
    """Whether a run of lines is a paragraph that ends a sentence, a blank line after it."""
    filled = [line for line in block if line.strip()]
    return bool(filled) and not block[-1].strip() and filled[-1].rstrip()[-1:] in (":", ".")


def _introduces(block: list[str]) -> bool:
    """Whether a run of lines is a paragraph that ends with a colon, a blank line after it."""
    filled = [line for line in block if line.strip()]
    return bool(filled) and not block[-1].strip() and filled[-1].rstrip().endswith(":")


def split_worthy(text: str) -> bool:
    """Whether ``text`` holds big blocks of different sorts (a JSON value counts always).

    A listing with a few sentences among its lines is one listing: each sort must make up
    a good share of the text, or the blocks would fold apart what repeats across them. Big
    runs of records are different outputs when they parse as different kinds (a table,
    then a compiler's log) or when a sentence introduces each ("And the run that failed:").
    """
    from agent_baton.compress.detect import detect  # lazy: detect imports the compressors

    blocks = segments(text)
    if len(blocks) < 2:
        return False
    sizes: dict[str, int] = {}
    big: list[str] = []  # big runs of records
    introduced = 0  # big runs of records right after a sentence that introduces them
    for before, block in zip([None, *blocks], blocks, strict=False):
        if len(block.text) >= _SMALL:
            sizes[block.sort] = sizes.get(block.sort, 0) + len(block.text)
            if block.sort == "records" and len(block.text) >= _MIN_SHARE * len(text):
                big.append(block.text)
                lines = before.text.split("\n") if before and before.sort == "text" else []
                introduced += _introduces(lines)
    if "json" in sizes or "program" in sizes or introduced >= 2:
        return True
    # Detecting a block is a whole detection: only worth it when two may differ.
    if len(big) >= 2 and len({detect(block) for block in big}) >= 2:
        return True
    return len(sizes) >= 2 and min(sizes.values()) >= _MIN_SHARE * len(text)


def joins_value(text: str) -> bool:
    """Whether ``text`` holds a JSON document over lines among blocks of other sorts.

    The decoder accepted the value and stopped where it ends: braces there are data, not
    a program's blocks (an answer pasting a tool's object, then a log and a listing). The
    value opens a line unindented: rows of a program's array literal are indented.
    """
    blocks = segments(text)
    return len(blocks) >= 2 and any(
        block.sort == "json"
        and block.text[:1] in ("{", "[")
        and "\n" in block.text.strip()
        and json_value(block.text) is not NOT_DATA
        for block in blocks
    )


def compress_segments(text: str, request: Request) -> tuple[str, str] | None:
    """Each block compressed by its own kind, in order; None if the text is one block."""
    from agent_baton.compress.guarantees import restore_failures  # lazy: it imports logs
    from agent_baton.compress.pipeline import compress_part  # lazy: pipeline imports this

    files = dump_files(text)
    if files:
        return _compress_dump(text, files, request)
    lines = text.split("\n")
    head = header_end(lines)
    if head:
        # A header block, then a body compressed whole by its kind (markdown, prose, a log).
        # The blank line between them stays: it ends the header for what reads it again.
        body = "\n".join(lines[head + 1 :])
        produced = compress_part(body, request, skip=("segments",))
        kept = body if produced is None else restore_failures(body, produced[0])
        headers = _headers("\n".join(lines[:head]), request.key)
        kind = "headers" + ("" if produced is None else "+" + produced[1])
        return "\n".join([headers, lines[head], kept]), f"segments:{kind}"
    blocks = segments(text)
    if len(blocks) < 2:
        return None
    out: list[str] = []
    names: list[str] = []
    for block in blocks:
        if len(block.text) < _SMALL or block.sort == "fenced":
            out.append(_fenced(block.text, request) if block.sort == "fenced" else block.text)
            continue
        produced = compress_part(block.text, request, skip=("segments",))
        if produced is None:
            out.append(block.text)
            continue
        # A block's failure lines stay in that block, at their place.
        out.append(restore_failures(block.text, produced[0]))
        names.append(produced[1])
    if not names:
        return None
    return "\n".join(out), "segments:" + "+".join(dict.fromkeys(names))


def _compress_dump(text: str, files: list[DumpFile], request: Request) -> tuple[str, str] | None:
    """A dump's files each compressed by its own kind, its path's extension the hint.

    The lines between the files' bodies are the tool's headers and frames: they all stay.
    A summary before the first file (repomix's, gitingest's tree) is a block of its own, and
    so is what follows a file's closing frame before the next file's header (an answer's
    prose between the files it quotes).
    """
    from agent_baton.compress.guarantees import restore_failures  # lazy: it imports logs
    from agent_baton.compress.pipeline import compress_part  # lazy: pipeline imports this

    lines = text.split("\n")
    out: list[str] = []
    names: list[str] = []

    def add(start: int, end: int, name: str | None, whole: bool) -> None:
        block = "\n".join(lines[start:end])
        produced = None
        if end > start and len(block) >= _SMALL and whole:
            produced = compress_part(block, request, ("segments",), name)
        if produced is None:
            out.extend(lines[start:end])
            return
        out.append(restore_failures(block, produced[0]))  # a file's failures in that file
        names.append(produced[1])

    def between(start: int, end: int) -> None:
        """A file's closing frame (its lines up to a blank one), then a block of its own."""
        frame = start
        while frame < end and lines[frame].strip():
            frame += 1
        add(start, frame, None, False)
        add(frame, end, None, True)

    first = files[0].start - 1
    while first > 0 and lines[first - 1].strip():
        first -= 1  # the first file's header lines (a rule, a path, a fence) stay whole
    first = min(first, files[0].head)
    add(0, first, None, True)
    previous = first
    for file in files:
        if previous < file.head:
            between(previous, file.head)
        add(max(previous, file.head), file.start, None, False)
        add(file.start, file.end, file.path, True)
        previous = file.end
    between(previous, len(lines))
    if not names:
        return None
    return "\n".join(out), "segments:files+" + "+".join(dict.fromkeys(names))


def header_end(lines: list[str]) -> int:
    """Where a header block that opens the text ends (its blank line), or 0 if there is none.

    RFC 822 fields, a name and a colon (with lines that continue a field indented), as a
    package's METADATA or PKG-INFO, an e-mail or HTTP headers give them, then a blank line
    before a body that does not open with fields again. A marker among the fields stands
    for a run of them a compressor folded.
    """
    fields = 0
    for i, line in enumerate(lines[:_MAX_HEADER_LINES]):
        if not line.strip():
            if fields < _MIN_FIELDS_OF_HEADER:
                return 0
            # Stanza after stanza (a Debian status or control file) are records, not a body.
            body = next((k for k in range(i, len(lines)) if lines[k].strip()), len(lines))
            return 0 if _FIELD.match(lines[body] if body < len(lines) else "") else i
        if _FIELD.match(line):
            fields += 1
        elif not (fields and (line[:1] in (" ", "\t") or is_marker(line))):
            return 0  # not a field, nor a field's next line, nor a run of fields folded
    return 0


def header_fields(lines: list[str]) -> list[int]:
    """The fields of the header block opening ``lines`` whose name it gives once.

    What names the document: a package's ``Name``, ``Version``, ``Summary``, an e-mail's
    ``From`` and ``Subject``; not the runs of ``Classifier`` or ``Requires-Dist``. Those
    naming it (:data:`_NAMING_FIELDS`) first, then the others, each in their order.
    """
    end = header_end(lines)
    names = [m.group(1) if (m := _FIELD.match(line)) else None for line in lines[:end]]
    counts = Counter(names)
    once = [i for i, name in enumerate(names) if name is not None and counts[name] == 1]
    # Those that say what the document is first (a package's "Metadata-Version" says least).
    return sorted(once, key=lambda i: str(names[i]).lower() not in _NAMING_FIELDS)


def _headers(block: str, key: str | None) -> str:
    """A header block with every field kept but long runs of one name (``Classifier``).

    A run keeps its first fields and its last; a marker in its place counts the rest.
    """
    lines = block.split("\n")
    names = [m.group(1) if (m := _FIELD.match(line)) else None for line in lines]
    out: list[str] = []
    i = 0
    while i < len(lines):
        j = i + 1  # the field's lines: itself and the lines that continue it
        while j < len(lines) and names[j] is None:
            j += 1
        run_end, count = j, 1
        while run_end < len(lines) and names[run_end] == names[i]:
            run_end += 1
            count += 1
            while run_end < len(lines) and names[run_end] is None:
                run_end += 1
        if count < _FOLD_FIELDS:
            out.extend(lines[i:run_end])
        else:
            starts = [k for k in range(i, run_end) if names[k] is not None]
            out.extend(lines[starts[0] : starts[_SHOWN_FIELDS]])
            left = count - _SHOWN_FIELDS - 1
            out.append(omitted(f'{left} more "{names[i]}" fields', key))
            out.extend(lines[starts[-1] : run_end])
        i = run_end
    return "\n".join(out)


def _fenced(block: str, request: Request) -> str:
    """A fenced block by the kind of what is inside it, its fences and failure lines kept."""
    from agent_baton.compress.guarantees import restore_failures  # lazy: it imports logs
    from agent_baton.compress.pipeline import compress_part  # lazy: pipeline imports this

    lines = block.split("\n")
    closing = len(lines) >= 2 and _FENCE.match(lines[-1]) is not None
    inner = "\n".join(lines[1 : -1 if closing else None])
    if len(inner) < _SMALL:
        return block
    produced = compress_part(inner, request, skip=("segments",))
    if produced is None:
        return block
    kept = restore_failures(inner, produced[0])
    return "\n".join([lines[0], kept, *lines[-1:] * closing])
