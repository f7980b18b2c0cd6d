"""go test's failure messages: the lines a failed test logged, read from its verdict.

``go test`` prints what a test logged (``t.Errorf``, ``t.Fatalf``, ``t.Log``) as ``file_test.go:12:
message`` lines, indented one step deeper than the test: without ``-v`` only a failed test's,
under its ``--- FAIL: TestName (0.00s)`` (a subtest's deeper under its own); with ``-v`` as the
test runs, between its ``=== RUN   TestName`` and its verdict. On its own such a line is any
indented note naming a file; under or before a ``--- FAIL:`` it is what the failure says.
"""

from __future__ import annotations

import re

# A test's verdict (``--- FAIL: TestAdd/case#01 (0.00s)``), indented under its parent's.
_VERDICT = re.compile(r"( *)--- (?:FAIL|PASS|SKIP): (\S+) \(")
# Where -v shows a test start or resume (``=== RUN   TestAdd``, ``=== CONT  TestAdd``).
_RUN = re.compile(r" *=== (?:RUN|CONT|PAUSE|NAME) +(\S+)$")
# A line the test logged: its file and line, indented (a message's next lines go deeper).
_LOGGED = re.compile(r"( +)[\w.-]+_test\.go:\d+: ")
_BACK = 200  # lines read back from a verdict for what -v printed as the test ran


def go_test_messages(lines: list[str], among: list[int]) -> set[int]:
    """Indices of ``lines`` that a test go counted as failed logged (``file_test.go:N: …``).

    ``among``: indices of lines holding every failure line, each ``--- FAIL:`` among them.
    """
    found: set[int] = set()
    for i in among:
        verdict = _VERDICT.match(lines[i]) if "--- FAIL: " in lines[i] else None
        if verdict is None:
            continue
        depth, name = len(verdict[1]), verdict[2]
        # Without -v: its lines under it, deeper than it.
        for j in range(i + 1, len(lines)):
            line = lines[j]
            if len(line) - len(line.lstrip(" ")) <= depth:
                break
            if _LOGGED.match(line):
                found.add(j)
        # With -v: its lines above it, back to where it ran.
        for j in range(i - 1, max(-1, i - 1 - _BACK), -1):
            line = lines[j]
            run = _RUN.match(line) if "=== " in line else None
            if run is not None and run[1] == name:
                break
            if _VERDICT.match(line):
                break
            logged = _LOGGED.match(line)
            if logged is not None and len(logged[1]) > depth:
                found.add(j)
    return found
