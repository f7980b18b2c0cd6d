"""Source code: keep the skeleton (imports, signatures, docstring first lines, constants).

Python is parsed with the standard ``ast`` module, so spans are exact and signatures keep
their original text (decorators and type hints included). Other languages (Go, Rust, Java,
JavaScript, TypeScript, C, C++, C#, Kotlin, Swift, Ruby, PHP, shell) are parsed with
tree-sitter (:mod:`agent_baton.compress.code.grammar`), the grammar the key's extension names
first; what no grammar parses goes through the scanners of
:mod:`agent_baton.compress.code.fallback`. Function
bodies are elided with a marker naming the function; with a query, the functions it names or
matches stay whole.
"""

from __future__ import annotations

import ast
import re

from agent_baton.compress.code.blame import compress_blame, parse_blame
from agent_baton.compress.code.blocks import blocks_skeleton, parses_as_blocks
from agent_baton.compress.code.diff import diff_lines
from agent_baton.compress.code.dockerfile import dockerfile_skeleton, parses_as_dockerfile
from agent_baton.compress.code.fallback import brace_skeleton, indent_skeleton
from agent_baton.compress.code.grammar import (
    detect_language,
    grammar_skeleton,
    language_for_key,
    parses_as_named,
    parses_with_grammar,
    ungrammared_key,
)
from agent_baton.compress.code.graphql import compress_sdl, parse_sdl
from agent_baton.compress.code.makefile import makefile_skeleton, parses_as_makefile
from agent_baton.compress.code.skeleton import (
    ALWAYS,
    CONSTANT,
    DOC,
    IMPORT,
    MEMBER,
    Owner,
    Skeleton,
)
from agent_baton.compress.memo import once
from agent_baton.compress.prose import cut_line
from agent_baton.compress.request import Request

# A line of code by how it starts (a keyword, a comment, a closing bracket, an assignment,
# a call alone) or by how it ends (see _CODE_ENDS). Matched at the line's start only: a
# search would try every alternative at every character.
_CODE_START = re.compile(
    r"\s*(import\s|from\s+\S+\s+import\s|(async\s+)?def\s|class\s|@\w|#include|#\[|package\s|"
    r"func\s|(pub(\(\w+\))?\s+)?(fn|struct|enum|trait|impl|mod|use)\b|let\s|const\s|var\s|"
    r"function\b|export\s|return\b|public\s|private\s|protected\s|static\s|//|/\*|\*|\}|\)|"
    r"(if|for|while|switch|else|try|except|catch)\b)"
    r"|\s*[\w.$\[\]]+\s*[-+*/|&]?=\s*\S|\s*[\w.$]+\(.*\)\s*$|\s+\w+ [\w.*\[\]]+$"
)
# The last character (blanks aside) of a line that opens or closes a block, ends a
# statement, or continues a list, a call or a Python header.
_CODE_ENDS = frozenset("{};,(:")
# "^[^\S\n]*", not "^\s*": the indent of one line; "\s*" would rescan a run of blank lines
# from each of its line starts (n²). Counts are the same: a match just starts lower.
_PYTHON_HINT = re.compile(r"^([^\S\n]*)((async\s+)?def|class|import|from\s+\S+\s+import)\b", re.M)
# The same at a line start after the first: found from the line feed, which re looks for
# far faster than it tries "^" at every character.
_PYTHON_LINE = re.compile(r"\n[^\S\n]*(?:(?:async\s+)?def|class|import|from\s+\S+\s+import)\b")
# A line that assigns a display to a name ("LEXERS = {", "KEYWORDS = ("): a data module's.
# A module that opens a text joined with more: lines at least, share of the characters.
_MIN_PROGRAM = 5
_PROGRAM_SHARE = 0.5
_DATA_LINE = re.compile(r"^[A-Za-z_]\w*(?:[^\S\n]*:[^=\n]+)?[^\S\n]*=[^\S\n]*[\[{(]", re.M)
_DISPLAYS = (ast.Dict, ast.List, ast.Tuple, ast.Set)
_DATA_SHARE = 0.5  # of a module's characters in displays assigned to names: a data module
_WIDE = 1_000  # characters of a display on one line that make it a table
_CUT = 300  # characters such a line keeps, before a marker saying how many more it had
_BRACE_HINT = re.compile(r"[{};]\s*$", re.M)
_PROTO_SYNTAX = re.compile(r'^syntax = "proto[23]";', re.M)  # a protobuf schema's first statement
_CMAKE_DEFINITION = re.compile(r"^[^\S\n]*+(?:function|macro)[^\S\n]*\(", re.I)
_LINE_END = re.compile(r"\r\n|\r|\n")
# A line that says something: a docstring's first line that is more than its quotes.
_WORDS = re.compile(r"\w{2}")
# Grammars of languages whose blocks are braces (not Ruby's or the shell's keywords).
_BRACE_GRAMMARS = frozenset(
    [
        "go",
        "rust",
        "java",
        "javascript",
        "typescript",
        "tsx",
        "c",
        "cpp",
        "csharp",
        "kotlin",
        "swift",
        "php",
    ]
)
# Extensions of C and C++ headers: C or C++ is for the parse to tell.
_HEADERS = frozenset(("h", "hh", "hpp", "hxx"))


