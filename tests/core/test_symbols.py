"""A binary's listings on real binaries of this machine: objdump -d's functions, nm's symbols.

Each test skips when binutils or the binaries are absent.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.detect import detect
from agent_baton.compress.guarantees import unmarked_omissions, violations

BINARIES = ["true", "env", "sleep", "cat", "echo"]
LIBRARIES = ["libz.so.1", "libssl.so.3", "libexpat.so.1", "liblzma.so.5", "libsqlite3.so.0"]
LIB = Path("/usr/lib/x86_64-linux-gnu")


def _run(*argv: str) -> str:
    if shutil.which(argv[0]) is None:
        pytest.skip(f"{argv[0]} is not installed")
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("binary", BINARIES)
def test_a_disassembly_keeps_every_function_head(binary):
    # Read as YAML (its heads as keys), objdump -d was kept by chance; it is a listing.
    path = shutil.which(binary)
    if path is None:
        pytest.skip(f"no {binary}")
    text = _run("objdump", "-d", path)
    assert detect(text) == "lines"
    result = compress(text, model="gpt-4")
    kept = set(result.text.splitlines())
    heads = [line for line in text.splitlines() if re.fullmatch(r"[0-9a-f]{16} <.+>:", line)]
    assert len(heads) >= 10
    assert [line for line in heads if line not in kept] == []
    assert result.savings_percent > 70
    assert unmarked_omissions(text, result.text) == []
    assert violations(text, result.text) == []


@pytest.mark.parametrize("library", LIBRARIES)
def test_a_symbol_listing_keeps_its_functions_spread_over_it(library):
    # Folded as a log, nm -D kept 1-2 of 8 functions sampled over the listing.
    if not (LIB / library).exists():
        pytest.skip(f"no {library}")
    text = _run("nm", "-D", str(LIB / library))
    result = compress(text, model="gpt-4")
    kept = set(result.text.splitlines())
    functions = [line for line in text.splitlines() if re.match(r"[0-9a-f]{16} T ", line)]
    assert len(functions) >= 50
    shown = [line in kept for line in functions]
    quarter = len(functions) // 4
    assert sum(shown) >= len(functions) // 5
    assert any(shown[:quarter]) and any(shown[-quarter:])
    assert result.savings_percent > 30
    assert unmarked_omissions(text, result.text) == []
    assert violations(text, result.text) == []
