"""Skeletons of source code from a tree-sitter syntax tree.

``tree-sitter`` and the per-language grammar wheels are core dependencies, imported on first
use. Go, Rust, Java, JavaScript, TypeScript, C, C++, C#, Kotlin, Swift, Ruby, PHP and shell
are named by the key's extension or told apart by cheap patterns (by which grammar parses the
text when two languages share the signs), parsed, and their lines marked the way the brace
scanner of :mod:`agent_baton.compress.code.fallback` marks them, but from exact spans:
strings, regular expressions, generics and ``where`` clauses cannot confuse it. Whenever the
answer is not clear (no grammar installed, an unknown or mixed language, a parse that is
mostly errors, any exception) it returns None and the caller uses the brace or indentation
scanner. A top-level block around most of the file (a UMD or CommonJS wrapper,
``extern "C"``) is walked, never elided whole.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import re
from collections import Counter
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
    # A body (field "body") to elide; a signature without one, or a declaration if the type
    # is in ``declarations`` too (a Swift or C# property with or without accessors).
    functions: frozenset[str]
    containers: frozenset[str]  # a body whose members are marked one by one
    declarations: frozenset[str]  # constants and types: CONSTANT at the top level
    wrappers: frozenset[str] = frozenset()  # export/declare: the declaration is inside
    flatten: frozenset[str] = frozenset()  # member lists nested in a container's body
    signatures: frozenset[str] = frozenset()  # bodiless method declarations
    # Children that hold the body where the grammar gives it no "body" field (Kotlin), and
    # fields that do the work of one (a C# property's accessors, a Swift computed property).
    bodies: frozenset[str] = frozenset()
    body_fields: tuple[str, ...] = ("body",)
    comment: str = "//"  # the line comment, for markers


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

_GRAMMARS["csharp"] = _Grammar(
    "tree_sitter_c_sharp",
    "language",
    imports=_types("using_directive extern_alias_directive file_scoped_namespace_declaration"),
    functions=_types(
        "method_declaration constructor_declaration destructor_declaration operator_declaration "
        "conversion_operator_declaration local_function_statement property_declaration "
        "indexer_declaration"
    ),
    containers=_types(
        "namespace_declaration class_declaration interface_declaration struct_declaration "
        "record_declaration enum_declaration"
    ),
    declarations=_types(
        "field_declaration event_field_declaration event_declaration delegate_declaration "
        "property_declaration"
    ),
    body_fields=("body", "accessors"),
)
_GRAMMARS["kotlin"] = _Grammar(
    "tree_sitter_kotlin",
    "language",
    imports=_types("package_header import import_list file_annotation"),
    functions=_types("function_declaration secondary_constructor anonymous_initializer"),
    containers=_types("class_declaration object_declaration companion_object"),
    declarations=_types("property_declaration type_alias"),
    bodies=_types("function_body class_body enum_class_body block"),
)
_GRAMMARS["swift"] = _Grammar(
    "tree_sitter_swift",
    "language",
    imports=_types("import_declaration"),
    functions=_types(
        "function_declaration init_declaration deinit_declaration subscript_declaration "
        "property_declaration"
    ),
    # class, struct, enum, extension and actor are all class_declaration here.
    containers=_types("class_declaration protocol_declaration"),
    declarations=_types("property_declaration typealias_declaration protocol_property_declaration"),
    signatures=_types("protocol_function_declaration"),
    bodies=_types("computed_property"),
    body_fields=("body", "computed_value"),
)
_GRAMMARS["ruby"] = _Grammar(
    "tree_sitter_ruby",
    "language",
    imports=frozenset(),  # require is a call: see _loads_file
    functions=_types("method singleton_method"),
    containers=_types("class module singleton_class"),
    declarations=_types("assignment"),
    comment="#",
)
_GRAMMARS["php"] = _Grammar(
    "tree_sitter_php",
    "language_php",
    # `namespace App;` without a block names the file's namespace, like a Java package.
    imports=_types("namespace_use_declaration namespace_definition"),
    functions=_types("function_definition method_declaration"),
    containers=_types(
        "namespace_definition class_declaration interface_declaration trait_declaration "
        "enum_declaration"
    ),
    declarations=_types("const_declaration property_declaration"),
)
_GRAMMARS["bash"] = _Grammar(
    "tree_sitter_bash",
    "language",
    imports=frozenset(),  # `. file` and `source file` are commands: see _loads_file
    functions=_types("function_definition"),
    containers=frozenset(),
    declarations=_types("variable_assignment declaration_command"),
    comment="#",
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
# Ruby's statements after `def`, `class` or `do`, up to their `end`.
_BARE_BODIES = frozenset({"body_statement"})
_WRAPPER_BODIES = (
    _BLOCK_BODIES
    | _BARE_BODIES
    | {
        "declaration_list",
        "compound_statement",
        "class_body",
    }
)
# Blocks that only name a scope (C#, C++ and PHP namespaces, TypeScript's, Rust's and Ruby's
# modules, extern "C"): their declarations rank as a file's top level do.
_NAMESPACES = frozenset(
    {
        "namespace_declaration",
        "namespace_definition",
        "internal_module",
        "module",
        "mod_item",
        "linkage_specification",
    }
)
_WRAPPER_SHARE = 0.7  # of a file's lines: a top-level block this big is a wrapper

# Cheap per-language signs, counted on the first 20,000 characters. An indent is
# "[^\S\n]*", not "\s*", which would rescan a run of blank lines from each of its line
# starts (n²; a match just starts lower, so counts are the same), and no two repeats may
# take the same characters. The indent is taken whole (possessive): what follows it opens
# with no blank, so no shorter indent can match where the whole one fails, and re would
# try each on every deep line.
_INDENT = r"^[^\S\n]*+"
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
        r"|float|size_t|bool|\w+_t|struct \w+) \**\w+ ?\(",
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
_MODIFIERS = r"((public|private|protected|internal|static|final|abstract|override|open) )*"
# Kotlin's: a multiplatform declaration's (``internal actual inline fun``), a class's kind.
_KOTLIN_WORDS = (
    r"(public|private|protected|internal|actual|expect|open|abstract|final|override|sealed"
    r"|data|value|annotation|enum|inner|inline|suspend|operator|infix|tailrec|external|const"
    r"|lateinit|companion) "
)
_KOTLIN_MODIFIERS = f"({_KOTLIN_WORDS})*"
# A class's kind among its modifiers (``internal data class``), found by a look ahead so that
# the modifiers are read once: two repeats of them around the kind split a run of modifiers
# in as many ways as it has words.
_KOTLIN_CLASS = (
    rf"(?=({_KOTLIN_WORDS})*?(data|sealed|value|annotation|actual|expect|enum) )"
    rf"({_KOTLIN_WORDS})*+(class|interface|object|typealias|constructor)\b"
)
_SIGNS.update(
    csharp=re.compile(
        r"^using (static )?[\w.]+;$|^namespace [\w.]+;?$|\{ get; |^[^\S\n]*+\[(Serializable|Test"
        r"|Fact|Theory|Obsolete|DllImport|Flags|TestMethod|HttpGet|HttpPost|JsonProperty)\b"
        r"|"
        + _INDENT
        + r"(public|private|protected|internal) "
        + _MODIFIERS
        + r"(async |readonly |virtual |sealed |partial |unsafe |extern |new )*"
        r"[\w<>\[\],.?]+ [A-Z]\w*(<[\w, ]+>)?\(|\bvar \w+ = new\b|\bforeach \(var\b"
        r"|\basync Task\b|\bnameof\(|\binternal (sealed |static )?class\b",
        re.M,
    ),
    kotlin=re.compile(
        r"^package [\w.]+$|^import \w+(\.\w+)+(\.\*| as \w+)?$"
        r"|" + _INDENT + r"(@\w+ )*" + _KOTLIN_MODIFIERS + r"fun (<[^>\n]{1,80}> )?[\w.]+\("
        r"|" + _INDENT + _KOTLIN_MODIFIERS + r"((val|var) \w+: |val \w+ = )"
        r"|\bcompanion object\b|\bwhen \(|\?\.let \{"
        r"|" + _INDENT + _KOTLIN_CLASS,
        re.M,
    ),
    swift=re.compile(
        r"^import \w+$|" + _INDENT + r"((@objc|@MainActor|@discardableResult|fileprivate|class"
        r"|mutating|nonisolated) )*" + _MODIFIERS + r"func \w+(<[^>\n]{1,80}>)?\("
        r"|\) (async )?((re)?throws )?-> [\w\[\]?<>.:, ]+ \{$|\bguard (let|var) |\bif let \w"
        r"|" + _INDENT + r"(public |private |internal |fileprivate |open )?"
        r"(struct|protocol|extension|actor) \w",
        re.M,
    ),
    ruby=re.compile(
        # Python's def and class lines end with a colon; these do not.
        _INDENT + r"def (self\.)?\w+[?!=]?(\(.*\))?$|^[^\S\n]*+end$"
        r"|^[^\S\n]*+require(_relative)? ['\"]|" + _INDENT + r"(module|class) [A-Z]\w*(::\w+)*"
        r"( < [\w:]+)?$|\bdo( \|[^|\n]*\|)?$|^[^\S\n]*+attr_(reader|writer|accessor) :"
        r"|\belsif\b|\.each( |_with_index )?(do|\{) \|",
        re.M,
    ),
    php=re.compile(
        r"^<\?php|\$this->|" + _INDENT + _MODIFIERS + r"function \w+\(.*\$"
        r"|^namespace \w+(\\\w+)*;|^use \\?\w+(\\\w+)+( as \w+)?;|\$\w+->\w+",
        re.M,
    ),
    bash=re.compile(
        r"^#! ?/(usr/)?bin/(env )?(ba|da|k|z)?sh\b|^(function )?\w[\w-]* ?\(\) ?[{(]?$"
        r"|^function \w[\w-]* ?\{$|^[^\S\n]*+(fi|esac|done)$|;[^\S\n]*(then|do)$"
        r"|\$\{\w+[:#%/-]|\"\$@\"|^[^\S\n]*+(local|readonly|export|declare) (-\w+ )?\w+="
        r"|^[^\S\n]*+(if|elif|while|until) \[|>&2$|2>/dev/null\b",
        re.M,
    ),
)
# Languages whose signs also turn up in tool output that quotes code (a Python `def` that lost
# its colon, `) -> int`, `fi`): detected only when their grammar parses the text too.
_PARSE_TO_CONFIRM = frozenset({"csharp", "kotlin", "swift", "ruby", "php", "bash"})
# Signs of languages without a grammar here, some of which share signs with ones that have
# one: Scala (def, val, object), Lua and Elixir (end), Perl.
_OTHER_SIGNS = re.compile(
    _INDENT
    + r"case class |^object \w+ extends |"
    + _INDENT
    + r"def \w+(\[[^\]\n]*\])?\([^)\n]*\): [^=\n]*="
    r"|^[^\S\n]*+local (function \w|\w+ = )|^[^\S\n]*+function [\w.:]+\([\w, .]*\)$"
    r"|^defmodule |^[^\S\n]*+(my|our) [$@%]\w+|^use strict;",
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
        # Parse the lines joined by "\n": tree-sitter's rows then match the caller's lines
        # whatever line ends the text used.
        joined = "\n".join(lines)
        # The text itself when it is its lines and a last line break: detection parsed it.
        parsed = _tree(text if text == joined + "\n" else joined, language)
        if parsed is None or parsed[1] > _error_budget(len(lines)):
            return None
        root = parsed[0]
        grammar = _GRAMMARS[language]
        skeleton = Skeleton(lines, grammar.comment)
        if lines and lines[0].startswith("#!"):
            skeleton.keep(0, 0, IMPORT)  # the interpreter a script runs with
        _Marker(grammar, skeleton).region(root.named_children, None, top=True)
        return skeleton, language
    except Exception:
        return None  # the brace scanner handles whatever this could not


def parses_with_grammar(text: str, language: str) -> bool:
    """Whether ``text`` parses in ``language``'s grammar with few errors (False without it)."""
    try:
        parsed = _tree(text, language)
        return parsed is not None and parsed[1] <= _error_budget(text.count("\n") + 1)
    except Exception:
        return False


