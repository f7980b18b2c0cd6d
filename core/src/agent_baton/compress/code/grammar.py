"""Skeletons of brace-language source from a tree-sitter syntax tree.

``tree-sitter`` and the per-language grammar wheels are core dependencies, imported on first
use. Go, Rust, Java, JavaScript, TypeScript, C and C++ are told apart by cheap patterns,
parsed, and their lines marked the way the brace scanner of
:mod:`agent_baton.compress.code.fallback` marks them, but from exact spans: strings, regular
expressions, generics and ``where`` clauses cannot confuse it. Whenever the answer is not
clear (no grammar installed, an unknown or mixed language, a parse that is mostly errors, any
exception) it returns None and the caller uses the brace scanner. A top-level block around
most of the file (a UMD or CommonJS wrapper, ``extern "C"``) is walked, never elided whole.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import re
from collections.abc import Iterator
from typing import Any, Literal, Protocol

from agent_baton.compress.code.skeleton import (
    ALWAYS,
    CONSTANT,
    DOC,
    IMPORT,
    MEMBER,
    Owner,
    Skeleton,
)
from agent_baton.compress.gated import gated
from agent_baton.compress.memo import once


class _Node(Protocol):
    """The part of ``tree_sitter.Node`` this module reads."""

    @property
    def type(self) -> str: ...
    @property
    def start_byte(self) -> int: ...
    @property
    def start_point(self) -> tuple[int, int]: ...
    @property
    def end_point(self) -> tuple[int, int]: ...
    @property
    def children(self) -> list[_Node]: ...
    @property
    def named_children(self) -> list[_Node]: ...
    @property
    def has_error(self) -> bool: ...
    @property
    def is_missing(self) -> bool: ...
    @property
    def text(self) -> bytes | None: ...
    def child_by_field_name(self, name: str, /) -> _Node | None: ...


@dataclasses.dataclass(frozen=True)
class _Grammar:
    """One language: where its grammar lives and what its node types mean here."""

    module: str  # the grammar wheel's module
    function: str  # its function returning the language pointer
    imports: frozenset[str]  # kept whole at IMPORT
    functions: frozenset[str]  # a body (field "body") to elide; a signature without one
    containers: frozenset[str]  # a body whose members are marked one by one
    declarations: frozenset[str]  # constants and types: CONSTANT at the top level
    wrappers: frozenset[str] = frozenset()  # export/declare: the declaration is inside
    flatten: frozenset[str] = frozenset()  # member lists nested in a container's body
    signatures: frozenset[str] = frozenset()  # bodiless method declarations


def _types(names: str) -> frozenset[str]:
    return frozenset(names.split())


_JS_FUNCTIONS = "function_declaration generator_function_declaration method_definition"
_TS_TYPES = (
    "class_declaration abstract_class_declaration interface_declaration enum_declaration "
    "internal_module module"
)
_TS_DECLARATIONS = "lexical_declaration variable_declaration type_alias_declaration"
_TS_SIGNATURES = "function_signature method_signature abstract_method_signature"

_GRAMMARS = {
    "go": _Grammar(
        "tree_sitter_go",
        "language",
        imports=_types("package_clause import_declaration"),
        functions=_types("function_declaration method_declaration"),
        containers=_types("type_declaration"),
        declarations=_types("const_declaration var_declaration type_declaration"),
        signatures=_types("method_elem method_spec"),
    ),
    "rust": _Grammar(
        "tree_sitter_rust",
        "language",
        imports=_types("use_declaration extern_crate_declaration mod_item"),
        functions=_types("function_item function_signature_item"),
        containers=_types(
            "struct_item enum_item union_item trait_item impl_item mod_item foreign_mod_item"
        ),
        declarations=_types("const_item static_item type_item struct_item"),
    ),
    "java": _Grammar(
        "tree_sitter_java",
        "language",
        imports=_types("package_declaration import_declaration"),
        functions=_types(
            "method_declaration constructor_declaration compact_constructor_declaration"
        ),
        containers=_types(
            "class_declaration interface_declaration enum_declaration record_declaration "
            "annotation_type_declaration"
        ),
        declarations=_types("field_declaration constant_declaration"),
        flatten=_types("enum_body_declarations"),
    ),
    "javascript": _Grammar(
        "tree_sitter_javascript",
        "language",
        imports=_types("import_statement"),
        functions=_types(_JS_FUNCTIONS),
        containers=_types("class_declaration class"),
        declarations=_types("lexical_declaration variable_declaration"),
        wrappers=_types("export_statement"),
    ),
    "typescript": _Grammar(
        "tree_sitter_typescript",
        "language_typescript",
        imports=_types("import_statement import_alias"),
        functions=_types(_JS_FUNCTIONS),
        containers=_types(_TS_TYPES + " class"),
        declarations=_types(_TS_DECLARATIONS),
        wrappers=_types("export_statement ambient_declaration"),
        signatures=_types(_TS_SIGNATURES),
    ),
}
_GRAMMARS["tsx"] = dataclasses.replace(_GRAMMARS["typescript"], function="language_tsx")
# Conditional compilation (include guards, #ifdef __cplusplus) wraps whole headers: its
# branches are walked as if they were the file.
_PREPROCESSOR = "preproc_ifdef preproc_if preproc_else preproc_elif preproc_elifdef"
_GRAMMARS["c"] = _Grammar(
    "tree_sitter_c",
    "language",
    imports=_types("preproc_include"),
    functions=_types("function_definition"),
    # extern "C" { ... }: a block around declarations, never a body to elide whole.
    containers=_types("linkage_specification struct_specifier union_specifier enum_specifier"),
    declarations=_types("declaration type_definition preproc_def preproc_function_def"),
    flatten=_types(_PREPROCESSOR),
)
_GRAMMARS["cpp"] = dataclasses.replace(
    _GRAMMARS["c"],
    module="tree_sitter_cpp",
    imports=_types("preproc_include using_declaration namespace_alias_definition"),
    containers=_GRAMMARS["c"].containers | _types("namespace_definition class_specifier"),
    declarations=_GRAMMARS["c"].declarations | _types("alias_declaration field_declaration"),
    wrappers=_types("template_declaration"),
    flatten=_GRAMMARS["c"].flatten | _types("access_specifier_list"),
)

_COMMENTS = frozenset({"comment", "line_comment", "block_comment"})
# Siblings that belong to the declaration after them (Rust attributes, TS member decorators).
_ATTRIBUTES = frozenset({"attribute_item", "decorator"})
_HINT = re.compile(r"#\[(inline|doc\(hidden\)|cfg_attr\(docsrs|must_use|allow\(|rustfmt::)")
# Values that make `const f = ...`, `x.f = ...` or a class field a function or a class.
_FUNCTION_VALUES = frozenset(
    {"arrow_function", "function_expression", "function", "generator_function"}
)
_BLOCK_BODIES = frozenset({"statement_block", "block"})
_WRAPPER_BODIES = _BLOCK_BODIES | {"declaration_list", "compound_statement", "class_body"}
_WRAPPER_SHARE = 0.7  # of a file's lines: a top-level block this big is a wrapper

# Cheap per-language signs, counted on the first 20,000 characters. An indent is
# "[^\S\n]*", not "\s*", which would rescan a run of blank lines from each of its line
# starts (n²; a match just starts lower, so counts are the same), and no two repeats may
# take the same characters.
_INDENT = r"^[^\S\n]*"
_SIGNS = {
    "go": re.compile(
        r"^package [a-z_]\w*\s*$|^func (\(\w+ \*?[\w.\[\], ]+\) )?\w+(\[[^\]]{0,200}\])?\("
        r"|^import \($|^type \w+ (struct|interface) \{|"
        + _INDENT
        + r"[\w,][\w, ]* := |\berr != nil\b",
        re.M,
    ),
    "rust": re.compile(
        _INDENT + r"(pub(\([\w:]+\))? )?((async|const|unsafe|extern \"C\") )*fn \w+"
        r"|" + _INDENT + r"(pub(\([\w:]+\))? )?(use|mod) \w+(::|;| \{)|" + _INDENT + r"impl\b"
        r"|" + _INDENT + r"#!?\[\w+|\blet (mut )?\w+|&(mut )?self\b"
        r"|" + _INDENT + r"(pub(\([\w:]+\))? )?(struct|enum|trait) \w+",
        re.M,
    ),
    "java": re.compile(
        r"^package [\w.]+;|^import (static )?[\w.]+(\.\*)?;"
        # One modifier, then the type: it takes any further modifiers itself.
        r"|" + _INDENT + r"(public|private|protected|static|final|abstract|synchronized) "
        r"[\w<>\[\], ]+ \w+\("
        r"|" + _INDENT + r"((public|private|protected|static|final|abstract) )*"
        r"(class|interface|enum|record) "
        r"|" + _INDENT + r"@(Override|Test|Autowired|Nullable)\b|\bSystem\.\w+\.",
        re.M,
    ),
    "c": re.compile(
        r"^#include\s*[<\"][\w/.]+\.h[>\"]|^#define \w|" + _INDENT + r"typedef\b|^extern \"C\""
        r"|^(static |extern |inline |const )*(unsigned |signed )?(void|int|char|long|short|double"
        r"|float|size_t|bool|\w+_t|struct \w+) \**\w+\(",
        re.M,
    ),
    "js": re.compile(
        _INDENT + r"(export )?const [\w${}\[\], ]+ =|" + _INDENT + r"(export (default )?)?"
        r"(async )?function\b|=> \{?$|\brequire\(|\bmodule\.exports\b|^import .* from ['\"]"
        r"|^export \w|\bconsole\.",
        re.M,
    ),
}
# Outside comments (JSDoc writes types too): declarations, annotations, modifiers.
_TS_SIGNS = re.compile(
    r"^(?![^\S\n]*(?:\*|//|/\*))[^\n]*?(?:"
    + _INDENT
    + r"(export )?(declare )?(interface|type|enum|namespace|abstract class) \w+"
    r"|\w\??: (string|number|boolean|void|any|unknown|never)\b|^import type\b|\bas const\b"
    r"|" + _INDENT + r"(private|public|protected|readonly) (readonly )?#?\w+\??[:(]"
    r"|\): [\w<>\[\]|]+ \{$)",
    re.M,
)
_JSX = re.compile(r"</[A-Za-z][\w.]*>|<[A-Za-z][\w.]*(\s[^<>]*)?/>")
# C++ rather than C: namespaces, templates, classes, the standard library.
_CPP_SIGNS = re.compile(
    _INDENT + r"(namespace \w+|template\s*<|class \w+[^;]*\{|(public|private|protected):)"
    r"|\bstd::|^#include <\w+>$",
    re.M,
)
# Signs of brace languages without a grammar here (C#, Kotlin, Swift, PHP, Scala).
_OTHER_SIGNS = re.compile(
    r"^using [\w.]+;|" + _INDENT + r"(fun|val|object) \w|^<\?php"
    r"|^import (Foundation|UIKit|SwiftUI)\b|" + _INDENT + r"func \w+.*\) (throws )?-> "
    r"|" + _INDENT + r"case class ",
    re.M,
)

# Above this share of lines inside ERROR nodes, the brace scanner reads the file better.
_MAX_ERROR_SHARE = 0.05
_LONG = 12  # statements longer than this keep their first and last lines only
_HEAD = 6


def grammar_skeleton(
    text: str, lines: list[str], language: str | None = None
) -> tuple[Skeleton, str] | None:
    """The skeleton of ``text`` and its language's name; None if the brace scanner should run.

    ``lines`` are the lines of ``text`` as the caller split them (the skeleton's line numbers
    are theirs); ``language`` when the caller already detected it. Never raises: any failure
    is None, so the caller falls back.
    """
    try:
        language = language or detect_language(text)
        if language is None:
            return None
        parser = _parser(language)
        if parser is None:
            return None
        # Parse the lines joined by "\n": tree-sitter's rows then match the caller's lines
        # whatever line ends the text used.
        source = "\n".join(lines).encode("utf-8", errors="replace")
        root: _Node = parser.parse(source).root_node
        if _too_broken(root, len(lines)):
            return None
        skeleton = Skeleton(lines, "//")
        _Marker(_GRAMMARS[language], skeleton).region(root.named_children, None, top=True)
        return skeleton, language
    except Exception:
        return None  # the brace scanner handles whatever this could not


def parses_with_grammar(text: str, language: str) -> bool:
    """Whether ``text`` parses in ``language``'s grammar with few errors (False without it)."""
    try:
        parser = _parser(language)
        if parser is None:
            return False
        root: _Node = parser.parse(text.encode("utf-8", errors="replace")).root_node
        return not _too_broken(root, text.count("\n") + 1)
    except Exception:
        return False


