"""The guarantees of compress/guarantees.py, checked against every compressor and corpus case.

Kept lines are input lines (markers and folds excepted), failure lines are never dropped,
nothing large leaves unchanged; and the wrong routes and losses issue 17 found stay fixed.
"""

import ast
import html
import importlib
import json
import re
import subprocess
import sys
import sysconfig
import traceback
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_baton.compress import compress
from agent_baton.compress.detect import detect
from agent_baton.compress.guarantees import (
    FALLBACK_TOKENS,
    SOURCE_KINDS,
    Contains,
    is_failure,
    missing_failures,
    pieces,
    unmarked_omissions,
    violations,
)
from agent_baton.compress.logs import compress_lines, compress_logs
from agent_baton.compress.pipeline import COMPRESSORS
from agent_baton.compress.request import Request

CORPORA = [Path(__file__).resolve().parents[3] / "shared" / "corpus" / sub for sub in ("", "more")]
CASES = sorted(p for corpus in CORPORA for p in corpus.glob("cases/*") if p.is_dir())
# Kinds whose output is the input's lines (and markers, folds, views of one long line):
# guarantee 1 holds whole (prose: for lines of at most 2,000 characters, which every corpus
# line is).
LINE_ROUTES = ("logs", "lines", "code", "prose", "json", "repr", "html")
FAILURES = [
    "ERROR connection to db-1 refused",
    "FAIL: test_refund (tests.test_billing.RefundTest)",
    "AssertionError: 77680.0 != 77685",
    "ZeroDivisionError: division by zero",
    '  File "billing/charge.py", line 42, in charge',
    "src/unit_3.c:2:42: error: 'struct point' has no member named 'z'",
    "npm error code E401",
    "✖ parses the header (3.2ms)",
    "make: *** [Makefile:4: unit_1.o] Error 1",
    "Process exited with a non-zero exit status 2",
]
ROUTINE = st.sampled_from(
    [
        "INFO served GET /api/items in 12 ms",
        "DEBUG cache hit for key user:42",
        "processing batch 7 of 90",
        "Setting up libfoo:amd64 (1.2-3) ...",
        "ok 12 - parses numbers",
        "    at Object.<anonymous> (/srv/app.js:10:5)",
        "tests/test_x.py::test_y PASSED",
    ]
)
fuzz = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def route(transforms: list[str]) -> str:
    return transforms[0].split(":", 1)[0] if transforms else ""


@fuzz
@given(
    st.lists(ROUTINE, min_size=40, max_size=400),
    st.lists(st.sampled_from(FAILURES), min_size=1, max_size=6, unique=True),
    st.randoms(use_true_random=False),
    st.sampled_from([None, "refund db-1", "batch 7"]),
    st.integers(min_value=0, max_value=4),
)
def test_line_compressors_keep_input_lines_and_every_failure(lines, failures, rnd, query, level):
    for failure in failures:
        lines.insert(rnd.randrange(len(lines) + 1), failure)
    text = "\n".join(lines)
    request = Request(query=query, key="k", level=level)
    for compressor in (compress_logs, compress_lines):
        produced = compressor(text, request)
        if produced is not None:
            assert violations(text, produced[0]) == []
    result = compress(text, key="k", query=query)
    assert violations(text, result.text) == [] or route(result.transforms) not in LINE_ROUTES


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.parent.name}/{c.name}" for c in CASES])
def test_every_corpus_case_keeps_the_guarantees(case: Path):
    text = next(case.glob("content.*")).read_text()
    result = compress(text, key="k")
    kind = route(result.transforms)
    found = violations(text, result.text)
    if kind in LINE_ROUTES:
        assert [v for v in found if v.startswith("line not in the input")] == []
    if kind in ("logs", "lines"):  # guarantee 2: a true marker wherever lines were left out
        assert unmarked_omissions(text, result.text) == []
    # Source names exceptions; it reports none. So may source inside a JSON string value (an
    # advisory's code sample), whose lines now count as lines of the document.
    if kind not in ("code", "json"):
        assert [v for v in found if v.startswith("failure line dropped")] == []
    assert result.original_tokens <= FALLBACK_TOKENS or result.transforms


@pytest.mark.parametrize(
    "module", ["statistics", "difflib", "heapq", "textwrap", "uuid", "dataclasses"]
)
def test_stdlib_modules_with_long_docstrings_are_code(module: str):
    source = Path(importlib.import_module(module).__file__ or "").read_text()
    result = compress(source)
    assert route(result.transforms) == "code"
    assert result.compressed_tokens < result.original_tokens


@pytest.mark.parametrize("command", [["ps", "aux"], ["ps", "-ef"]])
def test_process_listings_are_folded_by_line_never_joined(command: list[str]):
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    listing = "\n".join([out, *out.splitlines()[1:] * 4])  # long enough to compress
    result = compress(listing, key="ps")
    assert route(result.transforms) in ("lines", "table")
    assert "|---|" not in result.text
    if route(result.transforms) == "lines":
        assert violations(listing, result.text) == []


def test_pytest_output_keeps_every_failure_and_is_not_prose():
    lines = [f"tests/test_m.py::test_case_{i} PASSED" for i in range(300)]
    lines[120] = "tests/test_m.py::test_case_120 FAILED"
    lines += [
        "E       assert 77680.0 == 77685",
        "FAILED tests/test_m.py::test_case_120 - AssertionError: 77680.0 != 77685",
        "======= 1 failed, 299 passed in 2.10s =======",
    ]
    text = "\n".join(lines)
    result = compress(text)
    assert detect(text) == "lines"
    assert violations(text, result.text) == []
    assert all(line in result.text for line in lines if is_failure(line))