@once
def detect_language(text: str) -> str | None:
    """The grammar for source ``text``: a key of the grammars (go, csharp, bash, tsx, ...).

    None when the signs are weak, or point to a language this module lacks, or to several
    of which no one grammar parses the text best.
    """
    sample = re.sub(r"\r\n?", "\n", text[:20000])  # the signs' ^ and $ know only "\n"
    # Gated: a sign that may start anywhere is tried only if the sample holds its literal.
    scores = {name: gated(pattern).count(sample) for name, pattern in _SIGNS.items()}
    scores["c"] += gated(_CPP_SIGNS).count(sample)  # C++ counts for the C family
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    top = ranked[0][1]
    if top < 3 or 2 * len(_OTHER_SIGNS.findall(sample)) >= top:
        return None
    contenders = [_resolve(name, sample) for name, score in ranked if 2 * score > top]
    # PHP's grammar reads code only after an opening tag; without one, `$self->` is Perl's.
    contenders = [name for name in contenders if name != "php" or "<?php" in sample]
    if not contenders:
        return None
    if len(contenders) == 1 and contenders[0] not in _PARSE_TO_CONFIRM:
        return contenders[0]
    # Languages share signs (Swift's `let` is Rust's, a C# method reads as Java): the one
    # whose grammar parses the sample cleanly wins.
    cut = len(text) > len(sample)
    errors = {name: _error_lines(sample, name, cut) for name in contenders}
    clean = sorted((n, name) for name, n in errors.items() if n is not None)  # fewest first
    budget = _error_budget(sample.count("\n") + 1)
    if not clean or clean[0][0] > budget or (len(clean) > 1 and clean[1][0] <= clean[0][0]):
        return None
    return clean[0][1]


