"""GraphQL schemas (SDL): every definition's head stays, then its fields, descriptions go first.

A schema file (``schema.graphql``, a supergraph, an introspection dump printed as SDL) is a
list of type definitions, most of its text the ``\"\"\"descriptions\"\"\"`` over each type and
field. It is read by GraphQL's own lexical grammar (October 2021 spec, section 2: names,
punctuators, strings and block strings, ``#`` comments, commas ignored) and split into
definitions (``type``, ``input``, ``enum``, ``interface``, ``union``, ``scalar``,
``directive``, ``schema`` and their ``extend`` forms), each head checked against its
grammar: a text any of whose top-level parts is no such definition (a query document, Go's
``type X struct {``, protobuf) is not a schema.

Kept lines are input lines byte for byte. Each level leaves out more, in this order:
descriptions and comments; the lines of a field's arguments (its first line and the one
with its type stay); the fields of a type past its first few; every field. A definition's
head and its closing brace always stay, and one ``#`` marker per definition says what it
lost. The definitions a query names or matches best stay whole, descriptions included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from agent_baton.compress.markers import omitted
from agent_baton.compress.memo import once
from agent_baton.compress.request import Request
from agent_baton.search import best_matches

# One token at a position: ignored blanks and commas, a line end, a comment, a name, a
# number, a punctuator, or a string's opening quote (strings are read by hand).
_TOKEN = re.compile(
    r"(?P<blank>[ \t,\ufeff]+)|(?P<end>\r\n|\n|\r)|(?P<comment>#[^\n\r]*)"
    r"|(?P<name>[_A-Za-z][_0-9A-Za-z]*)|(?P<number>-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<punct>\.\.\.|[!$&():=@\[\]{|}])|(?P<quote>\")"
)
_KEYWORDS = frozenset(("type", "input", "enum", "interface", "union", "scalar", "directive"))
# A definition opens a line: what looks for schemas first asks for one such line.
_OPENING = re.compile(
    r'^(?:extend[ \t]+)?(?:type|input|enum|interface|union|scalar|directive|schema)\b|^"""', re.M
)
# Line breaks str.splitlines() knows besides GraphQL's: lines are counted as GraphQL does.
_OTHER_BREAK = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_SAMPLE = 20_000
_CUT_HEAD = 2_000  # characters of a schema cut short at its start before a whole definition
_MIN_DEFINITIONS = 2
# drop_at: a line stays while the level is below it.
_ALWAYS = 99  # the line that names a definition
_HEAD = 4  # the rest of its head, and its closing brace
_FIELD = 3  # a field's own lines
_LATER_FIELD = 2  # a field past the first _FIRST_FIELDS of its type
_ARGUMENT = 1  # a field's argument lines between its first and last
_DESCRIPTION = 0
_FIRST_FIELDS = 8
_QUERIED = 4  # definitions a query keeps whole, at most
_WHAT = {_DESCRIPTION: "description", _ARGUMENT: "argument", _HEAD: "head"}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # name, number, punct, string
    line: int  # where it starts (0-based)
    last: int  # the line it ends on (a block string spans lines)
    first_on_line: bool
    text: str


class _NotSdl(Exception):
    """The text breaks GraphQL's lexical or type-system grammar."""


class _Cut(_NotSdl):
    """The text ends inside a definition (a schema cut short, as tools print the head)."""


@dataclass
class _Definition:
    name: str
    first: int  # first line: its description, or comments before it
    head: int  # the line of its keyword
    head_end: int  # the line that opens its body (or its last line without one)
    last: int
    # Each member's first line, its argument lines (not the last), its last line.
    body: list[tuple[int, frozenset[int], int]] = field(default_factory=list)


