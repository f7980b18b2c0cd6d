"""The short lines that tell the next agent what was left out and how to get it back.

Every line a compressor writes itself, rather than keeps from its input, is one of three
forms, so a reader (and the guarantee checks) can tell it from content:

- ``[… 288 of 300 rows omitted — full: …]``: an omission, where it happened;
- ``[×12 like: …]``: a fold, a run of lines of one template with its count;
- ``[§ message 3 of 6: tool, call_0]``: a label, naming what the next lines are (a chat
  message's sender, the kind of bytes that are not text); a view's label says that the next
  lines re-render one long input line (a minified JSON document, a page served on one line)
  and are not its text.

A marker may stand in a comment (``# … 9 lines of parse omitted``), and a line cut short
ends with one.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from agent_baton.compress.lines import BREAK, line_count

# A marker line: an optional comment opener, then "[…", "[×", "[§" or a bare "…". The blanks
# are taken possessively: neither an opener nor the marker starts with one, and giving them
# back one at a time made a line of n blanks take n² steps (a 160,000-blank line: minutes).
_MARKER = re.compile(r"^\s*+(?:#+|//|--|/?\*+|<!--)?\s*+(?:\[[…×§]|…)")
# What a marker's first visible character is: a line starting otherwise is none, no pattern
# asked (most lines a compressed text keeps).
_MARKER_STARTS = "#/-*<[…"
# A view's label: how many lines follow, and the length of the input line they re-render.
_VIEW = re.compile(r"^\[§ the next (\d+) lines? re-renders? one input line of (\d+) characters \(")
# A line cut short: what it kept of an input line, then an omission marker to its end.
_CUT = re.compile(r"\[… [^\[\]]* omitted(?: — [^\]]*)?\]$")
# The hint baked into compressed text: full: get("key", full=True), the key JSON-quoted.
_BAKED_HINT = re.compile(r'full: get\(("(?:[^"\\]|\\.)*+"), full=True\)')
# A marker counting the lines or rows left out at its place: "[… 12 lines]", "[… rows 3-9]",
# "# … 9 lines of f omitted", "[… 9 more lines (12 of 80 in all) omitted …]" (the last ones).
_PLACE = re.compile(
    r"^[ \t]*(?:(?:#+|//|--|/?\*+|<!--)[ \t]*)?\[?… "
    r"(?:([\d,]+) (?:more )?(?:lines?|(?:table )?rows?)\b"
    r"|rows? (\d+)(?:-(\d+))?\])"
)
# What a token is at most, as markers' costs are estimated: a word's letters, up to eight
# (an identifier's parts count apart: ``IEC_60559_TYPES_EXT`` is eight tokens), up to three
# digits, a run of one sign up to 32 (a banner's "#-----…" is a few tokens), any other sign.
_PIECE = re.compile(r"[^\W\d_]{1,8}|\d{1,3}|([^\w\s])\1{0,31}|\S")
_CHARS_PER_TOKEN = 16  # more than a line's non-blank characters hold per token
# A fold shown with its first and last lines: the last, on the next line, stands at the fold.
FOLD_EXAMPLES = re.compile(r"^\[×\d+(?:, numbers differ| like: .*?); first and last:\]")


_SECTIONS_NAMED = 2  # of the sections a gap left out, those its marker names
_TITLE_CHARS = 60  # of a section's title in a marker, at most


@dataclass(frozen=True, slots=True)
class ToolNames:
    """The names of the tools an agent has over a shared context, for markers and answers.

    Markers name Python's ``get("key", full=True)`` unless an adapter says which tools its
    agent really has; then they name those (``read_shared_context(key="key", full=true)``).
    """

    read: str = "read_shared_context"
    search: str = "search_shared_context"
    list: str = "list_shared_context"

    def read_call(self, key: str, **arguments: object) -> str:
        """How the agent calls the read tool: ``read_shared_context(key="k", full=true)``."""
        args = {"key": key, **arguments}
        listed = ", ".join(f"{k}={quoted(v)}" for k, v in args.items())
        return f"{self.read}({listed})"


# What JSON leaves raw with ensure_ascii=False but must not reach a one-line marker or
# header: line breaks str.splitlines() knows past the C0 controls (NEL, U+2028, U+2029),
# the other C1 controls and DEL, and lone surrogates, which UTF-8 cannot encode.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def quoted(value: object) -> str:
    """``value`` as JSON on one line of valid UTF-8: a key or name quoted in a marker.

    ``json.loads`` gives the value back; other text stays as it reads (not ASCII-escaped).
    """
    text = json.dumps(value, ensure_ascii=False)
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def retrieval_hint(key: str | None, tools: ToolNames | None = None) -> str:
    """How to fetch the original: ``get("key", full=True)``, or a generic hint with no key."""
    if key is None:
        return "full text on request"
    if tools is not None:
        return f"full: {tools.read_call(key, full=True)}"
    # Quoted and escaped, so a key cannot break out of the marker.
    return f"full: get({quoted(key)}, full=True)"


def note(text: str) -> str:
    """A line a compressor writes that is not the input's: ``[… 23 rows]``, ``[… stats: …]``.

    Shaped as a marker so that every reader (the guarantees, the benchmarks, the next
    agent) tells it from the input's own lines. One line whatever it quotes: a value with line
    breaks (a license text in a column's counts) shows them escaped, as JSON does.
    """
    return f"[… {BREAK.sub(_escaped, text)}]"


def lines_said(lines: int) -> str:
    """``lines`` counted in words: ``1 line``, ``12 lines``."""
    return f"{lines} line{'' if lines == 1 else 's'}"


def gap(lines: int) -> str:
    """The marker for ``lines`` input lines left out here: ``[… 1 line]``, ``[… 12 lines]``."""
    return f"[… {lines_said(lines)}]"


def sections_said(titles: Sequence[str]) -> str:
    """The sections a gap left out, by their headings' titles: ``section "Installation"``.

    At most :data:`_SECTIONS_NAMED` are named (each cut to :data:`_TITLE_CHARS`), then how
    many more: the next agent knows what to ask for, at a few tokens a section.
    """
    named = ", ".join(quoted(title[:_TITLE_CHARS]) for title in titles[:_SECTIONS_NAMED])
    more = len(titles) - _SECTIONS_NAMED
    return f"section{'' if len(titles) == 1 else 's'} {named}" + (
        f" and {more} more" if more > 0 else ""
    )


def _escaped(match: re.Match[str]) -> str:
    return json.dumps(match.group())[1:-1]


def omitted(what: str, key: str | None, *, then: str = "") -> str:
    """A marker such as ``[… 288 of 300 rows omitted — full: get("research", full=True)]``.

    ``then``: a clause after "omitted" (``the failure lines alone exceed …, all kept``).
    """
    clause = f"; {then}" if then else ""
    return note(f"{what} omitted{clause} — {retrieval_hint(key)}")


def hint_once(text: str, original: str, key: str | None) -> str:
    """``text`` with the retrieval hint on its last marker only.

    Parts compressed one by one (a chat's turns, a document's blocks) each end with a marker
    that says how to get the original back; it is the same original, said once. Left as it
    is when the original itself holds the hint (a compressed text compressed again: a line
    of it is no marker).
    """
    tail = f" — {retrieval_hint(key)}]"
    if text.count(tail) < 2 or tail in original:
        return text
    last = text.rindex(tail)
    return text[:last].replace(tail, "]") + text[last:]


def label(what: str) -> str:
    """A line naming what the next lines are: ``[§ message 2 of 6: assistant]``."""
    return f"[§ {what}]"


def view_label(lines: int, chars: int, what: str) -> str:
    """The label of a view: ``[§ the next 23 lines re-render one input line of 45012 …]``.

    A line too long to keep (a minified JSON document, a page served on one line) can only
    be shown re-rendered; the label says so, so that nobody reads the view as the input.
    """
    verb = "lines re-render" if lines != 1 else "line re-renders"
    return label(f"the next {lines} {verb} one input line of {chars} characters ({what})")


def view_of(text: str, part: str, view: str, what: str) -> str:
    """``view`` of ``part`` (a document on one line of ``text``) under its label.

    The label names the line ``part`` stands on by its length: a document on one line has
    no line that can be kept, and the label says the view is not its text.
    """
    part = part.strip()  # a document read with the line break that ends it
    at = text.find(part)
    start = max((m.end() for m in BREAK.finditer(text, 0, at)), default=0)
    end = BREAK.search(text, at + len(part))
    line = text[start : len(text) if end is None else end.start()]
    lines = max(1, line_count(view))
    return f"{view_label(lines, len(line), what)}\n{view}"


def view_recount(label: str, lines: int) -> str:
    """A view's ``label`` announcing ``lines`` lines (some of the view's were left out)."""
    found = _VIEW.match(label)
    assert found is not None, "not a view's label"
    return view_label(lines, int(found.group(2)), label[found.end() : -2])


def view_span(line: str) -> tuple[int, int] | None:
    """(lines, characters) that a view's label announces; None for any other line."""
    found = _VIEW.match(line)
    return None if found is None else (int(found.group(1)), int(found.group(2)))