# A file name's extension -> its grammar (a .h may be C or C++: the signs decide).
_EXTENSIONS = {
    "go": "go",
    "rs": "rust",
    "java": "java",
    **dict.fromkeys(("js", "mjs", "cjs", "jsx"), "javascript"),
    **dict.fromkeys(("ts", "mts", "cts"), "typescript"),
    "tsx": "tsx",
    "c": "c",
    **dict.fromkeys(("cc", "cpp", "cxx", "hpp", "hh", "hxx"), "cpp"),
    "cs": "csharp",
    **dict.fromkeys(("kt", "kts"), "kotlin"),
    "swift": "swift",
    "rb": "ruby",
    "php": "php",
    **dict.fromkeys(("sh", "bash"), "bash"),
}


# Extensions of languages with no grammar here whose signs pass for another's (Perl's
# `$self->method` for PHP's, a schema's `import "x.proto";` for Python's): their text goes to
# the brace scanner, never to a guessed grammar.
_UNPARSED = frozenset(("pl", "pm", "pod", "proto"))


def ungrammared_key(key: str | None) -> bool:
    """Whether a key's file extension names a language no grammar here reads (``Prove.pm``)."""
    return key is not None and "." in key[-8:] and key.rsplit(".", 1)[-1].lower() in _UNPARSED


