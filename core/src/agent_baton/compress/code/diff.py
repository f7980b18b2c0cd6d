"""Unified diffs, read by parsing their hunks: headers and changed lines stay, context goes.

A hunk's header (``@@ -12,7 +12,9 @@``) says how many old and new lines its body holds, so
the body is known line by line: context (`` ``), removed (``-``) and added (``+``) lines.
File headers, hunk headers and the text between files (a commit's message) stay; so do the
first changed lines of each hunk, and, past them, the changed lines that open a block
other than a control statement's (a ``def``, a ``class``, a function's signature over its
deeper body) and those that report a failure, as do context lines that report one. Every
run of lines left out is a marker where it was.
"""

from __future__ import annotations

import re

from agent_baton.compress.guarantees import is_failure
from agent_baton.compress.markers import omitted
from agent_baton.compress.memo import once
from agent_baton.compress.request import Request

# A file header: a "--- " line, then a "+++ " line.
_FILES = re.compile(r"^--- [^\n]*\n\+\+\+ ", re.M)
_HUNK = re.compile(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
# The statements that open a block in most languages without defining anything.
_CONTROL = re.compile(
    r"\s*(?:[}\]);]\s*)*(?:if|elif|else|for|foreach|while|do|try|except|catch|finally|with|"
    r"switch|case|default|match|loop|unless|until|return|yield|async with|async for)\b"
)
_CHANGED_PER_HUNK = 8  # changed lines each hunk shows before only block openers stay
_SAMPLE = 4000  # lines: where a diff's first hunk must start


@once  # asked by detection, then by the compressor
def parses_as_diff(text: str) -> bool:
    """Whether ``text`` is a unified diff: ``---``, ``+++``, then hunks whose bodies add up.

    The hunks make most of its lines: a README that shows a patch is not a diff.
    """
    if "\n+++ " not in text:
        return False  # what every file header holds: most texts are told without a split
    lines = text.split("\n", _SAMPLE)[:_SAMPLE]
    if not _FILES.search("\n".join(lines)):
        return False
    inside = 0
    i = 0
    while i < len(lines):
        end = _hunk_end(lines, i) if lines[i].startswith("@@ ") else None
        if end is None:
            inside += lines[i].startswith(("--- ", "+++ ", "diff ", "index "))
            i += 1
        else:
            inside += end - i
            i = end
    return 2 * inside >= len(lines)


def file_heads(lines: list[str]) -> list[int]:
    """The line naming each file of a diff: its ``diff …`` line, else its ``+++ `` line.

    What a budget keeps first of a diff: a hunk read without its file says nothing.
    """
    heads = []
    named = False  # whether the current file's "diff" line names it
    for i, line in enumerate(lines):
        if line.startswith("diff "):
            heads.append(i)
            named = True
        elif line.startswith("+++ ") and i and lines[i - 1].startswith("--- "):
            if not named:
                heads.append(i)
            named = False
    return heads


def changed_openers(lines: list[str]) -> list[list[int]]:
    """The changed lines of a diff's hunks that open a block a control statement does not.

    A definition added, removed or re-signed (``+def parse(text):``, ``-func (s *Server)
    Close() {``): what a budget names of a diff after its files, so that the next agent
    learns which functions a change touched before it reads any of their bodies. By level
    of indentation, the least indented first (a class, a function, then a method, then a
    docstring's ``Example::``); a line both removed and added (moved) once.
    """
    found: dict[str, int] = {}
    i = 0
    while i < len(lines):
        end = _hunk_end(lines, i) if lines[i].startswith("@@ ") else None
        if end is None:
            i += 1
            continue
        for k in range(i + 1, end):
            code = lines[k][1:]
            if lines[k][:1] in "+-" and not _CONTROL.match(code) and _opens_block(lines, k, end):
                found.setdefault(code.strip(), k)
        i = end
    levels: dict[int, list[int]] = {}
    for k in sorted(found.values()):
        levels.setdefault(_indent(lines[k][1:]), []).append(k)
    return [levels[depth] for depth in sorted(levels)]


def _hunk_end(lines: list[str], at: int) -> int | None:
    """The index after the body of the hunk whose header is line ``at``.

    None when the body does not add up to the header's counts.
    """
    hunk = _HUNK.match(lines[at])
    if hunk is None:
        return None
    old, new = (int(n) if n is not None else 1 for n in hunk.groups())
    i = at + 1
    while (old > 0 or new > 0) and i < len(lines):
        mark = lines[i][:1]
        if mark in (" ", ""):  # an empty context line may have lost its space
            old, new = old - 1, new - 1
        elif mark == "-":
            old -= 1
        elif mark == "+":
            new -= 1
        elif mark != "\\":  # "\ No newline at end of file"
            return None
        i += 1
    while i < len(lines) and lines[i].startswith("\\"):
        i += 1
    return i if old == 0 and new == 0 else None


def diff_lines(text: str, request: Request) -> str | None:
    """A unified diff: its headers and changed lines, every cut marked; None if not a diff."""
    if not parses_as_diff(text):
        return None
    lines = text.splitlines()
    cap = _CHANGED_PER_HUNK >> min(request.level, 3)
    keep: set[int] = set()
    i = 0
    while i < len(lines):
        end = _hunk_end(lines, i) if lines[i].startswith("@@ ") else None
        if end is None:
            keep.add(i)  # a file header, or text between files
            i += 1
            continue
        keep.add(i)
        keep.update(_changed(lines, i + 1, end, cap))
        i = end
    out: list[str] = []
    gap = 0
    for k, line in enumerate(lines):
        if k in keep:
            if gap:
                out.append(f"[… {gap} line{'' if gap == 1 else 's'}]")
                gap = 0
            out.append(line)
        else:
            gap += 1
    left = len(lines) - len(keep)
    if not left:
        return None
    if gap:
        out.append(f"[… {gap} line{'' if gap == 1 else 's'}]")
    out.append(omitted(f"{left} of {len(lines)} lines (context, long hunks)", request.key))
    return "\n".join(out)


def _changed(lines: list[str], start: int, end: int, cap: int) -> list[int]:
    """The lines of a hunk's body that stay.

    The first ``cap`` changed lines, then the changed block openers, and every line that
    reports a failure, context too (a test's ``assert`` around a change, a log's error).
    """
    changed = [k for k in range(start, end) if lines[k][:1] in "+-"]
    kept = changed[:cap]
    kept.extend(k for k in range(start, end) if lines[k][:1] not in "+-" and is_failure(lines[k]))
    for k in changed[cap:]:
        # A block a definition opens; an `if` or a `try` opens one too, but says less.
        opens = not _CONTROL.match(lines[k][1:]) and _opens_block(lines, k, end)
        if opens or is_failure(lines[k]):
            kept.append(k)
    return kept


def _indent(code: str) -> int:
    return len(code) - len(code.lstrip())


def _opens_block(lines: list[str], k: int, end: int) -> bool:
    """Whether the changed line ``k`` heads more indented lines of the same side after it."""
    code = lines[k][1:]
    if not code.strip():
        return False
    for j in range(k + 1, min(end, k + 8)):
        following = lines[j][1:]
        if lines[j][:1] in (lines[k][:1], " ") and following.strip():
            return _indent(following) > _indent(code)
    return False