def test_a_tool_result_of_one_line_keeps_the_failures_of_the_run_it_quotes(tmp_path: Path):
    # {"output": <a pytest run>} as one JSON line, or a dict's repr: when its compressor
    # cannot shorten it, the line is cut short, and the run's failures must come back.
    cases = "\n".join(
        f"def test_{i}():\n    assert {i} % 7 != 3, 'bucket {i} is off by one'" for i in range(300)
    )
    (tmp_path / "test_buckets.py").write_text(cases)
    command = [sys.executable, "-m", "pytest", "-v", "-p", "no:randomly", "-p", "no:cacheprovider"]
    run = subprocess.run([*command, str(tmp_path)], capture_output=True, text=True, cwd=tmp_path)
    assert "FAILED" in run.stdout
    for text in (
        json.dumps({"tool": "pytest", "output": run.stdout, "exit_code": run.returncode}),
        repr({"tool": "pytest", "stdout": run.stdout, "returncode": run.returncode}),
    ):
        result = compress(text, key="run")
        assert violations(text, result.text) == []
        assert "bucket 3 is off by one" in result.text


def test_a_markdown_report_keeps_its_failure_lines():
    prose = (
        "The nightly run of the billing suite was reviewed by the team this morning, and the "
        "findings below summarise what changed since the last green build of the service. "
    )
    report = "\n\n".join(
        [
            "# Test triage",
            *(prose * 3 for _ in range(8)),
            "FAIL: test_totals (tests.test_ledger.LedgerTest)",
            "AssertionError: 77680.0 != 77685",
            *(prose * 3 for _ in range(8)),
            "ZeroDivisionError: division by zero",
            *(prose * 3 for _ in range(4)),
        ]
    )
    out = compress(report).text
    for line in ("FAIL: test_totals", "AssertionError: 77680.0 != 77685", "ZeroDivisionError"):
        assert line in out


def test_json_then_a_log_are_compressed_each_by_its_kind():
    records = [{"id": i, "status": "ok" if i != 77 else "failed", "ms": i % 13} for i in range(300)]
    log = "\n".join(f"2026-11-23 10:00:{i % 60:02d} INFO step {i} done" for i in range(400))
    text = json.dumps(records, indent=2) + "\n" + log + "\n2026-11-23 10:07:00 ERROR disk full"
    result = compress(text)
    assert route(result.transforms) == "segments"
    assert result.savings_percent > 70
    assert "failed" in result.text and "ERROR disk full" in result.text


@fuzz
@given(
    st.integers(min_value=30, max_value=300),
    st.sampled_from([None, 2, 4, "\t"]),
    st.sampled_from([None, "item-77", "failed"]),
    st.integers(min_value=0, max_value=3),
)
def test_json_keeps_its_own_lines_or_labels_a_view_of_its_one_line(count, indent, query, level):
    records = [
        {
            "id": i,
            "name": f"item-{i}",
            "status": "failed" if i == count // 2 else "ok",
            "size": {"kb": i * 7 % 1000, "files": [f"f{i}.txt", f"g{i}.txt"]},
            "note": "ERROR disk full on /var" if i == 3 else "nothing to report here",
        }
        for i in range(count)
    ]
    text = json.dumps({"total": count, "items": records}, indent=indent)
    result = compress(text, key="k", query=query, max_tokens=None if level < 2 else 400 * level)
    # Guarantee 1 (a one-line document holding "ERROR" is itself one failure line: the view
    # shows its record, not the line).
    assert [v for v in violations(text, result.text) if v.startswith("line not")] == []
    assert "ERROR disk full on /var" in result.text
    if indent is None:  # one line: a labelled view of it
        assert result.text.startswith("[§ the next ")
    else:
        # Where items or lines were left out, how many.
        assert re.search(r"^\s*\[… \d+ (?:items?|lines?)\]$", result.text, re.MULTILINE)


def test_a_view_counts_only_for_a_line_of_the_length_its_label_names():
    text = json.dumps([{"id": i, "name": f"n{i}"} for i in range(300)])
    out = compress(text, key="k").text
    assert violations(text, out) == []
    label, rest = out.split("\n", 1)
    forged = label.replace(f"of {len(text)} characters", f"of {len(text) + 1} characters")
    assert violations(text, forged + "\n" + rest) != []


def test_python_repr_of_records_is_read_as_data():
    rows = [{"id": i, "name": f"item-{i}", "ok": i != 13, "tags": ("a", "b")} for i in range(200)]
    result = compress(str(rows))
    assert route(result.transforms) == "repr"
    assert result.savings_percent > 70 and "item-13" in result.text


def test_a_one_line_html_page_keeps_its_text():
    body = "".join(
        f"<h2>Section {i}</h2><p>Paragraph {i} explains the setting number {i}.</p>"
        for i in range(200)
    )
    head = "<head><title>Settings reference</title><style>p{}</style></head>"
    page = f"<!DOCTYPE html><html>{head}<body>{body}</body></html>"
    result = compress(page)
    assert route(result.transforms) == "html"
    assert "Settings reference" in result.text and "## Section 0" in result.text
    assert result.compressed_tokens > 100
    assert result.text.startswith("[§ the next ") and violations(page, result.text) == []


