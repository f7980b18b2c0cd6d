"""Skeletons without a parser: brace languages and indentation.

The brace scanner masks strings and comments, tracks brace and bracket depth per line, and
reads each statement's header to tell a container (class, struct, impl, interface) from a
function, whose body it elides. It never needs the code to be valid: unbalanced input only
makes statements run to the end of their region. The indentation scanner does the same for
Python that does not parse.
"""

from __future__ import annotations

import re

from agent_baton.compress.code.skeleton import (
    ALWAYS,
    CONSTANT,
    DOC,
    IMPORT,
    MEMBER,
    Owner,
    Skeleton,
)

# Comments, strings and Perl's POD (`=head1` to `=cut`: documentation, read as a comment).
_MASK = re.compile(
    r"//[^\n]*|/\*.*?(?:\*/|\Z)|\"(?:\\.|[^\"\\\n])*\"?|`(?:\\.|[^`\\])*`?"
    r"|'(?:\\.[^'\n]{0,9}|[^'\\\n])'"
    r"|(?m:^)=(?:head\d|pod|over|item|begin|for|encoding)\b.*?(?:(?m:^)=cut\b[^\n]*|\Z)",
    re.S,
)
# JavaScript and TypeScript quote strings with single quotes too.
_MASK_JS = re.compile(_MASK.pattern + r"|'(?:\\.|[^'\\\n])*'", re.S)
_PERL = re.compile(r"^(?:package \w+(?:::\w+)*;|use strict;|sub \w+)", re.M)
# Comment lines: "#" then a blank or the line's end (not "#include" or "# define", Rust's
# "#[attr]", C#'s "#region"), and "//" or "/*".
_HASH_COMMENT = re.compile(
    r"^[^\S\n]*+#(?:[^\S\n]++(?!(?:define|undef|include|if|ifdef|ifndef|elif|else|endif"
    r"|pragma|error|line)\b)|$)",
    re.M,
)
_SLASH_COMMENT = re.compile(r"^[^\S\n]*+/[/*]", re.M)
_JS_HINT = re.compile(r"\b(const|let|function|export|require\(|=>)\W")
_CONTROL = re.compile(
    r"^\s*(\}\s*)?(if|else|for|while|switch|case|default|do|try|catch|finally|return|match|loop|"
    r"select|defer|go|unsafe|with|throw|await|yield|new)\b"
)
# Generic parameters end at the first ">" (nested ones are not read) and hold no "<": a scan
# from each keyword to a ">" far away was quadratic on a header like "mod<mod<mod<...".
_CONTAINER = re.compile(
    r"\b(class|interface|trait|impl|struct|enum|union|namespace|module|mod|object|record|"
    r"extension|protocol)\b(?:\s*<[^{(<>]*>)?\s*([#\w$.]*)"
)
# A protobuf schema's blocks: their fields and values are the content, so they are walked
# like a class's body, never elided like a function's.
_SCHEMA_BLOCK = re.compile(r"^\s*(message|oneof|service|extend)\s+([\w.]+)\s*$")
_FUNCTION_WORD = re.compile(r"\b(function|fn|func|def|fun|sub)\b|=>\s*\{")
# A named definition's head at a line's start (`sub name {`, `function name(`): a statement
# begun above it at its indent or deeper has ended, whatever the depth counts say (Perl's
# `'(['` strings and `#` comments are not masked and unbalance them).
_DEFINITION_HEAD = re.compile(r"^([^\S\n]*)(?:sub|function|func|fn|def)[^\S\n]+([\w$:]+)")
# A header's names are read one "=" or "(" at a time (see _assigned, _called): a pattern
# searching the whole header would rescan, from every name, up to the same "=" or "(".
_NAME = r"(?<![#\w$])([#\w$]+)"  # a whole name: one inside another would rescan it
_ASSIGN_TARGET = re.compile(_NAME + r"\s*(?::|\Z)")  # name =, name: Type =
_ASSIGN_VALUE = re.compile(r"=\s*(async\s+)?(function\b|\(|[\w$]+\s*=>)")
_CALL_TARGET = re.compile(_NAME + r"\s*\Z")  # name (
_GENERIC_CALL_TARGET = re.compile(_NAME + r"\s*<")  # name<T> (
_PERL_SUB = re.compile(r"^\s*sub\s+([\w:]+)")  # Perl's `sub name {`: no parentheses
_GO_FUNC = re.compile(r"\bfunc\b\s*(?:\([^()]*\)\s*)?([\w$]+)")
_IMPORT = re.compile(
    r"^\s*+(import\b|from\s|use\s|package\s|#include|require\b|extern\s+crate|using\s|"
    r"(const|let|var)\s[\w${},\s]+=\s*require\()"
)
_DECLARE = re.compile(r"^\s*(export\s+)?(pub(\([\w:]+\))?\s+)?(const|let|var|static|type|define)\b")
_ATTRIBUTE = re.compile(r"^\s*(@[\w.]+|#\[|#!\[)")
_PRIVATE = re.compile(r"^\s*(private\b|#|_)|^\s*fn\s")
# A function declared without a block of its own: Kotlin's ``fun f() = expr``, an interface's
# ``fun read(sink: Buffer): Long``, Rust's trait ``fn f(&self);``. Its modifiers are read
# once each (none may be the function word itself).
_BLOCKLESS_FUNCTION = re.compile(
    r"^[^\S\n]*+(?:(?!(?:fun|fn|func|function)\b)[a-z]++[^\S\n]++)*+(?:fun|fn|func|function)\b"
    r"[^(\n]*+\("
)
# Containers nested deeper than this are kept like long statements: each level rescans its
# body, and real code does not nest classes this deep.
_MAX_NESTING = 16
_CONTINUED_END = ("<", ",", "=", "|", "&", "+", "-", "*", ":", "?", "extends", "implements")
_CONTINUED_START = (">", ".", "?", "|", "&", "=>", "extends", "implements", "where")
# A Kotlin class's primary constructor on the line below its name (``class ByteString``,
# then ``internal actual constructor(``): the head goes on.
_CONSTRUCTOR_BELOW = re.compile(
    r"(?:(?:public|private|protected|internal|actual|expect)[^\S\n]+)*constructor\b"
)
_PY_DEF = re.compile(r"^(\s*)(async\s+def|def|class)\s+(\w+)")
_PY_KEEP = re.compile(r"^\s*+(import\s|from\s+\S+\s+import\s|@\w|[A-Z_][A-Z0-9_]*\s*[:=])")
_WRAPPER_SHARE = 0.7  # of a file's lines: a top-level block this big is a wrapper
# A C++ linkage block holds declarations, whatever its size: a header has several.
# Matched on a line with its indent stripped: from every blank of an indent, a search
# would rescan the blanks after it.
_DIRECTIVE = re.compile(r"#[^\S\n]*(if|ifdef|ifndef|else|elif|elifdef|elifndef|endif)\b")
_LINKAGE = re.compile(r'^\s*extern\s+"[^"]*"\s*$')


