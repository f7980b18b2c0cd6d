"""Guarantee 3: a line that reports a failure is never dropped, by a compressor or the budget.

The definition (guarantees.is_failure) is checked on lines real tools print and on prose that
merely uses the words; the compressors and the budget are checked on generated texts of every
kind with failures planted in them, and on the output of test runners run here.
"""

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_baton import get_token_counter
from agent_baton.compress import compress
from agent_baton.compress.budget import fit_lines
from agent_baton.compress.fallback import compress_fallback
from agent_baton.compress.guarantees import (
    failure_candidates,
    failures,
    find_failures,
    is_failure,
    missing_failures,
    uncoloured,
    violations,
)
from agent_baton.compress.logs import compress_lines, compress_logs
from agent_baton.compress.request import Request
from agent_baton.search import query_terms, terms

COUNT = get_token_counter("gpt-4")

# Lines as the tools print them (pytest, unittest, doctest, mypy, ruff, gcc, make, javac,
# rustc, node --test, npm, pip, apt, Python and Java tracebacks, structured logs).
REPORTS = [
    ">       assert 820 / (568 - 568) == 153675.0",
    "E       ZeroDivisionError: division by zero",
    "E   AssertionError: assert 64 == 65",
    "test_ledger_0.py:141: ZeroDivisionError",
    "test_m3.py:81: in test_ratio_18",
    "    assert 339 / (933 - 933) == 5.3629999999999995",
    "FAILED test_ledger_0.py::test_total_33 - ZeroDivisionError: division by zero",
    "test_ledger_0.py::test_ratio_21 FAILED                                   [ 55%]",
    "=================================== FAILURES ===================================",
    "========================= 4 failed, 36 passed in 0.62s =========================",
    "FAIL: test_wrap_3 (test_u0.LedgerTest.test_wrap_3)",
    "FAILED (failures=3, errors=1)",
    "AssertionError: 77680.0 != 77685",
    "Failed example:",
    '  File "ranks_0.py", line 14, in ranks_0.middle_3',
    "***Test Failed*** 7 failures.",
    "38 passed and 2 failed.",
    "7 items had failures:",
    'billing_1.py:112: error: Incompatible return value type (got "str", expected "int")',
    "Found 28 errors in 1 file (checked 1 source file)",
    "1 error generated.",
    # CMake's diagnostics and verdicts (cmake 3.25).
    "CMake Error at CMakeLists.txt:3 (find_package):",
    "CMake Error at CMakeLists.txt:4:",
    "CMake Warning (dev) at CMakeLists.txt:5 (message):",
    'CMake Error: The source directory "/tmp/p/nothing" does not exist.',
    "-- Configuring incomplete, errors occurred!",
    "CMake Generate step failed.  Build files cannot be regenerated correctly.",
    "F401 [*] `os` imported but unused",
    " --> bad0.py:1:8",
    "bad0.py:12:5: F841 Local variable `unused` is assigned to but never used",
    # pyflakes names no code; shellcheck's tty format puts the code under a caret; ESLint's
    # stylish format names the severity after the place.
    "     3:35  error    'define' is not defined                              no-undef",
    "   754:2   warning  Unused eslint-disable directive (no problems were reported)",
    "./ledger/io.py:3:1: 'os' imported but unused",
    "ledger/report.py:41:9: local variable 'total' is assigned to but never used",
    "    ^--^ SC2034 (warning): echo appears unused. Verify use (or export if used externally).",
    "          ^-----------^ SC2154 (error): undefined_var is referenced but not assigned.",
    "unit_3.c:2:42: error: 'struct point_3' has no member named 'z'",
    "u2.c:1:58: warning: control reaches end of non-void function [-Wreturn-type]",
    "make: *** [Makefile:4: unit_10.o] Error 1",
    "make: Target 'all' not remade because of errors.",
    "collect2: error: ld returned 1 exit status",
    "Stock0.java:5: error: cannot find symbol",
    "2 errors",
    "error[E0308]: mismatched types",
    "error: aborting due to 2 previous errors",
    "✖ sum of invoice 3 (3.501621ms)",
    "not ok 4 - sum 3",
    "  AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:",
    "      at TestContext.<anonymous> (t0.test.js:6:30)",
    "    at async Test.processPendingSubtests (node:internal/test_runner/test:526:7) {",
    "npm error code ENOTCACHED",
    "ERROR: No matching distribution found for nonexistent-pkg-0",
    "dpkg: error processing package libfoo (--configure):",
    "E: Sub-process /usr/bin/dpkg returned an error code (1)",
    "Traceback (most recent call last):",
    '  File "/usr/lib/python3.11/json/decoder.py", line 337, in decode',
    "subprocess.CalledProcessError: Command '['false']' returned non-zero exit status 1.",
    "KeyboardInterrupt",
    "crash6.py:2: DeprecationWarning: old api 6",
    "\tat com.example.Ledger.total(Ledger.java:42)",
    "Caused by: java.io.IOException: stream closed",
    'Exception in thread "main" java.lang.IllegalStateException: no ledger',
    "thread 'main' panicked at src/main.rs:2:5:",
    "2026-11-23 10:00:07 ERROR db: connection refused after 3 retries",
    "2015-07-29 19:33:39,344 - WARN  [RecvWorker:188978561024] - Interrupting SendWorker",
    'ts=2026-11-23T10:00:07Z level=error msg="payment declined"',
    '{"ts": "2026-11-23T10:00:07Z", "level": "error", "msg": "payment declined"}',
    "[error] 17#0: *1 open() failed (2: No such file or directory)",
    "E1123 10:00:07.123456   1234 server.go:42] listener died",
    "Process exited with a non-zero exit status 2",
    "cp: cannot stat 'ledger.csv': No such file or directory",
    # node -e "throw new Error('boom')": frames with no function name, in node's own modules.
    "    at [eval]:1:7",
    "    at node:internal/process/execution:118:14",
    "    at [eval]-wrapper:6:24",
    # A shell or a tool whose system call failed, as strerror words it.
    "sh: 1: foo_not_a_cmd: not found",
    "bash: line 1: deploy: command not found",
    "make: /nonexistent: No such file or directory",
    "Could not connect to Redis at 127.0.0.1:1: Connection refused",
    # A traceback's source line: an assertion, in Python, C and node.
    "    assert total == 77685, total",
    "    assert key in mapping",
    "  assert(p != NULL);",
    "    assert.strictEqual(actual, expected)",
    "    assert isinstance(value, (",
    "BUILD FAILED",
    "NUMBER OF ERRORS: 3",
    "pydantic_core._pydantic_core.ValidationError: 1 validation error for Order",
    # Native frames in the program's own code (gcc -fsanitize=address, gdb bt, valgrind).
    "    #0 0x56511fc2a20e in peek /tmp/scout/cc/uaf.c:5",
    "    #1 0x563a0d81954b in read_after_grow(Cache&) /tmp/shapes_native/cpp_uaf.cpp:4",
    "#0  port_of (c=0x0) at seg.c:4",
    "#1  0x000055555555516b in connect_db (c=0x0, tries=0) at seg.c:5",
    "==24023==    by 0x109170: release (uaf.c:4)",
    "==7291==    by 0x1091AE: close_all(Conn*) (mismatch.cpp:4)",
    "SUMMARY: AddressSanitizer: heap-use-after-free /tmp/scout/cc/uaf.c:5 in peek",
    # A process's death: as bash, sh and zsh report the signal (bash pads its name to 24
    # columns), as gdb does, and the runtime's last words before it (glibc, CPython, an
    # assert(), C++, Rust), valgrind's error kinds and leak records.
    "bash: line 1: 32071 Segmentation fault      ./c 0",
    "bash: line 1: 32318 Segmentation fault      (core dumped) ./c 0",
    "bash: line 1: 32079 Floating point exception./c 4",
    "./run.sh: line 12:  4242 Killed                  make -j8",
    "Segmentation fault",
    "Aborted (core dumped)",
    "zsh: segmentation fault  ./a.out",
    "Program received signal SIGSEGV, Segmentation fault.",
    'Thread 1 "crash" received signal SIGSEGV, Segmentation fault.',
    "Program terminated with signal SIGABRT, Aborted.",
    "free(): double free detected in tcache 2",
    "malloc(): corrupted top size",
    "*** stack smashing detected ***: terminated",
    "Fatal Python error: Segmentation fault",
    "test_native.py::test_reads_null Fatal Python error: Segmentation fault",
    "c: c.c:16: main: Assertion `mode == 6' failed.",
    "terminate called after throwing an instance of 'std::runtime_error'",
    "thread 'main' (32093) has overflowed its stack",
    "fatal runtime error: stack overflow, aborting",
    "==25692== Invalid free() / delete / delete[] / realloc()",
    "==26001== Invalid read of size 4",
    "==26001== Process terminating with default action of signal 11 (SIGSEGV)",
    "==25692== 16 bytes in 1 blocks are definitely lost in loss record 1 of 3",
    # Build and deploy tools (webpack 5, rake, Gradle, rspec, jest 30, csc) and kubectl, as
    # run here or pasted in issue threads (kubernetes#63873, portainer#5314, rust-rspec#1).
    "Module not found: Error: Can't resolve './a/b/c' in '/tmp/fl/wp/src'",
    # The JVM's deadlock report (jstack, jcmd Thread.print), as HotSpot prints it.
    "Found one Java-level deadlock:",
    "Found 1 deadlock.",
    "Found 2 deadlocks.",
    "Module build failed (from ./node_modules/babel-loader/lib/index.js):",
    "rake aborted!",
    "* What went wrong:",
    "     Failure/Error: it { expect(33).to be 32 }",
    "  ● Session 0 › #report() › should reject session 0",
    "error CS0246: The type or namespace name 'Foo' could not be found",
    "  Warning  BackOff    4m25s (x157 over 38m)  kubelet  Back-off restarting failed container",
    "+     Warning  BackOff     4m25s (x157 over 38m)  kubelet, minikube  Back-off restarting",
    "3m          Warning   Failed    pod/web-1   Error: ErrImagePull",
    "calico-node-ls4nf                          1/2       CrashLoopBackOff    12         44m",
    "kube-proxy-gfvf8                           0/1       ImagePullBackOff    0          44m",
    "      Reason:       CrashLoopBackOff",
    # Behind a markdown quote, a box's bar (terraform 1.11), or bold as a whole line.
    "> ERROR: could not load /Users/musically_ut/prog/rare/scikit-learn/conftest.py",
    "> error: linking with link.exe failed: exit code: 1120",
    "> > npm ERR! code ELIFECYCLE",
    ">     at Object.<anonymous> (/app/index.js:3:9)",
    "│ Error: Invalid operand",
    "│ Warning: Unable to open CLI configuration file",
    "**error CS0246: The type or namespace name 'AppQueryStringCollection' could not be found**",
]
# Prose, data and docs that use the words but report nothing.
MENTIONS = [
    "CMake Error messages name the file and the line of the command that failed.",
    '"description": "AddressSanitizer -- a fast memory error detector",',
    '"description": "Catch common Java mistakes as compile-time errors",',
    "summary = Perl module for error/exception handling in an OO-ish way",
    "libasan8,12.2.0-14,amd64,libs,optional,8017,AddressSanitizer -- a fast memory error detector",
    "An error is raised when the ledger is empty.",
    "Tests run: 12, Failures: 0, Errors: 0, Skipped: 0",
    "Found 0 errors in 3 files",
    # A note explains a diagnostic kept beside it; shellcheck's info and style are notes.
    'ledger/io.py:27:5: note: Use "-> None" if function does not return a value',
    "          ^-- SC2086 (info): Double quote to prevent globbing and word splitting.",
    "    ^-- SC2006 (style): Use $(...) notation instead of legacy backticks `...`.",
    '    "severity": "critical",',
    "    except ValueError:",
    "The failures above block the release.",
    "  * Fix libgo build failures.",
    "|      Raises ValueError if the value is not present.",
    "invoke-rc.d: policy-rc.d denied execution of start.",
    "test_ledger_0.py::test_wrap_18 PASSED                                    [ 47%]",
    "========================= 40 passed in 0.62s =========================",
    "      delivered to the downstream client, a generic 500 error is returned to the",
    "Impacted customers observed Google 404 errors on their websites.",
    "  * d/p/exclude-broken-tests.patch: add OpenJDK 17 failures.",
    ' "WARNING SIGN": {',
    "    at 12:30:45 the backup starts",
    "  status: not found",
    # Licences (/usr/share/doc/*/copyright): "assert" as a verb, errors in a disclaimer.
    "     assert or imply any connection with, sponsorship or endorsement by the",
    "           assert any such rights held by the Licensor to the limited",
    " LATENT OR OTHER DEFECTS, ACCURACY, OR THE PRESENCE OF ABSENCE OF ERRORS,",
    "      ACCURACY, OR THE PRESENCE OR ABSENCE OF ERRORS, WHETHER OR NOT",
    # Handlers and options in a library's README (undici's Dispatcher.md): names, not raises.
    "  onError: (error) => {",
    "const opts = { throwOnError: false };",
    "  kError: Symbol('FileReader error'),",
    # The runtime's frames under them: libc, the sanitizer's interceptors, the C++ library.
    "    #3 0x7efdc38cb304 in __libc_start_main_impl ../csu/libc-start.c:360",
    "    #0 0x7efdc32b76a8 in __interceptor_free"
    " ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52",
    "    #4 0x56511fc2a0f0 in _start (/tmp/scout/cc/uaf+0x10f0)",
    "    #5 0x563a0d8197fc in std::vector<int>::push_back(int const&)"
    " /usr/include/c++/12/bits/stl_vector.h:1287",
    "==24023==    at 0x484417B: free (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)",
    "#1 the first item on the list: see notes.md:3",
    # The words of a crash in prose and in a debugger's or a leak checker's routine lines.
    "Aborted the upload because the disk was full",
    "Killed processes are restarted by the supervisor.",
    "A segmentation fault happens when a program reads memory it does not own.",
    "Program exited normally.",
    'Thread 1 (Thread 0x7ffff7dd1740 (LWP 26001) "crash"):',
    "==25692==    definitely lost: 0 bytes in 0 blocks",
    "*** Starting build ***",
    # What the tools print on success, docs' admonitions, prose naming a state.
    "    ✓ handles error",
    "  ● Console",
    "  1) res",
    "frontend-81lqv        1/1       Running            0          1h",
    '  Normal   Pulled     2m    kubelet  Container image "nginx" already present on machine',
    "      Reason:       Completed",
    "`CrashLoopBackOff` is a status that Kubernetes sets for a Pod whose container keeps failing.",
    "> **Warning:** In Vitest you can change the [root](https://vitest.dev/config/#root).",
    "**Warning**: This field is deprecated",
    "**Error:** returned when the file is missing, with its **path**",
    "> Configure middleware for request processing, authentication, and error recovery.",
    "│ Terraform has been successfully initialized!",
    "Module federation lets builds share code at run time.",
    "Found 0 deadlocks.",
    "Found one Java-level deadlock: it is printed at the end of the dump.",
]


