"""What a text is, found by parsing it: the compressor kinds to try, the detected one first.

Each check is a real parser where one exists: ``json`` (a document or JSON Lines),
``ast.literal_eval`` for Python reprs, ``ast.parse`` for Python, tree-sitter for the brace
languages, ``yaml.safe_load`` for YAML, ``configparser``, ``tomli`` and the Debian
control-file syntax for INI, TOML and control files, ``csv`` for delimited tables,
``html.parser`` for pages, ``expat`` for XML. The key's file extension says which parser to
try first. Text no parser takes is told by its lines: a log (timestamps, levels), a tool's
report (compiler diagnostics, test-runner verdicts), a C header of preprocessor directives,
markdown with fenced blocks, prose (lines of plain words, comments of code left out), or
line-oriented tool output (``ps``, ``dpkg -l``, linters), which is folded line by line and
never read as prose.
"""

from __future__ import annotations

import csv
import json
import re
import xml.parsers.expat
from itertools import product
from typing import Any

from agent_baton.compress.chat import looks_like_chat
from agent_baton.compress.code import looks_like_code, parses_as_python, program_lines
from agent_baton.compress.code.blame import parse_blame
from agent_baton.compress.code.blocks import parses_as_blocks
from agent_baton.compress.code.diff import parses_as_diff
from agent_baton.compress.code.dockerfile import parses_as_dockerfile
from agent_baton.compress.code.grammar import (
    detect_language,
    parses_as_named,
    parses_with_grammar,
)
from agent_baton.compress.code.graphql import parse_sdl
from agent_baton.compress.code.makefile import parses_as_makefile
from agent_baton.compress.config import control_stanzas, parses_as_config
from agent_baton.compress.dumps import dump_files
from agent_baton.compress.git_log import looks_like_git_log
from agent_baton.compress.guarantees import uncoloured
from agent_baton.compress.indented import looks_like_note
from agent_baton.compress.json import parse_embedded
from agent_baton.compress.latex import looks_like_latex
from agent_baton.compress.lines import SAMPLE_CHARS, filled_head, head_lines
from agent_baton.compress.logs import looks_like_log
from agent_baton.compress.memo import line_test, once
from agent_baton.compress.mixed import HEADING, looks_like_mixed, unfenced
from agent_baton.compress.options import looks_like_options
from agent_baton.compress.parsed import NOT_DATA, json_opening, json_value, literal_value
from agent_baton.compress.pretty import pretty_value
from agent_baton.compress.prose import looks_like_changelog, looks_like_manual
from agent_baton.compress.records import lists_packages
from agent_baton.compress.segment import header_end, joins_value, repr_line, split_worthy
from agent_baton.compress.sql import parse_dump
from agent_baton.compress.strace import is_trace
from agent_baton.compress.symbols import looks_like_disassembly, looks_like_symbols
from agent_baton.compress.tables import looks_like_table
from agent_baton.compress.xml import looks_like_xml
from agent_baton.compress.yaml import nests_yaml, parses_as_yaml

