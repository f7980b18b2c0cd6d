"""The lines that head others: a file's, a commit's, a stack frame's, a definition's.

A budget that keeps a hunk without its file, a commit's message without its id, a frame's
location without its function or a body's line without its signature keeps lines nobody
can place. Once the failures and the lines that answer the query are in, these heads come
before any body line (:func:`~agent_baton.compress.budget.fit_lines`).
"""

from __future__ import annotations

import re

from agent_baton.compress.code.diff import changed_openers
from agent_baton.compress.code.diff import file_heads as diff_heads
from agent_baton.compress.config import config_sections
from agent_baton.compress.conflicts import conflict_heads
from agent_baton.compress.dumps import file_heads as dump_heads
from agent_baton.compress.git_log import commit_order
from agent_baton.compress.latex import section_heads
from agent_baton.compress.options import option_heads
from agent_baton.compress.outline import outline_levels, spread
from agent_baton.compress.record_names import record_names
from agent_baton.compress.releases import release_heads

# A frame of a Rust backtrace ("  12: ledger::parse::amount") and its place under it
# ("             at ./src/main.rs:2:61"); a C++ or Go one is alike.
_FRAME = re.compile(r" {0,8}\d{1,4}: \S")
_AT = re.compile(r"\s+at \S+:\d+(?::\d+)?$")
# A body a code skeleton left out under its definition: "    # … 12 lines of parse omitted".
_BODY = re.compile(r"\s*+\S{1,3} … [\d,]+ lines? of (\S+) omitted$")
_MIN_FRAMES = 2
# A line that only closes a block: Ruby's and Lua's ``end``, a shell's ``fi``, braces.
_CLOSER = re.compile(r"[ \t]*(?:end|fi|done|esac|[\]})]+[;,]?)[ \t]*$")
# A comment's line (``#``, ``//``, a block comment's ``/*`` or `` * ``), or a C
# preprocessor directive's (a header's guard, its macros): not a shebang or an attribute.
_COMMENT = re.compile(r"[ \t]*(?:#(?![!\[{])|//|/\*|\*(?:[ \t/]|$))")
# A line that only brings names in or tags what follows: an import, a using, a package or
# namespace statement, an attribute (``[Guid("…")]``) or annotation (``@Override``) alone.
_PREAMBLE = re.compile(
    r"[ \t]*+(?:(?:import|using|package|use|require|include|from)\b[^{]*+"
    r"|\[[A-Za-z][\w.]*+(?:\(.*\))?\][ \t]*+|@[A-Za-z][\w.]*+(?:\(.*\))?[ \t]*+)$"
)
_SIGNATURE_LINES = 24  # a definition's head spans at most this many lines over its body