def test_a_page_over_several_lines_keeps_the_lines_that_hold_its_kept_text():
    sections = "".join(
        f'<h2 id="s{i}">Section {i}</h2>\n<p>Paragraph {i} explains the <code>setting_{i}</code>'
        f' and why\nit defaults to {i * 3} seconds.</p>\n<div class="nav"></div>\n'
        for i in range(150)
    )
    nav = "<nav>" + "".join(f'<a href="p{i}.html">Page {i}</a>' for i in range(200)) + "</nav>"
    head = "<html><head><title>Settings</title></head><body><h1>Settings reference</h1>"
    page = f"{head}{nav}\n{sections}</body></html>"
    result = compress(page, key="k")
    # Most sections stay, each empty nav <div> left out with a marker at its place: 25 %.
    assert route(result.transforms) == "html" and result.savings_percent > 25
    assert violations(page, result.text) == []
    assert unmarked_omissions(page, result.text) == []
    assert '<h2 id="s0">Section 0</h2>' in result.text  # a heading, byte for byte
    # The heading shares its line with the navigation, too long to keep: a view of it.
    assert "[§ the next " in result.text and "# Settings reference" in result.text


def test_a_page_over_several_lines_marks_every_run_of_lines_it_leaves_out():
    # Guarantee 2: markup left out (a licence in a comment, <head>, <style>) leaves a marker
    # at its place, like text; a line or two of short markup between kept lines stays.
    licence = "\n".join(f"  clause {i}: permission is granted to use the code" for i in range(40))
    sections = "".join(
        f'<div class="section">\n<h2>Section {i}</h2>\n<p>\nParagraph {i} explains the setting'
        f" and why it defaults to {i * 3} seconds, and what else it changes.\n</p>\n</div>\n"
        for i in range(120)
    )
    style = "\n".join(f"  .c{i} {{ color: #{i:03d}; }}" for i in range(30))
    page = (
        f"<!DOCTYPE html>\n<!--\n{licence}\n-->\n<html>\n<head>\n<title>Settings</title>\n"
        f"<style>\n{style}\n</style>\n</head>\n<body>\n{sections}</body>\n</html>\n"
    )
    result = compress(page, key="k")
    assert route(result.transforms) == "html" and result.savings_percent > 30
    assert violations(page, result.text) == []
    assert unmarked_omissions(page, result.text) == []


def _doc_page() -> str:
    """A rustdoc-like page: each example's closing ``}`` shares a line of over 1,000
    characters with the markup after it (viewed), and a ``}`` also stands alone."""
    url = "https://play.rust-lang.org/?code=" + "%23!%5Ballow(unused)%5D%0A" * 45
    sections = "".join(
        f'<h3 id="m{i}">pub fn method_{i}(&amp;self)</h3>\n<p>Method {i} returns the value'
        f" it holds.</p>\n<pre><code>if ready() {{\n    go();\n}}\nunsafe {{\n"
        f"    let x = value_{i}();\n    assert_ne!(x, {i});\n"
        f'}}</code></pre><a class="test-arrow" href="{url}{i}">Run</a></div>'
        f"<details><summary><h4>pub fn next_{i}(&amp;self)</h4></summary></details>\n"
        for i in range(60)
    )
    return f"<html><head><title>Vec</title></head><body>\n{sections}</body></html>\n"


def test_a_view_line_equal_to_a_repeated_input_line_is_read_as_the_view():
    # The view of `}</code></pre><a …` opens with `}`, an input line 120 times over; read as
    # that input line, it placed the run after it lines further on and saw left-out lines.
    page = _doc_page()
    result = compress(page, key="k")
    assert route(result.transforms) == "html" and "[§ the next 3 lines" in result.text
    assert "\n}\nRun\n" in result.text  # the view's first line is `}`
    assert unmarked_omissions(page, result.text) == []
    # Not blind: a line dropped without a marker is still seen, once, at its place.
    out = result.text.splitlines()
    dropped = [k for k, line in enumerate(out) if line == "    go();"][5]
    cut = "\n".join(out[:dropped] + out[dropped + 1 :])
    go_line = page.splitlines().index("    go();") + 1 + 5 * 9  # sixth section, 9 lines each
    assert unmarked_omissions(page, cut) == [f"1 lines left out unmarked after line {go_line - 1}"]


RUSTDOC_VEC = Path.home() / (
    ".rustup/toolchains/stable-x86_64-unknown-linux-gnu/share/doc/rust/html/std/vec/struct.Vec.html"
)


@pytest.mark.skipif(not RUSTDOC_VEC.is_file(), reason="no Rust docs on this machine")
def test_rustdoc_vec_page_marks_every_omission():
    page = RUSTDOC_VEC.read_text(encoding="utf-8")
    result = compress(page)
    assert unmarked_omissions(page, result.text) == []


def test_headerless_csv_is_a_table():
    text = "\n".join(f"pkg-{i},{i}.0.{i % 7},{'main' if i % 50 else 'contrib'}" for i in range(600))
    result = compress(text)
    assert route(result.transforms) in ("table", "lines")
    assert result.savings_percent > 70


def test_doctest_failures_survive():
    chunk = [f"Trying:\n    add({i}, 1)\nExpecting:\n    {i + 1}\nok" for i in range(200)]
    chunk.insert(
        90,
        "Failed example:\n    add(2, 2)\nExpected:\n    5\nGot:\n    4",
    )
    text = "\n".join(chunk)
    out = compress(text).text
    assert "Failed example:" in out


