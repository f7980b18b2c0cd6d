"""Console panels: the boxes ``rich`` draws around what an agent framework prints.

CrewAI with ``verbose=True`` prints each step in a rounded box: a top border holding the
title (``╭──── 🔧 Tool Error (#1) ────╮``), the content between vertical bars, padded to the
box's width, and a bottom border. Read line by line, the borders and the padding cost tokens
and hide the content's kind (a tool's output, a traceback, an answer); read as boxes, each is
a titled part whose content is its lines without the bars and the padding (the lines of a
panel, like a JSON document's string values, are its content: see
:mod:`agent_baton.compress.guarantees`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent_baton.compress.memo import once

# A box's top border: a corner, a rule with an optional title, a corner. A table's top
# (``┏━━━┳━━━┓``) divides columns and is no panel.
_TOP = re.compile(r"^(?P<corner>[╭┌┏╔])[─━═]+(?: (?P<title>[^\n]*) [─━═]+)?[╮┐┓╗]$")
_TOP_CORNERS = ("╭", "┌", "┏", "╔")
_RIGHT_CORNERS = ("╮", "┐", "┓", "╗")
_BOTTOM = re.compile(r"^[╰└┗╚][─━═]+[╯┘┛╝]$")
_SIDES = {"╭": "│", "┌": "│", "┏": "┃", "╔": "║"}
_BOTTOMS = {"╭": "╰", "┌": "└", "┏": "┗", "╔": "╚"}
_MIN_PANELS = 2  # one box in a text may be a quoted drawing; a run of them is console output


@dataclass(frozen=True, slots=True)
class Panel:
    """A box: the lines it spans (top and bottom border included), its title and content.

    Attributes:
        start: Index of the top border's line.
        end: Index of the line after the bottom border.
        title: The top border's title ("" when it has none).
        content: The lines between the bars, without the box's padding; padding lines at
            either end left out.
        held: The index of the line each content line is framed on.
    """

    start: int
    end: int
    title: str
    content: list[str]
    held: list[int]


@once
def panels(text: str) -> list[Panel]:
    """The boxes of ``text`` (split by ``str.splitlines``), in order; [] if fewer than two."""
    if "╮" not in text and "┐" not in text and "┓" not in text and "╗" not in text:
        return []
    lines = text.splitlines()
    found: list[Panel] = []
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        top = (
            _TOP.match(line)
            if line.startswith(_TOP_CORNERS) and line.endswith(_RIGHT_CORNERS)
            else None
        )
        if top is None:
            i += 1
            continue
        panel, i = _panel(lines, i, top)
        if panel is not None:
            found.append(panel)
    return found if len(found) >= _MIN_PANELS else []


def _panel(lines: list[str], start: int, top: re.Match[str]) -> tuple[Panel | None, int]:
    """The box whose top border is ``lines[start]``, and the index of the line after it.

    None, and the index of the first line not framed by its bars, if one is not: no box
    starts on the framed lines before it. (Their widths in characters may differ: an emoji
    in a title takes two columns.)
    """
    corner = top.group("corner")
    side, bottom = _SIDES[corner], _BOTTOMS[corner]
    inner: list[str] = []
    for j in range(start + 1, len(lines)):
        line = lines[j].rstrip()
        if line.startswith(bottom) and _BOTTOM.match(line):
            content, first = _unpadded(inner)
            held = list(range(start + 1 + first, start + 1 + first + len(content)))
            return Panel(start, j + 1, (top.group("title") or "").strip(), content, held), j + 1
        if not (len(line) > 1 and line.startswith(side) and line.endswith(side)):
            return None, j
        inner.append(line[1:-1])
    return None, len(lines)


def _unpadded(inner: list[str]) -> tuple[list[str], int]:
    """The content of a box's inner lines, and the index of its first line.

    The common left padding and the right padding are removed, the blank lines at either
    end left out.
    """
    written = [line for line in inner if line.strip()]
    if not written:
        return [], 0
    pad = min(len(line) - len(line.lstrip(" ")) for line in written)
    content = [line[pad:].rstrip() for line in inner]
    first = next(i for i, line in enumerate(content) if line)
    last = max(i for i, line in enumerate(content) if line)
    return content[first : last + 1], first


def panel_lines(text: str) -> dict[int, str]:
    """The content line each framed line of ``text``'s boxes holds, by the line's index."""
    return {
        i: line for panel in panels(text) for i, line in zip(panel.held, panel.content, strict=True)
    }