def brace_skeleton(text: str, lines: list[str]) -> Skeleton:
    """The skeleton of brace-language source (Go, Rust, Java, JS/TS, C-like)."""
    mask = _MASK_JS if len(_JS_HINT.findall(text[:20000])) >= 3 else _MASK
    masked = mask.sub(_blank, text).split("\n")
    comment = _comment(text)
    scanner = _BraceScanner(Skeleton(lines, comment), masked)
    scanner.region(0, len(lines) - 1, parent="", top=True)
    return scanner.s


def _comment(text: str) -> str:
    """The line comment the file's markers are written in: ``#`` or ``//``.

    ``#`` for Perl and for the configs with braces whose comment lines open with it
    (Caddyfile, keepalived), else ``//``.
    """
    if _PERL.search(text, 0, 20000):
        return "#"
    hashed = len(_HASH_COMMENT.findall(text, 0, 20000))
    slashed = len(_SLASH_COMMENT.findall(text, 0, 20000))
    return "#" if hashed > slashed else "//"


def _blank(match: re.Match[str]) -> str:
    token = match.group()
    if token.startswith("/*") and not token.endswith("*/"):
        # Never closed: no comment but a `/*` in other code (Perl's `s/x/*/g`), or a cut-off
        # text. Its line is blanked; the lines after it stay code, not a mask to the end.
        line, feed, rest = token.partition("\n")
        return " " * len(line) + feed + rest
    if token.startswith(("//", "/*", "=")):
        return re.sub(r"[^\n]", " ", token)
    inner = re.sub(r"[^\n]", " ", token[1:-1])
    return token[0] + inner + token[-1] if len(token) > 1 else token


