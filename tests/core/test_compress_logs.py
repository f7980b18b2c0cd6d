import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent_baton.compress import compress
from agent_baton.compress.guarantees import uncoloured, unmarked_omissions, violations
from agent_baton.compress.logs import (
    _SAME_DIGITS,
    is_problem,
    looks_like_log,
    names_a_problem,
    problem_lines,
    template,
)
from agent_baton.compress.options import option_heads
from agent_baton.compress.records import record_heads
from agent_baton.tokens import get_token_counter


def build_log():
    lines = [
        f"2026-11-23 10:00:{i % 60:02d},{i:03d} INFO worker-{i % 4} processed batch {i} "
        f"in {i % 90} ms"
        for i in range(800)
    ]
    lines[300:300] = [
        "2026-11-23 10:05:00,001 WARN disk usage at 91% on /var/lib/data",
        "2026-11-23 10:05:01,002 ERROR payment-service failed to charge order 4711",
        "Traceback (most recent call last):",
        '  File "billing/charge.py", line 42, in charge',
        "    gateway.submit(order)",
        "ConnectionResetError: [Errno 104] Connection reset by peer",
    ]
    lines.insert(500, "2026-11-23 10:06:00,000 INFO using JDK 17.0.3+7 and gradle-7.3")
    return "\n".join(lines)


def test_detection():
    assert looks_like_log(build_log())
    assert not looks_like_log("Just a paragraph of prose.\n" * 20)


def test_template_masks_variables():
    a = template("2026-11-23 10:00:01,001 INFO served request 17 from 10.0.0.1:8080 in 5 ms")
    b = template("2026-11-24 11:30:59,999 INFO served request 98 from 10.0.0.7:9090 in 12 ms")
    assert a == b


def test_problem_detection_ignores_zero_counts():
    assert is_problem("Tests run: 7147, Failures: 1, Errors: 0, Skipped: 7")
    assert not is_problem("Tests run: 12, Failures: 0, Errors: 0, Skipped: 0")
    assert is_problem("BUILD FAILURE")
    assert not is_problem("compiled 12 modules")


def test_folds_repetition_and_keeps_problems_whole():
    log = build_log()
    result = compress(log, key="ci")
    text = result.text
    assert result.transforms == ["logs:fold"]
    assert result.savings_percent > 80
    for line in (
        "2026-11-23 10:05:00,001 WARN disk usage at 91% on /var/lib/data",
        "2026-11-23 10:05:01,002 ERROR payment-service failed to charge order 4711",
        "Traceback (most recent call last):",
        '  File "billing/charge.py", line 42, in charge',
        "ConnectionResetError: [Errno 104] Connection reset by peer",
        "2026-11-23 10:06:00,000 INFO using JDK 17.0.3+7 and gradle-7.3",  # a rare line
    ):
        assert line in text
    first, last = log.splitlines()[0], log.splitlines()[-1]
    assert first in text and last in text
    assert "[×" in text  # the routine lines are folded with a count
    assert 'full: get("ci", full=True)]' in text


def test_repeated_problem_keeps_first_as_example_and_last():
    lines = [f"2026-11-23 10:00:{i % 60:02d} WARN retry {i} for host db-1" for i in range(100)]
    lines += [f"2026-11-23 10:01:{i % 60:02d} INFO ok {i}" for i in range(100)]
    text = compress("\n".join(lines)).text
    assert "WARN retry 99 for host db-1" in text  # the last occurrence
    assert "[×" in text and "WARN retry 0 for host db-1" in text
    # The first three lines open the log; then the fold with its first and last examples
    # (retry 3 and retry 98), and the last occurrence.
    assert text.count("WARN retry") == 6
    assert "WARN retry 98 for host db-1" in text


def test_query_keeps_matching_lines():
    lines = [
        f"2026-11-23 10:00:{i % 60:02d} INFO block blk_{1000 + i} stored on node-{i % 7}"
        for i in range(600)
    ]
    log = "\n".join(lines)
    assert "blk_1357" not in compress(log).text
    assert "blk_1357 stored on node-0" in compress(log, query="where is blk_1357 stored").text


def test_identical_lines_fold_to_a_few():
    log = "\n".join(["2026-11-23 10:00:00 INFO heartbeat ok"] * 200_000)
    result = compress(log)
    assert result.compressed_tokens < 200
    assert "[×" in result.text


# Pieces that exercise every pattern that looks at digits: numbers, hex, 0x, uuids,
# addresses, times, exit codes and zero counts.
_LOG_PIECES = st.lists(
    st.sampled_from(
        [
            " ",
            "-",
            ".",
            ":",
            "x",
            "0",
            "1",
            "7",
            "9",
            "a",
            "f",
            "g",
            "exit code ",
            "errors: ",
            " failed",
            "0x",
            "ERROR",
            "id=",
            "/",
            "_",
            "ms",
        ]
    ),
    max_size=30,
).map("".join)


@given(_LOG_PIECES)
def test_digits_one_to_nine_are_interchangeable_for_templates_and_problems(body):
    # compress_logs analyses one body per digit shape: this is what makes that exact.
    shape = body.translate(_SAME_DIGITS)
    assert template(shape) == template(body)
    assert is_problem(shape) == is_problem(body)


def test_a_rare_variant_of_a_repeated_line_is_not_folded_into_the_majority():
    lines = []
    for i in range(3000):
        status = 502 if i in (1200, 1201, 2400) else 200
        path = ["/api/orders", "/api/cart", "/api/items", "/healthz"][i % 4]
        lines.append(
            f"2024-05-02T10:{i // 60 % 60:02d}:{i % 60:02d}Z 10.0.{i % 9}.{i % 250 + 1} "
            f'"POST {path} HTTP/1.1" {status} {100 + i * 7 % 800} 0.{i * 13 % 300:03d}'
        )
    declined = [
        f"2024-05-02T11:00:{i:02d}Z ERROR capture failed order={9000 + i} reason="
        + ("fraud_suspected" if i == 30 else "card_declined")
        for i in range(50)
    ]
    out = compress("\n".join(lines + declined)).text
    # Each would otherwise be counted in a fold line showing the majority's example.
    assert out.count('HTTP/1.1" 502 ') == 3
    assert "reason=fraud_suspected" in out
    assert len(out) < 0.05 * len("\n".join(lines + declined))


