"""Cases read from files already on the machine: source, package metadata, docs, configs."""

from __future__ import annotations

import ast
import configparser
import difflib
import gzip
import os
import re
import sysconfig
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from corpus_rules import (
    Case,
    code_case_needles,
    csv_rows,
    debian_changelog_needles,
    mapping_needles,
    markdown_needles,
    plain_heading_needles,
    python_signatures,
    read_text,
    record_needles,
    slug,
    spread,
    tree_signatures,
)

STDLIB = Path(sysconfig.get_paths()["stdlib"])
SITE = Path(sysconfig.get_paths()["purelib"])
# Machine roots other than Python's: never the repository, its worktrees or the tool caches.
SYSTEM_ROOTS = [Path(p) for p in ("/usr/share", "/usr/lib", "/usr/include", "/etc", "/opt")]
SKIP_DIRS = {"__pycache__", "package-lists", "site-packages", "dist-packages", "proc", "test"}
MAX_VISIT = 1_000_000  # files looked at per walk: bounded time on a huge /usr


class Skip(Exception):
    """A source that cannot run on this machine (its tool or material is missing)."""


def walk(
    roots: list[Path], suffixes: tuple[str, ...], lo: int, hi: int, limit: int = 400
) -> list[Path]:
    """Up to ``limit`` files with one of ``suffixes``, sizes in [lo, hi], in sorted walk order."""
    found: list[Path] = []
    visited = 0
    for root in roots:
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(
                d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".")
            )
            for name in sorted(filenames):
                visited += 1
                if not name.endswith(suffixes):
                    continue
                path = Path(dirpath, name)
                try:
                    if path.is_symlink() or not lo <= path.stat().st_size <= hi:
                        continue
                except OSError:
                    continue
                found.append(path)
                if len(found) >= limit or visited >= MAX_VISIT:
                    return found
    return found


def case_id(fmt: str, path: Path | str) -> str:
    return f"{slug(fmt)}__{slug(str(path))[-50:]}"


# --- source code -----------------------------------------------------------------------


def python_stdlib() -> Iterator[Case]:
    paths = [p for p in sorted(STDLIB.glob("*.py")) if 8_000 <= p.stat().st_size <= 150_000]
    yield from _python_cases(spread(paths, 40), "python", "standard library")


def python_site_packages() -> Iterator[Case]:
    paths = walk([SITE], (".py",), 8_000, 150_000, limit=600)
    yield from _python_cases(spread(paths, 15), "python", "site-packages")


def _python_cases(paths: list[Path], fmt: str, origin: str) -> Iterator[Case]:
    for path in paths:
        text = read_text(path)
        if text is None:
            continue
        try:
            heads, bodies = python_signatures(text)
        except SyntaxError:
            continue
        case = Case(case_id(fmt, path.name), "code", fmt, f"{origin} {path.name}", text, "py")
        done = code_case_needles(case, heads, bodies, "the function")
        if done:
            yield done


TREE_SITTER: dict[str, tuple[str, str, set[str], set[str]]] = {
    # format: (grammar module, extension, definition node types, body line starts)
    "c-header": (
        "tree_sitter_c",
        "h",
        {"declaration", "type_definition", "struct_specifier", "enum_specifier"},
        {"int ", "void ", "char ", "#define", "unsigned", "const "},
    ),
    "javascript": (
        "tree_sitter_javascript",
        "js",
        {"function_declaration", "class_declaration", "method_definition"},
        {"return "},
    ),
    "java": (
        "tree_sitter_java",
        "java",
        {"class_declaration", "interface_declaration", "method_declaration"},
        {"return "},
    ),
    "go": (
        "tree_sitter_go",
        "go",
        {"function_declaration", "method_declaration", "type_spec"},
        {"return "},
    ),
    "shell": ("tree_sitter_bash", "sh", {"function_definition"}, {"echo ", "printf ", "exit "}),
    "php": (
        "tree_sitter_php:language_php",
        "php",
        {"function_definition", "method_declaration", "class_declaration"},
        {"return ", "throw "},
    ),
    "ruby": ("tree_sitter_ruby", "rb", {"method", "singleton_method", "class"}, {"raise "}),
    "csharp": (
        "tree_sitter_c_sharp",
        "cs",
        {"method_declaration", "class_declaration", "constructor_declaration"},
        {"return ", "throw "},
    ),
    "kotlin": (
        "tree_sitter_kotlin",
        "kt",
        {"function_declaration", "class_declaration"},
        {"return "},
    ),
    "swift": (
        "tree_sitter_swift",
        "swift",
        {"function_declaration", "class_declaration"},
        {"return "},
    ),
}


