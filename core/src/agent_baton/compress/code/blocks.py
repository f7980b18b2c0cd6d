r"""Block-structured configs: Terraform's HCL and nginx's, told by their exact grammar.

Both write a file as statements and blocks: a block opens with a head (a type and its labels,
``resource "aws_vpc" "this" {``, ``server {``, ``location ~* \.css$ {``) and closes with ``}``
alone on its line; ``#`` opens a comment, strings are quoted. HCL's statements are attributes,
``name = expression`` (an expression may span lines inside brackets or a heredoc, and
``//`` and ``/* */`` are comments too); nginx's are directives, ``name arguments;``. A text
that scans as one of the two throughout, brackets balanced, with a block, is such a config:
C, Java, Go, CSS and shell fail it (calls in heads, ``};``, statements of neither form).

A third form has neither ``;`` nor ``=``: a statement is a line of words (Caddyfile's
``reverse_proxy localhost:8080``, keepalived's ``virtual_router_id 50``, a value alone,
``192.168.200.11``), a block opens at its head's line end and closes with ``}`` alone on its
line; ``#`` (keepalived's ``!`` too) opens a comment, ``{name}`` inside a word is a
placeholder. A text every line of which is one of those, with a block holding a statement, is
such a config (``code:directives``): code fails it (a call, ``x = y``, a ``;``, ``} else {``),
as do CSS (``color: red``) and ALSA's one-line blocks.

A block's body is its content, not an implementation: the skeleton keeps every block head
and the statements that name things (``server_name``, ``listen``, ``root``, ``include``,
``source``, ``name``), a short body whole, the first line of a long value; the rest of a
long body and of a long value is elided under its block or key, marked with ``#``, the
comment both formats share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent_baton.compress.code.skeleton import (
    ALWAYS,
    CONSTANT,
    DOC,
    DROP,
    MEMBER,
    QUIET,
    Owner,
    Skeleton,
)
from agent_baton.compress.memo import once

_LINE_END = re.compile(r"\r\n|\r|\n")
# One token: blanks, a line end, a comment, a block comment's start, a heredoc's start, a
# quote, a bracket, ";", "=" alone, or a word (which may hold "${name}", nginx's variables).
_TOKEN = re.compile(
    r"(?P<space>[^\S\n]++)|(?P<newline>\n)|(?P<comment>#[^\n]*+|//[^\n]*+)|(?P<block>/\*)"
    r"|(?P<heredoc><<-?([A-Za-z_]\w*+)[^\S\n]*+(?=\n))|(?P<quote>[\"'])|(?P<open>[{\[(])"
    r"|(?P<close>[}\])])|(?P<semi>;)|(?P<equals>=(?![=>~]))"
    r"|(?P<word>(?:\$\{[^}\n]*+\}|=[=>~]|[^\s{}\[\]()\"';=#])"
    r"(?:\$\{[^}\n]*+\}|=[=>~]|[^\s{}\[\]()\"';=])*+)"
)
_IDENTIFIER = re.compile(r"[A-Za-z_][\w-]*+")
# A directive's name: a word without a colon (CSS's "color:" is a property) or markup's
# signs ("<!DOCTYPE"), or a quoted one (a map's key).
_DIRECTIVE_NAME = re.compile(r"[^:<>!&,\s]++|[\"'].*")
# Lines a directive spans at most (log_format's strings take a few).
_LONG_DIRECTIVE = 8
# Words that open a declaration in Java, C# or Kotlin and name no directive of nginx: a
# class of fields, an interface of abstract methods, a module-info.java scan as nginx's
# statements ("private int count;", "requires java.base;") without a "//" to tell them.
_DECLARING = frozenset(
    {
        *("package", "import", "public", "private", "protected", "static", "final"),
        *("abstract", "class", "interface", "enum", "record", "void", "sealed", "module"),
        *("exports", "requires", "opens", "provides", "namespace", "using"),
    }
)
# C's preprocessor lines, which "#" would read as comments.
_PREPROCESSOR = re.compile(
    r"^[^\S\n]*+#[^\S\n]*+(?:define|undef|ifdef|ifndef|endif|elif|pragma)\b"
    r"|^[^\S\n]*+#[^\S\n]*+include[^\S\n]*+[<\"]",
    re.M,
)
_SAMPLE = 20_000
# A line of the third form: words (a placeholder or a quoted string in one), then "{" or not.
_DIRECTIVE_LINE = re.compile(
    r"[^\S\n]*+((?:(?:[^\s{}\"'`#]|\{[^\s{}]*+\})++|\"(?:[^\"\\\n]|\\.)*+\""
    r"|`[^`\n]*+`)(?:[^\S\n]++(?:(?:[^\s{}\"'`#]|\{[^\s{}]*+\})++|\"(?:[^\"\\\n]|\\.)*+\""
    r"|`[^`\n]*+`))*+)(?P<open>[^\S\n]*+\{)?(?:[^\S\n]++#[^\n]*+)?[^\S\n]*+"
)
_LINE_COMMENT = re.compile(r"[^\S\n]*+(?:[#!][^\n]*+)?")
# A call in a word: a program's line. Tried only where a run of word characters starts, its
# first letter taken once: a start inside the run would read the same run to the same end
# (a 20,000-letter word: 0.9 s -> 1 ms, the same answers on a million real and random words).
_CALL = re.compile(r"(?<!\w)(?>\w*?[A-Za-z_])\w*+\(")
# A statement's first character in other languages: a comment's ("//", "/*", " * ", TeX's "%")
# or a command's ("\\hyphenation{").
# (Caddy's "*.example.com" is a site's name.)
_NOT_A_NAME = re.compile(r"[/%\\]|\*(?:/|$)")
# Statements that name what a block is or where it points: kept at every level.
_NAMING = frozenset(
    {
        *("server_name", "listen", "root", "alias", "include", "proxy_pass", "fastcgi_pass"),
        *("uwsgi_pass", "return", "rewrite", "upstream", "server", "location", "try_files"),
        *("source", "name", "version", "type", "default", "value", "provider", "for_each"),
        *("reverse_proxy", "import", "redir", "php_fastcgi", "bind", "router_id"),
        *("virtual_router_id", "interface", "state"),
    }
)
# Lines of a body kept whole at the first levels; a longer one keeps its naming statements
# and block heads, the rest elided under its head (a query naming it keeps it whole).
_SHORT_BODY = 12
# Alike sibling blocks in a row that a fold summarises.
_FOLD_RUN = 3
# Lines of a value (a list, a map, a heredoc) kept whole; a longer one keeps its first line.
_SHORT_VALUE = 4


@dataclass
class _Statement:
    """An attribute, a directive or a block: its lines, its tokens' words, what encloses it."""

    start: int
    end: int
    words: list[str]
    parent: int  # the enclosing block's index in the scan's blocks, -1 at the top
    block: bool = False
    equals: bool = False  # written "name = value" (HCL)
    semicolon: bool = False  # ended by ";" (nginx)
    assigns: bool = False  # holds "=" outside brackets (HCL's attribute; C's, Perl's)
    end_line: int = -1  # a block's closing line