def _later_branches(code: list[str]) -> set[int]:
    """The lines of conditionals' branches after their first (``#else`` to ``#endif``).

    Of a conditional's branches the first is read, as a compiler taking it would: each
    branch may open the same block (libstdc++'s constructors under ``#if __cplusplus >=
    201103L``), and counting both unbalances every statement after them. Directives that do
    not nest (an ``#endif`` with no ``#if``, an ``#if`` never closed) are no preprocessor's:
    comments of a language that starts them with ``#`` (Perl's ``# else we loop``), or a
    cut-off header. Then no line is left out.
    """
    skipped: set[int] = set()
    branches: list[bool] = []  # per open #if: past its first branch
    for i, line in enumerate(code):
        directive = _DIRECTIVE.match(line.lstrip()) if "#" in line else None
        if directive:
            word = directive.group(1)
            if word.startswith("if"):
                branches.append(False)
            elif not branches:
                return set()
            elif word == "endif":
                branches.pop()
            else:
                branches[-1] = True
        if any(branches):
            skipped.add(i)
    return set() if branches else skipped


class _BraceScanner:
    """Walks statements by brace depth and marks what each one keeps."""

    def __init__(self, skeleton: Skeleton, masked: list[str]) -> None:
        self.s = skeleton
        self.code = masked + [""] * (len(skeleton.lines) - len(masked))
        self.nesting = 0  # containers open around the region being read
        n = len(skeleton.lines)
        # Depth of braces and of (), [] at the start of each line (index n: the end).
        self.depth = [0] * (n + 1)
        self.parens = [0] * (n + 1)
        skipped = _later_branches(self.code[:n])
        for i, line in enumerate(self.code[:n]):
            if i in skipped:
                self.depth[i + 1], self.parens[i + 1] = self.depth[i], self.parens[i]
                continue
            self.depth[i + 1] = self.depth[i] + line.count("{") - line.count("}")
            self.parens[i + 1] = (
                self.parens[i] + line.count("(") + line.count("[") - line.count(")")
            ) - line.count("]")

    def region(self, start: int, end: int, parent: str, top: bool) -> None:
        """Mark the statements of lines ``start..end`` (a file or a container's body)."""
        i = start
        comments: list[int] = []
        while i <= end:
            code = self.code[i].strip()
            if not code:
                if self.s.lines[i].strip():
                    comments.append(i)
                else:
                    comments = []
                i += 1
                continue
            stmt_end, opened = self._statement(i, end)
            if opened is None:
                self._simple(i, stmt_end, top)
            else:
                self._block(i, opened, stmt_end, parent, top, comments)
            comments = []
            i = stmt_end + 1

    def _statement(self, i: int, limit: int) -> tuple[int, int | None]:
        """Last line of the statement starting at ``i`` and the line where its block opens."""
        base, pbase = self.depth[i], self.parens[i]
        opened = None
        indent = len(self.code[i]) - len(self.code[i].lstrip())
        j = i
        while j <= limit:
            if j > i and self._head_at(j, indent):
                return j - 1, opened if opened is not None and opened < j else None
            if opened is None and self.depth[j + 1] > base:
                opened = j
            if self.depth[j + 1] <= base and self.parens[j + 1] <= pbase and not self._continues(j):
                return j, opened
            j += 1
        return limit, opened

    def _head_at(self, j: int, indent: int) -> bool:
        """Whether line ``j`` opens a named definition at ``indent`` or less."""
        head = _DEFINITION_HEAD.match(self.code[j])
        return head is not None and len(head.group(1)) <= indent

    def _continues(self, j: int) -> bool:
        """Whether a statement goes on past line ``j`` (generics, operators, a trailing comma)."""
        if j + 1 >= len(self.code):
            return False
        ends = self.code[j].rstrip()
        after = self.code[j + 1].lstrip()
        # A block opened on the line below its header (``namespace std``, then ``{``).
        opens_below = after.startswith("{") and not ends.endswith((";", "{", "}"))
        return (
            ends.endswith(_CONTINUED_END)
            or after.startswith(_CONTINUED_START)
            or opens_below
            or (after[:1].isalpha() and _CONSTRUCTOR_BELOW.match(after) is not None)
        )

    def _simple(self, i: int, j: int, top: bool) -> None:
        first = self.s.lines[i]
        if _BLOCKLESS_FUNCTION.match(self.code[i]):
            # Ranked as a function with a block is (its head what the file offers), not as
            # a field: 53 of 60 heads of okio's ByteString.kt went with its fields' level.
            private = _PRIVATE.match(first)
            self._long_statement(i, j, ALWAYS if top else (MEMBER if private else CONSTANT))
        elif _IMPORT.match(first):
            self.s.keep(i, j, IMPORT)
        elif _ATTRIBUTE.match(first):
            self.s.keep(i, j, MEMBER)
        else:
            drop_at = CONSTANT if top and _DECLARE.match(first) else MEMBER
            self._long_statement(i, j, drop_at)

    def _long_statement(self, i: int, j: int, drop_at: int) -> None:
        """Short statements whole; a long one by its first lines, the rest under a marker."""
        if j - i <= 12:
            self.s.keep(i, j, drop_at)
            return
        self.s.keep(i, i + 5, drop_at)
        self.s.keep(j, j, drop_at)
        name = _statement_name(self.code[i])
        owner = self.s.add_owner(Owner(name, i, j, drop_at, function=False))
        self.s.elide(i + 6, j - 1, owner)

    def _block(
        self, i: int, opened: int, j: int, parent: str, top: bool, comments: list[int]
    ) -> None:
        header = " ".join(self.code[k].strip() for k in range(i, opened + 1))
        head = header.split("{", 1)[0]
        container = _SCHEMA_BLOCK.match(head) or _CONTAINER.search(head.split("(", 1)[0])
        name = _function_name(head)
        anonymous = name in (None, "function") or head.lstrip()[:1] in ("(", "!", ";")
        wrapper = top and (
            _LINKAGE.match(head) is not None
            or (anonymous and j - i > max(12, _WRAPPER_SHARE * len(self.s.lines)))
        )
        if wrapper and self.nesting < _MAX_NESTING:
            # extern "C" { ... }, a namespace, a module wrapper: a block around most of the
            # file holds its declarations, so it is walked, never elided whole.
            self._doc(comments, ALWAYS)
            self.s.keep(i, opened, ALWAYS)
            self.s.keep(j, j, ALWAYS)
            self.nesting += 1
            self.region(opened + 1, j - 1, parent=parent, top=True)
            self.nesting -= 1
            return
        if container and not _CONTROL.match(head) and self.nesting < _MAX_NESTING:
            drop_at = ALWAYS if top else CONSTANT
            name = container.group(2) or container.group(1)
            self._doc(comments, drop_at)
            self.s.add_owner(Owner(name, i, j, drop_at, function=False, parent=parent))
            self.s.keep(i, opened, drop_at)
            self.s.keep(j, j, drop_at)
            self.nesting += 1
            self.region(opened + 1, j - 1, parent=name, top=False)
            self.nesting -= 1
            return
        if name is None:
            self._long_statement(i, j, CONSTANT if top and _DECLARE.match(head) else MEMBER)
            return
        private = _PRIVATE.match(self.s.lines[i])
        drop_at = ALWAYS if top else (MEMBER if private else CONSTANT)
        self._doc(comments, drop_at)
        owner = self.s.add_owner(Owner(name, i, j, drop_at, parent=parent))
        self.s.keep(i, opened, drop_at)
        if j > opened:
            self.s.keep(j, j, drop_at)
            self.s.elide(opened + 1, j - 1, owner)

    def _doc(self, comments: list[int], drop_at: int) -> None:
        """The first line with words of the comment right above a declaration."""
        for k in comments:
            if re.search(r"\w{2}", self.s.lines[k]):
                self.s.keep(k, k, min(DOC, drop_at))
                return