def structural_heads(lines: list[str], text: str, *, documents: bool = True) -> list[int]:
    """Indices of the lines of ``text`` (its ``lines``) that head the lines under them.

    First the line that opens each record: a diff's or a multi-file dump's file names, a
    git log's commit lines, a backtrace's frames, the definitions whose bodies a code
    skeleton left out, a changelog's versions, a document's headings (with ``documents``:
    not in source, whose ``#`` lines are comments); then the lines that say more of one (a
    frame's place), so that as many records as fit are named before any is told in full.
    A git log's come first: its newest and oldest commits' ids and subjects, then the
    others' (:func:`~agent_baton.compress.git_log.commit_order`).
    """
    diffed = diff_heads(lines) if "\n+++ " in text else []
    # A diff's or a dump's file names first: each names every line under it, down to the next.
    files = sorted({*(diffed if len(diffed) > 1 else ()), *dump_heads(lines)})
    # Then the definitions its hunks change (which functions a change touched), each level
    # spread over the diff.
    changed = [i for level in changed_openers(lines) if diffed for i in spread(level)]
    frames = _frames(lines)
    naming, signing = _defined(lines)
    opening = {*frames[::2], *naming}
    telling = {*frames[1::2], *signing} - opening
    # A git log's: its newest and oldest commits, then the others from the newest.
    logged = commit_order(lines, text, least=1 if diffed else None)
    # A command's option listing: each option's first line, spread over the listing (a
    # budget for a tenth of them names some of each section), before any description.
    listed = spread(sorted(option_heads(lines)))
    # A LaTeX document's sectioning commands, the higher levels first.
    sectioned = section_heads(lines) if "\\" in text else []
    # A changelog's version heads: the newest and the oldest, then spread between.
    versions = release_heads(lines)
    released = versions[:1] + versions[-1:] + spread(versions[1:-1])
    # A document's headings, level by level: the sections a budget names all through it
    # before any sentence under them. Those over the versions (a package description's
    # sections over its release notes) before them, the others (a version's "Fixed") after.
    levels = outline_levels(lines) if documents else []
    top = next((k for k, level in enumerate(levels) if set(versions).intersection(level)), None)
    titled = [i for level in levels[:top] for i in level]
    # A config's sections ([Install], [tool.ruff]), spread over the file.
    titled += spread(config_sections(lines, text)) if documents else []
    subtitled = [i for level in levels[top:] for i in level] if top is not None else []
    # The lines naming a listing's records (a dump's threads), spread as options are.
    named = spread(record_names(lines))
    # A conflicted file's conflicts: what the next agent has to resolve names them first.
    conflicted = conflict_heads(lines) if "<<<<<<<" in text else []
    return list(
        dict.fromkeys(
            [
                *conflicted,
                *logged,
                *sectioned,
                *files,
                *changed,
                *frames[::2],
                # A document's headings before the definitions its code blocks hold (a
                # review's findings over the functions it quotes).
                *titled,
                *sorted(opening),
                *listed,
                *released,
                *subtitled,
                *named,
                *sorted(telling),
            ]
        )
    )


def _frames(lines: list[str]) -> list[int]:
    """A backtrace's frames: each numbered line over its ``at file:line``, and that line."""
    heads = [
        k
        for i, line in enumerate(lines[1:], 1)
        if line[:1] == " " and _AT.match(line) and _FRAME.match(lines[i - 1])
        for k in (i - 1, i)
    ]
    return heads if len(heads) >= 2 * _MIN_FRAMES else []


def _defined(lines: list[str]) -> tuple[list[int], list[int]]:
    """The heads of the bodies a code skeleton left out: the lines naming them, and the rest.

    The line that names a definition (``public void Dispose()``, ``def parse(``) comes
    first; its head's other lines (parameters on lines of their own, a brace on its own line,
    ``throws …``) after every definition is named. A body whose name no line of its head
    spells (an ``if statement``) is headed by the line right over it.
    """
    naming: list[int] = []
    signing: list[int] = []
    for i, line in enumerate(lines):
        found = _BODY.match(line) if i and " of " in line else None
        if found is None or not lines[i - 1].strip():
            continue
        name = re.compile(rf"(?<![\w$]){re.escape(found[1])}(?![\w$])")
        row = i - 1
        for above in range(i - 1, max(0, i - _SIGNATURE_LINES) - 1, -1):
            if not lines[above].strip() or "…" in lines[above]:
                break  # a blank line or a marker: the head began below it
            if found[1] in lines[above] and name.search(lines[above]):
                row = above
                break
        naming.append(row)
        signing.extend(range(row + 1, i))
    return naming, signing


def by_weight(lines: list[str], kept: list[int]) -> list[int]:
    """The lines ``kept`` of source, what declares something before what says least.

    A budget that keeps a code skeleton's lines in order spent its room on a C header's
    guard and ``#define`` lines before its function prototypes, on Ruby's ``end`` lines,
    which close a block and say nothing, and on C#'s ``[Guid("…")]`` attributes and Go's
    imports before the signatures. Declarations (signatures, prototypes, types, keys)
    come first, then comments, preprocessor directives, imports and attributes, then the
    lines that only close a block; each in the file's order.
    """

    def weight(i: int) -> int:
        line = lines[i]
        if _CLOSER.match(line):
            return 2
        return 1 if _COMMENT.match(line) or _PREAMBLE.match(line) else 0

    return sorted(kept, key=weight)
