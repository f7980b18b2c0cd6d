r"""What a line is, for every step: ``str.splitlines``' lines.

Besides the line feed, ``str.splitlines`` breaks at ``\r`` (``\r\n`` is one break), the
vertical tab and form feed, the separators ``\x1c``-``\x1e``, NEL (``\x85``), and U+2028
and U+2029, which a JSON string may hold unescaped. The guarantees read a text's lines so
(a kept line is an input line, a marker counts lines), so every step that splits, counts or
scans lines by offset reads them so too; a text with no break but line feeds (most) takes the
fast way.
"""

from __future__ import annotations

import re

from agent_baton.compress.memo import once

# The characters str.splitlines() breaks a line at.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
BREAK = re.compile(f"[{re.escape(LINE_BREAKS)}]")
# What a line-based check of a text's kind reads: its first lines, of its first characters.
SAMPLE_CHARS = 20_000
SAMPLE_LINES = 300
# Breaks besides the line feed (where "^" in a multi-line pattern does not match).
OTHER_BREAKS = re.compile(f"[{re.escape(LINE_BREAKS[1:])}]")


def line_start(text: str, at: int) -> int:
    """Where the line holding offset ``at`` of ``text`` starts."""
    start = text.rfind("\n", 0, at) + 1
    if OTHER_BREAKS.search(text, start, at) is None:
        return start
    # The other breaks are looked for back from ``at`` in a growing window: a text of "\r"
    # breaks alone would otherwise be read back to its start for every line asked about.
    window = 256
    while True:
        low = max(start, at - window)
        found = max(text.rfind(c, low, at) for c in LINE_BREAKS[1:])
        if found >= 0 or low == start:
            return max(found + 1, start)
        window *= 4


def line_end(text: str, start: int) -> int:
    """Where the line starting at offset ``start`` of ``text`` ends (its break, or the end)."""
    found = BREAK.search(text, start)
    return len(text) if found is None else found.start()


def line_count(text: str, start: int = 0, end: int | None = None) -> int:
    """``len(text[start:end].splitlines())``, without splitting a text of line feeds alone."""
    end = len(text) if end is None else end
    if start >= end:
        return 0
    if OTHER_BREAKS.search(text, start, end) is None:
        return text.count("\n", start, end) + (text[end - 1] != "\n")
    return len(text[start:end].splitlines())


def lines_matching(pattern: re.Pattern[str], text: str) -> list[int]:
    r"""Indices in ``text.split("\n")`` of the lines ``pattern`` matches, in order.

    ``pattern`` opens with the line feed before the line ("\n[{]": a line opening with a
    brace) and matches within that line; the text is read with a line feed before its first
    line. One scan of the whole text finds the matches far faster than trying the pattern
    on each line in turn, as the search skips from line feed to line feed in C ("^" in a
    multi-line pattern is tried at every character, slower still).
    """
    text = "\n" + text
    found = []
    line = at = 0
    for match in pattern.finditer(text):
        start = match.start()
        line += text.count("\n", at, start)
        at = start
        found.append(line)
    return found


@once
def head_lines(text: str) -> list[str]:
    """The lines a check of ``text``'s kind samples: the first 300 of its first 20,000 characters.

    Detection's line-based checks each read them (the caller must not change the list):
    split once per compression.
    """
    return text[:SAMPLE_CHARS].splitlines()[:SAMPLE_LINES]


@once
def filled_head(text: str) -> list[str]:
    """:func:`head_lines` without the blank ones."""
    return [line for line in head_lines(text) if line.strip()]
