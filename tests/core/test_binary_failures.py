"""Bytes holding failure lines: the binary's description keeps them.

A core file's memory holds the log lines the process had in its buffers; a log read as
text with a few bytes that did not decode is detected as bytes. Real bytes (this Python's
compiled modules and its executable) with real failures (what Python reports on stderr).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from agent_baton.compress import compress
from agent_baton.compress.detect import detect
from agent_baton.compress.guarantees import is_failure

PROGRAMS = [
    "import nonexistent_module_xyz",
    "1 / 0",
    "open('/nonexistent/dir/file')",
    "int('twelve')",
    "import json; json.loads('{')",
    "[][3]",
    "{}['missing_key']",
    "raise RuntimeError('disk quota exceeded on /var/lib/app')",
]


def failures() -> list[str]:
    """The lines Python's failing programs write that report a failure."""
    found: dict[str, None] = {}
    for program in PROGRAMS:
        run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
        found.update((line, None) for line in run.stderr.splitlines() if is_failure(line))
    return list(found)


def blobs() -> list[bytes]:
    """Compiled modules of the standard library and the interpreter: real bytes."""
    stdlib = Path(sys.modules["json"].__file__ or "").parent.parent
    compiled = [p for p in sorted(stdlib.glob("__pycache__/*.pyc")) if p.stat().st_size > 6000]
    executable = Path(sys.executable).resolve()
    return [p.read_bytes()[:30000] for p in [executable, *compiled[:11]]]


def test_failure_lines_among_bytes_stay_in_the_description() -> None:
    lines = failures()
    assert len(lines) >= 8
    checked = 0
    for k, blob in enumerate(blobs()):
        held = [lines[(k + j) % len(lines)] for j in range(3)]
        middle = len(blob) // 2
        logged = b"\n" + "\n".join(held).encode() + b"\n"
        text = (blob[:middle] + logged + blob[middle:]).decode("utf-8", errors="replace")
        if detect(text) != "binary":
            continue
        out = compress(text, key="core").text
        assert all(line in out.splitlines() for line in held), (k, held, out)
        checked += 1
    assert checked >= 10


def test_an_executables_message_templates_are_no_failures() -> None:
    blob = Path(sys.executable).resolve().read_bytes()
    text = blob.decode("utf-8", errors="replace")
    out = compress(text, key="python").text
    assert "%s" not in "\n".join(line for line in out.splitlines() if "failure among" in line)
