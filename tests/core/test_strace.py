"""strace output: the failed calls on what the traced command was given are failure lines."""

import pathlib

from agent_baton.compress import compress
from agent_baton.compress.guarantees import failures, violations
from agent_baton.compress.strace import strace_failures

# `strace -f -o FILE ls /nonexistent /etc/hostname`: 25 calls fail, 2 of them on the path ls
# was given; the rest are its probes (locale files, /etc/ld.so.preload).
TRACE = (pathlib.Path(__file__).parent / "data" / "strace_ls_nonexistent.txt").read_text()


def test_the_calls_failing_on_a_path_in_argv_are_failures_the_probes_are_not():
    lines = TRACE.splitlines()
    found = [lines[i] for i in sorted(strace_failures(lines))]
    assert len(found) == 3
    assert all('"/nonexistent"' in line and "= -1 ENOENT" in line for line in found[:2])
    assert found[2].endswith("+++ exited with 2 +++")
    probes = [line for line in lines if "= -1 ENOENT" in line and "/nonexistent" not in line]
    assert len(probes) == 23
    assert not set(probes) & set(failures(TRACE))


def test_a_compressed_trace_keeps_the_failed_calls_on_its_arguments_and_folds_the_probes():
    result = compress(TRACE)
    out = result.text.splitlines()
    assert result.savings_percent > 60
    for line in TRACE.splitlines():
        if '"/nonexistent"' in line and "= -1 ENOENT" in line:
            assert line in out
    probes = [line for line in TRACE.splitlines() if "= -1 ENOENT" in line]
    assert sum(line in out for line in probes) < len(probes) // 2
    assert violations(TRACE, result.text) == []


def test_a_script_given_to_a_shell_names_its_paths_too():
    trace = "\n".join(
        [
            '71  execve("/usr/bin/bash", ["bash", "-c", "ls /tmp >/dev/null; cd /nope; echo hi"],'
            " 0x7ffd /* 35 vars */) = 0",
            '71  openat(AT_FDCWD, "/etc/ld.so.preload", O_RDONLY|O_CLOEXEC) = -1 ENOENT'
            " (No such file or directory)",
            '71  chdir("/nope")                    = -1 ENOENT (No such file or directory)',
            "71  +++ exited with 0 +++",
        ]
    )
    assert strace_failures(trace.splitlines()) == {2}


def test_text_that_is_no_trace_has_none():
    text = 'open("/etc/passwd") = -1 ENOENT (No such file or directory)\n+++ exited with 1 +++'
    assert strace_failures(text.splitlines()) == set()


# `strace -f -tt -T -o FILE timeout 1 sleep 5`: pids and times in aligned columns, each call's
# duration at its end; timeout's timer fires, it sends SIGTERM to sleep and to itself.
TIMED = (pathlib.Path(__file__).parent / "data" / "strace_timeout_tt_T.txt").read_text()


def test_a_trace_with_times_and_durations_is_folded_as_a_trace_not_sampled_as_a_table():
    result = compress(TIMED)
    assert result.transforms[0] == "lines:fold"
    out = result.text.splitlines()
    lines = TIMED.splitlines()
    # The signals that end a process, and the process they ended.
    ended = [line for line in lines if "--- SIGTERM" in line or "+++ killed by" in line]
    assert len(ended) == 3
    assert all(line in out for line in ended)
    assert violations(TIMED, result.text) == []


def test_a_signal_a_program_lives_with_is_no_failure():
    lines = TIMED.splitlines()
    found = {lines[i].split(maxsplit=2)[-1][:14] for i in strace_failures(lines)}
    # SIGALRM is timeout's own timer, SIGCONT and SIGCHLD its bookkeeping; it exits with 124.
    assert found == {"--- SIGTERM {s", "+++ killed by ", "+++ exited wit"}
