"""Multi-file dumps: split at the headers their tools print, each file by its own kind."""

import argparse
import ast
import email
import inspect
import json
import os
import pickle
import shutil
import subprocess
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.detect import detect
from agent_baton.compress.dumps import dump_files

# Real files: a C header of the interpreter's first, then Python modules (a C-first dump is
# what sent a whole dump of Python files through the C grammar).
PY_DIR = Path(json.__file__).parent
SOURCES = [
    *sorted(PY_DIR.glob("*.py")),
    *sorted(Path(email.__file__).parent.glob("[a-f]*.py")),
]


def files() -> list[tuple[str, str]]:
    """(path, content) of real files, a C header first when the machine has one."""
    headers = sorted(Path("/usr/include").glob("python3*/object.h"))
    chosen = [*headers[:1], *SOURCES]
    return [(str(path), path.read_text()) for path in chosen]


def head(pairs: list[tuple[str, str]]) -> str:
    """``head -n 1000 a b c``."""
    parts = [f"==> {p} <==\n" + "".join(c.splitlines(keepends=True)[:1000]) for p, c in pairs]
    return "\n".join(parts)


def files_to_prompt(pairs: list[tuple[str, str]]) -> str:
    """files-to-prompt's default: path, ---, content, a blank line, ---."""
    return "".join(f"{p}\n---\n{c}\n\n---\n" for p, c in pairs)


def cxml(pairs: list[tuple[str, str]]) -> str:
    """files-to-prompt --cxml."""
    docs = "".join(
        f'<document index="{i}">\n<source>{p}</source>\n<document_content>\n{c}\n'
        "</document_content>\n</document>\n"
        for i, (p, c) in enumerate(pairs, 1)
    )
    return f"<documents>\n{docs}</documents>\n"


def repomix_xml(pairs: list[tuple[str, str]]) -> str:
    """repomix --style xml: its summary shortened, the tree of the files, the files."""
    tree = "\n".join(p for p, _ in pairs)
    body = "\n".join(f'<file path="{p}">\n{c}\n</file>\n' for p, c in pairs)
    return f"<directory_structure>\n{tree}\n</directory_structure>\n\n<files>\n{body}\n</files>\n"


def ruled(pairs: list[tuple[str, str]], rule: str, label: str) -> str:
    """repomix --style plain (16 ``=``, File:) and gitingest (48 ``=``, FILE:)."""
    return "".join(f"{rule}\n{label}: {p}\n{rule}\n{c}\n\n" for p, c in pairs)


def repomix_markdown(pairs: list[tuple[str, str]], fence: str = "```") -> str:
    """repomix --style markdown (its fence longer than any in the files)."""
    return "# Files\n\n" + "".join(
        f"## File: {p}\n{fence}python\n{c}\n{fence}\n\n" for p, c in pairs
    )


FORMATS = {
    "head": (head, lambda p: f"==> {p} <=="),
    "files-to-prompt": (files_to_prompt, lambda p: p),
    "cxml": (cxml, lambda p: f"<source>{p}</source>"),
    "repomix-xml": (repomix_xml, lambda p: f'<file path="{p}">'),
    "repomix-plain": (lambda f: ruled(f, "=" * 16, "File"), lambda p: f"File: {p}"),
    "gitingest": (lambda f: ruled(f, "=" * 48, "FILE"), lambda p: f"FILE: {p}"),
    "repomix-markdown": (repomix_markdown, lambda p: f"## File: {p}"),
}


def public_signatures(source: str) -> set[str]:
    """The first line of each public top-level function and class of a module."""
    lines = source.splitlines()
    return {
        lines[node.lineno - 1]
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_")
    }


@pytest.mark.parametrize("name", FORMATS)
def test_a_dump_is_split_at_its_headers_and_each_file_keeps_its_name_and_signatures(name):
    write, header = FORMATS[name]
    pairs = files()
    text = write(pairs)
    found = dump_files(text)
    assert [f.path for f in found] == [p for p, _ in pairs]
    assert detect(text) == "segments"
    result = compress(text)
    kept = set(result.text.split("\n"))
    assert result.compressed_tokens < result.original_tokens
    assert {header(p) for p, _ in pairs} <= kept
    python = [c for p, c in pairs if p.endswith(".py")]
    assert set().union(*map(public_signatures, python)) <= kept