_CODE_EXTENSIONS = (
    "py pyi go rs java js mjs cjs jsx ts tsx c h cc cpp cxx hpp hh cs kt kts swift rb php sh"
    " bash zsh scala m mm lua pl pm r dart zig proto cmake"
)
# Extension (lower case, no dot) -> the kind its content should parse as.
_EXTENSIONS = {
    **dict.fromkeys(("json", "jsonl", "ndjson", "geojson", "ipynb", "har"), "json"),
    **dict.fromkeys(("csv", "tsv", "tab"), "table"),
    **dict.fromkeys(("yaml", "yml"), "yaml"),
    **dict.fromkeys(("ini", "cfg", "toml", "desktop", "service", "conf"), "config"),
    **dict.fromkeys(("html", "htm", "xhtml"), "html"),
    "xml": "xml",
    **dict.fromkeys(("log", "out"), "logs"),
    **dict.fromkeys(_CODE_EXTENSIONS.split(), "code"),
}
_EXTENSION_DELIMITERS = {"csv": ",", "tsv": "\t", "tab": "\t"}
_SAMPLE = SAMPLE_CHARS
_LINE_CHARS = 300  # of a line a line pattern reads
_STAMP = re.compile(
    r"\d{4}-\d\d-\d\d[ T]+\d\d:\d\d"
)  # a date and time opening a value  # characters a line-based check reads
# Linux reads at most 256 bytes of a "#!" line; reading no further keeps a one-line text of
# megabytes from being scanned back from its end for an interpreter's name.
_SHEBANG_CHARS = 256
_SHEBANG = re.compile(r"#![^\n]*\b(?:sh|bash|zsh|dash|ksh|python[\d.]*|node|perl|ruby)\b")
# YAML's first line after comments: a key, a list item or a document start.
# Each leading line (blank, or a comment) is one step: "\s*\n" repeated would split a run of
# blank lines every possible way (exponential when no key follows).
_YAML_START = re.compile(r"\A(?:[^\S\n]*(?:#[^\n]*)?\n)*(?:[\w.\-/$\"']+:(?:\s|$)|- |---)")
_BINARY_SHARE = 0.05  # of replacement or control characters: not text
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\ufffd]")
# Runs of bytes kept as \xNN escapes (how SharedContext keeps bytes that are not UTF-8):
# only bytes from 0x80 up fail to decode, so escapes of lower ones ("\x00\x55" in a Perl
# or Python table of byte strings) are source, never undecoded bytes.
_ESCAPED_BYTES = re.compile(r"(?:\\x[89a-f][0-9a-f]){2,}")
# A comment of the brace languages that opens a line (an open one runs to the end); prose
# has no lines opening with "//" or "/*".
_BRACE_COMMENT = re.compile(r"^[^\S\n]*(?://[^\n]*|/\*.*?(?:\*/|\Z))", re.S | re.M)
_HTML = re.compile(r"\s*+(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)
_TAG = re.compile(r"</?[a-zA-Z][\w-]*[\s>/]")
_DELIMITERS = ",\t;|"
_UNDELIMITED = re.compile(rf"^[^{re.escape(_DELIMITERS)}\n]*+$", re.M)  # a line without one
# A quote that opens a field (csv quotes only there): such a field may span lines.
_FIELD_QUOTE = re.compile(r"(?:^|[,\t;|]) *[\"']|\0", re.M)
# A word of prose: letters (lower case after the first, or all capitals as in a license's
# disclaimer), maybe an apostrophe or hyphen, maybe quoted or punctuated.
_PLAIN_WORD = re.compile(r"[\"'(*_`]*[A-Za-z](?:[a-z'’-]*|[A-Z'’-]*)[)\"'*_`]*[.,;:!?]?[)\"']*")
# A C preprocessor directive ("# ifndef NAME" is not a markdown heading).
_DIRECTIVE = re.compile(
    r"[^\S\n]*#[^\S\n]*(?:(?:define|undef|ifdef|ifndef)\s+[A-Za-z_]|include\s*[<\"]"
    r"|(?:if|elif)\s+(?:!?\s*defined\b|[A-Z_]{2,}|\d|\()|(?:endif|else)(?:\s|$)|pragma\s|error\s)"
)
# Lines only tools print: compiler diagnostics (path:line:col:) with the carets under their
# source excerpts and their include chains, Python's tracebacks, unittest's and doctest's
# verbose records, log lines whose time follows the program's name (update-alternatives
# 2025-06-24 14:36:53: ...), rustc's and ruff's source frames (" --> lib.rs:3:31", a bare
# gutter "  |"), indented runs of carets under a quoted line (javac, py_compile; reST
# underlines open their line), py_compile's "***   File" records, node's stack frames
# ("    at f (a.js:13:41)") and test verdicts, pytest's assertion lines ("E       assert"),
# diagnostics in MSBuild's form (tsc --pretty false, csc, MSVC: "a.ts(3,17): error TS7006:"),
# cmake --trace's commands ("/usr/share/cmake-3.25/Modules/X.cmake(35):  if(UNIX )").
_TOOL_LINE = re.compile(
    r"[^\s:]+:\d+(?::\d+)?:\s|[^\s(]++\(\d+(?:,\d+){0,3}\): (?:fatal )?(?:error|warning) [A-Z]*\d+:"
    r"|[^\s(]++\(\d+\):  \w+\("
    r"|\s+\|\s*[~^]|In file included from\s|\s+from\s\S+:\d+[,:]$"
    r"|\s*--> \S+:\d+:\d+$|\s+\|$|\s+~*+\^[~^]*+$|\*\*\*\s+File \"|\s+at \S.*:\d+:\d+\)?$"
    # A test runner's verdicts, indented under their suites (mocha's spec reporter, jest's);
    # jest's verdict on a file, the head of each failure and the line its code frame points
    # at (``  > 4 |     expect(…)``; a psql row has no pointer).
    r"|\s*+[✔✖✓✕] \S|(?:PASS|FAIL) \S+$| {2}● \S|\s*> +\d+ \| "
    r"|E {3,}\S"
    r"|\S.*: In (?:function|member function|instantiation of|constructor|destructor)\s"
    r"|\S.* \.\.\. (?:ok|FAIL|ERROR|skipped\b.*|expected failure|unexpected success)$"
    r"|(?:Trying|Expecting|Expecting nothing|Failed example|Got|Got nothing|Exception raised):$|ok$"
    r"|[\w.\-]+:? \[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d"
    r"|\s*File \"[^\"]+\", line \d+|Traceback \(most recent call last\):$|(?:ERROR|FAIL): \w+ \("
    # pip's steps, and the build backend's (setuptools') under "Running command".
    r"|\s*(?:running \w+|(?:copying|byte-compiling) \S+ -> \S+|(?:creating|removing) \S+"
    r"|adding '[^']+'|(?:writing|reading) [\w -]*?'?[\w./-]+'?)$|\s*Running command \S"
    r"|(?:Processing|Collecting|Successfully (?:built|installed)|Building wheels? for"
    r"|Installing collected packages:|Looking in (?:indexes|links):"
    r"|Requirement already satisfied:|Using pip) \S"
    # pip's (and rustc's) diagnostics: "error: …", "note: …", its "×", "│" and "╰─>" marks
    # (one "│" a line: a row of a table drawn in boxes has one between each two cells).
    r"|\s*(?:[×╰]|│(?!.*│)|(?:error|note|hint): \S)"
)
# What only code has: statements ended by braces or semicolons, Python's definitions and
# imports, C's preprocessor lines, comments opening a line (an indented list of names looks
# like declarations).
_CODE_SIGN = re.compile(
    r"[{};][^\S\n]*$|^[^\S\n]*(?:/\*|//|(?:def|class|import|from\s+\S+\s+import"
    r"|#[^\S\n]*(?:include|define|if|ifdef|ifndef|endif|else|pragma))\b)",
    re.M,
)
_FLUSH = 0.5  # of a text's lines at the margin: its paragraphs, judged without the rest
_STATEMENTS = 3  # lines with signs of code: code, when a language's signs or shape say so
_BACKTICK_FENCE = re.compile(r"^[^\S\n]*```", re.M)
_TOOL_SHARE = 0.3  # of a text's lines: a tool's report
_RUN_LINES = 5  # tool's lines that make a text with code in it a report quoting a run
# doctest's report: its heads, separators, failures' places and summary lines (the rest of
# its lines are indented under them).
_DOCTEST_HEAD = re.compile(
    r"(?:Trying|Expecting|Expected|Got|Failed example|Exception raised):|Expecting nothing"
    r'|Got nothing|ok|\*{70}|File ".+", line \d+, in \S+'
    r"|\d+ items? (?:had no tests|passed all tests|had failures):|\d+ tests? in \d+ items?\."
    r"|\d+ passed and \d+ failed\.|\*\*\*Test Failed\*\*\* \d+ failures?\.|Test passed\."
)
_DOCTEST_SHARE = 0.95  # of a text's lines read as doctest's: its report
_DIRECTIVES = 0.4  # of a text's lines outside comments: a C header of preprocessor lines
# Lines that are records, not sentences, whatever their words: `path:line:` diagnostics,
# status words of test runners (`tests/a.py::test_x PASSED`: a first token holding "::",
# looked for once, then read whole; `\S+::\S+\s` tried every "::" of a token of colons,
# 0.6 s for 10,000), package and process listings.
_RECORD = re.compile(
    r"^\s*+(\S+\.\w+:\d+(:\d+)?:?\s|(?=\S+::\S)\S++\s+(PASSED|FAILED|SKIPPED|ERROR|XFAIL|XPASS)\b"
    r"|(PASSED|FAILED|ERROR|ok|not ok)\s|[a-zA-Z]{2}\s{2}\S+\s{2,})|" + _DIRECTIVE.pattern
)
_MARKDOWN = re.compile(r"^\s{0,3}(#{1,6}\s|>\s?|[-*+]\s+\S|\d{1,3}[.)]\s+\S)")
# An RFC 822 field's name: a word (a line opening with a date and a colon is a log's).
_FIELD_NAME = re.compile(r"[A-Za-z][\w-]*:(?: |$)")
# A markdown document's title: a heading of words on its first line.
_TITLE = re.compile(r"[^\S\n]{0,3}#{1,2} [A-Za-z][^\n]*\n")
# Markdown's block syntax that scripts, settings and listings do not have: a pipe table's
# rule row, a link reference definition, a line of an HTML block (CommonMark 4.6).
_MARKDOWN_BLOCK = re.compile(
    r"^ {0,3}(?:\|?[^\S\n]*:?-{3,}:?[^\S\n]*\|[ \t|:-]*$|\[[^\]\n]+\]:[^\S\n]+\S"
    r"|</?(?:table|tr|td|th|thead|tbody|details|summary|div|p|br|a|img|h[1-6])[\s/>]|<!--)",
    re.M,
)


def kinds(text: str, key: str | None = None) -> list[str]:
    """The compressor kinds to try on ``text``, in order: the detected one first.

    ``key`` is the entry's name; its file extension (``statistics.py``, ``deps.csv``) says
    which parser to try first. The kinds after the first are fallbacks for a compressor that
    declines: the line-level one always comes last, so nothing large leaves unchanged.
    """
    found = detect(text, key)
    return [found, *_FALLBACKS.get(found, ["lines"])]


_FALLBACKS = {"segments": ["prose", "lines"], "lines": [], "binary": [], "xml": ["html", "lines"]}


@once
def detect(text: str, key: str | None = None) -> str:
    """The kind of ``text``, by the first parser or line check that takes it.

    One of binary, json, repr, chat, code, sql, xml, html, table, yaml, config, logs, mixed, prose,
    segments (blocks of different kinds) or lines (line-oriented output nothing more
    specific takes).
    """
    if _binary(text):
        return "binary"
    plain = uncoloured(text) if "\x1b" in text else text
    if plain != text:
        # A tool's output in colour (gcc -fdiagnostics-color, cargo --color=always): its
        # kind is in its words, and a line starting with ESC[01m starts like no record.
        return detect(plain, key)
    if dump_files(text):
        return "segments"  # files a tool printed one after another, each under its name
    stripped = text.lstrip()
    head = stripped[:1]
    if head in ("{", "["):
        parsed = _json(text)
        if parsed is not None:
            return "chat" if looks_like_chat(text) else "json"
    if _python_literal(text):
        # str() of a list, dict, tuple or bytes; of messages, a chat (print(agent.invoke()))
        return "chat" if looks_like_chat(text) else "repr"
    if (head.isalpha() or head == "_") and pretty_value(text) is not NOT_DATA:
        return "repr"  # a record's repr over lines (pprint of a dataclass): not a CSV table
    if parses_as_diff(text):
        return "code"  # a unified diff, whatever its lines change
    if parse_blame(text) is not None:
        return "code"  # git blame: source under a prefix per line, whatever the language
    if parses_as_makefile(text):
        return "code"  # every line one of make's forms: rules, variables, directives
    if parses_as_dockerfile(text):
        return "code"  # every line an instruction (FROM, RUN, ENV): its RUNs are shell
    if parses_as_blocks(text) is not None:
        return "code"  # Terraform's HCL or nginx's config: blocks of attributes or directives
    if parse_sdl(text) is not None:
        return "code"  # a GraphQL schema: its comments and descriptions are no markdown
    if parse_dump(text) is not None:
        return "sql"  # a database dump: its definitions, and rows to sample
    if looks_like_disassembly(text) or looks_like_symbols(text):
        return "lines"  # objdump -d, nm: function heads over instructions, a symbol a line
    extension = _extension(key)
    hinted = _EXTENSIONS.get(extension)
    if hinted is not None and _confirms(hinted, text, extension):
        return hinted
    markdown = head not in ("{", "[") and (looks_like_mixed(text) or looks_like_note(text))
    if _YAML_START.match(text) and nests_yaml(text):
        return "yaml"  # nested or repeated documents: a speaker's line is a key of one
    if looks_like_chat(text) and not (markdown and not looks_like_chat(unfenced(text))):
        # A transcript may hold JSON and logs; markdown whose speaker lines all sit in
        # fenced run output quotes a chat rather than being one.
        return "chat"
    if head in ("{", "[") and (_json_prefix(stripped) or repr_line(stripped.split("\n", 1)[0])):
        return "segments"  # one JSON document or repr, then more (two tool results joined)
    if head not in ("{", "[") and parse_embedded(text) is not None:
        return "json"  # a line of prose, then the JSON document that makes up most of it
    if looks_like_manual(text) or looks_like_changelog(text):
        return "prose"  # man and pydoc pages, Debian changelogs: laid out as documents
    if parses_as_python(text):
        return "code"
    if program_lines(text):
        return "segments"  # a module's source, then more (a tool's result joined with others)
    if looks_like_xml(text):
        return "xml"  # parsed element by element; the HTML reader if it will not parse
    if _HTML.match(text) or _tags(text):
        return "html"
    if _xml(stripped):
        return "xml"
    # An agent's report quotes runs and logs: in ``` fences, markdown (Python's ~~~^~~~
    # carets are no fences); pasted under its headings, blocks of prose and records.
    # Every fence holds three backticks: looked for by str.find first, as the pattern ("^" of
    # each line) is tried at every character.
    fenced = markdown and "```" in text and _BACKTICK_FENCE.search(text) is not None
    report = fenced or _headed_report(text) or looks_like_note(text)
    if (_tool_output(text) or _doctest_report(text)) and not report:
        return "lines"  # a compiler's or test runner's report, folded line by line
    if is_trace(text.split("\n", 5)):  # its first lines (is_trace reads five)
        return "lines"  # strace's calls, its pids and times no table's columns
    stanzas = control_stanzas(text)  # every line a field or its continuation: parsed
    if stanzas is not None and all(any(map(_STAMP.match, s.values())) for s in stanzas):
        return "logs"  # stanzas of events, each stamped with its time (apt's history.log)
    if stanzas is not None and lists_packages(stanzas):
        return "lines"  # records of packages (dpkg -s, apt-cache show): each named, folded
    if stanzas is not None and not parses_as_yaml(text):
        return "config"  # Debian control files (debian/control, DEP-5 copyright files)
    if looks_like_table(text) or _delimited(text):
        return "table"
    if _YAML_START.match(text) and parses_as_yaml(text):
        return "yaml"
    if _field_record(text):
        return "lines"  # a tool's record of fields with a listing (pip show -f, dpkg -s)
    if parses_as_config(text):
        return "config"  # INI or TOML
    if _SHEBANG.match(text, 0, _SHEBANG_CHARS):
        return "code"  # a script: its interpreter says so
    if looks_like_git_log(text):
        return "lines"  # each commit's id and subject kept, folded line by line
    if looks_like_latex(text):
        return "lines"  # a LaTeX document: its headings kept, folded line by line
    if not markdown and looks_like_options(text):
        # A command's --help (not a script or a YAML document that prints or holds one):
        # its option heads kept, folded line by line.
        return "lines"
    if looks_like_log(text) and not report:
        return "logs"
    if header_end(text[:_SAMPLE].split("\n")):
        return "segments"  # a header block, then a body (METADATA, PKG-INFO, an e-mail)
    if markdown:
        return "mixed"
    language = detect_language(text)
    # Comments are a program's documentation: its code decides whether it is prose.
    uncommented = _BRACE_COMMENT.sub("", text[:_SAMPLE])
    prose = _prose(uncommented)
    signed = language is not None and not prose and _code_lines(text)
    if language is not None and (signed or parses_with_grammar(text, language)):
        # A grammar parses it; or its signs are strong, its lines are statements and it is
        # not prose (C whose macros break the grammar goes to the brace scanner; a tool's
        # help that names a language's keywords has no statements).
        return "code"
    if _preprocessed(uncommented):
        return "code"  # a C header of #if, #define and #include lines
    if prose:
        return "segments" if split_worthy(text) else "prose"
    if looks_like_code(text) and _code_lines(text) and not _quotes_runs(text):
        if joins_value(text):
            return "segments"  # a JSON value's braces among other blocks: data, no code
        return "code"  # the brace scanner: the last resort for code no grammar took
    if split_worthy(text) or _markdown_document(text):
        return "segments"  # a markdown document's prose apart from its tables and HTML
    return "lines"


def _extension(key: str | None) -> str:
    if not key or "." not in key[-12:]:
        return ""
    return key.rsplit(".", 1)[-1].lower()


def _confirms(kind: str, text: str, extension: str) -> bool:
    """Whether ``text`` parses as the kind its extension names."""
    if kind == "json":
        return _json(text) is not None
    if kind == "code":
        # Source may hold long docstrings: the extension and a parse decide, not its words.
        # A long string literal (a script, a template) may outweigh the code around it:
        # the grammar the extension names reads it as one literal.
        return (
            parses_as_python(text)
            or looks_like_code(text)
            or detect_language(text) is not None
            or parses_as_named(text, f"source.{extension}")
        )
    if kind == "table":
        return looks_like_table(text) or _delimited(text, _EXTENSION_DELIMITERS.get(extension))
    if kind == "yaml":
        return parses_as_yaml(text)
    if kind == "config":
        return parses_as_config(text)
    if kind == "html":
        return bool(_HTML.match(text) or _tags(text) or _xml(text.lstrip()))
    if kind == "xml":
        return looks_like_xml(text) or _xml(text.lstrip())
    return looks_like_log(text)


def _binary(text: str) -> bool:
    """Whether the text is bytes that did not decode (replacement, control or escaped bytes)."""
    sample = text[:4096]
    if not sample:
        return False
    odd = len(_CONTROL.findall(sample))
    if "\\x" in sample:  # what every escape opens with: the pattern is slow to find none
        # Bytes printed as their repr fill its line or lines; a log that quotes a few
        # (pytest's captured ``b'x\\x9c…'``) is text around them. Lines end at line feeds
        # only: decoded bytes hold other breaks (\x0b, \x1c) among their escapes.
        lines = [line for line in sample.split("\n") if line.strip()]
        if 2 * sum(1 for line in lines if _ESCAPED_BYTES.search(line)) >= len(lines):
            odd += sum(map(len, _ESCAPED_BYTES.findall(sample)))
    return odd >= _BINARY_SHARE * len(sample) and odd >= 8


@once
def _json(text: str) -> Any:
    """The parsed document or JSON Lines rows, or None."""
    value = json_value(text)
    if value is not NOT_DATA:
        return value
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except (ValueError, RecursionError):
            return None
    return rows if len(rows) >= 2 else None


def _json_prefix(text: str) -> bool:
    """Whether a JSON object or array of at least a few lines opens the text."""
    end = json_opening(text)
    return end is not None and (end >= 200 or text[:end].count("\n") >= 3)


def _python_literal(text: str) -> bool:
    """Whether the text is the repr of a list, dict, tuple or bytes (a tool's result)."""
    value = literal_value(text)
    return isinstance(value, (list, dict, tuple, bytes)) and len(value) > 0


def _tags(text: str) -> bool:
    """Markup: tags make up much of the text (an HTML fragment, a page on one line)."""
    sample = text[:_SAMPLE]
    tags = _TAG.findall(sample)
    return (
        len(tags) >= 10 and sum(map(len, tags)) >= 0.05 * len(sample) and sample.lstrip()[:1] == "<"
    )


def _xml(text: str) -> bool:
    """Whether the text opens as well-formed XML with a few elements (expat reads its start).

    Entities are not expanded (a default handler is set) and external ones never fetched.
    """
    if text[:1] != "<":
        return False
    parser = xml.parsers.expat.ParserCreate()
    parser.DefaultHandler = _ignore
    elements = 0

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal elements
        elements += 1

    parser.StartElementHandler = start
    try:
        parser.Parse(text[:_SAMPLE], False)  # not final: the sample may end inside an element
    except xml.parsers.expat.ExpatError:
        return False
    return elements >= 3


def _ignore(data: str) -> None:
    """Expat's default handler: set, it leaves internal entities unexpanded."""


def _delimited(text: str, delimiter: str | None = None) -> bool:
    """CSV or TSV without a header row: the sniffed delimiter splits every line alike.

    Rows of tab-separated fields may leave trailing fields out (every row two fields or more,
    the first one filled: not code indented with tabs), and lines opening with "#" among them
    are comments (tzdata's zone.tab). With the ``delimiter`` the key's extension names (.csv,
    .tsv), comments are skipped alike, rows that look like log lines are still rows, and any
    row of two fields or more is one.
    """
    lines = [line for line in head_lines(text)[:100] if line.strip()]
    lines = lines[:-1]  # the last line may be cut
    rows = [line for line in lines if line[0] != "#"]
    if len(rows) < 4:
        return False
    if delimiter is not None:
        return all(len(row) >= 2 for row in csv.reader(rows, delimiter=delimiter))
    # A log's lines split alike too (a time, then fields): asked last, as most texts are
    # told apart from rows more cheaply.
    return _rows_alike(rows, lines) and not looks_like_log(text)


def _rows_alike(rows: list[str], lines: list[str]) -> bool:
    """Whether the lines split into fields alike: by tabs, or by the sniffed delimiter."""
    if all(len(row) >= 2 and row[0].strip() for row in csv.reader(rows, delimiter="\t")):
        return True
    joined = "\n".join(lines)
    # A quote (or NUL) is in every match: without one, the slow pattern need not look.
    if not ('"' in joined or "'" in joined or "\0" in joined) or not _FIELD_QUOTE.search(joined):
        # No field is quoted, so each line is a row, and a row of two cells or more holds a
        # delimiter: with fewer such lines than the share below, no delimiter passes (and the
        # sniffer, slow on long lines, need not run).
        split = len(lines) - len(_UNDELIMITED.findall(joined))
        if split < 0.95 * len(lines):
            return False
    elif not _may_split_alike(lines):
        return False
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=_DELIMITERS)
    except csv.Error:
        return False
    widths = [len(row) for row in csv.reader(lines, dialect)]
    width = max(set(widths), key=widths.count)
    return width >= 2 and widths.count(width) >= 0.95 * len(widths)


