"""What a put makes of dict, list and bytes content: valid JSON and text, said in the docs."""

import datetime
import gzip
import io
import json
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from agent_baton import SharedContext
from agent_baton.content import MAX_DEPTH, as_text, text_of


def test_dicts_and_lists_become_valid_json():
    data = {
        "nan": float("nan"),
        "inf": [float("inf"), -float("inf"), 1.5],
        "tags": {"b", "a", "c"},
        "raw": b"caf\xc3\xa9 \xff",
        "when": datetime.date(2026, 11, 23),
        "pair": (1, 2),
        3: "int key",
        None: "none key",
    }
    text = as_text(data)
    parsed = json.loads(text, parse_constant=lambda c: pytest.fail(f"invalid JSON: {c}"))
    assert parsed == {
        "nan": "NaN",
        "inf": ["Infinity", "-Infinity", 1.5],
        "tags": ["a", "b", "c"],
        "raw": "café \\xff",
        "when": "2026-11-23",
        "pair": [1, 2],
        "3": "int key",
        "null": "none key",
    }


def test_a_put_says_what_it_mapped():
    ctx = SharedContext()
    mapped = {"nan": float("nan"), "tags": {"b", "a"}, "raw": b"x", 3: "int key"}
    assert ctx.put("mapped", mapped).transforms[0] == "mapped:NaN,bytes,key,set"
    assert ctx.put("when", [datetime.date(2026, 11, 23)]).transforms[0] == "mapped:object"
    # Plain JSON data (tuples read as lists) is stored as it is: nothing to say.
    plain = ctx.put("plain", {"a": [1, 2.5, None, True], "b": (1, 2)})
    assert not any(t.startswith("mapped") for t in plain.transforms)


def test_set_order_does_not_depend_on_the_hash_seed():
    # Sorted by JSON text, so every process stores the same text.
    assert as_text([{3, "x", 1.5, None}]) == '[["x", 1.5, 3, null]]'


def test_deep_nesting_is_a_clear_error_not_a_recursion_error():
    deep: list = []
    for _ in range(10_000):
        deep = [deep]
    ctx = SharedContext()
    with pytest.raises(ValueError, match=f"deeper than {MAX_DEPTH} levels; pass it as a str"):
        ctx.put("deep", deep)
    assert ctx.keys() == []
    shallow: list = []
    for _ in range(MAX_DEPTH):
        shallow = [shallow]
    assert ctx.put("ok", shallow).original.startswith("[[[[")
    # The same depth as text is stored whole; the compressors guard themselves.
    text = "[" * 10_000 + "]" * 10_000
    assert ctx.get(ctx.put("deep text", text).key, full=True) == text


# Real text of this machine: standard-library modules that hold characters beyond ASCII,
# all of which Windows-1252 can write.
_STDLIB = Path(sysconfig.get_paths()["stdlib"])
_NON_ASCII = ["shlex.py", "heapq.py", "fractions.py", "ftplib.py", "getopt.py", "runpy.py"]


@pytest.mark.parametrize("name", _NON_ASCII)
@pytest.mark.parametrize(
    ("encoding", "named"),
    [
        ("cp1252", "cp1252"),
        ("utf-16", "utf-16"),  # with a byte-order mark
        ("utf-16-le", "utf-16-le"),  # without one
        ("utf-16-be", "utf-16-be"),
        ("utf-32", "utf-32"),
    ],
)
def test_bytes_in_a_legacy_encoding_are_stored_as_text(name, encoding, named):
    text = (_STDLIB / name).read_text("utf-8")
    assert not text.isascii()
    entry = SharedContext().put(name, text.encode(encoding))
    assert entry.original == text
    assert entry.transforms[0] == f"decoded:{named}"
    assert "binary" not in " ".join(entry.transforms)