def test_under_a_budget_failures_and_query_matches_both_stay():
    lines = [
        f"2026-11-23 10:{i // 60:02d}:{i % 60:02d} INFO request {i} served" for i in range(3000)
    ]
    lines[1000] = "2026-11-23 10:16:40 ERROR upstream returned 502 for order 4711"
    lines[2000] = "2026-11-23 10:33:20 INFO invoice 9313 created for customer acme"
    lines[2500] = "2026-11-23 10:41:40 ERROR RootCauseError: ledger lock timeout"
    result = compress("\n".join(lines), query="invoice 9313 acme", max_tokens=300, key="k")
    assert result.compressed_tokens <= 300
    for kept in ("502 for order 4711", "invoice 9313", "RootCauseError"):
        assert kept in result.text
    assert "of 3000 lines" in result.text  # the marker counts the original's lines


def test_identifying_column_stays_and_dropped_columns_are_named():
    deps = [
        {
            "ref": f"pkg:pypi/lib{i}@1.{i}",
            "dependsOn": [f"pkg:pypi/dep{i}@2.0"],
            **{f"note_{k}": "x" * 30 for k in range(12)},
        }
        for i in range(300)
    ]
    text = compress(json.dumps({"dependencies": deps}), key="sbom").text
    assert "ref" in text.splitlines()[1] or any(
        line.startswith("ref|") for line in text.splitlines()
    )
    assert "pkg:pypi/lib0@1.0" in text
    assert "note_" in text.split("omitted")[0].rsplit("[…", 1)[-1]  # named in the marker


def test_a_query_keeps_the_record_named_by_its_key():
    prices = {
        f"gpt-4o{suffix}": {"input": 1.0 + i, "mode": "chat"}
        for i, suffix in enumerate(["-mini", "-audio", "", "-2024-08-06", "-realtime"])
    }
    prices.update({f"model-{i}": {"input": i / 100, "mode": "chat"} for i in range(600)})
    text = compress(json.dumps(prices), query="what does gpt-4o cost per input token?").text
    assert any(line.startswith("gpt-4o|") for line in text.splitlines())


def test_nothing_large_leaves_unchanged():
    blob = "".join(f"{i:08x}" for i in range(4000))  # one long line no parser takes
    result = compress(blob + "\n" + blob[::-1])
    assert result.original_tokens > FALLBACK_TOKENS
    assert result.compressed_tokens < result.original_tokens / 2


def test_binary_bytes_are_described():
    from agent_baton import SharedContext

    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 200
    ctx = SharedContext()
    ctx.put("img", png)
    out = ctx.get("img")
    assert "PNG image" in out and "89 50 4e 47" in out and "bytes" in out


def test_ini_and_toml_keep_their_settings_and_cut_comments():
    sections = []
    for i in range(30):
        comment = [f"# Option group {i} explains at length why these values were chosen."] * 6
        sections += [f"[tool.group{i}]", *comment, f'name = "group-{i}"', f"retries = {i}", ""]
    text = "\n".join(sections)
    result = compress(text)
    assert route(result.transforms) == "config"
    assert 'name = "group-17"' in result.text and "[tool.group29]" in result.text
    assert violations(text, result.text) == []


def package_ini(count: int = 300) -> str:
    sections = []
    for i in range(count):
        section = "oddities" if i == 211 else "libs"
        sections.append(
            f"[pkg-{i:03d}]\nversion = 1.{i}\nsection = {section}\npriority = optional\n"
            f"summary = library number {i} of the set\n"
        )
    return "\n".join(sections)


def test_an_ini_of_many_records_is_sampled_by_section_and_keeps_the_one_a_task_names():
    text = package_ini()
    result = compress(text, key="pkgs")
    assert result.transforms == ["config:sections"]
    assert "[pkg-211]\nversion = 1.211\nsection = oddities" in result.text  # the rare record
    assert re.search(r"^# \[… \d+ sections\]$", result.text, re.MULTILINE)
    assert violations(text, result.text) == []
    asked = compress(text, key="pkgs", query="Give the details of the package pkg-150.")
    assert "[pkg-150]\nversion = 1.150\nsection = libs" in asked.text


def test_a_yaml_mapping_keeps_the_value_a_task_names_by_its_path():
    text = "packages:\n" + "".join(
        f"  pkg-{i:03d}:\n    version: 1.{i}\n    summary: library number {i} of the set\n"
        for i in range(600)
    )
    result = compress(text, query="What is packages.pkg-321.summary set to?")
    assert "    summary: library number 321 of the set" in result.text
    assert "  pkg-321:" in result.text


def test_a_tox_ini_whose_values_run_on_indented_lines_is_read_as_config():
    text = (
        "[tox]\nenvlist = flake8,py311\n\n[testenv]\ndeps =\n    pytest\n    mock\n"
        "setenv =\n    PYTHONHASHSEED=0\ncommands =\n    py.test {posargs}\n\n"
        + "".join(
            f"[testenv:env{i}]\nbasepython = python3.{i}\ncommands =\n    py.test tests/unit{i}\n"
            "    coverage report\n\n"
            for i in range(12)
        )
        + "[testenv:flake8]\ncommands = flake8 --import-order-style google {posargs}\n"
    )
    assert detect(text) == "config"
    result = compress(text, key="tox.ini")
    assert "[testenv:flake8]" in result.text and violations(text, result.text) == []


