"""Records that open alike: the line that names each one (a thread, a function, a resource).

Many tools print a listing of blank-separated records, each opening with a line of one
shape that names it: ``jstack``'s ``"main" #1 prio=5 …`` over the thread's frames,
``python -m dis``'s ``Disassembly of <code object parse at 0x…>:`` over its instructions,
faulthandler's ``Thread 0x00007f… (most recent call first):`` over its frames, terraform's
``  # aws_instance.web will be created`` over the resource's attributes. Folded as repeats,
the bodies' lines of every record ran together and the naming lines went with them (a
thread dump kept 10 of 36 thread names): which thread, function or resource a kept line
belongs to was lost. Each record's naming line stays instead; its body may be cut.
"""

from __future__ import annotations

import re
from collections import Counter

# A record's first two words name its kind: quoted names (jstack's thread names), numbers
# (hex ones whole) and addresses (terraform's ``aws_instance.web[0]``) masked, so that the
# records of one tool share them where a paragraph's or a definition's do not (``The``,
# ``def parse``).
_QUOTED = re.compile(r'"[^"\n]*+"')
_NUMBER = re.compile(r"0x[0-9a-fA-F]++|\d++")
_ADDRESS = re.compile(r"(?<![\w-])[\w-]++(?:[.\[][\w\"\]-]*+)++")  # from a run's start only
# Of a line, its first words are read in this many characters.
_HEAD_CHARS = 200
# A listing has at least this many records, and each this many lines on average.
_MIN_RECORDS = 3
_MIN_LINES = 3
# Of the records opening at their indentation with a word, at least this share open so.
_SHARE = 0.5
# Of the naming lines, at least this share differ from each other (each names its record;
# a second dump of the same threads names them again).
_DISTINCT_SHARE = 0.5


def record_names(lines: list[str]) -> list[int]:
    """Indices of the lines that open and name the records of a listing, in order.

    A record opens after a blank line (or at the start); the records of a listing open
    with the same first two words at the same indentation (quoted names, numbers and
    addresses masked), the first holding a letter or a quote (a timestamp names an event),
    :data:`_SHARE` of the records opening there with a word at least (a paragraph or a
    definition opening like two others among many does not make a listing). Empty
    unless :data:`_MIN_RECORDS` records or more open so, most of their opening lines differ
    (``Locked ownable synchronizers:`` under each thread names none), the words open a line
    inside a record less often (faulthandler's first thread follows its ``Timeout`` line)
    and the records average :data:`_MIN_LINES` lines.
    """
    openings: dict[str, list[int]] = {}
    indented: Counter[str] = Counter()  # records opening with a word, by indentation
    for i, line in enumerate(lines):
        if line.strip() and (i == 0 or not lines[i - 1].strip()):
            key = _key(line)
            if key is not None:
                openings.setdefault(key, []).append(i)
                indented[_indent(line)] += 1
    candidates = sorted(
        (
            (key, heads)
            for key, heads in openings.items()
            if len(heads) >= _MIN_RECORDS
            and len(heads) >= _SHARE * indented[_indent(key)]
            and len({lines[i] for i in heads}) >= _DISTINCT_SHARE * len(heads)
            and len(lines) - heads[0] >= _MIN_LINES * len(heads)
        ),
        key=lambda candidate: len(candidate[1]),
        reverse=True,
    )
    for key, heads in candidates:
        # A line opening otherwise has another key (a masked digit may have been any).
        start = key[: len(_indent(key)) + (key.lstrip()[0] != "0")]
        opening = set(heads)
        inside = sum(
            1
            for i, line in enumerate(lines)
            if i not in opening and line.startswith(start) and _key(line) == key
        )
        if 2 * inside < len(heads):
            return heads
    return []


def _key(line: str) -> str | None:
    """A line's indentation and first two words, masked; None when the first names nothing."""
    indent = _indent(line)
    text = line[len(indent) : len(indent) + _HEAD_CHARS]
    words = _NUMBER.sub("0", _QUOTED.sub('""', text)).split(None, 2)[:2]
    if not any(c.isalpha() or c in "\"'#" for c in words[0]):
        return None
    shape = " ".join(_ADDRESS.sub("<address>", word) if "." in word else word for word in words)
    return indent + shape


def _indent(line: str) -> str:
    """The blanks a line opens with."""
    return line[: len(line) - len(line.lstrip())]