def _may_split_alike(lines: list[str]) -> bool:
    """Whether a dialect the sniffer may pick leaves at most 1 row in 20 with one field.

    A quoted field may span lines, so quotes make rows of lines in ways no count of
    delimiters tells. The sniffer (pure Python, slow) picks one of these dialects: where
    each leaves more than 1 line in 20 a row of one field (the rows are at most the lines),
    no row width can be 19 in 20 of them, whatever it picks. Read by csv, each dialect stops
    at the first such rows: prose stops at once.
    """
    for delimiter, quote, doubled, skip in product(
        _DELIMITERS, "\"'", (True, False), (True, False)
    ):
        rows = csv.reader(
            lines, delimiter=delimiter, quotechar=quote, doublequote=doubled, skipinitialspace=skip
        )
        unsplit = 0
        try:
            for row in rows:
                unsplit += len(row) < 2
                if 20 * unsplit > len(lines):
                    break
            else:
                return True
        except csv.Error:
            return True  # the sniffer's own reading decides
    return False


def _tool_output(text: str) -> bool:
    """Whether many lines are records only tools print (diagnostics, test-runner verdicts)."""
    lines = filled_head(text)
    if len(lines) < 5:
        return False
    need, hits, left = _TOOL_SHARE * len(lines), 0, len(lines)
    for line in lines:
        hits += _TOOL_LINE.match(line[:_LINE_CHARS]) is not None
        left -= 1
        if hits + left < need:
            return False  # the lines left cannot make up the share: most texts stop early
    return hits >= need


