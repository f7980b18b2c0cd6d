"""A document's outline: the lines that head its sections, what names most first.

Reference docs, READMEs, a package's description and manuals are read by their outline: a
markdown heading (``## Configuration``, ``Usage`` over ``-----``), a reStructuredText title
over its underline, a package's header fields (``Name:``, ``Version:``, ``Summary:``), a
manual's or pydoc's sections (``SYNOPSIS``, ``FUNCTIONS``) with the lines under NAME and
SYNOPSIS, and pydoc's entries: each function's signature (``    dumps(obj, *, …)``) and
class (``    class JSONDecoder(builtins.object)``), its methods' after. Cut to a budget,
a document that keeps sentences without the headings over them keeps text nobody can
place, and says nothing of the sections it left out: its headings name them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent_baton.compress.markers import is_marker
from agent_baton.compress.prose import manual_options, names_place
from agent_baton.compress.segment import header_fields

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# A markdown heading: one to six hashes, a blank, a title (a comment's ``#`` line in a
# shell script or YAML file is one too: it only heads a section with a blank line under it).
_ATX = re.compile(r" {0,3}(#{1,6})[ \t]+\S")
# The underline of a setext or reStructuredText title: one punctuation mark repeated.
_UNDERLINE = re.compile(r"([=\-~^*+#\"'`])\1{2,}[ \t]*$")
_MARKS = frozenset("=-~^*+#\"'`")  # what an underline is made of
# A manual's (or pydoc's) section at the margin: "NAME", "SEE ALSO", "EXIT STATUS".
_MANUAL = re.compile(r"[A-Z][A-Z0-9-]+(?: [A-Z][A-Z0-9-]+){0,5}")
# pydoc's entries under its sections: a class, or a function's signature (its defaults are
# reprs, ``fmt=<PlistFormat.FMT_XML: 1>``, not Python), at four blanks; a class's method
# in its "|" gutter.
_CALL = r"[A-Za-z_]\w*\(.*\)(?: from [\w.]+| method of [\w.]+ instance)?"
_ENTRY = re.compile(rf" {{4}}(?:class [A-Za-z_]\w*.*|{_CALL})")
_METHOD = re.compile(rf" \|  {_CALL}")
_TITLE_CHARS = 100  # a longer line is a paragraph's, not a title's
_MIN_HEADS = 2  # one heading makes no outline
_FIRSTS = 2  # the sections whose first line tells what the page is: NAME and SYNOPSIS
_NAMED_LEVELS = 2  # of headings, the levels whose titles a marker names


@dataclass(slots=True)
class _Found:
    """The lines of a document that head others, by what they are."""

    headings: dict[int, list[int]] = field(default_factory=dict)  # by level
    sections: list[int] = field(default_factory=list)  # a manual's, at the margin
    entries: list[int] = field(default_factory=list)  # pydoc's
    methods: list[int] = field(default_factory=list)  # pydoc's, in a class's gutter


def outline_levels(lines: list[str]) -> list[list[int]]:
    """Indices of the lines that head a document's sections, level by level, first first.

    A header block's fields named once (a package's ``Name``, ``Version``, ``Summary``) in
    their order; then a manual's (two sections or more): the lines under its first two
    sections, pydoc's entries, the sections, a man page's options, the methods; else the
    headings, markdown's ``#`` before ``##``, underlined titles by the order their
    underlines first appear (as reStructuredText reads them, setext's ``=`` before ``-``),
    those naming a place in a file (``### 1. `mux.go:109` (blocker)``, a finding) before
    all. Each level is spread over the document (:func:`spread`): wherever a budget stops,
    it named sections all through it. Empty when fewer than :data:`_MIN_HEADS` headings are
    found (one ``#`` line is no document).
    """
    found = _scan(lines)
    if len(found.sections) >= _MIN_HEADS:
        # A manual's section's first line: what the command or module is (under NAME),
        # how it is called (SYNOPSIS).
        firsts = [i + 1 for i in found.sections[:_FIRSTS] if lines[i + 1][:1] == " "]
        # Its options (``-a, --all``) under the sections: what the command takes.
        options = manual_options(lines)
        levels = [firsts, found.entries, found.sections, options, found.methods]
    else:
        # A heading naming a place in a file heads a finding there: such headings first,
        # whatever their level (under a report's "## Findings"), then the levels.
        headings = found.headings
        ordered = [i for level in sorted(headings) for i in headings[level]]
        placed = {i for i in ordered if names_place(lines[i])}
        levels = [sorted(placed)] + [
            [i for i in headings[level] if i not in placed] for level in sorted(headings)
        ]
    if sum(len(level) for level in levels) < _MIN_HEADS:
        return []
    return [level for level in (header_fields(lines), *map(spread, levels)) if level]


def section_titles(lines: list[str]) -> dict[int, str]:
    """The title of each line that heads a section, by its index: what a marker names.

    A manual's section (``SEE ALSO``), a heading's words (``## Installation``:
    ``Installation``) of the document's top two levels or naming a place in a file (a
    review's finding); a changelog's ``### Fixed`` under each version names nothing by
    itself. None when the document has fewer than :data:`_MIN_HEADS` of them.
    """
    found = _scan(lines)
    heads = found.sections if len(found.sections) >= _MIN_HEADS else []
    if not heads:
        levels = sorted(found.headings)
        heads = sorted(
            i
            for level in levels
            for i in found.headings[level]
            if level in levels[:_NAMED_LEVELS] or names_place(lines[i])
        )
    if len(heads) < _MIN_HEADS:
        return {}
    return {i: lines[i].strip().strip("#").strip() or lines[i].strip() for i in heads}


def _scan(lines: list[str]) -> _Found:
    """The headings, manual sections and pydoc entries of ``lines``, outside code fences."""
    found = _Found()
    underlines: list[str] = []  # the underlines' marks, in the order first seen
    fence = ""
    for i, line in enumerate(lines):
        opened = _FENCE.match(line)
        if fence or opened:
            if opened and not fence:
                fence = opened[1]
            elif opened and opened[1].startswith(fence):
                fence = ""
            continue
        after = lines[i + 1] if i + 1 < len(lines) else ""
        if line[:1] == " " and _ENTRY.fullmatch(line):
            found.entries.append(i)
        elif line[:2] == " |" and _METHOD.fullmatch(line):
            found.methods.append(i)
        elif len(line) > _TITLE_CHARS or not line.strip():
            continue
        elif _MANUAL.fullmatch(line) and (after[:1] == " " or is_marker(after)):
            found.sections.append(i)
        elif (line.lstrip()[:1] == "#" or after[:1] in _MARKS) and not is_marker(line):
            # A "#" heading, or a title over its underline (most lines are neither).
            level = _level(lines, i, after, underlines)
            if level is not None:
                found.headings.setdefault(level, []).append(i)
    return found


def spread(items: list[int]) -> list[int]:
    """``items`` reordered so that each start of the order spreads over all of them.

    The first, the middle, the quarters, the eighths …: wherever a budget stops, what it
    kept stands at even steps (a list of 200 options cut to 20 keeps every tenth).
    """
    width = max(len(items) - 1, 1).bit_length()
    order = sorted(range(len(items)), key=lambda k: int(f"{k:0{width}b}"[::-1], 2))
    return [items[k] for k in order]


def _level(lines: list[str], i: int, after: str, underlines: list[str]) -> int | None:
    """The level of the heading line ``i`` (``after``: the next line) is, or None."""
    line = lines[i]
    atx = _ATX.match(line)
    if atx is not None:
        # A heading has a blank line (or a marker, or the end) under it; a comment has code.
        return len(atx[1]) if not after.strip() or is_marker(after) else None
    underline = _UNDERLINE.match(after)
    if underline is None or len(line.strip()) < 2 or _UNDERLINE.match(line):
        return None
    mark = underline[1]
    # reStructuredText's underline is as long as its title; markdown's any length.
    if mark not in "=-" and len(after.rstrip()) < len(line.rstrip()):
        return None
    before = lines[i - 1] if i else ""
    if before.strip() and not is_marker(before) and _UNDERLINE.match(before) is None:
        return None  # a paragraph's last line over a rule, not a title
    if mark not in underlines:
        underlines.append(mark)
    return underlines.index(mark) + 1