@pytest.mark.parametrize("line", REPORTS)
def test_a_line_a_tool_prints_to_report_a_failure_is_one(line: str):
    assert is_failure(line)


@pytest.mark.parametrize("line", MENTIONS)
def test_prose_that_names_a_failure_reports_none(line: str):
    assert not is_failure(line)


# What a report spells inside a line (not at its start), and the same words reporting nothing.
INSIDE = [
    ("deploy finished; Found 3 errors in 2 files", True),
    ("the second call raised ValueError: bad input", True),
    ("see the ValueError entry of the docs for its message", False),
    ("the run ended with 0 errors and 0 failures", False),
    ("ts=12:00 service=api levelname=ERROR msg=timeout", True),
    ('{"ts": 1, "severity": "error", "msg": "disk full"}', True),
    ("ts=12:00 service=api SEVERITY=ERROR msg=timeout", True),
    ("ts=12:00 service=api level=info msg=started", False),
    ("ran the job: [error] could not open the socket", True),
    ('<testcase name="t"><failure message="boom"/></testcase>', True),
    ("the worker exited with code 3 after the upgrade", True),
    ("the worker exited with code 0 after the upgrade", False),
    ("make: *** [Makefile:12: all] Error 2", True),
    ("collect2: ld returned 1 exit status", True),
    ("cp: cannot open /etc/x: No such file or directory", True),
    ("the level of detail is high: see the section on errors", False),
]