def _quotes_runs(text: str) -> bool:
    """Whether a few lines are records only tools print: a report quoting a run's output.

    A release report quoting a JUnit file (its failures' tracebacks hold source lines) and a
    test run's output has lines of code in it, but is no program: the brace scanner, the
    last resort for code, would elide its failures as bodies.
    """
    lines = head_lines(text)
    return sum(_TOOL_LINE.match(line[:_LINE_CHARS]) is not None for line in lines) >= _RUN_LINES


def _doctest_report(text: str) -> bool:
    """Whether the lines parse as doctest's report: its heads, each over indented lines.

    ``python -m doctest -v`` writes ``Trying:`` over an example, ``Expecting:`` over what it
    should print, ``ok`` or a failure's location, ``Failed example:``, ``Got:`` and a
    traceback, then a summary; everything else it writes is indented under a head. Most of
    its lines are examples and their output, which a tool's line pattern cannot tell.
    """
    sample = text[:_SAMPLE]
    if "Trying:" not in sample and "Failed example:" not in sample:
        return False  # no example: the lines need not be read
    lines = filled_head(text)
    heads = sum(1 for line in lines if _DOCTEST_HEAD.fullmatch(line))
    examples = sum(1 for line in lines if line in ("Trying:", "Failed example:"))
    read = heads + sum(1 for line in lines if line[:1] in " \t")
    return examples >= 2 and read >= _DOCTEST_SHARE * len(lines)


