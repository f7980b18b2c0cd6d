"""What survives ``max_tokens`` with a query: the lines that answer it, then the facts.

Checked on real content: the shared corpus's cases with their tasks, and the Python standard
library's source.
"""

import base64
import importlib.metadata
import itertools
import json
import pydoc
import re
import sysconfig
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.guarantees import SOURCE_KINDS, missing_failures, unmarked_omissions
from agent_baton.compress.markers import is_marker
from agent_baton.tokens import get_token_counter

COUNT = get_token_counter("gpt-4")
CORPORA = [Path(__file__).resolve().parents[3] / "shared" / "corpus" / sub for sub in ("", "more")]
CASES = sorted(p for corpus in CORPORA for p in corpus.glob("cases/*") if p.is_dir())
_GAP = re.compile(r"^\[… [\d,]+ (?:compressed )?lines?\]$")


def _case(path: Path) -> tuple[str, str]:
    """The case's content and task."""
    content = next(p for p in path.iterdir() if p.name.startswith("content"))
    return content.read_text(encoding="utf-8"), json.loads((path / "case.json").read_text())["task"]


def _tenth(text: str, query: str) -> str:
    """``text`` compressed with ``query`` to a tenth of its tokens, as the corpus bench does."""
    return compress(text, query=query, max_tokens=COUNT(text) // 10, key="k", counter=COUNT).text


def test_a_function_the_task_names_keeps_its_signature_and_what_it_returns():
    # "get_suffixes" splits into "get" (a stop word) and "suffix" (on dozens of lines): the
    # lines holding the whole name, and the function under it, answer the task.
    text = (Path(sysconfig.get_paths()["stdlib"]) / "imp.py").read_text(encoding="utf-8")
    out = _tenth(text, "Explain what the function `get_suffixes` does and what it returns.")
    assert "def get_suffixes():" in out
    assert "    return extensions + source + bytecode" in out.splitlines()
    kept = [line for line in out.splitlines() if not line.startswith("[")]
    assert all(line in text.splitlines() for line in kept)


@pytest.mark.skipif(not CASES, reason="../shared/corpus is not checked out")
@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_markers_never_answer_a_task_and_no_failure_line_is_dropped(case: Path):
    # "[… 12 lines]" holds the word "lines": kept as an answer, it would stand next to the
    # gap marker counting it, two markers in a row where one counts all.
    text, task = _case(case)
    result = compress(text, query=task, max_tokens=COUNT(text) // 10, key="k", counter=COUNT)
    lines = result.text.splitlines()
    doubled = [a for a, b in itertools.pairwise(lines) if _GAP.match(a) and _GAP.match(b)]
    assert doubled == []
    if result.transforms[0].split(":", 1)[0] not in SOURCE_KINDS:  # source reports none
        assert missing_failures(text, result.text) == []


@pytest.mark.parametrize("module", ["os", "json", "textwrap", "shlex"])
def test_a_budget_counts_the_blank_lines_its_compressor_dropped_unmarked(module: str):
    # pydoc's pages (real help text) have whitespace-only lines inside each entry; the prose
    # compressor drops blank lines unmarked, so its markers count fewer lines than a place
    # spans. The budget's own gaps count what the original holds there, blank lines too.
    text = pydoc.render_doc(module, renderer=pydoc.plaintext)
    tokens = COUNT(text)
    for budget in (tokens // 10, tokens // 25):
        result = compress(text, max_tokens=budget)
        assert "budget:lines" in result.transforms, result.transforms
        assert unmarked_omissions(text, result.text) == [], budget


def _package_metadata() -> list[tuple[str, str]]:
    """Installed packages' METADATA with many classifiers (a header, then a README)."""
    found = []
    for dist in sorted(importlib.metadata.distributions(), key=lambda d: d.metadata["Name"]):
        text = dist.read_text("METADATA") or ""
        if text.count("\nClassifier: ") >= 12 and COUNT(text) >= 3_000:
            found.append((dist.metadata["Name"], text))
    return found[:6]


def test_a_budget_places_lines_after_a_marker_that_counts_fields_not_lines():
    # The header's compressor folds a run of fields ("[… 9 more "Classifier" fields
    # omitted]"), which counts no lines: the budget's gaps after it count the original's
    # lines by where its kept lines stand, not the 4 the other markers add up to for 13.
    cases = _package_metadata()
    assert len(cases) >= 3
    for name, text in cases:
        result = compress(text, max_tokens=COUNT(text) // 10)
        assert "budget:lines" in result.transforms, (name, result.transforms)
        assert unmarked_omissions(text, result.text) == [], name


def test_a_budget_shows_the_start_of_a_line_with_no_sentence_end_that_fits():
    # A one-line document of base64 blobs (sigstore's seeds.json in npm, made here of
    # this machine's copyright files) has no sentence end: the budget kept only its marker.
    copyrights = sorted(Path("/usr/share/doc").glob("*/copyright"))[:6]
    if not copyrights:
        pytest.skip("needs Debian's copyright files")
    blobs = {p.parent.name + ".json": base64.b64encode(p.read_bytes()).decode() for p in copyrights}
    text = json.dumps({"https://tuf-repo.example": blobs}, separators=(",", ":"))
    for budget in (100, 300):
        result = compress(text, key="seeds.json", max_tokens=budget)
        shown = [line for line in result.text.splitlines() if not is_marker(line)]
        assert shown and text.startswith(shown[0].split("[…")[0]), (budget, result.text)
        assert result.compressed_tokens <= budget