@pytest.mark.parametrize(("line", "reports"), INSIDE)
def test_a_long_line_reports_what_its_words_report(line: str, reports: bool):
    # A long line (a chat message held in one JSON string) is first scanned for what each
    # pattern needs: the answer is the short line's.
    long = "we looked at the logs of the night before and read on; " * 12 + line
    assert len(long) > 600
    assert is_failure(line) == reports
    assert is_failure(long) == reports


def test_a_failure_inside_a_json_message_is_its_line_unescaped():
    tool = "gcc -c unit_0.c\nunit_0.c:2:37: error: too few arguments\nmake: *** [all] Error 1"
    message = json.dumps({"role": "tool", "content": tool}, indent=2)
    found = find_failures(message)
    assert [f.text for f in found] == tool.splitlines()[1:]
    assert all(f.part for f in found)
    assert missing_failures(message, "unit_0.c:2:37: error: too few arguments") == found[1:]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([*REPORTS, *MENTIONS, "", "ok", "  \t", "ℹ pass 3"]), max_size=30))
def test_the_fast_scan_finds_every_failure_line(lines: list[str]):
    text = "\n".join(lines)
    found = failure_candidates(text, text.split("\n"))
    assert [i for i, line in enumerate(text.split("\n")) if is_failure(line)] == [
        i for i in found if is_failure(lines[i])
    ]