@once
def detect_language(text: str) -> str | None:
    """The grammar for brace-language ``text`` (go, rust, java, javascript, typescript, tsx).

    None when the signs are weak or point to two languages, or to one this module lacks.
    """
    sample = re.sub(r"\r\n?", "\n", text[:20000])  # the signs' ^ and $ know only "\n"
    # Gated: a sign that may start anywhere is tried only if the sample holds its literal.
    scores = {name: len(gated(pattern).findall(sample)) for name, pattern in _SIGNS.items()}
    scores["c"] += len(gated(_CPP_SIGNS).findall(sample))  # C++ counts for the C family
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < 3 or top < 2 * second or 2 * len(_OTHER_SIGNS.findall(sample)) >= top:
        return None
    if best == "c":
        return "cpp" if gated(_CPP_SIGNS).search(sample) else "c"
    if best != "js":
        return best
    # TypeScript parses nearly all JavaScript, so a couple of signs of types pick it.
    if len(_TS_SIGNS.findall(sample)) < 2:
        return "javascript"
    return "tsx" if _JSX.search(sample) else "typescript"


@functools.cache
def _language(name: str) -> Any | None:
    """The tree-sitter ``Language`` for ``name``; None when it or tree-sitter is missing."""
    grammar = _GRAMMARS[name]
    try:
        tree_sitter = importlib.import_module("tree_sitter")
        module = importlib.import_module(grammar.module)
        language = tree_sitter.Language(getattr(module, grammar.function)())
        tree_sitter.Parser(language)  # raises if the grammar's ABI is too new for tree-sitter
    except (ImportError, AttributeError, TypeError, ValueError):
        return None  # not installed, or a tree-sitter too old for this grammar
    return language