def parses_as_named(text: str, key: str | None) -> bool:
    """Whether the grammar a key's extension names parses ``text`` with few errors.

    A Go file holding a shell script in a raw string (cobra's completion template) shows
    that script's signs, not Go's; its grammar reads the script as one string literal.
    """
    language = language_for_key(key)
    return language is not None and parses_with_grammar(text, language)


def language_for_key(key: str | None) -> str | None:
    """The grammar a key's file extension names (``job.kt``: kotlin); None for others."""
    if not key or "." not in key[-8:]:
        return None
    return _EXTENSIONS.get(key.rsplit(".", 1)[-1].lower())


def _resolve(family: str, sample: str) -> str:
    """The grammar for a family of signs: C or C++; JavaScript, TypeScript or TSX."""
    if family == "c":
        return "cpp" if gated(_CPP_SIGNS).search(sample) else "c"
    if family != "js":
        return family
    # TypeScript parses nearly all JavaScript, so a couple of signs of types pick it.
    if len(_TS_SIGNS.findall(sample)) < 2:
        return "javascript"
    return "tsx" if _JSX.search(sample) else "typescript"


def _error_lines(text: str, language: str, cut: bool = False) -> int | None:
    """Lines of ``text`` inside ERROR nodes of ``language``'s parse; None without it.

    ``cut``: the text is the head of a longer one, so a block left open by the cut (an
    error that runs to its end) is not counted.
    """
    parsed = _tree(text, language, cut)
    return None if parsed is None else parsed[1]


