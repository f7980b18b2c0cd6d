"""A command's option listing (``--help``): the line that heads each option.

``ls --help``, ``git log -h``, argparse, click and clap print their options one per head
line, indented, the option first (``  -a, --all   do not ignore …``, ``      --color[=WHEN]``,
``    --[no-]stat``, ``  -k EXPRESSION``, find's ``-maxdepth``), the description beside it
and wrapped on the lines under it. The listing is reference data: every option's head line
stays, so the next agent knows what options there are; the wrapped description lines are
what may be left out, each cut marked where it was.
"""

from __future__ import annotations

import re

# An option heading its line: indented, one or two dashes and a name (``--[no-]patch``),
# or a digit option (``-1``), then a separator, a value placeholder or the line's end.
_HEAD = re.compile(r"[ \t]{1,12}(?:--?(?:\[no-\])?[A-Za-z?][\w-]*|-\d)(?=[\s,=\[<|]|$)")
# A listing has at least this many option heads, and this share of its non-blank lines.
_MIN_HEADS = 8
_MIN_SHARE = 0.15


def option_heads(lines: list[str]) -> set[int]:
    """Indices of the lines that head an option, when the lines are an option listing.

    Empty when they are not one (fewer than :data:`_MIN_HEADS` heads, or under 15 % of
    the non-blank lines: a log or a README that shows a few flags).
    """
    heads = {i for i, line in enumerate(lines) if _HEAD.match(line)}
    if len(heads) < _MIN_HEADS:
        return set()
    filled = sum(1 for line in lines if line.strip())
    return heads if len(heads) >= _MIN_SHARE * filled else set()


def looks_like_options(text: str, sample: int = 20_000) -> bool:
    """Whether the start of ``text`` is a command's option listing (``--help``)."""
    return bool(option_heads(text[:sample].splitlines()[:300]))