@dataclass
class _Scan:
    """A text read token by token: its statements in order, and whether the read held."""

    statements: list[_Statement] = field(default_factory=list)
    failed: bool = False  # a token neither format allows
    open: bool = False  # a bracket, statement, string or comment still open at the end
    slashed: bool = False  # "//" or "/* */" comments: HCL's, never nginx's


@once
def parses_as_blocks(text: str) -> str | None:
    """``"hcl"``, ``"nginx"`` or ``"directives"``: the form ``text`` (20,000 chars) scans as.

    See the module: one of the three forms throughout, balanced, with a block. None otherwise.
    """
    sample = text[:_SAMPLE]
    if "{" not in sample or "}" not in sample:
        return None  # no block: most texts stop here
    if _PREPROCESSOR.search(sample):
        return None  # C's "#include <x.h>" and "#define" read as comments
    if len(text) > _SAMPLE:
        sample = sample[: sample.rfind("\n") + 1]
    truncated = len(text) > _SAMPLE
    dialect = _dialect(_scan(sample), truncated=truncated)
    if dialect is None and _directive_lines(sample, truncated) is not None:
        return "directives"
    return dialect


def _directive_lines(text: str, truncated: bool = False) -> _Scan | None:
    """The statements of ``text`` read as the third form (see the module), or None.

    Each line a comment, a block's ``}`` alone, or words with ``{`` ending the line or not
    (``{`` alone at the top: Caddy's global options); no word a call, none ``=`` alone, no
    statement's name ending in ``:`` (CSS, YAML) or holding ``=`` (INI) or opening as a
    comment of theirs does (``//``, ``*``, ``%``); no line ending in ``,`` (an enum's, a
    list's) or ``;`` (a statement's in C, Java, nginx); a block holding a statement.
    ``truncated``: a sample cut from a longer text may end inside a block.
    """
    scan = _Scan()
    statements = scan.statements
    stack: list[int] = []
    for number, line in enumerate(text.split("\n")):
        if _LINE_COMMENT.fullmatch(line):
            continue
        if line.strip() == "}":
            if not stack:
                return None
            statements[stack.pop()].end_line = number
            continue
        if line.strip() == "{" and not stack:
            # Caddy's global options: a block with no head, at the top.
            statements.append(_Statement(number, number, [], -1, block=True))
            stack.append(len(statements) - 1)
            continue
        found = _DIRECTIVE_LINE.fullmatch(line)
        if found is None:
            return None
        words = found.group(1).split()
        name = words[0]
        if (
            name.endswith(":")
            or _NOT_A_NAME.match(name)
            or words[-1].endswith((",", ";"))
            or "=" in name
            or "=" in words
            or any(_CALL.search(word) for word in words if word[:1] not in '"`')
        ):
            return None
        parent = stack[-1] if stack else -1
        statements.append(_Statement(number, number, words, parent))
        if found.group("open"):
            statements[-1].block = True
            stack.append(len(statements) - 1)
    if stack and not truncated:
        return None
    held = {s.parent for s in statements if not s.block}
    return scan if any(s.block and i in held for i, s in enumerate(statements)) else None