def _function_name(head: str) -> str | None:
    """The declared function's name, or None when the header is not a function's."""
    sub = _PERL_SUB.match(head)
    if sub:
        return sub.group(1)
    if _CONTROL.match(head) or "(" not in head:
        return None
    go = _GO_FUNC.search(head)
    if go:
        return go.group(1)
    assigned = _assigned(head)
    if assigned and (_FUNCTION_WORD.search(head) or "=>" in head):
        return assigned
    before = head.split("(", 1)[0]
    if "=" in before and not _FUNCTION_WORD.search(head):
        return None  # a call whose result is assigned: const x = make({
    return _called(head)


def _assigned(head: str) -> str | None:
    """The first name assigned a function: ``f = function``, ``f: T = (``, ``f = x =>``.

    Every name between two "=" reaches the second with the same value after it, so each
    stretch is read once: its first name followed by ":" or by the "=" itself.
    """
    start = 0
    while (equals := head.find("=", start)) >= 0:
        target = _ASSIGN_TARGET.search(head, start, equals)
        if target and _ASSIGN_VALUE.match(head, equals):
            return target.group(1)
        start = equals + 1
    return None


def _called(head: str) -> str | None:
    """The first name called: the name right before a "(", or before its ``<T>`` and "("."""
    start = 0
    while (paren := head.find("(", start)) >= 0:
        generic = head[start:paren].rstrip().endswith(">")
        target = (_GENERIC_CALL_TARGET if generic else _CALL_TARGET).search(head, start, paren)
        if target:
            return target.group(1)
        start = paren + 1
    return None