@once
def looks_like_code(text: str) -> bool:
    """Whether most sampled lines look like source code rather than prose or data."""
    lines = [line for line in text[:8000].splitlines()[:200] if line.strip()]
    if len(lines) < 5:
        return False
    code = sum(1 for line in lines if _code_line(line))
    prose = sum(1 for line in lines if _is_prose_line(line))
    return code >= 0.45 * len(lines) and code > 2 * prose


def _code_line(line: str) -> bool:
    return _CODE_START.match(line) is not None or line.rstrip()[-1:] in _CODE_ENDS


def _is_prose_line(line: str) -> bool:
    stripped = line.strip()
    return (
        len(stripped.split()) >= 8
        and stripped[:1].isalpha()
        and not _BRACE_HINT.search(stripped)
        and stripped[-1:] in ".:?!"
    )


def compress_code(text: str, request: Request) -> tuple[str, str] | None:
    """Elide function bodies and keep the skeleton; None if the text is not code."""
    diff = diff_lines(text, request)  # a diff parses as one, whatever it changes
    if diff is not None:
        return diff, "code:diff"
    if parse_blame(text) is not None:  # source under git blame's prefixes: read as source
        blamed = compress_blame(text, request, compress_code)
        return (blamed, "code:blame") if blamed is not None else None
    if parse_sdl(text) is not None:
        schema = compress_sdl(text, request)
        return (schema, "code:graphql") if schema is not None else None
    script = text.startswith("#!")  # a shebang names an interpreter: a script
    signs = (
        script
        or parses_as_makefile(text)
        or parses_as_dockerfile(text)
        or parses_as_blocks(text)
        or looks_like_code(text)
        or parses_as_python(text)
        or detect_language(text)
        or parses_as_named(text, request.name)
    )
    # A header of macros and prototypes has few signs of code; named a header, its parse says.
    header = None if signs else _header_language(text, request.name)
    if not (signs or header):
        return None
    skeleton, name = _skeleton(text, request.name, header)
    if skeleton is None:
        return None
    request.check_time()
    out = skeleton.render(request.query, request.level, request.key)
    if out is not None and out == "\n".join(skeleton.lines):
        return text, name  # no cut paid for its marker: source, left as it was
    return (out, name) if out is not None else None


def _header_language(text: str, key: str | None) -> str | None:
    """C or C++ for a text its key names a header (``.h``, ``.hpp``) and that grammar parses."""
    if not key or key.rsplit(".", 1)[-1].lower() not in _HEADERS:
        return None
    return next((name for name in ("c", "cpp") if parses_with_grammar(text, name)), None)


def _skeleton(text: str, key: str | None, header: str | None = None) -> tuple[Skeleton | None, str]:
    # ast counts only \n, \r and \r\n as line ends (str.splitlines also splits on \x0c,
    # \x85, \u2028, ...): split the same way, so line numbers match.
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    python = len(_PYTHON_HINT.findall(text[:20000]))
    braces = len(_BRACE_HINT.findall(text[:20000]))
    if parses_as_makefile(text):  # rules' heads, variables and directives
        made = makefile_skeleton(text)
        if made is not None:
            return made, "code:make"
    if parses_as_dockerfile(text):  # every instruction's first line; long RUNs elided
        built = dockerfile_skeleton(text)
        if built is not None:
            return built, "code:dockerfile"
    dialect = parses_as_blocks(text)
    if dialect is not None:  # block heads and the statements naming things; long bodies elided
        configured = blocks_skeleton(text)
        if configured is not None:
            return configured, f"code:{dialect}"
    if _cmake(key):  # commands: top-level ones, and every function() and macro() head
        skeleton = indent_skeleton(lines)
        for i, line in enumerate(lines):
            if _CMAKE_DEFINITION.match(line):
                skeleton.keep(i, i, ALWAYS)
        return skeleton, "code:lines"
    # Perl, a protobuf schema: no grammar here reads them, and their signs pass for others'.
    if braces and (ungrammared_key(key) or _PROTO_SYNTAX.search(text, 0, 20000)):
        return brace_skeleton(text, lines), "code:braces"
    hinted = header or language_for_key(key)  # the key's extension names a grammar
    if hinted is not None:
        parsed_tree = grammar_skeleton(text, lines, hinted)
        if parsed_tree is not None:
            return parsed_tree[0], f"code:tree-sitter:{hinted}"
    if (python and python * 3 >= braces) or parses_as_python(text):
        parsed = python_skeleton(text, lines)
        if parsed is not None:
            return parsed, "code:python-ast"
    if hinted in _BRACE_GRAMMARS:
        # Named a brace language its grammar could not read whole (a construct it lacks):
        # its blocks are braces still, whatever its `import` lines look like to Python's signs.
        return brace_skeleton(text, lines), "code:braces"
    # Brace languages, and Ruby and shell, whose grammar the signs name.
    parsed_tree = None if ungrammared_key(key) else grammar_skeleton(text, lines)
    if parsed_tree is not None:
        skeleton, language = parsed_tree
        return skeleton, f"code:tree-sitter:{language}"
    if python and python * 3 >= braces:
        return indent_skeleton(lines), "code:python-lines"
    if braces:
        return brace_skeleton(text, lines), "code:braces"
    return indent_skeleton(lines), "code:lines"


