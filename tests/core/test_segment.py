"""The segmenter: joined tool results and answers with unfenced data, each block by its kind."""

import json
from importlib.metadata import distributions
from pathlib import Path

from agent_baton.compress import compress
from agent_baton.compress.detect import detect
from agent_baton.compress.guarantees import is_failure
from agent_baton.compress.segment import header_end, segments

DESCRIPTIONS = ["a library for reading and writing the files of the service", "the tools"]


def csv_table(n: int) -> str:
    rows = [
        f"pkg-{i},1.{i}-{i % 7},amd64,{'libs' if i % 40 else 'games'},{i * 13 % 997},"
        f"{DESCRIPTIONS[i % 2]} number {i}"
        for i in range(n)
    ]
    return "\n".join(["package,version,arch,section,size,description", *rows])


def pytest_log(n: int) -> str:
    lines = [f"tests/test_m.py::test_case_{i} PASSED" for i in range(n)]
    lines[n // 2] = f"tests/test_m.py::test_case_{n // 2} FAILED"
    return "\n".join([*lines, "E       AssertionError: assert 77680.0 == 77685"])


def test_an_answer_with_a_table_and_a_log_pasted_in_is_split_by_what_introduces_them():
    answer = "\n\n".join(
        [
            "I looked at the packages and the test run, as you asked this morning.",
            "Here is the data I pulled:",
            csv_table(300),
            "And the run that failed:",
            pytest_log(400),
            "That is everything I found.",
        ]
    )
    blocks = segments(answer)
    assert [b.sort for b in blocks if len(b.text) > 600] == ["records", "records"]
    result = compress(answer, key="answer")
    assert result.transforms[0].startswith("segments:table")
    assert result.savings_percent > 70
    assert "pkg-40" in result.text  # the one row of its section
    kept = result.text.splitlines()
    assert all(line in kept for line in answer.splitlines() if is_failure(line))


def test_json_lines_then_a_log_are_two_blocks_not_a_block_a_line():
    rows = "\n".join(json.dumps({"id": i, "name": f"item-{i}", "ok": i != 9}) for i in range(300))
    joined = rows + "\n" + pytest_log(300)
    assert [b.sort for b in segments(joined)][:1] == ["json"]
    assert segments(joined)[0].text == rows
    result = compress(joined)
    assert result.savings_percent > 70 and "AssertionError: assert 77680.0" in result.text


def test_the_repr_of_a_tools_result_then_a_log_is_read_as_data():
    records = str([{"id": i, "name": f"item-{i}", "size": i * 7} for i in range(300)])
    joined = records + "\n" + pytest_log(300)
    assert detect(segments(joined)[0].text) == "repr"
    result = compress(joined)
    assert result.savings_percent > 70 and "test_case_150 FAILED" in result.text


def test_a_log_with_a_sentence_inside_stays_one_block():
    lines = [f"2026-11-23 10:00:{i % 60:02d} INFO step {i} done" for i in range(400)]
    lines.insert(200, "")
    lines.insert(201, "The worker restarted after the deploy finished and then went on.")
    lines.insert(202, "")
    text = "\n".join(lines)
    assert detect(text) == "logs"


def metadata_files() -> list[Path]:
    """The METADATA of the installed packages (real ones, of this machine), the larger ones."""
    found = []
    for dist in distributions():
        for file in dist.files or []:
            path = Path(str(dist.locate_file(file)))
            if file.name == "METADATA" and path.is_file() and path.stat().st_size > 3000:
                found.append(path)
    return sorted(set(found))[:12]


def test_a_packages_metadata_keeps_its_name_version_and_every_kind_of_field():
    files = metadata_files()
    assert len(files) >= 10
    for path in files:
        text = path.read_text()
        head = header_end(text.split("\n"))
        assert head, path
        result = compress(text, key="METADATA")
        kept = result.text.splitlines()
        fields = text.split("\n")[:head]
        assert fields[1].startswith("Name: ") and fields[1] in kept, path
        assert fields[2].startswith("Version: ") and fields[2] in kept, path
        names = {line.split(":", 1)[0] for line in fields if line[:1].strip()}
        assert all(any(line.startswith(f"{name}:") for line in kept) for name in names), path


def test_stanza_after_stanza_is_not_a_header_and_a_body():
    stanza = "Package: p{i}\nVersion: 1.{i}\nArchitecture: amd64\nMaintainer: M <m@x>\n"
    text = "\n".join(stanza.format(i=i) for i in range(50))
    assert header_end(text.split("\n")) == 0


def test_lines_the_csv_module_refuses_are_not_rows_and_do_not_raise():
    quoted = '"' + "x" * 200_000 + '",a,b'  # a field over the csv module's limit
    text = "\n".join([quoted, 'a\x00"b",c,d', *[f"{i},b,c" for i in range(30)]])
    blocks = segments(text)
    assert "\n".join(b.text for b in blocks) == text


def test_a_field_the_csv_module_refuses_does_not_make_compression_raise():
    text = '"' + "x" * 200_000 + '",a,b\n' + "\n".join(f"{i},b,c" for i in range(30))
    result = compress(text, key="k")
    assert result.compressed_tokens < result.original_tokens


def test_an_answer_pasting_a_json_object_a_log_and_a_listing_is_no_code():
    # The object's braces made the whole answer a program to the brace scanner, which kept
    # its first statements and dropped the log's failures and the listing's rows.
    installed = sorted((d.metadata["Name"], d.version) for d in distributions())[:30]
    found = {"installed": [{"name": n, "version": v} for n, v in installed], "count": 30}
    modules = sorted(Path(json.__file__).parent.parent.glob("*.py"))[:40]
    listing = "\n".join(
        f"-rw-r--r-- 1 root root {p.stat().st_size:8d} Jun  7  2026 {p.name}" for p in modules
    )
    answer = "\n\n".join(
        [
            "Here is everything I gathered for the ticket.",
            json.dumps(found, indent=2),
            pytest_log(40),
            "Table from the host:",
            f"total {len(modules)}\n{listing}",
            f"Conclusion: {modules[20].name} is the module to look at first.",
        ]
    )
    assert detect(answer) == "segments"
    result = compress(answer, key="answer")
    kept = result.text.splitlines()
    assert all(line in kept for line in answer.splitlines() if is_failure(line))
    assert answer.splitlines()[-1] in kept
    assert '  "count": 30' in kept


def test_a_sentence_set_apart_between_two_outputs_ends_the_one_before():
    # "Current listing follows." between a log and a table: absorbed into the log before
    # it, the table was sampled as log events (its header line folded away).
    answer = "\n\n".join(
        [
            "I ran the tests again after the upgrade and looked at the packages.",
            pytest_log(400),
            "The packages the failing test depends on are listed below.",
            csv_table(300),
            "That is everything I found.",
        ]
    )
    blocks = segments(answer)
    assert [b.sort for b in blocks if len(b.text) > 600] == ["records", "records"]
    result = compress(answer, key="answer")
    kept = result.text.splitlines()
    assert "package,version,arch,section,size,description" in kept
    assert "pkg-40" in result.text  # the one row of its section
    assert all(line in kept for line in answer.splitlines() if is_failure(line))
