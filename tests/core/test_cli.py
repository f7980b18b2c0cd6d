import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import agent_baton
from agent_baton import SharedContext, get_token_counter
from agent_baton.cli import main
from agent_baton.compress import compress
from agent_baton.demo import load_samples
from agent_baton.tokens import DEFAULT_MODEL

LOG = "\n".join(
    f"2026-11-23 10:00:{i % 60:02d} INFO request {i} served in {i % 9} ms" for i in range(400)
)


def run_module(*args, stdin=b""):
    return subprocess.run(
        [sys.executable, "-m", "agent_baton", *args], input=stdin, capture_output=True, timeout=120
    )


def test_compress_file_prints_text_and_summary(tmp_path, capsys):
    path = tmp_path / "app.log"
    path.write_text(LOG)
    assert main(["compress", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "[×" in out and "omitted" in out
    assert "tokens" in err and "% saved" in err and "logs:fold" in err


def test_compress_stdin_json_schema():
    done = run_module("compress", "-", "--json", "--query", "request 217", stdin=LOG.encode())
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == {
        "text",
        "original_tokens",
        "compressed_tokens",
        "savings_percent",
        "transforms",
        "token_counter",
    }
    assert payload["compressed_tokens"] < payload["original_tokens"]
    assert "request 217 served" in payload["text"]


def test_max_tokens_is_respected(tmp_path, capsys):
    path = tmp_path / "app.log"
    path.write_text(LOG)
    assert main(["compress", str(path), "--max-tokens", "60", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["compressed_tokens"] <= 60


def test_missing_file_is_a_clear_error(capsys):
    assert main(["compress", "/no/such/file.txt"]) == 2
    assert "cannot read /no/such/file.txt" in capsys.readouterr().err


def test_binary_file_is_described_with_a_warning(tmp_path):
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40)
    done = run_module("compress", str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert b"not text in any encoding agent-baton reads: described as binary data" in done.stderr
    assert json.loads(done.stdout)["transforms"][0].startswith("binary")


@pytest.mark.parametrize(
    "data",
    [b"caf\xe9 \xff\xfe\x00bad\n", b"caf\xe9 \x81 ok\n" * 200],
    ids=["short", "text-like"],
)
def test_bytes_the_compressor_does_not_describe_are_warned_of_as_escaped(data):
    # Not text, but the compressor kept them as text with escapes: the warning says that.
    done = run_module("compress", "-", "--json", stdin=data)
    assert done.returncode == 0, done.stderr
    assert not any(t.startswith("binary") for t in json.loads(done.stdout)["transforms"])
    assert b"described as binary" not in done.stderr
    assert b"read as UTF-8 with each byte that is not UTF-8 written as \\xNN" in done.stderr


# A file's bytes compress as a put of them does: the CLI decodes with the same function.
FILE_BYTES = {
    "utf8-bom-json": b"\xef\xbb\xbf"
    + json.dumps([{"id": i, "name": f"item {i}", "ok": i % 7 != 3} for i in range(300)]).encode(),
    "cp1252-log": "\n".join(
        f"2026-11-23 10:00:{i % 60:02d} INFO café {i} served in {i % 9} ms — ok" for i in range(300)
    ).encode("cp1252"),
    "utf16-log": LOG.encode("utf-16"),
    "utf16le-no-bom": LOG.encode("utf-16-le"),
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40,
    "undefined-in-cp1252": b"caf\xe9 \x81 ok\n" * 200,
}


@pytest.mark.parametrize("name", sorted(FILE_BYTES))
def test_a_file_compresses_as_a_put_of_its_bytes(name, tmp_path):
    data = FILE_BYTES[name]
    path = tmp_path / name
    path.write_bytes(data)
    done = run_module("compress", str(path), "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    stored = SharedContext(ttl=None).put(name, data).original
    expected = compress(stored, counter=get_token_counter(DEFAULT_MODEL))
    assert payload["text"] == expected.text
    assert payload["transforms"] == expected.transforms
    assert payload["compressed_tokens"] < payload["original_tokens"]


# A C header of macros: as a table without its name; its extension says C, as for a put.
_EXITS = [f"{'READ' if i % 2 else 'WRITE'}_REG{i}" for i in range(70)]
HEADER = "\n".join(
    ["/* exit codes of the virtual machine */", "#ifndef VM_EXIT_H", "#define VM_EXIT_H", ""]
    + [f"#define VM_EXIT_{n:<12} 0x{i:03x}" for i, n in enumerate(_EXITS)]
    + ["", "#define VM_EXIT_REASONS \\"]
    + [f'\t{{ VM_EXIT_{n},{" " * (14 - len(n))}"{n.lower()}" }}, \\' for n in _EXITS]
    + ['\t{ VM_EXIT_ERR,         "invalid_state" }', "", "#endif /* VM_EXIT_H */"]
)


def test_a_files_extension_routes_it_as_a_puts_key_does(tmp_path, capsys):
    path = tmp_path / "vm_exit.h"
    path.write_text(HEADER)
    assert main(["compress", str(path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    counter = get_token_counter(DEFAULT_MODEL)
    put = SharedContext(ttl=None).put("vm_exit.h", HEADER)
    assert payload["transforms"] == put.transforms == ["code:tree-sitter:c"]
    assert payload["transforms"] != compress(HEADER, counter=counter).transforms
    # The name is a hint, not a key: markers do not send the reader to get("vm_exit.h").
    assert payload["text"] == compress(HEADER, filename="vm_exit.h", counter=counter).text
    assert "omitted" in payload["text"] and "vm_exit.h" not in payload["text"]


def test_version_is_printed():
    done = run_module("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == f"agent-baton {agent_baton.__version__}\n"


def test_usage_errors_exit_2():
    assert run_module("compress").returncode == 2
    assert run_module("compress", "-", "--max-tokens", "0").returncode == 2
    assert run_module("frobnicate").returncode == 2


def test_bad_numbers_are_named_in_plain_words():
    done = run_module("compress", "-", "--max-tokens", "abc")
    assert done.returncode == 2
    assert b"argument --max-tokens: expected a whole number, got 'abc'" in done.stderr
    assert b"_positive_int" not in done.stderr
    done = run_module("compress", "-", "--max-tokens", "-3")
    assert b"argument --max-tokens: must be at least 1, got -3" in done.stderr


def test_unknown_model_warns_and_still_counts():
    done = run_module("compress", "-", "--model", "gpt4o", stdin=LOG.encode())
    assert done.returncode == 0
    assert b"warning: unknown model 'gpt4o': counting with cl100k_base" in done.stderr
    known = run_module("compress", "-", "--model", "claude-opus-4-1", stdin=LOG.encode())
    assert b"unknown model" not in known.stderr


@pytest.mark.parametrize("command", ["compress", "inspect"])
def test_an_empty_model_is_a_usage_error(command):
    done = run_module(command, "-", "--model", "", stdin=LOG.encode())
    assert done.returncode == 2
    assert b"argument --model: expected a model's name" in done.stderr
    assert b"Traceback" not in done.stderr


def test_latin1_input_is_decoded_with_a_warning(tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_bytes("Café crème: 5 € — naïve\n".encode("cp1252"))
    assert main(["compress", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out == "Café crème: 5 € — naïve\n"
    assert f"{path} decoded as cp1252" in err


def test_utf8_with_bom_and_utf16_decode_and_say_so():
    done = run_module("compress", "-", stdin="\ufeffplain text\n".encode())
    assert done.stdout.decode() == "plain text\n"
    assert b"standard input decoded as utf-8-sig" in done.stderr
    done = run_module("compress", "-", stdin="hello wörld\n".encode("utf-16"))
    assert done.returncode == 0
    assert done.stdout.decode() == "hello wörld\n"
    assert b"standard input decoded as utf-16" in done.stderr


def test_demo_core_prints_a_table_and_skips_missing_frameworks(capsys):
    assert main(["demo", "--framework", "core"]) == 0
    out = capsys.readouterr().out
    assert "researcher → analyst" in out and "researcher + analyst → writer" in out
    assert "without agent-baton" in out and "with agent-baton" in out
    assert "tx_100097" in out  # the fact retrieved by zooming in
    assert "\033[" not in out and "─" not in out  # plain text when stdout is not a terminal
    # README.md shows `nox -s demo` as "real output": its core line of the stats is this run's.
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    [stats] = [line for line in out.splitlines() if re.match(r"  core +\d+ entries", line)]
    assert stats in readme, f"README.md's demo output is stale; now:\n{out}"


@pytest.mark.parametrize("name", sorted(load_samples()))
def test_samples_compress(name):
    text = load_samples()[name]
    done = run_module("compress", "-", "--json", stdin=text.encode())
    assert json.loads(done.stdout)["compressed_tokens"] < json.loads(done.stdout)["original_tokens"]


def test_inspect_of_an_unreachable_redis_says_so_in_one_line():
    pytest.importorskip("redis")
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        url = f"redis://127.0.0.1:{s.getsockname()[1]}/0"
    done = run_module("inspect", "--namespace", "flow", "--redis", url)
    assert done.returncode == 1
    assert b"Traceback" not in done.stderr
    assert done.stderr.startswith(b"agent-baton: Redis unavailable for namespace 'flow'")


def test_inspect_of_a_url_that_is_not_redis_is_a_usage_error():
    done = run_module("inspect", "--namespace", "flow", "--redis", "http://localhost:6379")
    assert done.returncode == 2
    assert b"Traceback" not in done.stderr
    assert b"agent-baton: Redis URL must start with redis://" in done.stderr


def test_output_cut_short_by_a_closed_pipe_is_no_error(tmp_path):
    # `agent-baton compress app.log | head -1`: the reader is gone before the output is.
    path = tmp_path / "app.log"
    path.write_text(LOG)
    for extra in ([], ["--json"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "agent_baton", "compress", str(path), *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        proc.stdout.close()
        err = proc.stderr.read()
        assert proc.wait(timeout=120) == 1
        assert b"Traceback" not in err and b"BrokenPipeError" not in err, err.decode()


@pytest.mark.parametrize("budget", ["5", "50"])
def test_demo_with_a_budget_too_small_for_any_entry_claims_no_saving(capsys, budget):
    # 5 tokens hold nothing, 50 only the line naming the entries left out: no saving to show
    # for the analyst. The writer still gets the CI log's failure lines, past the budget:
    # an entry that reports failures never vanishes from a handoff (the guarantee wins).
    assert main(["demo", "--framework", "core", "--max-tokens", budget]) == 0
    out = capsys.readouterr().out
    analyst, writer = [line for line in out.splitlines() if "researcher" in line]
    assert analyst.endswith("—") and "%" not in analyst
    assert writer.endswith("%")
    assert "no entry fits --max-tokens" in out
