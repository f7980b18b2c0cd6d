"""The guarantees every compressed text keeps, checked and repaired after each compressor.

1. A kept line is an input line, byte for byte; the exceptions are markers (``[… 12 lines]``,
   ``[… 40 of 90 rows omitted — …]``, ``# … 9 lines of parse omitted``), labels (``[§ …]``)
   and folds, which show a template with its varying parts marked, a count, and first and
   last examples (:mod:`agent_baton.compress.markers` says what a marker looks like). The
   lines of a JSON document or a Python literal include the lines of its string values,
   decoded: a chat's messages are read as the text they hold. So do the lines of a console
   panel (:mod:`agent_baton.compress.panels`): the lines it frames, without its bars and
   padding. An input line too long to
   keep (a minified JSON document, a page served on one line: at least
   :data:`VIEW_CHARS` characters) has no line to keep; it may be shown as a view, lines
   derived from it under a label that says how many follow and which line (by its length)
   they re-render (:func:`agent_baton.compress.markers.view_label`).
2. Every omission leaves a marker where it happened, counted in the original's units.
3. A line that reports a failure (an error, an exception, a FAIL, an assertion, a traceback
   frame, a warning, a non-zero exit: :func:`is_failure`, the one definition) is never
   dropped, by a compressor or by ``max_tokens``: a compressor that lost one gets it back,
   at its place when the output's lines can be placed in the input. Inside a quoted string
   (a tool result in a JSON message, a repr) the failure is that string's line, kept as it
   is or unescaped; inside a console panel (a box ``rich`` draws), the line it frames.
   Only the repeats of a timestamped event (a stream) may stand in a fold
   of their template, with its count and first and last lines.

   It covers what reports: output, logs, listings, reports, chats, prose and data, and
   failure output pasted anywhere in them, a fenced block included (a traceback or a test
   run does not parse as a program, so it is read as the output it is). Source code is
   exempt (:data:`SOURCE_KINDS`: content that parsed as a program, and a program held in a
   data document's string value): its ``assert``, ``raise``, ``except Error:`` and
   ``log.error(…)`` lines are program text, kept or left out (with a marker) like any other
   line of a body; an outline keeps signatures, not every ``raise``.
4. Nothing above :data:`FALLBACK_TOKENS` leaves unchanged: when no compressor shortened it,
   the line-level fallback applies (:func:`agent_baton.compress.logs.compress_lines`).

:func:`violations` states 1 and 3 as checks, for the property tests; ``corpus_bench.py``
checks 3 from outside with the same definition.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import cast

from agent_baton.compress.frames import folded_frames, frame_key
from agent_baton.compress.go_tests import go_test_messages
from agent_baton.compress.lines import OTHER_BREAKS, line_end, line_start
from agent_baton.compress.markers import (
    FOLD_EXAMPLES,
    cut_prefix,
    is_marker,
    view_label,
    view_span,
)
from agent_baton.compress.markers import gap as gap_marker
from agent_baton.compress.memo import answers, line_answer, once
from agent_baton.compress.numbered_failures import numbered_failures
from agent_baton.compress.panels import panel_lines
from agent_baton.compress.parsed import NOT_DATA, data_value, line_values, strings
from agent_baton.compress.request import Request
from agent_baton.compress.strace import strace_failures

# From this length on, an input line may be shown as a view (re-rendered under a label).
VIEW_CHARS = 1_000
# Above this many tokens, a text must not leave as it came.
FALLBACK_TOKENS = 2_000
# Kinds whose content is source code, to which guarantee 3 does not apply (see above). A
# data document (json, repr) may hold a program in a string value (an advisory's code
# sample): those lines are program text too, the value's other lines reports.
SOURCE_KINDS = frozenset({"code"})
# Kinds that select sentences and lines by what they say: a failure they dropped is put
# back. (The log and line folds keep every failure line themselves.)
LINE_KINDS = frozenset({"prose", "mixed", "chat", "segments", "html"})

# A line's leading timestamp: ISO, syslog, compact and time-only forms, and Chromium's
# (base/logging: ``[pid:tid:MMDD/HHMMSS.micros:ERROR:file.cc(12)]``, the ids varying with the
# process as the time does).
_STAMP = (
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}"
    r"|\d{6} \d{6}"
    r"|\d{2}:\d{2}:\d{2}(?:[.,]\d+)?"
    r"|(?:\d+:){0,2}\d{4}/\d{6}(?:\.\d+)?(?=:[A-Z])"
)
TIMESTAMP = re.compile(rf"^\s*\[?({_STAMP})\]?")
# What reports a failure, line by line (see :func:`is_failure`): a line that starts like a
# report (_FAILURE_HEAD), or holds what only a report spells (_VERDICT, _GATES). Prose that
# merely uses the word ("a fast memory error detector", "an error is raised when") is none.
# A source file of the program's own, not of the system or a runtime's build tree.
_OWN_FILE = r"(?!/usr/|/lib|/rustc/|\.\./|\S*(?:sanitizer|compiler-rt))[^\s:()]+\.\w+"
# A message's head: after blanks, a timestamp and "prog:", "file:12:3:" prefixes.
_PREFIX = rf"[ \t]*(?:\[?(?:{_STAMP})\]?[ \t]+)?(?:[^\s:]+(?::\d+)*:[ \t]+)"
# The names a shell gives the signals that kill a process (bash's capitalised, zsh's not).
_SIGNALLED = (
    r"(?:[Ss]egmentation fault|[Aa]borted|[Bb]us error|[Ii]llegal instruction"
    r"|[Ff]loating point exception|[Kk]illed|[Tt]race/breakpoint trap)"
)
# A container kubernetes cannot run, as kubectl shows its state (``get pods``' STATUS, a
# waiting or terminated state's Reason).
_STUCK = (
    r"(?:CrashLoopBackOff|ImagePullBackOff|ErrImagePull|OOMKilled|CreateContainerConfigError"
    r"|CreateContainerError|RunContainerError|ErrImageNeverPull)"
)
# A gap between a table's columns: two spaces or a tab, and the blanks after them.
_COLUMN_GAP = r"(?:\t| {2})[ \t]*+"
_HEADS = (
    # A diagnostic: ``error:``, ``gcc: fatal error:``, ``file:3:1: warning:``,
    # ``error[E0308]:``, ``Failed example:``; a tool that could not (``cp: cannot stat``).
    _PREFIX + r"*(?i:(?:fatal )?(?:error|fatal|warning|failure|failed|panic)(?:\[[\w-]+\])?"
    r"|failed (?:example|tests?)):",
    _PREFIX + r"+(?i:cannot|can't|could not|couldn't|unable to|failed|error|fatal) "
    r"|[ \t]*Failed to \w",
    # Rust's failed assertions (``assert!``, ``assert_eq!``, ``assert_ne!``, old and new).
    r"[ \t]*assertion (?:`left [=!]= right` failed|failed: )",
    # An exception on a line of its own (``KeyboardInterrupt``, pytest's
    # ``test_x.py:93: AssertionError``), a thread's or a goroutine's death.
    r"[ \t]*(?:\S+:\d+: )?(?:[a-z_$][\w$]*\.)*[A-Z]\w*(?:Error|Exception|Interrupt)[ \t]*$",
    r"[ \t]*Exception in thread |panic: |goroutine \d+ \[",
    # Package managers: apt's E:/W:, dpkg's summary, npm's and pip's marks.
    r"[EW]: \S|Errors were encountered|npm (?:ERR!|error|warn|WARN) |[ \t]*× \S",
    # Traceback frames: Python and doctest, Java, JavaScript, Rust, pytest; chained causes.
    r"[ \t]*File \"[^\"\n]+\", line \d+",
    r"[ \t]+at (?:async )?(?:[\w$.<>/\[\]-]+(?: \[as [\w$]+\])? \([^()\n]*:\d+\)?"
    # Rust's ``at file:line:col`` under a frame's name; not the runtime's own (``/rustc/``).
    r"|(?!/rustc/)[^\s\d:(][^\s:]*(?::[^\s:]+)*:\d+:\d+$"
    r"|[\w$.]+(?:/[\w$.]+)*\((?:[\w$.-]+:\d+|Native Method|Unknown Source)\))",
    r"[ \t]+\.\.\. \d+ more$|Caused by: |[ \t]*--> \S+:\d+:\d+|\S+:\d+: in \S+$"
    r"|The above exception was the direct cause|During handling of the above exception",
    # A native frame in the program's own code: ASan's and gdb's ``#3 0x… in fn file.c:5``
    # (gdb: ``#0  fn (c=0x0) at seg.c:4``), valgrind's ``==9==    by 0x…: fn (file.c:5)``.
    # Not the runtime's: a reserved ``__name``, ``(below main)``, a file in the system's
    # tree or a library's build tree (``../sysdeps``, ``/usr/``, ``/rustc/``, libsanitizer).
    r"(?:[ \t]*#\d+ +(?:0x[0-9a-f]+ in (?!__)\S.*|(?!__)[\w:~<>]+ \(.*\) at)"
    r"|==\d+==[ \t]+(?:at|by) 0x[0-9A-Fa-f]+: (?!__|\(below main\))\S.*)"
    rf"[ (]{_OWN_FILE}:\d+(?::\d+)?\)?$",
    # A sanitizer's one-line verdict (``SUMMARY: AddressSanitizer: heap-use-after-free …``).
    r"SUMMARY: \w+Sanitizer: \S",
    # pytest's E lines (its failing source line, ``>       assert x == 1``, is
    # :func:`_pytest_source`; an assertion in a traceback's source line, :func:`_asserts`).
    r"E {2,}\S",
    # Linters: ``x.py:1:8: F401 ...``, ruff's ``F401 [*] ...`` head, pylint's ``[C0114]``.
    # A head's message opens with a capital, a digit, a quote or a bracket (3,425 heads of
    # ``ruff --select ALL``): "X11 font library" and "C99 standard" are names, not codes.
    r"\S+:\d+:\d+: [A-Z]{1,4}\d{2,4}\b|[A-Z]{1,4}\d{2,4}(?: \[\*\])? [A-Z\d`'\"\[(]"
    r"|\S+:\d+: \[[A-Z]+\d+"
    # tsc's default (pretty) head: ``src/a.ts:3:26 - error TS2307: Cannot find module``.
    r"|\S+:\d+:\d+ - (?:error|warning) [A-Z]{0,4}\d+:"
    r"|[ \t]+\d+:\d+ [A-Z]{1,4}\d{2,4} "
    # ESLint's default (stylish) format: ``  3:35  error  'define' is not defined  no-undef``.
    r"|[ \t]+\d+:\d+ +(?:error|warning) +\S"
    # pyflakes names no code (``x.py:3:1: 'os' imported but unused``): each line a warning
    # (flake8 prints the same as ``F401``); a note (mypy's, with columns) only explains one.
    r"|\S+\.pyi?:\d+:\d+:? (?!note:)\S"
    # shellcheck's tty format: the caret under the code, then ``SC2034 (warning):`` (its
    # info and style findings are its gcc format's notes).
    r"|[ \t]*\^-*\^? SC\d{4} \((?:error|warning)\):",
    # CMake's diagnostics (``CMake Error at CMakeLists.txt:6 (find_package):``, ``CMake
    # Warning (dev) at …``, ``CMake Error in …:``, ``CMake Error: The source directory …``)
    # and its verdicts on a configure or generate step; not prose ("CMake Error messages").
    r"[ \t]*CMake (?:Error|Warning|Deprecation (?:Error|Warning))(?: \(dev\))?"
    r"(?: at \S+:\d+(?: \([\w-]+\))?| in \S+)?:(?: |$)"
    r"|-- Configuring incomplete, errors occurred!|CMake Generate step failed\.",
    # Build and deploy tools' verdicts that name no failure word the patterns above read:
    # webpack's (``Module not found: Error: Can't resolve 'x' in '/app'``, ``Module build
    # failed (from ./node_modules/babel-loader/…):``), rake's, Gradle's explanation head,
    # rspec's failed expectation, jest's head of a failed test (``  ● Suite › name``; not its
    # ``  ● Console`` of logged output), C#'s and MSBuild's coded diagnostics without a file
    # (``error CS0246: …``, ``warning MSB3277: …``).
    r"Module (?:not found: |build failed|parse failed: )|rake aborted!$"
    r"|\* What went wrong:$|[ \t]*Failure/Error: | {2}● (?!Console$)\S"
    r"|(?:error|warning) [A-Z]{2,4}\d{3,5}: \S",
    # Bundlers' diagnostics: rolldown's (vite 7 on) coded head (``[UNRESOLVED_IMPORT] Could
    # not resolve './x' in src/main.js``, ``[MISSING_EXPORT] "x" is not exported by …``; a
    # code of one word, ``[INFO]``, is a level), rollup's warning (``(!) Circular dependency``).
    r"\[[A-Z][A-Z\d]*(?:_[A-Z\d]+)+\] [A-Z\"'`]|\(!\) [A-Z]",
    # vite's verdict (``x Build failed in 1.06s``) and the head its message follows (``error
    # during build:``, ``error when starting dev server:``; see _ANNOUNCES).
    r"(?:x )?Build failed\b|error (?:during|when|while) [\w ]{1,40}:$",
    # A GitHub Actions workflow command (``::error file=app.js,line=1::Missing …``), PHPUnit's
    # failed assertion (``Failed asserting that 3 matches expected 4.``).
    r"::(?:error|warning)[ :]|Failed asserting that ",
    # ctest's verdict on a test (``6/7 Test #6: bad ....***Failed    0.05 sec``, ``***Exception:
    # SegFault``) and each line of its closing list (``\t  6 - bad (Failed)``).
    r"\d+/\d+ Test +#\d+: \S+ \.*\*\*\*(?:Failed|Exception|Timeout|Not Run)"
    r"|[ \t]+\d+ - \S+ \((?:Failed|SEGFAULT|Timeout|Not Run|Exception|ILLEGAL|OTHER_FAULT"
    r"|BUS_ERROR|NUMERICAL|INTERRUPT|Subprocess aborted|Child aborted)\)$",
    # kubectl's events (``describe``: ``  Warning  BackOff  4m (x157 over 38m)  kubelet
    # Back-off restarting failed container``) and a container's waiting or terminated state.
    r"[ \t]*Warning {2,}[A-Z]\w+ {2,}\S"
    r"|[ \t]*(?:Reason|State): +" + _STUCK + r"[ \t]*$",
    # The JVM's deadlock report (jstack, jcmd Thread.print, a SIGQUIT dump), as HotSpot
    # prints it: ``Found one Java-level deadlock:`` over the cycle, ``Found 2 deadlocks.``
    r"[ \t]*Found (?:one Java-level deadlock:|1 deadlock\.|[1-9]\d* deadlocks\.)$",
    # TAP's not ok and fail count, make's failed target, glog's error and warning lines.
    r"[ \t]*not ok \d|[ℹ#] fail [1-9]|make(?:\[\d+\])?: \*\*\* |[EFW]\d{4} \d\d:\d\d:\d\d",
    # gcc's pointer from a template's error deep in a header to the user's line that
    # instantiated it (``t.cpp:9:12:   required from here``).
    r"\S+:\d+:\d+:[ \t]+required from here$",
    # A process killed by a signal, as a shell reports it: bash's ``bash: line 1: 4242
    # Segmentation fault      (core dumped) ./t`` (the name padded to 24 columns, so
    # ``Floating point exception./t``), zsh's ``zsh: segmentation fault  ./t``; or a line
    # that is the name alone (sh's, an interactive bash's ``Aborted (core dumped)``).
    r"(?:[^\s:]+: line \d+: +\d+ +|zsh: )"
    + _SIGNALLED
    + r"|"
    + _SIGNALLED
    + r"(?: \(core dumped\))?$",
    # ... as gdb reports it (``Program received signal SIGSEGV, Segmentation fault.``,
    # ``Thread 2 "t" received signal SIGABRT, Aborted.``).
    r'(?:Program|Thread \d+ "[^"\n]*") received signal SIG|Program terminated with signal SIG',
    # The runtime's last words before it: glibc's heap and stack checks (``free(): double
    # free detected in tcache 2``, ``*** stack smashing detected ***: terminated``), a
    # failed assert(), C++'s uncaught exception, Rust's stack overflow.
    r"(?:free|malloc|realloc|munmap_chunk|malloc_consolidate)\(\): \w"
    r"|double free or corruption|corrupted size vs\. prev_size"
    r"|\*\*\* (?:stack smashing|buffer overflow) detected \*\*\*"
    r"|[^\s:]+: [^\s:]+:\d+: [^\n`]*Assertion `[^\n`]*' failed\.$"
    r"|terminate called (?:after throwing an instance of|without an active exception)"
    r"|thread '[^'\n]*'(?: \(\d+\))? has overflowed its stack$|fatal runtime error: ",
    # Valgrind's error kinds and its leak records (``==9== Invalid read of size 4``, ``==9==
    # 16 bytes in 1 blocks are definitely lost in loss record 1 of 3``).
    r"==\d+== +(?:Invalid (?:read|write) of size|Invalid free\(\)|Mismatched free\(\)"
    r"|Conditional jump or move depends on uninit|Use of uninitialised value"
    r"|Syscall param \S+ (?:points to|contains) uninit|Source and destination overlap"
    r"|Process terminating with default action of signal"
    r"|[\d,]+ (?:\([\d,]+ direct, [\d,]+ indirect\) )?bytes in [\d,]+ blocks are definitely lost)",
)
# Upper-case verdicts and levels (``FAILED``, ``ERROR``, ``=== FAILURES ===``); not a name
# in capitals ("WARNING SIGN"), nor a licence's "THE PRESENCE OR ABSENCE OF ERRORS".
_VERDICT = re.compile(
    r"[CEFPSW](?<![\w.$-].)(?<!OF .)(?:(?<=F)(?:AIL(?:ED|URES?)?|ATAL)|(?<=E)RRORS?|(?<=P)ANIC"
    r"|(?<=C)RITICAL|(?<=S)EVERE|(?<=W)ARN(?:INGS?)?)(?![\w-])(?! [A-Z][A-Z]+\b)"
)
# What else only a report spells, each tried only on lines that hold one of its words (a
# substring test is far cheaper than a pattern's search; case-folded words when the
# pattern ignores case).
_GATED = (
    # An exception or a warning raised, with its message (``ZeroDivisionError: division by
    # zero``, ``Caused by: java.io.IOException: x``, ``AssertionError [ERR_ASSERTION]: …``):
    # a class's name, capitalised or after a module's; not a handler's (``onError: (e) =>``).
    (
        ("Error", "Exception", "Warning", "Failure"),
        False,
        r"[A-Za-z_$](?<![\w.$][A-Za-z_$])(?:(?<=[A-Z])|(?=[\w$]*\.))[\w$.]*"
        r"(?:Error|Exception|Warning|Failure)"
        r"(?: \[\w+\])?: +\S",
    ),
    # Tracebacks and test runners' marks.
    (
        ("Traceback", "panicked", "✖", "✗", "✘", "Test Failed", "had failures"),
        False,
        r"Traceback \(most recent call last\)|panicked at\b|[✖✗✘](?<!\S.)(?!\S)"
        r"|\*\*\*Test Failed\*\*\*|had failures:",
    ),
    # Counts of failures that are not zero (``4 failed``, ``1 error``, ``Failures: 1``,
    # ``errors=2``), as a tool prints them: the count opens the line or a clause (after a
    # mark: ``= 4 failed``, ``(3 errors``, ``, 1 failed``) or follows the summary's verb
    # (``Found 28 errors``, ``2 passed and 1 failed``, ``compiled with 3 errors``). A number
    # after another word qualifies the noun ("Google 404 errors", "OpenJDK 17 failures").
    (
        ("fail", "error", "warning"),
        True,
        r"(?:^|[^\w\s]|(?<![\w-])(?i:found|and|with|were|was|had|generated) )[ \t]*"
        r"(?:[1-9]\d* (?i:errors|failures|failed|failing|warnings)|1 (?i:error|failure|warning))"
        r"\b",
    ),
    (
        ("fail", "error"),
        True,
        r"[FfEe](?:(?<=[Ff])(?i:ailures|ailed)|(?<=[Ee])(?i:rrors))[=:] ?[1-9]",
    ),
    # A system call's failure as C's strerror words it, ending a tool's message
    # (``make: x: No such file or directory``, ``sh: 1: foo: not found``).
    (
        ("no such file", "permission denied", "connection refused", "not found"),
        True,
        r"\S: (?:No such file or directory|Permission denied|Connection refused)$"
        r"|^[\w./-]+: (?:line \d+: |\d+: )?\S+: (?:command )?not found$",
    ),
    # Non-zero exits.
    (
        ("exit", "returned", "error code", "] error", "undefined reference", "because of errors"),
        True,
        r"(?i:non-zero exit|exit (?:code|status)[:=]? ?[1-9]|exited with (?:code |status )?[1-9]"
        r"|returned [1-9]\d* exit status|error code \(?[1-9])"
        r"|\] Error [1-9]\d*$|undefined reference to |because of errors",
    ),
    # Levels in a structured log line (``ts=… level=error``, ``{"severity": "error", …}``,
    # ECS's ``"log.level": "error"``, Serilog's ``"@l":"Error"``, log15's ``lvl=eror``;
    # not a record's field on a line of its own: an advisory's severity), ``[error]``,
    # JUnit's XML.
    (
        ("level", "lvl", "severity", '"@l"', "[", "<"),
        True,
        # After a field's value (logrus: ``time="…" level=error``), never inside the key's
        # own quotes (``  "level": "error"``: a record's field on a line of its own).
        r"(?:(?<=[,{;])|(?<=[,{;] )|(?<=[^ \t] ))"
        r"(?i:[\"']?(?:level|lvl|severity|levelname|loglevel|log\.level|@l)[\"']?"
        r"[ \t]*[=:][ \t]*[\"']?"
        r"(?:error|err|eror|fatal|crit|critical|warn|warning|panic|emerg|alert)\b)"
        # pino's and bunyan's numbered levels: 40 warn, 50 error, 60 fatal.
        r"|\"level\": ?[456]0[,}]"
        r"|(?i:[\[<](?:error|err|fatal|crit|critical|warn|warning|fail|failed|failure)[\]>])"
        r"|<(?:failure|error)\b",
    ),
    # CPython's last words before a crash, wherever they start (pytest -v writes them after
    # the test's name: ``t.py::test_x Fatal Python error: Segmentation fault``).
    (("Fatal Python error",), False, r"Fatal Python error: \S"),
    # kubectl's tables: an event's row (``get events``: ``3m  Warning  BackOff  pod/web-1
    # Back-off …``) and a pod's status (``web-1  0/1  CrashLoopBackOff  5  3m``), in columns.
    # Columns apart by two spaces or tabs (describe's older tab-set events: ``1m\t\t48s\t\t7\t
    # {default-scheduler }\t\t\tWarning\t\tFailedScheduling\t…``); rows without a type's
    # column name the reason alone (``BackOff``, ``FailedMount``, ``Unhealthy``).
    (
        (
            *("warning", "backoff", "errimage", "oomkilled", "containererror", "configerror"),
            *("failed", "unhealthy"),
        ),
        True,
        r"\S" + _COLUMN_GAP + r"(?:Warning" + _COLUMN_GAP + r"[A-Z]\w+" + _COLUMN_GAP + r"\S|"
        r"(?:BackOff|Failed(?:[A-Z]\w*)?|Unhealthy)"
        + _COLUMN_GAP
        + r"[A-Z]\S* \S|"
        + _STUCK
        + r"(?:(?:\t| {2})|$))",
    ),
)
_GATES = tuple((words, folded, re.compile(pattern)) for words, folded, pattern in _GATED)
# What every match of a gate's pattern holds, found fast: the pattern tries each of its
# alternatives at every character (its first ones may start anywhere, or ignore case),
# each of these starts with a literal or a few characters, so on a long line (a chat's
# message as a JSON string) most gates are ruled out by a scan many times faster.
_CORES = {
    # The name's end and the colon after it, whatever name it ends.
    0: r"(?:Error|Exception|Warning|Failure)(?: \[\w+\])?: +\S",
    # The count's last digit and its noun (the case-blind "fail" covers failures, failed,
    # failing): not the whole count, which re would read again from each of its digits.
    2: r"\d (?i:error|fail|warning)",
    4: r": (?:No such file or directory|Permission denied|Connection refused)$"
    r"|^[\w./-]+: (?:line \d+: |\d+: )?\S+: (?:command )?not found$",
    # Each alternative past its first character (which these are, case-blind).
    5: r"[nNeErR\]ub](?:(?i:on-zero exit|xit (?:code|status)[:=]? ?[1-9]"
    r"|xited with (?:code |status )?[1-9]|eturned [1-9]\d* exit status|rror code \(?[1-9])"
    r"| Error [1-9]\d*$|ndefined reference to |ecause of errors)",
    # A level's field and its separator ("loglevel" ends in "level"), or a bracketed
    # level, past a first character that ignores case as the pattern does ("ſ" is an "s").
    6: r"[lLsSſ\[<](?:(?i:evel|vl|everity|evelname)[\"']?[ \t]*[=:]|(?i:err|fatal|crit|warn|fail))"
    r"|@[lL][\"']?[ \t]*[=:]",
}
# An operand under a failed assertion: Rust's ``  left: 3`` and `` right: 4``.
_OPERAND = re.compile(r" {1,2}(?:left|right): \S")
_LONG = 500  # characters: from this length on, a line is scanned for a gate's core first


def _cored(core: re.Pattern[str], pattern: re.Pattern[str]) -> Callable[[str], object]:
    """``pattern.search``, tried only on a line where ``core`` (which each match holds) is."""
    return lambda line: core.search(line) and pattern.search(line)


# The gates for a long line: each pattern behind its core, where it has one.
_LONG_GATES = tuple(
    (words, folded, _cored(re.compile(_CORES[k]), pattern) if k in _CORES else pattern.search)
    for k, (words, folded, pattern) in enumerate(_GATES)
)
# What a line may stand behind and still report as it would alone: a markdown quote (``>
# error: could not compile``, nested too), a box's left bar (terraform's ``│ Error: …``,
# indented under PHPUnit's testdox ``✘ name``: ``   │ Failed asserting that …``);
# a line bold as a whole (``**error CS0246: …**``; not a bold label, a doc's ``**Warning:**``).
_QUOTE = re.compile(r"[ \t]*+[│┃] ?(?:[>│┃] ?)*+|(?:[>│┃] ?)++|\*\*(?=[^*\n]*\*\*[ \t]*$)")
# What a log line may stand behind and still report as it would alone: a timestamp (GitHub
# Actions' ``2024-05-01T12:00:00.1234567Z ``, Jenkins' ``[12:00:00] ``), ``gh run view
# --log``'s job and step before it (``build<TAB>Run tests<TAB>``), a compose service's bar
# (``web-1  | ``), ``kubectl logs --prefix``'s ``[pod/web-1/app] ``, BuildKit's step and
# seconds (``#8 0.512 ``). Each is a line's start that says when or where, never what.
_BEHIND = (
    rf"(?:\[?(?:{_STAMP})\]?[ \t]"  # one blank: the line's own indent is its start
    r"|[^\t\n]{1,100}\t[^\t\n]{1,100}\t(?=\d{4}-\d\d-\d\dT)"
    r"|[\w.-]+[-_]\d+ +\| |\[pod/[^\]\s]+\] |#\d+ \d+\.\d+ )"
)
_BEHIND_START = re.compile(_BEHIND + "+")
_ASSERTION = re.compile(r"[ \t]+assert\b")
_GOES_ON = ("(", "[", "{", ",", "\\")  # a statement whose next lines go on ends with one
# A line of Python pytest may show, at most this long (a longer one is parsed no faster).
_PYTEST_SOURCE = re.compile(r"[^\n]{1,400}")
_FAILURE_HEAD = re.compile("|".join(f"(?:{p})" for p in _HEADS))
# Every failure line starts like this or holds one of _FAILURE_WORDS (case folded):
# str.find and a pattern anchored at line starts run through a text many times faster than
# the patterns above, so only the lines they find are tested.
_FAILURE_HEADS = (
    # Behind a quote's marks or a box's bar (see _QUOTE) as well: possessive, so a run of
    # marks is read once (its alternatives tried where it ends, not at each mark); a mark
    # before three spaces is pytest's source line, "> {3}" below.
    r"(?:[>│┃](?! {3}) ?)*+"
    # Behind a log line's prefix (see _BEHIND): not possessive, a frame's ``#3 `` is no step.
    + _BEHIND
    + r"*"
    r'(?:[ \t]*(?:File "|at |\.\.\. \d|--> |assert\b|not ok |× |#\d)|==\d|> {3}|E {2}|[EW]: |npm |'
    r"Caused by|The above|During handling|\S+:\d+: in |[A-Z]{1,4}\d{2,4} "
    r"|\S+:\d+:\d+:(?: [A-Z]|[ \t]+required from here)|\S+:\d+: \[|SUMMARY: |[ℹ#] fail|make"
    r"|[EFW]\d{4} |[ \t]+\d+:\d+ [A-Z]|goroutine|\S+\.pyi?:\d+:\d+:? \S"
    # A process's death (see _HEADS): a shell's report, gdb's, the runtime's last words.
    r"|[^\s:]+: line \d+: |zsh: |" + _SIGNALLED + r'|Program |Thread \d+ "|\*\*\* '
    r"|(?:free|malloc|realloc|munmap_chunk|malloc_consolidate)\(\)|double free|corrupted "
    r"|terminate called|thread '|Module |rake aborted|\* What| {2}● |(?:error|warning) [A-Z]"
    r"|\[[A-Z][A-Z\d]*_|\(!\) |::|\d+/\d+ Test|[ \t]+\d+ - |x Build"
    r"|[ \t]*Failure/|[ \t]*Found )"
)
_FAILURE_START = re.compile("^" + _FAILURE_HEADS, re.MULTILINE)
# The same after a line feed: a pattern that starts with a character is searched for by
# that character, where one that starts with "^" is tried at every position.
_FAILURE_AFTER_BREAK = re.compile("\n" + _FAILURE_HEADS)
_FAILURE_WORDS = (
    *("error", "exception", "warn", "fail", "fatal", "panic", "critical", "severe"),
    *("traceback", "interrupt", "exit", "returned", "undefined reference", "✖", "✗", "✘"),
    *("level", "lvl", "severity", "[err", "<err", "[crit", "<crit"),
    *("cannot", "can't", "could not", "couldn't", "unable to"),
    *("no such file", "permission denied", "connection refused", "not found"),
    *("backoff", "errimage", "oomkilled"),  # kubernetes' states of a container it cannot run
)
# With lower(), these make a plain match equal re.IGNORECASE's (which equates them with
# ASCII letters); "İ" would also lower to two characters.
FOLD_CASE = str.maketrans({"İ": "i", "ı": "i", "ſ": "s"})

# The label above failure lines put back where no kept line places them.
RESTORED = "[… failure lines from elsewhere in the original:]"
# A marker counting the input lines of a gap: ``[… 12 lines]``, or prose's last one, ``[… 2
# more lines (6 of 137 in all) omitted — …]``, which also counts every line left out.
_GAP = re.compile(
    r"\[… (?P<count>\d{1,9})(?: lines?\]| more lines? \((?P<all>\d{1,9}) of (?P<total>\d{1,9})"
    r" in all\)(?P<rest> [^\n]*\]))"
)
_WIDE = 2_000  # characters: a longer line is cut by the fallback for a text of few lines
_LONG_LINE = 1_000  # characters: is_failure's answer for a longer line is remembered
# Texts whose failure candidates one compression remembers are at most this long: a longer
# one's joined lines are not held on to until it ends.
_REMEMBERED_CHARS = 1_000_000
_SPACE = re.compile(r"\s+")
_FOLD = re.compile(r"^\[×\d+ like: (.+?); first and last:\]", re.MULTILINE)
_SUMMARY = re.compile(r"^\[… [\d,]+ of [\d,]+ ")
_LINES_LEFT = re.compile(r"^\[… (\d+) lines?(?:\]|,)")
_FOLD_COUNT = re.compile(r"^\[×(\d+)")
_WILDCARD = re.compile(r"<(?:\*|n|v|ts|id|ip|hex)>")
# A quoted string: a message's content in JSON, a str or bytes literal in a repr. It opens
# where no backslash or letter precedes the quote (an apostrophe in a word does not) and
# never backtracks, so a line of quotes is read once.
_QUOTED = (
    re.compile(r'(?<![\\\w])[bBrRuU]?"(?:[^"\\\n]|\\.)*+"'),
    re.compile(r"(?<![\\\w])[bBrRuU]?'(?:[^'\\\n]|\\.)*+'"),
)
_ANY_QUOTED = re.compile("|".join(p.pattern for p in _QUOTED))
# The escapes repr() writes in a str or bytes literal, and characters that Python's tokenizer
# reads apart in one (controls, line and paragraph separators, surrogates, a byte-order mark).
_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|[nrt\\'\"])")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", "'": "'", '"': '"'}
# Terminal escapes: ECMA-48 control sequences (ESC [, parameter bytes, intermediate bytes, a
# final byte); operating system commands (ESC ], up to BEL or ESC \\: rich's OSC 8 links,
# window titles); a character set's designation (ESC ( B, which tput sgr0 writes first).
_CONTROL_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()*+][ -~])"
)
# A failure line whose message is the next line (Rust's panic, C++'s ``  what():  …``, vite's
# ``error during build:`` over ``Could not resolve "./x" from "src/main.js"``).
_ANNOUNCES = re.compile(
    r"panicked at [^\s:]+:\d+:\d+:$|^terminate called after throwing an instance of '[^'\n]*'$"
    r"|^error (?:during|when|while) [\w ]{1,40}:$"
)
# One of pytest's E lines with its text, the spaces before it captured.
_PYTEST_E = re.compile(r"E( {2,})\S")
_AWKWARD = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff]")


def is_failure(line: str) -> bool:
    """Whether a line reports a failure, wherever it stands (a log, a report, a chat).

    An error, an exception, a FAIL, an assertion, a traceback frame, a warning, a non-zero
    exit: as tools print them (``file:3:1: error:``, ``E   assert``, ``Traceback (most
    recent call last):``, ``make: *** [...] Error 1``, ``ERROR``, ``✖ name``), not as prose
    mentions them ("a fast memory error detector"); in colour too (read without its codes).
    """
    if "\x1b" in line:
        line = uncoloured(line)
    if len(line) >= _LONG_LINE:
        return _is_long_failure(line)
    return line_answer(_is_failure, line)


def uncoloured(line: str) -> str:
    """``line`` without its terminal escapes (colours, ``ESC[K``, ``ESC(B``, OSC 8 links).

    A tool writing to a terminal, or told to (gcc -fdiagnostics-color, cargo --color=always,
    pytest --color=yes, FORCE_COLOR), wraps its words in them: ``ESC[01;31mERROR`` holds no
    word "error" after a word boundary.
    """
    return _CONTROL_SEQUENCE.sub("", line)


@once
def _is_long_failure(line: str) -> bool:
    """:func:`is_failure` of a long line, answered once per compression.

    The patterns read all of it, and the scans and checks of a compression ask of the same
    lines: a JSON line holding a README took a millisecond, asked up to three times.
    """
    return _is_failure(line)


def _asserts(line: str) -> bool:
    """Whether an indented line is an assertion (a traceback's source line), not prose.

    ``assert x == 1``, ``assert(p != NULL);``, ``assert.equal(a, b)``: what follows the word
    parses as code, or goes on over the next lines; a licence's "assert or imply any
    connection with" does not.
    """
    if _ASSERTION.match(line) is None:
        return False
    statement = line.strip()
    if not statement[6:7].isspace():
        return True
    try:
        ast.parse(statement)
    except (SyntaxError, ValueError):
        return statement.endswith(_GOES_ON)
    return True


def _pytest_source(line: str) -> bool:
    """Whether a line is pytest's failing source line (``>       assert x == 1``), not a quote.

    pytest writes the line that raised under a ``>`` in its indent's first column: what
    follows parses as Python, opens a block (``with pytest.raises(E):``) or goes on over the
    next lines; a markdown quote's indented sentence (``>    rules.``, ``>    Note``) does not,
    or is one bare word.
    """
    statement = line[1:].strip()
    if _PYTEST_SOURCE.fullmatch(statement) is None:
        return False
    for source in (statement, statement + "\n pass"):
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        only = tree.body[0] if len(tree.body) == 1 else None
        return not (isinstance(only, ast.Expr) and isinstance(only.value, ast.Name | ast.Constant))
    return statement.endswith(_GOES_ON)


def _is_failure(line: str) -> bool:
    # Most lines neither start like a failure line nor hold one of its words: two cheap
    # tests rule them out before the patterns run.
    if _FAILURE_START.match(line) is None:
        lowered = _folded(line)
        if not any(word in lowered for word in _FAILURE_WORDS):
            return False
    if _FAILURE_HEAD.match(line) or _VERDICT.search(line) or _asserts(line):
        return True
    if line.startswith(">   ") and _pytest_source(line):
        return True
    behind = _BEHIND_START.match(line)
    if behind is not None and _is_failure(line[behind.end() :]):
        return True
    quote = _QUOTE.match(line)
    if quote is not None:
        unquoted = line[quote.end() :]
        if _FAILURE_HEAD.match(unquoted) or _asserts(unquoted):
            return True
    lower = line.lower()
    if len(line) >= _LONG:
        return any(
            any(word in (lower if folded else line) for word in words) and search(line)
            for words, folded, search in _LONG_GATES
        )
    return any(
        any(word in (lower if folded else line) for word in words) and pattern.search(line)
        for words, folded, pattern in _GATES
    )


def is_source(transforms: list[str]) -> bool:
    """Whether a compression's ``transforms`` say its content was source code (exempt from 3)."""
    return bool(transforms) and transforms[0].split(":", 1)[0] in SOURCE_KINDS


def reports_failures(text: str, transforms: list[str]) -> bool:
    """Whether ``text``, compressed by ``transforms``, reports a failure (not source code)."""
    return not is_source(transforms) and bool(find_failures(text))


@dataclass(frozen=True, slots=True)
class Failure:
    """A failure the guarantee tracks: an input line, or a line inside a quoted string.

    Attributes:
        line: Index of the input line (``str.splitlines``) that holds it.
        text: The failure line; inside a quoted string (a message's JSON content, a repr),
            that string's line, unescaped.
        part: 0 for a whole input line; else its place among the quoted lines, from 1.
    """

    line: int
    text: str
    part: int = 0


def failures(text: str) -> list[str]:
    """The failure lines of ``text``, in order (quoted ones unescaped)."""
    return [found.text for found in find_failures(text)]


@once
def find_failures(text: str) -> list[Failure]:
    """The failures of ``text``: its failure lines, and failure lines inside its quoted strings.

    A line holding a quoted string with escaped line breaks (a tool result inside a JSON
    message, a repr) is read as the lines of that string: the failure is the line of the
    string that reports it, which a compressor may show unescaped. Found once per
    compression (each level's check and the budget's read the same original); callers must
    not change the list.
    """
    framed = panel_lines(text)
    if framed:
        outside = [f for f in _failures(text) if f.line not in framed]
        inside = [Failure(i, line, 1) for i, line in framed.items() if is_failure(line)]
        return sorted(outside + inside, key=lambda f: (f.line, f.part))
    return _failures(text)


def _failures(text: str) -> list[Failure]:
    lines = text.splitlines()
    # A line too long to keep (a document on one line) is read by its strings' lines.
    wide = {i for i, line in enumerate(lines) if len(line) >= VIEW_CHARS}
    if "\\n" not in text and not wide:  # no quoted lines: the lines are all
        return [Failure(i, lines[i]) for i in sorted(failing_lines_of(text))]
    quoting = wide.union(i for i, line in enumerate(lines) if "\\n" in line)
    strings_of = {i: quoted_lines(lines[i], every=i in wide) for i in quoting}
    inside = {i: _quoted_failing(lines[i], every=i in wide) for i in quoting if strings_of[i]}
    # A line read by its strings' failures needs no test of its own (a long line's costs
    # more than counting its tokens), unless its answer would bring the lines under it.
    settled = {i for i, failing in inside.items() if failing and not _reaches_next(lines, i)}
    # The failure lines themselves are found once per compression: a compressor asks too.
    whole = _failing_among(text, frozenset(settled)) if settled else failing_lines_of(text)
    found: list[Failure] = []
    for i in sorted(quoting.union(whole)):
        line = lines[i]
        quoted = strings_of.get(i, [])
        failing = inside.get(i, frozenset())
        if failing:
            found.extend(
                Failure(i, part, k) for k, part in enumerate(quoted, 1) if k - 1 in failing
            )
        elif i in whole:
            found.append(Failure(i, line))
    return found  # failing_lines_of has left out pytest's elaborations, added announced lines


@once
def _quoted_failing(line: str, *, every: bool) -> frozenset[int]:
    """:func:`failing_lines` of the :func:`quoted_lines` of ``line``, once per compression.

    Each turn's check and the whole chat's read the same lines.
    """
    lines, spans = _quoted(line, every=every)
    # The scan of each string's lines, not of all joined: a string is a message a chat's
    # turn held, whose lines its check has scanned. A string of one line is tested alone.
    candidates: list[int] = []
    for at, size in spans:
        if size == 1:
            candidates.append(at)
        else:
            part = lines[at : at + size]
            candidates.extend(at + k for k in failure_candidates("\n".join(part), part))
    return frozenset(_failing_in(lines, candidates))


@once
def failing_lines_of(text: str) -> frozenset[int]:
    """Indices of the lines of ``text`` (``str.splitlines``) that report a failure.

    Found once per compression: the compressor that keeps them and the guarantee check that
    puts back what it dropped read the same text.
    """
    return _failing_among(text, frozenset())


def _failing_among(text: str, settled: frozenset[int]) -> frozenset[int]:
    """:func:`failing_lines_of`, but for the lines ``settled``, which are not tested.

    Right for every other line when no settled line is a pytest ``E`` line, announces the
    line under it or has an operand under it (:func:`_reaches_next`).
    """
    lines = text.splitlines()
    if settled:  # their lines blank: the scan reads only the others
        blanked = [line if i not in settled else "" for i, line in enumerate(lines)]
        candidates = failure_candidates("\n".join(blanked), blanked)
    else:
        candidates = failure_candidates(text, lines)
    return frozenset(_failing_in(lines, candidates))


def _reaches_next(lines: list[str], i: int) -> bool:
    """Whether line ``i`` reporting a failure would make others do so, or elaborate one.

    A pytest ``E`` line (:func:`elaborations`), a Rust panic announcing its message
    (:func:`announced`), a failed assertion with its operands under it
    (:func:`with_operands`).
    """
    line = lines[i]
    return (
        _PYTEST_E.match(unprefixed(line)) is not None
        or announces(line)
        or (i + 1 < len(lines) and _OPERAND.match(lines[i + 1]) is not None)
    )


def with_operands(lines: list[str], failing: set[int]) -> set[int]:
    """``failing`` (indices of ``lines``) and the operand lines under each of them.

    Rust's ``assert_eq!`` prints what it compared under the failure line, aligned
    (``  left: 3`` then `` right: 4``): the expected value is the failure's content, and
    ``left:`` alone is no report (a stylesheet's or a YAML document's key).
    """
    operands = set()
    for i in failing:
        j = i + 1
        while j < len(lines) and j - i <= 2 and _OPERAND.match(lines[j]):
            operands.add(j)
            j += 1
    return failing | operands


def failure_candidates(text: str, lines: list[str], also: tuple[str, ...] = ()) -> list[int]:
    """Indices of ``lines`` (``text`` split) that may report a failure, or hold ``also``.

    Every line :func:`is_failure` accepts is among them; most lines of a text are not, and
    one scan finds the others far faster than testing each line. ``also``: lower-case
    words, found case-folded as the failure words are. The scan's answer is remembered for
    the compression (a part's check, the whole text's and a compressor's read the same
    text), and answers a later call on the same lines for fewer words (a compressor's scan
    for its words serves the check's): callers must test the lines and not change the list.
    """
    if "\x1b" in text:
        also = (*also, "\x1b")  # a coloured line may start like a failure after its codes
    if OTHER_BREAKS.search(text):
        return [
            i
            for i, line in enumerate(lines)
            if is_failure(line) or (also and any(map(_folded(line).__contains__, also)))
        ]
    # Split at line feeds alone, the lines are the text's but for a last empty one.
    # Per text: each scan's words and what it found.
    known = cast("dict[object, list[tuple[tuple[str, ...], list[int]]]] | None", answers(_scan))
    # A line feed after the last line adds no line and holds no word: the lines, the key.
    key = (text[:-1] if text.endswith("\n") else text, len(lines))
    scans = [] if known is None else known.setdefault(key, [])
    for words, found in scans:
        if set(also) <= set(words):
            return found
    found = _scan(text, lines, also)
    if len(text) <= _REMEMBERED_CHARS:
        scans.append((also, found))
    return found


def _scan(text: str, lines: list[str], also: tuple[str, ...]) -> list[int]:
    """:func:`failure_candidates` of a text split at line feeds alone, not remembered."""
    starts = list(accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
    hit = lines_holding(text, starts, _scanned_words(also))
    hit.update(bisect_right(starts, at) - 1 for at in _failure_starts(text))
    return sorted(i for i in hit if i < len(lines))


@functools.cache
def _scanned_words(also: tuple[str, ...]) -> tuple[str, ...]:
    """The failure words, then those of ``also`` that hold none of them.

    A line holding such a word holds the failure word in it, and each word costs a scan.
    """
    return (*_FAILURE_WORDS, *(w for w in also if not any(f in w for f in _FAILURE_WORDS)))


def starts_like_failure(line: str) -> bool:
    """Whether ``line`` starts as some failure lines do: without it, one names a failure word.

    (A line that neither starts so nor holds one of the words is no failure line.)
    """
    return _FAILURE_START.match(line) is not None


def failure_line_starts(text: str) -> list[int]:
    """Where the lines of ``text`` (``str.splitlines``') that report a failure start.

    Ascending. The scan of :func:`failure_candidates`, by offsets: a document of millions of
    lines is not split into them.
    """
    folded = _folded(text)
    hit = set(_failure_starts(text))
    # The scan reads line feeds alone: a line after another break is a candidate too.
    hit.update(m.end() for m in OTHER_BREAKS.finditer(text))
    for word in _FAILURE_WORDS:
        at = folded.find(word)
        while at >= 0:
            hit.add(line_start(text, at))
            end = line_end(text, at)
            at = folded.find(word, end) if end < len(text) else -1
    return sorted(start for start in hit if is_failure(text[start : line_end(text, start)]))


def _failure_starts(text: str) -> Iterator[int]:
    """Where the lines of ``text`` that _FAILURE_START matches start."""
    if _FAILURE_START.match(text):
        yield 0
    for match in _FAILURE_AFTER_BREAK.finditer(text):
        yield match.start() + 1


def failing_lines(lines: list[str]) -> set[int]:
    """Indices of ``lines`` that report a failure (:func:`is_failure`), found in one scan."""
    return _failing_in(lines, failure_candidates("\n".join(lines), lines))


def _failing_in(lines: list[str], candidates: Iterable[int]) -> set[int]:
    """Indices of ``lines`` that report a failure, of ``candidates`` (ascending, every one)."""
    found = [i for i in candidates if is_failure(lines[i])]
    bodies = unprefixed_lines(lines, found)  # a run in a CI log: read as the tool wrote it
    failing = set(found).difference(elaborations(lines, found)).union(announced(bodies, found))
    failing.update(strace_failures(lines))  # a traced command's own failed calls
    failing.update(numbered_failures(bodies, found))  # the tests mocha, PHPUnit count as failed
    failing.update(go_test_messages(bodies, found))  # what a test go counts as failed logged
    return with_operands(bodies, failing)


def unprefixed_lines(lines: list[str], among: Iterable[int]) -> list[str]:
    """``lines`` past their prefixes (:func:`unprefixed`) when one of ``among`` has one.

    Else ``lines`` itself: most texts have no line behind a CI log's timestamp, and the
    lines a rule reads by their place (under a summary, after a head) are read as written.
    """
    if not any(_BEHIND_START.match(lines[i]) for i in among):
        return lines
    return [unprefixed(line) for line in lines]


def announced(lines: list[str], found: list[int]) -> set[int]:
    """The lines after those among ``found`` that announce their message on the next line.

    Rust (1.73 on) writes a panic's message under ``thread 'main' panicked at src/x.rs:1:63:``
    (``index out of bounds: the len is 0 but the index is 7``): the failure is both lines.
    """
    return {
        i + 1 for i in found if i + 1 < len(lines) and lines[i + 1].strip() and announces(lines[i])
    }


def announces(line: str) -> bool:
    """Whether a failure line gives its message on the next line (Rust's panic, C++'s terminate)."""
    return _ANNOUNCES.search(line) is not None


def elaborations(lines: list[str], found: list[int]) -> set[int]:
    """The lines among ``found`` (ascending) that elaborate a pytest failure, not report it.

    pytest writes a failure's ``E`` lines as a block: at the block's first column the
    exception or the assertion (``E       assert a == b``) and its message's lines; one
    column in, the values its terms stood for (``E        +  where 4 = len(rows)``); two
    columns in, its explanation's sentences (``E         At index 43 diff: 43 != 999``);
    the rest is data that a budget may cut with a marker: the values compared (``E
    {'key_043': …}``), a diff's lines (``E         - 'price': 999.99,``) and its context
    deeper in. A line that reports a failure by what it says stays one wherever it stands.
    """
    detail: set[int] = set()
    last = head = -1  # the last E line read, and the head column of its block
    for i in found:
        body = unprefixed(lines[i])  # a CI log's timestamp stands before each E line
        match = _PYTEST_E.match(body)
        if match is None:
            continue
        if last < 0 or not all(_in_e_block(unprefixed(lines[k])) for k in range(last + 1, i)):
            start = i  # a new block: its head column is its first E line's
            while start and _in_e_block(unprefixed(lines[start - 1])):
                start -= 1
            opening = next(
                m for k in range(start, i + 1) if (m := _PYTEST_E.match(unprefixed(lines[k])))
            )
            head = len(opening[1])
        last = i
        column = len(match[1])
        sentence = column == head + 2 and body[1 + column].isalpha()
        # One column in: the assertion's rewritten values (``E        +  where 4 = len(x)``).
        if column > head + 1 and not sentence and not is_failure(body[1:]):
            detail.add(i)
    return detail


def unprefixed(line: str) -> str:
    """``line`` past a log line's prefix: its timestamp, job and step, or service's name."""
    behind = _BEHIND_START.match(line)
    return line if behind is None else line[behind.end() :]


def _in_e_block(line: str) -> bool:
    """Whether ``line`` is one of pytest's ``E`` lines (a blank one too), or a marker.

    A compressed form's marker (``[… 3 lines]``) stands for E lines left out of a block.
    """
    return line.startswith("E ") or line == "E" or is_marker(line)


def failing_strings(values: list[str]) -> dict[int, list[str]]:
    """For each of ``values`` (a document's string values) holding failure lines, those lines.

    Keyed by the value's index; its lines are ``str.splitlines``'s. One scan over the values
    joined finds the few that hold one; only those are split and tested.
    """
    joined = "\n".join(values)
    starts = list(accumulate((len(value) + 1 for value in values[:-1]), initial=0))
    candidates = {bisect_right(starts, at) - 1 for at in failure_line_starts(joined)}
    found: dict[int, list[str]] = {}
    for k in sorted(candidates):
        lines = values[k].splitlines()
        failing = failing_lines(lines)
        if failing:
            found[k] = [lines[i] for i in sorted(failing)]
    return found


def lines_holding(text: str, starts: list[int], words: tuple[str, ...]) -> set[int]:
    """Indices of the lines (starting at ``starts`` in ``text``) that hold one of ``words``.

    ``words`` are lower-case; the text is case-folded. ``str.find`` runs through a text many
    times faster than a pattern does, and each line is searched at most once per word.
    """
    folded = _folded(text)
    hit: set[int] = set()
    for word in words:
        at = folded.find(word)
        while at >= 0:
            line = bisect_right(starts, at) - 1
            hit.add(line)
            at = folded.find(word, starts[line + 1] if line + 1 < len(starts) else len(folded))
    return hit


def _folded(text: str) -> str:
    """``text`` in lower case, as re.IGNORECASE equates letters with ASCII ones.

    Folding keeps every character's length, so offsets in the folded text are offsets in
    ``text``.
    """
    return (text.translate(FOLD_CASE) if any(c in text for c in "İıſ") else text).lower()


def quoted_lines(line: str, *, every: bool = False) -> list[str]:
    """The lines of the quoted strings in ``line`` that span lines once unescaped.

    JSON strings, Python string and bytes literals, read from the left as a tokenizer reads
    them: a repr quotes a string holding an apostrophe in double quotes among its
    single-quoted ones, and a JSON string's apostrophes are inside the string. A string that
    does not parse is passed over. ``every``: the strings of one line too. Read once per
    compression (finding failures and placing them read the same lines); callers must not
    change the list.
    """
    return _quoted(line, every=every)[0]


@once
def _quoted(line: str, *, every: bool = False) -> tuple[list[str], list[tuple[int, int]]]:
    """:func:`quoted_lines`, and where each string's lines start among them and how many."""
    pattern = _QUOTED[0] if "'" not in line else _QUOTED[1] if '"' not in line else _ANY_QUOTED
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(line):
        if not every and "\\n" not in match.group():
            continue  # a string of one line: the line itself is checked
        value = _unquote(match.group())
        if value is not None:
            parts = value.splitlines()
            if parts:
                spans.append((len(out), len(parts)))
                out.extend(parts)
    return out, spans


def _unquote(literal: str) -> str | None:
    plain = None if literal.startswith('"') else _plain_literal(literal)
    if plain is not None:
        return plain
    try:
        if literal.startswith('"'):
            value: object = json.loads(literal)
        else:
            value = ast.literal_eval(literal)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


def _plain_literal(literal: str) -> str | None:
    """A str or bytes literal of the escapes repr() writes, read as :func:`_unquote` reads it.

    None for any other (a raw one, another escape, a character the tokenizer reads apart):
    ast.literal_eval reads those, compiling each, which costs a repr of many strings (a
    tool's bytes) far more than reading it here.
    """
    prefix = literal[0] if literal[0] not in "'\"" else ""
    body = literal[len(prefix) + 1 : -1]
    if prefix in ("r", "R") or _AWKWARD.search(body) or "\\" in _ESCAPE.sub("", body):
        return None
    if prefix in ("b", "B"):
        if not body.isascii():
            return None  # bytes spell other characters by escapes (a SyntaxError)
        return _ESCAPE.sub(_escaped, body).encode("latin-1").decode("utf-8", "replace")
    return _ESCAPE.sub(_escaped, body)


def _escaped(match: re.Match[str]) -> str:
    escape = match.group()
    return chr(int(escape[2:], 16)) if escape[1] == "x" else _ESCAPES[escape[1]]


def missing_failures(original: str, compressed: str) -> list[Failure]:
    """The original's failures that the compressed text neither shows nor folds.

    Shown: the input line (spaces collapsed) is in the output, or, for a line of a quoted
    string, that line unescaped or as JSON escapes it. Folded: only a line with a leading
    timestamp, one event of a stream, may stand in a fold of its template (its count and
    first and last lines shown), and a frame of a deep recursion in the fold of its copies;
    a tool's diagnostics are each their own fact.
    """
    found = find_failures(original)
    if not found:
        return []
    from agent_baton.compress.logs import template

    lines = original.splitlines()
    flat = Contains(_SPACE.sub(" ", compressed), lambda: map(_collapsed, pieces(compressed)))
    # A line too long to keep, shown as a view (a page on one line), has no line to show:
    # its failures are the lines of its text, which its compressor keeps in the view.
    viewed = {span[1] for line in compressed.splitlines() if (span := view_span(line))}
    templates: set[str] | None = None
    folds: list[re.Pattern[str]] = []
    frames: set[str] | None = None
    missing = []
    shown: dict[int, bool] = {}  # a line of many quoted failures (a chat's) is read once
    for failure in found:
        if failure.line not in shown:
            shown[failure.line] = _collapsed(lines[failure.line]) in flat
        if shown[failure.line] or (
            not failure.part
            and len(lines[failure.line]) >= VIEW_CHARS
            and len(lines[failure.line]) in viewed
        ):
            continue
        if failure.part:
            forms = (failure.text, json.dumps(failure.text, ensure_ascii=False)[1:-1])
            if any(_collapsed(form) in flat for form in forms):
                continue
        elif TIMESTAMP.match(failure.text):
            if templates is None:
                templates = {template(line) for line in compressed.splitlines()}
                folds = [_fold_pattern(m.group(1)) for m in _FOLD.finditer(compressed)]
            masked = template(failure.text)
            if masked in templates or any(fold.search(masked) for fold in folds):
                continue
        else:
            # A frame of a deep recursion stands in its fold, as a stream's event does.
            frames = folded_frames(compressed) if frames is None else frames
            if frames and frame_key(failure.text) in frames:
                continue
        missing.append(failure)
    return missing


def _collapsed(line: str) -> str:
    """``line`` stripped, each run of spaces in it one space.

    Split and joined: str.split's whitespace is what _SPACE matches (str.isspace), and a
    line is read three times faster so than by the pattern.
    """
    return " ".join(line.split())


class Contains:
    """``part in text`` for many parts: after a few, most answered by a lookup, not a search.

    Each search reads the text: 16,000 failure lines looked for in a table of as many rows
    took 2 s. A part equal to one of ``pieces`` (each a substring of ``text``) is in it;
    only the others are searched for.
    """

    _SEARCHES = 16  # parts searched for before the pieces are gathered

    def __init__(self, text: str, pieces: Callable[[], Iterable[str]]) -> None:
        self.text = text
        self._pieces = pieces
        self._known: set[str] | None = None
        self._asked = 0

    def __contains__(self, part: str) -> bool:
        if self._known is None:
            self._asked += 1
            if self._asked > self._SEARCHES:
                self._known = set(self._pieces())
        return (self._known is not None and part in self._known) or part in self.text


def pieces(text: str) -> Iterator[str]:
    r"""Substrings of ``text`` that a kept line often equals: its lines, and their parts.

    The parts between escaped line breaks: a failure line shown in a JSON cell
    (``step 1\nError: disk full\ndone``).
    """
    for line in text.splitlines():
        yield line
        if "\\n" in line:
            yield from line.split("\\n")


def _fold_pattern(shown: str) -> re.Pattern[str]:
    """A fold's template as a pattern: ``<*>`` and the masks stand for any one word."""
    words = [r"\S+" if _WILDCARD.fullmatch(word) else re.escape(word) for word in shown.split()]
    return re.compile(r"\s+".join(words))


def restore_failures(original: str, compressed: str) -> str:
    r"""``compressed`` with the failures it lost put back, at their place if it can tell.

    An output line equal to an input line (or to a line of a quoted string in one) places
    what follows it (a failure before all of them goes first); failures when no line can be
    placed go at the end under a label, so none is lost. A failure inside a quoted string
    comes back as its line, unescaped, where that is a line the input may show (a string
    value of data: a JSON document, a repr); elsewhere (a PO file's ``msgstr "…: %m\n"``,
    a log line quoting one) as the input line that holds it, unless too long to keep.
    """
    missing = missing_failures(original, compressed)
    if any(f.part for f in missing):
        missing = _as_input_lines(original, missing)
    return put_back(original, compressed, missing)


def _as_input_lines(original: str, missing: list[Failure]) -> list[Failure]:
    """``missing`` with each quoted failure that is no input line as the line holding it."""
    allowed = input_lines(original)
    lines = original.splitlines()
    out: list[Failure] = []
    held: set[int] = set()  # input lines put back whole, once for all their failures
    for failure in missing:
        line = lines[failure.line]
        if failure.part and failure.text not in allowed and len(line) < VIEW_CHARS:
            if failure.line not in held:
                held.add(failure.line)
                out.append(Failure(failure.line, line))
        elif not (failure.line in held and failure.part):
            out.append(failure)
    return _viewed(out, allowed, lines)


def _viewed(missing: list[Failure], allowed: set[str], lines: list[str]) -> list[Failure]:
    """``missing`` with a view's label over each run of quoted failures of a line too long.

    A failure inside a string of a line too long to put back (cargo's JSON diagnostic,
    ``rendered`` with its colours, on a line of 5,000 characters) comes back unescaped: no
    input line, so a label says whose lines they re-render.
    """
    out: list[Failure] = []
    runs: list[list[Failure]] = []  # runs of such failures, each of one line's next parts
    for failure in missing:
        if not failure.part or failure.text in allowed:
            out.append(failure)
        elif runs and out[-1] is runs[-1][-1] and _follows(runs[-1][-1], failure):
            runs[-1].append(failure)
            out[-1] = failure
        else:
            runs.append([failure])
            out.append(failure)
    for run in runs:
        shown = [failure.text for failure in run]
        what = view_label(len(shown), len(lines[run[0].line]), "its failure lines")
        out[out.index(run[-1])] = Failure(run[-1].line, "\n".join([what, *shown]), run[-1].part)
    return out


def _follows(before: Failure, failure: Failure) -> bool:
    """Whether ``failure`` is the quoted line right after ``before``'s, in the same line."""
    return failure.line == before.line and failure.part == before.part + 1


def input_positions(original: str, out: list[str]) -> list[tuple[int, int] | None]:
    """Where each line of ``out`` sits in ``original``, read in order.

    (input line, 0) for an input line, (input line, k) for the k-th line of a quoted string
    in one; None for a marker or a line of the output's own.
    """
    index: dict[str, list[tuple[int, int]]] = {}
    for i, line in enumerate(original.splitlines()):
        index.setdefault(line, []).append((i, 0))
        if "\\n" in line:
            for k, part in enumerate(quoted_lines(line), 1):
                index.setdefault(part, []).append((i, k))
    position: list[tuple[int, int] | None] = []
    at = (0, 0)
    for line in out:
        candidates = [p for p in index.get(line, ()) if p >= at]
        if candidates and not is_marker(line):
            at = candidates[0]
            position.append(at)
        else:
            position.append(None)
    return position


def put_back(original: str, compressed: str, missing: list[Failure], label: str = RESTORED) -> str:
    """``compressed`` with the ``missing`` lines of ``original`` put back, at their place.

    An output line equal to an input line (or to a line of a quoted string in one) places
    what follows it (a line before all of them goes first); lines when none can be placed go
    at the end under ``label``.
    """
    if not missing:
        return compressed
    out = compressed.splitlines()
    position = input_positions(original, out)
    placed: dict[int, list[Failure]] = {}
    unplaced: list[str] = []
    for failure in missing:
        where = (failure.line, failure.part)
        before = [k for k, p in enumerate(position) if p is not None and p < where]
        after = [k for k, p in enumerate(position) if p is not None and p > where]
        if before:
            placed.setdefault(before[-1], []).append(failure)
        elif after:
            placed.setdefault(after[0] - 1, []).append(failure)
        else:
            unplaced.append(failure.text)
    total = len(original.splitlines())
    dropped: set[int] = set()
    shown: dict[int, list[str]] = {}
    for k, found in placed.items():
        shown[k] = [f.text for f in found]
        # The gap marker right after a place counted the lines now shown there.
        gap = _GAP.fullmatch(out[k + 1]) if k + 1 < len(out) else None
        if gap is None:
            continue
        # Between two input lines (or the text's end) the gap's lines are known: it is
        # split around the lines put back, each part counting the input lines it left out.
        start, end = position[k] if k >= 0 else None, total
        if k + 2 < len(out):
            following = position[k + 2]
            end = following[0] if following is not None and not following[1] else -1
        if start is not None and not start[1] and not any(f.part for f in found) and end >= 0:
            last, split = start[0], []
            for f in sorted(found, key=lambda f: f.line):
                split += [gap_marker(f.line - last - 1)] if f.line - last > 1 else []
                split.append(f.text)
                last = f.line
            shown[k] = split
            out[k + 1] = _recounted(gap, end - last - 1, len(found))
        elif int(gap["count"]) >= len(found):
            out[k + 1] = _recounted(gap, int(gap["count"]) - len(found), len(found))
        if not out[k + 1]:
            dropped.add(k + 1)
    result: list[str] = list(shown.get(-1, ()))
    for k, line in enumerate(out):
        if k not in dropped:
            result.append(line)
        result.extend(shown.get(k, ()))
    if unplaced:
        result.extend([label, *unplaced])
    return "\n".join(result)


def _recounted(gap: re.Match[str], lines: int, shown: int) -> str:
    """The gap marker ``gap`` counting ``lines`` ("" for none) once ``shown`` lines are back.

    Prose's last marker keeps what else it says (the retrieval hint) and counts the lines
    left out in all, ``shown`` fewer; with no gap left, it counts only those.
    """
    if gap["all"] is None:
        return gap_marker(lines) if lines else ""
    left_out = int(gap["all"]) - shown
    if not left_out:
        return ""
    total, rest = gap["total"], gap["rest"]
    if not lines:
        return f"[… {left_out} of {total} lines{rest}"
    more = "1 more line" if lines == 1 else f"{lines} more lines"
    return f"[… {more} ({left_out} of {total} in all){rest}"


def fallback(text: str, request: Request) -> tuple[str, str] | None:
    """The line-level fallback for text no compressor shortened; None if it cannot cut."""
    from agent_baton.compress.logs import compress_lines  # the fold is the fallback

    produced = compress_lines(text, request)
    # The fold's lines too long to keep whole (failure lines of a dump's JSON columns) cut.
    folded = produced[0] if produced is not None and len(produced[0]) < len(text) else text
    cut = cut_long_lines(folded, text, request)
    return produced if cut is None else (cut, "fallback:cut-lines")


def cut_long_lines(out: str, original: str, request: Request) -> str | None:
    """``out`` with each input line of ``original`` in it over :data:`_WIDE` characters cut.

    A cut line keeps its start and a marker counting the characters left; other lines
    (markers, folds, what a compressor re-rendered) stay. None when no line is that long.
    """
    from agent_baton.compress.prose import cut_line

    lines = out.splitlines()
    if not any(len(line) > _WIDE for line in lines):
        return None
    inputs = set(original.splitlines()) if out is not original else None
    width = max(200, _WIDE >> request.level)
    cut = [cut_line(line, width) if inputs is None or line in inputs else line for line in lines]
    return None if cut == lines else "\n".join(cut)


def input_lines(text: str) -> set[str]:
    """The lines a kept line may be: the input's own, and its string values' (for data)."""
    value = data_value(text)
    if value is NOT_DATA:
        value = line_values(text)  # a value per line (JSON Lines, printed updates)
    lines = set(text.splitlines())
    if value is not NOT_DATA and value is not None:
        lines.update(line for s in strings(value) for line in s.splitlines())
    lines.update(panel_lines(text).values())
    return lines


def unmarked_omissions(original: str, compressed: str) -> list[str]:
    """Runs of input lines that ``compressed`` left out with no true marker at their place.

    Guarantee 2 for a text whose kept lines are the input's, in order (logs, tool output,
    line extracts): the lines between two markers are one run of the input, and a marker or
    a fold stands wherever lines were left out, the end included; a run of blank lines needs
    none. Where the markers there count lines (``[… 12 lines]``, a fold's ``[×n``, which
    stands for one line at its place and at most n), the count must match, with or without
    the blank lines. A fold's last
    example, shown after it, is not read as the place it stands for. Lines that are not
    input lines (reshaped rows) are passed over.
    """
    lines = original.splitlines()
    where: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        where.setdefault(line, []).append(i)
    problems: list[str] = []
    at = -1  # the input line of the last kept line

    def check(end: int, markers: list[str]) -> None:
        left_out = end - at - 1
        if not markers:
            if any(line.strip() for line in lines[at + 1 : end]):
                problems.append(f"{left_out} lines left out unmarked after line {at + 1}")
            return
        counted = _counted(markers)
        # Blank lines need no marker: a count may leave them out.
        written = sum(1 for line in lines[at + 1 : end] if line.strip())
        if counted is not None and not (
            counted[0] <= left_out <= counted[1] or counted[0] <= written <= counted[1]
        ):
            shown = " ".join(markers)[:120]
            problems.append(f"{left_out} lines left out after line {at + 1}, marked {shown}")

    runs, trailing = _runs(compressed, where)
    for run, markers in runs:
        # Where the run's lines stand together in the input: of the places a repeated run
        # has, the one the markers' count fits, else the first.
        starts = where[run[0]][bisect_right(where[run[0]], at) :]
        # A run may have left out blank lines (they need no marker).
        places = {p: end for p in starts if (end := _run_end(lines, p, run)) >= 0}
        counted = _counted(markers) if markers else (0, 0)
        fits = [p for p in places if counted is not None and counted[0] <= p - at - 1 <= counted[1]]
        if places:
            start = (fits or list(places))[0]
            check(start, markers)
            at = places[start]
            continue
        for k, line in enumerate(run):
            found = where[line][bisect_right(where[line], at) :]
            if found:
                check(found[0], [] if k else markers)
                at = found[0]
    check(len(lines), trailing)
    return problems


def _run_end(lines: list[str], start: int, run: list[str]) -> int:
    """Where ``run`` ends in ``lines`` read from ``start``, blanks passed over; -1: not there."""
    at = start
    for line in run:
        while at < len(lines) and lines[at] != line and not lines[at].strip():
            at += 1
        if at == len(lines) or lines[at] != line:
            return -1
        at += 1
    return at - 1


def _runs(
    compressed: str, where: dict[str, list[int]]
) -> tuple[list[tuple[list[str], list[str]]], list[str]]:
    """The compressed text's input lines in runs, each with the markers before it.

    Then the markers after the last run.
    """
    runs: list[tuple[list[str], list[str]]] = []
    run: list[str] = []
    markers: list[str] = []
    example = False
    out = compressed.splitlines()
    # A view's lines are its one input line's text: one may equal another input line
    # (a ``}``), which stands nowhere near it.
    viewed = view_lines(out, where.keys())
    for k, line in enumerate(out):
        marker = is_marker(line)
        line = _whole(line, where) if not marker else line
        if marker or example or k in viewed or line not in where:
            if run:
                runs.append((run, markers))
                run, markers = [], []
            if marker:
                markers.append(line)
            # A fold's last example, on the line after it, stands at the fold.
            example = marker and FOLD_EXAMPLES.match(line) is not None
            continue
        run.append(line)
    if run:
        runs.append((run, markers))
        markers = []
    return runs, markers


def _whole(line: str, where: dict[str, list[int]]) -> str:
    """The input line a kept line cut short (``start[… n more characters …]``) came from."""
    start = cut_prefix(line)
    if start is None or line in where:
        return line
    return next((whole for whole in where if whole.startswith(start)), line)


def _counted(markers: list[str]) -> tuple[int, int] | None:
    """The fewest and most lines ``markers`` say were left out; None if one counts else.

    A summary of the whole (``[… 40 of 90 lines omitted``) counts no place: the lines before
    it (at the end, the text's last ones) are as many as it leaves to be.
    """
    low = high = 0
    for marker in markers:
        if _SUMMARY.match(marker):
            return None
        found = _LINES_LEFT.match(marker) or _FOLD_COUNT.match(marker)
        if found is None:
            return None
        count = int(found.group(1))
        if found.re is _FOLD_COUNT:
            low, high = low + 1, high + count
        else:
            low, high = low + count, high + count
    return (low, high) if low or high else None


def view_lines(lines: list[str], inputs: Iterable[str]) -> set[int]:
    """Indices of the ``lines`` of an output that views stand for, by their labels.

    A label vouches for as many lines as it says only when ``inputs`` (the input's lines)
    hold a line of the length it names, long enough to have no line to keep.
    """
    lengths = {len(line) for line in inputs if len(line) >= VIEW_CHARS}
    derived: set[int] = set()
    for i, line in enumerate(lines):
        span = view_span(line) if line.startswith("[§") else None
        if span is not None and span[1] in lengths:
            derived.update(range(i + 1, i + 1 + span[0]))
    return derived


def violations(original: str, compressed: str) -> list[str]:
    """What in ``compressed`` breaks guarantees 1 and 3, as sentences (empty when none)."""
    problems = []
    inputs = input_lines(original)
    for line in original.splitlines():
        if "\\n" in line:
            inputs.update(quoted_lines(line))  # a failure restored from a quoted string
    lines = compressed.splitlines()
    derived = view_lines(lines, inputs)
    for k, line in enumerate(lines):
        if k in derived:
            continue
        kept = cut_prefix(line)
        if kept is not None and any(source.startswith(kept) for source in inputs):
            continue  # a line cut short: its start, then a marker
        if line not in inputs and not is_marker(line):
            problems.append(f"line not in the input: {line[:120]!r}")
    for failure in missing_failures(original, compressed):
        problems.append(f"failure line dropped: {failure.text[:120]!r}")
    return problems
