"""``git log``'s commits: the line that heads each (``commit <sha>``) and its subject.

``git log`` (with ``--stat``, ``--graph``, ``--format=fuller``) prints each commit as a
header (``commit 3ed49f2…``, then ``Author:``, ``Date:`` and the like), a blank line, its
message indented by four blanks, then what it changed. The commit's id and its subject are
what the next agent refers to; its message's body and its file list are what may be left
out. Folded as repeats, the ``commit`` lines of forty commits became one fold showing two
ids: every head and subject stays instead, and the rest is cut with markers at their places.
"""

from __future__ import annotations

import re

# A commit's first line: ``commit`` and its full id (abbreviated with --abbrev-commit),
# then its refs in parentheses; under --graph, after the graph's columns.
_COMMIT = re.compile(r"[*|/\\ ]{0,40}commit [0-9a-f]{7,64}(?: \(.*\))?$")
# A field of its header (--format=medium, full, fuller).
_FIELD = re.compile(r"[*|/\\ ]{0,40}(?:Merge|Author|AuthorDate|Commit|CommitDate|Date): ")
# Its graph's columns before the message's four blanks.
_GRAPH = re.compile(r"[*|/\\ ]{0,40}")
# A log has at least this many commits.
_MIN_COMMITS = 3


def commit_heads(lines: list[str], text: str) -> set[int]:
    """Indices of each commit's ``commit`` line and subject, when the lines are a git log.

    ``text`` is the lines' text, searched first (most texts name no commit). Empty when they
    are not one (fewer than :data:`_MIN_COMMITS` commits, each followed by its header's
    fields).
    """
    heads: set[int] = set()
    if "commit " not in text:
        return heads
    commits = 0
    for i, line in enumerate(lines):
        if not line.startswith(("commit ", "*", "|")) or not _COMMIT.match(line):
            continue
        j = i + 1
        while j < len(lines) and _FIELD.match(lines[j]):
            j += 1
        if j == i + 1:
            continue  # no header: a line that happens to start so
        commits += 1
        heads.add(i)
        while j < len(lines) and len(_margin(lines[j])) == len(lines[j]):
            j += 1  # the blank line between header and message, under a graph's columns
        if j < len(lines) and _margin(lines[j]).endswith("    "):
            heads.add(j)  # the subject: the message's first line
    return heads if commits >= _MIN_COMMITS else set()


def _margin(line: str) -> str:
    """What stands before a line's text: blanks, and a graph's columns under --graph."""
    found = _GRAPH.match(line)
    return found.group() if found else ""


def looks_like_git_log(text: str, sample: int = 20_000) -> bool:
    """Whether the start of ``text`` is ``git log``'s output (its default format or fuller)."""
    start = text[:sample]
    return "commit " in start and bool(commit_heads(start.splitlines()[:400], start))