# --- every compressor and the budget keep every failure line -------------------------------

ROUTINE = {
    "log": [
        f"2026-11-23 10:00:{i % 60:02d} INFO request {i} served in {i % 90} ms" for i in range(60)
    ],
    "listing": [f"test_ledger.py::test_case_{i} PASSED [{i % 100:3d}%]" for i in range(60)],
    "prose": [
        "The nightly run of the billing suite was reviewed this morning, and the findings below "
        f"summarise what changed in part {i} since the last green build of the service."
        for i in range(60)
    ],
    "markdown": [f"- item {i}: the ledger for region {i % 7} was reconciled" for i in range(60)],
}
fuzz = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def planted(kind: str, picks: list[str], size: int, rnd) -> str:
    lines = [ROUTINE[kind][rnd.randrange(60)] for _ in range(size)]
    for report in picks:
        lines.insert(rnd.randrange(len(lines) + 1), report)
    return "\n".join(lines)


def as_messages(text: str, style: str) -> str:
    """The text as a tool's result inside a chat: OpenAI's JSON, or AutoGen's transcript."""
    if style == "openai":
        return json.dumps(
            [
                {"role": "user", "content": "Run the suite and tell me what broke."},
                {"role": "assistant", "content": None, "tool_calls": [{"id": "c1"}]},
                {"role": "tool", "tool_call_id": "c1", "content": text},
                {"role": "assistant", "content": "Here is what failed."},
            ],
            indent=2,
        )
    return f"user: Run the suite.\n\nassistant (tool result):\n{text}\n\nassistant: Done."


@fuzz
@given(
    st.sampled_from(sorted(ROUTINE)),
    st.lists(st.sampled_from(REPORTS), min_size=1, max_size=8, unique=True),
    st.integers(min_value=60, max_value=500),
    st.randoms(use_true_random=False),
    st.sampled_from([None, "invoice 4711", "part 7"]),
    st.sampled_from(["plain", "openai", "autogen"]),
)
def test_compress_keeps_every_failure_line(kind, picks, size, rnd, query, wrap):
    text = planted(kind, picks, size, rnd)
    if wrap != "plain":
        text = as_messages(text, wrap)
    result = compress(text, key="k", query=query)
    assert missing_failures(text, result.text) == [], result.transforms


@fuzz
@given(
    st.sampled_from(sorted(ROUTINE)),
    st.lists(st.sampled_from(REPORTS), min_size=1, max_size=8, unique=True),
    st.integers(min_value=60, max_value=400),
    st.randoms(use_true_random=False),
    st.integers(min_value=0, max_value=4),
)
def test_the_line_compressors_keep_every_failure_line_at_every_level(kind, picks, size, rnd, level):
    text = planted(kind, picks, size, rnd)
    for compressor in (compress_logs, compress_lines):
        produced = compressor(text, Request(key="k", level=level))
        if produced is not None:
            assert missing_failures(text, produced[0]) == []
    assert missing_failures(text, compress_fallback(text, "k", budget=200 >> level)) == []


@fuzz
@given(
    st.sampled_from(sorted(ROUTINE)),
    st.lists(st.sampled_from(REPORTS), min_size=1, max_size=12, unique=True),
    st.randoms(use_true_random=False),
    st.integers(min_value=20, max_value=600),
    st.sampled_from([None, "ledger region 3", "part 7"]),
)
def test_the_budget_keeps_every_failure_then_the_query_matches(kind, picks, rnd, budget, query):
    text = planted(kind, picks, 300, rnd)
    out = fit_lines(text, budget, COUNT, "k", query)
    assert missing_failures(text, out) == []
    if COUNT(out) > budget:  # only when the failure lines alone exceed it, which it says
        assert "the failure lines alone exceed" in out
        # Beside them, at most the query's three best matches (guarantee 4).
        # (A failure line may be one by its place: a Rust panic's message under its head.)
        failing = set(failures(text))
        others = [x for x in out.splitlines() if not (x in failing or x.startswith("[…"))]
        assert len(others) <= 3
        assert all(query and set(terms(x)) & set(query_terms(query)) for x in others)


def test_the_budget_puts_failures_and_matches_before_the_head():
    lines = [f"2026-11-23 10:00:{i % 60:02d} INFO request {i} served" for i in range(2000)]
    lines[700] = "2026-11-23 10:11:40 INFO invoice 9313 created for customer acme"
    lines[1500] = "E       assert 77680.0 == 77685"
    out = compress("\n".join(lines), query="invoice 9313", max_tokens=120, key="k")
    assert out.compressed_tokens <= 120
    assert "E       assert 77680.0 == 77685" in out.text and "invoice 9313" in out.text


def test_failures_beyond_the_budget_all_stay_and_the_marker_says_so():
    lines = [
        f"src/unit_{i}.c:2:{i % 80}: error: 'struct p' has no member 'z{i}'" for i in range(300)
    ]
    text = "\n".join(lines)
    result = compress(text, max_tokens=500, key="k")
    assert all(line in result.text for line in lines)
    assert result.transforms[-1] == "budget:failures-over"
    assert result.compressed_tokens > 500


# --- real test runners run here -------------------------------------------------------------


def run(args: list[str], where: Path) -> str:
    done = subprocess.run(args, cwd=where, capture_output=True, text=True, timeout=120)
    return done.stdout + done.stderr


