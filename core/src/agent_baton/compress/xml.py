"""XML documents: runs of like elements cut to the ones that tell, every kept line as it was.

The document is parsed (``xml.parsers.expat``, which reports where each element starts and
ends). Where an element has many children of one tag side by side (the entries of a code
list, the translations of a message), the run keeps its first and last elements, a few
evenly spaced between, the ones the query names and the ones holding a value no sibling
shares in a field of few values; each cut is a marker counting the elements left out. Runs
are cut deepest first, and a run that is short once its own runs are cut stays whole.
Everything else stays as it was, line for line. A document whose elements share lines is
left to the HTML reader.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby
from xml.parsers import expat

from agent_baton.compress.markers import omitted
from agent_baton.compress.request import Request
from agent_baton.search import best_matches

_XML = re.compile(r"\s*<\?xml[\s?]")
_MIN_RUN = 6  # children of one tag: fewer stay whole
_RUN_CHARS = 2_000  # a run this short, once its own runs are cut, stays whole
_EDGE = 1  # elements kept at each end of a run
_SPREAD = 3  # elements kept evenly spaced through a run, to show how its elements vary
_QUERIED = 3  # elements of a run kept for matching the query


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
    root = _parse(text)
    if root is None:
        return None
    lines = text.split("\n")
    dropped: list[tuple[int, int, str]] = []  # (first line, last line, marker) per cut

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
            keep = _kept(run, lines, request.query)
            dropped.extend(_cuts(run, keep, tag, lines, request.key))
            size -= sum(n for i, n in enumerate(sizes) if i not in keep)
        return size

    try:
        visit(root)
    except RecursionError:  # nested deeper than Python recurses: left to the HTML reader
        return None
    if not dropped:
        return None
    out: list[str] = []
    at = 0
    for first, last, marker in sorted(dropped, key=lambda cut: (cut[0], -cut[1])):
        if first < at:
            continue  # inside an element a wider cut left out
        out += [*lines[at:first], marker]
        at = last + 1
    out += lines[at:]
    return "\n".join(out), "xml:runs"


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


def _kept(run: list[_Element], lines: list[str], query: str | None) -> list[int]:
    """Which elements of a run stay: the ends, the queried, the ones with a rare value."""
    keep = set(range(_EDGE)) | set(range(len(run) - _EDGE, len(run)))
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
