"""Every python block of README.md and docs/*.md can be pasted and run as written.

A block that needs what these tests do not have (a framework, a model, a server) says so on
the line above it, ``<!-- not run: needs ... -->``; it must still be valid Python.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(
    r"^(?:[ \t]*<!-- not run: (?P<reason>[^\n]*?) -->\n)?"
    r"(?P<indent>[ \t]*)```python\n(?P<code>.*?)^(?P=indent)```",
    re.DOTALL | re.MULTILINE,
)


def _blocks() -> list[tuple[str, str, str | None]]:
    """(page:line, code, why it is not run or None) for every python block of the pages."""
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start("indent")) + 1
            code = textwrap.dedent(match["code"])
            found.append((f"{page.relative_to(ROOT)}:{line}", code, match["reason"]))
    return found


BLOCKS = _blocks()
RUN = [(where, code) for where, code, reason in BLOCKS if reason is None]


def test_the_pages_have_blocks_and_most_run():
    assert len(BLOCKS) >= 15
    assert all(reason for _, _, reason in BLOCKS if reason is not None)
    assert {where.split(":")[0] for where, _ in RUN} >= {"README.md", "docs/index.md"}


@pytest.mark.parametrize("where,code", [(w, c) for w, c, _ in BLOCKS], ids=[b[0] for b in BLOCKS])
def test_every_block_is_valid_python(where, code):
    compile(code, where, "exec")


@pytest.mark.parametrize("where,code", RUN, ids=[where for where, _ in RUN])
def test_a_block_runs_as_written(where, code, tmp_path):
    # A fresh interpreter in an empty directory, as a reader pasting it would have.
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{where} failed:\n{done.stderr[-2000:]}"
