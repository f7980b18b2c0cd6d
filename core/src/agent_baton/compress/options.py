"""A command's option listing (``--help``): the line that heads each option and command.

``ls --help``, ``git log -h``, argparse, click and clap print their options one per head
line, indented, the option first (``  -a, --all   do not ignore …``, ``      --color[=WHEN]``,
``    --[no-]stat``, ``  -k EXPRESSION``, find's ``-maxdepth``), the description beside it
and wrapped on the lines under it. click, clap, cobra and docker list subcommands the same
way under a ``Commands:`` heading (``  run        Run a command or script``). Typer and
rich-click draw each section in a box (``╭─ Options ─╮``, rows ``│ --name  TEXT  … │``,
typer's required ones ``│ *  --name …``). The listing is reference data: every option's and
command's head line stays, so the next agent knows what there is; the wrapped description
lines are what may be left out, each cut marked where it was.
"""

from __future__ import annotations

import re

# An option heading its line: indented, one or two dashes and a name (``--[no-]patch``),
# or a digit option (``-1``), then a separator, a value placeholder or the line's end.
# Unindented (rsync's ``--verbose, -v``), a long option or a one-letter one: not ``-rw-r--r--``.
_HEAD = re.compile(
    r"(?:[ \t]{1,12}(?:--?(?:\[no-\])?[A-Za-z?][\w-]*|-\d)"
    r"|--(?:\[no-\])?[A-Za-z][\w-]*|-[A-Za-z?\d])(?=[\s,=\[<|]|$)"
)
# A heading over a list of subcommands (click's and clap's ``Commands:``, cobra's
# ``Available Commands:``, docker's ``Management Commands:``, hf's ``Available commands for
# 'hf':``): one short unindented line naming commands, ending with its only colon.
_HEADING_CHARS = 80
# A command's row under it: indented, its name, then two blanks before the description or
# the line's end (a long name's description goes on the next line).
_COMMAND_ROW = re.compile(r"([ \t]{1,8})[A-Za-z][\w.:-]*(?:,[ \t]?[A-Za-z][\w.:-]*)*(?:[ \t]{2}|$)")
# A row of a rich box (Typer, rich-click): the border, at most four blanks, typer's ``*``
# that marks a required one, then an option, or a name two blanks short of its description
# (an argument or a command); no border inside it (a rich table's row has one between
# cells). A wrapped description stands further in; a sentence in a box (an error panel) has
# one blank between its words.
_BOX_ROW = re.compile(
    r"[│┃] {1,4}(?:\* +)?(?:--?[A-Za-z][\w-]*(?=[\s,=\[<│┃])|[A-Za-z][\w.:-]*(?=  ))"
    r"[^│┃]*+(?:[│┃][ \t]*)?$"
)
# Either kind of head: one match a line, as most lines are neither.
_LINE = re.compile(rf"(?:{_HEAD.pattern})|(?:{_BOX_ROW.pattern})")
# A listing has at least this many heads, and this share of its non-blank lines.
_MIN_HEADS = 8
_MIN_SHARE = 0.15


def option_heads(lines: list[str]) -> set[int]:
    """Indices of the lines that head an option or a command, when the lines are a listing.

    Empty when they are not one (fewer than :data:`_MIN_HEADS` heads, or under 15 % of
    the non-blank lines: a log or a README that shows a few flags).
    """
    heads: set[int] = set()
    for i, line in enumerate(lines):
        if _LINE.match(line):
            heads.add(i)
        elif line.endswith(":") and _names_commands(line):
            heads.update(_command_rows(lines, i))
    if len(heads) < _MIN_HEADS:
        return set()
    filled = sum(1 for line in lines if line.strip())
    return heads if len(heads) >= _MIN_SHARE * filled else set()


def _command_rows(lines: list[str], heading: int) -> set[int]:
    """The rows of the ``Commands:`` section under ``heading``: as far in as its first."""
    rows: set[int] = set()
    indent = ""  # the rows' indentation, once the first row has set it
    for i in range(heading + 1, len(lines)):
        line = lines[i]
        if line[:1].strip():
            break  # an unindented line ends the section
        row = _COMMAND_ROW.match(line)
        if row is not None and indent in ("", row[1]):
            indent = row[1]
            rows.add(i)
    return rows


def _names_commands(heading: str) -> bool:
    return (
        len(heading) <= _HEADING_CHARS
        and heading[:1].strip() != ""
        and heading.count(":") == 1
        and "commands" in heading.lower()
    )


def looks_like_options(text: str, sample: int = 20_000) -> bool:
    """Whether the start of ``text`` is a command's option listing (``--help``)."""
    return bool(option_heads(text[:sample].splitlines()[:300]))