def real_outputs(where: Path) -> dict[str, str]:
    """pytest, unittest, doctest and a traceback on generated code, and gcc if installed."""
    checks = [
        (f"{a} / ({b} - {b})", 1.5) if a % 3 == 0 else (f"{a} + {b}", a + b + (a % 5 == 1))
        for a, b in zip(range(1, 90), range(90, 1, -1), strict=False)
    ]
    tests = [
        f"def test_{i}():\n    assert {expr} == {value}\n" for i, (expr, value) in enumerate(checks)
    ]
    (where / "test_sums.py").write_text("\n".join(tests))
    cases = [
        f"    def test_{i}(self):\n        self.assertEqual({expr}, {value})\n"
        for i, (expr, value) in enumerate(checks)
    ]
    (where / "test_units.py").write_text(
        "import unittest\n\nclass T(unittest.TestCase):\n" + "\n".join(cases)
    )
    docs = [
        f'def f{i}():\n    """\n    >>> {expr}\n    {value}\n    """\n'
        for i, (expr, value) in enumerate(checks[:40])
        if "/" not in expr
    ]
    (where / "docs.py").write_text("\n".join(docs))
    (where / "crash.py").write_text(
        textwrap.dedent("""\
        import json
        for i in range(300):
            print(f"INFO imported record {i} of batch 7")
        json.loads('{"id": 17,, "amount": 12.5}')
        """)
    )
    outputs = {
        "pytest -v": run(
            [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "test_sums.py"], where
        ),
        "pytest --tb=short": run(
            [
                sys.executable,
                "-m",
                "pytest",
                "--tb=short",
                "-p",
                "no:cacheprovider",
                "test_sums.py",
            ],
            where,
        ),
        "unittest": run([sys.executable, "-m", "unittest", "-v", "test_units"], where),
        "doctest": run([sys.executable, "-m", "doctest", "-v", "docs.py"], where),
        "traceback": run([sys.executable, "crash.py"], where),
    }
    if shutil.which("gcc") and shutil.which("make"):
        for i in range(12):
            body = "memcpy(d, s);" if i % 3 else "return;"
            (where / f"u{i}.c").write_text(
                f"#include <string.h>\nvoid c{i}(char *d, const char *s) {{ {body} }}\n"
            )
        objects = " ".join(f"u{i}.o" for i in range(12))
        (where / "Makefile").write_text(f"all: {objects}\n%.o: %.c\n\tgcc -Wall -c $< -o $@\n")
        outputs["make"] = run(["make", "-k"], where)
    return outputs


@pytest.fixture(scope="module")
def tool_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return real_outputs(tmp_path_factory.mktemp("runs"))


@pytest.mark.parametrize("wrap", ["plain", "openai", "autogen"])
@pytest.mark.parametrize("budget", [None, 300])
def test_real_test_runner_output_keeps_every_failure(tool_outputs, wrap, budget):
    for name, output in tool_outputs.items():
        assert failures(output), name  # each run planted failures
        text = output if wrap == "plain" else as_messages(output, wrap)
        result = compress(text, key="k", max_tokens=budget)
        assert missing_failures(text, result.text) == [], (name, result.transforms)


def test_source_under_a_budget_ranks_the_query_before_lines_that_name_errors():
    # Source names failures (assert, "ValueError: …" in messages) but reports none.
    funcs = [
        f"def check_{i}(x):\n    assert x > {i}, 'ValueError: too small'\n" for i in range(300)
    ]
    funcs[150] = "def ledger_total(rows):\n    return sum(rows) - refunds_owed(rows)\n"
    source = "\n".join(funcs)
    out = fit_lines(source, 150, COUNT, "k", "refunds_owed", failures_first=False)
    assert COUNT(out) <= 150 and "return sum(rows) - refunds_owed(rows)" in out
    assert COUNT(fit_lines(source, 150, COUNT, "k", "refunds_owed")) > 150  # as a report
    result = compress(source, query="refunds_owed", max_tokens=150)
    assert result.compressed_tokens <= 150
    assert "return sum(rows) - refunds_owed(rows)" in result.text


def test_a_failure_inside_a_bytes_repr_is_its_line_unescaped():
    tool = b"collected 3 items\nE       assert 0.056 == 5.056\n1 failed, 2 passed"
    found = find_failures(repr([tool]))
    assert [f.text for f in found] == ["E       assert 0.056 == 5.056", "1 failed, 2 passed"]


def test_query_matches_stay_beside_failures_that_alone_exceed_the_budget():
    # ruff --select ALL on a module: hundreds of diagnostics, each a failure line, with the
    # source lines they quote. Under a tight max_tokens the diagnostics all stay; the line a
    # query names stays beside them (failures and query matches outrank the rest together).
    lines = []
    for k in range(300):
        lines += [
            f"difflib.py:{10 + k}:5: D401 First line of docstring should be in imperative mood",
            f"   {10 + k} |     def method_{k}(self):",
        ]
    lines[301] = "   160 |     def set_seqs(self, a, b): accepts any hashable sequences"
    text = "\n".join(lines) + "\nFound 300 errors.\n"
    result = compress(text, query="accepts", max_tokens=1000)
    assert "budget:failures-over" in result.transforms
    assert lines[301] in result.text.splitlines()
    assert all(line in result.text for line in lines[::2])


def test_the_matches_beside_failures_over_the_budget_are_the_best_among_the_rest():
    # ruff reports method_150 four times (already kept, as failures): the three lines kept
    # beside the failures are the best matches among the other lines, its source line first.
    lines = []
    for k in range(300):
        codes = ("D401", "D102", "ANN201", "ARG002") if k == 150 else ("D401",)
        lines += [f"difflib.py:{10 + k}:5: {code} Check method_{k}" for code in codes]
        lines.append(f"   {10 + k} |     def method_{k}(self, items, key=None, reverse=False):")
    text = "\n".join(lines) + "\nFound 303 errors.\n"
    result = compress(text, query="What is wrong around method_150?", max_tokens=1000)
    assert "budget:failures-over" in result.transforms
    assert "   160 |     def method_150(self, items, key=None, reverse=False):" in result.text