def _grammar(fmt: str) -> Any:
    """The tree-sitter Language of a format ("module" or "module:function" in TREE_SITTER)."""
    module, _, function = TREE_SITTER[fmt][0].partition(":")
    try:
        from tree_sitter import Language

        grammar = __import__(module)
    except ImportError as exc:
        raise Skip(f"{module} is not installed") from exc
    return Language(getattr(grammar, function or "language")())


def _tree_cases(fmt: str, named: list[tuple[str, str]]) -> Iterator[Case]:
    _, ext, kinds, body = TREE_SITTER[fmt]
    language = _grammar(fmt)
    if not named:
        raise Skip(f"no {fmt} files on this machine")
    for name, text in named:
        heads, bodies = tree_signatures(text, language, kinds, body)
        case = Case(case_id(fmt, name), "code", fmt, name, text, ext)
        done = code_case_needles(case, heads, bodies, "the function")
        if done:
            yield done


def _read_all(paths: list[Path]) -> list[tuple[str, str]]:
    out = []
    for path in paths:
        text = read_text(path)
        if text is not None:
            out.append((str(path), text))
    return out


CPP_RE = re.compile(r"^\s*(?:namespace\b|template\s*<|class\s+\w+\s*[:{])", re.M)


def c_headers() -> Iterator[Case]:
    """C headers, one per file name (vendored copies repeat); C++ ones, which the C grammar
    misreads, left out."""
    paths = walk([Path("/usr/include")], (".h",), 6_000, 150_000, limit=4000)
    by_name: dict[str, Path] = {}
    for path in paths:
        if "c++" not in path.parts:
            by_name.setdefault(path.name, path)
    c_only = [p for p in sorted(by_name.values()) if not CPP_RE.search(read_text(p) or "class A {")]
    yield from _header_cases(spread(c_only, 30))