def _dialect(scan: _Scan, truncated: bool = False) -> str | None:
    """The form every statement of ``scan`` takes, or None.

    A sample cut from a longer text may end inside a block or a string (``truncated``).
    """
    if scan.failed or (scan.open and not truncated):
        return None
    statements = scan.statements
    blocks = [s for s in statements if s.block]
    plain = [s for s in statements if not s.block]
    if not blocks or not plain:
        return None
    hcl = all(s.equals and not s.semicolon for s in plain)
    if hcl and all(_hcl_head(s.words) for s in blocks):
        return "hcl"
    if scan.slashed or any(s.words[0] in _DECLARING for s in statements if s.words):
        return None
    if all(_directive(s) for s in plain):
        return "nginx"
    return None


def _directive(s: _Statement) -> bool:
    """A statement of nginx: a name, arguments (no "="), ";" (no call, on a few lines)."""
    return (
        s.semicolon
        and not s.assigns
        and s.end - s.start < _LONG_DIRECTIVE
        and _DIRECTIVE_NAME.fullmatch(s.words[0]) is not None
    )


def _hcl_head(words: list[str]) -> bool:
    """A type and its labels: identifiers, then identifiers or strings."""
    return bool(words) and all(
        _IDENTIFIER.fullmatch(word) or (i and word[:1] == '"') for i, word in enumerate(words)
    )


