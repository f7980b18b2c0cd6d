"""Prose and markdown: extractive, never rewritten. Keep the structure and the telling sentences.

The document is split into blocks (headings, paragraphs, list items, tables, code blocks).
Headings always stay, and so do the header line of each entry of a Debian changelog, a
plain-text section's title and a line over indented text (a man page's option, a pydoc
signature, a definition's term), while indented text is read as text unless it looks like
code; sentences compete for a share of the text by what they carry: numbers with units, dates,
names, identifiers, claims and conclusions, their place (first in a paragraph or section,
introducing an example) and words or identifiers rare in the document; a section of one
sentence keeps it. With a query, the sentences, paragraphs and sections (headings weighted)
that BM25 ranks best are kept first, from one tokenization of the text. In a discussion (an
issue thread, a Q&A page: :mod:`~agent_baton.compress.posts`) each post's opening sentence
counts, each thread's answer stays and a quote of an earlier post goes first. Repeated
sentences go, long tables and code blocks keep their first rows and lines, an indented block
its outline.

A kept sentence keeps the input lines it stands on, whole and byte for byte: the output is
input lines and markers (``[… 3 lines]`` where lines were left out, one marker with the
retrieval hint at the end). Only a line over 2,000 characters (a page on one line) is cut,
into whole sentences of it (runs of words where a sentence is that long), each on its own
line. A sentence on a line that reports a failure is always kept.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from heapq import heapify, heappop, heappush
from itertools import accumulate, pairwise

from agent_baton.compress.dumps import file_heads
from agent_baton.compress.markers import left_out, omitted, view_label, worth_marking
from agent_baton.compress.memo import once
from agent_baton.compress.posts import answering, openings, posts
from agent_baton.compress.releases import DEBIAN_ENTRY
from agent_baton.compress.request import Request
from agent_baton.compress.tables import compress_table
from agent_baton.search import SearchIndex, query_terms, rank_texts, terms

# A text's number of terms and the counts of the query's terms in it, for BM25.
_Counts = tuple[int, Counter[str]]
# (block text, language, request) -> what replaces the block
CodeHandler = Callable[[str, str, Request], str]

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w+#.-]*)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_UNDERLINE = re.compile(r"^\s*([=\-~^*#+\"'`])\1{2,}\s*$")
_BULLET = re.compile(r"^(\s*)([-*+•]|\d{1,3}[.)]|[a-z][.)])\s+")
_TABLE = re.compile(r"^\s*(\||\+[-=+]{3,})")
# Emacs's mode line declaring outline mode, and an outline heading: stars, then its title.
_OUTLINE_MODE = re.compile(r"-\*-\s*(?:mode:\s*)?outline\s*-\*-")
_OUTLINE_HEADING = re.compile(r"\*+[ \t]+\S")
# A plain-text section title standing alone ("Preamble", "2.1. Grants", "NO WARRANTY",
# a NEWS file's "Changes in 2.40:" and "Version 0.21 - July 2020"): a capital, no sentence
# punctuation but a version's dots and a closing colon; a numbered one may end in a period.
# Only ever matched whole against a line of at most 70 characters (its branches overlap).
_TITLE = re.compile(
    r"(?:(?:\d+(?:\.\d+)*\.?\s+)?[A-Z](?:[^.!?,;:]|(?<=\d)\.(?=\d))*"
    r"|\d+(?:\.\d+)*\.\s+[A-Z][^!?,;:]*):?"
)
_TITLE_WORDS = 9
# A manual's section name: "NAME", "SEE ALSO", "MODULE REFERENCE", "EXIT STATUS".
_SECTION = re.compile(r"[A-Z][A-Z0-9-]+(?: [A-Z][A-Z0-9-]+){0,7}")
# The line that closes an entry of a Debian changelog: " -- Name <address>  date".
_SIGNED = re.compile(r"^ -- [^<\n]*<[^>\n]*>  \S", re.MULTILINE)
# Indentation, a pydoc class's "|" gutter included.
_INDENT = re.compile(r"^(?:\s+\|(?!\S)\s*|\s*)")
# An indented line that is a call's signature and nothing else: pydoc's "name(params)",
# maybe with where it comes from ("... from builtins.type", "... method of Hook instance").
_SIGNATURE = re.compile(r"[A-Za-z_]\w*\((.*)\)(?: from [\w.]+| method of [\w.]+ instance)?")
_META = re.compile(r"^[A-Z][\w-]{1,30}:\s+\S")
_SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[*_`]?[A-Z0-9])")
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*+\.?"
_UNITS = (
    r"%|[kKMGTP]i?B\b|[mµun]?s\b|seconds?\b|minutes?\b|hours?\b|days?\b|weeks?\b|months?\b|"
    r"years?\b|lines?\b|bytes?\b|times\b|members?\b|percent\b|x\b|points?\b|[kKM]\b|cores?\b|"
    r"users?\b|developers?\b"
)
# What a sentence carries, matched where a word or a run of digits and marks starts (as one
# finditer of the alternatives would: the first that matches at the leftmost place, the
# scan going on after it). A number with a unit; a date; a number; an identifier: code
# spans, quoted names ("Recent Items"), paths, flags, dotted names, CONSTANTS, snake_case,
# camelCase; a cue word; a name. A run that what follows it cannot start is possessive (*+,
# ++): a failed branch is not retried shorter.
#
# The features that start with a letter, at a word's start (no word character before it):
_AT_LETTER = (
    # A word of small letters then no word character or "." (most words) is a cue or nothing:
    # no date or identifier is tried on it.
    r"(?![a-z]++(?![\w.]))(?:(?P<date{s}>\b" + _MONTH + r" \d{1,2}(?:st|nd|rd|th)?,? \d{4}\b)"
    r"|(?P<ident{s}>\b[A-Za-z]\w*+(?:\.\w+)+\(?"
    r"|\b[A-Z][A-Z0-9_-]{2,}\b|\b[a-z0-9]++(?:_[a-z0-9]++)+\b|\b[a-z]++[A-Z]\w*))"
    # (A cue's first letter is looked at first: a word of other letters tries none of them.)
    r"|(?P<cue{s}>\b(?=[abcdfgimnorst])"
    r"(?:must|shall|should|required?|never|always|guarantee\w*|cannot|can't|only|at least|"
    r"at most|decided|decision|conclu\w+|therefore|thus|results?|recommend\w*|"
    r"because|important|instead|replaced?|deprecated|breaking|fails?|failed|caused?)\b)"
    r"|(?P<name{s}>(?<=[\w,;:)] )[A-Z][a-z]+(?: [A-Z][a-z]+)*)"
)
# Every match starts by consuming a character that is not a letter, so re skips from one such
# character to the next without trying the letters inside words (most of a text), where no
# feature starts. That character is the feature's first (a digit, ".", ",", "`", '"', "/",
# "-" or "_", each branch checking it by a lookbehind), or, when none starts there, the one
# before a word whose feature starts with a letter (its groups' names end in "_").
_FEATURES = re.compile(
    r"[^A-Za-z](?:(?<=[\d,.`\"/_-])(?:"
    # A number with a unit is matched from the start of its run of digits, "," and ".": from
    # a digit inside the run, re would scan the rest of the run again, for the same end (n²).
    r"(?P<unit>(?<![\d,.].)(?:(?<=\d)|(?<=[,.])[,.]*+\d)[\d,.]*+\s?(?:" + _UNITS + r"))"
    r"|(?P<date>(?<!\w.)(?<=\d)(?:\d{3}-\d{2}-\d{2}|\d?-[A-Z][a-z]{2}-\d{4}\b"
    r"|\d?(?:st|nd|rd|th)? " + _MONTH + r",? \d{4}\b))"
    r"|(?P<number>(?<!\w.)(?<=\d)\d*(?:[.,]\d+)*\b)"
    r"|(?P<ident>(?<=`)[^`\n]+`|(?<=\")[A-Z][\w .&/-]{2,40}\""
    r"|(?<![\w/.].)(?<=/)[\w.+-]+(?:/[\w.+-]+)+|(?<!\w.)(?<=-)-?[a-z][\w-]+"
    r"|(?<!\w.)(?<=_)\w*+(?:\.\w+)+\(?|(?<!\w.)(?<=[0-9])[a-z0-9]*+(?:_[a-z0-9]++)+\b))"
    r"|(?<!\w)(?=[A-Za-z])(?:" + _AT_LETTER.replace("{s}", "_") + "))"
)
# A letter's feature right after a match that ends in a mark (a code span, "50%"): the mark
# before it was consumed by that match.
_WORD_FEATURE = re.compile(r"(?<!\w)(?=[A-Za-z])(?:" + _AT_LETTER.replace("{s}", "") + ")")
# feature: (weight per match, most matches counted)
_WEIGHTS = {
    "unit": (2.0, 2),
    "date": (2.0, 1),
    "number": (0.5, 2),
    "ident": (1.5, 3),
    "name": (0.5, 3),
    "cue": (1.0, 2),
}
# Opening marks, a word, closing marks, punctuation, closing quotes. Written so that a
# character has one place to go ("'" ends a word only where a closing mark may follow):
# a long run of marks is not tried n² or n³ ways.
_PLAIN_WORD = re.compile(r"[\"'(*_`]*[A-Za-z][a-z'’-]*(?:[)\"*_`][)\"'*_`]*)?(?:[.,;:!?][)\"']*)?")
_DATA_START = re.compile(r"\s*([\[{(]|[\w.]+\()")
_MIN_SENTENCE_CHARS = 300
_SHORT_LIST = 6  # items: a numbered list this short keeps the first line of each
_NUMBERED = re.compile(r"(\s{0,3})(\d{1,2})[.)]\s")
_CLAUSES = 3  # numbered items in sequence: clauses, each heading its text
_CLAUSE_LINES = 3  # lines a clause spans on average: its first line is a small part of it
_SHARE = 0.34  # of the sentences' characters: what the kept lines may take
_SHORT_LISTING = 20  # lines: a listing this short is kept whole
_TAIL = 3  # last lines a long code block keeps at least (a result, a blank, a closing word)
_KEEP = 100.0  # a score that keeps a unit whatever the budget
_LONG_UNIT = 400  # characters: a longer sentence over several lines is split at them
# A run of words of a line too long to keep: up to 400 characters, ending before a space (or
# cut at 400 where no space comes).
_RUN = re.compile(r"\S(?:[^\n]{0,398}\S(?=\s|$)|[^\n]{0,399})")
_LONG_LINE = 2000  # characters: a longer line (a page on one line) is kept by its sentences
# What a query names literally: a token with a digit and a letter or mark (a version, an
# identifier), or a quoted title.
# A token starts only where no token character precedes it: its lookaheads scan it once.
_LITERAL = re.compile(
    r"['\"‘“]([^'\"’”\n]{3,60})['\"’”]"
    r"|(?<![\w.+~:-])((?=[\w.+~:-]*\d)(?=[\w.+~:-]*[A-Za-z.+~:-])\w[\w.+~:-]*\w)"
)
# An option a query names ("what does --max-procs do?", "-P", find's "-user"): BM25 reads
# no term in "-P", and "option" is in every paragraph of a manual.
_OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")
_NAMING_LINES = 3  # a query term more lines of a code block hold names none of them
_NAMED_OPENING = 3  # sentences of a section the query names that are kept
_OPENER = 100  # characters: a longer line over an indented one is a sentence, not a header
# A manual's option described on its own line ("-U     do not sort; list entries …", grep's
# "-P     Never follow …", "--si   likewise, …"): indented, the option (its argument, its
# other spellings), then a tab or two blanks and the description. Only matched on a line of
# at most _OPENER characters, from its start.
# A place in a file a heading names: a review's or an audit's finding (``### 2. `mux.go:173`
# (major)``), a lint report's ``## src/app.ts:12:5``: a file's extension, then a line.
_PLACE = re.compile(r"\w\.[A-Za-z]\w{0,7}:\d")
_OPTION_START = re.compile(r"[ \t]++--?[A-Za-z?\d]")
_OPTION_LINE = re.compile(
    r"[ \t]++--?[A-Za-z?\d][\w-]*+\S*+(?:,? --?[A-Za-z][\w-]*+\S*+)*+(?:\t| {2})[ \t]*+\S"
)
_PASSENGER = 12.0  # most a sentence adds to the worth of another on its lines
_SHORT_GAP = 60  # characters: one dropped line this short costs about what its marker would
# A release ("3.0.3", "v0.12.2", "2.1.9.RELEASE"), an issue or pull request ("#3118",
# ".../pull/3118"), a commit's hash, an advisory ("CVE-2021-44228"): each starts after no
# word character (a release may follow its package's name: "pytest-3.0.3"), its runs
# possessive.
_REFERENCE = re.compile(
    r"(?<![\w.])v?\d++(?:\.\d++){2,}|(?<![\w.#/-])(?:v\d++\.\d++|#\d{2,7}(?![\w-])"
    r"|CVE-\d{4}-\d{4,}|(?=[a-f]{0,39}\d)(?=\d{0,39}[a-f])[0-9a-f]{7,40}(?![\w-]))"
    r"|/(?:pull|issues|commit)/\w++"
)
_REFERENCE_WEIGHT = 1.5
_TURN = 2.0  # a post's opening sentence in a discussion: its turn's point
_QUOTED = 20  # characters: a shorter quoted line ("> yes") is not compared with earlier ones
_REPEATED = 4.0  # what a quote repeating an earlier post loses, its quote's bonus and more
_LEAD = 300  # characters of a document's opening sentence kept whatever the budget
_FOOTER = 120  # characters of a first or last line kept as the title or footer
_RARE_IDENT = 3  # sentences an identifier may appear in and still mark a detail
_WORDS = re.compile(r"[a-z0-9]+(?:[.,]\d+)*")
# Link targets say where, not what: they would pass for identifiers and rare words. A
# target ends before the next "](": each start scans only up to the next one.
# A markdown link reference definition ("[RFC 320]: https://…"; not a footnote, "[^3]: …"):
# where a reference in the text points, not text.
_LINK_DEFINITION = re.compile(r"^ {0,3}\[(?!\^)[^\]\n]+\]:[ \t]*\S")
# Each match starts by consuming its first character ("(", "<" or "h"), checked behind it:
# re skips to those characters rather than trying every one.
_LINK = re.compile(
    r"[(<h](?:(?<=\]\()(?:[^)\s\]]|\](?!\())*\)|(?<=<)https?://[^\s>)]+>?"
    r"|(?<=h)ttps?://[^\s>)]+>?)"
)


@dataclass(slots=True)
class _Block:
    kind: str  # heading, opener (a line over indented ones), para, item, table, code, links
    start: int  # the index of its first line in the text
    lines: list[str]
    lang: str = ""
    units: list[int] = field(default_factory=list)  # sentence indices


@dataclass(slots=True)
class _Unit:
    text: str
    block: int
    first: int  # the input lines it stands on: indices of the first and the last
    last: int
    score: float = 0.0
    signature: tuple[str, ...] = ()  # its distinct words, sorted: to drop repeated sentences
    line: bool = False  # a line of a listing rather than a sentence
    piece: bool = False  # a sentence of a line too long to keep whole
    link: bool = False  # a link reference definition: no text, so no share of the budget


def looks_like_manual(text: str) -> bool:
    """Whether the text is laid out as a manual, with its sections' names at the margin.

    The names are in capitals (NAME, SYNOPSIS, DESCRIPTION, FUNCTIONS), everything else is
    indented under them. ``man`` and ``pydoc`` print pages this way; their option and
    signature lines are the headers of the indented text under them.
    """
    lines = [line for line in text[:40_000].splitlines()[:600] if line.strip()]
    # A man page's header and footer lines stand at the margin too: a few more lines there
    # than section names, at most. Most texts have more at once, and are read no further.
    others_at_margin = max(2, len(lines) // 50)
    sections = 0
    for line in lines:
        if line[:1].isspace():
            continue
        if _SECTION.fullmatch(line):
            sections += 1
        else:
            others_at_margin -= 1
            if others_at_margin < 0:
                return False
    return sections >= 3


def looks_like_changelog(text: str) -> bool:
    """Whether the text is a Debian changelog.

    It opens with an entry's header line (``pkg (version) dist; urgency=low``) and its
    entries close with a maintainer's line (`` -- Name <address>  date``).
    """
    first = text.lstrip("\n").split("\n", 1)[0]
    return bool(DEBIAN_ENTRY.match(first)) and _SIGNED.search(text[:20_000]) is not None


@once
def looks_like_prose(text: str) -> bool:
    """Whether the sampled lines are mostly words (paragraphs, headings, list items)."""
    sample = [line for line in text[:8000].splitlines()[:200] if line.strip()]
    # Table rows say nothing either way: a report may be mostly one table.
    lines = [line for line in sample if not _TABLE.match(line)]
    if len(lines) < 3 and len(_SENTENCE.findall(text[:8000])) >= 10:
        # A page of text on one line, as scraping and search tools return it; not the repr
        # of a call or of data that quotes such text.
        return not _DATA_START.match(text)
    if len(lines) < (3 if len(lines) == len(sample) else 1):
        return False
    wordy = sum(1 for line in lines if len(re.findall(r"[A-Za-z]{2,}", line)) >= 4)
    return wordy >= 0.4 * len(lines)


def compress_prose(text: str, request: Request) -> tuple[str, str] | None:
    """Keep the headings and the sentences that carry content; None if not prose."""
    if not (looks_like_prose(text) or looks_like_manual(text) or looks_like_changelog(text)):
        return None
    out = compress_document(text, request, keep_code_head)
    return None if out is None else (out, "prose:extract")


def keep_code_head(block: str, lang: str, request: Request) -> str:
    """A code block inside prose: whole when short, else its first and last lines and outline.

    The outline of a block is the lines that open a deeper indentation (a pydoc signature
    above its description, a man page's option above its text). Lines stay whole: one too
    long to show is a marker with its length; every run of left-out lines is a marker.
    """
    lines = block.splitlines()
    room = max(4, 14 >> request.level)
    query = request.query
    if query and len(set(query_terms(query)) & set(terms(block))) >= 2:
        room *= 3  # a block the query talks about keeps more of itself
    if len(lines) <= room + 2 and all(len(line) <= _LONG_LINE for line in lines):
        return block
    fence = len(lines) > 1 and bool(_FENCE.match(lines[-1])) and bool(_FENCE.match(lines[0]))
    from agent_baton.compress.guarantees import failing_lines  # lazy: guarantees imports prose

    keep = set(range(min(room, len(lines))))
    keep.update(failing_lines(lines))
    keep.update(_naming_lines(lines, query))
    keep.update(_option_lines(lines, query))
    # Its last lines too: a run's output or a transcript ends in its result (the summary, the
    # final answer), an example in the call that runs it.
    end = len(lines) - 1 if fence else len(lines)
    keep.update(range(max(0, end - max(_TAIL, room // 4)), end))
    if fence:
        keep.add(len(lines) - 1)
    elif len(lines) > room + 2:
        # An indented block is an outline (a pydoc class: its methods' signatures; a
        # manual's options, over their descriptions or beside them).
        keep.update(_outline(lines))
        keep.update(i for i in range(len(lines)) if _option_line(lines, i))
        keep.update(i for i, line in enumerate(lines) if _signature(line))
    return _with_gaps(lines, keep, "line", request.key, _shown)


def _naming_lines(lines: list[str], query: str | None) -> list[int]:
    """The lines holding a term of the query that few lines hold: the line the query names.

    (A method's description in a pydoc class, an option's in a man page.)
    """
    wanted = set(query_terms(query)) if query else set()
    if not wanted:
        return []
    holding: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        for term in wanted.intersection(terms(line)):
            holding.setdefault(term, []).append(i)
    return [i for found in holding.values() if len(found) <= _NAMING_LINES for i in found]


def _option_lines(lines: list[str], query: str | None) -> list[int]:
    """The line of each option the query names and the first lines of the text under it.

    A man page's or pydoc's option line heads its description, indented deeper, or holds it:
    that text says what the option does ("what does -P do?", where BM25 reads no term in
    "-P").
    """
    named = _option_patterns(query)
    found: list[int] = []
    heads = set(_outline(lines)) if named else set()
    for i, line in enumerate(lines if named else []):
        # A header naming it, or a line that opens with it, its description beside it
        # (ls's "-l     use a long listing format", a --help listing's lines).
        if any(p.search(line) if i in heads else p.match(line.lstrip()) for p in named):
            depth = _depth(lines[i])
            under = range(i + 1, min(len(lines), i + 1 + _NAMED_OPENING))
            found += [i, *(k for k in under if _depth(lines[k]) > depth and lines[k].strip())]
    return found


def _option_patterns(query: str | None) -> list[re.Pattern[str]]:
    """A pattern for each option the query names, found as a whole token."""
    return [
        re.compile(r"(?<![\w-])" + re.escape(option) + r"(?![\w-])")
        for option in _OPTION.findall(query or "")
    ]


def _shown(line: str) -> list[str]:
    """A kept line of a code block; one too long to keep: its first words and how much more."""
    if len(line) <= _LONG_LINE:
        return [line]
    head = _runs(line)[0]
    return [head, f"[… {len(line) - len(head)} more characters of this line]"]


def _with_gaps(
    lines: list[str],
    keep: set[int],
    unit: str,
    key: str | None,
    show: Callable[[str], list[str]] = lambda line: [line],
) -> str:
    """The lines in ``keep``, each run of the others a marker where it was.

    The last marker says how many were left out in all. A run that costs less than its
    marker would save is kept (a man page's option described in one line).
    """
    keep = set(keep)
    start = None  # where the run of lines left out so far began
    for i in range(len(lines) + 1):
        if i < len(lines) and i not in keep:
            start = i if start is None else start
        elif start is not None:
            if not worth_marking(lines[start:i], _gap(i - start, unit)):
                keep.update(range(start, i))
            start = None
    out: list[str] = []
    gap = 0
    for i, line in enumerate(lines):
        if i not in keep:
            gap += 1
            continue
        if gap:
            out.append(_gap(gap, unit))
            gap = 0
        out.extend(show(line))
    left = len(lines) - len(keep)
    if gap:
        out.append(omitted(f"{gap} more {unit}s ({left} of {len(lines)} in all)", key))
    elif left:
        out.append(omitted(f"{left} of {len(lines)} {unit}s", key))
    return "\n".join(out)


def _runs(text: str) -> list[str]:
    """``text`` cut at spaces into runs of words of about :data:`_LONG_UNIT` characters."""
    return [m.group() for m in _RUN.finditer(text)]


def _outline(lines: list[str]) -> list[int]:
    """The lines followed by a more indented line: the headers of an indented listing."""
    depth = [_depth(line) if line.strip() else -1 for line in lines]
    found = []
    following = -1
    for i in range(len(lines) - 1, -1, -1):
        if depth[i] < 0:
            continue
        if following > depth[i]:
            found.append(i)
        following = depth[i]
    return found


def _depth(line: str) -> int:
    """How far a line is indented, a pydoc class's "|" gutter included.

    In columns, a tab to the next multiple of 8: ``man ls | col -b`` indents an option's
    description with a tab and six blanks (column 14), its option with seven blanks.
    """
    found = _INDENT.match(line)  # matches every line
    return len(found[0].expandtabs()) if found else 0


def _opens(lines: list[str], i: int) -> bool:
    """Whether line ``i`` heads the more indented lines right under it.

    A pydoc signature, a man page's option, a definition list's term; a list item's
    hanging indent is not one, nor a line amid lines as indented as itself (a listing).
    """
    if i + 1 >= len(lines) or not lines[i + 1][:1].isspace() or not lines[i + 1].strip():
        return False  # a line at the margin is under nothing
    if len(lines[i].strip()) > _OPENER:
        return False
    depth = _depth(lines[i])
    if _depth(lines[i + 1]) < depth + 2 or _BULLET.match(lines[i]):
        return False
    before = lines[i - 1] if i else ""
    return not _INDENT.sub("", before, count=1).strip() or _depth(before) != depth


def names_place(heading: str) -> bool:
    """Whether a heading names a place in a file (``path:line``): it heads a finding there."""
    return _PLACE.search(heading) is not None


def manual_options(lines: list[str]) -> list[int]:
    """The lines of a manual that head an option: over its description, or beside it.

    ``       -a, --all`` over ``              do not ignore …``, ``       -U     do not
    sort; …``: the manual's outline under its sections.
    """
    return [
        i
        for i, line in enumerate(lines)
        if line[:1] in " \t"
        and _OPTION_START.match(line)
        and (_option_line(lines, i) or _opens(lines, i))
    ]


def _option_line(lines: list[str], i: int) -> bool:
    """Whether line ``i`` is a manual's option with its description, a paragraph of its own.

    It heads nothing under it, yet it is the manual's outline as much as an option over its
    indented description (``-a, --all``): a budget that keeps one keeps the other.
    """
    line = lines[i]
    if len(line) > _OPENER or line[:1] not in " \t" or _OPTION_LINE.match(line) is None:
        return False
    alone_after = i + 1 >= len(lines) or not lines[i + 1].strip()
    return alone_after and (i == 0 or not lines[i - 1].strip())


def _signature(line: str) -> bool:
    """Whether an indented line is a function's signature (pydoc lists one per function).

    A signature names a function of the documented interface, however long it is and
    whether or not a docstring follows: its parameters must parse as Python's.
    """
    if not line[:1].isspace() or len(line) > _LONG_LINE:
        return False
    found = _SIGNATURE.fullmatch(_INDENT.sub("", line, count=1).rstrip())
    if found is None:
        return False
    try:
        ast.parse(f"def f({found.group(1)}): pass")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def cut_line(line: str, width: int) -> str:
    """A very long line (a repr, a minified blob) by its start and its length."""
    if len(line) <= width:
        return line
    return f"{line[:width]}[… {len(line) - width} more characters omitted]"


def compress_document(
    text: str, request: Request, code: CodeHandler, pasted: Collection[int] = ()
) -> str | None:
    """The document with its sentences selected and its code blocks sent to ``code``.

    Kept sentences show the input lines they stand on, whole; each run of lines left out is
    a marker. None when the result would not be shorter. The indented regions opening at
    the lines in ``pasted`` are code blocks whatever they hold (a markdown note's pasted log).
    """
    lines = text.splitlines()
    blocks = parse_blocks(text, pasted)
    request.check_time()
    units = _units(blocks)
    request.check_time()
    _score(units, blocks, request.query)
    _weigh_posts(units, blocks, lines)
    _keep_failures(units, text)
    request.check_time()
    heads = _item_heads(blocks)
    kept = _select(units, lines, request, heads)
    heads += file_heads(lines)  # a multi-file dump's "==> path <==": which file is which
    shown: dict[int, list[str]] = {}  # an input line's index -> what stands for it
    covered: set[int] = set()  # lines a code block or table shows in its own way
    hidden = 0  # the lines of those blocks their own compression left out
    pieces: dict[int, list[int]] = {}  # a line too long to keep -> its sentences
    for k in heads:
        shown[k] = [lines[k]]
    for block in blocks:
        span = range(block.start, block.start + len(block.lines))
        if block.kind == "opener" or (
            block.kind == "heading"
            and (
                request.level < 2
                or not block.lines[0].lstrip().startswith("###")
                or names_place(block.lines[0])  # a finding's: what a report is made of
            )
        ):
            shown.update((k, [lines[k]]) for k in span)
        elif block.kind in ("code", "table"):
            body = "\n".join(block.lines)
            own = code(body, block.lang, request) if block.kind == "code" else _table(body, request)
            shown[block.start] = own.splitlines()
            covered.update(span[1:])
            hidden += left_out(block.lines, shown[block.start])
        else:
            # An option's description of one short line under it costs about the marker
            # that would stand for it (ps's "-a     Select all …" over "and processes not
            # associated with a terminal.").
            if (
                block.kind == "para"
                and len(block.lines) == 1
                and block.start - 1 in shown
                and len(block.lines[0]) <= _SHORT_GAP
                and _opens(lines, block.start - 1)
            ):
                shown[block.start] = [lines[block.start]]
            for index in block.units:
                unit = units[index]
                if unit.piece:
                    pieces.setdefault(unit.first, []).append(index)
                elif index in kept:
                    shown.update((k, [lines[k]]) for k in range(unit.first, unit.last + 1))
            for k in span[1:-1]:
                # One short line between two kept ones costs about what its marker would.
                near = k - 1 in shown and k + 1 in shown
                if near and k not in shown and len(lines[k]) <= _SHORT_GAP:
                    shown[k] = [lines[k]]
    from agent_baton.compress.guarantees import find_failures  # lazy: a cycle

    # A failure is kept as its line, however long; one in a quoted string of the line (a
    # JSON document's, a script's) as that string's line, in the line's view.
    whole: set[int] = set()
    quoted: dict[int, list[str]] = {}
    for failure in find_failures(text):
        if failure.line in pieces and failure.part:
            quoted.setdefault(failure.line, []).append(failure.text)
        elif failure.line in pieces:
            whole.add(failure.line)
    for k, members in pieces.items():
        if k in whole:
            shown[k] = [lines[k]]
            continue
        # The sentences of a line too long to keep are a view of it: a label says so.
        view = _long_line(members, units, kept)
        view += [part for part in quoted.get(k, ()) if part not in view]
        shown[k] = [view_label(len(view), len(lines[k]), "its sentences"), *view]
    # A document's first and last lines standing alone are its title and its footer: a man
    # page's "curl(1)  curl Manual  curl(1)" and "curl 7.88.1  February 19 2023  curl(1)".
    for block in blocks[:1] + blocks[-1:]:
        if block.kind == "para" and len(block.lines) == 1 and len(block.lines[0]) <= _FOOTER:
            shown[block.start] = block.lines
    out: list[str] = []
    gap = dropped = 0  # the lines left out since the last shown one, and in all
    first = 0  # the first line left out since the last shown one
    for k, line in enumerate(lines):
        if k in covered:
            continue
        if k in shown:
            if gap:
                dropped += _close_gap(out, [lines[j] for j in range(first, k) if j not in covered])
                gap = 0
            out.extend(shown[k])
        elif not line.strip():
            if not gap and out and out[-1].strip():
                out.append(line)
        else:
            first = first if gap else k
            gap += 1
    if gap:
        # The last lines: kept when they cost less than their place in the closing marker.
        run = [lines[j] for j in range(first, len(lines)) if j not in covered]
        if not worth_marking(run, _gap(gap, "line")):
            out.extend(run)
            gap = 0
    if out and not out[-1].strip():
        out.pop()
    cut = sum(len(members) - sum(i in kept for i in members) for members in pieces.values())
    if len("\n".join(out)) >= len(text):
        return None  # the markers would cost more than the lines they stand for
    if gap or dropped or cut:
        # The last marker stands where the text's last lines were left out, if they were;
        # its count is of all the lines left out, those of blocks shown in their own way too.
        total = dropped + hidden + gap
        more = "1 more line" if gap == 1 else f"{gap} more lines"
        what = [f"{more} ({total} of {len(lines)} in all)"] if gap else []
        what += [f"{total} of {len(lines)} lines"] if dropped and not gap else []
        what += [f"{cut} sentences of long lines"] if cut else []
        out.append(omitted(" and ".join(what), request.key))
    return "\n".join(out)


def _item_heads(blocks: list[_Block]) -> list[int]:
    """The first line of each item of a short numbered list, or of numbered clauses.

    Numbering says each item counts on its own, and an item's first line names it; a
    bulleted list (a changelog's entries, a feature list) competes sentence by sentence.
    Clauses (a license's "7. You may place ...", a document's numbered paragraphs) number
    on in order across the text between them; their first lines are a small part of them.
    """
    heads: list[int] = []
    run: list[int] = []
    for block in [*blocks, None]:
        if block is not None and block.kind == "item" and _NUMBERED.match(block.lines[0]):
            run.append(block.start)
            continue
        if 2 <= len(run) <= _SHORT_LIST:
            heads.extend(run)
        run = []
    return heads + _clause_heads(blocks)


def _clause_heads(blocks: list[_Block]) -> list[int]:
    """The first lines of numbered items that count on, 1, 2, 3, and span several lines."""
    numbered = [
        (b, found)
        for b in blocks
        if b.kind == "item" and (found := _NUMBERED.match(b.lines[0])) is not None
    ]
    heads: list[int] = []
    run: list[_Block] = []
    for block, found in [*numbered, (None, None)]:
        if block is not None and found is not None and run:
            last = _NUMBERED.match(run[-1].lines[0])
            if last is not None and (
                int(found.group(2)) == int(last.group(2)) + 1 and found.group(1) == last.group(1)
            ):
                run.append(block)
                continue
        if len(run) >= _CLAUSES and sum(len(b.lines) for b in run) >= _CLAUSE_LINES * len(run):
            heads.extend(b.start for b in run)
        run = [] if block is None else [block]
    return heads


def _close_gap(out: list[str], run: list[str]) -> int:
    """Close a run of lines left out in ``out``: its marker, or the lines when cheaper.

    Returns how many lines (not blank) the marker stands for; 0 when the lines are kept.
    """
    marker = _gap(sum(1 for line in run if line.strip()), "line")
    if not worth_marking(run, marker):
        out.extend(run)
        return 0
    out.append(marker)
    return sum(1 for line in run if line.strip())


def _gap(count: int, unit: str) -> str:
    """The marker of a run of left-out lines (sentences, rows) where it was."""
    return f"[… {count} {unit}{'' if count == 1 else 's'}]"


def _weigh_posts(units: list[_Unit], blocks: list[_Block], lines: list[str]) -> None:
    """A discussion's posts: each one's opening sentence counts, a thread's answer stays.

    A quote of an earlier post says again what is already there, and so does what an email
    reply quotes: they are dropped first (:func:`_quotes`).
    """
    passed = _quotes(units, blocks)
    for index in passed:
        units[index].score -= _REPEATED
    found = posts(lines)
    if not found:
        return
    own = {p.line for p in found}
    # A research note's section per thread: its heading ends the thread before it.
    breaks = [
        b.start
        for b in blocks
        if b.kind == "heading"
        and b.start not in own
        and (len(b.lines) == 2 or b.lines[0].lstrip().startswith(("# ", "## ")))
    ]
    answers = set(answering(found, breaks))
    spans = [(u.first, u.last) for u in units]
    for post, picked in zip(found, openings(found, spans, passed), strict=True):
        for index in picked:
            units[index].score += _KEEP if post in answers else _TURN


# An email reply's line over what it quotes: "On Mon, 3 Jun 2024, Alice wrote:", "Junio C
# Hamano <gitster@pobox.com> writes:" (a mail client may wrap it over two lines).
_ATTRIBUTION = re.compile(r"\b(?:wrote|writes)\s*:\s*$")
_ATTRIBUTION_CHARS = 240
_QUOTE_MARKS = re.compile(r"^(?:[ \t]*>)+")  # "> ", "> > ": quoted once or more


def _quotes(units: list[_Unit], blocks: list[_Block]) -> set[int]:
    """The sentences that quote earlier text, and the lines that say whose it is.

    A quote opening its paragraph that repeats what the text said before (half of its runs
    of four words, whatever its lines' wrapping), and any quote under an email's attribution
    line: what the message replied to, not what it says.
    """
    if not any(line.lstrip()[:1] == ">" for block in blocks for line in block.lines):
        return set()  # most texts quote nothing: no runs of words to gather
    seen: set[tuple[str, ...]] = set()  # runs of four words said outside quotes so far
    passed: set[int] = set()  # lines
    attribution: list[int] = []  # the lines of an attribution paragraph just before
    for block in blocks:
        lines = block.lines
        if block.kind == "code":
            continue  # a program's or a session's ">" (">>> import x") quotes no one
        first = next((k for k, line in enumerate(lines) if _QUOTE_MARKS.match(line)), None)
        head = " ".join(line.strip() for line in lines[:first])
        attributes = len(head) <= _ATTRIBUTION_CHARS and _ATTRIBUTION.search(head) is not None
        if first is not None:
            quoted = [k for k in range(first, len(lines)) if _QUOTE_MARKS.match(lines[k])]
            said = " ".join(_QUOTE_MARKS.sub("", lines[k]) for k in quoted)
            grams = _grams(said)
            repeats = len(said) >= _QUOTED and 2 * len(grams & seen) >= len(grams) > 0
            # Apple Mail quotes its attribution line too: "> On 24 Jul 2019, X wrote:".
            inside = _ATTRIBUTION.search(lines[quoted[0]]) is not None
            if attributes or (first == 0 and (attribution or repeats or inside)):
                passed.update(block.start + k for k in [*range(first), *quoted])
                passed.update(attribution)
        seen.update(_grams(" ".join(line for line in lines if not _QUOTE_MARKS.match(line))))
        opening = attributes and first is None  # the quote is in the next paragraph
        attribution = list(range(block.start, block.start + len(lines))) if opening else []
    return {k for k, u in enumerate(units) if u.first in passed and u.last in passed}


def _grams(text: str) -> set[tuple[str, ...]]:
    """The runs of four words of ``text``, lower-cased, punctuation aside."""
    words = _WORDS.findall(text.lower())
    return set(zip(words, words[1:], words[2:], words[3:], strict=False))


def _keep_failures(units: list[_Unit], text: str) -> None:
    """Keep every sentence that stands on a line reporting a failure: none is dropped."""
    from agent_baton.compress.guarantees import failing_lines_of, is_failure  # lazy: a cycle

    # The guarantee check reads the same text's failure lines after: they are found once.
    failing = failing_lines_of(text)
    for u in units:
        # A sentence of a line too long to keep stands for itself, not for its line.
        if is_failure(u.text) if u.piece else not failing.isdisjoint(range(u.first, u.last + 1)):
            # Over _KEEP whatever weighed it down (a sentence of fewer than four words, a quote).
            u.score = max(u.score, 0.0) + _KEEP


def _long_line(members: list[int], units: list[_Unit], kept: set[int]) -> list[str]:
    """A line too long to keep, as its kept sentences, each run of dropped ones marked."""
    out: list[str] = []
    gap = 0
    for index in members:
        if index in kept:
            if gap:
                out.append(_gap(gap, "sentence"))
                gap = 0
            out.append(units[index].text)
        else:
            gap += 1
    if gap:
        out.append(_gap(gap, "sentence"))
    return out


def parse_blocks(text: str, pasted: Collection[int] = ()) -> list[_Block]:
    """Headings, paragraphs, list items, tables and code blocks, in order.

    An indented region opening at a line in ``pasted`` is a code block, whatever it holds.
    """
    lines = text.splitlines()
    blocks: list[_Block] = []
    n = len(lines)
    # Where the last HTML comment closes: comments opened after it are never closed.
    last_close = max((j for j in range(n) if "-->" in lines[j]), default=-1)
    text_until = 0  # lines before this one are an indented region of text, not code
    # A file that declares Emacs's outline mode (GNU NEWS files) heads its sections with
    # stars: "* Noteworthy changes in release 9.1", "** Bug fixes".
    outline = n > 0 and _OUTLINE_MODE.search(lines[0]) is not None
    i = 0
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if not stripped or stripped == "::":  # a lone reST "::" only announces a code block
            i += 1
            continue
        fence = _FENCE.match(line)
        if fence:
            j = i + 1
            while j < n and not lines[j].strip().startswith(fence.group(1)):
                j += 1
            blocks.append(_Block("code", i, lines[i : j + 1], lang=fence.group(2).lower()))
            i = j + 1
        elif (
            _MD_HEADING.match(line)
            or _UNDERLINE.match(line)
            or DEBIAN_ENTRY.match(line)
            or _title(lines, i)
            or (outline and line.startswith("* ") and _outline_heading(lines, i))
        ):
            blocks.append(_Block("heading", i, [line]))
            i += 1
        elif (
            _opens(lines, i)
            or _signature(line)
            or (outline and _outline_heading(lines, i))
            or _option_line(lines, i)
        ):
            # It heads the lines under it but no section: its text competes with the rest
            # (an outline's subheading, "** Bug fixes", too: it names what follows).
            blocks.append(_Block("opener", i, [line]))
            i += 1
        elif i + 1 < n and _UNDERLINE.match(lines[i + 1]) and not _TABLE.match(line):
            blocks.append(_Block("heading", i, lines[i : i + 2]))
            i += 2
        elif _TABLE.match(line):
            j = _run_end(lines, i, _TABLE)
            blocks.append(_Block("table", i, lines[i:j]))
            i = j
        elif stripped.startswith("<!--") and last_close >= i:
            # A closed HTML comment is not content; an unclosed one is read as text.
            j = i
            while "-->" not in lines[j]:
                j += 1
            i = j + 1
        elif i in pasted or (
            i >= text_until
            and line[:1] in " \t"
            and len(line) - len(line.lstrip()) >= 4
            and not _BULLET.match(line)
        ):
            j = i
            while j < n and (not lines[j].strip() or lines[j][:1] in " \t"):
                j += 1
            while not lines[j - 1].strip():
                j -= 1
            if i not in pasted and _text_region(lines, i, j):
                text_until = j  # read on as headings and paragraphs
            else:
                blocks.append(_Block("code", i, lines[i:j]))
                i = j
        elif _LINK_DEFINITION.match(line):
            j = _run_end(lines, i, _LINK_DEFINITION)
            blocks.append(_Block("links", i, lines[i:j]))
            i = j
        else:
            i = _paragraph(lines, i, blocks)
    return blocks


def _run_end(lines: list[str], i: int, pattern: re.Pattern[str]) -> int:
    """Where the run of lines from ``i`` on that ``pattern`` matches ends."""
    j = i
    while j < len(lines) and pattern.match(lines[j]):
        j += 1
    return j


def _text_region(lines: list[str], i: int, j: int) -> bool:
    """Whether indented lines ``i:j`` are text (a manual's body, a definition, a quote).

    reST's "::" announces code; else the region is text when most of its lines are prose.
    """
    before = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
    if before.rstrip().endswith("::"):
        return False
    region = [line for line in lines[i:j] if line.strip()]
    if any(len(line) > _LONG_LINE for line in region):
        return True  # a line too long to keep is read by its sentences
    return 2 * sum(1 for line in region if _wordy(line)) >= len(region)


def _outline_heading(lines: list[str], i: int) -> bool:
    """Whether line ``i`` of an outline is a heading: stars and a title, alone between blanks.

    Old entries of the same NEWS files use "* " for the items of a list, line after line.
    """
    return (
        _OUTLINE_HEADING.match(lines[i]) is not None
        and not (i and lines[i - 1].strip())
        and not (i + 1 < len(lines) and lines[i + 1].strip())
    )


def _title(lines: list[str], i: int) -> bool:
    """Whether line ``i`` is a plain-text section title: short and alone between blank lines.

    The text under it is no more indented than itself: a line over an indented one
    introduces it ("the developers meet on" over an address).
    """
    stripped = lines[i].strip()
    if len(stripped) > 70 or len(stripped.split()) > _TITLE_WORDS:
        return False
    if (i and lines[i - 1].strip()) or (i + 1 < len(lines) and lines[i + 1].strip()):
        return False
    if not _TITLE.fullmatch(stripped):
        return False
    following = next((lines[k] for k in range(i + 1, len(lines)) if lines[k].strip()), "")
    indent = len(lines[i]) - len(lines[i].lstrip())
    return len(following) - len(following.lstrip()) <= indent


def _paragraph(lines: list[str], i: int, blocks: list[_Block]) -> int:
    j = i + 1
    while j < len(lines):
        line = lines[j]
        if not line.strip() or _FENCE.match(line) or _MD_HEADING.match(line) or _TABLE.match(line):
            break
        if _BULLET.match(line) or (_META.match(lines[i]) and _META.match(line)):
            break
        if DEBIAN_ENTRY.match(line) or (j + 1 < len(lines) and _UNDERLINE.match(lines[j + 1])):
            break
        if _opens(lines, j):
            break
        j += 1
    kind = "item" if _BULLET.match(lines[i]) else "para"
    blocks.append(_Block(kind, i, lines[i:j]))
    return j


def _units(blocks: list[_Block]) -> list[_Unit]:
    units: list[_Unit] = []
    for index, block in enumerate(blocks):
        if block.kind == "links":
            # Where each reference points: a line apiece, kept when it earns its place (a
            # query names its label), never as a listing kept whole.
            for k, definition in enumerate(block.lines):
                block.units.append(len(units))
                at = block.start + k
                units.append(_Unit(definition.strip(), index, at, at, line=True, link=True))
            continue
        if block.kind not in ("para", "item"):
            continue
        stripped = [line.strip() for line in block.lines]
        if block.kind == "item":
            stripped[0] = _BULLET.sub("", stripped[0], count=1)
        # A line too long to keep whole is cut into its sentences; no sentence crosses it.
        long = max(map(len, stripped)) > _LONG_LINE
        chunks = [[k] for k in range(len(stripped))] if long else [list(range(len(stripped)))]
        for chunk in chunks:
            text = "\n".join(stripped[k] for k in chunk)
            starts = list(accumulate((len(stripped[k]) + 1 for k in chunk[:-1]), initial=0))
            for at, sentence in _sentences(text, long):
                if len(chunk) == 1:  # one line (most list items): every sentence is on it
                    first = last = chunk[0]
                else:
                    first = chunk[bisect_right(starts, at) - 1]
                    last = chunk[bisect_right(starts, at + max(0, len(sentence) - 1)) - 1]
                pieces = _pieces(sentence)
                listing = len(pieces) > 1
                # A short listing (steps, commands) is kept whole, like a short code block.
                score = _KEEP if listing and len(pieces) <= _SHORT_LISTING else 0.0
                piece = long and len(stripped[first]) > _LONG_LINE
                for offset, text_of in enumerate(pieces):
                    line = first + offset if listing else None
                    block.units.append(len(units))
                    units.append(
                        _Unit(
                            text_of,
                            index,
                            block.start + (first if line is None else line),
                            block.start + (last if line is None else line),
                            score=score,
                            line=listing,
                            piece=piece,
                        )
                    )
    return units


def _sentences(text: str, long: bool = False) -> list[tuple[int, str]]:
    """The sentences of ``text`` with where each starts.

    ``long``: the text is one line too long to keep, shown by its sentences; one of them
    that is too long itself (a page without stops) is cut into runs of words.
    """
    found = []
    at = 0
    for match in _SENTENCE.finditer(text):
        found.append((at, text[at : match.start()]))
        at = match.end()
    found.append((at, text[at:]))
    out = []
    for start, sentence in found:
        if long and len(sentence) > _LONG_LINE:
            out += [(start + m.start(), m.group()) for m in _RUN.finditer(sentence)]
        elif sentence.strip():
            out.append((start, sentence))
    return out


def _pieces(sentence: str) -> list[str]:
    """A sentence as units: a listing (tool output, commands, records) line by line.

    A unit is kept or dropped whole, and a 50-line listing read as one sentence would be
    dropped whole. Hard-wrapped prose stays one sentence.
    """
    if "\n" not in sentence:  # on one line: one unit
        return [sentence] if sentence.strip() else []
    lines = [line for line in sentence.split("\n") if line.strip()]
    if len(sentence) <= _LONG_UNIT or len(lines) < 3 or _wrapped(lines):
        return [" ".join(lines)] if lines else []
    return lines


def _wrapped(lines: list[str]) -> bool:
    """Whether lines are prose wrapped mid-sentence: mostly words, going on in lower case.

    Lines that mostly start with one word (records of a ledger, ``o`` bullets) are a listing.
    """
    firsts = Counter(line.split(maxsplit=1)[0] for line in lines)
    if len(lines) >= 4 and 2 * firsts.most_common(1)[0][1] >= len(lines):
        return False
    goes_on = sum(
        1
        for line, following in pairwise(lines)
        if following[:1].islower() and _wordy(line) and _wordy(following)
    )
    return goes_on >= 0.5 * (len(lines) - 1)


def _wordy(line: str) -> bool:
    """Mostly plain words, no column gaps: a line of prose, not of a command or a table."""
    tokens = line.split()
    if not tokens or "  " in line.strip() or "\t" in line:
        return False
    return sum(1 for t in tokens if _PLAIN_WORD.fullmatch(t)) >= 0.75 * len(tokens)


def _score(units: list[_Unit], blocks: list[_Block], query: str | None) -> None:
    # A unit's text is on one line, and a link never spans two: the sentences are read as
    # one text, a line each (links cut, lower-cased, scanned for features) rather than one
    # by one.
    joined = _LINK.sub("", "\n".join(u.text for u in units))
    plain = joined.split("\n") if units else []
    # Each sentence's distinct words as a sorted tuple of strings shared by all sentences: a
    # frozenset and its own copies of the words would hold the text over twenty times.
    vocabulary: dict[str, str] = {}
    lowered = joined.lower().split("\n") if units else []
    # (map walks each set twice in step: a set's order is the same for both walks.)
    words = [
        tuple(sorted(map(vocabulary.setdefault, distinct, distinct)))
        for distinct in (set(_WORDS.findall(t)) for t in lowered)
    ]
    df: Counter[str] = Counter(t for ws in words for t in ws)
    # One scan of all sentences with every feature pattern; a match counts for its sentence.
    starts = list(accumulate((len(t) + 1 for t in plain[:-1]), initial=0))
    # (Plain dicts: a Counter per sentence costs more to make than its few counts.)
    found: list[dict[str, int]] = [{} for _ in units]
    idents: list[set[str]] = [set() for _ in units]
    for feature, start, end in _features(joined):
        at = bisect_right(starts, start) - 1
        if feature == "ident":
            idents[at].add(joined[start:end].strip('`"(').lower())
        else:
            counts = found[at]
            counts[feature] = counts.get(feature, 0) + 1
    # An identifier all over the document (the subject's acronym) tells sentences apart
    # no better than a common word; one named in few sentences marks the one detail.
    ident_df = Counter(i for found_idents in idents for i in found_idents)
    for f, found_idents in zip(found, idents, strict=True):
        f["ident"] = sum(1 for i in found_idents if ident_df[i] <= _RARE_IDENT)
    rare = {t for t, n in df.items() if n <= 2 and len(t) > 3}
    for u, ws, f, said in zip(units, words, found, plain, strict=True):
        # Halves and whole numbers: their sum is exact in any order, zeros left out.
        score = sum(
            weight * min(cap, f[name]) for name, (weight, cap) in _WEIGHTS.items() if name in f
        )
        score += 0.5 * min(3, len(rare.intersection(ws)))
        # A version, an issue's number, a commit or an advisory: what a fix is known by.
        score += _REFERENCE_WEIGHT * min(2, len(_REFERENCE.findall(said)))
        if len(ws) < 4:
            score -= 1.0
        u.score += score
        u.signature = ws
    sections = _sections(blocks)
    for _, members in sections:
        texted = [blocks[b].units for b in members if blocks[b].units]
        if texted:
            # A section's opening sentence states its point; a one-sentence section is
            # all point, and its heading alone would say nothing.
            first = units[texted[0][0]]
            lone = sum(map(len, texted)) == 1 and len(first.text) < 200
            first.score += _KEEP if lone else 1.0
    # A document that opens with a paragraph says there what it is ("This is a terse
    # description of the new features added to bash-5.2 since the release of 5.1"); a
    # manual's first section (NAME) holds the page's one-line summary ("configparser -
    # Configuration file parser.", "tar - an archiving utility").
    leads = blocks[:1]
    named = next((k for k, b in enumerate(blocks) if b.kind == "opener" and _named(b)), None)
    if named is not None and named + 1 < len(blocks) and len(blocks[named + 1].units) == 1:
        leads.append(blocks[named + 1])
    for opening in leads:
        if opening.kind == "para" and opening.units:
            first = units[opening.units[0]]
            first.score += _KEEP if len(first.text) <= _LEAD else 0.0
    previous: _Block | None = None
    for block in blocks:
        if block.units and block.kind != "links":
            units[block.units[0]].score += 1.0  # the first sentence states the topic
            lead = block.lines[0].lstrip()
            if lead.startswith(">") or block.kind == "item" or _META.match(lead):
                units[block.units[0]].score += 1.5  # quoted text, list entries, fields
            if lead.startswith(">"):
                for index in block.units[1:]:
                    units[index].score += 1.0  # a note or warning the author set apart
            if (
                previous is not None
                and previous.kind in ("para", "item")
                and previous.lines[-1].rstrip().endswith(":")
            ):
                units[block.units[0]].score += 1.5  # what "the following" points to
        if block.kind == "code" and previous is not None and previous.units:
            units[previous.units[-1]].score += 1.5  # the sentence that introduces an example
        previous = block
    if query and query_terms(query):
        _match_query(units, blocks, sections, query_terms(query))
        _named_sections(units, blocks, sections, query)
        _named_options(units, blocks, query)


def _named_options(units: list[_Unit], blocks: list[_Block], query: str) -> None:
    """Keep the option lines the query names and the opening of the text under each.

    The blocks' twin of :func:`_option_lines`, for an option line read as a block of its own
    over paragraphs (git's and dpkg's manuals) rather than inside an indented listing, and
    for a paragraph that opens with the option, its description beside it (ls's "-l     use
    a long listing format", ps's "-A     Select all processes").
    """
    named = _option_patterns(query)
    for k, block in enumerate(blocks if named else []):
        if block.kind == "para" and any(p.match(block.lines[0].lstrip()) for p in named):
            for index in block.units[:_NAMED_OPENING]:
                units[index].score += _KEEP
            continue
        if block.kind != "opener" or not any(p.search(block.lines[0]) for p in named):
            continue
        opening: list[int] = []
        for after in blocks[k + 1 :]:
            if after.kind in ("opener", "heading") or len(opening) >= _NAMED_OPENING:
                break
            opening.extend(after.units)
        for index in [*block.units, *opening[:_NAMED_OPENING]]:
            units[index].score += _KEEP


def _features(text: str) -> Iterator[tuple[str, int, int]]:
    """The features of ``text`` in order: (name, start, end), as _WEIGHTS names them."""
    text = "\n" + text  # a word at the start has a character before it to consume
    at = 0
    while True:
        for match in _FEATURES.finditer(text, at):
            name = match.lastgroup or ""
            if name.endswith("_"):  # consumed the character before the feature
                yield name[:-1], match.start(), match.end() - 1
            else:
                yield name, match.start() - 1, match.end() - 1
            word = _WORD_FEATURE.match(text, match.end())
            if word is not None:
                break
        else:
            return
        while word is not None:
            yield word.lastgroup or "", word.start() - 1, word.end() - 1
            at = word.end()
            word = _WORD_FEATURE.match(text, at)


def _named(block: _Block) -> bool:
    """Whether a block is a manual's section name (``NAME``, ``SYNOPSIS``) at the margin."""
    return _SECTION.fullmatch(block.lines[0]) is not None


def _match_query(
    units: list[_Unit],
    blocks: list[_Block],
    sections: list[tuple[int | None, list[int]]],
    wanted: list[str],
) -> None:
    """Raise the sentences, sections and paragraphs that BM25 ranks best for the query.

    Each sentence is tokenized once; paragraphs and sections add up their sentences' counts.
    """
    wanted_set = set(wanted)
    # Only the query's terms and the lengths matter to BM25: keep just those per sentence.
    counts: list[_Counts] = []
    for u in units:
        found = terms(u.text)
        counts.append((len(found), Counter(t for t in found if t in wanted_set)))
    ranked = SearchIndex.of_counts(counts).ranked(wanted)
    if ranked:
        best = ranked[0][1]
        for rank, (i, s) in enumerate(ranked[:12]):
            if s >= 0.3 * best:
                units[i].score += _KEEP if rank < 6 else 6.0 * s / best
                if rank < 3 and i + 1 < len(units) and units[i + 1].block == units[i].block:
                    units[i + 1].score += _KEEP  # the sentence that goes on with it
    # The sections whose heading and text match best keep their opening sentences.
    section_counts = []
    for heading, members in sections:
        # The heading counts twice, being the section's summary.
        title = terms(" ".join(blocks[heading].lines)) if heading is not None else []
        parts = [(2 * len(title), Counter(2 * [t for t in title if t in wanted_set]))]
        parts += [counts[k] for b in members for k in blocks[b].units]
        section_counts.append(_merge(parts))
    ranked = SearchIndex.of_counts(section_counts).ranked(wanted)
    if ranked:
        best = ranked[0][1]
        for i, s in ranked[:2]:
            if s >= 0.5 * best:
                for b in sections[i][1]:
                    for index in blocks[b].units[:1]:
                        units[index].score += 4.0
    # The paragraphs that match best stay whole: the answer often spans sentences (a
    # listing's lines stand alone: its best lines are kept above).
    texted = [b for b in blocks if b.units and not units[b.units[0]].line]
    ranked = SearchIndex.of_counts([_merge([counts[k] for k in b.units]) for b in texted]).ranked(
        wanted
    )
    if ranked:
        best = ranked[0][1]
        for i, s in ranked[:2]:
            if s >= 0.5 * best and sum(len(units[k].text) for k in texted[i].units) < 1500:
                for index in texted[i].units:
                    units[index].score += _KEEP


def _named_sections(
    units: list[_Unit],
    blocks: list[_Block],
    sections: list[tuple[int | None, list[int]]],
    query: str,
) -> None:
    """Keep the opening of the sections whose heading holds what the query names literally.

    A version ("what changed in 2:1.0.1-2?") or a quoted title names one section exactly,
    where BM25 sees only common numbers and words.
    """
    literals = [m.group(1) or m.group(2) for m in _LITERAL.finditer(query)]
    if not literals:
        return
    named = [  # a release's heading may write its version "v1.0.1"
        re.compile(r"(?<![\w.])v?" + re.escape(literal) + r"(?![\w])", re.IGNORECASE)
        for literal in literals
    ]
    levels: dict[str, int] = {}  # reST's underline characters, ranked as they first appear
    for at, (heading, members) in enumerate(sections):
        if heading is None:
            continue
        title = " ".join(blocks[heading].lines)
        if any(pattern.search(title) for pattern in named):
            opening = [index for b in members for index in blocks[b].units]
            # A release's changes may stand under subheadings ("### Bug Fixes", "Security"
            # underlined): its opening is theirs, up to the next heading as high as its own.
            level = _level(blocks[heading], levels)
            for deeper, under in sections[at + 1 :]:
                if len(opening) >= _NAMED_OPENING or deeper is None:
                    break
                if _level(blocks[deeper], levels) <= level:
                    break
                opening += [index for b in under for index in blocks[b].units]
            for index in opening[:_NAMED_OPENING]:
                units[index].score += _KEEP


def _level(heading: _Block, levels: dict[str, int]) -> int:
    """How deep a heading is: markdown's count of "#", reST's rank of its underline, else 0."""
    hashes = _MD_HEADING.match(heading.lines[0])
    if hashes:
        return hashes.group().count("#")
    if len(heading.lines) > 1 and (underline := _UNDERLINE.match(heading.lines[1])):
        return levels.setdefault(underline.group(1), len(levels) + 1)
    return 0


def _merge(parts: list[_Counts]) -> _Counts:
    """The length and query-term counts of several texts taken as one."""
    total: Counter[str] = Counter()
    for _, found in parts:
        total.update(found)
    return sum(length for length, _ in parts), total


def _sections(blocks: list[_Block]) -> list[tuple[int | None, list[int]]]:
    """(heading block, the blocks under it up to the next heading) in order."""
    sections: list[tuple[int | None, list[int]]] = [(None, [])]
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            sections.append((index, []))
        else:
            sections[-1][1].append(index)
    return sections


def _select(units: list[_Unit], lines: list[str], request: Request, given: list[int]) -> set[int]:
    """The units kept: best first while the budget lasts, paid by the input lines they add.

    The ``given`` lines (list items' first lines) are shown whatever the budget: they are
    paid for first, and a sentence on them costs nothing more.
    """
    total = sum(len(u.text) for u in units if not u.link)
    # A few sentences at least: a report that is mostly a table still says what it found.
    budget = max(total * _SHARE, _MIN_SENTENCE_CHARS) * 0.65**request.level
    worth = [u.score + _passengers(units, i) for i, u in enumerate(units)]
    kept: set[int] = set()
    seen: set[tuple[str, ...]] = set()
    shown: set[int] = set(given)

    def cost(i: int) -> int:
        # A sentence is paid by the lines it stands on that are not shown yet.
        u = units[i]
        if u.piece:
            return len(u.text)
        if u.first == u.last:  # most sentences stand on one line
            return 0 if u.first in shown else len(lines[u.first])
        return sum(len(lines[k]) for k in range(u.first, u.last + 1) if k not in shown)

    def entry(i: int) -> tuple[float, int]:
        return -worth[i] / (1 + cost(i) / 300), i

    # Best first; a sentence whose lines another brought in gets cheaper and is queued again.
    queue = [entry(i) for i in range(len(units))]
    heapify(queue)
    used = sum(len(lines[k]) for k in shown)
    while queue:
        _, i = heappop(queue)
        u = units[i]
        # A failure is kept even when a sentence of the same words was: guarantee 3.
        if i in kept or (u.signature in seen and u.score < _KEEP):
            continue
        paid = cost(i)
        if used + paid > budget and u.score < _KEEP:
            continue
        kept.add(i)
        seen.add(u.signature)
        used += paid
        if not u.piece:
            shown.update(range(u.first, u.last + 1))
            for j in _neighbours(units, i):
                if j not in kept:
                    heappush(queue, entry(j))
    return kept


def _neighbours(units: list[_Unit], i: int) -> list[int]:
    """The other sentences that share a line with unit ``i``."""
    unit = units[i]
    found = []
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(units) and units[j].block == unit.block:
            other = units[j]
            if other.last < unit.first or other.first > unit.last:
                break
            found.append(j)
            j += step
    return found


def _passengers(units: list[_Unit], i: int) -> float:
    """What the other sentences on unit ``i``'s lines are worth: they come with it."""
    unit = units[i]
    if unit.piece:
        return 0.0
    worth = 0.0
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(units) and units[j].block == unit.block:
            other = units[j]
            if other.first < unit.first or other.last > unit.last:
                break
            worth += min(other.score, _PASSENGER)
            j += step
    return worth


def _table(table: str, request: Request) -> str:
    """A table's rows as they are, sampled by its records (rare rows stay), else by its head."""
    sampled = compress_table(table, request)
    if sampled is not None:
        return sampled[0]
    rows = table.splitlines()
    room = max(4, 16 >> request.level)
    if len(rows) <= room + 2:
        return table
    keep = set(range(room + 2))
    if request.query and query_terms(request.query):
        keep.update(i for i, _ in rank_texts(rows, request.query)[:4])
    return _with_gaps(rows, keep, "table row", request.key)