def worth_marking(lines: Sequence[str], marker: str) -> bool:
    """Whether leaving ``lines`` out for ``marker`` saves at least what the marker costs.

    A marker costs tokens too: ``[… 2 lines]`` standing for a man page's one-line option
    description and the blank line after it saves less than it costs, and says less than
    the lines would; such lines are kept instead. Tokens are estimated the same way for
    both: a word, a number or a sign each, and a line break.
    """
    limit = 2 * _tokens(marker)
    cost = 0
    for line in lines:
        if len(line) >= _CHARS_PER_TOKEN * limit:
            return True  # no need to read a long line's words: it costs more
        cost += _tokens(line)
        if cost >= limit:
            return True
    return False


def _tokens(line: str) -> int:
    return len(_PIECE.findall(line)) + 1


def left_out(lines: Sequence[str], shown: Sequence[str]) -> int:
    """How many of ``lines`` (not blank) ``shown``, their compressed form, does not keep.

    A kept line is one of them byte for byte, once each (a line said twice is kept twice).
    """
    kept = Counter(line for line in shown if line.strip() and not is_marker(line))
    said = Counter(line for line in lines if line.strip())
    return sum(count - min(count, kept[line]) for line, count in said.items())


def is_marker(line: str) -> bool:
    """Whether a line is one a compressor wrote (an omission, a fold, a label)."""
    return line.lstrip()[:1] in _MARKER_STARTS and _MARKER.match(line) is not None