def test_utf8_bytes_name_no_encoding():
    text = (_STDLIB / "shlex.py").read_text("utf-8")
    assert text_of(text.encode()) == (text, None)
    assert not SharedContext().put("shlex.py", text.encode()).transforms[0].startswith("decoded")


def test_a_utf8_byte_order_mark_is_dropped_and_said():
    # JSON's parser refuses a document that opens with the mark: kept, it routed to code.
    data = json.dumps([{"id": i, "name": f"row {i}"} for i in range(200)], indent=1)
    assert text_of(b"\xef\xbb\xbf" + data.encode()) == (data, "decoded:utf-8-sig")
    entry = SharedContext().put("rows", b"\xef\xbb\xbf" + data.encode())
    assert entry.transforms[0] == "decoded:utf-8-sig"
    assert entry.transforms[1].startswith("json")


@pytest.mark.parametrize("name", ["tutor.es", "tutor.da", "tutor.pt", "tutor.fr"])
def test_latin1_files_of_this_machine_are_text(name):
    # vim's tutorials in Latin-1 (Debian's vim-runtime), read as Windows-1252: the same
    # letters, since they hold none of the bytes where the two differ.
    found = sorted(Path("/usr/share").glob(f"vim/vim*/tutor/{name}"))
    if not found:
        pytest.skip("vim's tutorials are not installed")
    data = found[0].read_bytes()
    assert text_of(data) == (data.decode("latin-1"), "decoded:cp1252")


def _binaries() -> list[tuple[str, bytes]]:
    """Real binary files of this machine (each present with any CPython install)."""
    dynload = sorted((_STDLIB / "lib-dynload").glob("*.so"))
    icons = sorted((_STDLIB / "idlelib" / "Icons").glob("*.png"))
    compiled = sorted((_STDLIB / "__pycache__").glob("*.pyc"))
    found = [("python", Path(sys.executable).resolve().read_bytes())]
    found += [(p.name, p.read_bytes()) for p in [*dynload[:2], *icons[:2], *compiled[:2]]]
    found.append(("shlex.py.gz", gzip.compress((_STDLIB / "shlex.py").read_bytes())))
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(_STDLIB / "heapq.py", "heapq.py")
    found.append(("heapq.zip", zipped.getvalue()))
    return found


@pytest.mark.parametrize(
    ("name", "data"), _binaries(), ids=lambda x: x if isinstance(x, str) else ""
)
def test_real_binaries_stay_binary(name, data):
    assert text_of(data) == (data.decode("utf-8", errors="backslashreplace"), None)
    ctx = SharedContext()
    entry = ctx.put(name, data)
    assert entry.transforms == ["binary:describe"]
    assert f"{len(data):,} bytes" in ctx.get(name)


def _byte_tables() -> list[object]:
    """Source whose head spells byte strings as escapes of ASCII bytes (never undecoded)."""
    names = ["all", "closed", "deprecated", "exiting", "glob"] * 12
    escapes = ["".join(f"\\x{(i * 7 + j) % 128:02x}" for j in range(20)) for i in range(60)]
    rows = "\n".join(f'    "{n}": b"{e}",' for n, e in zip(names, escapes, strict=True))
    made = (
        f'"""Warning bits."""\n\nBITS = {{\n{rows}\n}}\n\n\ndef on(name):\n    return BITS[name]\n'
    )
    real = [Path("/usr/share/perl/5.36.0/warnings.pm"), _STDLIB / "test" / "test_uuid.py"]
    found = [("bits.py", made)] + [(p.name, p.read_text()) for p in real if p.is_file()]
    return [pytest.param(name, text, id=name) for name, text in found]


@pytest.mark.parametrize(("name", "source"), _byte_tables())
def test_escapes_of_ascii_bytes_are_source_not_binary(name, source):
    # Only bytes from 0x80 up fail to decode: Perl's warnings.pm was described as binary.
    entry = SharedContext().put(name, source)
    assert entry.transforms and entry.transforms[0] != "binary:describe"