def _code_lines(text: str) -> bool:
    """Whether a few lines end a statement or block, or define, import or include.

    A line of plain words is no statement, whatever it ends with (a list of copyright
    holders, each item closed by a semicolon).
    """
    found = 0
    for sign in _CODE_SIGN.finditer(text, 0, _SAMPLE):
        start = text.rfind("\n", 0, sign.start()) + 1
        end = text.find("\n", sign.start())
        found += not _wordy(text[start : end if end >= 0 else len(text)])
        if found >= _STATEMENTS:
            return True
    return False


def _field_record(text: str) -> bool:
    """Whether the text is one record of RFC 822 fields and nothing after it.

    ``pip show -f`` and ``dpkg -s`` print one; YAML does not take it when a field's lines
    are a listing it would fold into one string. Its fields are named by words.
    """
    lines = text.strip("\n").split("\n")
    names = all(_FIELD_NAME.match(line) for line in lines if line[:1] not in (" ", "\t"))
    return names and header_end([*lines, ""]) == len(lines)


def _headed_report(text: str) -> bool:
    """Whether the text opens with a markdown title, has sections, and splits into blocks.

    A report that pastes a test run or a log under its headings without fences: its prose
    and its tool output are each compressed by their kind, not folded as one log.
    """
    return (
        _TITLE.match(text) is not None
        and len(HEADING.findall(text, 0, _SAMPLE)) >= 2
        and split_worthy(text)
    )