def _header_cases(paths: list[Path]) -> Iterator[Case]:
    named = _read_all(paths)
    _, _, kinds, body = TREE_SITTER["c-header"]
    language = _grammar("c-header")
    for name, text in named:
        heads, _ = tree_signatures(text, language, kinds, body)
        protos = [h for h in heads if h.endswith(";") and "(" in h]
        if len(protos) < 2:
            continue
        case = Case(case_id("c-header", name), "code", "c-header", name, text, "h")
        case.needles = spread(protos, 5)
        rest = [p for p in protos if p not in case.needles]
        if rest:
            middle = rest[len(rest) // 2]
            fn = middle.split("(")[0].split()[-1].lstrip("*")
            case.task = f"What arguments does {fn} take?"
            case.task_needles = [middle]
        done = case.finish()
        if done:
            yield done


def javascript() -> Iterator[Case]:
    roots = [Path("/usr/lib/node_modules"), Path("/usr/share/nodejs"), SITE]
    paths = [p for p in walk(roots, (".js",), 5_000, 120_000, 1500) if ".min." not in p.name]
    yield from _tree_cases("javascript", _read_all(spread(paths, 25)))


def java() -> Iterator[Case]:
    zips = sorted(Path("/usr/lib/jvm").glob("*/lib/src.zip"))
    if not zips:
        raise Skip("no JDK src.zip")
    with zipfile.ZipFile(zips[0]) as z:
        infos = sorted(
            (i for i in z.infolist() if i.filename.startswith("java.base/java/util/")),
            key=lambda i: i.filename,
        )
        infos = [i for i in infos if i.filename.endswith(".java") and 8_000 < i.file_size < 150_000]
        named = [(i.filename, z.read(i).decode("utf-8", "replace")) for i in spread(infos, 20)]
    yield from _tree_cases("java", named)


def python_diffs() -> Iterator[Case]:
    """Unified diffs of the standard library here against another Python 3 install's
    (Debian's /usr/lib/python3.X beside a python.org or pyenv build, say).

    Needles: the def and class lines (found by ``ast`` in either version) that the diff adds
    or removes.
    """
    others = [
        p
        for p in sorted(Path("/usr/lib").glob("python3.*"))
        if p.is_dir() and p.resolve() != STDLIB.resolve() and (p / "os.py").is_file()
    ]
    if not others:
        raise Skip("no second Python standard library to diff against")
    other = others[-1]
    made = 0
    for path in sorted(STDLIB.glob("*.py")):
        mine, theirs = read_text(path), read_text(other / path.name)
        if mine is None or theirs is None or mine == theirs:
            continue
        diff = "".join(
            difflib.unified_diff(
                theirs.splitlines(keepends=True),
                mine.splitlines(keepends=True),
                f"{other}/{path.name}",
                f"{STDLIB}/{path.name}",
            )
        )
        if not 3_000 <= len(diff) <= 200_000:
            continue
        heads = _definition_lines(theirs) | _definition_lines(mine)
        changed = [
            line[1:].strip()
            for line in diff.splitlines()
            if line[:1] in "+-"
            and not line.startswith(("+++", "---"))
            and line[1:].strip() in heads
        ]
        case = Case(
            case_id("unified-diff", path.name), "code", "unified-diff", path.name, diff, "diff"
        )
        case.needles = spread(changed, 5)
        done = case.finish()
        if done:
            made += 1
            yield done
        if made >= 10:
            return


def _definition_lines(text: str) -> set[str]:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return set()
    lines = text.splitlines()
    return {
        lines[n.lineno - 1].strip()
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }


def go() -> Iterator[Case]:
    paths = walk(
        [Path("/usr/share/doc"), Path("/usr/lib/go"), Path("/usr/share/go")],
        (".go",),
        3_000,
        150_000,
    )
    yield from _tree_cases("go", _read_all(spread(paths, 8)))


def shell() -> Iterator[Case]:
    paths = []
    for path in sorted(Path("/usr/bin").iterdir()) + sorted(Path("/usr/sbin").iterdir()):
        try:
            if path.is_symlink() or not 3_000 <= path.stat().st_size <= 100_000:
                continue
            with path.open("rb") as f:
                head = f.read(40)
        except OSError:
            continue
        if head.startswith((b"#!/bin/sh", b"#!/bin/bash", b"#! /bin/sh", b"#!/usr/bin/env bash")):
            paths.append(path)
    yield from _tree_cases("shell", _read_all(spread(paths, 15)))


def sources_in(fmt: str, suffixes: tuple[str, ...]) -> Callable[[], Iterator[Case]]:
    """Source files of a language wherever the machine has them (PHP in the Google Cloud SDK,
    Ruby in Redis's docs, C# in node-gyp), those its grammar parses cleanly."""

    def cases() -> Iterator[Case]:
        language = _grammar(fmt)
        from tree_sitter import Parser

        roots = [*SYSTEM_ROOTS, Path("/usr/lib/node_modules"), SITE]
        parsed: dict[str, tuple[str, str]] = {}  # one case per content (vendored copies)
        for name, text in _read_all(walk(roots, suffixes, 3_000, 150_000, limit=600)):
            root = Parser(language).parse(text.encode()).root_node
            if not root.has_error:  # a .cs file may be Czech, not C#
                parsed.setdefault(text, (name, text))
        yield from _tree_cases(fmt, spread(list(parsed.values()), 12))

    return cases


# --- package metadata ------------------------------------------------------------------


def dist_infos() -> list[Path]:
    return sorted(SITE.glob("*.dist-info")) + sorted(
        Path("/usr/lib/python3/dist-packages").glob("*.dist-info")
    )


def pkg_metadata() -> Iterator[Case]:
    paths = [p / "METADATA" for p in dist_infos() if (p / "METADATA").is_file()]
    paths = [p for p in paths if 3_000 <= p.stat().st_size <= 200_000]
    for path in spread(paths, 15):
        text = read_text(path)
        if text is None:
            continue
        case = Case(
            case_id("pkg-metadata", path.parent.name),
            "mixed",
            "pkg-metadata",
            str(path),
            text,
            "txt",
        )
        needles, case.task, case.task_needles = markdown_needles(text)
        version = next((line[9:] for line in text.splitlines() if line.startswith("Version: ")), "")
        case.needles = [version, *needles] if version else needles
        done = case.finish()
        if done:
            yield done


def pkg_info() -> Iterator[Case]:
    paths = walk([Path("/usr/lib/python3/dist-packages"), SITE], ("PKG-INFO",), 2_000, 200_000)
    if not paths:
        raise Skip("no PKG-INFO files")
    for path in spread(paths, 8):
        text = read_text(path)
        if text is None:
            continue
        case = Case(
            case_id("pkg-info", path.parent.name), "mixed", "pkg-info", str(path), text, "txt"
        )
        case.needles, case.task, case.task_needles = markdown_needles(text)
        if not case.needles:
            case.needles, case.task, case.task_needles = plain_heading_needles(text)
        done = case.finish()
        if done:
            yield done


def pkg_record() -> Iterator[Case]:
    paths = [p / "RECORD" for p in dist_infos() if (p / "RECORD").is_file()]
    paths = [p for p in paths if 4_000 <= p.stat().st_size <= 400_000]
    for path in spread(paths, 12):
        text = read_text(path)
        if text is None:
            continue
        rows = csv_rows(text, ",", header=False)
        case = Case(
            case_id("csv-headerless", path.parent.name),
            "table",
            "csv-headerless",
            str(path),
            text,
            "csv",
        )
        case.needles, case.task, case.task_needles = record_needles(rows, text, "file")
        done = case.finish()
        if done:
            yield done


# --- documents -------------------------------------------------------------------------


def readmes() -> Iterator[Case]:
    roots = [Path("/usr/lib/node_modules"), Path("/usr/share/doc")]
    paths = walk(
        roots, ("README.md", "README", "README.txt", "README.markdown"), 3_000, 150_000, 800
    )
    for path in spread(paths, 25):
        text = read_text(path)
        if text is None:
            continue
        case = Case(case_id("readme", path), "prose", "readme", str(path), text, "md")
        case.needles, case.task, case.task_needles = markdown_needles(text)
        if len(case.needles) < 2:
            case.needles, case.task, case.task_needles = plain_heading_needles(text)
        done = case.finish()
        if done:
            yield done


def changelogs() -> Iterator[Case]:
    paths = sorted(Path("/usr/share/doc").glob("*/changelog.Debian.gz"))
    paths = [p for p in paths if p.stat().st_size >= 2_000]
    if not paths:
        raise Skip("no Debian changelogs")
    for path in spread(paths, 15):
        try:
            text = gzip.decompress(path.read_bytes()).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        text = _cut(text, 60_000)
        case = Case(
            case_id("changelog", path.parent.name), "prose", "changelog", str(path), text, "txt"
        )
        case.needles, case.task, case.task_needles = debian_changelog_needles(text)
        done = case.finish()
        if done:
            yield done


def markdown_changelogs() -> Iterator[Case]:
    roots = [Path("/usr/lib/node_modules"), SITE]
    paths = walk(roots, ("CHANGELOG.md", "CHANGES.md", "HISTORY.md", "NEWS.md"), 3_000, 300_000)
    for path in spread(paths, 8):
        text = read_text(path)
        if text is None:
            continue
        text = _cut(text, 60_000)
        case = Case(case_id("changelog-md", path), "prose", "changelog-md", str(path), text, "md")
        case.needles, case.task, case.task_needles = markdown_needles(text)
        done = case.finish()
        if done:
            yield done


def licenses() -> Iterator[Case]:
    paths = [
        p for p in sorted(Path("/usr/share/common-licenses").glob("*")) if p.stat().st_size > 4_000
    ]
    if not paths:
        raise Skip("no /usr/share/common-licenses")
    for path in spread(paths, 8):
        text = read_text(path)
        if text is None:
            continue
        case = Case(case_id("license", path.name), "prose", "license", str(path), text, "txt")
        case.needles, case.task, case.task_needles = plain_heading_needles(text)
        done = case.finish()
        if done:
            yield done


def _cut(text: str, chars: int) -> str:
    """The leading whole lines of ``text`` up to about ``chars`` characters."""
    if len(text) <= chars:
        return text
    return text[: text.rfind("\n", 0, chars) + 1]


# --- data and configuration files ------------------------------------------------------


def csv_files() -> Iterator[Case]:
    roots = [Path("/usr/share"), SITE, Path("/usr/lib/python3")]
    paths = walk(roots, (".csv",), 2_000, 1_000_000)
    for path in spread(paths, 10):
        text = read_text(path)
        if text is None:
            continue
        rows = csv_rows(text, ",", header=True)
        case = Case(case_id("csv", path), "table", "csv", str(path), _cut(text, 200_000), "csv")
        case.needles, case.task, case.task_needles = record_needles(rows, case.text, "row")
        done = case.finish()
        if done:
            yield done


def tsv_files() -> Iterator[Case]:
    paths = sorted(Path("/usr/share/zoneinfo").glob("*.tab"))
    paths += walk([Path("/usr/share"), SITE], (".tsv",), 2_000, 1_000_000)
    if not paths:
        raise Skip("no TSV files")
    for path in paths[:10]:
        text = read_text(path)
        if text is None:
            continue
        header = not text.startswith("#")
        rows = csv_rows(text, "\t", header=header)
        fmt = "tsv" if header else "tsv-headerless"
        case = Case(case_id(fmt, path), "table", fmt, str(path), text, "tsv")
        case.needles, case.task, case.task_needles = record_needles(rows, text, "row")
        done = case.finish()
        if done:
            yield done


def yaml_files() -> Iterator[Case]:
    try:
        import yaml
    except ImportError as exc:
        raise Skip("PyYAML is not installed") from exc
    paths = walk([*SYSTEM_ROOTS, SITE], (".yaml", ".yml"), 3_000, 300_000, 2000)
    for path in spread(paths, 20):
        text = read_text(path)
        if text is None:
            continue
        try:
            docs = [d for d in yaml.safe_load_all(text) if d is not None]
        except yaml.YAMLError:
            continue
        data: Any = docs[0] if len(docs) == 1 else docs
        case = Case(case_id("yaml", path), "config", "yaml", str(path), text, "yaml")
        case.needles, case.task, case.task_needles = mapping_needles(data, text)
        done = case.finish()
        if done:
            yield done


def toml_files() -> Iterator[Case]:
    paths = walk([*SYSTEM_ROOTS, SITE, Path.home() / ".rustup"], (".toml",), 1_500, 2_000_000)
    if not paths:
        raise Skip("no TOML files")
    for path in spread(paths, 10):
        text = read_text(path)
        if text is None:
            continue
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            continue
        case = Case(case_id("toml", path), "config", "toml", str(path), _cut_toml(text), "toml")
        case.needles, case.task, case.task_needles = mapping_needles(data, case.text)
        done = case.finish()
        if done:
            yield done


def _cut_toml(text: str) -> str:
    """A large TOML file cut at a table header, so what is kept still parses."""
    if len(text) <= 200_000:
        return text
    end = text.rfind("\n[", 0, 200_000)
    return text[: end + 1] if end > 0 else text


def ini_files() -> Iterator[Case]:
    paths = walk([*SYSTEM_ROOTS, SITE], (".ini", ".cfg", ".conf", ".service"), 1_500, 300_000, 3000)
    found = 0
    for path in paths:
        text = read_text(path)
        if text is None:
            continue
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(text)
        except configparser.Error:
            continue
        if len(parser.sections()) < 2:
            continue
        data = {s: dict(parser[s]) for s in parser.sections()}
        case = Case(case_id("ini", path), "config", "ini", str(path), text, "ini")
        case.needles, case.task, case.task_needles = mapping_needles(data, text)
        done = case.finish()
        if done:
            found += 1
            yield done
        if found >= 10:
            return


class _Headings(HTMLParser):
    """Heading texts and the first long paragraph text after each, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.heads: list[tuple[str, str]] = []
        self._in: str | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3"):
            self._in, self._buf = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self.heads.append((" ".join("".join(self._buf).split()), ""))
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self._buf.append(data)
        elif self.heads and not self.heads[-1][1] and len(data.strip()) >= 40:
            self.heads[-1] = (self.heads[-1][0], data.strip())


def html_needles(text: str) -> tuple[list[str], str, list[str]]:
    parser = _Headings()
    parser.feed(text)
    heads = [(h, p) for h, p in parser.heads if len(h) >= 4 and text.count(h) == 1]
    needles = spread([h for h, _ in heads], 5)
    with_text = [
        (h, p) for h, p in heads if p and p in text and text.count(p) == 1 and h not in needles
    ]
    if not with_text:
        return needles, "", []
    head, para = with_text[len(with_text) // 2]
    return needles, f"What does the section '{head}' say?", [para.split("\n")[0]]


def html_files() -> Iterator[Case]:
    roots = [
        Path("/usr/share/doc"),
        *sorted(Path.home().glob(".rustup/toolchains/*/share/doc/rust/html/std"))[:1],
    ]
    paths = walk(roots, (".html", ".htm"), 4_000, 400_000, 1500)
    for path in spread(paths, 20):
        text = read_text(path)
        if text is None:
            continue
        case = Case(case_id("html", path), "prose", "html", str(path), text, "html")
        case.needles, case.task, case.task_needles = html_needles(text)
        done = case.finish()
        if done:
            yield done


def html_one_line() -> Iterator[Case]:
    """A page as some tools return it: one line, no newlines."""
    roots = [
        Path("/usr/share/doc"),
        *sorted(Path.home().glob(".rustup/toolchains/*/share/doc/rust/html/std"))[:1],
    ]
    paths = walk(roots, (".html",), 8_000, 200_000, 1500)
    for path in spread(paths, 11)[1::2]:
        text = read_text(path)
        if text is None:
            continue
        text = " ".join(line.strip() for line in text.splitlines() if line.strip())
        case = Case(
            case_id("html-one-line", path), "prose", "html-one-line", str(path), text, "html"
        )
        case.needles, case.task, case.task_needles = html_needles(text)
        done = case.finish()
        if done:
            yield done


def xml_files() -> Iterator[Case]:
    roots = [
        Path("/usr/share/mime/packages"),
        Path("/usr/share/xml"),
        Path("/usr/share/fontconfig"),
        Path("/etc/fonts"),
        Path("/usr/share/dbus-1"),
        Path("/usr/share/polkit-1"),
        Path("/usr/libexec/valgrind"),
    ]
    paths = walk(roots, (".xml", ".conf", ".policy", ".xsd"), 4_000, 2_000_000, 800)
    found = 0
    for path in paths:
        text = read_text(path)
        if text is None or "<" not in text[:200]:
            continue
        try:
            root = ET.fromstring(text)
        except ET.ParseError:
            continue
        records = _xml_records(root)
        case = Case(case_id("xml", path), "mixed", "xml", str(path), _cut(text, 300_000), "xml")
        case.needles, case.task, case.task_needles = record_needles(records, case.text, "element")
        done = case.finish()
        if done:
            found += 1
            yield done
        if found >= 12:
            return


def _xml_records(root: ET.Element) -> list[dict[str, Any]]:
    """The most common child element of the root, each as attributes plus child texts."""
    tags = Counter(child.tag for child in root)
    if not tags:
        return []
    tag = tags.most_common(1)[0][0]
    records = []
    for child in root:
        if child.tag != tag:
            continue
        record: dict[str, Any] = dict(child.attrib)
        for sub in child:
            if sub.text and sub.text.strip() and not sub.attrib:
                record.setdefault(sub.tag.split("}")[-1], sub.text.strip())
        records.append(record)
    return records


SOURCES: dict[str, Callable[[], Iterator[Case]]] = {
    "python-stdlib": python_stdlib,
    "python-site-packages": python_site_packages,
    "c-header": c_headers,
    "javascript": javascript,
    "java": java,
    "python-diff": python_diffs,
    "go": go,
    "shell": shell,
    "php": sources_in("php", (".php",)),
    "ruby": sources_in("ruby", (".rb",)),
    "csharp": sources_in("csharp", (".cs",)),
    "kotlin": sources_in("kotlin", (".kt", ".kts")),
    "swift": sources_in("swift", (".swift",)),
    "pkg-metadata": pkg_metadata,
    "pkg-info": pkg_info,
    "pkg-record": pkg_record,
    "readme": readmes,
    "changelog": changelogs,
    "changelog-md": markdown_changelogs,
    "license": licenses,
    "csv": csv_files,
    "tsv": tsv_files,
    "yaml": yaml_files,
    "toml": toml_files,
    "ini": ini_files,
    "html": html_files,
    "html-one-line": html_one_line,
    "xml": xml_files,
}
