import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.guarantees import violations
from agent_baton.compress.sql import parse_dump

# pg_dump 15 of a four-table shop database (plain format), the orders' COPY block cut to
# 402 of its 6,000 rows; one order is a chargeback.
DUMP = (Path(__file__).parent / "data" / "shop_pgdump_orders.sql").read_text()


def test_every_table_definition_stays_and_the_rare_row_with_it():
    # Before, the line fold dropped every CREATE TABLE and folded the rows into one
    # template, the chargeback among them.
    result = compress(DUMP)
    assert result.transforms == ["sql:dump"]
    kept = result.text.splitlines()
    for table in ("customers", "orders", "order_lines", "products"):
        assert f"CREATE TABLE public.{table} (" in kept
    assert "    status text NOT NULL," in kept
    assert "4242\t1243\tchargeback\t6202\t2024-04-02 09:42:00+00" in kept
    assert (
        "COPY public.orders (id, customer_id, status, total_cents, placed_at) FROM stdin;" in kept
    )
    assert any("status: delivered×313" in line for line in kept)  # the rows' statistics
    assert not violations(DUMP, result.text)
    assert result.compressed_tokens < 0.3 * result.original_tokens


def test_one_line_inserts_are_sampled_as_rows():
    lines = DUMP.splitlines()
    copy = lines.index(
        "COPY public.orders (id, customer_id, status, total_cents, placed_at) FROM stdin;"
    )
    end = lines.index("\\.", copy)
    inserts = [
        "INSERT INTO public.orders VALUES ({}, {}, '{}', {}, '{}');".format(*row.split("\t"))
        for row in lines[copy + 1 : end]
    ]
    text = "\n".join([*lines[:copy], *inserts, *lines[end + 1 :]])
    result = compress(text)
    assert result.transforms == ["sql:dump"]
    kept = result.text.splitlines()
    row = "INSERT INTO public.orders VALUES (4242, 1243, 'chargeback', 6202, '{}');"
    assert row.format("2024-04-02 09:42:00+00") in kept
    assert "CREATE TABLE public.orders (" in kept
    assert result.compressed_tokens < 0.3 * result.original_tokens


@pytest.mark.parametrize(
    "text",
    [
        # An extension's script of DDL alone is left to the code compressor.
        "CREATE FUNCTION f(int) RETURNS int AS $$ SELECT $1; $$ LANGUAGE sql;\n" * 5,
        # Prose that opens with a command's word is no dump.
        "Insert the disk.\nCopy the files.\nSet the clock; then wait.\n" * 3,
    ],
)
def test_what_is_no_dump(text):
    assert parse_dump(text) is None


def test_sqlite3s_dump_is_a_dump_and_a_path_ending_in_a_backslash_ends_no_statement(tmp_path):
    # sqlite3's .dump opens with "PRAGMA foreign_keys=OFF;", which no SQL command list held:
    # 10 of 10 real dumps were folded by line, code or a table. SQLite quotes by the
    # standard: 'C:\\' ends its string (read with MySQL's escapes, it swallowed the rows after).
    if shutil.which("sqlite3") is None:
        pytest.skip("no sqlite3 shell")
    db = tmp_path / "files.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT NOT NULL, size INT)")
        conn.execute("CREATE INDEX files_size ON files(size)")
        conn.executemany(
            "INSERT INTO files VALUES (?, ?, ?)",
            [(i, f"C:\\data\\{i}\\" if i % 7 == 0 else f"/srv/{i}.bin", i % 5) for i in range(300)],
        )
        conn.execute("INSERT INTO files VALUES (300, '/srv/huge.bin', 99999)")
    dump = subprocess.run(
        ["sqlite3", str(db), ".dump"], capture_output=True, text=True, check=True
    ).stdout
    statements = parse_dump(dump)
    assert statements is not None
    assert len(statements) == len(dump.splitlines())  # a statement a line, as written
    result = compress(dump, model="gpt-4")
    assert result.transforms == ["sql:dump"]
    kept = result.text.splitlines()
    for line in dump.splitlines():
        if line.startswith(("CREATE ", "PRAGMA ", "COMMIT")) or "huge" in line:
            assert line in kept
    assert not violations(dump, result.text)
    assert result.compressed_tokens < 0.3 * result.original_tokens