def _markdown_document(text: str) -> bool:
    """Whether the text opens with a markdown title and holds more of markdown's blocks.

    Node's changelogs and contributor guides are mostly HTML tables, pipe tables and link
    definitions under a ``# Title``: too few of their lines are sentences for prose.
    """
    return _TITLE.match(text) is not None and _MARKDOWN_BLOCK.search(text, 0, _SAMPLE) is not None


def _preprocessed(sample: str) -> bool:
    """Whether many of the lines are C preprocessor directives."""
    lines = filled_head(sample)
    directives = sum(1 for line in lines if _DIRECTIVE.match(line))
    return directives >= 5 and directives >= _DIRECTIVES * len(lines)


def _prose(text: str) -> bool:
    """Whether the lines are mostly sentences: plain words, no column gaps, no records."""
    sample = filled_head(text)
    # Pipe-table rows say nothing either way: a report may be mostly one table.
    lines = [line for line in sample if not line.lstrip().startswith(("|", "+-"))]
    if not lines:
        return False
    if len(lines) < 3:
        return sum(map(_wordy, lines)) >= 1
    said = list(map(line_test(sentence_line), lines))
    if sum(said) >= 0.5 * len(lines):
        return True
    # Or its paragraphs are, at the margin, with commands and examples indented under them.
    flush = [is_said for line, is_said in zip(lines, said, strict=True) if not line[:1].isspace()]
    return len(flush) >= max(3, _FLUSH * len(lines)) and sum(flush) >= 0.5 * len(flush)


def sentence_line(line: str) -> bool:
    """Whether a line is part of prose: a sentence's words, a heading, a list item."""
    return (_wordy(line) or _markdown_line(line)) and not _RECORD.match(line)


def _wordy(line: str) -> bool:
    """A line of prose: at least four tokens, most of them plain words, no column gaps."""
    tokens = line.split()
    if len(tokens) < 4 or _gapped(line.strip()):
        return False
    return len(list(filter(_PLAIN_WORD.fullmatch, tokens))) >= 0.7 * len(tokens)


def _gapped(line: str) -> bool:
    """Whether a column gap is inside the line: two blanks or a tab.

    Two blanks after a sentence's end are the typewriter convention of plain-text documents
    (licenses, READMEs), not a gap. Found by str.find: a pattern looking behind every
    character took most of the sentence test's time.
    """
    if "\t" in line:
        return True
    at = line.find("  ")
    while at > 0:
        if line[at - 1] not in ".?!:":
            return True
        at = line.find("  ", at + 1)
    return at == 0


def _markdown_line(line: str) -> bool:
    """A heading, quote or list item with words in it."""
    return bool(_MARKDOWN.match(line)) and len(re.findall(r"[A-Za-z]{3,}", line)) >= 2
