import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.detect import kinds
from agent_baton.compress.dumps import file_heads
from agent_baton.compress.guarantees import violations
from agent_baton.compress.tables import find_table, looks_like_table

GAP = re.compile(r"\[… (\d+) rows?\]")


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
        (kubectl(), "columns", "api-0077-7d4b9c   1/1     CrashLoopBackOff   14"),
        (csv_export(), "csv", "222,cust22,122.5,chargeback"),
        (csv_export("\t"), "tsv", "222\tcust22\t122.5\tchargeback"),
        # Excel's export where the comma is the decimal mark; psql -A's unaligned output.
        (csv_export(";"), "csv", "222;cust22;122.5;chargeback"),
        (csv_export("|"), "csv", "222|cust22|122.5|chargeback"),
        (markdown_table(), "pipes", "| svc-147 | 47 | 9120 | team-2 |"),
        (psql(), "pipes", "  7064 | acct-0064 | 0.97"),
    ],
)
def test_text_tables_keep_the_odd_row_as_its_own_line(text, kind, kept):
    assert looks_like_table(text) and kinds(text)[0] == "table"
    result = compress(text, key="t")
    assert result.transforms == [f"table:{kind}+sample"]
    assert kept in result.text  # the outlier or rare row the next agent needs
    assert "stats over all" in result.text and 'get("t", full=True)' in result.text
    assert result.compressed_tokens < 0.4 * result.original_tokens
    assert violations(text, result.text) == []  # rows kept byte for byte, the rest markers
    # Every left-out row is counted where it was: kept rows plus the gaps make the table.
    found = find_table(text)
    assert found is not None
    rows = {found.lines[r] for r in found.rows}
    lines = result.text.splitlines()
    gaps = sum(int(m.group(1)) for m in map(GAP.fullmatch, lines) if m)
    assert gaps + sum(line in rows for line in lines) == len(found.rows)