def _scan(text: str) -> _Scan:
    """The statements of ``text``; ``failed`` at the first token neither format allows."""
    scan = _Scan()
    statements = scan.statements
    line = 0
    # The open brackets: for a block, the index of its statement; else -1.
    stack: list[int] = []
    current: _Statement | None = None
    depth = 0  # of the statement's own brackets, inside the innermost block
    word_end, word = -1, ""  # the last word and where it ended: "(" right after makes a call
    closed = -1  # the line of the last block's closing brace: nothing may follow it there
    position, n = 0, len(text)
    while position < n:
        found = _TOKEN.match(text, position)
        if found is None:
            scan.failed = True
            return scan
        kind, end = found.lastgroup, found.end()
        if kind == "space":
            position = end
            continue
        if kind == "comment" or kind == "block":
            scan.slashed = scan.slashed or text[position] == "/"
        if kind == "comment":
            position = end
            continue
        if kind == "block":  # a block comment: to its end
            close = text.find("*/", end)
            if close < 0:
                scan.open = True
                return scan
            line += text.count("\n", position, close)
            position = close + 2
            continue
        if kind == "newline":
            if current is not None and current.equals and depth == 0:
                current.end = line  # an attribute ends with its line
                statements.append(current)
                current = None
            elif current and not current.equals and line - current.start >= _LONG_DIRECTIVE:
                break  # a directive that does not end: no statement of either format
            line += 1
            position = end
            continue
        closing = kind == "close" and text[position] == "}" and depth == 0
        if closing and current is not None and current.equals:
            # A one-line block's attribute ("lifecycle { prevent_destroy = true }").
            current.end = line
            statements.append(current)
            current = None
        if current is None:
            if closing and stack and stack[-1] >= 0:
                statements[stack.pop()].end_line = line
                closed = line
                position = end
                continue
            if kind not in ("word", "quote") or closed == line:
                break  # "};", "} name;", or a statement opening with a bracket or "="
            parent = next((b for b in reversed(stack) if b >= 0), -1)
            current = _Statement(line, line, [], parent)
        if kind == "quote":
            after = _string_end(text, position)
            if after < 0:
                scan.open = True
                return scan
            if depth == 0:
                current.words.append(text[position:after])
            line += text.count("\n", position, after)
            position = after
            continue
        if kind == "heredoc":
            position, line = _heredoc_end(text, end, line, found.group(6))
            if position < 0:
                scan.open = True
                return scan
            continue
        if kind == "word":
            if depth == 0:
                current.words.append(found.group())
            word_end, word = end, found.group()
        elif kind == "equals" and depth == 0:
            current.assigns = True
            current.equals = current.equals or len(current.words) == 1
        elif kind == "semi" and depth == 0:
            current.semicolon = True
            current.end = line
            statements.append(current)
            current = None
        elif kind == "open":
            call = text[position] == "(" and word_end == position and _IDENTIFIER.fullmatch(word)
            if call and not current.equals:
                break  # a call in a head or a directive: a program's (most stop here)
            # "location = /x {" is nginx's head; "tags = {" and "x = a ? {" are HCL values.
            head = not current.equals or len(current.words) == 2
            if text[position] == "{" and depth == 0 and head:
                current.block, current.equals = True, False
                current.end = line
                statements.append(current)
                stack.append(len(statements) - 1)
                current = None
            else:
                depth += 1
                stack.append(-1)
        elif kind == "close":
            if not stack or stack[-1] >= 0 or depth == 0:
                break  # a bracket closing what never opened
            stack.pop()
            depth -= 1
        position = end
    else:
        if current is not None and current.equals:
            current.end = line
            statements.append(current)
            current = None
        scan.open = current is not None or bool(stack)
        return scan
    scan.failed = True
    return scan


def _string_end(text: str, start: int) -> int:
    """Where the string opening at ``start`` ends (past its quote), or -1.

    HCL's templates nest: ``"${join(",", x)}"`` holds quotes inside ``${ }``.
    """
    quote = text[start]
    i = start + 1
    nested = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if quote == '"' and c in "$%" and text.startswith("{", i + 1) and not nested:
            nested = 1
            i += 2
            continue
        if nested:
            if c == "{":
                nested += 1
            elif c == "}":
                nested -= 1
            elif c == '"':
                inner = _string_end(text, i)
                if inner < 0:
                    return -1
                i = inner
                continue
        elif c == quote:
            return i + 1
        i += 1
    return -1


def _heredoc_end(text: str, position: int, line: int, word: str) -> tuple[int, int]:
    """Where the heredoc opened before ``position`` (its opening line's end) closes.

    The position of the closing line's end and that line's number; -1 if it never closes.
    """
    while True:
        stop = text.find("\n", position + 1)
        if stop < 0:
            return -1, line
        line += 1
        if text[position + 1 : stop].strip() == word:
            return stop, line
        position = stop