def _cmake(key: str | None) -> bool:
    """Whether a key names a CMake file (``FindGTest.cmake``, ``CMakeLists.txt``)."""
    return key is not None and key.lower().endswith((".cmake", "cmakelists.txt"))


@once
def parses_as_python(text: str) -> bool:
    """Whether ``text`` is a Python module: it parses and defines or imports something.

    Or it is a data module (pygments' ``_mapping.py``, ``html.entities``): literal tables
    assigned to names make up most of it.
    """
    hinted = _python_hint(text[:20000]) or _python_hint(text[-20000:])
    if not (hinted or _DATA_LINE.search(text, 0, 20000)):
        return False
    tree = _parse(text)
    if tree is None:
        return False
    return (hinted and any(isinstance(stmt, _DEFINITIONS) for stmt in tree.body)) or _data_module(
        tree, text
    )


@once
def program_lines(text: str) -> int:
    """How many lines of a Python module open ``text`` when something else follows; or 0.

    A tool's result joined with the next one's (AutoGen's ToolCallSummaryMessage joins a
    module's source and an error with a newline): the text fails to parse where the module
    ends, and the lines before that parse, define or import something and make up most of it.
    """
    if not _python_hint(text[:20000]):
        return 0
    failed = _parsed(text)  # detection has parsed it: where it failed, if it did
    if not isinstance(failed, int) or not failed:
        return 0  # all of it parses (a module), or no Python at all
    end = failed - 1
    lines = text.split("\n")
    prefix = "\n".join(lines[:end])
    if end < _MIN_PROGRAM or len(prefix) < _PROGRAM_SHARE * len(text):
        return 0
    tree = _parse(prefix)
    if tree is None or not any(isinstance(stmt, _DEFINITIONS) for stmt in tree.body):
        return 0
    # Data after the module that parses as an expression (a JSON result) is not the module's.
    while (
        tree.body
        and isinstance(tree.body[-1], ast.Expr)
        and isinstance(tree.body[-1].value, _DISPLAYS)
    ):
        end = tree.body.pop().lineno - 1
    return end


def _python_hint(text: str) -> bool:
    """Whether a line of ``text`` opens with a definition or an import."""
    return _PYTHON_HINT.match(text) is not None or _PYTHON_LINE.search(text) is not None


def _data_module(tree: ast.Module, text: str) -> bool:
    """Whether displays of rows (a line each) assigned to names fill half of the text.

    Lists, tuples, sets and dicts count. A text that parses as Python by chance (``key = 1``
    settings, one expression of words) holds no such tables; a generated table module holds
    little else. A short display on one line is no table of rows; a long one is a generated
    table written on one line (pygments' ``_cocoa_builtins.py``: sets of thousands of names).
    """
    starts = [0]
    for line in _LINE_END.split(text):
        starts.append(starts[-1] + len(line) + 1)
    size = 0
    for stmt in tree.body:
        value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
        last = value.end_lineno if isinstance(value, _DISPLAYS) else None
        if value is None or last is None:
            continue
        wide = last == value.lineno and (value.end_col_offset or 0) >= _WIDE
        if last - value.lineno >= 2 or wide:
            end = starts[last - 1] + (value.end_col_offset or 0)
            size += end - (starts[value.lineno - 1] + value.col_offset)
    return size >= _DATA_SHARE * len(text)


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)