def multiline_csv() -> str:
    """An export whose quoted notes hold line breaks (csv.writer's own quoting)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ticket", "owner", "minutes", "notes"])
    for i in range(200):
        notes = f"Opened by cust{i}.\nReplied the same day.\nClosed, no action."
        if i == 5:
            notes += "\nReopened."  # so the first 40 lines end inside a record
        if i == 60:
            notes = (
                f"Opened by cust{i}.\n Warning: upload rejected by the gateway (HTTP 413)\nClosed."
            )
        if i == 123:
            notes = "Escalated to on-call.\nRoot cause: expired TLS certificate\non the edge proxy."
        writer.writerow(
            [f"T-{5000 + i}", f"agent{i % 7}", 4080 if i == 123 else 10 + i % 40, notes]
        )
    return out.getvalue()


def test_a_quoted_field_that_spans_lines_keeps_its_row_whole():
    text = multiline_csv()
    found = find_table(text)
    assert found is not None and found.kind == "csv" and len(found.rows) == 200
    assert found.records[123]["minutes"] == 4080
    assert looks_like_table(text) and kinds(text)[0] == "table"  # no key, no extension
    result = compress(text, key="tickets")
    assert result.transforms == ["table:csv+sample"]
    # The outlier row, its three lines in order, byte for byte, and nothing cut inside a row.
    assert 'T-5123,agent4,4080,"Escalated to on-call.\nRoot cause: expired TLS certificate\non' in (
        result.text
    )
    # A failure on a record's middle line keeps the record: no line of it is cut out alone.
    assert "\n Warning: upload rejected by the gateway (HTTP 413)\n" in result.text
    assert violations(text, result.text) == []
    assert result.compressed_tokens < 0.4 * result.original_tokens
    gaps = sum(int(m.group(1)) for m in map(GAP.fullmatch, result.text.splitlines()) if m)
    assert gaps + result.text.count("\nT-") == 200


def test_a_quote_left_open_is_no_table():
    text = multiline_csv()
    cut = text[: text.index("T-5150")] + 'T-5150,agent3,20,"Never closed.\n' + "more\n" * 30
    assert find_table(cut) is None


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


def test_json_lines_keep_their_telling_lines_whole():
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
    assert result.transforms == ["json:lines+sample"]
    assert json.dumps(events[1333]) in result.text.splitlines()
    assert violations(text, result.text) == []
    assert result.compressed_tokens < 0.15 * result.original_tokens


def test_a_long_table_in_a_report_keeps_the_row_its_conclusion_names():
    report = (
        "## Latency\n\nAll services but one are within the 300 ms p99 objective.\n\n"
        + markdown_table()
        + "\n\nConclusion: one service violates the p99 objective and must be rolled back.\n"
    )
    out = compress(report).text
    assert "| svc-147 | 47 | 9120 | team-2 |" in out.splitlines()  # the row as it is
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


def ls_l() -> str:
    """``ls -l`` of 400 files: one setuid, one owned by another group, one far larger."""
    rows = ["total 123456"]
    for i in range(400):
        mode = "-rwsr-xr-x" if i == 150 else "-rwxr-xr-x"
        group = "shadow" if i == 260 else "root"
        size = 31945032 if i == 333 else 10000 + i * 37
        rows.append(f"{mode} 1 root {group:<6} {size:>8} Apr  7  2025 tool-{i:03d}")
    return "\n".join(rows)


def test_a_listing_keeps_its_rare_rows_whole_and_counts_the_rest_where_they_were():
    text = ls_l()
    found = find_table(text)
    assert found is not None and found.kind == "listing" and len(found.rows) == 400
    result = compress(text, key="ls")
    assert result.transforms == ["table:listing+sample"]
    for name in ("tool-150", "tool-260", "tool-333"):  # setuid, odd group, largest
        assert next(line for line in text.splitlines() if line.endswith(name)) in result.text
    assert violations(text, result.text) == []
    lines = result.text.splitlines()
    assert lines[0] == "total 123456"
    gaps = sum(int(m.group(1)) for m in map(GAP.fullmatch, lines) if m)
    assert gaps + sum(line.startswith("-rw") for line in lines) == 400


def test_a_markdown_table_whose_first_column_has_no_name_is_read_by_its_header():
    # A markdown table whose header has an empty cell (pandas' index): was a listing of
    # "column 1" to "column 7", the bars among them.
    names = ["Good documentation", "README", "Number of downloads", "Nice API", "CI results"]
    rows = [f"| {i:<2} | {names[i % 5]} | {i * 7 % 50} |" for i in range(1, 26)]
    text = "\n".join(["|    | Feature | Used in eval |", "|----|---------|------|", *rows])
    found = find_table(text)
    assert found is not None and found.kind == "pipes" and len(found.rows) == 25
    assert found.records[0] == {"column 1": 1, "Feature": "README", "Used in eval": 7}


def test_a_path_listing_keeps_the_file_alone_in_its_directory():
    paths = [f"/usr/include/big/h{i:03d}.h" for i in range(300)]
    paths.insert(120, "/usr/include/KHR/khrplatform.h")
    text = "\n".join(paths)
    result = compress(text)
    assert result.transforms == ["table:paths+sample"]
    assert "/usr/include/KHR/khrplatform.h" in result.text.splitlines()
    assert violations(text, result.text) == []


def test_a_headerless_csv_keeps_its_name_column_in_its_rows():
    rows = [f"pkg/mod_{i:03d}.py,sha256=abc{i:040d},{1000 + i}" for i in range(300)]
    rows[77] = "pkg/_native.cpython-311-x86_64-linux-gnu.so,sha256=ffff,9999999"
    text = "\n".join(rows)
    result = compress(text)
    assert result.transforms == ["table:csv+sample"]
    assert rows[77] in result.text.splitlines()  # the largest file, named by its path


@pytest.mark.parametrize(
    "text",
    [
        "\n".join(f"2024-05-02 10:00:{i % 60:02d} app INFO served request {i}" for i in range(50)),
        "\n".join(
            f"update-alternatives 2024-05-02 10:00:{i % 60:02d}: link group {i}" for i in range(50)
        ),
        "\n".join("Some prose here, said again." for _ in range(50)),
        # apt's term.log: dpkg's progress (redrawn after a carriage return) and status
        # words of one length line up, one blank apart, unpadded.
        "Log started: 2025-06-24  14:36:25\n"
        + "".join(
            "\r".join(
                [
                    "(Reading database ... ",
                    *(f"(Reading database ... {p}%" for p in range(5, 105, 5)),
                ]
            )
            + "\r(Reading database ... 6089 files and directories currently installed.)\n"
            f"Preparing to unpack .../{name}_252.38-1~deb12u1_amd64.deb ...\n"
            f"Unpacking {name}:amd64 (252.38-1~deb12u1) over (252.36-1~deb12u1) ...\n"
            f"Setting up {name}:amd64 (252.38-1~deb12u1) ...\n"
            for name in ("libsystemd0", "libudev1")
        )
        + "Processing triggers for libc-bin (2.36-9+deb12u10) ...\n"
        "Log ended: 2025-06-24  14:36:25",
        "\n".join(f"Setting up lib{i}:amd64 (1.{i}-1+deb12u{i % 3}) ..." for i in range(40)),
    ],
)
def test_logs_and_repeats_are_not_listings(text):
    found = find_table(text)
    assert found is None or found.kind not in ("listing", "paths")


def test_a_ps_listing_whose_first_rows_are_threads_of_one_process_is_a_table():
    head = "UID        PID  PPID   LWP  C NLWP STIME TTY          TIME CMD"
    rows = [
        f"root         1     0 {60 + i:>5}  0   40 08:34 ?        00:00:00 /sbin/init --log x"
        for i in range(45)
    ]
    rows += [
        f"www       {900 + i:>4}     1 {900 + i:>5}  0    1 08:35 ?        00:00:0{i % 10} nginx"
        for i in range(60)
    ]
    text = "\n".join([head, *rows])
    assert looks_like_table(text) and kinds(text)[0] == "table"
    # Right-aligned names ("  PID", "C NLWP") over right-aligned numbers: the columns are
    # what the blanks down every line part, named by the header (was "column 1" to "10").
    found = find_table(text)
    assert found.kind == "columns" and len(found.rows) == 105
    assert found.records[0] == {
        **{"UID": "root", "PID": 1, "PPID": 0, "LWP": 60, "C": 0, "NLWP": 40},
        **{"STIME": "08:34", "TTY": "?", "TIME": "00:00:00", "CMD": "/sbin/init --log x"},
    }


def _commented_settings() -> str:
    # redis.conf's shape: blocks of comments documenting one setting each, most of them
    # commented out, a few active (as /etc/redis/redis.conf ships).
    blocks = []
    for i in range(60):
        doc = "\n".join(f"# Line {k} on how option_{i} changes the server." for k in range(6))
        setting = f"option-{i} {i * 10}" if i % 4 == 0 else f"# option-{i} {i * 10}"
        blocks.append(f"{doc}\n#\n{setting}\n")
    blocks.append('# WARNING: avoid using this option if possible.\nrename-command CONFIG ""\n')
    return "\n".join(blocks)


def test_a_commented_settings_file_keeps_every_active_setting():
    # redis.conf went to prose: comments kept, 3 of 71 settings left under max_tokens=2000.
    text = _commented_settings()
    active = [line for line in text.splitlines() if line and not line.startswith("#")]
    for max_tokens in (None, 600):
        result = compress(text, key="redis.conf", max_tokens=max_tokens)
        assert result.transforms[0] == "config:settings"
        out = result.text.splitlines()
        assert [line for line in active if line not in out] == []
        assert violations(text, result.text) == []  # the WARNING comment stays too
        assert result.savings_percent > 80
    # Each run of comments marked where it was.
    assert "option-0 0\n# [… 35 lines]\noption-4 40\n" in compress(text).text
    # Without the key: the same file is parsed as one.
    assert compress(text).transforms[0] == "config:settings"
    # A commented-out default the query names stays.
    assert "# option-13 130" in compress(text, query="option-13").text


def _unit(i: int) -> str:
    return (
        f"[Unit]\nDescription=Worker {i} of the nightly jobs\nAfter=network.target\n\n"
        f"[Service]\nType=oneshot\nExecStart=/usr/lib/jobs/worker-{i} --batch {i % 7}\n"
        f"User=jobs\nNice={i % 5}\n\n[Install]\nWantedBy=multi-user.target\n"
    )


def test_a_multi_file_dump_keeps_the_line_naming_each_file():
    # systemctl cat (config:sections) kept 0 of 30 "# /path" heads; head's "==> f <==" heads
    # went into the line fold's global fold ([×106] [Service] ...) 25 of 115.
    paths = [f"/usr/lib/systemd/system/worker-{i}.service" for i in range(40)]
    dumps = [
        "\n".join(f"# {p}\n{_unit(i)}" for i, p in enumerate(paths)),
        "\n".join(f"==> {p} <==\n{_unit(i)}" for i, p in enumerate(paths)),
    ]
    for text in dumps:
        out = compress(text).text.splitlines()
        heads = [line for line in text.splitlines() if "/usr/lib/systemd/system/" in line]
        assert len(heads) == 40
        assert [line for line in heads if line not in out] == []
        assert violations(text, "\n".join(out)) == []
    # A config file whose comments name a path is no dump: its comments may go.
    commented = "# see /etc/default/grub.cfg\n" + "\n".join(f"key{i} = {i}" for i in range(40))
    assert file_heads(commented.splitlines()) == set()


@pytest.mark.parametrize("module", ["asyncio", "http.client", "email.mime.multipart", "logging"])
def test_python_importtime_keeps_the_slowest_imports(module):
    # "import time:  self | cumulative | package": cells padded with blanks were read as
    # text, so no column had a largest number and 2 of the 80 slowest imports of 16 such
    # outputs were kept.
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
    )
    text = run.stderr
    rows = [line for line in text.splitlines() if line.startswith("import time:") and "|" in line]
    assert len(rows) > 30
    # The largest cumulative time is kept by rule, the next ones as the budget allows: the
    # timings are this run's, so the third slowest fits in most runs only (logging's: 26 of
    # 30 on a loaded machine); the two slowest fit in every run.
    slowest = sorted(rows[1:], key=lambda line: -int(line.split("|")[1]))[:2]
    result = compress(text, model="gpt-4")
    assert violations(text, result.text) == []
    kept = set(result.text.splitlines())
    assert [line for line in slowest if line not in kept] == []
    assert "stats over all" in result.text


@pytest.mark.parametrize("name", ["top_b_n1_gib.txt", "top_b_n1_per_cpu.txt"])
def test_tops_batch_report_is_its_summary_over_a_table_of_processes(name):
    # top -b -n1 (GiB units; -1, two CPUs to a line cut at the screen's width): its summary
    # block pushed the table's header past the lines a title may take, so it was folded by
    # line and a tenth of its tokens kept 2 to 4 of the summary, header and busiest rows.
    text = (Path(__file__).parent / "data" / name).read_text()
    assert kinds(text)[0] == "table"
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:1] == ["PID"])
    busiest = max(lines[header + 1 :], key=lambda line: float(line.split()[8]))
    tokens = compress(text, model="gpt-4").original_tokens
    result = compress(text, model="gpt-4", max_tokens=tokens // 10)
    kept = set(result.text.splitlines())
    assert [line for line in lines[: header + 1] if line.strip() and line not in kept] == []
    assert busiest in kept
    assert violations(text, result.text) == []
