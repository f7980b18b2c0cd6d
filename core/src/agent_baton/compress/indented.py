"""Markdown's other code block: lines indented four spaces (or a tab) under a paragraph.

Agents paste a tool's output into a note this way as often as between fences: a line that
introduces it ("Output of `javac`:", a heading), a blank line, the log indented, then the
findings as bullets. CommonMark reads such a block as code whatever it holds; the note is
markdown, and the block is compressed by the kind of what it holds, as a fenced one is.
A line that opens the block must follow a blank line after a line at the margin that
introduces it (a heading, or a line ending with a colon): in source code the lines over an
indented body open a block (``{``), and a list item's indented lines continue the item.
"""

from __future__ import annotations

import re

from agent_baton.compress.memo import once

_INDENT = re.compile(r" {4}|\t")
_OPENING = re.compile(r"\n[ \t]*\n(?: {4}|\t)[ \t]*\S")  # a blank line, then an indented one
_HEADING = re.compile(r"#{1,6} \S")
_LIST_ITEM = re.compile(r"(?:[-*+]|\d{1,9}[.)]) ")
_MIN_LINES = 4  # fewer indented lines are a command or a path, not a pasted output
_MIN_CHARS = 400  # a shorter block stays whole, fenced or not (mixed._by_kind)
_MIN_WORDS = 8  # words at the margin: a note says something about what it pastes
_WORD = re.compile(r"[A-Za-z]{3,}")
_NO_OUTPUT = frozenset(("prose", "code", "chat"))  # kinds of a document's indented examples
# Lines at the margin that end with a colon and open a block of a program, not a paste.
_STATEMENT = re.compile(r"(?:def|class|if|elif|else|for|while|try|except|finally|with|case)\b")


@once
def indented_blocks(text: str) -> list[tuple[int, int]]:
    """The (first, end) line spans of the text's indented blocks that a line introduces."""
    if _OPENING.search(text) is None:
        return []  # found at the C scan's speed: most texts (logs, tables) have none
    lines = text.splitlines()  # as prose's blocks count them
    spans: list[tuple[int, int]] = []
    previous = -1  # the last line that is not blank
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        opens = previous >= 0 and previous < i - 1 and _INDENT.match(line) is not None
        if not (opens and _introduces(lines[previous])):
            previous = i
            i += 1
            continue
        j = i
        while j < len(lines) and (not lines[j].strip() or _INDENT.match(lines[j])):
            j += 1
        end = j
        while not lines[end - 1].strip():
            end -= 1
        if sum(1 for k in range(i, end) if lines[k].strip()) >= _MIN_LINES:
            spans.append((i, end))
        previous = end - 1
        i = j
    return spans


def _introduces(line: str) -> bool:
    """Whether a line at the margin introduces an indented block under it: a note's words."""
    if line[:1] in (" ", "\t") or _LIST_ITEM.match(line):
        return False
    stripped = line.rstrip()
    if _HEADING.match(stripped):
        return True
    return stripped.endswith(":") and not _STATEMENT.match(stripped) and " " in stripped


@once
def pasted_blocks(text: str) -> list[tuple[int, int]]:
    """The indented blocks that paste a tool's output: no prose or code, and failure lines.

    A document's indented examples (a program, a shell session that succeeds, a quote)
    stay as they were read; a run that failed is what a note pastes to report on.
    """
    from agent_baton.compress.detect import detect  # lazy: detect imports this
    from agent_baton.compress.guarantees import failing_lines  # lazy: it imports detect

    lines = text.splitlines()
    spans = []
    for first, end in indented_blocks(text):
        found = dedented("\n".join(lines[first:end]))
        if found is None or len(found[1]) < _MIN_CHARS:
            continue
        # A detection costs more than the failure scan: it comes last.
        if failing_lines(found[1].split("\n")) and detect(found[1]) not in _NO_OUTPUT:
            spans.append((first, end))
    return spans


@once
def looks_like_note(text: str) -> bool:
    """Whether the text is markdown that pastes an output as an indented block and says more."""
    spans = pasted_blocks(text)
    if not spans:
        return False
    lines = text.splitlines()
    inside = {k for first, end in spans for k in range(first, end)}
    margin = " ".join(line for k, line in enumerate(lines) if k not in inside)
    return len(_WORD.findall(margin)) >= _MIN_WORDS


def dedented(block: str) -> tuple[str, str] | None:
    """The indent every line of an indented block shares, and the block without it.

    A blank line may hold less than the indent: it stays blank. None when the lines share
    no indent of four spaces or a tab (a block that prose read as code on its own terms).
    """
    lines = block.split("\n")
    filled = [line for line in lines if line.strip()]
    if not filled:
        return None
    width = min(len(line) - len(line.lstrip()) for line in filled)
    indent = filled[0][:width]
    if not _INDENT.match(indent) or any(not line.startswith(indent) for line in filled):
        return None
    inner = [line[width:] if line.startswith(indent) else "" for line in lines]
    return indent, "\n".join(inner)


def indent_lines(text: str, indent: str) -> str:
    """Each line of a compressed block under the indent it had; blank lines stay blank."""
    return "\n".join(indent + line if line else line for line in text.split("\n"))