def test_a_file_whose_lines_only_look_like_headers_is_not_split():
    # A markdown file that shows the formats: its example headers open no frame that closes.
    doc = (Path(__file__).parents[2] / "README.md").read_text()
    lines = [
        "==> example.log <==",
        "## File: src/app.py",
        "no fence under it",
        "---",
        "================",
        "File: notes.txt",
        '<file path="x.py">',
        doc,
    ]
    assert dump_files("\n".join(lines)) == []
    assert dump_files(doc + "\n==> a.log <==\nx\n\n==> b.log <==\ny\n") == []


def test_a_file_holding_dashes_stays_one_file_of_files_to_prompt():
    yaml_docs = "a: 1\n---\nb: 2\n\n---\nc: 3\n" * 40
    text = files_to_prompt([("conf/app.yaml", yaml_docs), ("src/app.py", SOURCES[0].read_text())])
    found = dump_files(text)
    assert [f.path for f in found] == ["conf/app.yaml", "src/app.py"]
    lines = text.split("\n")
    assert "\n".join(lines[found[0].start : found[0].end]) == yaml_docs


def test_a_packed_readme_showing_the_same_format_stays_one_file():
    # repomix's own README shows its XML output: files its tree does not list.
    shown = repomix_xml([("src/index.js", "console.log(1)"), ("src/utils.js", "export {}")])
    pairs = [("README.md", shown), *((str(p), p.read_text()) for p in SOURCES[:3])]
    text = repomix_xml(pairs)
    assert [f.path for f in dump_files(text)] == [p for p, _ in pairs]


def test_a_dump_whose_file_shows_another_format_is_split_by_its_own():
    # A README that shows repomix's plain output, in a repomix markdown dump.
    shown = ruled(
        [("src/index.js", "console.log(1)"), ("src/utils.js", "export {}")], "=" * 16, "File"
    )
    readme = f"# Output\n\n```text\n{shown}```\n"
    pairs = [("README.md", readme), *((str(p), p.read_text()) for p in SOURCES[:3])]
    text = repomix_markdown(pairs, "`````")
    found = dump_files(text)
    assert [f.path for f in found] == [p for p, _ in pairs]
    assert "\n".join(text.split("\n")[found[0].start : found[0].end]) == readme


def test_files_each_under_a_comment_naming_it_are_a_dump():
    # for f in json/*.py; do echo "# $f"; cat "$f"; echo; done: the whole parsed as one
    # Python module (the names are comments) and dropped the names with its lines.
    root = PY_DIR.parent
    pairs = [(str(p.relative_to(root)), p.read_text()) for p in SOURCES]
    text = "".join(f"# {p}\n{c}\n" for p, c in pairs)
    assert [f.path for f in dump_files(text)] == [p for p, _ in pairs]
    result = compress(text)
    kept = set(result.text.split("\n"))
    assert result.transforms[0].startswith("segments:files")
    assert {f"# {p}" for p, _ in pairs} <= kept
    assert set().union(*(public_signatures(c) for _, c in pairs)) <= kept


def test_an_answers_prose_between_the_files_it_quotes_is_compressed_as_prose():
    # The lines between two files were all kept as the tool's frames: an answer's
    # paragraphs there too. The frames still stay; the paragraphs are a block of prose.
    pairs = [(str(p), p.read_text()) for p in SOURCES[:4]]
    documented = (argparse, subprocess, pickle, os.walk, shutil.copytree, shutil.rmtree)
    paragraphs = [
        par.strip()
        for doc in map(inspect.getdoc, (*documented, subprocess.run, json.dumps, json.loads))
        for par in (doc or "").split("\n\n")
        if len(par.strip()) > 150 and not par.startswith(" ")
    ]
    notes = ["\n\n".join(paragraphs[k::4]) for k in range(4)]
    text = "\n\n".join(
        f"## File: {p}\n\n```python\n{c}\n```\n\n{notes[k]}" for k, (p, c) in enumerate(pairs)
    )
    result = compress(text)
    kept = set(result.text.split("\n"))
    assert "prose" in result.transforms[0].split("+")
    assert {f"## File: {p}" for p, _ in pairs} | {"```python", "```"} <= kept
    assert set().union(*(public_signatures(c) for _, c in pairs)) <= kept
