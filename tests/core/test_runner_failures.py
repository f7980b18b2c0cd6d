"""Failure lines of test runners and build tools measured on real runs, and behind a prefix.

The runs under ``data/`` were made on this machine: go test 1.19, PHPUnit 9.6 (Debian), vite
5.4 (rollup) and 8.4 (rolldown), ctest 3.25. A CI log writes each line behind a timestamp
(GitHub Actions), ``gh run view --log`` behind the job's and the step's names too: a line
reports there what it reports alone.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from agent_baton import get_token_counter
from agent_baton.compress import compress
from agent_baton.compress.guarantees import failures, is_failure, missing_failures

COUNT = get_token_counter("gpt-4")
DATA = Path(__file__).parent / "data"

# Lines a tool prints to report a failure, each checked on the runs named above it.
REPORTS = [
    # rolldown (vite 8), rollup (vite 5): coded diagnostics, the verdict, the message's head.
    "[UNRESOLVED_IMPORT] Could not resolve './missing.js' in src/main.js",
    '[MISSING_EXPORT] "nothere" is not exported by "src/util.js".',
    "[PARSE_ERROR] Unexpected token",
    "(!) Circular dependency",
    "x Build failed in 1.06s",
    "error during build:",
    # GitHub Actions' workflow commands, PHPUnit's assertion, ctest's verdicts.
    "::error file=app.js,line=10,col=15::Something went wrong",
    "::warning::Node 16 is deprecated",
    "Failed asserting that 3 matches expected 4.",
    "   │ Failed asserting that 5 is greater than 10.",
    "6/7 Test #6: bad_3 ............................***Failed    0.05 sec",
    "7/7 Test #7: crash_3 ..........................***Exception: SegFault  0.04 sec",
    "5/5 Test #5: slow_1 ...........................***Timeout   1.03 sec",
    "\t  7 - crash_3 (SEGFAULT)",
    "\t  6 - missing_2 (Not Run)",
    # Structured logs: ECS's dotted level, pino's and bunyan's numbered ones (50 error).
    '{"@timestamp":"2026-12-07T23:40:00Z","log.level":"error","message":"pool exhausted"}',
    '{"level":50,"time":1765150800000,"pid":7,"msg":"request failed"}',
    '{"@t":"2026-12-07T23:40:00.000Z","@mt":"Payment {Id} declined","@l":"Error","Id":7}',
    't=2026-12-07T23:40:00+0000 lvl=eror msg="Failed to open the database" err="locked"',
    'time="2026-12-07T23:40:00Z" level=critical msg="disk full"',
    # Behind a log line's prefix: GitHub Actions' timestamp, ``gh run view --log``'s job and
    # step, a compose service's bar, kubectl's --prefix, BuildKit's step and seconds.
    "2026-12-07T23:40:00.1234567Z * What went wrong:",
    "2026-12-07T23:40:00.1234567Z E       assert 4 == 5",
    "2026-12-07T23:40:00.1234567Z   ● Parser › rejects an empty file",
    "2026-12-07T23:40:00.1234567Z rake aborted!",
    "test\tRun tests\t2026-12-07T23:40:00.1234567Z npm ERR! code ELIFECYCLE",
    "web-1  | Traceback (most recent call last):",
    "[pod/web-7c9f/app] panic: runtime error: index out of range [3] with length 3",
    "#8 0.512 npm ERR! 404 Not Found - GET https://registry.npmjs.org/left-pad-x",
    # kubectl describe's older events, columns set by tabs (kubernetes' docs, 1.5-1.9), and
    # rows with no type's column: the reason alone.
    "    1m\t\t    48s\t\t    7\t    {default-scheduler }\t\t\t        Warning\t\t"
    "FailedScheduling\tpod (nginx-deployment-1370807587-fz9sd) failed to fit in any node",
    '  5m   5m   1   {kubelet node-1}   spec.containers{web}   BackOff   Back-off pulling "x"',
]
# The same tools' routine lines, and text that looks like them.
ROUTINE = [
    "[INFO] Building jar: /app/target/app.jar",
    "[NO_MESON] is used to indicate an option not meant to be used",
    "(!) is how the guide marks a tip",
    "1) ExampleTest::testAdd",
    "    calc_test.go:7: fine",
    "\t  6 - bad_3",
    '{"level":30,"time":1765150800000,"pid":7,"msg":"listening on 3000"}',
    '{"@t":"2026-12-07T23:40:00.000Z","@mt":"Started {Id}","Id":7}',
    't=2026-12-07T23:40:00+0000 lvl=info msg="Opened the database"',
    "2026-12-07T23:40:00.1234567Z ok  \texample.com/m6/strs\t0.003s",
    "test\tRun tests\t2026-12-07T23:40:00.1234567Z Run actions/checkout@v4",
    "web-1  | GET /health 200 1.2 ms",
    "#8 0.512 added 15 packages in 2s",
    "  1m\t\t1m\t\t1\t{job-controller }\t\t\tNormal\t\tSuccessfulCreate\tCreated pod: bad-fws8g",
    "job-1   Failed   3m",
    # A markdown quote's indented sentence is no pytest source line (Go's design docs).
    ">    rules.",
    ">    Note",
    ">     the first paragraph of a quoted section goes on here.",
]


@pytest.mark.parametrize("line", REPORTS)
def test_a_line_a_tool_prints_to_report_a_failure_is_one(line: str):
    assert is_failure(line)


@pytest.mark.parametrize("line", ROUTINE)
def test_routine_lines_and_lookalikes_report_none(line: str):
    assert not is_failure(line)


def test_pytests_failing_source_lines_stay_failure_lines():
    # Lines pytest marked with ">" in real runs: a statement, a block's head, a call that
    # goes on over the next lines.
    for line in [
        ">       assert add(a, b) == want",
        ">       with pytest.raises(ValueError):",
        ">       result = add(",
        ">           raise KeyError(x)",
        ">       y = 10 / x",
    ]:
        assert is_failure(line), line


# Each run, and the lines in it that report its failures (PHPUnit's and go's by their place:
# under PHPUnit's "There were 2 failures:", logged by a test go counted as failed).
RUNS = {
    "go_test_v_subtests_failing.txt": [
        "    calc_test.go:11: Add(2, 2) = 4, want 5",
        "    calc_test.go:11: Add(0, 0) = 0, want 1",
        "--- FAIL: TestAdd (0.00s)",
        "    --- FAIL: TestAdd/case#01 (0.00s)",
    ],
    "go_test_fatalf_failing.txt": ["--- FAIL: TestMulti (0.00s)", "    calc_test.go:9: mismatch:"],
    "phpunit_2_failures.txt": [
        "1) Case2Test::testName",
        "Failed asserting that two strings are identical.",
        "2) Case2Test::testTrue",
        "flag should be set",
    ],
    "phpunit_testdox_2_failures.txt": [
        " ✘ Greater",
        "   │ Failed asserting that 5 is greater than 10.",
    ],
    "vite5_unresolved_import.txt": [
        "x Build failed in 1.06s",
        "error during build:",
        'Could not resolve "./missing.js" from "src/main.js"',
    ],
    "vite8_unresolved_import.txt": [
        "✗ Build failed in 1.19s",
        "[UNRESOLVED_IMPORT] Could not resolve './missing.js' in src/main.js",
    ],
    "ctest_2_failed.txt": [
        "6/7 Test #6: bad_3 ............................***Failed    0.05 sec",
        "\t  7 - crash_3 (SEGFAULT)",
    ],
}


def _stamped(text: str, job: str = "") -> str:
    """``text`` as GitHub Actions logs it: each line behind its time (and ``gh``'s names)."""
    start = datetime(2026, 12, 7, 23, 40)
    stamps = (start + timedelta(milliseconds=123 * k) for k in range(len(text.splitlines())))
    return "\n".join(
        f"{job}{stamp.strftime('%Y-%m-%dT%H:%M:%S.%f')}1Z {line}"
        for stamp, line in zip(stamps, text.splitlines(), strict=True)
    )


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_runs_failure_lines_are_kept_under_a_budget(name: str):
    text = (DATA / name).read_text()
    reports = RUNS[name]
    assert all(line in text.splitlines() for line in reports)
    assert all(line in failures(text) for line in reports)
    for budget in (None, max(1, COUNT(text) // 10)):
        result = compress(text, max_tokens=budget)
        assert missing_failures(text, result.text) == []
        assert all(line in result.text.splitlines() for line in reports)


@pytest.mark.parametrize("name", sorted(RUNS))
@pytest.mark.parametrize("job", ["", "test\tRun tests\t"])
def test_behind_a_ci_logs_prefix_a_run_reports_the_same_failures(name: str, job: str):
    text = (DATA / name).read_text()
    plain = text.splitlines()
    stamped = _stamped(text, job).splitlines()
    found = {stamped[plain.index(line)] for line in failures(text)}
    assert found <= set(failures("\n".join(stamped)))
    for budget in (None, max(1, COUNT("\n".join(stamped)) // 10)):
        result = compress("\n".join(stamped), max_tokens=budget)
        assert found <= set(result.text.splitlines())


def test_numbered_tests_without_phpunits_heading_are_a_list():
    text = (DATA / "phpunit_2_failures.txt").read_text()
    listed = "\n".join(line for line in text.splitlines() if not line.startswith("There "))
    assert "1) Case2Test::testName" not in failures(listed)


def test_go_lines_a_passing_test_logged_are_no_failure():
    text = (DATA / "go_test_fatalf_failing.txt").read_text()
    passing = text.replace("--- FAIL: TestMulti", "--- PASS: TestMulti")
    assert "    calc_test.go:9: mismatch:" not in failures(passing)


@pytest.mark.skipif(shutil.which("go") is None, reason="go is not installed")
def test_a_go_test_run_keeps_what_the_failed_test_logged(tmp_path: Path):
    (tmp_path / "go.mod").write_text("module example.com/t\n\ngo 1.19\n")
    (tmp_path / "t_test.go").write_text(
        'package t\n\nimport "testing"\n\n'
        'func TestOK(t *testing.T) { t.Log("fine") }\n\n'
        'func TestSum(t *testing.T) { if 2+2 != 5 { t.Errorf("sum = %d, want %d", 2+2, 5) } }\n'
    )
    for flags in ([], ["-v"]):
        run = subprocess.run(
            ["go", "test", *flags, "./..."],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={
                "GOFLAGS": "-mod=mod",
                "GOPROXY": "off",
                "HOME": str(tmp_path),
                "PATH": "/usr/bin:/bin",
            },
            check=False,
        )
        text = run.stdout + run.stderr
        message = "    t_test.go:7: sum = 4, want 5"
        assert message in text.splitlines()
        assert message in failures(text)
        assert "    t_test.go:5: fine" not in failures(text)