# Kotlin Multiplatform's modifiers (actual, expect), in a run of modifiers that a
# declaration's keyword ends. Read word by word: a pattern would read a run once per word.
_KOTLIN_MODIFIER_WORDS = frozenset(_KOTLIN_WORDS.strip("( )").split("|"))
_DECLARATION_WORDS = frozenset(
    ("constructor", "class", "fun", "val", "var", "interface", "object", "typealias")
)
_WORD = re.compile(r"\w+")
# Attribute macros of C headers (glibc's sys/cdefs.h, GCC's and MSVC's keywords), with their
# parenthesised arguments: the preprocessor removes them, the grammar cannot.
_C_ATTRIBUTES = re.compile(
    r"\b__(?:THROW|THROWNL|wur|BEGIN_DECLS|END_DECLS|extension__|attribute_\w+__|attr_\w+"
    r"|nonnull|attribute__|asm__|declspec|LEAF|NTH|fortify_function|errordecl|warndecl)\b"
    r"(?:[^\S\n]*\((?:[^()\n]|\((?:[^()\n]|\([^()\n]*\))*\))*\))?"
)
# An object-like macro alone on its line (FMT_BEGIN_NAMESPACE, NLOHMANN_JSON_NAMESPACE_BEGIN,
# Q_OBJECT, G_BEGIN_DECLS): it opens or closes a namespace or an export region once expanded.
# Unexpanded, the grammar takes it for the type of the declaration below it, so a namespace
# after it reads as a function named "namespace" and everything inside as its body.
_BARE_MACRO = re.compile(r"^[^\S\n]*+_*+[A-Z][A-Z0-9]*+_[A-Z0-9_]*+[^\S\n]*+$", re.M)
# A project's own qualifier macro in front of a declaration (EGLAPI, OSSL_DEPRECATEDIN_3_0):
# a type and a name follow it, or a name and its parameters; a type (EVP_MD *md) does not.
_QUALIFIER = re.compile(r"\b[A-Z][A-Z0-9_]{3,}\b(?= +(?:\w+ +[\w*(]|\w+ ?\(|\w+\)))")
_QUALIFIER_USES = 3  # times a macro must start a broken line to be taken for a qualifier
# A library's own macros in its headers are reserved names (an underscore and a capital:
# _GLIBCXX_NOEXCEPT, _GLIBCXX_VISIBILITY(default), _LIBCPP_HIDE_FROM_ABI), all capitals
# with an underscore inside: never a type's or a variable's name (``_Tp``, ``__x``).
_RESERVED_MACRO = re.compile(
    r"\b_[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]\b(?:\((?:[^()\n]|\([^()\n]*\))*\))?"
)


@once  # detection parses a short text to confirm its language, the compressor (each level) again
def _tree(text: str, language: str, cut: bool = False) -> tuple[_Node, int] | None:
    """The syntax tree of ``text`` and its lines in ERROR nodes; None without the grammar.

    C and C++ headers are full of macros that the preprocessor would expand. When they break
    the parse, attribute macros, macros alone on a line and the qualifier macros that start
    broken lines are blanked, space for character so that every line and column stays, and
    the parse is kept if it has fewer errors.
    """
    parser = _parser(language)
    if parser is None:
        return None
    root = _parsed(parser, text)
    if root is None:
        return None
    broken = _broken_lines(root, cut)
    # A root that is itself an ERROR node: the grammar found no place to resume at, which
    # is another language (Python sources after C headers), not macros. Blanking them never
    # brought such a parse within the error budget (31 of them in /usr/include's C and C++
    # headers and the corpora) and each parse costs a second a megabyte.
    if broken and language == "kotlin":
        return _without_platform_modifiers(parser, text, root, broken, cut)
    if not broken or language not in ("c", "cpp") or root.type == "ERROR":
        return root, broken
    blanked = _BARE_MACRO.sub(_blank, _C_ATTRIBUTES.sub(_blank, text))
    # A parse takes about a second a megabyte: the same text is not parsed again.
    unqualified = root if blanked == text else _parsed(parser, blanked) or root
    rows = _error_rows(unqualified)
    lines = blanked.split("\n")
    uses = Counter(
        word
        for row in rows
        if not lines[row].lstrip().startswith("#")
        for word in _QUALIFIER.findall(lines[row])
    )
    qualifiers = {word for word, n in uses.items() if n >= _QUALIFIER_USES}
    retry = unqualified
    if qualifiers:
        pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(qualifiers))) + r")\b")
        blanked = "\n".join(
            line if line.lstrip().startswith("#") else pattern.sub(_blank, line) for line in lines
        )
        retry = _parsed(parser, blanked) or unqualified
    fewer = _broken_lines(retry, cut)
    best = (retry, fewer) if fewer < broken else (root, broken)
    if best[1] and _RESERVED_MACRO.search(text):
        lines = blanked.split("\n")
        blanked = "\n".join(
            line if line.lstrip().startswith("#") else _RESERVED_MACRO.sub(_blank, line)
            for line in lines
        )
        bare = _parsed(parser, blanked) or best[0]
        least = _broken_lines(bare, cut)
        if least < best[1]:
            best = (bare, least)
    return best


