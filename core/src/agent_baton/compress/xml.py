"""XML documents: runs of like elements cut to the ones that tell, every kept line as it was.

The document is parsed (``xml.parsers.expat``, which reports where each element starts and
ends). Where an element has many children of one tag side by side (the entries of a code
list, the translations of a message), the run keeps its first and last elements, a few
evenly spaced between, the ones the query names and the ones holding a value no sibling
shares in a field of few values, and the ones holding a line that reports a failure (a
JUnit ``<testcase>`` with its ``<failure>``); each cut is a marker counting the elements left
out. Runs are cut deepest first, and a run that is short once its own runs are cut stays
whole. Everything else stays as it was, line for line. A document written on one long line
(pytest's ``--junitxml`` report, a minified feed) is read with that line broken between its
tags and shown as a view of it (:func:`~agent_baton.compress.markers.view_label`); one whose
elements share shorter lines is left to the HTML reader.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby
from xml.parsers import expat

from agent_baton.compress.guarantees import VIEW_CHARS, failing_lines
from agent_baton.compress.markers import omitted, view_label
from agent_baton.compress.request import Request
from agent_baton.search import best_matches

_XML = re.compile(r"\s*<\?xml[\s?]")
_MIN_RUN = 6  # children of one tag: fewer stay whole
_RUN_CHARS = 2_000  # a run this short, once its own runs are cut, stays whole
_EDGE = 1  # elements kept at each end of a run
_SPREAD = 3  # elements kept evenly spaced through a run, to show how its elements vary
_QUERIED = 3  # elements of a run kept for matching the query
# Where a long line is broken to read its elements: between a tag's end and the next tag's
# start (no "<" can stand inside an attribute value), the blanks between them dropped.
_BETWEEN_TAGS = re.compile(r"(?<=>)[^\S\n]*(?=<)")


@dataclass
class _Element:
    tag: str
    start: int  # first line, 0-based
    attrs: dict[str, str]
    end: int = -1  # last line
    children: list[_Element] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


def looks_like_xml(text: str) -> bool:
    """Whether the text opens with an XML declaration."""
    return _XML.match(text) is not None


def compress_xml(text: str, request: Request) -> tuple[str, str] | None:
    """Runs of like elements cut (see the module); None if it does not parse line by line."""
    lines = text.split("\n")
    root = _parse(text)
    if root is None:
        return _viewed(lines, request)
    cut = _cut(lines, root, request, {})
    return None if cut is None else ("\n".join(line for _, _, line in cut), "xml:runs")


def _viewed(lines: list[str], request: Request) -> tuple[str, str] | None:
    """The document read with its lines broken between tags, its long lines shown as views.

    None unless a line is long enough for a view. A shorter line broken too (a failure's
    end tags, then the next test cases) is shown whole or left out whole: the elements it
    holds stay or go together.
    """
    pieces = [_BETWEEN_TAGS.split(line) for line in lines]
    broken = [i for i, split in enumerate(pieces) if len(split) > 1]
    if not any(len(lines[i]) >= VIEW_CHARS for i in broken):
        return None
    origin = [i for i, split in enumerate(pieces) for _ in split]
    relaid = [piece for split in pieces for piece in split]
    short = {i for i in broken if len(lines[i]) < VIEW_CHARS}  # no view: kept whole or cut
    glued = {k: i for k, i in enumerate(origin) if i in short}
    root = _parse("\n".join(relaid))
    cut = None if root is None else _cut(relaid, root, request, glued)
    if cut is None:
        return None
    kept = {first for first, last, _ in cut if first == last}
    kept_pieces = Counter(glued[k] for k in kept if k in glued)
    if any(n < len(pieces[i]) for i, n in kept_pieces.items()):
        return None  # a broken short line partly left out: no line of the input
    shown_whole: set[int] = set()
    # Each stretch of output standing on one long broken line is a view of it, under its
    # label; a short broken line kept is shown as it is.
    out: list[str] = []
    k = 0
    while k < len(cut):
        line = origin[cut[k][0]]
        if cut[k][0] in glued:  # a short broken line: whole, or under a marker
            if cut[k][0] not in kept:
                out.append(cut[k][2])
            elif line not in shown_whole:
                shown_whole.add(line)
                out.append(lines[line])
            k += 1
            continue
        end = k + 1
        while end < len(cut) and origin[cut[end][0]] == line and cut[end][0] not in glued:
            end += 1
        shown = [piece for _, _, piece in cut[k:end]]
        if len(pieces[line]) > 1:
            out.append(view_label(len(shown), len(lines[line]), "XML: its elements, a line each"))
        out += shown
        k = end
    return "\n".join(out), "xml:runs"


def _cut(
    lines: list[str], root: _Element, request: Request, glued: dict[int, int]
) -> list[tuple[int, int, str]] | None:
    """(first line, last line, line) of the text with its runs cut; None when none is cut.

    ``glued`` maps lines to the group of lines they were broken from: the elements of a run
    on one group stay or go together.
    """
    dropped: list[tuple[int, int, str]] = []  # (first line, last line, marker) per cut
    failing = sorted(failing_lines(lines))

    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    def chars(element: _Element) -> int:
        return starts[element.end + 1] - starts[element.start]

    def visit(element: _Element) -> int:
        """Cut the runs under ``element``, deepest first; the characters it keeps."""
        request.check_time()
        size = chars(element)
        for tag, run in _runs(element.children):
            sizes = [visit(child) for child in run]
            size -= sum(chars(e) - n for e, n in zip(run, sizes, strict=True))
            if len(run) < _MIN_RUN or sum(sizes) <= _RUN_CHARS:
                continue  # few, or short once their own runs are cut: all stay
            keep = _glued(run, _kept(run, lines, request.query, failing), glued)
            dropped.extend(_cuts(run, keep, tag, lines, request.key))
            size -= sum(n for i, n in enumerate(sizes) if i not in keep)
        return size

    try:
        visit(root)
    except RecursionError:  # nested deeper than Python recurses: left to the HTML reader
        return None
    if not dropped:
        return None
    out: list[tuple[int, int, str]] = []
    at = 0
    for first, last, marker in sorted(dropped, key=lambda cut: (cut[0], -cut[1])):
        if first < at:
            continue  # inside an element a wider cut left out
        out += [(i, i, lines[i]) for i in range(at, first)]
        out.append((first, max(first + 1, last), marker))  # a marker spans, a line does not
        at = last + 1
    out += [(i, i, lines[i]) for i in range(at, len(lines))]
    return out


def _glued(run: list[_Element], keep: list[int], glued: dict[int, int]) -> list[int]:
    """``keep`` with the elements sharing a broken line with a kept one, until none is left."""
    if not glued:
        return keep
    kept = set(keep)
    changed = True
    while changed:
        groups = {glued[k] for i in kept for k in range(run[i].start, run[i].end + 1) if k in glued}
        more = {
            i
            for i, e in enumerate(run)
            if i not in kept and any(glued.get(k) in groups for k in range(e.start, e.end + 1))
        }
        kept |= more
        changed = bool(more)
    return sorted(kept)


def _parse(text: str) -> _Element | None:
    """The element tree with each element's lines; None if not XML or elements share lines."""
    parser = expat.ParserCreate()
    root = _Element("", 0, {})
    open_: list[_Element] = [root]
    shared = False

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal shared
        element = _Element(tag, parser.CurrentLineNumber - 1, attrs)
        siblings = open_[-1].children
        shared |= bool(siblings) and siblings[-1].end >= element.start
        siblings.append(element)
        open_.append(element)

    def end(tag: str) -> None:
        open_.pop().end = parser.CurrentLineNumber - 1

    def data(chunk: str) -> None:
        if chunk.strip():
            open_[-1].text.append(chunk.strip())

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.DefaultHandler = _unexpanded  # set, it leaves internal entities unexpanded
    try:
        parser.Parse(text, True)
    except (expat.ExpatError, ValueError, RecursionError):
        return None
    return None if shared else root