def blocks_skeleton(text: str) -> Skeleton | None:
    """The skeleton of an HCL or nginx config: block heads, naming statements, short bodies."""
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    joined = "\n".join(lines) + "\n"
    scan = _scan(joined)
    scan_dialect = _dialect(scan)
    if scan_dialect is None:
        directives = _directive_lines(joined)
        if directives is None:
            return None
        scan, scan_dialect = directives, "directives"
    skeleton = Skeleton(lines, "#", repeats_as_above=False)
    statements = scan.statements
    # Only HCL's alike blocks are folded: nginx's settings in alike blocks (a map's
    # entries, each location's expires) are what each block does.
    quiet = _folded(statements, skeleton) if scan_dialect == "hcl" else {}
    owners: dict[int, int] = {-1: -1}
    for index, s in enumerate(statements):
        name = s.words[0] if s.words else ""
        if s.block:
            skeleton.keep(s.start, s.end, ALWAYS)
            owners[index] = skeleton.add_owner(Owner(_label(s.words), s.start, s.end_line, ALWAYS))
            continue
        if index in quiet:
            # Left out silently, counted by the fold's summary: all but the naming ones at
            # once, those at a harder level.
            skeleton.keep(s.start, s.end, quiet[index])
            skeleton.owner[s.start : s.end + 1] = [QUIET] * (s.end - s.start + 1)
            continue
        long_body = s.parent >= 0 and _size(statements[s.parent]) > _SHORT_BODY
        level = ALWAYS if name in _NAMING else (DROP if long_body else CONSTANT)
        if level == DROP:
            # A long body's setting, elided whole under the block's name with the comments
            # and blank lines right above it (one marker for a run of them).
            first = s.start
            while first > 0 and lines[first - 1].lstrip()[:1] in ("", "#", "/"):
                first -= 1
            skeleton.owner[first : s.end + 1] = [owners[s.parent]] * (s.end - first + 1)
            continue
        skeleton.keep(s.start, s.start, level)
        # Left out at a harder level, a statement goes under its block's name (a comment
        # between statements is counted as one, and kept where it costs less than that).
        skeleton.owner[s.start] = owners[s.parent]
        if s.end > s.start:
            if s.end - s.start < _SHORT_VALUE:
                skeleton.keep(s.start + 1, s.end, min(level, CONSTANT))
                skeleton.owner[s.start + 1 : s.end + 1] = [owners[s.parent]] * (s.end - s.start)
            else:
                value = skeleton.add_owner(Owner(name, s.start, s.end, level, function=False))
                skeleton.elide(s.start + 1, s.end, value)
    # A closing brace stays while anything of its body does.
    for index, s in enumerate(statements):
        if s.block and s.end_line > s.end:
            inner = skeleton.drop_at[s.end + 1 : s.end_line]
            skeleton.keep(s.end_line, s.end_line, max([DOC, *inner]))
            skeleton.owner[s.end_line] = owners[index]
    return skeleton


def _size(block: _Statement) -> int:
    """Lines between a block's head and its closing brace."""
    return max(0, block.end_line - block.end - 1)


def _folded(statements: list[_Statement], skeleton: Skeleton) -> dict[int, int]:
    """The statements a fold of alike sibling blocks leaves out, each with its level.

    Runs of sibling blocks of one type whose short bodies set the same keys (100 ``output``
    blocks, each a description and a value) keep their heads; their naming statements go at
    a harder level, the rest at once, counted once after the run (its summary registered).
    """
    children: dict[int, list[int]] = {}
    for index, s in enumerate(statements):
        children.setdefault(s.parent, []).append(index)
    quiet: dict[int, int] = {}
    for siblings in children.values():
        run: list[int] = []
        for index in [*siblings, -1]:
            shape = _shape(statements, children, index) if index >= 0 else None
            if run and shape is not None and shape == _shape(statements, children, run[0]):
                run.append(index)
                continue
            body = [c for block in run for c in children.get(block, [])]
            if len(run) >= _FOLD_RUN and body:
                for c in body:
                    quiet[c] = MEMBER if statements[c].words[0] in _NAMING else DROP
                first, last = statements[run[0]], statements[run[-1]]
                whose = f"the {len(run)} {first.words[0]} blocks above"
                skeleton.folds.append((first.start, last.end_line, whose))
            run = [index] if shape is not None else []
    return quiet


def _shape(
    statements: list[_Statement], children: dict[int, list[int]], index: int
) -> tuple[str, ...] | None:
    """A block's type and the keys its body sets, or None: not a short block of statements."""
    s = statements[index]
    body = children.get(index, [])
    if not s.block or _size(s) > _SHORT_BODY or any(statements[c].block for c in body):
        return None
    return (s.words[0], *sorted(statements[c].words[0] for c in body))


def _label(words: list[str]) -> str:
    """A block's name for markers and queries: its type and labels, joined by dots."""
    parts = [word.strip("\"'") for word in words] or ["block"]
    return ".".join("".join(part.split()) for part in parts if part) or "block"