def shows_nothing(text: str) -> bool:
    """Whether every line of a compressed text is blank or a marker that only counts.

    A marker that shows content is something to hand on: a fold (its template), a label
    that describes (``[§ binary content: 51,208 bytes, PNG image]``), a note quoting values
    (``[… same in all rows: a=1; b=x]``). A count (``[… 44 lines]``, ``[… 2 keys]``), a
    summary and a view's label say only that something was there.
    """
    for line in text.splitlines():
        if not line.strip():
            continue
        if not is_marker(line):
            return False
        start = line.lstrip()
        if start.startswith("[×") or (start.startswith("[§") and view_span(start) is None):
            return False
        said = start.split(" — ", 1)[0]  # not the retrieval hint's "full: get(…)"
        if ":" in said:
            return False
    return True


def stands_for(lines: list[str]) -> list[int]:
    """How many of the original's lines each line of a compressed text stands for.

    A kept line one; a marker that counts the lines or rows left out at its place
    (``[… 12 lines]``, ``[… rows 3-9]``, ``# … 9 lines of parse omitted``) that many; a
    fold one (it stands where its first line was, and markers further on count the rest),
    its last example none; other markers (labels, a summary of the whole, other units)
    none. Summed over a text whose compressor kept and marked lines (or rows of a line
    each), this is the original's line count, less the blank lines it dropped unmarked;
    over reshaped content it is not.
    """
    out: list[int] = []
    example = False
    for line in lines:
        if example:
            out.append(0)
            example = False
            continue
        place = _PLACE.match(line)
        if place is not None:
            count, first, last = place.groups()
            out.append(
                int(count.replace(",", "")) if count else int(last or first) - int(first) + 1
            )
        elif line.startswith("[×"):
            out.append(1)
            example = FOLD_EXAMPLES.match(line) is not None
        else:
            out.append(0 if is_marker(line) else 1)
    return out


def cut_prefix(line: str) -> str | None:
    """The part of a line cut short that was kept (before its marker); None if not cut."""
    found = _CUT.search(line)
    return None if found is None or found.start() == 0 else line[: found.start()]


def name_tools(text: str, tools: ToolNames) -> str:
    """``text`` with the hints baked into its markers naming ``tools`` instead of ``get``."""
    return _BAKED_HINT.sub(lambda m: retrieval_hint(json.loads(m.group(1)), tools), text)
