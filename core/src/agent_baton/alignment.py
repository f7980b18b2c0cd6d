"""What of an original the compressed form kept: each line's fate, read back from the two texts.

Compression never rewrites a kept line, so a line of the compressed text that is a line of the
original (in order) is a kept line; a line cut short ends with ``…``; markers say what was left
out. Everything else in the compressed text is the original reshaped (a table row, a log
template). :func:`align` reads the two texts back into that picture, line by line; it is what
the HTML report draws.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import Enum

from agent_baton.compress.markers import cut_prefix, is_marker

_FOLD = re.compile(r"^\s*\[×\d+[^\]]*\]\s?(?P<line>.*)$")
_CUT = " …"
# "[… 288 of 300 rows omitted …]": a count of the whole, so it sums up every dropped run.
_SUMMARY = re.compile(r"^\s*\[… [\d,]+ of [\d,]+ ")
_RECORD_LINES = 40  # a brace block up to this long is a record: kept whole or not at all
# Prose joins a paragraph's lines and drops sentences inside them: up to this many words, the
# lines left over are matched word by word, runs of at least _MIN_RUN words at a time.
_MATCHED_WORDS = 20_000
_MIN_RUN = 3
_TOKEN = re.compile(r"\S+")
_WORD = re.compile(r"\w+")


class Fate(Enum):
    """What became of a line of the original."""

    KEPT = "kept"  # in the compressed form as it is
    CUT = "cut"  # parts of it are in the compressed form (its head, some sentences), not all
    RESHAPED = "reshaped"  # not as it is, but every word of it is (a table row, a template)
    DROPPED = "dropped"  # left out: a marker stands for it
    BLANK = "blank"  # an empty line: neither


class Role(Enum):
    """What a line of the compressed form is."""

    KEPT = "kept"  # a line of the original (or its head, for a cut one)
    MARKER = "marker"  # says what was left out
    RESHAPED = "reshaped"  # the original in another shape
    BLANK = "blank"


@dataclass(frozen=True, slots=True)
class CompressedLine:
    """A line of the compressed form and what it stands for in the original.

    Attributes:
        text: The line.
        role: Kept, a marker, reshaped or blank.
        source: For a kept line, the index of its line in the original.
        gaps: For a marker, the indexes in :attr:`Alignment.gaps` of the dropped runs it
            stands for.
    """

    text: str
    role: Role
    source: int | None = None
    gaps: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Alignment:
    """The lines of an original with their fates, and the compressed lines with their roles.

    Attributes:
        original: The original's lines, without line ends.
        fates: The fate of each line of ``original``.
        kept_spans: For a cut line, the ``(start, end)`` character ranges that were kept.
        compressed: The compressed form's lines.
        gaps: Runs of dropped lines, as ``(first, last)`` indexes into ``original``.
    """

    original: list[str]
    fates: list[Fate]
    kept_spans: dict[int, list[tuple[int, int]]]
    compressed: list[CompressedLine]
    gaps: list[tuple[int, int]] = field(default_factory=list)

    def count(self, fate: Fate) -> int:
        """How many lines of the original met ``fate``."""
        return sum(1 for f in self.fates if f is fate)


def align(original: str, compressed: str) -> Alignment:
    """Read back which lines of ``original`` the ``compressed`` form kept, cut or dropped."""
    lines = original.splitlines()
    positions: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        if line.strip():
            positions.setdefault(line.strip(), []).append(i)
    fates = [Fate.BLANK if not line.strip() else Fate.DROPPED for line in lines]
    kept_spans: dict[int, list[tuple[int, int]]] = {}
    roles: list[tuple[str, Role, int | None]] = []
    cursor = 0

    def find(text: str) -> int | None:
        found = positions.get(text.strip(), [])
        at = bisect.bisect_left(found, cursor)
        return found[at] if at < len(found) else None

    for text in compressed.splitlines():
        if not text.strip():
            roles.append((text, Role.BLANK, None))
            continue
        fold = _FOLD.match(text)
        source = find(fold.group("line")) if fold else find(text)
        cut = cut_prefix(text) if source is None else None
        if cut is None and source is None and text.endswith(_CUT):
            cut = text[: -len(_CUT)]
        if cut is not None:
            head = cut.strip()
            source = _find_head(lines, head, cursor)
            if source is not None:
                fates[source] = Fate.CUT
                start = lines[source].index(head)
                kept_spans[source] = [(start, start + len(head))]
        if source is not None:
            if fates[source] is not Fate.CUT:
                fates[source] = Fate.KEPT
            cursor = source + 1
            roles.append((text, Role.MARKER if fold else Role.KEPT, source))
        elif is_marker(text):
            roles.append((text, Role.MARKER, None))
        else:
            roles.append((text, Role.RESHAPED, None))
    if any(role is Role.RESHAPED for _, role, _ in roles):
        roles = _match_words(lines, fates, kept_spans, roles)
    if any(role is Role.RESHAPED for _, role, _ in roles):
        words = set(_WORD.findall(compressed))
        for i, line in enumerate(lines):
            if fates[i] is Fate.DROPPED and set(_WORD.findall(line)) <= words:
                fates[i] = Fate.RESHAPED
        _drop_partial_records(lines, fates)
    gaps = _gaps(fates)
    return Alignment(lines, fates, kept_spans, _link_markers(roles, gaps, len(lines)), gaps)


def _match_words(
    lines: list[str],
    fates: list[Fate],
    kept_spans: dict[int, list[tuple[int, int]]],
    roles: list[tuple[str, Role, int | None]],
) -> list[tuple[str, Role, int | None]]:
    """Match the dropped lines' words with the reshaped lines' words, in order.

    An original line whose words all match was kept (re-wrapped); one with some was cut, and
    ``kept_spans`` says which parts. A reshaped line whose words all match is kept, from the
    line its first word comes from. Runs shorter than ``_MIN_RUN`` words are chance.
    """
    ours = [
        (i, m.start(), m.end())
        for i, line in enumerate(lines)
        if fates[i] is Fate.DROPPED
        for m in _TOKEN.finditer(line)
    ]
    theirs = [
        (j, m.group())
        for j, (text, role, _) in enumerate(roles)
        if role is Role.RESHAPED
        for m in _TOKEN.finditer(text)
        if m.group() != "…"
    ]
    if not ours or not theirs or len(ours) + len(theirs) > _MATCHED_WORDS:
        return roles
    a = [lines[i][start:end] for i, start, end in ours]
    # A run of matching words never spans two lines of the compressed form: "30 seconds." ends
    # one sentence kept, "The settlement ..." starts another.
    b: list[str | None] = []  # None between lines: it matches no word
    at: list[int] = []  # index into theirs of each word of b
    for k, (j, word) in enumerate(theirs):
        if k and theirs[k - 1][0] != j:
            b.append(None)
            at.append(-1)
        b.append(word)
        at.append(k)
    matched: set[int] = set()
    found_in: dict[int, list[int]] = {}  # reshaped line -> indexes into ours of its words
    for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        if block.size >= _MIN_RUN:
            for k in range(block.size):
                matched.add(block.a + k)
                found_in.setdefault(theirs[at[block.b + k]][0], []).append(block.a + k)
    per_line: dict[int, list[int]] = {}
    for k, (i, _, _) in enumerate(ours):
        per_line.setdefault(i, []).append(k)
    for i, words in per_line.items():
        hit = [k for k in words if k in matched]
        if len(hit) == len(words):
            fates[i] = Fate.KEPT
        elif hit:
            fates[i] = Fate.CUT
            kept_spans[i] = _spans([ours[k][1:] for k in hit], lines[i])
    counts: dict[int, int] = {}
    for j, _ in theirs:
        counts[j] = counts.get(j, 0) + 1
    return [
        (text, Role.KEPT, ours[found_in[j][0]][0])
        if role is Role.RESHAPED and len(found_in.get(j, ())) == counts.get(j, -1)
        else (text, role, source)
        for j, (text, role, source) in enumerate(roles)
    ]


def _spans(words: list[tuple[int, int]], line: str) -> list[tuple[int, int]]:
    """Word ranges joined into spans where only whitespace separates them."""
    spans: list[tuple[int, int]] = []
    for start, end in words:
        if spans and not line[spans[-1][1] : start].strip():
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


_HEAD_WINDOW = 200  # lines looked through for the line a cut one is the head of


def _drop_partial_records(lines: list[str], fates: list[Fate]) -> None:
    """A record (a short ``{ … }`` block) whose first field was dropped was dropped whole.

    Records lead with what identifies them (an id, a name); its other values only occur in
    other records (a common status, a region): they were not kept for this record.
    """
    opened: list[tuple[int, int]] = []  # (indent, line) of each "{" still open
    for i, line in enumerate(lines):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped.startswith("}") and opened and opened[-1][0] == indent:
            start = opened.pop()[1]
            block = range(start, i + 1)
            if len(block) <= _RECORD_LINES and fates[start + 1] is Fate.DROPPED:
                for j in block:
                    if fates[j] is Fate.RESHAPED:
                        fates[j] = Fate.DROPPED
        if stripped.endswith("{"):
            opened.append((indent, i))


def _find_head(lines: list[str], head: str, cursor: int) -> int | None:
    """The first line from ``cursor`` on that starts with ``head`` (once stripped)."""
    for i in range(cursor, min(cursor + _HEAD_WINDOW, len(lines))):
        if lines[i].strip().startswith(head):
            return i
    return None


def _gaps(fates: list[Fate]) -> list[tuple[int, int]]:
    """Runs of dropped lines; blank lines inside a run belong to it."""
    gaps: list[tuple[int, int]] = []
    start: int | None = None
    last = -1
    for i, fate in enumerate(fates):
        if fate is Fate.DROPPED:
            if start is None:
                start = i
            last = i
        elif fate is not Fate.BLANK and start is not None:
            gaps.append((start, last))
            start = None
    if start is not None:
        gaps.append((start, last))
    return gaps


def _link_markers(
    roles: list[tuple[str, Role, int | None]], gaps: list[tuple[int, int]], size: int
) -> list[CompressedLine]:
    """Each marker stands for the dropped runs between the kept lines around it."""
    out: list[CompressedLine] = []
    for j, (text, role, source) in enumerate(roles):
        if role is not Role.MARKER:
            out.append(CompressedLine(text, role, source))
            continue
        before = next((s for _, r, s in reversed(roles[:j]) if s is not None), -1)
        after = next((s for _, r, s in roles[j + 1 :] if s is not None), size)
        if source is not None:  # a fold: its first line is kept, the others are spread after it
            before, after = source, size
        inside = tuple(g for g, (a, b) in enumerate(gaps) if a > before and b < after)
        if _SUMMARY.match(text):
            inside = ()
        # A marker with nothing dropped around it sums up the whole text ("… 696 of 710
        # lines omitted" at the end of a log): it stands for every run.
        out.append(CompressedLine(text, role, source, inside or tuple(range(len(gaps)))))
    return out