def _real_failures(folder: Path) -> tuple[str, str, str]:
    """A real traceback, a real failing pytest run (-v), and its JUnit XML, made here."""
    try:
        json.loads('{"total": 77680.0, "paid": ')
    except ValueError:
        trace = traceback.format_exc()
    tests = folder / "test_ledger.py"
    tests.write_text(
        "import pytest\n\n@pytest.mark.parametrize('n', range(60))\n"
        "def test_total(n):\n    assert n * 1.5 != 45.0, 'ledger total 77680.0 != 77685'\n"
    )
    junit = folder / "junit.xml"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-v",
            "-p",
            "no:cacheprovider",
            f"--junitxml={junit}",
            str(tests),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return trace, run.stdout, junit.read_text()


def _reports(folder: Path) -> dict[str, str]:
    """For each compressor but code and binary, real content of its kind that reports failures."""
    trace, run, junit = _real_failures(folder)
    doc = (Path(sysconfig.get_paths()["stdlib"]) / "difflib.py").read_text()
    paragraphs = [p.replace("\n", " ") for p in doc.split('"""')[1].split("\n\n") if p.strip()]
    prose = "\n\n".join(paragraphs * 6)
    records = [{"id": i, "name": f"job-{i}", "state": "done", "log": "ok"} for i in range(400)]
    records[211] = {"id": 211, "name": "job-211", "state": "failed", "log": trace}
    listing = "\n".join(
        f"{r['id']},{r['name']},{r['state']},{r['log'].splitlines()[-1]}" for r in records
    )
    return {
        "logs": "\n".join(
            [f"2026-11-23 10:{i // 60:02d}:{i % 60:02d} INFO job-{i} done" for i in range(300)]
            + ["2026-11-23 11:00:00 ERROR job-211 failed", *trace.splitlines()]
        ),
        "lines": run,
        "xml": junit,
        "prose": prose + "\n\n" + trace + "\n\n" + prose,
        "mixed": "# Nightly triage\n\n" + prose + "\n\n```python\n" + trace + "```\n\n" + prose,
        "json": json.dumps(records, indent=2),
        "repr": repr(records),
        "table": "id,name,state,last_line\n" + listing,
        "sql": "-- PostgreSQL database dump\n\nCREATE TABLE public.jobs (\n    id integer,\n"
        "    name text,\n    state text,\n    last_line text\n);\n\n"
        "COPY public.jobs (id, name, state, last_line) FROM stdin;\n"
        + listing.replace(",", "\t")
        + "\n\\.\n",
        "chat": json.dumps(
            [
                {"role": "user", "content": "Why did job-211 fail? " + paragraphs[0]},
                *({"role": "assistant", "content": p} for p in paragraphs * 3),
                {"role": "tool", "tool_call_id": "call_1", "content": trace},
                {"role": "assistant", "content": paragraphs[1]},
            ]
        ),
        "yaml": "\n".join(
            f"job-{i}:\n  state: {'failed' if i == 211 else 'done'}\n"
            f"  last_line: {json.dumps(trace.splitlines()[-1] if i == 211 else 'ok')}"
            for i in range(400)
        ),
        "html": "<html><body><h1>Nightly</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs * 4)
        + f"<pre>{html.escape(trace)}</pre></body></html>",
        "segments": json.dumps(records[:150]) + "\n" + run,
        "config": "\n".join(
            f"[job-{i}]\nstate = {'failed' if i == 211 else 'done'}\n"
            f"last_line = {trace.splitlines()[-1] if i == 211 else 'ok'}\n"
            for i in range(300)
        ),
    }


REPORTING_KINDS = sorted(set(COMPRESSORS) - SOURCE_KINDS - {"binary"})  # bytes report nothing


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, str]:
    return _reports(tmp_path_factory.mktemp("runs"))


@pytest.mark.parametrize("kind", REPORTING_KINDS)
def test_every_compressor_but_code_keeps_the_failures_its_content_reports(reports, kind):
    # Guarantee 3's scope: what reports (output, data, prose, a traceback pasted in a fenced
    # block) keeps every failure line, whichever compressor reads it.
    assert set(reports) == set(REPORTING_KINDS)
    text = reports[kind]
    result = compress(text, key=kind)
    assert result.transforms, kind
    assert [f.text for f in missing_failures(text, result.text)] == [], result.transforms


@pytest.mark.parametrize(
    "name", ["ast.py", "base64.py", "fnmatch.py", "glob.py", "getopt.py", "difflib.py"]
)
def test_source_code_is_exempt_its_assert_lines_are_program_text(name):
    # Real modules whose bodies assert: the outline keeps signatures, not those lines, and
    # what it left out that reads like a failure is a statement of the program.
    text = (Path(sysconfig.get_paths()["stdlib"]) / name).read_text()
    result = compress(text, key=name)
    assert route(result.transforms) in SOURCE_KINDS
    program = [f.text.strip() for f in missing_failures(text, result.text)]
    assert program
    for line in program:
        ast.parse(line)  # a whole statement: program text, not a report


@pytest.mark.parametrize("form", [repr, json.dumps])
def test_a_table_view_keeps_the_failure_lines_of_any_row_s_values(form):
    # Guarantee 3 in a view (a repr, JSON on one line): the row whose value holds a failure
    # line stays, though it is no rarer than the others, and the line shows as it reads,
    # though its cell is cut.
    steps = "".join(f"\n  substep {j} ok" for j in range(12))
    records = [{"id": i, "detail": f"step {i} began{steps}\nfinished"} for i in range(600)]
    records[377]["detail"] = f"step 377 began{steps}\nERROR disk full on /var\nfinished"
    text = form(records)
    result = compress(text, key="k")
    assert route(result.transforms) in ("repr", "json") and "sample" in result.transforms[0]
    assert "\nERROR disk full on /var\n" in f"\n{result.text}\n"
    assert violations(text, result.text) == []


