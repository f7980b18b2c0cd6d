"""``git blame`` of real source in a real repository: the source's heads stay, lines whole.

The source is the standard library's own (``json/decoder.py``, ``textwrap.py``,
``shlex.py``), committed in three commits by two authors so that blame has history to show.
"""

import ast
import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.guarantees import unmarked_omissions, violations

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
STDLIB = Path(sysconfig.get_paths()["stdlib"])
SOURCES = ["json/decoder.py", "textwrap.py", "shlex.py"]


def _blame(tmp_path: Path, source: str, *options: str) -> str:
    """``git blame`` of ``source`` after three commits: its first half, all of it, a change."""
    text = (STDLIB / source).read_text()
    lines = text.splitlines(keepends=True)
    path = tmp_path / Path(source).name

    def git(*args: str, author: str = "Ada Lovelace") -> str:
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            **{f"GIT_{who}_NAME": author for who in ("AUTHOR", "COMMITTER")},
            **{f"GIT_{who}_EMAIL": "dev@example.org" for who in ("AUTHOR", "COMMITTER")},
        }
        done = subprocess.run(["git", *args], cwd=tmp_path, env=env, capture_output=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.decode()

    git("init", "-q", "-b", "main")
    for k, (content, author) in enumerate(
        [
            ("".join(lines[: len(lines) // 2]), "Ada Lovelace"),
            (text, "Grace Hopper"),
            (text.replace("    return ", "    return  ", 3), "Ada Lovelace"),
        ]
    ):
        path.write_text(content)
        git("add", "-A")
        git("commit", "-q", "-m", f"step {k}", author=author)
    return git("blame", *options, path.name)


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("options", [(), ("-s",), ("-e",), ("--line-porcelain",)])
def test_a_blame_keeps_every_definition_whole_with_its_prefix(tmp_path, source, options):
    # Folded as repeats, the prefixes were what the lines shared: 37 of 72 def/class/fun
    # lines of 7 real blames were kept. Read as source: every head stays.
    text = _blame(tmp_path, source, *options)
    result = compress(text, model="gpt-4")
    assert result.transforms == ["code:blame"]
    kept = set(result.text.splitlines())
    shown = text.splitlines()  # a source line each, or in the porcelain form the tab lines
    if "--line-porcelain" in options:
        shown = [line for line in shown if line.startswith("\t")]
    heads = [shown[k - 1] for k in _definitions((STDLIB / source).read_text())]
    assert len(heads) >= 8
    assert [line for line in heads if line not in kept] == []
    assert result.savings_percent > 30
    assert unmarked_omissions(text, result.text) == []
    assert violations(text, result.text) == []


def _definitions(source: str) -> list[int]:
    """The lines of the module's functions and classes and of their methods (not nested ones)."""
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found.append(node.lineno)
        if isinstance(node, ast.ClassDef):
            found.extend(n.lineno for n in node.body if isinstance(n, ast.FunctionDef))
    return found
