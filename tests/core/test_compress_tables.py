import json

import pytest

from agent_baton.compress import compress
from agent_baton.compress.detect import kinds
from agent_baton.compress.tables import find_table, looks_like_table


def aligned(rows: list[tuple[str, ...]]) -> str:
    """Rows padded into columns the way kubectl and docker print them."""
    widths = [max(len(row[j]) for row in rows) + 3 for j in range(len(rows[0]))]
    return "\n".join(
        "".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    )


def kubectl() -> str:
    rows = [("NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE")]
    rows += [
        (
            "payments",
            f"api-{i:04d}-7d4b9c",
            "1/1",
            "CrashLoopBackOff" if i == 77 else "Running",
            "14" if i == 77 else "0",
            "3d",
        )
        for i in range(300)
    ]
    return aligned(rows)


def csv_export(delimiter: str = ",") -> str:
    header = delimiter.join(["id", "customer", "amount", "status"])
    rows = [
        delimiter.join(
            [str(i), f"cust{i % 40}", f"{100 + i % 50}.5", "chargeback" if i == 222 else "paid"]
        )
        for i in range(400)
    ]
    return "\n".join([header, *rows])


def markdown_table() -> str:
    rows = [
        f"| svc-{i:03d} | {20 + i % 30} | {9120 if i == 147 else 100 + i % 190} | team-{i % 5} |"
        for i in range(250)
    ]
    return "| service | p50 ms | p99 ms | owner |\n|---|---|---|---|\n" + "\n".join(rows)


def psql() -> str:
    rows = [
        f" {7000 + i:>5} | acct-{i:04d} | {0.97 if i == 64 else 0.1 + i % 7 / 100:.2f}"
        for i in range(300)
    ]
    return (
        " id    | account   | churn\n-------+-----------+-------\n"
        + "\n".join(rows)
        + "\n(300 rows)"
    )


@pytest.mark.parametrize(
    ("text", "kind", "kept"),
    [
        (kubectl(), "columns", "api-0077-7d4b9c|CrashLoopBackOff|14"),
        (csv_export(), "csv", "222|cust22|122.5|chargeback"),
        (csv_export("\t"), "tsv", "222|cust22|122.5|chargeback"),
        (markdown_table(), "pipes", "svc-147|47|9120"),
        (psql(), "pipes", "7064|acct-0064|0.97"),
    ],
)
def test_text_tables_are_sampled_like_json_tables_keeping_the_odd_row(text, kind, kept):
    assert looks_like_table(text) and kinds(text)[0] == "table"
    result = compress(text, key="t")
    assert result.transforms == [f"table:{kind}+sample"]
    assert kept in result.text  # the outlier or rare row the next agent needs
    assert "stats:" in result.text and 'get("t", full=True)' in result.text
    assert result.compressed_tokens < 0.4 * result.original_tokens


def test_psql_footer_is_kept_and_numbers_are_typed():
    found = find_table(psql())
    assert found is not None and found.after == "(300 rows)"
    assert found.records[64] == {"id": 7064, "account": "acct-0064", "churn": 0.97}
    found = find_table("code,name,n\n007,a,1\n010,b,2\n-3,c,3\n0,d,4")
    assert found is not None
    assert [r["code"] for r in found.records] == ["007", "010", -3, 0]  # ids stay text


@pytest.mark.parametrize(
    "text",
    [
        # Prose with commas, a short table inside a document, a log with a column header.
        "Alpha, beta and gamma, said the report.\nThe next line, too, has commas, three.\n"
        "And this one, also, has some, commas.\nFinally, a fourth, line, here.",
        "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n| 5 | 6 |\n\n" + "Some prose here.\n" * 20,
        '{"a": 1, "b": 2}\n{"a": 3, "b": 4}\n{"a": 5, "b": 6}\n{"a": 7, "b": 8}',
    ],
)
def test_what_is_not_mostly_one_text_table(text):
    assert find_table(text) is None


def test_json_lines_become_a_table():
    events = [
        {
            "level": "error" if i == 1333 else "info",
            "msg": "upstream timeout calling inventory" if i == 1333 else "request completed",
            "path": f"/v1/items/{i}",
            "status": 504 if i == 1333 else 200,
        }
        for i in range(2000)
    ]
    text = "\n".join(json.dumps(e) for e in events)
    result = compress(text)
    assert result.transforms == ["json:table+sample"]
    assert "error|upstream timeout calling inventory|/v1/items/1333|504" in result.text
    assert result.compressed_tokens < 0.15 * result.original_tokens


def test_a_long_table_in_a_report_keeps_the_row_its_conclusion_names():
    report = (
        "## Latency\n\nAll services but one are within the 300 ms p99 objective.\n\n"
        + markdown_table()
        + "\n\nConclusion: one service violates the p99 objective and must be rolled back.\n"
    )
    out = compress(report).text
    assert "| svc-147 | 47 | 9120 | team-2 |" in out  # the outlier row, as it is
    assert "Conclusion: one service violates" in out


def test_python_log_lines_with_one_comma_are_a_log_not_a_csv():
    lines = [f"2024-05-02 10:00:{i % 60:02d},{i:03d} - app - INFO - served {i}" for i in range(500)]
    lines[250] = "2024-05-02 10:04:10,250 - app - ERROR - write failed: disk full"
    text = "\n".join(lines)
    assert find_table(text) is None and "table" not in kinds(text)
    assert "disk full" in compress(text).text


def test_a_row_that_does_not_fit_the_header_declines_the_table():
    rows = [f"| host-{i} | ok |" for i in range(40)]
    rows[17] = "| host-17 | IMPORTANT: disk full | extra |"
    text = "| host | state |\n|---|---|\n" + "\n".join(rows)
    assert find_table(text) is None
    assert "IMPORTANT: disk full" in compress(text).text


def test_cells_keep_their_spelling_and_columns_their_bounds():
    found = find_table("service,python\n" + "\n".join(f"svc{i},3.10" for i in range(5)))
    assert found is not None and found.records[0]["python"] == "3.10"
    ps = ["  PID  USER      COMMAND"] + [f"{1000 + i:>5}  root      worker-{i}" for i in range(6)]
    found = find_table("\n".join(ps))
    assert found is not None and found.records[0] == {
        "PID": 1000,
        "USER": "root",
        "COMMAND": "worker-0",
    }
    quoted = 'id,note,state\n1,"two\nlines",ok\n' + "\n".join(f"{i},n,ok" for i in range(2, 30))
    found = find_table(quoted)
    assert found is None or found.after == ""  # never a row repeated after the table