def _runs(children: list[_Element]) -> list[tuple[str, list[_Element]]]:
    """The children as runs of one tag, in order (only a run side by side can be cut)."""
    return [(tag, list(run)) for tag, run in groupby(children, key=lambda e: e.tag)]


def _kept(
    run: list[_Element], lines: list[str], query: str | None, failing: list[int]
) -> list[int]:
    """Which elements of a run stay: the ends, the queried, the failing, the rare-valued.

    ``failing`` lists the lines that report a failure, in order: an element holding one
    stays whole (a test case with its failure), as guarantee 3 asks.
    """
    keep = set(range(_EDGE)) | set(range(len(run) - _EDGE, len(run)))
    keep |= {
        i for i, e in enumerate(run) if bisect_right(failing, e.end) > bisect_left(failing, e.start)
    }
    keep |= {round(k * (len(run) - 1) / (_SPREAD + 1)) for k in range(1, _SPREAD + 1)}
    texts = ["\n".join(lines[e.start : e.end + 1]) for e in run]
    keep |= best_matches(texts, query, most=_QUERIED, floor=0.5)
    fields = [{**e.attrs, **{c.tag: " ".join(c.text) for c in e.children}} for e in run]
    for name in {name for row in fields for name in row}:
        values = Counter(row.get(name) for row in fields)
        if 2 <= len(values) <= max(3, len(run) // 10):
            keep |= {i for i, row in enumerate(fields) if values[row.get(name)] == 1}
    return sorted(keep)


def _cuts(
    run: list[_Element], keep: list[int], tag: str, lines: list[str], key: str | None
) -> list[tuple[int, int, str]]:
    """A marker for each stretch of a run between kept elements, over the lines it spans."""
    cuts = []
    previous = -1
    for i in [*keep, len(run)]:
        gap = i - previous - 1
        if gap > 0:
            first, last = run[previous + 1].start, run[i - 1].end
            what = f"{gap} of {len(run)} <{tag}> elements"
            indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
            cuts.append((first, last, indent + omitted(what, key)))
        previous = i
    return cuts


def _unexpanded(data: str) -> None:
    """Expat's default handler: an entity reference (``&e8;``) is passed over, not expanded."""
