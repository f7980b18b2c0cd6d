"""Listings of records that open alike on real tool output: each record's naming line stays.

``python -m dis`` heads each function's instructions with ``Disassembly of <code object …>:``,
faulthandler each thread's frames with ``Thread 0x… (most recent call first):``, ``jstack``
each thread with its quoted name, ``terraform plan`` each resource with ``# … will be
created``. Folded, their bodies ran together and the naming lines went. Tests that need a
tool skip when the machine lacks it.
"""

import shutil
import subprocess
import sys
import sysconfig
import textwrap
import time
from pathlib import Path

import pytest

from agent_baton import SharedContext
from agent_baton.compress import compress
from agent_baton.compress.guarantees import unmarked_omissions, violations
from agent_baton.compress.record_names import record_names

STDLIB = Path(sysconfig.get_paths()["stdlib"])


def _run(*argv: str, cwd: Path | None = None) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=cwd, timeout=300)
    return done.stdout + done.stderr


def _check(text: str, heads: list[str], *, budget_share: float) -> None:
    """Every head kept free, ``budget_share`` of them at a tenth of the tokens, guarantees held."""
    assert len(heads) >= 3
    result = compress(text, model="gpt-4")
    kept = set(result.text.splitlines())
    assert [head for head in heads if head not in kept] == []
    assert unmarked_omissions(text, result.text) == []
    assert violations(text, result.text) == []
    ctx = SharedContext(model="gpt-4")
    ctx.put("dump", text)
    view = ctx.get("dump", max_tokens=result.original_tokens // 10) or ""
    shown = set(view.splitlines())
    assert sum(head in shown for head in heads) >= budget_share * len(heads)


@pytest.mark.parametrize("module", ["colorsys", "glob", "heapq", "shlex", "textwrap"])
def test_a_disassembly_keeps_each_function_it_disassembles(module: str) -> None:
    # 13 real disassemblies of stdlib modules kept 17 of 116 sampled heads free, 10 at a
    # tenth of the tokens: the fold ran instructions of every function together.
    text = _run(sys.executable, "-m", "dis", str(STDLIB / f"{module}.py"))
    heads = [line for line in text.splitlines() if line.startswith("Disassembly of <code")]
    _check(text, heads, budget_share=0.8)


FAULTING = textwrap.dedent(
    """
    import faulthandler, queue, threading, time
    q = queue.Queue()
    lock = threading.Lock()
    lock.acquire()
    def waiter(): q.get()
    def locker(): lock.acquire()
    def deep(k):
        return time.sleep(30) if k == 0 else deep(k - 1)
    for i in range({n}):
        target = (waiter, locker, lambda: deep(4))[i % 3]
        threading.Thread(target=target, daemon=True).start()
    time.sleep(0.3)
    faulthandler.dump_traceback(all_threads=True)
    """
)


@pytest.mark.parametrize("threads", [6, 12])
def test_a_faulthandler_dump_keeps_each_thread(threads: int) -> None:
    text = _run(sys.executable, "-c", FAULTING.format(n=threads))
    heads = [line for line in text.splitlines() if line.startswith("Thread 0x")]
    assert len(heads) == threads
    _check(text, heads, budget_share=0.0)  # its frames are failure lines: they come first


JAVA = """
import java.util.concurrent.*;
public class Dump {
  static final Object lock = new Object();
  static void deep(int n) throws Exception { if (n == 0) Thread.sleep(60000); else deep(n - 1); }
  public static void main(String[] a) throws Exception {
    ExecutorService ex = Executors.newFixedThreadPool(9);
    for (int i = 0; i < 9; i++) {
      final int k = i;
      ex.submit(() -> {
        if (k % 3 == 0) { synchronized (lock) { Thread.sleep(60000); } }
        else if (k % 3 == 1) deep(k);
        else new LinkedBlockingQueue<Integer>().take();
        return null;
      });
    }
    System.out.println("ready");
    Thread.sleep(60000);
  }
}
"""


def test_a_java_thread_dump_keeps_each_thread_name(tmp_path: Path) -> None:
    # 12 real jstack dumps kept 25 of 106 sampled thread names free, 81 after (the rest are
    # the JVM's own threads).
    if not all(shutil.which(tool) for tool in ("javac", "java", "jstack")):
        pytest.skip("no JDK")
    (tmp_path / "Dump.java").write_text(JAVA)
    _run("javac", "Dump.java", cwd=tmp_path)
    program = subprocess.Popen(
        ["java", "-cp", str(tmp_path), "Dump"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert program.stdout is not None
        assert program.stdout.readline().strip() == "ready"
        time.sleep(0.5)  # the pool's threads reach their waits
        text = _run("jstack", str(program.pid))
    finally:
        program.kill()
        program.wait()
    # Java's threads, each over its stack (the JVM's own, listed line after line, are no records).
    heads = [line for line in text.splitlines() if line.startswith('"') and '" #' in line]
    assert len(heads) >= 12
    _check(text, heads, budget_share=0.1)  # its heads are long: a tenth holds a few


def test_a_terraform_plan_keeps_each_resource_it_changes(tmp_path: Path) -> None:
    if shutil.which("terraform") is None:
        pytest.skip("no terraform")
    (tmp_path / "main.tf").write_text(
        'resource "terraform_data" "env" {\n  count = 12\n'
        '  input = { env = "e${count.index}", services = [for i in range(4) : "svc-${i}"] }\n}\n'
    )
    (tmp_path / "cli.tfrc").write_text("")
    env = ["env", f"TF_CLI_CONFIG_FILE={tmp_path / 'cli.tfrc'}", "CHECKPOINT_DISABLE=1"]
    _run(*env, "terraform", "init", "-no-color", cwd=tmp_path)
    text = _run(*env, "terraform", "plan", "-no-color", cwd=tmp_path)
    heads = [line for line in text.splitlines() if line.endswith(" will be created")]
    if len(heads) != 12:
        pytest.skip("terraform could not plan offline")
    _check(text, heads, budget_share=0.0)


def test_records_named_by_no_word_are_no_listing() -> None:
    # Blank-separated events that open with a timestamp, and a heading each record repeats
    # word for word (jstack's "Locked ownable synchronizers:"), name no record.
    events = "".join(
        f"2024-05-01 10:00:{s:02d} INFO request {s} served\n  path=/a/{s}\n  ms={s}\n\n"
        for s in range(20)
    )
    assert record_names(events.splitlines()) == []
    same = "".join(f"   Locked ownable synchronizers:\n\t- None\n\tat f{s}\n\n" for s in range(9))
    assert record_names(same.splitlines()) == []
