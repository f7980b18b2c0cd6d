"""A report cut under a budget keeps the lines naming its tickets, bugs and CVEs.

Real reports: the newest entry of each Debian changelog on this machine (``Closes: #1125678``,
``CVE-2026-0861``), what an agent quotes of a package's changes.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from agent_baton import get_token_counter
from agent_baton.compress.budget import fit_lines
from agent_baton.compress.ticket_ids import reference_lines

COUNT = get_token_counter("gpt-4")
ID = re.compile(r"\b(?:CVE-\d{4}-\d{3,}|#\d{4,})\b")


def newest_entries() -> list[str]:
    """The newest entry of each changelog naming three ids or more, each entry once."""
    found: dict[str, None] = {}
    for path in sorted(Path("/usr/share/doc").glob("*/changelog.Debian.gz")):
        lines = gzip.decompress(path.read_bytes()).decode("utf-8", "replace").splitlines()
        end = next((i for i, line in enumerate(lines) if line.startswith(" -- ")), 0)
        entry = "\n".join(lines[: end + 1])
        if end >= 12 and len(set(ID.findall(entry))) >= 3:
            found[entry] = None
    return list(found)


def test_a_cut_changelog_entry_keeps_more_of_its_bug_and_cve_ids() -> None:
    entries = newest_entries()
    if len(entries) < 5:
        pytest.skip("needs Debian changelogs that close bugs")
    named = kept = 0
    for entry in entries:
        ids = set(ID.findall(entry))
        out = fit_lines(entry, max(60, COUNT(entry) // 5), COUNT, "entry")
        assert entry.splitlines()[0] in out  # what the entry is: package, version, urgency
        named += len(ids)
        kept += sum(name in out for name in ids)
    # A fifth of the tokens keeps over a third of the ids (the first lines alone: under one).
    assert kept > 0.35 * named


def test_reference_lines_open_with_the_report_then_each_id_once() -> None:
    lines = [
        "Checkout latency after the 12.1 deploy",
        "Encoding is UTF-8, hashes SHA-256.",
        "Tracked in INC-4821 and JIRA-123.",
        "INC-4821 again, with gh-5521.",
        "Closes: #1125678",
    ]
    assert reference_lines(lines) == [0, 2, 3, 4]
    assert reference_lines(["No ids here.", "Nor here."]) == []