def _statement_name(code: str) -> str:
    words = re.findall(r"[#\w$]+", code.split("=", 1)[0])
    keywords = {"export", "const", "let", "var", "static", "pub", "type", "final", "public"}
    names = [w for w in words if w not in keywords]
    return names[-1] if names else "statement"


def indent_skeleton(lines: list[str]) -> Skeleton:
    """The skeleton of indentation-structured code (Python that does not parse)."""
    s = Skeleton(lines, "#")
    stack: list[tuple[int, int]] = []  # (indent, owner) of the open definitions
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        while stack and indent <= stack[-1][0]:
            stack.pop()
        match = _PY_DEF.match(line)
        if match and not (stack and not _is_class(s, stack[-1][1])):
            top = not stack
            name = match.group(3)
            drop_at = ALWAYS if top else (MEMBER if name.startswith("_") else CONSTANT)
            owner = s.add_owner(
                Owner(name, i, _block_end(lines, i, indent), drop_at, match.group(2) != "class")
            )
            s.keep(i, i, drop_at)
            stack.append((indent, owner))
        elif stack and not _is_class(s, stack[-1][1]):
            s.elide(i, i, stack[-1][1])
        elif _PY_KEEP.match(line) or (not stack and not line[:1].isspace()):
            s.keep(i, i, IMPORT if re.match(r"\s*(import|from)\s", line) else MEMBER)
    return s


def _is_class(s: Skeleton, owner: int) -> bool:
    return not s.owners[owner].function


def _block_end(lines: list[str], i: int, indent: int) -> int:
    end = i
    for j in range(i + 1, len(lines)):
        if lines[j].strip():
            if len(lines[j]) - len(lines[j].lstrip()) <= indent:
                break
            end = j
    return end
