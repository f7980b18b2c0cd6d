"""A reference document cut to a budget keeps its outline: headings, sections, signatures.

Checked on real documents: this repository's own docs, the standard library's pydoc pages
and the METADATA of the packages installed with the tests.
"""

import importlib.metadata
import json
import os
import pydoc
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.outline import outline_levels
from agent_baton.tokens import get_token_counter

COUNT = get_token_counter("gpt-4")
ROOT = Path(__file__).resolve().parents[2]


def _tenth(text: str, query: str) -> list[str]:
    """The lines of ``text`` compressed with ``query`` to a tenth of its tokens."""
    out = compress(text, query=query, max_tokens=COUNT(text) // 10, key="k", counter=COUNT)
    return out.text.splitlines()


@pytest.mark.parametrize("name", ["crewai.md", "langchain.md", "autogen.md"])
def test_a_reference_doc_under_a_tenth_names_its_top_two_levels_of_sections(name: str):
    # Before, the budget spent its room on the query's sentences and the lines dense with
    # names: crewai.md kept 5 of its 15 "#"/"##" headings, langchain.md 5 of 10.
    text = (ROOT / "docs" / name).read_text(encoding="utf-8")
    heads = [line for line in text.splitlines() if re.match(r"#{1,2} ", line)]
    kept = _tenth(text, "How do I install it?")
    assert len([h for h in heads if h in kept]) >= len(heads) - 2


def test_a_pydoc_page_under_a_tenth_keeps_what_it_is_and_every_entry():
    # Before: 4 of json's 7 classes and functions (``dump(obj, fp, …)`` gone).
    text = pydoc.render_doc(json, renderer=pydoc.plaintext)
    kept = _tenth(text, "What does loads do?")
    lines = text.splitlines()
    assert lines[lines.index("NAME") + 1] in kept  # "    json - JSON (JavaScript Object …"
    entries = [line for line in lines if re.match(r" {4}(class \w|\w+\()", line)]
    assert entries and all(entry in kept for entry in entries)


@pytest.mark.parametrize("package", ["redis", "pytest", "pydantic"])
def test_a_packages_metadata_under_a_tenth_keeps_its_name_version_and_summary(package: str):
    # redis's description is 400 lines of markdown: its "Summary:" went, its sentences stayed.
    dist = importlib.metadata.distribution(package)
    text = dist.read_text("METADATA") or ""
    kept = _tenth(text, "Summarise this for the next agent.")
    for field in ("Name", "Version", "Summary"):
        assert f"{field}: {dist.metadata[field]}" in kept


def test_comment_lines_over_code_make_no_outline():
    # A "#" line with code right under it is a comment (this repo's noxfile, a shell script).
    text = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    assert outline_levels(text.splitlines()) == []


def _man(page: str, *, tabs: bool) -> str:
    """``man page`` as text at 80 columns: as ``man -P cat`` prints it, or through ``col -b``
    (which indents with tabs), the two ways an agent saves a manual."""
    env = {**os.environ, "MANWIDTH": "80", "LANG": "C.UTF-8"}
    text = subprocess.run(
        ["man", "-P", "cat", page], capture_output=True, text=True, env=env, check=False
    ).stdout
    if not tabs:
        return re.sub(".\b", "", text)
    return subprocess.run(["col", "-b"], input=text, capture_output=True, text=True).stdout


def _option_heads(text: str) -> list[str]:
    """The lines heading an option: at the body's indent, over or beside its description."""
    lines = text.splitlines()
    wide = [line.expandtabs() for line in lines]
    return [
        lines[i]
        for i, line in enumerate(wide[:-1])
        if re.match(r" {7}-", line)
        and (wide[i + 1].startswith(" " * 8) or re.match(r" {7}\S+ {2,}\S", line))
    ]


@pytest.mark.skipif(shutil.which("man") is None or shutil.which("col") is None, reason="no man")
@pytest.mark.parametrize("tabs", [False, True])
@pytest.mark.parametrize("page", ["ls", "cp", "grep", "sort"])
def test_a_manual_keeps_every_option_head(page: str, tabs: bool):
    # A manual's options are its outline. Before: saved through ``col -b``, whose tab
    # indents read as no deeper than the option, ls kept 3 of its 58 heads, cp 3 of 33; as
    # ``man -P cat`` prints them, the options described beside their name (``-U     do not
    # sort; …``) competed as sentences: 44 of ls's 58.
    text = _man(page, tabs=tabs)
    heads = _option_heads(text)
    if len(heads) < 10:
        pytest.skip(f"no manual for {page} here")
    kept = compress(text, key="k", counter=COUNT).text.splitlines()
    assert [head for head in heads if head not in kept] == []


@pytest.mark.skipif(shutil.which("man") is None, reason="no man")
def test_a_manual_under_a_tenth_names_options_after_its_sections():
    # Before: grep's manual at a tenth kept 6 of its 50 option heads (the query's matches and
    # the sections took the room; options were no part of its outline).
    text = _man("grep", tabs=False)
    heads = _option_heads(text)
    if len(heads) < 10:
        pytest.skip("no manual for grep here")
    kept = _tenth(text, "What does the option -n do?")
    assert len([head for head in heads if head in kept]) >= 10


def _review(path: Path, places: list[int]) -> str:
    """A code review of ``path`` as an agent writes one: a finding per line in ``places``,
    each a ``### N. `file:line` (severity)`` heading over the code there and a fix."""
    lines = path.read_text(encoding="utf-8").splitlines()
    parts = [f"# Code review: `{path.name}`", "", "Verdict: changes requested.", "", "## Findings"]
    for n, at in enumerate(places, 1):
        code = "\n".join(lines[max(0, at - 10) : at + 15])
        parts += ["", f"### {n}. `{path.name}:{at}` (major)", "", "```python", code, "```", ""]
        parts += [f"The code at line {at} does not handle the empty case.", ""]
        parts += [f"Suggested fix {n}: guard line {at} against an empty input and add a test."]
    return "\n".join([*parts, "", "## Summary", "", "Fix the findings above."]) + "\n"


def test_a_review_under_a_tenth_names_its_findings_places():
    # Before: the headings over the findings ranked as a third level, after the functions
    # their code blocks define, and went at the compressor's hardest levels: 0 of 109 in
    # 24 reviews at a tenth (here 0 of 8; now 3, spread over it).
    source = ROOT / "core" / "src" / "agent_baton" / "compress" / "budget.py"
    text = _review(source, [60, 150, 240, 330, 420, 510, 600, 690])
    heads = [line for line in text.splitlines() if line.startswith("### ")]
    kept = _tenth(text, "What fix is suggested for finding 3?")
    assert len([head for head in heads if head in kept]) >= 3


_QUOTED = r'"(?:[^"\\]|\\.)*"'
_NAMED = re.compile(rf"sections? ((?:{_QUOTED}(?:, )?)+)")


def test_a_marker_over_a_dropped_heading_names_its_section():
    # Before: ``[… 42 lines]``, whatever the lines held; the next agent could not tell which
    # sections to ask for.
    text = (ROOT / "docs" / "langchain.md").read_text(encoding="utf-8")
    budget = COUNT(text) // 25
    kept = compress(text, query="How do I install it?", max_tokens=budget, key="k").text
    kept = kept.splitlines()
    headings = [line for line in text.splitlines() if re.match(r"#{1,6} ", line)]
    gone = {line.lstrip("#").strip() for line in headings if line not in kept}
    named = [
        json.loads(title)
        for line in kept
        if line.startswith("[…")
        for found in _NAMED.findall(line)
        for title in re.findall(_QUOTED, found)
    ]
    assert named and set(named) <= gone