def test_a_line_cut_at_a_sentence_end_under_a_budget_is_its_prefix_and_a_marker():
    # systemd's journald.conf at max_tokens 40: "#  systemd is free software; you can ..."
    # was kept as "#  systemd is free software;" with no marker (and sentences rejoined by
    # one space rewrote the line's own spacing).
    path = Path("/etc/systemd/journald.conf")
    text = path.read_text() if path.exists() else ""
    long = "A first clause of words;  a second one here. " * 12
    for case in (text, "\n".join([long, *(f"line {i} of a report" for i in range(80))])):
        if not case:
            continue
        out = compress(case, max_tokens=40).text
        assert violations(case, out) == [], out


ASAN_USE_AFTER_FREE = (
    """\
=================================================================
==22872==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 \
at pc 0x56511fc2a20f bp 0x7ffd571ddd00 sp 0x7ffd571ddcf8
READ of size 4 at 0x602000000010 thread T0
    #0 0x56511fc2a20e in peek /tmp/scout/cc/uaf.c:5
    #1 0x56511fc2a2a9 in main /tmp/scout/cc/uaf.c:9
    #2 0x7efdc38cb249 in __libc_start_call_main ../sysdeps/nptl/libc_start_call_main.h:58
    #3 0x7efdc38cb304 in __libc_start_main_impl ../csu/libc-start.c:360
    #4 0x56511fc2a0f0 in _start (/tmp/scout/cc/uaf+0x10f0)

0x602000000010 is located 0 bytes inside of 16-byte region [0x602000000010,0x602000000020)
freed by thread T0 here:
    #0 0x7efdc32b76a8 in __interceptor_free \
../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:52
    #1 0x56511fc2a1d0 in release /tmp/scout/cc/uaf.c:4
    #2 0x56511fc2a29d in main /tmp/scout/cc/uaf.c:8
    #3 0x7efdc38cb249 in __libc_start_call_main ../sysdeps/nptl/libc_start_call_main.h:58

previously allocated by thread T0 here:
    #0 0x7efdc32b89cf in __interceptor_malloc \
../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:69
    #1 0x56511fc2a254 in main /tmp/scout/cc/uaf.c:8
    #2 0x7efdc38cb249 in __libc_start_call_main ../sysdeps/nptl/libc_start_call_main.h:58

SUMMARY: AddressSanitizer: heap-use-after-free /tmp/scout/cc/uaf.c:5 in peek
Shadow bytes around the buggy address:
"""
    + "".join(
        f"  0x0c047fff7f{k}0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n" for k in "bcdef"
    )
    + """\
=>0x0c047fff8000: fa fa[fd]fd fa fa fa fa fa fa fa fa fa fa fa fa
Shadow byte legend (one shadow byte represents 8 application bytes):
  Addressable:           00
  Partially addressable: 01 02 03 04 05 06 07
  Heap left redzone:       fa
  Freed heap region:       fd
  Stack left redzone:      f1
  Stack mid redzone:       f2
  Stack right redzone:     f3
  Stack after return:      f5
  Stack use after scope:   f8
  Global redzone:          f9
  Global init order:       f6
  Poisoned by user:        f7
  Container overflow:      fc
  Array cookie:            ac
  Intra object redzone:    bb
  ASan internal:           fe
==22872==ABORTING
"""
)


@pytest.mark.parametrize("max_tokens", [None, 400])
def test_a_sanitizer_report_keeps_the_frames_in_the_programs_own_code(max_tokens):
    # The frames were picked by position: libc's and the interceptor's stayed, peek,
    # release and main (where the bug, the free and the allocation are) went.
    out = compress(ASAN_USE_AFTER_FREE, max_tokens=max_tokens).text.splitlines()
    own = [line for line in ASAN_USE_AFTER_FREE.splitlines() if "/tmp/scout/cc/uaf.c:" in line]
    assert len(own) == 6  # five frames and the summary
    assert [line for line in own if line not in out] == []


def _cargo_failure(name: str, left: str, right: str) -> str:
    rustc = "/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library"
    return f"""\
---- tests::{name} stdout ----

thread 'tests::{name}' (15958) panicked at src/lib.rs:5:27:
assertion `left == right` failed
  left: {left}
 right: {right}
stack backtrace:
   0: __rustc::rust_begin_unwind
             at {rustc}/std/src/panicking.rs:689:5
   1: core::panicking::panic_fmt
             at {rustc}/core/src/panicking.rs:80:14
   2: core::panicking::assert_failed_inner
             at {rustc}/core/src/panicking.rs:439:17
   3: c3::tests::{name}
             at ./src/lib.rs:5:27
note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.

"""


# RUST_BACKTRACE=1 cargo test of a crate with three failing assert_eq!s (one holding a "\n").
CARGO_TEST = (
    "running 43 tests\n"
    + "".join(f"test tests::test_ok_{i} ... ok\n" for i in range(40))
    + "\nfailures:\n\n"
    + _cargo_failure("splits", '["a", "", "b"]', '["a", "b"]')
    + _cargo_failure("floats", "0.30000000000000004", "0.3")
    + _cargo_failure("strings", '"HELLO\\nWORLD"', '"HELLO\\nWORLD!"')
    + "test result: FAILED. 40 passed; 3 failed; 0 ignored; 0 measured; 0 filtered out\n"
)


@pytest.mark.parametrize("max_tokens", [None, 300])
def test_a_failed_assert_eq_keeps_both_operands(max_tokens):
    # The expected value (`` right:``) went, two lines under the failure, even unbudgeted.
    out = compress(CARGO_TEST, max_tokens=max_tokens).text.splitlines()
    operands = [line for line in CARGO_TEST.splitlines() if line.startswith(("  left:", " right:"))]
    assert len(operands) == 6
    assert [line for line in operands if line not in out] == []
    assert not is_failure("  left: 0;")  # a stylesheet's key alone reports nothing


LONG_DIFFS = """\
def make(n, bad=None):
    return {f"key_{i:03d}": {"id": i, "price": 999.99 if i == bad else i * 1.07} for i in range(n)}

def test_catalog():
    assert make(120) == make(120, bad=77)

def test_rows():
    rows = [f"row-{i}" for i in range(200)]
    assert rows == [f"{row}x" if row == "row-143" else row for row in rows]

def test_text():
    a = "\\n".join(f"line {i} alpha beta" for i in range(90))
    assert a == a.replace("line 61 alpha", "line 61 ALPHA")

def test_lookup():
    {}["sku-0042"]
"""