@once
def parse_sdl(text: str) -> list[_Definition] | None:
    """The definitions of a GraphQL schema document, or None if the text is not one.

    A schema cut short at either end (a slice a tool printed) is one: the lines before its
    first whole definition, or after its last, make a definition of their own, kept as is.
    """
    opening = _OPENING.search(text, 0, _SAMPLE)
    if opening is None or _OTHER_BREAK.search(text):
        return None
    last = len(text.splitlines()) - 1
    try:
        definitions = _definitions(_tokens(text, 0, 0), last)
    except _NotSdl:
        if opening.start() == 0:
            opening = _OPENING.search(text, 1, _CUT_HEAD)
        # What a cut left of a definition closes braces at most (an operation opens them).
        if opening is None or opening.start() == 0 or "{" in text[: opening.start()]:
            return None
        skipped = text.count("\n", 0, opening.start())
        try:
            definitions = _definitions(_tokens(text, opening.start(), skipped), last)
        except _NotSdl:
            return None
        definitions.insert(0, _Definition("", 0, 0, skipped - 1, skipped - 1))
    if len(definitions) < _MIN_DEFINITIONS or not any(d.body for d in definitions):
        return None
    return definitions


def compress_sdl(text: str, request: Request) -> str | None:
    """The schema's heads and fields by ``request.level``; None if it is not SDL or nothing goes."""
    definitions = parse_sdl(text)
    if definitions is None:
        return None
    lines = text.splitlines()
    drop_at = [_DESCRIPTION] * len(lines)
    unit = [-1] * len(lines)
    for index, d in enumerate(definitions):
        for i in range(d.first, d.last + 1):
            unit[i] = index
        drop_at[d.head] = _ALWAYS
        for i in range(d.head + 1, d.head_end + 1):
            drop_at[i] = _HEAD
        drop_at[d.last] = max(drop_at[d.last], _HEAD)
        for number, (first, args, last) in enumerate(d.body):
            level = _FIELD if number < _FIRST_FIELDS else _LATER_FIELD
            drop_at[first] = max(drop_at[first], level)
            drop_at[last] = max(drop_at[last], level)
            for i in args:
                drop_at[i] = max(drop_at[i], _ARGUMENT)
    # What a cut left of a definition (no name read) stays as it is, and so do the
    # definitions a query asks for.
    whole = _queried(definitions, lines, request.query)
    whole.update(i for i, d in enumerate(definitions) if not d.name)
    for index in whole:
        d = definitions[index]
        for i in range(d.first, d.last + 1):
            drop_at[i] = _ALWAYS
    # A level that leaves out nothing more than the one before (no descriptions, no
    # arguments on lines of their own) is passed over: each level asked for leaves out more.
    renders = [_render(lines, drop_at, unit, definitions, level) for level in range(_HEAD + 1)]
    distinct = [r for i, r in enumerate(renders) if r[1] > (renders[i - 1][1] if i else 0)]
    if not distinct:
        return None
    out, dropped = distinct[min(request.level, len(distinct) - 1)]
    out.append(omitted(f"{dropped} of {len(lines)} lines", request.key))
    return "\n".join(out)


def _render(
    lines: list[str],
    drop_at: list[int],
    unit: list[int],
    definitions: list[_Definition],
    level: int,
) -> tuple[list[str], int]:
    """The kept lines, each definition's losses counted in one marker above its last line.

    With how many lines were left out (blank lines go unmarked and uncounted).
    """
    starts = {first for d in definitions for first, _, _ in d.body}
    out: list[str] = []
    lost: dict[int, int] = {}  # drop_at of the lines a definition lost -> how many
    fields = dropped = 0
    for i, line in enumerate(lines):
        owner = unit[i]
        closes = i == definitions[owner].last if owner >= 0 else i + 1 == len(lines)
        if level < drop_at[i]:
            if closes and lost:  # above the closing brace
                out.append(_marker(lines, definitions[owner] if owner >= 0 else None, lost, fields))
                lost, fields = {}, 0
            out.append(line)
            continue
        if line.strip():
            dropped += 1
            what = drop_at[i] if drop_at[i] in _WHAT else _LATER_FIELD
            lost[what] = lost.get(what, 0) + 1
            fields += what == _LATER_FIELD and i in starts
        if closes and lost:  # the closing brace went too: below what is left
            out.append(_marker(lines, definitions[owner] if owner >= 0 else None, lost, fields))
            lost, fields = {}, 0
    return out, dropped