def test_web_server_access_logs_are_logs():
    lines = [
        f"10.0.0.{i % 50} - - [02/May/2024:10:{i // 60 % 60:02d}:{i % 60:02d} +0000] "
        f'"GET /api/items/{i % 40} HTTP/1.1" {500 if i == 777 else 200} {300 + i % 90} "-"'
        for i in range(2000)
    ]
    text = "\n".join(lines)
    assert looks_like_log(text)
    out = compress(text).text
    assert '" 500 ' in out and len(out) < 0.02 * len(text)


def test_a_tight_budget_keeps_the_exception_rather_than_the_first_lines():
    def info(n, offset):
        return [
            f"2024-05-02 10:{(offset + i) // 60 % 60:02d}:{i % 60:02d}.{i * 7 % 1000:03d} INFO "
            f"[exec-{i % 4}] OrderService - processed order {100000 + offset + i} in {3 + i % 77}ms"
            for i in range(n)
        ]

    trace = [
        "2024-05-02 10:07:01.123 ERROR [exec-7] PaymentController - Request failed",
        "org.springframework.dao.DataIntegrityViolationException: could not execute statement",
        "\tat com.acme.payments.PaymentService.capture(PaymentService.java:142)",
        "Caused by: org.postgresql.util.PSQLException: duplicate key value violates uk_payment",
    ]
    text = "\n".join(info(400, 0) + trace + info(300, 400))
    for budget in (400, 250):
        result = compress(text, max_tokens=budget)
        assert result.compressed_tokens <= budget
        assert "DataIntegrityViolationException" in result.text
        assert "Caused by: org.postgresql.util.PSQLException" in result.text


@given(
    st.lists(
        st.lists(
            st.sampled_from(
                [
                    "ok",
                    "request",
                    "timedout",
                    "timed out",
                    "İ",
                    "ı",
                    "ſevere",
                    "Failed",
                    "errors: 0",
                    "FooError:",
                    "Traceback (most recent call last):",
                    "exit code 2",
                    " ",
                    "x",
                ]
            ),
            max_size=6,
        ).map(" ".join),
        max_size=12,
    )
)
def test_problem_lines_finds_exactly_the_lines_names_a_problem_accepts(lines):
    assert problem_lines(lines) == [i for i, line in enumerate(lines) if names_a_problem(line)]


def test_problem_lines_of_a_text_with_crlf_breaks_are_its_lines_problems():
    # The deadline's fallback passes the text as it came: its lines' offsets are not those
    # of the lines joined by "\n" (a problem word was looked for 250 characters off).
    lines = [f"step {i} ok" for i in range(300)]
    lines[250] = "worker 3 killed by the scheduler"
    assert problem_lines(lines, "\r\n".join(lines)) == problem_lines(lines) == [250]


def test_every_failed_doctest_example_stays_under_its_heading():
    import doctest
    import io

    # A real doctest run (verbose): 120 examples, every ninth fails.
    source = "\n".join(
        f">>> sorted([{i}, {i * 7 % 11}, {i * 3 % 5}])[1]\n{i * 7 % 11 if i % 9 else -1}"
        for i in range(120)
    )
    test = doctest.DocTestParser().get_doctest(source, {}, "ranks", "ranks.py", 0)
    report = io.StringIO()
    doctest.DocTestRunner(verbose=True).run(test, out=report.write)
    text = report.getvalue()
    failed = [
        line
        for above, line in zip(text.splitlines(), text.splitlines()[1:], strict=False)
        if above == "Failed example:"
    ]
    assert len(failed) >= 10
    out = compress(text).text
    # Each failure block leaves a marker for the folded lines between it and the next: 0.6.
    assert len(out) < len(text) * 0.6
    assert all(line in out.splitlines() for line in failed)


def test_an_x509_extension_marked_critical_reports_no_problem():
    # openssl x509 -text prints "X509v3 Basic Constraints: critical" in nearly every
    # certificate: kept as a problem, it took a budget's room from the Subject line.
    for line in ("            X509v3 Basic Constraints: critical", "X509v3 Key Usage: critical"):
        assert not is_problem(line)
    assert is_problem("CRITICAL: disk /dev/sda1 is full")
    assert is_problem("X509v3 Basic Constraints: critical error reading extension")


def test_a_problem_word_inside_a_hyphenated_name_reports_nothing():
    assert not is_problem("Unpacking libgpg-error-dev (1.46-1) ...")
    assert not is_problem("pip install --no-warn-script-location build")
    assert not is_problem("gcc -Wno-error=format -c x.c")
    assert is_problem("E: Sub-process /usr/bin/dpkg returned an error code (1)")
    assert is_problem("build failed: error-prone check")


def test_long_routine_lines_keep_their_start_and_leave_room_for_short_facts():
    # apt's history.log: each run's package list is one line of thousands of characters.
    upgrades = {
        4: "Upgrade: tzdata:amd64 (2025b-0+deb12u1, 2025b-0+deb12u2)",
        9: "Upgrade: linux-libc-dev:amd64 (6.1.140-1, 6.1.187-1)",
    }
    runs = []
    for day in range(1, 13):
        packages = ", ".join(f"lib{day}x{i}:amd64 (1.{i}-{day}, automatic)" for i in range(150))
        runs += [
            "",
            f"Start-Date: 2026-05-{day:02d}  07:28:46",
            f"Commandline: apt-get install -y tool{day}",
            upgrades.get(day, f"Install: {packages}"),
            f"End-Date: 2026-05-{day:02d}  07:29:30",
        ]
    text = "\n".join(runs)
    out = compress(text).text.splitlines()
    assert len("\n".join(out)) < len(text) / 3
    assert all(line in out for line in upgrades.values())
    # The last run's list (kept as the log's end) keeps its start and says how much is cut.
    assert any(line.endswith("of this line omitted]") for line in out)