def _parser(name: str) -> Any | None:
    language = _language(name)
    if language is None:
        return None
    # A parser per call: parsers are cheap and not safe to share between threads.
    return importlib.import_module("tree_sitter").Parser(language)


def _too_broken(root: _Node, n_lines: int) -> bool:
    """Whether ERROR nodes cover too much of the file for the tree to be trusted."""
    if not root.has_error:
        return False
    budget = max(3, int(n_lines * _MAX_ERROR_SHARE))
    broken = 0
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            broken += _last_row(node) - node.start_point[0] + 1
            if broken > budget:
                return True
            continue
        # Only subtrees holding an error are walked, so a clean file costs nothing here.
        stack.extend(child for child in node.children if child.has_error)
    return False


def _last_row(node: _Node) -> int:
    """The node's last line (a line comment's span ends at the start of the next line)."""
    row, column = node.end_point
    return row - 1 if column == 0 and row > node.start_point[0] else row


def _text(node: _Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", errors="replace")


_Role = Literal["import", "function", "signature", "container", "declaration", "other"]


@dataclasses.dataclass
class _Kind:
    """What a statement is: its role, the node holding its body, and its name."""

    role: _Role
    node: _Node
    name: str


class _Marker:
    """Marks the lines of one syntax tree on a :class:`Skeleton`."""

    def __init__(self, grammar: _Grammar, skeleton: Skeleton) -> None:
        self.g = grammar
        self.s = skeleton

    def region(self, nodes: list[_Node], container: _Node | None, top: bool) -> None:
        """Mark the statements ``nodes`` (a file, or the members of ``container``)."""
        parent = _name(container) if container is not None else ""
        lead: list[_Node] = []  # comments and attributes right above the next statement
        previous_end = -1
        for node in self._flat(nodes):
            row = node.start_point[0]
            if lead and row > _last_row(lead[-1]) + 1:
                self._orphans(lead)  # a blank line: they are not this statement's
                lead = []
            if node.type in _COMMENTS:
                if row > previous_end:  # not a comment trailing the previous statement
                    lead.append(node)
            elif node.type in _ATTRIBUTES:
                lead.append(node)
            else:
                self.statement(node, lead, container, parent, top)
                lead = []
            previous_end = _last_row(node)
        self._orphans(lead)

    def _flat(self, nodes: list[_Node]) -> Iterator[_Node]:
        for node in nodes:
            if node.type in self.g.flatten:
                # Not the macro name or condition of an #ifdef: the code under it.
                heads = {node.child_by_field_name("name"), node.child_by_field_name("condition")}
                yield from self._flat([n for n in node.named_children if n not in heads])
            else:
                yield node

    def _orphans(self, lead: list[_Node]) -> None:
        """Attributes with no declaration after them stay like other short statements."""
        for node in lead:
            if node.type in _ATTRIBUTES:
                self.s.keep(node.start_point[0], _last_row(node), MEMBER)

    def statement(
        self, node: _Node, lead: list[_Node], container: _Node | None, parent: str, top: bool
    ) -> None:
        """Mark one statement, with the comments and attributes ``lead`` right above it."""
        kind = self.kind(node)
        start, end = node.start_point[0], _last_row(node)
        # A declaration or a call around most of the file; a named function is a function.
        wrapping = kind.role in ("other", "declaration") or node.type == "expression_statement"
        if top and wrapping and self._wrapper(node, start, end):
            return
        # Hints to the compiler or the doc tool (#[inline], #[doc(hidden)]) say nothing of
        # what the code does: they go first.
        attributes = [n for n in lead if n.type in _ATTRIBUTES and not _HINT.match(_text(n))]
        if kind.role in ("import", "declaration", "other"):
            for n in attributes:  # `#[cfg(...)]` matters less than what it qualifies
                self.s.keep(n.start_point[0], _last_row(n), MEMBER)
            if kind.role == "import":
                self.s.keep(start, end, IMPORT)
            else:
                drop_at = CONSTANT if top and kind.role == "declaration" else MEMBER
                self._long(start, end, kind.name, drop_at)
            return
        if kind.role == "container" or top:
            drop_at = ALWAYS if top else CONSTANT
        else:
            drop_at = MEMBER if _private(kind, node, container) else CONSTANT
        body = _body(kind.node)
        if kind.role == "signature" or body is None:
            self._long(start, end, kind.name, drop_at)
        else:
            opened, closed = body.start_point[0], _last_row(body)
            owner_start = min([n.start_point[0] for n in lead] + [start])
            function = kind.role == "function"
            owner = Owner(kind.name, owner_start, end, drop_at, function=function, parent=parent)
            index = self.s.add_owner(owner)
            if function:
                if self._short_body(opened + 1, end - 1, kind.name):
                    self.s.keep(opened + 1, end - 1, drop_at)
                # Code after the body (`}, options);`) goes under the marker too.
                self.s.elide(opened + 1, end - 1, index)
            else:
                self.region(body.named_children, kind.node, top=False)
                if kind.node.type == "impl_item":
                    # An impl declares no type: it lasts as long as something inside it does.
                    inside = max(self.s.drop_at[opened + 1 : closed], default=MEMBER)
                    drop_at = owner.header_drop_at = min(drop_at, max(MEMBER, inside))
                self.s.keep(closed, closed, drop_at)
            self.s.keep(start, opened, drop_at)
            self.s.keep(end, end, drop_at)
        self._doc(lead, drop_at)
        for n in attributes:  # they go before the signature does when compressing hard
            self.s.keep(n.start_point[0], _last_row(n), min(drop_at, CONSTANT))

    def _wrapper(self, node: _Node, start: int, end: int) -> bool:
        """Walk a top-level block around most of the file (a module wrapper) as the file.

        A CommonJS or UMD wrapper, ``(function () { ... })()``, holds every declaration: to
        elide it as one body would leave nothing. Its opening and closing lines stay.
        """
        if end - start <= max(_LONG, _WRAPPER_SHARE * len(self.s.lines)):
            return False
        body = _enclosed_block(node, end - start)
        if body is None:
            return False
        opened, closed = body.start_point[0], _last_row(body)
        self.s.keep(start, opened, ALWAYS)
        self.s.keep(closed, end, ALWAYS)
        self.region(body.named_children, None, top=True)
        return True

    def kind(self, node: _Node) -> _Kind:
        """Classify ``node``; wrappers (``export``, ``declare``) by what they wrap."""
        node_type = node.type
        g = self.g
        if node_type in g.imports and (node_type != "mod_item" or _body(node) is None):
            return _Kind("import", node, "")
        if node_type in g.wrappers:
            if node.child_by_field_name("source") is not None:
                return _Kind("import", node, "")  # export { x } from "./x"
            inner = node.child_by_field_name("declaration") or node.child_by_field_name("value")
            if inner is None:
                # The declaration comes last (after decorators, a template's parameters).
                named = [n for n in node.named_children if n.type not in _ATTRIBUTES]
                inner = named[-1] if named else None
            if inner is None:
                return _Kind("other", node, _name(node))
            return self.kind(inner)
        if node_type in g.functions:
            role: _Role = "function" if _body(node) is not None else "signature"
            return _Kind(role, node, _name(node))
        if node_type in g.signatures:
            return _Kind("signature", node, _name(node))
        if node_type in g.containers and _body(node) is not None:
            return _Kind("container", node, _name(node))
        value = _assigned(node)
        if value is not None:
            name, target = value
            if target.type in _FUNCTION_VALUES:
                body = target.child_by_field_name("body")
                if body is not None and body.type in _BLOCK_BODIES:
                    return _Kind("function", target, name)
            elif target.type in g.containers:
                return _Kind("container", target, _name(target) or name)
            elif _is_require(target):
                return _Kind("import", node, name)
        callback = _callback(node)
        if callback is not None:
            return _Kind("function", callback[1], callback[0])
        rest: _Role = "declaration" if node_type in g.declarations else "other"
        return _Kind(rest, node, _name(node))

    def _short_body(self, start: int, end: int, name: str) -> bool:
        """Whether a body is one line no longer than the marker that would replace it."""
        rows = [row for row in range(start, end + 1) if self.s.lines[row].strip()]
        marker = f"{self.s.comment} … 1 lines of {name} omitted"
        return len(rows) == 1 and len(self.s.lines[rows[0]].strip()) <= len(marker)

    def _long(self, start: int, end: int, name: str, drop_at: int) -> None:
        """A short statement whole; a long one by its first and last lines, with a marker."""
        if end - start <= _LONG:
            self.s.keep(start, end, drop_at)
            return
        self.s.keep(start, start + _HEAD - 1, drop_at)
        self.s.keep(end, end, drop_at)
        owner = self.s.add_owner(Owner(name, start, end, drop_at, function=False))
        self.s.elide(start + _HEAD, end - 1, owner)

    def _doc(self, lead: list[_Node], drop_at: int) -> None:
        """The first line with words of the comments right above a declaration."""
        for node in lead:
            if node.type not in _COMMENTS:
                continue
            for row in range(node.start_point[0], _last_row(node) + 1):
                if re.search(r"\w{2}", self.s.lines[row]):
                    self.s.keep(row, row, min(DOC, drop_at))
                    return


def _enclosed_block(node: _Node, span: int) -> _Node | None:
    """The outermost block inside ``node`` that spans most of its lines, if any."""
    stack = list(reversed(node.named_children))
    while stack:
        child = stack.pop()
        lines = _last_row(child) - child.start_point[0]
        if lines < _WRAPPER_SHARE * span:
            continue
        if child.type in _WRAPPER_BODIES:
            return child
        stack.extend(reversed(child.named_children))
    return None


def _body(node: _Node) -> _Node | None:
    """The block a function or container keeps its body in (Go types keep it deeper)."""
    body = node.child_by_field_name("body")
    if body is not None or node.type != "type_declaration":
        return body
    specs = [n for n in node.named_children if n.type == "type_spec"]
    kind = specs[0].child_by_field_name("type") if len(specs) == 1 else None
    if kind is None:
        return None
    if kind.type == "interface_type":
        return kind
    if kind.type == "struct_type":
        lists = [n for n in kind.named_children if n.type == "field_declaration_list"]
        return lists[0] if lists else None
    return None


def _name(node: _Node | None) -> str:
    """A declaration's name: its name field, an impl's type, or the declared variable."""
    if node is None:
        return ""
    found = node.child_by_field_name("name")
    if found is None and node.type == "impl_item":
        found = node.child_by_field_name("type")
    if found is None and node.type in ("function_definition", "declaration", "field_declaration"):
        # C and C++: the name sits in nested declarators (pointer, function, array).
        found = node.child_by_field_name("declarator")
        while found is not None and found.child_by_field_name("declarator") is not None:
            found = found.child_by_field_name("declarator")
    if found is not None:
        return re.split(r"[<\s]", _text(found), maxsplit=1)[0]
    for child in node.named_children:
        if child.type in ("variable_declarator", "type_spec", "const_spec", "var_spec"):
            return _name(child)
    words = re.findall(r"[A-Za-z_$#][\w$]*", _text(node).split("=", 1)[0].split("\n", 1)[0])
    return words[-1] if words else "statement"


def _assigned(node: _Node) -> tuple[str, _Node] | None:
    """The name and value of a single assignment: ``const f = ...``, ``a.f = ...``, fields."""
    kind = node.type
    if kind in ("lexical_declaration", "variable_declaration"):
        declarators = [n for n in node.named_children if n.type == "variable_declarator"]
        if len(declarators) != 1:
            return None
        value = declarators[0].child_by_field_name("value")
        return (_name(declarators[0]), value) if value is not None else None
    if kind in ("public_field_definition", "field_definition"):
        value = node.child_by_field_name("value")
        name = node.child_by_field_name("name") or node.child_by_field_name("property")
        return (_text(name), value) if value is not None else None
    if kind == "expression_statement" and node.named_children:
        expression = node.named_children[0]
        if expression.type != "assignment_expression":
            return None
        left = expression.child_by_field_name("left")
        right = expression.child_by_field_name("right")
        if left is None or right is None:
            return None
        return re.split(r"[.\[\]]", _text(left).rstrip("]"))[-1], right
    return None


def _is_require(node: _Node) -> bool:
    if node.type != "call_expression":
        return False
    return _text(node.child_by_field_name("function")) == "require"


def _callback(node: _Node) -> tuple[str, _Node] | None:
    """``app.get("/", (req, res) => {...})``: the call's name and its last-argument function."""
    if node.type != "expression_statement" or not node.named_children:
        return None
    call = node.named_children[0]
    if call.type != "call_expression":
        return None
    arguments = call.child_by_field_name("arguments")
    if arguments is None or not arguments.named_children:
        return None
    last = arguments.named_children[-1]
    body = last.child_by_field_name("body") if last.type in _FUNCTION_VALUES else None
    if body is None or body.type not in _BLOCK_BODIES:
        return None
    callee = _text(call.child_by_field_name("function"))
    return re.split(r"[.\s]", callee.rstrip())[-1] or "callback", last


def _private(kind: _Kind, node: _Node, container: _Node | None) -> bool:
    """Whether a member matters less: private by mark or name, or a Rust fn no caller sees.

    Methods of a Rust trait impl count too: the trait declares their signatures.
    """
    if kind.name.startswith(("_", "#")):
        return True
    name = kind.node.child_by_field_name("name")
    if name is not None and b"private" in (node.text or b"")[: name.start_byte - node.start_byte]:
        return True
    if node.type != "function_item" or container is None or container.type != "impl_item":
        return False
    public = any(child.type == "visibility_modifier" for child in node.named_children)
    return container.child_by_field_name("trait") is not None or not public