@pytest.mark.parametrize(("verbosity", "budget"), [("-v", 700), ("-vv", 2000)])
def test_pytest_long_assertion_diffs_fit_the_budget_and_keep_what_failed(
    tmp_path, verbosity, budget
):
    # pytest -vv prints both values and their full diff as E lines: the failure is each
    # block's head (the assertion, the exception) and its explanation's sentences; the
    # values and the diff are data the budget may cut, with a marker.
    (tmp_path / "test_big.py").write_text(LONG_DIFFS)
    args = [sys.executable, "-m", "pytest", verbosity, "-p", "no:cacheprovider", "test_big.py"]
    output = run(args, tmp_path)
    assert COUNT(output) > budget
    result = compress(output, max_tokens=budget, key="k")
    assert result.compressed_tokens <= budget, result.transforms
    assert violations(output, result.text) == []
    kept = result.text.splitlines()
    for wanted in ("E       KeyError: 'sku-0042'", "4 failed", "FAILED test_big.py::test_lookup"):
        assert any(wanted in line for line in kept), wanted
    assert any(line.startswith("E         At index 143 diff:") for line in kept)
    heads = [line for line in output.splitlines() if line.startswith("E       AssertionError")]
    assert len(heads) == 3
    assert all(any(line.startswith(head[:60]) for line in kept) for head in heads)
    assert not any(line.startswith("E               'key_0") for line in find_failures_text(output))


def find_failures_text(text: str) -> list[str]:
    return [found.text for found in find_failures(text)]


TEMPLATE_ERRORS = """\
#include <algorithm>
#include <map>
#include <string>
#include <vector>
struct Order { int id; };
int main() {
  std::vector<Order> v(3);
  std::map<std::string, std::vector<Order>> m;
  std::sort(v.begin(), v.end());
  m["a"].push_back(42);
  return v.size() + undefined_thing;
}
"""


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed")
def test_gcc_template_errors_keep_the_line_of_user_code_under_a_budget(tmp_path):
    # An error deep in a header (operator< in predefined_ops.h) points at the user's line
    # that instantiated it only by "t.cpp:9:12:   required from here".
    (tmp_path / "t.cpp").write_text(TEMPLATE_ERRORS)
    output = run(["g++", "-c", "t.cpp", "-o", "/dev/null"], tmp_path)
    here = [line for line in output.splitlines() if line.endswith("required from here")]
    assert here and all(line.startswith("t.cpp:") for line in here)
    for budget in (150, 300):
        result = compress(output, max_tokens=budget, key="k")
        assert all(line in result.text.splitlines() for line in here)
        assert missing_failures(output, result.text) == []


# Projects whose configure step fails as CMake reports it: a package with no config file, a
# version too old, a missing source, a bad command, a FATAL_ERROR, a warning then an error.
CMAKE_PROJECTS = {
    "package": "find_package(Geogram REQUIRED)",
    "version": "find_package(ZLIB 9.9 REQUIRED)",
    "source": "add_executable(app main.c)",
    "command": "frobnicate(x)",
    "fatal": 'message(FATAL_ERROR "OpenSSL 3.0 or newer is required")',
    "warned": 'message(WARNING "libfoo not found")\nmessage(SEND_ERROR "bad X")',
}


@pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake is not installed")
@pytest.mark.parametrize("project", sorted(CMAKE_PROJECTS))
def test_cmake_errors_are_failure_lines_kept_under_a_budget(tmp_path, project):
    lists = "cmake_minimum_required(VERSION 3.10)\nproject(p C)\n" + CMAKE_PROJECTS[project]
    (tmp_path / "CMakeLists.txt").write_text(lists + "\n")
    output = run(["cmake", "-S", ".", "-B", "build"], tmp_path)
    heads = [line for line in output.splitlines() if line.startswith(("CMake Error", "CMake Warn"))]
    assert heads
    assert all(is_failure(line) for line in heads)
    for budget in (None, 60):
        result = compress(output, max_tokens=budget, key="k")
        assert all(line in result.text.splitlines() for line in heads)


@pytest.mark.skipif(shutil.which("rustc") is None, reason="rustc is not installed")
def test_a_rust_panic_keeps_its_message_under_a_budget(tmp_path):
    # Rust writes the message under "thread 'main' panicked at r.rs:4:5:"; with a backtrace
    # the std frames' "at /rustc/…" lines must not outlast it.
    source = "fn deep(v: &[u8], i: usize) -> u8 { v[i] }\n"
    source += 'fn main() { for i in 0..200 { println!("INFO step={i}"); } deep(&[], 7); }\n'
    (tmp_path / "r.rs").write_text(source)
    run(["rustc", "-g", "-o", "r", "r.rs"], tmp_path)
    done = subprocess.run(
        ["./r"], cwd=tmp_path, capture_output=True, text=True, env={"RUST_BACKTRACE": "1"}
    )
    output = done.stdout + done.stderr
    message = "index out of bounds: the len is 0 but the index is 7"
    assert message in output.splitlines()
    for budget in (150, 300):
        result = compress(output, max_tokens=budget, key="k")
        assert message in result.text.splitlines()
        assert "all kept omitted" not in result.text  # the marker reads as a sentence