def _tool_logs() -> list[tuple[str, str]]:
    """Real logs: this machine's package logs, and the output of tools run here."""
    found = []
    for path in ["dpkg.log", "alternatives.log", "apt/term.log", "apt/history.log"]:
        try:
            found.append((path, Path("/var/log", path).read_text(errors="replace")))
        except OSError:
            continue  # not a Debian machine, or not readable by this user
    with tempfile.TemporaryDirectory() as folder:
        package = Path(folder, "pkg")
        package.mkdir()
        for i, module in enumerate(["json", "csv", "heapq", "shlex", "textwrap", "difflib"]):
            source = Path(sysconfig.get_paths()["stdlib"], f"{module}.py")
            if source.is_file():
                text = source.read_text("utf-8")
                (package / f"{module}.py").write_text(text if i % 2 else text + "\nprint 'x'\n")
        found.append(("compileall", _run(sys.executable, "-m", "compileall", "-f", str(package))))
        tests = Path(folder, "test_runs.py")
        tests.write_text(
            "import pytest\n\n@pytest.mark.parametrize('n', range(120))\n"
            "def test_n(n):\n    assert n % 37 != 5, f'n={n}'\n"
        )
        found.append(
            (
                "pytest -v",
                _run(sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", str(tests)),
            )
        )
    return found


def _run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    return done.stdout + done.stderr


def test_every_line_a_fold_leaves_out_has_a_marker_at_its_place():
    # Guarantee 2 on real logs: a fold stands where its first line was; its lines further on
    # leave "[… 11 lines, 9 folded above]" where they were, never nothing.
    checked = 0
    for name, text in _tool_logs():
        result = compress(text)
        if not result.transforms or "fold" not in result.transforms[0]:
            continue
        checked += 1
        assert unmarked_omissions(text, result.text) == [], name
        assert violations(text, result.text) == [], name
    assert checked >= 2


def test_a_fold_seen_again_later_is_marked_there():
    routine = [
        f"2026-11-23 10:00:{i:02d} INFO unpacked package-{i} version 1.{i}" for i in range(40)
    ]
    lines = []
    for i, line in enumerate(routine):
        lines += [line, f"2026-11-23 10:00:{i:02d} NOTE step {chr(65 + i % 26)}{i} of a rare kind"]
    text = "\n".join(lines)
    out = compress(text).text
    assert unmarked_omissions(text, out) == []
    # Every line of the fold is counted once: by the fold where it starts, or by a marker.
    folded = sum(int(m) for m in re.findall(r"\[… (\d+) lines?, (?:\d+ )?folded above\]", out))
    folds = [int(n) for n in re.findall(r"^\[×(\d+)", out, re.MULTILINE)]
    assert folds and folded == sum(folds) - len(folds)


def test_a_budget_counts_the_originals_lines_at_every_cut():
    # Under max_tokens, the budget cuts the log's compressed form again: its markers count
    # the original's lines (read from the fold's markers), never the compressed form's.
    checked = 0
    for name, text in _tool_logs():
        total = len(text.splitlines())
        for budget in (300, 1000):
            result = compress(text, max_tokens=budget, key="log")
            if "budget:lines" not in result.transforms:
                continue
            checked += 1
            assert unmarked_omissions(text, result.text) == [], (name, budget)
            assert "[…]" not in result.text.splitlines()  # every cut says how many lines
            summary = result.text.splitlines()[-1]
            assert re.match(rf"\[… \d+ of {total} lines[ ;]", summary), (name, summary)
    assert checked >= 2


def test_a_budget_keeps_the_fold_of_a_failure_it_keeps_as_the_folds_last_example():
    # ruff's report of three rules at each place (``ruff check --select ALL``): its `-->`
    # frames repeat and fold, a fold's last example being a frame. The budget keeps every
    # frame (a failure line); the last example kept without its fold stood after the fold's
    # place, and the gap before it counted 1 line for the 1,044 left out there.
    rules = [
        ("D212 [*] Multi-line docstring summary should start at the first line", "Remove"),
        ("D415 First line should end with a period, question mark, or exclamation point", "Add"),
        ("D205 1 blank line required between summary line and description", "Insert"),
    ]
    report = []
    for k in range(40):
        at = 7 * k + 3
        for rule, fix in rules:
            report += [rule, f"  --> pkg/mod.py:{at}:5", "   |", f"{at} |     def f{k}(self):"]
            report += [f'{at + 1} | /         """', f"{at + 2} | |         Handle {k}.", "   |"]
            report += [f"help: {fix} it", ""]
    text = "\n".join(report)
    for budget in (300, 1000):
        out = compress(text, max_tokens=budget).text
        assert unmarked_omissions(text, out) == [], budget
        assert violations(text, out) == [], budget


def test_a_budget_over_reshaped_content_counts_compressed_lines_and_says_so():
    rows = [{"id": i, "name": f"pkg-{i}", "size": i * 7} for i in range(3000)]
    text = json.dumps(rows, indent=2)
    result = compress(text, max_tokens=80, key="rows")
    assert "budget:lines" in result.transforms
    assert re.search(r"\[… \d+ of \d+ compressed lines omitted", result.text)
    assert f"of {len(text.splitlines())} lines" not in result.text


def test_a_stream_event_keeps_its_context_once_a_tools_diagnostics_each_time():
    routine = [
        f"2026-11-23 10:{m:02d}:{s:02d} INFO request {m}-{s} served"
        for m in range(4)
        for s in range(60)
    ]
    # A timestamped warning that recurs among routine lines: its first occurrence says
    # where it starts; around the others, the lines are the same routine ones.
    stream = list(routine)
    for k in (10, 70, 130, 190):
        stream.insert(k, f"2026-11-23 10:0{k // 60}:00 WARN cache miss rate {k}% over limit")
    out = compress("\n".join(stream), model="gpt-4").text
    assert "INFO request 0-9 served" in out and "INFO request 0-10 served" in out
    assert "INFO request 3-5 served" not in out  # around the last repeat
    assert out.count("WARN cache miss rate") == 4  # every repeat itself stays
    # A test runner's failures are each a fact: the heading under one names the next.
    runner = []
    for name in ("test_alpha", "test_beta", "test_gamma"):
        runner += [f"_____ {name} _____", "    def test():", ">       assert compute() == 3"]
        runner += ["E       assert 2 == 3", "t_x.py:4: AssertionError"]
        runner += [f"t_x.py::{name}_{i} PASSED" for i in range(40)]
    out = compress("\n".join(runner), model="gpt-4").text
    assert "_____ test_gamma _____" in out


def test_parts_say_how_to_get_the_original_once():
    turns = []
    for i in range(6):
        said = " ".join(
            f"Point {i}.{k}: the cache layer {k} holds {k * i} entries." for k in range(40)
        )
        turns.append(f"**assistant:**\n{said}\n**user:**\nnoted {i}\n")
    text = "".join(turns)
    out = compress(text, key="review", model="gpt-4").text
    hint = 'full: get("review", full=True)'
    assert out.count(hint) == 1 and out.rstrip().endswith(hint + "]")
    assert "omitted]" in out  # the parts' own markers still say what they left out


def test_a_package_version_is_one_masked_value():
    # A Debian version masked by its parts read "<n><n>~deb<n>u<n>" in a fold's template.
    assert template("Unpacking systemd (252.36-1~deb12u1) over (252.33-1~deb12u1) ...") == (
        "Unpacking systemd (<v>) over (<v>) ..."
    )
    assert (
        template("upgrade gpg:amd64 2.2.40-1.1 2.2.40-1.1+deb12u2") == "upgrade gpg:amd<n> <v> <v>"
    )
    assert template("Setting up libc-bin (1:2.36-9) ...") == "Setting up libc-bin (<v>) ..."


def test_an_event_too_rare_to_fold_shows_its_first_line():
    lines = []
    for i in range(300):
        lines.append(f"081109 2035{i % 60:02d} {i} INFO dfs.FSNamesystem: addStoredBlock blk_{i}")
        if i % 50 == 7:  # 6 lines: fewer than a fold needs
            lines.append(
                f"081109 2035{i % 60:02d} {i} INFO dfs.DataNode: Receiving block blk_{i}"
                f" src: /10.0.0.{i % 9}:40524 dest: /10.0.0.{i % 9}:50010"
            )
    out = compress("\n".join(lines), model="gpt-4").text
    assert "INFO dfs.DataNode: Receiving block blk_7 src: /10.0.0.7:40524" in out


def _javac(tmp: Path) -> str | None:
    javac = shutil.which("javac")
    if javac is None:
        return None
    for k in range(30):
        bad = "    int broken() { return missing; }\n" if k % 10 == 3 else ""
        (tmp / f"Service{k}.java").write_text(
            "import java.util.*;\n"
            f"public class Service{k} {{\n    private List raw = new ArrayList();\n{bad}}}\n"
        )
    files = sorted(str(p) for p in tmp.glob("*.java"))
    run = subprocess.run(
        [javac, "-Xlint:all", "-d", str(tmp), *files], capture_output=True, text=True
    )
    return run.stdout + run.stderr


def test_a_context_line_repeated_under_many_diagnostics_is_kept_once(tmp_path):
    out = _javac(tmp_path)
    if out is None:
        pytest.skip("javac is not installed")
    text = compress(out, model="gpt-4").text
    # Every diagnostic stays; the same source line under each of them, once (or folded).
    for line in out.splitlines():
        if ": warning: " in line or ": error: " in line:
            assert line in text
    assert (
        text.count("    private List raw = new ArrayList();")
        < out.count("    private List raw = new ArrayList();") // 4
    )


def test_a_test_runs_tallies_stay(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    for f in range(6):
        tests = [
            f"test('adds line item {f}.{t}', () => assert.strictEqual({t} + {f}, "
            f"{t + f + (t * 7 + f) % 17 // 16}));"
            for t in range(14)
        ]
        (tmp_path / f"cart{f}.test.mjs").write_text(
            "import { describe, test } from 'node:test';\nimport assert from 'node:assert';\n"
            f"describe('cart {f}', () => {{\n" + "\n".join(tests) + "\n});\n"
        )
    args = [node, "--test", "--test-reporter=spec", *sorted(map(str, tmp_path.glob("*.mjs")))]
    run = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path)
    out = compress(run.stdout + run.stderr, model="gpt-4").text
    tallies = re.findall(r"^ℹ (?:tests|suites|pass|fail) \d+$", run.stdout, re.MULTILINE)
    assert len(tallies) == 4
    assert all(tally in out for tally in tallies)


def test_a_passing_test_beside_each_failing_one_is_not_kept_as_its_context(tmp_path):
    # pytest -v over a parametrized test that fails every other case: the PASSED lines
    # between the FAILED ones are routine, and their fold shows them.
    (tmp_path / "test_rounding.py").write_text(
        "import pytest\n\n\n@pytest.mark.parametrize('n', range(60))\n"
        "def test_rounding(n):\n    assert n % 2 == 0\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:randomly", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    out = compress(run.stdout, model="gpt-4").text
    failed = [line for line in run.stdout.splitlines() if line.endswith("%]") and "FAILED" in line]
    assert len(failed) == 30 and all(line in out for line in failed)
    assert sum(" PASSED " in line for line in out.splitlines()) < 10


def test_a_query_naming_a_place_keeps_the_diagnostics_there_whole(tmp_path):
    # Asked about Service17.java:3, the next agent needs each report there as javac wrote
    # it: the heading, the source line, the caret and the detail lines under them, which
    # the same lines under the other 29 files' warnings would otherwise stand for.
    out = _javac(tmp_path)
    if out is None:
        pytest.skip("javac is not installed")
    lines = out.splitlines()
    heads = [i for i, line in enumerate(lines) if "Service17.java:3: " in line]
    assert len(heads) == 2
    query = "What is wrong at Service17.java:3 and how do I fix it?"
    text = compress(out, model="gpt-4", query=query).text
    for i in heads:
        end = next(j for j in range(i + 1, len(lines)) if ".java:" in lines[j])
        block = "\n".join(lines[i:end])
        assert block in text
    # A place the query does not name keeps its report as before: detail lines once.
    assert text.count("missing type arguments for generic class List<E>") < 10


def test_coloured_compiler_output_keeps_every_failure_line(tmp_path):
    # gcc told to colour its diagnostics (as under a terminal, or in CI with colours forced)
    # writes ESC[01;35mwarning: ESC[m: without its codes read away, no word "warning"
    # stands after a word boundary, and the folds dropped 65 of 74 failure lines of zlib's
    # examples.
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is not installed")
    functions = [
        f"int scale_{i}(unsigned n, int k) {{\n    int unused_{i};\n"
        f"    for (int j = 0; j < n; j++) k += j;\n    return k;\n}}\n"
        for i in range(40)
    ]
    (tmp_path / "scale.c").write_text("".join(functions))
    run = subprocess.run(
        [gcc, "-Wall", "-Wextra", "-fdiagnostics-color=always", "-c", "scale.c"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    out = run.stderr
    assert "\x1b[" in out
    plain = re.sub(r"\x1b\[[0-9;]*[mK]", "", out)
    lines, plain_lines = out.splitlines(), plain.splitlines()
    failing = [lines[i] for i, line in enumerate(plain_lines) if ": warning: " in line]
    assert len(failing) == 80
    text = compress(out, model="gpt-4").text.splitlines()
    assert [line for line in failing if line not in text] == []


def test_a_query_naming_a_place_reported_many_times_keeps_two_of_the_same_report(tmp_path):
    # A warning raised in a loop is reported at one place each time (as a header's warning
    # in every file that includes it): asked about that place, the 60 copies were all kept
    # with the lines under them, and the fold saved nothing.
    (tmp_path / "legacy.py").write_text(
        "import warnings\n\n\ndef old(x):\n"
        '    warnings.warn("old() is deprecated, use new()", DeprecationWarning)\n'
        "    return x\n\n\n"
        'for i in range(60):\n    old(i)\n    print(f"processed item {i}", flush=True)\n'
    )
    run = subprocess.run(
        [sys.executable, "-W", "always", "legacy.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    out = run.stderr + run.stdout
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if "legacy.py:5: DeprecationWarning" in line)
    assert sum("legacy.py:5: " in line for line in lines) == 60
    result = compress(out, model="gpt-4", query="Why the warning at legacy.py:5?")
    kept = result.text.splitlines()
    assert lines[head] in kept and lines[head + 1] in kept
    assert result.savings_percent > 70


def test_coloured_output_is_routed_by_its_words(tmp_path):
    # gcc run once per file, in colour: lines start with ESC[01m, like no tool's record, and
    # the source lines it quotes end in braces and semicolons, so the text was taken for
    # code and the brace scanner cut 41 of its 82 failure lines.
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is not installed")
    (tmp_path / "common.h").write_text("static int helper(int x) { int unused; return x; }\n")
    out = ""
    for i in range(20):
        (tmp_path / f"f{i}.c").write_text(
            f'#include "common.h"\nint f{i}(int a) {{ unsigned u = a; if (u < 0) return 1;'
            " return helper(a); }\n"
        )
        run = subprocess.run(
            [gcc, "-Wall", "-Wextra", "-fdiagnostics-color=always", "-c", f"f{i}.c"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        out += run.stderr
    plain = re.sub(r"\x1b\[[0-9;]*[mK]", "", out)
    lines, plain_lines = out.splitlines(), plain.splitlines()
    failing = [lines[i] for i, line in enumerate(plain_lines) if ": warning: " in line]
    assert len(failing) == 40
    result = compress(out, model="gpt-4")
    assert result.transforms[0].startswith("lines")
    kept = result.text.splitlines()
    assert [line for line in failing if line not in kept] == []


def _help_text() -> str:
    """A command's --help as argparse prints it: forty options, most wrapped over lines."""
    parser = argparse.ArgumentParser(
        prog="ledger-sync",
        description="Synchronise ledgers between the billing store and the warehouse.",
        formatter_class=lambda prog: argparse.HelpFormatter(prog, width=80),
    )
    for k in range(40):
        words = " ".join(f"detail{j}" for j in range(k % 5 * 5))
        parser.add_argument(
            f"--option-{k}",
            f"-{chr(65 + k % 26)}{k}",
            metavar=f"VALUE{k}",
            help=f"set the {k}th knob of the sync run {words}",
        )
    return parser.format_help()


def test_an_option_listing_keeps_every_option_head_and_marks_each_cut():
    text = _help_text()
    result = compress(text)
    kept = set(result.text.splitlines())
    heads = [line for line in text.splitlines() if line.startswith("  --option-")]
    assert len(heads) == 40
    assert [head for head in heads if head not in kept] == []
    assert result.savings_percent > 15
    assert unmarked_omissions(text, result.text) == []
    assert violations(text, result.text) == []


def test_an_option_listings_budget_keeps_option_heads_from_all_over_it():
    # Under a tenth of its tokens the budget kept the usage and the first options' wrapped
    # descriptions: no option of the listing's second half, a description before a head.
    text = _help_text()
    heads = [line for line in text.splitlines() if line.startswith("  -")]
    out = compress(text, model="gpt-4", max_tokens=get_token_counter("gpt-4")(text) // 10).text
    kept = [line for line in out.splitlines() if not line.startswith("[…")]
    assert len(kept) >= 4 and set(kept).issubset(heads)
    assert heads.index(kept[0]) < 10 and heads.index(kept[-1]) >= 30  # of 41
    assert unmarked_omissions(text, out) == [] and violations(text, out) == []


@pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")
def test_an_unindented_option_listing_keeps_every_option():
    # rsync --help starts each option at the margin ("--verbose, -v   increase …"): read as
    # no listing, 169 of its 195 lines were cut and 0 of 10 sampled options kept.
    text = subprocess.run(["rsync", "--help"], capture_output=True, text=True).stdout
    heads = [line for line in text.splitlines() if re.match(r"--[a-z]", line)]
    assert len(heads) > 100
    result = compress(text, model="gpt-4")
    kept = set(result.text.splitlines())
    assert [head for head in heads if head not in kept] == []
    assert unmarked_omissions(text, result.text) == [] and violations(text, result.text) == []


def _boxed(title: str, rows: list[str], width: int = 100) -> list[str]:
    """A section as Typer and rich-click draw it: a rounded box, rows padded to its border."""
    top = f"╭─ {title} " + "─" * (width - len(title) - 5) + "╮"
    return [top, *(f"│ {row:<{width - 4}} │" for row in rows), "╰" + "─" * (width - 2) + "╯"]


def _typer_help() -> str:
    """A Typer app's --help: 30 options (every third required, ``*``), most wrapped, and
    40 commands, each section in its box."""
    options = []
    for k in range(30):
        words = [f"detail{j}" for j in range(k % 5 * 6)]
        mark = "*  " if k % 3 == 0 else "   "
        options.append(
            f"{mark}{f'--knob-{k}':<16} <int>   Set the {k}th knob; {' '.join(words[:6])}"
        )
        options += [f"{'':<31}{' '.join(words[i : i + 6])}" for i in range(6, len(words), 6)]
        options.append(f"{'':<31}[{'required' if k % 3 == 0 else f'default: {k}'}]")
    commands = [
        f"step-{c:<4} Do step {c} of the reconciliation, then report it." for c in range(40)
    ]
    usage = ["", " Usage: ledger [OPTIONS] COMMAND [ARGS]...", "", " Synchronise ledgers.", ""]
    return "\n".join(usage + _boxed("Options", options) + _boxed("Commands", commands)) + "\n"


def test_a_boxed_help_keeps_every_option_and_command_row():
    text = _typer_help()
    result = compress(text)
    kept = set(result.text.splitlines())
    heads = [line for line in text.splitlines() if re.match(r"│ (\*  |   )--knob|│ step-", line)]
    assert len(heads) == 70
    assert [head for head in heads if head not in kept] == []
    assert result.savings_percent > 15
    assert unmarked_omissions(text, result.text) == []
    assert violations(text, result.text) == []


def test_a_commands_section_keeps_every_command():
    # click's and clap's listing of subcommands: a name, two blanks, what it does.
    names = [f"{verb}-{noun}" for verb in ("get", "set", "sync", "drop") for noun in "abcdefghij"]
    rows = [
        f"  {name:<12}  {name.replace('-', ' ').capitalize()} the ledger's part." for name in names
    ]
    wrapped = [
        line
        for name in names[:8]
        for line in (f"  --{name}", f"{'':<16}Run {name} first; " + "then report " * 6)
    ]
    text = "\n".join(
        [
            "Usage: ledger [OPTIONS] COMMAND [ARGS]...",
            "",
            "Options:",
            *wrapped,
            "",
            "Commands:",
            *rows,
        ]
    )
    result = compress(text)
    kept = set(result.text.splitlines())
    assert [row for row in rows if row not in kept] == []
    assert unmarked_omissions(text, result.text) == []


def test_a_rich_table_is_no_option_listing():
    # Its rows are boxed too, with a border between cells: rows of data, not option heads.
    rows = [f"│ package-{i:<8} │ 1.{i}.0    │ 1.{i}.1    │ wheel │" for i in range(120)]
    assert option_heads(rows) == set()
    assert option_heads(_typer_help().splitlines())


def _chromium_event(pid: int, stamp: str, then: str) -> list[str]:
    """Chromium's headless stderr for one event: the bus it cannot reach, then ``then``.

    Its prefix is [pid:tid:MMDD/HHMMSS.micros:LEVEL:file.cc(line)]: the ids new with each
    process as the time is with each line.
    """
    return [
        f"[{pid}:{pid + 37}:{stamp}:ERROR:dbus/bus.cc:405] Failed to connect to the bus: "
        "Failed to connect to socket /run/dbus/system_bus_socket: No such file",
        f"[{pid}:{pid}:{stamp}:{then}",
    ]


def test_chromium_warnings_repeated_by_each_process_fold_under_their_template():
    lines = []
    for run in range(8):
        pid = 18954 + run * 97
        for k in range(12):
            stamp = f"1207/0051{20 + run:02d}.{920306 + k * 37:06d}"
            lines += _chromium_event(
                pid,
                stamp,
                "WARNING:dbus/property.cc:174] GetAll request failed for: "
                f"org.freedesktop.UPower.Device{k % 3}",
            )
        lines.append(f"{76582 + run} bytes written to file /tmp/shot{run}.png")
    text = "\n".join(lines)
    result = compress(text)
    assert result.savings_percent > 70
    assert re.search(r"^\[×\d+", result.text, re.M)  # folded, with a count
    assert violations(text, result.text) == []
    assert "Device1\n" in result.text and "Device2\n" in result.text


def test_output_coloured_with_tput_keeps_every_failure_line(tmp_path):
    # Scripts colour their words with tput, whose sgr0 writes ESC ( B before ESC [ m: a line
    # that starts with it held no word "error" at a word boundary once the ESC [ codes were
    # read away, and its failure lines were folded with the rest.
    tput = shutil.which("tput")
    if tput is None:
        pytest.skip("tput is not installed")
    script = (
        "for i in $(seq 1 300); do\n"
        "  if [ $((i % 30)) -eq 0 ]; then\n"
        '    echo "$(tput sgr0)$(tput bold)error:$(tput sgr0) step $i: disk quota exceeded"\n'
        "  else\n"
        '    echo "$(tput sgr0)$(tput setaf 2)ok$(tput sgr0) step $i copied $((i * 7)) files"\n'
        "  fi\n"
        "done\n"
    )
    env = {**os.environ, "TERM": "xterm"}
    run = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env)
    lines = run.stdout.splitlines()
    failing = [line for line in lines if "error:" in line]
    assert len(failing) == 10 and all(line.startswith("\x1b(B") for line in failing)
    kept = compress(run.stdout, model="gpt-4").text.splitlines()
    assert [line for line in failing if line not in kept] == []


def test_hyperlinks_and_character_sets_are_read_away_with_colours(tmp_path):
    # ls --hyperlink wraps each name in an OSC 8 link (ESC ] 8 ; ; url ESC \), as rich does
    # for a link; tput sgr0 writes ESC ( B. Read without them, the words are those printed.
    for name in ("build.log", "report.txt"):
        (tmp_path / name).write_text("x")
    ls = subprocess.run(
        ["ls", "--hyperlink=always", "--color=always", str(tmp_path)],
        capture_output=True,
        text=True,
    ).stdout
    assert "\x1b]8;" in ls
    assert uncoloured(ls).split() == ["build.log", "report.txt"]
    sgr0 = subprocess.run(["tput", "-T", "xterm", "sgr0"], capture_output=True, text=True).stdout
    assert uncoloured(f"{sgr0}error: disk full{sgr0}") == "error: disk full"


def test_an_event_of_eight_lines_whose_last_is_the_tail_still_folds():
    # Chromium's stderr over 8 headless screenshots: one "bytes written" line per run, the
    # last one the text's tail and kept. Counted after that, the other 7 fell below a fold
    # and went behind gap markers that never said what they were.
    lines = []
    for run in range(8):
        pid = 15714 + run * 166
        for k in range(6):
            stamp = f"1207/02161{run}.{137854 + k * 41:06d}"
            lines += _chromium_event(
                pid,
                stamp,
                "ERROR:dbus/object_proxy.cc:572] Failed to call method: "
                "org.freedesktop.DBus.NameHasOwner: object_path= /org/freedesktop/DBus: "
                "unknown error type: ",
            )
        lines += [
            f"[{pid}:{pid}:1207/02161{run}.252337:WARNING:device/bluetooth/dbus/"
            "bluez_dbus_manager.cc:209] Floss manager service not available, cannot set Floss "
            "enable/disable.",
            f"[{pid + 55}:{pid + 55}:1207/02161{run}.312933:WARNING:media/gpu/vaapi/"
            "vaapi_wrapper.cc:1655] drmGetDevices2() has not found any devices",
            f"{4235 + run * 61} bytes written to file /tmp/shot{run + 1}.png",
        ]
    text = "\n".join(lines)
    out = compress(text, model="gpt-4").text
    shots = [line for line in lines if "bytes written" in line]
    assert shots[-1] in out
    fold = re.search(r"^\[×(\d+), numbers differ; first and last:\] \d+ bytes written", out, re.M)
    assert fold is not None
    # The fold counts the lines it stands for; its last example is written out too.
    shown = sum(line in out.splitlines() for line in shots)
    assert int(fold.group(1)) + shown - 1 == len(shots)
    assert violations(text, out) == [] and unmarked_omissions(text, out) == []


def test_blank_lines_of_pytest_output_never_fold_into_an_empty_fold(tmp_path):
    # pytest -q's failure reports are separated by blank lines: folded, 13 of them read
    # "[×13] ", a fold with nothing to show. They are kept between kept lines, else the
    # gap markers around them count them.
    (tmp_path / "test_encode.py").write_text(
        "import json\n\nimport pytest\n\n\n@pytest.mark.parametrize('n', range(30))\n"
        "def test_square(n):\n    assert n * n >= 0\n\n\n"
        "@pytest.mark.parametrize('n', range(4))\ndef test_dumps(n):\n"
        "    data = {'n': n, 'items': list(range(n))}\n    assert json.dumps(data) == '{}'\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.stdout.count("\n\n") >= 8
    out = compress(run.stdout, model="gpt-4").text
    assert not re.search(r"^\[×\d+\] ?$", out, re.M), out
    assert "4 failed, 30 passed" in out
    assert violations(run.stdout, out) == [] and unmarked_omissions(run.stdout, out) == []


def _git_log(tmp_path: Path, *options: str) -> str:
    """``git log`` of a real repository of 40 commits, each with a body and files changed."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "GIT_AUTHOR_NAME": "Ada Lovelace",
        "GIT_AUTHOR_EMAIL": "ada@example.org",
        "GIT_COMMITTER_NAME": "Ada Lovelace",
        "GIT_COMMITTER_EMAIL": "ada@example.org",
    }

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=tmp_path, env=env, capture_output=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.decode()

    git("init", "-q", "-b", "main")
    for k in range(40):
        for f in range(k % 4 + 1):
            path = tmp_path / f"module_{(k + f) % 9}.py"
            path.write_text(f"VALUE = {k * 7 + f}\n" * (k % 5 + 1))
        body = f"The ledger's step {k} now reconciles accounts in batches of {k * 10}.\n" * 3
        git("add", "-A")
        git("commit", "-q", "-m", f"ledger: reconcile step {k} in batches", "-m", body)
    return git("log", *options)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("options", [("--stat",), ("--format=fuller",), ("--graph",)])
def test_a_git_log_keeps_every_commit_id_and_subject(tmp_path, options):
    text = _git_log(tmp_path, *options)
    result = compress(text)
    kept = set(result.text.splitlines())
    ids = [line for line in text.splitlines() if re.match(r"[*| ]*commit [0-9a-f]{40}$", line)]
    subjects = [line for line in text.splitlines() if "ledger: reconcile step" in line]
    assert len(ids) == len(subjects) == 40
    assert [line for line in ids + subjects if line not in kept] == []
    assert result.savings_percent > 30
    assert unmarked_omissions(text, result.text) == []
    assert violations(text, result.text) == []


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("options", [(), ("--stat",), ("--oneline",)])
def test_a_git_logs_budget_keeps_its_newest_and_oldest_commits_then_subjects(tmp_path, options):
    # Under a tenth of its tokens the budget kept the first commit ids in order, each over
    # a gap, and no subject: neither the newest commit's subject nor the oldest commit.
    text = _git_log(tmp_path, *options)
    lines = text.splitlines()
    subjects = [line for line in lines if "ledger: reconcile step" in line]
    commits = [line for line in lines if line.startswith("commit ")] or subjects
    share = 4 if "--oneline" in options else 10  # 40 rows: a tenth holds two
    out = compress(text, model="gpt-4", max_tokens=get_token_counter("gpt-4")(text) // share).text
    kept = out.splitlines()
    assert {commits[0], subjects[0], commits[-1], subjects[-1]}.issubset(kept)
    assert len(set(subjects).intersection(kept)) >= 6
    assert unmarked_omissions(text, out) == [] and violations(text, out) == []


def _policy(n: int = 120) -> str:
    """``apt-cache policy`` of n packages, as apt prints it: a name over its fields."""
    out = []
    for k in range(n):
        version = f"{k % 7}.{k % 13}.{k}-{k % 3 + 1}+deb12u{k % 5}"
        out += [
            f"libledger{k}:",
            f"  Installed: {version}",
            f"  Candidate: {version}",
            "  Version table:",
            f" *** {version} 500",
            "        500 http://deb.debian.org/debian bookworm/main amd64 Packages",
            "        100 /var/lib/dpkg/status",
        ]
    return "\n".join(out) + "\n"


def _show(n: int = 40) -> str:
    """``apt-cache show`` of n packages: a stanza of fields each, the first naming it."""
    stanzas = []
    for k in range(n):
        stanzas.append(
            f"Package: libledger{k}\nVersion: 1.{k}.0-1\nInstalled-Size: {k * 37 + 100}\n"
            f"Maintainer: Ledger Team <ledger@example.org>\nArchitecture: amd64\n"
            f"Depends: libc6 (>= 2.34), libledger{(k + 1) % n} (= 1.{(k + 1) % n}.0-1)\n"
            f"Description: ledger library, part {k}\n"
            f" The ledger library reconciles accounts; part {k} holds the batch reader.\n"
            f"Filename: pool/main/l/libledger/libledger{k}_1.{k}.0-1_amd64.deb\n"
            f"Size: {k * 1013 + 5000}\nSHA256: {k:064x}\n"
        )
    return "\n".join(stanzas)


def test_a_listing_of_packages_keeps_the_line_naming_each_and_its_first_field():
    policy = _policy()
    result = compress(policy)
    kept = set(result.text.splitlines())
    names = [line for line in policy.splitlines() if line.startswith("libledger")]
    installed = [line for line in policy.splitlines() if line.startswith("  Installed:")]
    assert len(names) == len(installed) == 120
    assert [line for line in names + installed if line not in kept] == []
    assert result.savings_percent > 40
    assert unmarked_omissions(policy, result.text) == []
    assert violations(policy, result.text) == []
    show = _show()
    result = compress(show)
    kept = set(result.text.splitlines())
    packages = [line for line in show.splitlines() if line.startswith("Package: ")]
    assert [line for line in packages if line not in kept] == []
    assert result.savings_percent > 40
    assert violations(show, result.text) == []


def test_fields_that_name_no_record_are_not_record_heads():
    # A doctest report's Expected: and Got: over indented values; apt's history stanzas
    # opening with a time.
    doctest = "Failed example:\n    f(1)\nExpected:\n    2\nGot:\n    3\n" * 20
    history = "\n".join(
        f"Start-Date: 2026-11-{k + 1:02d}  10:00:00\nCommandline: apt install x{k}\n"
        for k in range(20)
    )
    assert record_heads(doctest.splitlines()) == set()
    assert record_heads(history.splitlines()) == set()


WORDS = [
    "parse",
    "fold",
    "budget",
    "marker",
    "route",
    "table",
    "query",
    "split",
    "merge",
    "keep",
    "drop",
    "guard",
    "cache",
]
WORDS += [
    "config",
    "record",
    "header",
    "failure",
    "frame",
    "operand",
    "legend",
    "unit",
    "commit",
    "stanza",
]


def _medium_git_log(n: int = 120) -> str:
    # git log's medium format: a head stanza (commit, Author, Date), then the message.
    records = []
    for i in range(n):
        sha = hashlib.sha1(str(i).encode()).hexdigest()
        words = [WORDS[int(sha[k : k + 2], 16) % len(WORDS)] for k in range(0, 12, 2)]
        body = f"    {words[0]}: {' '.join(words[1:])}"
        if i % 9 == 0:
            body += f"\n\n    measured {i}.{i % 10} % saved on {i + 30} real inputs"
        records.append(
            f"commit {sha}\nAuthor: Dev {i % 5} <dev{i % 5}@example.com>\n"
            f"Date:   Mon Dec {1 + i % 28} 0{i % 10}:12:00 2026 +0000\n\n{body}\n"
        )
    return "\n".join(records)


def test_a_record_keeps_its_head_line_with_any_line_of_it_kept():
    # git log: 28 commit lines folded at the top, the messages below with no hash above them.
    text = _medium_git_log()
    lines = text.splitlines()
    out = compress(text).text.splitlines()
    # A fold's examples stand for its lines, not in their places.
    examples = {k for k, line in enumerate(out) if line.startswith("[×")}
    kept = {line for k, line in enumerate(out) if not examples & {k, k - 1}}
    heads = [i for i, line in enumerate(lines) if line.startswith("commit ")]
    for head, end in zip(heads, [*heads[1:], len(lines)], strict=True):
        body = [line for line in lines[head + 4 : end] if line.strip()]
        if any(line in kept for line in body):
            assert lines[head] in kept
            # ... above them: the head stays in its place.
            assert out.index(lines[head]) < min(out.index(line) for line in body if line in kept)


def json_log(records: int, failing: set[int], depth: int) -> str:
    """A JSON-lines log written by the standard library's logging, stack traces in a field."""
    import io
    import logging
    import traceback

    class AsJson(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            fields = {"time": self.formatTime(record), "level": record.levelname}
            fields |= {"msg": record.getMessage(), "request": getattr(record, "request", None)}
            if record.exc_info:
                fields["exc"] = "".join(traceback.format_exception(*record.exc_info))
            return json.dumps(fields)

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(AsJson())
    log = logging.getLogger(f"json-log-{records}-{depth}")
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.INFO)

    def parse(level: int) -> object:
        return json.loads("{bad json") if level == 0 else parse(level - 1)

    for i in range(records):
        if i in failing:
            try:
                parse(depth)
            except ValueError:
                log.exception("import of batch %d failed", i, extra={"request": f"req-{i:05d}"})
        else:
            log.info("batch %d imported in %d ms", i, i % 90, extra={"request": f"req-{i:05d}"})
    log.removeHandler(handler)
    return out.getvalue()


@pytest.mark.parametrize("depth", [0, 6])
def test_a_json_log_record_with_a_stack_trace_keeps_its_fields_under_a_tight_budget(depth):
    # The stack trace is a failure inside the record's string: the record's own fields (which
    # request failed) stay with it, as its input line or that line's start, never just the
    # decoded trace; and no marker counts a negative number of lines.
    text = json_log(500, {313}, depth)
    record = next(line for line in text.splitlines() if '"req-00313"' in line)
    for query in (None, "req-00313"):
        result = compress(text, max_tokens=300, key="k", query=query)
        assert violations(text, result.text) == []
        assert '"request": "req-00313"' in result.text
        assert "import of batch 313 failed" in result.text
        assert "[… -" not in result.text
        kept = result.text.splitlines()
        assert record in kept or any(record.startswith(line.split("[… ")[0]) for line in kept)


def test_colon_separated_bytes_are_one_masked_value():
    # A modulus line of 15 bytes and a signature line of 18 share a template, as two MAC
    # addresses do: the lines differ in their bytes only.
    assert template("    00:b2:78:80:71:ca:78:d5:e3:71:af:47:80:50:74:") == template(
        "    98:f2:37:5a:41:90:a1:1a:c5:76:51:28:20:36:23:0e:ae:e6:"
    )
    assert template("link/ether 02:42:ac:11:00:02 brd ff:ff:ff:ff:ff:ff") == template(
        "link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff"
    )


def test_a_certificates_text_keeps_who_it_names_and_when_it_expires():
    # openssl x509 -text: every line of a key's modulus and of the signature is unique, and
    # as rare lines they took the room of the rarest facts: of the system's 144 root
    # certificates' Subject, Issuer, Not Before and Not After lines, 244 of 577 were kept
    # (575 with the bytes masked; a root with many extensions may leave one out).
    openssl = shutil.which("openssl")
    certs = sorted(Path("/etc/ssl/certs").glob("*.pem"))
    if openssl is None or len(certs) < 12:
        pytest.skip("openssl or the system's CA certificates are not installed")
    wanted = re.compile(r"\s+(Subject|Issuer|Not Before|Not After ?):")
    facts = lost = 0
    for cert in certs[:: len(certs) // 12][:12]:
        run = subprocess.run(
            [openssl, "x509", "-in", str(cert), "-text", "-noout"], capture_output=True, text=True
        )
        result = compress(run.stdout, model="gpt-4")
        assert violations(run.stdout, result.text) == []
        kept = result.text.splitlines()
        named = [line for line in run.stdout.splitlines() if wanted.match(line)]
        assert len(named) == 4
        facts += len(named)
        lost += len([line for line in named if line not in kept])
    assert facts == 48 and lost <= 1
