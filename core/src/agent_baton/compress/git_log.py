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

from agent_baton.compress.markers import is_marker

# A commit's first line: ``commit`` and its full id (abbreviated with --abbrev-commit),
# then its refs in parentheses; under --graph, after the graph's columns.
_COMMIT = re.compile(r"[*|/\\ ]{0,40}commit [0-9a-f]{7,64}(?: \(.*\))?$")
# A field of its header (--format=medium, full, fuller).
_FIELD = re.compile(r"[*|/\\ ]{0,40}(?:Merge|Author|AuthorDate|Commit|CommitDate|Date): ")
# Its graph's columns before the message's four blanks.
_GRAPH = re.compile(r"[*|/\\ ]{0,40}")
# A row of --oneline: the graph's columns, an abbreviated id, its refs, the subject.
_ONELINE = re.compile(r"[*|/\\ ]{0,40}([0-9a-f]{7,40}) (?:\([^()\n]*\) )?\S")
# Lines of another kind (a subject wrapped by a pager, a note) one in this many rows at most.
_ONELINE_STRAYS = 0.1
# Of a --oneline log's rows, this share a fold keeps.
_ONELINE_ROOM = 1 / 3
# A log has at least this many commits.
_MIN_COMMITS = 3


def commit_heads(lines: list[str], text: str) -> set[int]:
    """Indices of each commit's ``commit`` line and subject, when the lines are a git log.

    ``text`` is the lines' text, searched first (most texts name no commit). Empty when they
    are not one (fewer than :data:`_MIN_COMMITS` commits, each followed by its header's
    fields).
    """
    return {i for pair in _commits(lines, text) for i in pair if i is not None}


def commit_order(lines: list[str], text: str, least: int | None = None) -> list[int]:
    """A git log's heads in the order a budget keeps them; empty when the lines are none.

    The newest commit (the log's first: its id and subject) and the oldest (where the log's
    span ends), then the others' from the newest: each commit named by its id and told by
    its subject, the recent ones first. Of ``git log --oneline`` (each line a commit), its
    first and last rows, then the others from the newest. ``least``: the commits that make
    a log (:data:`_MIN_COMMITS`; one for ``git show``'s, above its diff).
    """
    commits = _commits(lines, text, least or _MIN_COMMITS)
    if commits:
        pairs = [commits[0], commits[-1], *commits[1:-1]]
        return [i for pair in pairs for i in pair if i is not None]
    rows = oneline_rows(lines)
    return list(dict.fromkeys([rows[0], rows[-1], *rows])) if rows else []


def oneline_room(lines: list[str], size: int) -> int:
    """The characters a fold of ``git log --oneline`` keeps of its ``size``; 0 if it is none.

    Each row is a commit, its id and subject: facts, as the commit lines of a long log are,
    not repeats of an event. Folded in the room of a log's routine lines (a twelfth), a
    log of 150 commits kept some 25; :data:`_ONELINE_ROOM` of them are kept, spread.
    """
    return int(size * _ONELINE_ROOM) if oneline_rows(lines) else 0


def oneline_rows(lines: list[str]) -> list[int]:
    """The rows of ``git log --oneline`` (``3ed49f2 (tag: v1.2) Subject``), if it is one.

    Empty unless at least :data:`_MIN_COMMITS` rows make up all the non-blank lines but
    a graph's connecting lines (``|/``), markers and :data:`_ONELINE_STRAYS` of the rest,
    and most ids hold a letter.
    """
    rows: list[int] = []
    others = lettered = 0
    for i, line in enumerate(lines):
        row = _ONELINE.match(line)
        if row is not None:
            rows.append(i)
            lettered += not row[1].isdigit()
        elif line.strip(" *|/\\_") and not is_marker(line):
            others += 1
            if others > _ONELINE_STRAYS * len(rows) + _MIN_COMMITS:
                return []  # not a log: no need to read on
    # Ids are hex: one in 27 of seven digits is all digits, a column of counts always is.
    counted = 2 * lettered < len(rows)
    few = len(rows) < _MIN_COMMITS or others > _ONELINE_STRAYS * len(rows)
    return [] if few or counted else rows


def _commits(
    lines: list[str], text: str, least: int = _MIN_COMMITS
) -> list[tuple[int, int | None]]:
    """Each commit's ``commit`` line and its subject's (None: no message), newest first."""
    found: list[tuple[int, int | None]] = []
    if "commit " not in text:
        return found
    for i, line in enumerate(lines):
        if not line.startswith(("commit ", "*", "|")) or not _COMMIT.match(line):
            continue
        j = i + 1
        while j < len(lines) and _FIELD.match(lines[j]):
            j += 1
        if j == i + 1:
            continue  # no header: a line that happens to start so
        while j < len(lines) and len(_margin(lines[j])) == len(lines[j]):
            j += 1  # the blank line between header and message, under a graph's columns
        subject = j < len(lines) and _margin(lines[j]).endswith("    ")
        found.append((i, j if subject else None))  # the subject: the message's first line
    return found if len(found) >= least else []


def _margin(line: str) -> str:
    """What stands before a line's text: blanks, and a graph's columns under --graph."""
    found = _GRAPH.match(line)
    return found.group() if found else ""


def looks_like_git_log(text: str, sample: int = 20_000) -> bool:
    """Whether the start of ``text`` is ``git log``'s output (medium, fuller, --oneline)."""
    start = text[:sample]
    lines = start.splitlines()[:400]
    return ("commit " in start and bool(commit_heads(lines, start))) or bool(oneline_rows(lines))
