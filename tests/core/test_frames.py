"""Deep recursion's stack traces, as real programs print them: the repeated frames fold to
their first and last copy and a count; the exception line and the other frames stay."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.frames import recursion_runs
from agent_baton.compress.guarantees import violations

_RUN = re.compile(r"^\[… (\d+) lines, the (?:frame|(\d+) lines) above (\d+) more times\]$")


def _run(args: list[str], cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    return done.stdout + done.stderr


def _accounted(text: str, out: str) -> None:
    """Every kept line is an input line, and the markers count the lines left out."""
    lines = text.splitlines()
    kept = [line for line in out.splitlines() if not line.startswith("[")]
    assert set(kept) <= set(lines)
    runs = [_RUN.match(line) for line in out.splitlines()]
    left_out = sum(int(m[1]) for m in runs if m)
    assert all(int(m[1]) == int(m[3]) * int(m[2] or 1) for m in runs if m)
    assert len(kept) + left_out == len(lines)


def _python(tmp_path: Path, source: str) -> str:
    script = tmp_path / "recurse.py"
    script.write_text(textwrap.dedent(source))
    return _run([sys.executable, str(script)], tmp_path)


def test_python_mutual_recursion_folds_the_alternating_frames(tmp_path):
    # Python folds a frame repeated in a row itself, not two functions calling each other:
    # a RecursionError prints both frames a thousand times.
    text = _python(
        tmp_path,
        """
        def even(n):
            return n == 0 or odd(n - 1)
        def odd(n):
            return n != 0 and even(n - 1)
        print(even(100000))
        """,
    )

    out = compress(text)

    assert out.compressed_tokens < out.original_tokens / 20
    assert "RecursionError: maximum recursion depth exceeded" in out.text
    assert "    print(even(100000))" in out.text  # the caller's frame
    assert "    return n != 0 and even(n - 1)" in out.text
    _accounted(text, out.text)


def test_a_recursion_through_a_library_folds_its_cycle_of_frames(tmp_path):
    # deepcopy of a cycle: each level runs through copy.py's frames and the user's __deepcopy__.
    text = _python(
        tmp_path,
        """
        import copy
        class Node:
            def __deepcopy__(self, memo):
                n = Node(); n.child = copy.deepcopy(self.child); return n
        a = Node(); a.child = a
        copy.deepcopy(a)
        """,
    )

    out = compress(text)

    assert out.compressed_tokens < out.original_tokens / 20
    assert "n = Node(); n.child = copy.deepcopy(self.child); return n" in out.text
    assert "RecursionError: maximum recursion depth exceeded" in out.text
    _accounted(text, out.text)


@pytest.mark.skipif(shutil.which("javac") is None, reason="needs a JDK")
@pytest.mark.parametrize("depth", [40, 1 << 20])
def test_java_recursion_folds_the_repeated_frame(tmp_path, depth):
    # 40 levels: an exception at the bottom, under a Caused by; a million: StackOverflowError,
    # whose trace the JVM cuts at 1,024 identical frames.
    (tmp_path / "Walk.java").write_text(
        textwrap.dedent(
            f"""
            public class Walk {{
                static int walk(int n) {{
                    if (n == {depth}) throw new IllegalStateException("bad node at " + n);
                    return walk(n + 1) + 1;
                }}
                public static void main(String[] a) {{
                    try {{ walk(0); }}
                    catch (IllegalStateException e) {{ throw new RuntimeException("load", e); }}
                }}
            }}
            """
        )
    )
    subprocess.run(["javac", "Walk.java"], cwd=tmp_path, check=True, timeout=120)
    text = _run(["java", "-cp", ".", "Walk"], tmp_path)

    out = compress(text)

    assert out.compressed_tokens < out.original_tokens / 2
    exception = text.splitlines()[0]
    assert exception.startswith("Exception in thread")
    assert exception in out.text
    assert out.text.count("\tat Walk.walk(Walk.java:5)") == 2  # the first and the last
    if depth == 40:
        assert "Caused by: java.lang.IllegalStateException: bad node at 40" in out.text
        assert "\tat Walk.walk(Walk.java:4)" in out.text  # where it was thrown
        assert "\tat Walk.main(Walk.java:8)" in out.text
    _accounted(text, out.text)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_node_recursion_folds_the_repeated_frame(tmp_path):
    (tmp_path / "walk.js").write_text("function depth(n) { return depth(n + 1) + 1; }\ndepth(0);\n")
    text = _run(["node", "--stack-trace-limit=100", "walk.js"], tmp_path)

    out = compress(text)

    assert out.compressed_tokens < out.original_tokens / 5
    assert "RangeError: Maximum call stack size exceeded" in out.text
    _accounted(text, out.text)


@pytest.mark.skipif(shutil.which("rustc") is None, reason="needs Rust")
def test_a_rust_backtrace_folds_the_numbered_frames(tmp_path):
    # Each frame has its number: the copies differ in it and in nothing else.
    (tmp_path / "walk.rs").write_text(
        textwrap.dedent(
            """
            fn walk(n: u32) -> u32 {
                if n == 40 { panic!("bad node at {}", n); }
                walk(n + 1) + 1
            }
            fn main() { println!("{}", walk(0)); }
            """
        )
    )
    subprocess.run(["rustc", "-g", "walk.rs"], cwd=tmp_path, check=True, timeout=120)
    done = subprocess.run(
        ["./walk"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"RUST_BACKTRACE": "1"},
    )
    text = done.stderr
    numbered = [line for line in text.splitlines() if line.endswith(": walk::walk")]
    assert len(numbered) > 30

    out = compress(text)

    assert "bad node at 40" in out.text
    assert numbered[0] in out.text and numbered[-1] in out.text
    assert "the 2 lines above" in out.text
    _accounted(text, out.text)


def test_pythons_own_fold_is_left_as_it_is():
    # Python shows a frame repeated in a row three times, then "[Previous line repeated …]".
    frame = ['  File "walk.py", line 4, in walk', "    return walk(node, depth + 1)"]
    lines = ["Traceback (most recent call last):", *frame * 3]
    lines += ["  [Previous line repeated 37 more times]", "ValueError: cycle"]

    assert recursion_runs(lines) == {}


_RECURSE_C = """
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
int limit;
int segv(int n, char *buf) {
    char local[16];
    if (n >= limit) { int *p = 0; return *p; }
    snprintf(local, sizeof local, "%d", n);
    return segv(n + 1, local) + 1;
}
long aborts(long n) { if (n == limit) abort(); return aborts(n + 1) + 1; }
struct node { int v; };
int raises(struct node *x, int n) { if (n == 0) raise(SIGSEGV); return raises(x, n - 1) + x->v; }
int main(int argc, char **argv) {
    limit = atoi(argv[1]);
    struct node nd = {1};
    if (argv[2][0] == '0') return segv(0, argv[0]);
    if (argv[2][0] == '1') return (int)aborts(0);
    return raises(&nd, limit);
}
"""


@pytest.fixture(scope="module")
def recurse_binary(tmp_path_factory):
    if shutil.which("gcc") is None or shutil.which("gdb") is None:
        pytest.skip("needs gcc and gdb")
    where = tmp_path_factory.mktemp("gdb")
    (where / "recurse.c").write_text(_RECURSE_C)
    subprocess.run(["gcc", "-g", "-O0", "-o", "recurse", "recurse.c"], cwd=where, check=True)
    return where / "recurse"


@pytest.mark.parametrize("command", ["bt", "bt full"])
@pytest.mark.parametrize("depth", [60, 800])
@pytest.mark.parametrize("mode", ["0", "1", "2"])
def test_a_gdb_backtrace_folds_the_frames_of_a_recursion(recurse_binary, mode, depth, command):
    # Each copy of gdb's frame has its own number, address and arguments ("bt full": locals).
    args = ["gdb", "-q", "-batch", "-ex", "run", "-ex", command, "--args"]
    done = subprocess.run(
        [*args, str(recurse_binary), str(depth), mode],
        capture_output=True,
        text=True,
        timeout=120,
    )
    text = done.stdout + done.stderr
    frames = [line for line in text.splitlines() if re.match(r"#\d+ ", line)]
    assert len(frames) > depth
    signal = next(line for line in text.splitlines() if line.startswith("Program received"))

    out = compress(text)

    assert out.compressed_tokens < out.original_tokens / 2
    assert signal in out.text
    assert frames[0] in out.text and frames[-1] in out.text  # the innermost, the outermost
    assert any(_RUN.match(line) for line in out.text.splitlines())
    assert violations(text, out.text) == []