# A program that logs, then dies: by a recursion into a null pointer, or by freeing twice.
CRASHING_C = """\
#include <stdio.h>
#include <stdlib.h>
static int depth(int *p, int d) { return d == 0 ? *p : depth(p, d - 1) + 1; }
int main(int argc, char **argv) {
  for (int i = 0; i < 150; i++) printf("INFO step %d: processed batch %d\\n", i, i * 7);
  fflush(stdout);
  if (argv[1][0] == 'f') { char *s = malloc(16); free(s); free(s); }
  return depth(NULL, atoi(argv[1] + 1));
}
"""


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
@pytest.mark.parametrize(
    ("tool", "mode", "deaths"),
    [
        # gdb's verdict above 200 frames of the program's own code (which all stay).
        ("gdb", "r200", ["Program received signal SIGSEGV, Segmentation fault."]),
        # The shell's and glibc's last words.
        ("bash", "f0", ["free(): double free detected in tcache 2", "Aborted  "]),
        # Valgrind's error kind, then the signal that ended the process.
        ("valgrind", "f0", ["Invalid free()", "Process terminating with default action"]),
    ],
)
def test_a_crash_keeps_the_lines_that_say_how_the_process_died(tmp_path, tool, mode, deaths):
    # gdb's "Program received signal SIGSEGV" went while the frames under it stayed; under a
    # budget, valgrind's "Invalid free()" and the signal's line went: none was a failure line.
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    (tmp_path / "c.c").write_text(CRASHING_C)
    run(["gcc", "-g", "-O0", "-o", "c", "c.c"], tmp_path)
    command = {
        "gdb": ["gdb", "-batch", "-ex", "run", "-ex", "bt", "--args", "./c", mode],
        "bash": ["bash", "-c", f"ulimit -c 0; ./c {mode}; echo exit=$?"],
        "valgrind": ["valgrind", "./c", mode],
    }[tool]
    output = run(command, tmp_path)
    lines = [line for line in output.splitlines() if any(d in line for d in deaths)]
    assert len(lines) == len(deaths), output[-2000:]
    assert all(is_failure(line) for line in lines)
    for budget in (None, max(150, COUNT(output) // 10)):
        kept = compress(output, max_tokens=budget, key="run.log").text.splitlines()
        assert [line for line in lines if line not in kept] == [], budget


def test_a_terminate_line_keeps_the_line_under_it_at_every_level():
    # C++'s runtime writes its message on the line under ``terminate called …`` (``  what():
    # …``): both lines are the failure, whatever the line under it says.
    lines = [ROUTINE["listing"][i % 60] for i in range(80)]
    lines.insert(3, "terminate called after throwing an instance of 'std::runtime_error'")
    text = "\n".join(lines)
    for level in range(5):
        produced = compress_lines(text, Request(key="k", level=level))
        assert produced is not None
        assert missing_failures(text, produced[0]) == []


# terraform configurations that fail to validate or plan, each its own way.
TERRAFORM_ERRORS = {
    "operand": 'locals { a = "x" + 1 }\noutput "o" { value = local.a }',
    "reference": 'output "o" { value = local.nope }',
    "index": 'locals { a = [1, 2] }\noutput "o" { value = local.a[5] }',
    "function": 'output "o" { value = upper(1, 2) }',
    "argument": 'variable "x" {\n  type = string\n  bogus = 1\n}',
}


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed")
@pytest.mark.parametrize("config", sorted(TERRAFORM_ERRORS))
def test_terraforms_boxed_errors_are_failure_lines_kept_under_a_budget(tmp_path, config):
    # terraform draws each diagnostic in a box (``╷``, ``│ Error: Invalid operand``, ``╵``),
    # in colour, unless told -no-color; the head behind the bar is the failure.
    (tmp_path / "main.tf").write_text(TERRAFORM_ERRORS[config] + "\n")
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "TF_CLI_CONFIG_FILE": "/dev/null"}
    runs = [["terraform", "init", "-input=false"], ["terraform", "validate"]]
    output = "".join(
        run.stdout + run.stderr
        for a in runs
        if (run := subprocess.run(a, cwd=tmp_path, capture_output=True, text=True, env=env))
    )
    heads = [line for line in output.splitlines() if uncoloured(line).startswith("│ Error: ")]
    assert heads
    for budget in (None, 40):
        result = compress(output, max_tokens=budget, key="k")
        assert all(line in result.text.splitlines() for line in heads)
        assert missing_failures(output, result.text) == []


def test_mochas_numbered_failures_are_failure_lines_kept_under_a_budget():
    # A real mocha run (spec reporter, 16 of 41 tests failing): each failing test is numbered
    # where it ran and heads its failure's block (``  1) Parser 0``, its suites' names and
    # the test's under it). Under the summary that counts them, those lines are failures.
    text = (Path(__file__).parent / "data" / "mocha_spec_16_failing.txt").read_text()
    lines = text.splitlines()
    assert "  16 failing" in lines
    numbered = [line for line in lines if line.lstrip().split(") ")[0].isdigit()]
    heads = [i for i, line in enumerate(lines) if line.startswith("  ") and line in numbered]
    heads = [i for i in heads if not lines[i][2].isspace()]  # a block's head, two spaces in
    titles = [lines[i + 2] for i in heads]  # under the suite's name, the sub-suite's, the test's
    assert len(numbered) == 32 and len(heads) == 16
    assert all(title.endswith(":") for title in titles)
    found = failures(text)
    assert all(line in found for line in [*numbered, *titles])
    for budget in (None, COUNT(text) // 10):
        result = compress(text, max_tokens=budget, key="k")
        assert all(line in result.text.splitlines() for line in [*numbered, *titles])
    # Without a summary counting failed tests, a numbered line is a list's item.
    listed = "\n".join(line for line in lines if "failing" not in line)
    assert not set(numbered) & set(failures(listed))


def test_a_thread_dumps_deadlock_report_stays_under_a_budget():
    # jstack of a JVM whose two threads each hold the lock the other waits for: the report
    # names no failure word ("Found one Java-level deadlock:") and went with the other lines.
    text = (Path(__file__).parent / "data" / "jstack_deadlock.txt").read_text()
    reports = ["Found one Java-level deadlock:", "Found 1 deadlock."]
    assert all(line in text.splitlines() for line in reports)
    for budget in (None, 300):
        result = compress(text, max_tokens=budget)
        assert missing_failures(text, result.text) == []
        assert all(line in result.text.splitlines() for line in reports)
