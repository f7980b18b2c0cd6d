"""Unified diffs: parsed by their hunks; headers, changed definitions and failures stay."""

import difflib
import sysconfig
from pathlib import Path

from agent_baton import get_token_counter
from agent_baton.compress import compress
from agent_baton.compress.code.diff import diff_lines, parses_as_diff
from agent_baton.compress.detect import kinds
from agent_baton.compress.guarantees import violations
from agent_baton.compress.markers import is_marker
from agent_baton.compress.request import Request

COUNT = get_token_counter("gpt-4")


def module(version: int) -> list[str]:
    lines = ['"""A module whose docstring reads like prose, as the standard library\'s do."""', ""]
    for i in range(30):
        lines += [f"def helper_{i}(value):", f'    """Return the value scaled by {i}."""']
        body = [f"    scaled = value * {i + version * (i % 3 == 0)}", "    return scaled", ""]
        lines += body
    if version:
        lines += ["class Added:", "    def method(self, x):", "        if x:"]
        lines += [f"            step_{k} = x + {k}" for k in range(40)]
        lines += ["        expected = 'FAILED test_mod.py::test_x - ZeroDivisionError'", ""]
        lines += ["def appended_late(path):", "    return path", ""]
    return [line + "\n" for line in lines]


def the_diff() -> str:
    return "".join(difflib.unified_diff(module(0), module(1), "a/mod.py", "b/mod.py"))


def test_a_diff_is_parsed_routed_to_code_and_keeps_headers_and_definitions():
    text = the_diff()
    assert parses_as_diff(text) and kinds(text)[0] == "code"
    out = diff_lines(text, Request(key="patch"))
    assert out is not None
    kept = out.splitlines()
    assert "--- a/mod.py" in kept and "+++ b/mod.py" in kept
    assert all(line in kept for line in text.splitlines() if line.startswith("@@ "))
    # Past each hunk's first changed lines, the definitions it adds stay; a loop's body goes.
    assert "+def appended_late(path):" in kept and "+    def method(self, x):" in kept
    assert "+            step_30 = x + 30" not in kept
    assert "+        expected = 'FAILED test_mod.py::test_x - ZeroDivisionError'" in kept
    assert violations(text, out) == []
    assert "[… " in out and 'get("patch", full=True)' in out
    assert len(out) < 0.6 * len(text)


def test_text_that_only_shows_a_patch_is_not_a_diff():
    patch = the_diff().splitlines()[:12]
    prose = "The build fails on some systems; here is one possible patch to correct it."
    text = "\n".join([*(prose for _ in range(40)), "", *patch, "", *(prose for _ in range(40))])
    assert not parses_as_diff(text)
    assert not parses_as_diff("--- a\n+++ b\n@@ -1,3 +1,3 @@\n only one line\n")


def test_context_lines_that_report_a_failure_stay():
    # git log -p of a test file: the asserts around a change are context, and a failure
    # line by the guarantee's definition whichever side of the hunk they are on.
    old = []
    for i in range(40):
        old += [
            f"def test_{i}():\n",
            f"    value = compute({i})\n",
            f"    assert value == {i}\n",
            "\n",
        ]
    new = [line.replace("compute(7)", "compute_fast(7)") for line in old]
    text = "".join(difflib.unified_diff(old, new, "a/test_x.py", "b/test_x.py", n=6))
    out = diff_lines(text, Request())
    assert out is not None
    assert " def test_8():" not in out.splitlines()  # other context still goes
    assert "     assert value == 8" in out.splitlines()
    assert violations(text, out) == []


def stdlib_patch() -> str:
    """A real patch over 15 standard-library modules: every 9th ``return`` line changed."""
    root = Path(sysconfig.get_paths()["stdlib"])
    names = ["difflib", "textwrap", "heapq", "bisect", "shlex", "fnmatch", "glob", "calendar"]
    names += ["string", "uuid", "statistics", "fractions", "argparse", "csv", "ipaddress"]
    parts = []
    for name in names:
        old = (root / f"{name}.py").read_text(encoding="utf-8").splitlines(keepends=True)
        returns = [i for i, line in enumerate(old) if line.lstrip().startswith("return ")]
        new = list(old)
        for i in returns[::9]:
            new[i] = new[i].rstrip("\n") + "  # checked\n"
        parts.append(
            "".join(difflib.unified_diff(old, new, f"a/Lib/{name}.py", f"b/Lib/{name}.py"))
        )
    return "".join(parts)


def test_under_a_budget_every_file_of_a_diff_is_named_before_its_hunks():
    # A hunk read without its file says nothing: the "+++ b/…" lines outrank hunk bodies.
    text = stdlib_patch()
    assert kinds(text)[0] == "code" and COUNT(text) > 5_000
    files = [line for line in text.splitlines() if line.startswith("+++ ")]
    assert len(files) == 15
    for budget in (500, 1000):
        result = compress(text, max_tokens=budget, key="patch")
        assert result.compressed_tokens <= budget
        kept = result.text.splitlines()
        assert all(name in kept for name in files), (budget, result.transforms)
        inputs = set(text.splitlines())
        assert all(line in inputs or is_marker(line) for line in kept)


def resigned_patch() -> tuple[str, list[str]]:
    """``git show`` of a commit over three standard-library modules: a keyword added to
    every fourth function, and every other ``return`` line changed."""
    root = Path(sysconfig.get_paths()["stdlib"])
    parts = ["commit 3ed49f2c8a1d5e6f7a8b9c0d1e2f3a4b5c6d7e8f\n", "Author: A. Dev <a@dev.org>\n"]
    parts += ["\n", "    Add strict= to the parsers; checked returns\n", "\n"]
    resigned = []
    for name in ("textwrap", "shlex", "fnmatch", "calendar", "csv", "glob"):
        old = (root / f"{name}.py").read_text(encoding="utf-8").splitlines(keepends=True)
        new = list(old)
        defs = [i for i, line in enumerate(old) if line.lstrip().startswith("def ")]
        for i in defs[::4]:
            if old[i].rstrip().endswith("):"):
                new[i] = old[i].rstrip()[:-2] + ", *, strict=False):\n"
                resigned.append(old[i].split("(")[0].strip())  # "def dedent"
        for i in [i for i, line in enumerate(old) if line.lstrip().startswith("return ")][::2]:
            new[i] = new[i].rstrip("\n") + "  # checked\n"
        parts.append(f"diff --git a/Lib/{name}.py b/Lib/{name}.py\n")
        parts += difflib.unified_diff(old, new, f"a/Lib/{name}.py", f"b/Lib/{name}.py")
    return "".join(parts), resigned


def test_under_a_budget_a_diff_names_its_commit_and_the_definitions_it_changes():
    # At a tenth of 57 real commits' diffs (7 languages), the def/func/fn/class lines they
    # add or remove: 22 -> 95 of 224 kept: the budget had spent itself on hunk headers.
    text, resigned = resigned_patch()
    assert len(resigned) >= 6
    result = compress(text, max_tokens=COUNT(text) // 10, key="patch")
    kept = result.text.splitlines()
    assert "    Add strict= to the parsers; checked returns" in kept
    # Functions named by their old signature or their new one, before any body line.
    changed = {line[1:].split("(")[0].strip() for line in kept if line[:1] in "+-"}
    assert len(resigned) >= 30 and len(changed.intersection(resigned)) >= len(resigned) // 3
    assert not any(line.endswith("# checked") for line in kept)
    inputs = set(text.splitlines())
    assert all(line in inputs or is_marker(line) for line in kept)
