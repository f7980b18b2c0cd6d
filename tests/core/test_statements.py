"""Reports and answers keep the decisions, constraints and blockers their prose states."""

import subprocess
import sys
from pathlib import Path

import pytest

from agent_baton import SharedContext
from agent_baton.compress.detect import detect
from agent_baton.compress.guarantees import unmarked_omissions
from agent_baton.compress.markers import is_marker
from agent_baton.compress.statements import restore_statements

STATEMENTS = [
    "The team decided to keep the legacy exporter because the new one lacks multi-currency.",
    "Migrating the exporter is out of scope until Q3, after the schema freeze.",
    "We must not retry idempotent writes more than 3 times; the ledger rate-limits at 500 rps.",
    "This work is blocked on the credentials rotation of the staging bucket.",
    "The root cause is a missing index on orders.customer_id, reverted by accident.",
]
NARRATIVE = [
    f"I went through suite {n} one test at a time and grouped what I saw by module, then read "
    f"the fixtures it shares with the invoicing suite to see how state moves between workers."
    for n in range(12)
]


def _runs(where: Path) -> tuple[str, str]:
    """The output of a real pytest and a real unittest run of failing billing tests."""
    (where / "test_billing.py").write_text(
        "import unittest\n\n"
        "class TestBilling(unittest.TestCase):\n"
        + "".join(
            f"    def test_case_{i}(self):\n        self.assertEqual({i} * 0.1 * 10, {i})\n"
            for i in range(40)
        )
        + "    def test_ratio(self):\n        self.assertEqual(3 / 0, 1)\n"
    )

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", *args], cwd=where, capture_output=True, text=True, timeout=120
        )
        return done.stdout + done.stderr

    return run("pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "test_billing.py"), (
        run("unittest", "-v", "test_billing")
    )


def _report(where: Path, fenced: bool) -> str:
    """A triage report: a title, sections of prose and statements, the runs pasted in."""
    pytest_out, unittest_out = _runs(where)

    def block(text: str) -> str:
        return f"```\n{text.strip()}\n```" if fenced else text.strip()

    parts = ["# Test triage: billing suite", *NARRATIVE[:4], STATEMENTS[0], "## pytest -q"]
    parts += [block(pytest_out), *NARRATIVE[4:8], STATEMENTS[1], STATEMENTS[2], "## unittest -v"]
    parts += [block(unittest_out), "## Next steps", *NARRATIVE[8:], STATEMENTS[3], STATEMENTS[4]]
    return "\n\n".join(parts)


@pytest.mark.parametrize("fenced", [True, False])
def test_a_report_is_split_by_its_blocks_not_folded_as_one_run(
    tmp_path: Path, fenced: bool
) -> None:
    # Its prose goes to the prose compressor, the runs it quotes to the line fold.
    assert detect(_report(tmp_path, fenced)) == ("mixed" if fenced else "segments")


@pytest.mark.parametrize("fenced", [True, False])
def test_a_triage_report_keeps_every_statement_at_its_place(tmp_path: Path, fenced: bool) -> None:
    report = _report(tmp_path, fenced)
    ctx = SharedContext()
    entry = ctx.put("triage.md", report)
    for query in (None, "ZeroDivisionError in test_ratio"):
        out = ctx.get("triage.md", query=query) or ""
        lines = out.split("\n")
        assert all(s in lines for s in STATEMENTS)
        # In the order the report states them, each line an input line or a marker.
        assert sorted(lines.index(s) for s in STATEMENTS) == [lines.index(s) for s in STATEMENTS]
        assert all(line in report.split("\n") or is_marker(line) for line in lines)
    assert entry.compressed_tokens < entry.original_tokens
    assert any(line not in entry.compressed for line in NARRATIVE)  # narrative may still go


def test_a_statement_put_back_is_no_longer_counted_by_the_gap_marker_after_it() -> None:
    original = "\n".join([NARRATIVE[0], STATEMENTS[1], NARRATIVE[1], STATEMENTS[3], NARRATIVE[2]])
    compressed = "\n".join([NARRATIVE[0], "[… 1 line]", NARRATIVE[1], "[… 2 lines]"])
    assert restore_statements(original, compressed).split("\n") == [
        NARRATIVE[0],
        STATEMENTS[1],
        NARRATIVE[1],
        STATEMENTS[3],
        "[… 1 line]",
    ]


def test_a_statement_put_back_inside_a_gap_splits_its_marker_around_it() -> None:
    # The gap held lines before the statement too: one marker after it would leave them
    # unmarked (a package's changelog: "We decided …" four lines into a dropped entry).
    dropped = [f"Entry {k} of the changelog lists a fix to the parser." for k in range(4)]
    original = "\n".join(
        [NARRATIVE[0], *dropped[:2], "", STATEMENTS[1], *dropped[2:], NARRATIVE[2]]
    )
    compressed = "\n".join([NARRATIVE[0], "[… 5 lines]", NARRATIVE[2]])
    restored = restore_statements(original, compressed)
    assert restored.split("\n") == [
        NARRATIVE[0],
        "[… 3 lines]",
        STATEMENTS[1],
        "[… 2 lines]",
        NARRATIVE[2],
    ]
    assert unmarked_omissions(original, restored) == []
