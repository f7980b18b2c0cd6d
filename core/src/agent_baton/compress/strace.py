"""strace output: which failed system calls are failures, and which are a program probing.

Most calls strace shows failing are how programs look for things: Python's import tries a
path per directory (1,370 ``= -1 ENOENT`` lines in a trace of one import), ``ls`` probes
its locale files, bash its terminal. Those are folded like any repeated lines. The failures
that matter are the ones on what the traced command was asked to touch: a path named in its
arguments (``ls /nonexistent`` has ``statx(AT_FDCWD, "/nonexistent", …) = -1 ENOENT``), or
named in the script it was given (``bash -c 'cd /nope'``); and a process killed by a signal
or exiting non-zero. Those lines are failure lines, kept as every failure is; they were
folded with the probes (``ls /nonexistent``'s two ``statx`` lines, ``cat``'s ``openat``).
"""

from __future__ import annotations

import re

# A traced call's line: a pid (``-f``), a time (``-t``, ``-tt``, ``-ttt``), the call's name.
_PREFIX = r"(?:\[pid +\d+\] |\d+ +)?(?:\d\d:\d\d:\d\d(?:\.\d+)? |\d+\.\d+ )?"
_EXECVE = re.compile(_PREFIX + r"execve\(\"[^\"]*\", \[(.*?)\](?:, |\))")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_FAILED = re.compile(_PREFIX + r"\w+\([^\"\n]*?\"((?:[^\"\\]|\\.)*)\".*= -1 E[A-Z]+ \(")
_ENDED = re.compile(_PREFIX + r"\+\+\+ (?:killed by SIG\w+|exited with [1-9]\d*)")
# Signals whose default is to end the process (or dump its core), delivered to it.
_FATAL = re.compile(
    _PREFIX + r"--- SIG(?:TERM|INT|HUP|QUIT|ABRT|SEGV|BUS|FPE|ILL|PIPE|SYS|TRAP|XCPU|XFSZ) \{"
)
_HEAD = 5  # a trace's first lines, one of which is its first execve
_ARGV = 4096  # of an execve's arguments, the characters read
_SHORTEST = 2  # a shorter argument ("-", "/") names nothing a call could fail on


def is_trace(lines: list[str]) -> bool:
    """Whether ``lines`` are strace's: one of the first is an ``execve`` call as it prints it."""
    return any("execve(" in line and _EXECVE.match(line) for line in lines[:_HEAD])


def strace_failures(lines: list[str]) -> set[int]:
    """Indices of ``lines`` that report a failure of the traced command, if it is a trace.

    Empty unless it is a trace (:func:`is_trace`).
    """
    if not is_trace(lines):
        return set()
    words: set[str] = set()
    for line in lines:
        if "execve(" in line and (call := _EXECVE.match(line)) is not None:
            # strace cuts each string to 32 characters (-s): a longer argv is read by its start
            # (a string left open would be read from each of its quotes).
            argv = call.group(1)[:_ARGV]
            words.update(w for w in _arguments(argv) if len(w) >= _SHORTEST)
    scripts = [w for w in words if " " in w or ";" in w]  # a shell's or python's -c text
    found = set()
    for i, line in enumerate(lines):
        if "= -1 E" in line:
            failed = _FAILED.match(line)
            path = failed.group(1) if failed is not None else ""
            if len(path) >= _SHORTEST and (path in words or any(path in s for s in scripts)):
                found.add(i)
        elif ("+++" in line and _ENDED.match(line)) or ("--- SIG" in line and _FATAL.match(line)):
            found.add(i)
    return found


def _arguments(argv: str) -> list[str]:
    """The strings of an execve's argument list (``"ls", "-l", "/x"``), read left to right.

    Each string is read from where the one before it ended: a quote left open (the list cut
    at ``_ARGV``) is read once, not from each of its quotes on.
    """
    found: list[str] = []
    at = 0
    while (string := _QUOTED.match(argv, at)) is not None:
        found.append(string.group(1))
        at = string.end()
        if argv.startswith("...", at):  # a string strace cut (-s)
            at += 3
        if not argv.startswith(", ", at):
            break
        at += 2
    return found