@once
def _parsed(text: str) -> ast.Module | int:
    """The syntax tree of ``text``, or the line of its syntax error (0: it failed otherwise).

    Detection, the skeleton and :func:`program_lines` (which reads where a module ends)
    share the one parse.
    """
    try:
        return ast.parse(text)
    except SyntaxError as error:
        return error.lineno or 1
    except (ValueError, RecursionError, MemoryError):
        return 0


def _parse(text: str) -> ast.Module | None:
    """The syntax tree of ``text``, or None."""
    parsed = _parsed(text)
    return parsed if isinstance(parsed, ast.Module) else None


def python_skeleton(text: str, lines: list[str]) -> Skeleton | None:
    """The skeleton of Python source from its syntax tree; None when it does not parse."""
    tree = _parse(text)
    if tree is None:
        return None
    skeleton = Skeleton(lines, "#")
    _Visitor(skeleton).body(tree.body, parent="")
    return skeleton


class _Visitor:
    """Marks the lines of one module: which to keep at which level, which bodies to elide."""

    def __init__(self, skeleton: Skeleton) -> None:
        self.s = skeleton

    def body(self, statements: list[ast.stmt], parent: str) -> None:
        top = not parent
        for index, stmt in enumerate(statements):
            start, end = stmt.lineno - 1, (stmt.end_lineno or stmt.lineno) - 1
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.function(stmt, parent)
            elif isinstance(stmt, ast.ClassDef):
                self.klass(stmt, parent)
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self.s.keep(start, end, IMPORT)
            elif index == 0 and _docstring(stmt):
                if _WORDS.search(self.s.lines[start]):
                    self.s.keep(start, start, DOC)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                self.assignment(stmt, start, end, CONSTANT if top else MEMBER)
            elif isinstance(stmt, (ast.If, ast.Try, ast.With)) and end - start > 12:
                # A long block: its header, and the imports or definitions inside it.
                self.s.keep(start, start, MEMBER)
                self.body(stmt.body, parent)
            else:
                self.s.keep(start, end if end - start <= 12 else start, MEMBER)

    def assignment(self, stmt: ast.stmt, start: int, end: int, drop_at: int) -> None:
        names = [t.id for t in _targets(stmt) if isinstance(t, ast.Name)]
        if "__all__" in names:
            self.s.keep(start, end, IMPORT)
            return
        self.s.keep(start, start, drop_at)
        if start == end and len(self.s.lines[start]) > _WIDE:
            # A generated table on one line: its start says what it holds.
            self.s.lines[start] = cut_line(self.s.lines[start], _CUT)
            self.s.cut += 1
            return
        if end - start <= 5:
            self.s.keep(start + 1, end, DOC)
        else:
            owner = Owner(names[0] if names else "value", start, end, drop_at, function=False)
            self.s.elide(start + 1, end, self.s.add_owner(owner))

    def function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, parent: str) -> None:
        start = min([d.lineno for d in node.decorator_list] + [node.lineno]) - 1
        end = (node.end_lineno or node.lineno) - 1
        header_end = _header_end(node)
        if not parent:
            drop_at = ALWAYS
        else:
            drop_at = MEMBER if node.name.startswith("_") and node.name != "__init__" else CONSTANT
        index = self.s.add_owner(Owner(node.name, start, end, drop_at, parent=parent))
        self.s.keep(start, header_end, drop_at)
        first = header_end + 1
        doc = node.body[0]
        # A docstring that opens with its quotes alone says nothing on its first line: it
        # goes with the body (its summary, on the next line, with the rest).
        if (
            _docstring(doc)
            and doc.lineno - 1 > header_end
            and _WORDS.search(self.s.lines[doc.lineno - 1])
        ):
            self.s.keep(doc.lineno - 1, doc.lineno - 1, min(DOC, drop_at))
            first = doc.end_lineno or doc.lineno
            if len(node.body) == 1:
                return  # nothing but the docstring: its other lines go silently
        self.s.elide(first, end, index)

    def klass(self, node: ast.ClassDef, parent: str) -> None:
        start = min([d.lineno for d in node.decorator_list] + [node.lineno]) - 1
        end = (node.end_lineno or node.lineno) - 1
        header_end = _header_end(node)
        self.s.add_owner(Owner(node.name, start, end, ALWAYS, function=False, parent=parent))
        self.s.keep(start, header_end, ALWAYS if not parent else CONSTANT)
        self.body(node.body, parent=node.name)


def _header_end(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> int:
    """Last line of the signature: the line before the body, or the def line itself."""
    first_body = node.body[0].lineno - 1
    return max(node.lineno - 1, first_body - 1)


def _docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _targets(stmt: ast.stmt) -> list[ast.expr]:
    if isinstance(stmt, ast.Assign):
        return stmt.targets
    if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        return [stmt.target]
    return []
