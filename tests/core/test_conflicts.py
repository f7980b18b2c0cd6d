"""A file git left conflicted keeps every conflict whole, whatever its kind.

The conflicts are made by git itself: two branches change the same lines of a real file (a
module of the standard library), and the merge writes both sides into it.
"""

import json.decoder
import shutil
import subprocess
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.conflicts import conflict_lines, restore_conflicts

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(where: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.stdout


def conflicted(
    where: Path, name: str, base: str, ours: dict[str, str], theirs: dict[str, str], style: str
) -> str:
    """``base`` as ``name`` after merging a branch that edits it as ``theirs`` into ``ours``."""
    git(where, "init", "-q", "-b", "main")
    git(where, "config", "merge.conflictStyle", style)
    (where / name).write_text(base)
    git(where, "add", name)
    git(where, "commit", "-q", "-m", "base")
    git(where, "checkout", "-q", "-b", "theirs")
    (where / name).write_text(_edited(base, theirs))
    git(where, "commit", "-q", "-am", "theirs")
    git(where, "checkout", "-q", "main")
    (where / name).write_text(_edited(base, ours))
    git(where, "commit", "-q", "-am", "ours")
    git(where, "merge", "theirs")
    return (where / name).read_text()


def _edited(text: str, edits: dict[str, str]) -> str:
    for old, new in edits.items():
        assert old in text
        text = text.replace(old, new)
    return text


def regions(text: str) -> list[list[str]]:
    """Each conflict's lines, its opening marker to its closing one."""
    lines = text.splitlines()
    found = conflict_lines(lines)
    runs: list[list[str]] = []
    for i in found:
        if runs and i - 1 in found:
            runs[-1].append(lines[i])
        else:
            runs.append([lines[i]])
    return runs


def whole(region: list[str], out: list[str]) -> bool:
    return any(out[k : k + len(region)] == region for k in range(len(out) - len(region) + 1))


# Lines inside two functions' bodies and a method's of json/decoder.py, edited both ways.
SOURCE = Path(json.decoder.__file__).read_text()
OURS = {
    '            msg = "Invalid control character {0!r} at".format(terminator)': (
        '            msg = f"Invalid control character {terminator!r} at"'
    ),
    "    pairs = []\n": "    pairs: list = []\n",
    "        end = _w(s, end).end()\n        if end != len(s):": (
        "        end = _w(s, end).end()\n        if end < len(s):"
    ),
}
THEIRS = {
    '            msg = "Invalid control character {0!r} at".format(terminator)': (
        '            msg = "Invalid control character %r at" % (terminator,)'
    ),
    "    pairs = []\n": "    pairs = list()\n",
    "        end = _w(s, end).end()\n        if end != len(s):": (
        "        end = _w(s, end).end()\n        if len(s) != end:"
    ),
}


@pytest.mark.parametrize("style", ["merge", "diff3"])
def test_conflicts_inside_function_bodies_stay_whole(tmp_path, style):
    # Read as Python, the bodies went and the conflicts in them with them.
    text = conflicted(tmp_path, "decoder.py", SOURCE, OURS, THEIRS, style)
    found = regions(text)
    assert len(found) == 3
    result = compress(text, key="decoder.py")
    assert result.compressed_tokens < result.original_tokens
    out = result.text.splitlines()
    assert [region for region in found if not whole(region, out)] == []


def test_markers_a_compressor_left_inside_a_conflict_go_with_the_lines_they_stood_for():
    original = "a\n<<<<<<< ours\nx\ny\nz\n=======\nw\n>>>>>>> theirs\nb\n"
    compressed = "a\n<<<<<<< ours\n[… 3 lines]\n=======\nw\n>>>>>>> theirs\nb"
    assert restore_conflicts(original, compressed) == original.rstrip("\n")


def test_text_with_no_whole_conflict_is_left_as_it_is():
    # An opening marker alone (a heading drawn with "<", a conflict cut short) opens none.
    assert conflict_lines(["<<<<<<< ours", "x", ">>>>>>> theirs"]) == []
    assert restore_conflicts("<<<<<<<\n1\n2\n", "<<<<<<<\n[… 2 lines]") == "<<<<<<<\n[… 2 lines]"


# Twelve modules of the standard library, long enough for a tenth to be a cut.
MODULES = ["argparse", "ast", "base64", "calendar", "configparser", "csv", "difflib"]
MODULES += ["ftplib", "gettext", "imaplib", "pickle", "textwrap"]


@pytest.mark.parametrize("module", MODULES)
def test_a_budget_keeps_each_conflicts_markers_and_each_sides_first_line(tmp_path, module):
    # Cut to a tenth, a conflicted module kept half of its conflicts' markers and sides'
    # first lines (101 of 200 in 21 files): its functions' heads ranked above them.
    source = Path(__import__(module).__file__).read_text()
    lines = source.splitlines(keepends=True)
    edited = [lines[len(lines) * k // 4] for k in (1, 2, 3)]
    edited = [line for line in edited if line.strip() and source.count(line) == 1]
    ours = {line: line.rstrip("\n") + "  # ours\n" for line in edited}
    theirs = {line: "    pass  # theirs\n" + line for line in edited}
    style = "diff3" if MODULES.index(module) % 2 else "merge"
    text = conflicted(tmp_path, f"{module}.py", source, ours, theirs, style)
    found = text.splitlines()
    wanted = {
        line
        for i, line in enumerate(found)
        for mark in ("<<<<<<<", "=======", ">>>>>>>")
        if line.startswith(mark) or (i and found[i - 1].startswith(mark) and mark != ">>>>>>>")
    }
    assert regions(text)

    out = compress(text, key=f"{module}.py", max_tokens=len(text) // 40).text.splitlines()

    assert wanted <= set(out)