# tree-sitter reports a parse's progress every so many steps: 0.1 to 8 times a kilobyte on
# real sources (ripgrep's 246 KB flags/defs.rs: 1,857 reports). tree-sitter-kotlin 1.1.0 never
# ends on some Swift (swift-evolution 0258's ThreadSpecific: a trailing closure using `$0` in
# an init), reporting about a hundred times a second: past this many the parse is given up.
_PARSE_REPORTS = 256
_PARSE_REPORTS_PER_KB = 32
_CHUNK = 1 << 16  # bytes handed to the parser at a time


def _parsed(parser: Any, text: str) -> _Node | None:
    """The root of ``parser``'s tree of ``text``; None when the parse runs past its budget.

    A grammar that loops on a text it was not written for (a contender parsing to confirm
    another language's signs) must not hold the compression forever: the parse is read
    through tree-sitter's progress callback, which stops it after a number of reports
    proportional to the text's size (the same for a text on every run, not a time).
    """
    data = text.encode("utf-8", errors="replace")
    budget = _PARSE_REPORTS + _PARSE_REPORTS_PER_KB * len(data) // 1024
    reports = 0

    def give_up(_offset: int, _has_error: bool) -> bool:
        nonlocal reports
        reports += 1
        return reports > budget

    try:
        tree = parser.parse(lambda at, _point: data[at : at + _CHUNK], progress_callback=give_up)
    except ValueError:  # the callback stopped it
        parser.reset()  # or its next parse would resume this one
        return None
    root: _Node = tree.root_node
    return root


def _without_platform_modifiers(
    parser: Any, text: str, root: _Node, broken: int, cut: bool
) -> tuple[_Node, int]:
    """A Kotlin parse with ``actual`` and ``expect`` blanked, if it has fewer errors.

    tree-sitter-kotlin reads ``actual`` opening a line as a new statement, not as a modifier
    of the primary constructor it qualifies (``class ByteString`` over ``internal actual
    constructor(``): the class and all after it become errors. As modifiers they change no
    declaration's shape; blanked space for character, every line and column stays.
    """
    blanked = _platform_modifiers_blanked(text)
    if blanked == text:
        return root, broken
    retry = _parsed(parser, blanked)
    if retry is None:
        return root, broken
    fewer = _broken_lines(retry, cut)
    return (retry, fewer) if fewer < broken else (root, broken)


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"\S", " ", match.group(0))


def _platform_modifiers_blanked(text: str) -> str:
    """``text`` with each ``actual`` and ``expect`` modifier of a declaration blanked."""
    if "actual " not in text and "expect " not in text:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if "actual " not in line and "expect " not in line:
            continue
        platform: list[tuple[int, int]] = []  # in the run of modifiers read so far
        run_end = -1  # where that run's last word ended
        for word in _WORD.finditer(line):
            name, start = word.group(), word.start()
            continues = run_end >= 0 and line[run_end:start] == " "
            if name in _KOTLIN_MODIFIER_WORDS:
                if not continues:
                    platform = []
                if name in ("actual", "expect"):
                    platform.append(word.span())
                run_end = word.end()
                continue
            if continues and name in _DECLARATION_WORDS:
                for first, end in platform:
                    line = line[:first] + " " * (end - first) + line[end:]
            platform, run_end = [], -1
        lines[i] = line
    return "\n".join(lines)


def _error_rows(root: _Node) -> set[int]:
    """The first line of each ERROR node (a missing node's line too)."""
    rows: set[int] = set()
    stack = [root] if root.has_error else []
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            rows.add(node.start_point[0])
            continue
        stack.extend(child for child in node.children if child.has_error)
    return rows


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


def _error_budget(n_lines: int) -> int:
    """Lines in ERROR nodes beyond which a tree is not trusted."""
    return max(3, int(n_lines * _MAX_ERROR_SHARE))


