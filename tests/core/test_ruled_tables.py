"""Tables real tools print with rules and bars, read by their header (see tables/README.md)."""

import re
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.guarantees import violations
from agent_baton.compress.tables import find_table

TABLES = Path(__file__).parent / "tables"
RUNS = sorted(p.name for p in TABLES.glob("*.txt") if not p.name.startswith(("psql_", "wrapped_")))
GAP = re.compile(r"\[… (\d+) rows?\]")
FAILED = ("test_binary_junk_as_bytes", "test_deeply_nested_json", "test_encodings_per_model")


@pytest.mark.parametrize("name", RUNS)
def test_a_ruled_table_is_named_by_its_header_and_counted_in_its_rows(name):
    # Before: drawn tables went to the line fold or were listings named "column 1" to "11",
    # their header and rules counted as rows (tabulate's grid: 81 rows of 40).
    text = (TABLES / name).read_text()
    found = find_table(text)
    assert found is not None and len(found.rows) == 40
    names = [n for n in found.records[0] if n != "column 1"]  # pandas' index has no name
    assert names == ["id", "test", "state", "seconds", "message"]
    assert found.records[11]["state"] == "FAILED" and found.records[23]["id"] == 123
    result = compress(text, max_tokens=600)
    assert result.transforms[0].startswith("table:") and "+sample" in result.transforms[0]
    out = result.text.splitlines()
    # Every failure kept as its line; the left-out rows counted where they were, in rows.
    for test in FAILED:
        assert any(test in line for line in out), test
    kept = sum(1 for line in out if re.search(r"\btest_\w+", line))
    assert kept + sum(int(m.group(1)) for m in map(GAP.fullmatch, out) if m) == 40
    assert any(line.startswith("[… stats over all 40 rows: ") for line in out)
    assert "column 2" not in result.text
    assert violations(text, result.text) == []


def test_a_psql_cell_may_hold_a_bar_and_a_last_cell_may_be_empty():
    # psql prints "||" as it is and leaves an empty last cell as "| ": split at its bars,
    # 20 rows that did not split into the header's 5 cells: the table was a listing.
    found = find_table((TABLES / "psql_operators.txt").read_text())
    assert found is not None and found.kind == "pipes" and len(found.rows) == 20
    assert found.records[0] == {
        **{"oid": 349, "oprname": "||", "lhs": "anycompatiblearray"},
        **{"rhs": "anycompatible", "result": "anycompatiblearray"},
    }
    found = find_table((TABLES / "psql.txt").read_text())
    assert found is not None and found.records[0]["message"] == ""


def test_a_value_of_several_lines_is_one_row():
    # psql ends each line of a value that goes on with "+": 8 rows on 47 lines.
    text = (TABLES / "psql_multiline.txt").read_text()
    found = find_table(text)
    assert found is not None and len(found.rows) == 8 and found.after == "(8 rows)"
    assert found.records[0]["viewname"] == "pg_config"
    assert found.records[0]["definition"] == (
        "SELECT pg_config.name, pg_config.setting FROM pg_config() pg_config(name, setting);"
    )
    result = compress(text, max_tokens=300)
    assert violations(text, result.text) == []
    out = result.text.splitlines()
    gaps = sum(int(m.group(1)) for m in map(GAP.fullmatch, out) if m)
    assert gaps + sum(1 for line in out if re.match(r" \w", line)) == 8  # rows, not lines


def test_a_drawn_row_whose_values_wrap_is_one_row():
    # rich wraps a long value onto lines whose first cell is blank: 24 rows on 51 lines.
    text = (TABLES / "wrapped_rich.txt").read_text()
    found = find_table(text)
    assert found is not None and found.kind == "boxes" and len(found.rows) == 24
    assert found.records[0] == {
        "name": "adminpack",
        "default_version": 2.1,
        "comment": "administrative functions for PostgreSQL",
    }
    result = compress(text, max_tokens=400)
    assert violations(text, result.text) == []
    out = result.text.splitlines()
    gaps = sum(int(m.group(1)) for m in map(GAP.fullmatch, out) if m)
    assert gaps + sum(1 for line in out if re.match(r"│ \w", line)) == 24