@pytest.mark.parametrize("form", [repr, json.dumps])
def test_a_list_cut_in_a_view_gives_back_its_failure_lines(form):
    log = [f"10:{i // 60:02d}:{i % 60:02d} INFO request {i} served" for i in range(600)]
    log[450] = "10:07:30 ERROR upstream returned 502 for order 4711"
    rows = [{"id": i, "name": f"n{i}", "size": i * 3} for i in range(3000)]
    text = form({"status": "failed", "log": log, "rows": rows})
    result = compress(text, key="k")
    assert "sample" in result.transforms[0]
    assert "10:07:30 ERROR upstream returned 502 for order 4711" in result.text.splitlines()
    assert violations(text, result.text) == []


def _budgeted_inputs() -> list[tuple[str, str]]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    found = [("statistics.py", (stdlib / "statistics.py").read_text())]
    found.append(("difflib.json", json.dumps(_stdlib_docs(stdlib / "difflib.py"), indent=2)))
    corepack = Path("/usr/lib/node_modules/corepack/package.json")  # when node is installed
    if corepack.exists():
        found.append(("package.json", corepack.read_text()))
    return found


def _stdlib_docs(path: Path) -> dict[str, dict[str, object]]:
    """A real document: a module's functions and classes, their lines and docstrings."""
    tree = ast.parse(path.read_text())
    return {
        node.name: {"line": node.lineno, "doc": ast.get_docstring(node) or ""}
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.ClassDef))
    }


@pytest.mark.parametrize("name,text", _budgeted_inputs(), ids=[n for n, _ in _budgeted_inputs()])
@pytest.mark.parametrize("max_tokens", [150, 300, 450])
def test_a_budget_below_the_compressed_size_is_filled_not_undershot(name, text, max_tokens):
    # A level keeps about half of what the one before kept: the first to fit may use a
    # fraction of the budget, dropping what would fit.
    assert compress(text, key=name).compressed_tokens > max_tokens
    result = compress(text, key=name, max_tokens=max_tokens)
    assert 0.75 * max_tokens <= result.compressed_tokens <= max_tokens, result.transforms


@fuzz
@given(
    st.integers(min_value=30, max_value=200),
    st.sampled_from(["\u2028", "\u2029", "\x85"]),
    st.booleans(),
    st.sampled_from([None, "item-7"]),
    st.sampled_from([None, 600]),
)
def test_json_whose_strings_hold_line_separators_keeps_the_guarantees(
    count, separator, crlf, query, max_tokens
):
    # JSON leaves U+2028, U+2029 and NEL unescaped in its strings; str.splitlines (every
    # reader's notion of a line) breaks on them, so the outline's kept lines, markers and
    # counts must too.
    records = [
        {
            "id": i,
            "name": f"item-{i}",
            "note": f"line one{separator}line two {i}",
            "log": f"step {i}{separator}ERROR disk full{separator}done" if i == 5 else "fine",
        }
        for i in range(count)
    ]
    text = json.dumps({"total": count, "items": records}, indent=2, ensure_ascii=False)
    if crlf:
        text = text.replace("\n", "\r\n")
    result = compress(text, key="k", query=query, max_tokens=max_tokens)
    assert violations(text, result.text) == []
    assert "ERROR disk full" in result.text
    summary = re.search(r"\[… (\d+) of (\d+) lines", result.text)
    if route(result.transforms) == "json" and summary and "budget:lines" not in result.transforms:
        assert int(summary.group(2)) == sum(1 for line in text.splitlines() if line.strip())
        assert unmarked_omissions(text, result.text) == []


@fuzz
@given(
    st.lists(st.one_of(ROUTINE, st.sampled_from(FAILURES)), min_size=1, max_size=60),
    st.lists(st.sampled_from(["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0c", "\x1e"])),
    st.randoms(use_true_random=False),
)
def test_every_step_reads_lines_as_str_splitlines_does(lines, breaks, rnd):
    # One notion of a line: the failure scan by offsets finds exactly the failing lines
    # str.splitlines gives, whatever breaks them.
    from agent_baton.compress.guarantees import failure_line_starts
    from agent_baton.compress.lines import line_count, line_end

    text = lines[0]
    for line in lines[1:]:
        text += (rnd.choice(breaks) if breaks else "\n") + line
    starts = failure_line_starts(text)
    assert [text[at : line_end(text, at)] for at in starts] == [
        line for line in text.splitlines() if is_failure(line)
    ]
    assert line_count(text) == len(text.splitlines())