def _broken_lines(root: _Node, cut: bool = False) -> int:
    """Lines inside ERROR or missing nodes (``cut``: not those that run to the end)."""
    broken = 0
    end = _last_row(root)
    stack = [root] if root.has_error else []
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            if not (cut and _last_row(node) >= end - 1):
                broken += _last_row(node) - node.start_point[0] + 1
            continue
        # Only subtrees holding an error are walked, so a clean file costs nothing here.
        stack.extend(child for child in node.children if child.has_error)
    return broken


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
                if kind.role == "other" and end - start > _LONG:
                    # Functions defined inside a long `if` or loop keep their signatures.
                    for inner in self._definitions(node):
                        self.statement(inner, [], None, parent, top=False)
            return
        if kind.role == "container" or top:
            drop_at = ALWAYS if top else CONSTANT
        else:
            drop_at = MEMBER if _private(kind, node, container) else CONSTANT
        body = self.body(kind.node)
        if kind.role == "signature" or body is None:
            self._long(start, end, kind.name, drop_at)
        else:
            opened, closed = body.start_point[0], _last_row(body)
            if body.type in _BARE_BODIES:
                # Statements with no brace of their own: the header ends the line before
                # them, and the `end` line closes them.
                opened, closed = max(start, opened - 1), end
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
                # What a namespace holds is what a file holds: its types are the outline.
                inside_top = kind.node.type in _NAMESPACES
                self.region(body.named_children, kind.node, top=inside_top)
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
        if node_type in g.imports and (node_type not in g.containers or self.body(node) is None):
            return _Kind("import", node, "")  # a Rust `mod x;`, not `mod x { ... }`
        if _loads_file(node):
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
        if node_type in g.functions and (
            self.body(node) is not None or node_type not in g.declarations
        ):
            role: _Role = "function" if self.body(node) is not None else "signature"
            return _Kind(role, node, _name(node))
        if node_type in g.signatures:
            return _Kind("signature", node, _name(node))
        if node_type in g.containers and self.body(node) is not None:
            return _Kind("container", node, _name(node))
        if node_type in g.declarations and node.child_by_field_name("declarator") is None:
            # A C++ class or struct defined inside a class (``class cond_dealtor { ... };``)
            # is a member declaration of that type, naming no member: the class is the news.
            defined = node.child_by_field_name("type")
            if defined is not None and defined.type in g.containers and self.body(defined):
                return _Kind("container", defined, _name(defined))
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
        if node_type in g.declarations:
            return _Kind("declaration", node, _name(node))
        if node.child_by_field_name("name") is None and node_type.endswith("_statement"):
            return _Kind("other", node, node_type.replace("_", " "))  # "if statement"
        return _Kind("other", node, _name(node))

    def _definitions(self, node: _Node) -> list[_Node]:
        """The functions and classes inside a statement, outermost first, not their members."""
        wanted = self.g.functions | self.g.containers
        found: list[_Node] = []
        stack = list(reversed(node.named_children))
        while stack:
            child = stack.pop()
            if child.type in wanted and self.body(child) is not None:
                found.append(child)
            else:
                stack.extend(reversed(child.named_children))
        return found

    def body(self, node: _Node) -> _Node | None:
        """The block a function or container keeps its body in (Go types keep it deeper)."""
        for field in self.g.body_fields:
            found = node.child_by_field_name(field)
            if found is not None:
                return found
        if self.g.bodies:
            return next((n for n in node.named_children if n.type in self.g.bodies), None)
        return _go_type_body(node)

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


def _go_type_body(node: _Node) -> _Node | None:
    """The fields of a Go struct type or the methods of an interface type."""
    if node.type != "type_declaration":
        return None
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
        if child.type in (
            "variable_declarator",
            "type_spec",
            "const_spec",
            "var_spec",
            "variable_declaration",
        ):
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


# Statements that load another file: Ruby's require, PHP's include, the shell's `.`.
_LOADS = frozenset({"require", "require_relative", "load", "source", "."})
_PHP_LOADS = frozenset(
    f"{verb}_expression" for verb in ("require", "require_once", "include", "include_once")
)


def _loads_file(node: _Node) -> bool:
    """Whether a statement loads another file (kept with the imports)."""
    if node.type == "call" and node.child_by_field_name("receiver") is None:
        return _text(node.child_by_field_name("method")) in _LOADS  # Ruby
    if node.type == "command":
        return _text(node.child_by_field_name("name")) in _LOADS  # shell
    if node.type == "expression_statement" and node.named_children:
        return node.named_children[0].type in _PHP_LOADS
    return False


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