def _marker(lines: list[str], d: _Definition | None, lost: dict[int, int], fields: int) -> str:
    """``  # [… 3 fields (9 lines), 12 description lines omitted]`` for one definition.

    Shorter when its closing brace went too (the hardest level): ``# [… 3 fields, 14 lines]``.
    """
    indent = "  "
    if d is None:
        indent = ""
    elif d.body:
        member = lines[d.body[0][0]]
        indent = member[: len(member) - len(member.lstrip())] or "  "
    if lost.get(_HEAD):
        return f"{indent}# [… {_counted(fields, 'field')}, {_counted(sum(lost.values()), 'line')}]"
    parts = []
    if fields:
        parts.append(f"{_counted(fields, 'field')} ({_counted(lost[_LATER_FIELD], 'line')})")
    for what in (_ARGUMENT, _DESCRIPTION):
        if lost.get(what):
            parts.append(_counted(lost[what], f"{_WHAT[what]} line"))
    return f"{indent}# [… {', '.join(parts)} omitted]"


def _counted(count: int, what: str) -> str:
    return f"{count} {what}{'s' * (count != 1)}"


def _queried(definitions: list[_Definition], lines: list[str], query: str | None) -> set[int]:
    """The definitions the query names, else those its words match best."""
    if not query:
        return set()
    words = set(re.findall(r"[_A-Za-z]\w*", query))
    named = {i for i, d in enumerate(definitions) if d.name in words}
    if named:
        return set(sorted(named)[:_QUERIED])
    texts = ["\n".join(lines[d.first : d.last + 1]) for d in definitions]
    return best_matches(texts, query, most=_QUERIED, floor=0.5)


def _tokens(text: str, at: int, line: int) -> Iterator[_Token]:
    """GraphQL's tokens from ``at`` (on ``line``), read as asked for (most texts fail at once)."""
    size = len(text)
    fresh = True  # no token yet on this line
    while at < size:
        found = _TOKEN.match(text, at)
        if found is None:
            raise _NotSdl
        kind = found.lastgroup
        if kind == "quote":
            end = _string_end(text, at)
            value = text[at:end]
            breaks = value.count("\n") + value.count("\r") - value.count("\r\n")
            yield _Token("string", line, line + breaks, fresh, value)
            line += breaks
            at, fresh = end, False
            continue
        at = found.end()
        if kind == "end":
            line, fresh = line + 1, True
        elif kind not in ("blank", "comment"):
            yield _Token(kind or "", line, line, fresh, found.group())
            fresh = False


def _string_end(text: str, at: int) -> int:
    """Where the string opening at ``at`` ends: a block string, or one on a single line."""
    if text.startswith('"""', at):
        i = at + 3
        while True:
            close = text.find('"""', i)
            if close < 0:
                raise _Cut
            if text[close - 1] != "\\":
                return close + 3
            i = close + 3
    i = at + 1
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
        elif c == '"':
            return i + 1
        elif c in "\r\n":
            raise _NotSdl
        else:
            i += 1
    raise _Cut


class _Reader:
    """The tokens, read definition by definition, one token of lookahead."""

    def __init__(self, tokens: Iterator[_Token]) -> None:
        self.tokens = tokens
        self.next: _Token | None = next(tokens, None)
        self.last: _Token | None = None  # the token taken last

    def peek(self) -> _Token | None:
        return self.next

    def take(self) -> _Token:
        token = self.next
        if token is None:
            raise _Cut
        self.last, self.next = token, next(self.tokens, None)
        return token

    def is_(self, text: str) -> bool:
        token = self.next
        return token is not None and token.kind != "string" and token.text == text

    def expect(self, text: str) -> _Token:
        if not self.is_(text):
            raise _NotSdl
        return self.take()

    def name(self) -> _Token:
        token = self.take()
        if token.kind != "name":
            raise _NotSdl
        return token

    def skip_group(self, opening: str, closing: str) -> set[int]:
        """Past a balanced ``(…)`` or ``[…]`` opening here; the lines of what it holds.

        Lines that hold only strings (arguments' descriptions) are not among them.
        """
        self.expect(opening)
        depth = 1
        lines: set[int] = set()
        while True:
            token = self.take()
            if token.kind == "punct" and token.text in "([{":
                depth += 1
            elif token.kind == "punct" and token.text in ")]}":
                depth -= 1
                if depth == 0:
                    if token.text != closing:
                        raise _NotSdl
                    return lines
            if token.kind != "string":
                lines.add(token.line)

    def directives(self) -> None:
        while self.is_("@"):
            self.take()
            self.name()
            if self.is_("("):
                self.skip_group("(", ")")

    def type_reference(self) -> None:
        if self.is_("["):
            self.take()
            self.type_reference()
            self.expect("]")
        else:
            self.name()
        if self.is_("!"):
            self.take()

    def last_line(self) -> int:
        assert self.last is not None
        return self.last.last


