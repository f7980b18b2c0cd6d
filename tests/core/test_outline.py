"""A reference document cut to a budget keeps its outline: headings, sections, signatures.

Checked on real documents: this repository's own docs, the standard library's pydoc pages
and the METADATA of the packages installed with the tests.
"""

import importlib.metadata
import json
import pydoc
import re
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