def test_a_line_start_is_found_back_through_long_lines_of_other_breaks():
    # line_start reads back from the offset in a growing window: a line longer than it
    # still starts after its own break, and a text of "\r" breaks alone is read per line.
    from agent_baton.compress.lines import line_start

    lines = ["x" * n for n in (10, 300, 1_500, 5_000, 20_000, 3)]
    text = "\r".join(lines)
    start = 0
    for line in lines:
        for at in (start, start + len(line) // 2, start + len(line)):
            assert line_start(text, at) == start
        start += len(line) + 1


def test_a_failure_in_a_string_of_a_long_line_is_found_without_an_escaped_break():
    # A line too long to keep is read by its strings' lines, whether or not some other
    # string of the text holds an escaped line break.
    from agent_baton.compress.guarantees import find_failures

    doc = {"filler": "x " * 1_000, "msg": "E       assert 1 == 2"}
    alone = [f.text for f in find_failures(json.dumps(doc))]
    beside = [f.text for f in find_failures(json.dumps({**doc, "extra": "a\nb"}))]
    assert alone == beside == ["E       assert 1 == 2"]


def test_contains_answers_as_in_does_past_its_lookup() -> None:
    # Past a few parts the lookup of lines and their escaped-break parts answers first; a
    # part it lacks (across lines, inside a line, absent) is still searched for.
    text = "0|step 0\\nError: disk full on sda\\ndone\nplain line\n  indented line"
    parts = [
        *(["not here"] * 20),
        "Error: disk full on sda",
        "plain line",
        "  indented line",
        "line\n  ind",
        "disk full",
        "Error: disk full on sdb",
        "",
    ]
    shown = Contains(text, lambda: pieces(text))
    assert [part in shown for part in parts] == [part in text for part in parts]


def test_many_kept_failures_are_none_missing() -> None:
    rows = [f"{i},db-{i % 7},ERROR connection to db-{i} refused" for i in range(300)]
    text = "\n".join(["id,host,message", *rows])
    kept = "\n".join(["id,host,message", *rows[::2], "[… 150 rows]"])
    missing = missing_failures(text, kept)
    assert [failure.text for failure in missing] == rows[1::2]


LICENCE_HEADER = """// -*- C++ -*-

// Copyright (C) 2005-2022 Example Foundation, Inc.
//
// This file is part of the Example Container Library.  This library is
// free software; you may copy, change and hand it on under the terms set
// out in the licence that came with it, either its third version or, at
// your choice, any later one.
//
// The library is shared in the hope that it helps, but it comes with no
// promise of any kind, not even that it suits a purpose or sells well.
// Read the licence for the details of what it allows and what it asks.
//
// Under section 7 of the licence, you are granted further rights set out
// in the runtime library exception, version 3.1, which came with it.
//
// You should have received a copy of the licence and of the exception
// with this library; see the files COPYING3 and COPYING.RUNTIME.  If you
// did not, write to the foundation, which will send you both by post or
// show you where they are kept on its public pages.
//
// Permission to use, copy, modify, sell, and hand on this software is
// granted free of charge, provided that the notice above appears in all
// copies, and that both it and this permission notice appear in what
// documents it. No author named here, nor their employers, says anything
// about whether this software suits any purpose. It is provided as it is,
// without any warranty, said or implied.

/**
 * @file splay_tree_/info_fn_imps.hpp
 * Contains an implementation.
 */
"""


@pytest.mark.parametrize("key", [None, "info_fn_imps.hpp"])
def test_a_text_its_compressor_reduced_to_markers_keeps_its_first_lines(key):
    # A libstdc++ header that is one licence comment became "// [… 44 lines]" and its
    # summary: nothing for the next agent to know the file by.
    result = compress(LICENCE_HEADER, key=key)
    assert result.transforms
    lines = result.text.splitlines()
    assert lines[:3] == LICENCE_HEADER.splitlines()[:3]
    assert violations(LICENCE_HEADER, result.text) == []
    assert unmarked_omissions(LICENCE_HEADER, result.text) == []


def test_a_marker_that_shows_values_is_something_handed_on():
    from agent_baton.compress.markers import shows_nothing

    assert shows_nothing(
        '// [… 44 lines]\n\n[… 44 of 47 lines omitted — full: get("a:b", full=True)]'
    )
    assert shows_nothing("[§ the next 2 lines re-render one input line of 900 characters (JSON)]")
    assert not shows_nothing("[… 10000 rows]\n[… same in all rows: a=1; b=same]")
    assert not shows_nothing("[×233 like: status unpacked <pkg> <version>; first and last:]")
    assert not shows_nothing("[§ binary content: 51,208 bytes, PNG image]")
    assert not shows_nothing("// [… 3 lines]\nint main(void);")


def test_a_minified_bundle_gains_no_lines_from_its_string_literals():
    # npm's tar/dist/*/index.min.js: the code compressor cannot shorten a bundle of four
    # lines, the line fallback cuts them; its string literals ("TAR_SYMLINK_ERROR: Cannot
    # extract through symbolic link", "CwdError") are program text, not failures to add.
    bundles = sorted(Path("/usr/lib/node_modules").glob("npm/node_modules/*/dist/*/index.min.js"))
    if not bundles:
        pytest.skip("no npm bundles on this machine")
    for path in bundles:
        text = path.read_text(encoding="utf-8")
        result = compress(text, key=path.name)
        added = [p for p in violations(text, result.text) if p.startswith("line not in")]
        assert added == [], path


@pytest.mark.parametrize("tail", [0, 1, 3])
def test_a_failure_put_back_before_proses_last_marker_is_taken_from_its_counts(tail):
    # Prose ends with "[… 4 more lines (9 of 20 in all) omitted — …]": a failure line put
    # back among those four is no longer left out; both counts drop by one.
    from agent_baton.compress.guarantees import restore_failures

    lines = [f"Paragraph line {i} says what the release changed." for i in range(20)]
    lines[19 - tail] = "ERROR: the upgrade of db-1 failed"
    original = "\n".join(lines)
    kept = [*lines[:5], "[… 6 lines]", *lines[11:16]]
    marker = '[… 4 more lines (10 of 20 in all) omitted — full: get("notes", full=True)]'
    repaired = restore_failures(original, "\n".join([*kept, marker]))
    assert "ERROR: the upgrade of db-1 failed" in repaired.splitlines()
    assert unmarked_omissions(original, repaired) == []
    assert "(9 of 20 in all)" in repaired or "[… 9 of 20 lines omitted" in repaired


def test_a_run_of_kept_lines_is_placed_across_the_blank_lines_it_left_out():
    # OpenSSL's bio.h: "[… 2 lines]" stands for two of three "#endif"; the run after it
    # left out a blank line (which needs no marker), and was read from the first "#endif".
    original = "#else\n#define P __printf__\n#endif\n#endif\n#endif\nint f(void);\n\nint g(void);"
    compressed = "#else\n#define P __printf__\n[… 2 lines]\n#endif\nint f(void);\nint g(void);"
    assert unmarked_omissions(original, compressed) == []
    assert unmarked_omissions(original, compressed.replace("[… 2 lines]\n", "")) != []


def test_a_log_kept_whole_but_one_cut_line_says_nothing_else_was_omitted():
    # nox's build session: twine's command line (several hundred characters) is cut, and
    # every line is kept; a marker saying "0 of 12 lines omitted" told of nothing.
    dists = [
        f"/home/user/projects/agent-baton/dist/agent_{name}-0.1.0{end}"
        for name in ("baton", "baton_autogen", "baton_crewai", "baton_langchain")
        for end in ("-py3-none-any.whl", ".tar.gz")
    ]
    lines = [
        "Successfully built baton_autogen-0.1.0.tar.gz and baton_autogen-0.1.0-py3-none-any.whl",
        "nox > twine check --strict " + " ".join(dists),
        *(f"Checking {dist}: PASSED" for dist in dists),
        "nox > all four distributions are version 0.1.0",
        "nox > Session build was successful in 26 seconds.",
    ]
    text = compress("\n".join(lines), key="k").text
    assert "more characters of this line omitted" in text
    assert not re.search(r"\[… 0 ", text)


def test_a_marker_for_one_line_left_out_says_line():
    # dpkg's status: each package's description, a line too long to keep as a setting.
    stanzas = [
        f"Package: lib{i}\nStatus: install ok installed\nPriority: optional\nSection: libs\n"
        f"Installed-Size: {100 + i}\nMaintainer: Team <team@example.org>\n"
        f"Architecture: amd64\nVersion: 1.{i}-1\nDepends: libc6 (>= 2.{i})\n"
        f"Description: library number {i}\n This library number {i} provides the routines"
        " that the programs of the suite share, so that each of them links to one copy only."
        for i in range(40)
    ]
    text = compress("\n\n".join(stanzas), key="k").text
    assert "[… 1 line]" in text
    assert "[… 1 lines" not in text


def test_a_failure_quoted_in_a_line_of_no_data_comes_back_as_that_input_line():
    # msgunfmt of libc's catalogue: `msgstr "…: %m\n"` was put back as `%s: error …: %m`,
    # a line the input never had (a PO file is no JSON document whose strings it holds).
    from agent_baton.compress.guarantees import input_lines, restore_failures

    entries = [
        f'msgid "option {i} is ignored\\n"\nmsgstr "opcion {i} es ignorate\\n"' for i in range(30)
    ]
    entries.insert(
        12, 'msgid "%s: file open error: %m\\n"\nmsgstr "%s: error al aperir le file: %m\\n"'
    )
    original = "\n\n".join(entries)
    kept = [line for line in original.splitlines() if "error" not in line]
    repaired = restore_failures(original, "\n".join(kept))
    assert 'msgstr "%s: error al aperir le file: %m\\n"' in repaired.splitlines()
    assert set(repaired.splitlines()) <= input_lines(original)
    # In data (a JSON message's content) the string's own line is the line to show.
    chat = json.dumps([{"role": "tool", "content": "step 1\nError: disk full\ndone"}], indent=1)
    kept = [line for line in chat.splitlines() if "Error" not in line]
    assert "Error: disk full" in restore_failures(chat, "\n".join(kept)).splitlines()


def test_a_dump_of_a_few_huge_lines_has_them_cut(tmp_path: Path):
    # sqlite3's .dump of a table with JSON columns (crewAI's task outputs): a few INSERT lines
    # of 10k-150k characters hold the tokens. Detection raised on csv's field limit, and the
    # fold, keeping the failure lines whole, saved nothing: no line was cut.
    import shutil
    import sqlite3

    if shutil.which("sqlite3") is None:
        pytest.skip("no sqlite3 command")
    path = tmp_path / "outputs.db"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE outputs (\n    task_id TEXT PRIMARY KEY,\n    output JSON,\n"
        "    inputs JSON\n)"
    )
    for i, size in enumerate((300, 2_500, 12_000, 150_000, 40_000)):
        raw = "\n\n".join(
            f"## Finding {k}\nModel {k} scored {k * 7 % 100}, see `eval_{k}.py`."
            + ("\nError: rate limit reached, retrying" if k == 3 else "")
            for k in range(size // 80)
        )
        row = (f"id-{i}", json.dumps({"raw": raw}), json.dumps({"topic": "AI"}))
        db.execute("INSERT INTO outputs VALUES (?, ?, ?)", row)
    db.commit()
    db.close()
    text = subprocess.run(
        ["sqlite3", str(path), ".dump"], capture_output=True, text=True, check=True
    ).stdout
    from agent_baton.compress.detect import kinds

    assert kinds(text)  # no csv.Error out of detection
    result = compress(text, key="k")
    assert result.compressed_tokens < result.original_tokens // 4
    assert violations(text, result.text) == []