def _definitions(tokens: Iterator[_Token], last_line: int) -> list[_Definition]:
    """The type-system definitions the tokens make, each with its lines; _NotSdl otherwise.

    ``last_line``: the text's last line, where a definition cut short ends.
    """
    reader = _Reader(tokens)
    found: list[_Definition] = []
    previous_last = -1
    first = reader.peek()
    while first is not None:
        try:
            found.append(_definition(reader, previous_last + 1))
        except _Cut:
            if not found:
                raise
            # Cut short inside its last definition: what is left stays as it is.
            found.append(_Definition("", first.line, first.line, last_line, last_line))
            return found
        previous_last = found[-1].last
        first = reader.peek()
    return found


def _definition(reader: _Reader, after: int) -> _Definition:
    """The definition the reader is at; ``after``: the first line after the one before."""
    first = reader.peek()
    assert first is not None
    if first.kind == "string":
        reader.take()
    keyword = reader.name()
    extend = keyword.text == "extend"
    kind = reader.name().text if extend else keyword.text
    if kind == "schema":
        name = "schema"
        reader.directives()
    elif kind in _KEYWORDS:
        name = _head(reader, kind)
    else:
        raise _NotSdl
    # Comments between definitions belong to the next one (see _render).
    d = _Definition(name, min(after, first.line), keyword.line, keyword.line, keyword.line)
    d.head_end = reader.last_line()
    if reader.is_("{"):
        d.head_end = reader.take().line
        _body(reader, kind, d)
    d.last = reader.last_line()
    return d


def _head(reader: _Reader, kind: str) -> str:
    """The definition's name, its head read up to its body (or its end)."""
    if kind == "directive":
        reader.expect("@")
        name = reader.name().text
        if reader.is_("("):
            reader.skip_group("(", ")")
        if reader.is_("repeatable"):
            reader.take()
        reader.expect("on")
        _names(reader, "|")
        return name
    name = reader.name().text
    if kind in ("type", "interface") and reader.is_("implements"):
        reader.take()
        _names(reader, "&")
    reader.directives()
    if kind == "union" and reader.is_("="):
        reader.take()
        _names(reader, "|")
    return name


def _names(reader: _Reader, separator: str) -> None:
    """``A & B`` or ``| A | B``: names joined by a separator, which may also lead."""
    if reader.is_(separator):
        reader.take()
    reader.name()
    while reader.is_(separator) or _more_names(reader, separator):
        if reader.is_(separator):
            reader.take()
        reader.name()


def _more_names(reader: _Reader, separator: str) -> bool:
    """The old ``implements A, B`` (commas are blanks): a name that opens no definition."""
    token = reader.peek()
    return (
        separator == "&"
        and token is not None
        and token.kind == "name"
        and not token.first_on_line
        and token.text not in _KEYWORDS
    )


def _body(reader: _Reader, kind: str, d: _Definition) -> None:
    """The members of a body opened just before, up to its closing brace."""
    while not reader.is_("}"):
        start = reader.peek()
        if start is None:
            raise _Cut
        if start.kind == "string":
            reader.take()  # a description: its lines stay unmarked as the member's
        member = reader.name()
        args: frozenset[int] = frozenset()
        if kind == "enum":
            reader.directives()
        elif kind == "schema":
            reader.expect(":")
            reader.name()
        else:
            if kind != "input" and reader.is_("("):
                args = frozenset(reader.skip_group("(", ")"))
            reader.expect(":")
            reader.type_reference()
            if reader.is_("="):
                reader.take()
                _value(reader)
            reader.directives()
        last = reader.last_line()
        d.body.append((member.line, args - {member.line, last}, last))
    reader.take()


def _value(reader: _Reader) -> None:
    """A default value: a scalar, an enum value, a list or an object."""
    if reader.is_("["):
        reader.skip_group("[", "]")
    elif reader.is_("{"):
        reader.skip_group("{", "}")
    else:
        reader.take()
