"""Detection by parsing, on real files of this machine (each test skips when its files are absent).

Each rule of detect.py added for the routing benchmark is checked on at least ten real inputs
of its class where the machine has them: Debian control files, C headers of preprocessor
directives, license texts, tab-separated tables with comments, XML, compiler and test-runner
reports, and a .csv key over rows that look like log lines.
"""

import csv
import importlib
import io
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.detect import detect
from agent_baton.compress.guarantees import missing_failures

DEP5 = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/"


def _texts(paths: list[Path], least: int = 10) -> list[str]:
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in paths]
    if len(texts) < least:
        pytest.skip(f"fewer than {least} files of this class on this machine")
    return texts


def _copyrights(machine_readable: bool) -> list[Path]:
    out = []
    for path in sorted(Path("/usr/share/doc").glob("*/copyright")):
        head = path.read_text(encoding="utf-8", errors="replace")
        if len(head) > 2000 and head.startswith(DEP5) == machine_readable:
            out.append(path)
    return out[:40]


def test_machine_readable_copyright_files_are_control_files():
    texts = _texts(_copyrights(machine_readable=True))
    routed = [detect(text) for text in texts]
    assert routed.count("config") >= 0.95 * len(texts), routed


def test_dpkg_status_is_a_listing_of_packages_and_keeps_every_name_and_version():
    # Read as a control file's settings, nearly every field of every package stayed (41 %
    # saved of the whole status file); as records, each package's name and version stay.
    status = Path("/var/lib/dpkg/status")
    if not status.exists():
        pytest.skip("no dpkg status")
    text = status.read_text(encoding="utf-8", errors="replace")[:200_000]
    text = text[: text.rfind("\n\n")]  # whole stanzas
    result = compress(text)
    assert detect(text) == "lines"
    kept = set(result.text.splitlines())
    named = [line for line in text.splitlines() if line.startswith(("Package: ", "Version: "))]
    assert [line for line in named if line not in kept] == []
    assert result.savings_percent > 70


def test_license_texts_are_prose():
    # Plain-text copyright notices: sentences two blanks apart, disclaimers in capitals.
    texts = _texts(_copyrights(machine_readable=False))
    routed = [detect(text) for text in texts]
    assert sum(kind in ("prose", "segments") for kind in routed) >= 0.9 * len(texts), routed
    assert routed.count("prose") >= 0.75 * len(texts), routed


def test_headers_of_preprocessor_directives_are_code():
    headers = []
    for path in sorted(Path("/usr/include").rglob("*.h")):
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = [line for line in text.splitlines() if line.strip()]
        if len(text) > 2000 and sum(line.lstrip().startswith("#") for line in lines) > 0.6 * len(
            lines
        ):
            headers.append(path)
        if len(headers) >= 30:
            break
    texts = _texts(headers)
    routed = [detect(text) for text in texts]
    assert routed.count("code") >= 0.95 * len(texts), routed


def test_tab_separated_tables_with_comment_lines_are_tables():
    tabs = sorted(Path("/usr/share/zoneinfo").glob("*.tab"))
    tabs += sorted(Path(sys.prefix).glob("lib/python3*/site-packages/**/zoneinfo/*.tab"))
    texts = _texts(tabs, least=3)
    assert [detect(text) for text in texts] == ["table"] * len(texts)


def test_xml_files_are_markup():
    paths = sorted(Path("/usr/share/dbus-1").rglob("*.xml")) + sorted(
        Path("/usr/libexec/valgrind").glob("*.xml")
    )
    texts = _texts([p for p in paths if p.stat().st_size > 2000][:40])
    routed = [detect(text) for text in texts]
    # XML goes to the XML compressor (the HTML reader when it will not parse).
    assert sum(kind in ("xml", "html") for kind in routed) >= 0.95 * len(texts), routed
    assert routed.count("xml") >= 0.9 * len(texts), routed


def test_an_entity_bomb_is_not_expanded_by_the_xml_check():
    entities = "".join(
        f'<!ENTITY e{i} "{("&e" + str(i - 1) + ";") * 10 if i else "x" * 10}">' for i in range(9)
    )
    text = f'<?xml version="1.0"?><!DOCTYPE r [{entities}]><r><a>&e8;</a>' + "<b>x</b>" * 50
    assert detect(text) == "xml"
    assert compress(text).original_tokens > 0  # the XML compressor does not expand it either


def test_compiler_and_test_runner_reports_are_folded_by_line(tmp_path: Path):
    source = tmp_path / "broken.c"
    source.write_text(
        "".join(f"int f{i}(void) {{ return undefined_{i}; }}\n" for i in range(40)),
        encoding="utf-8",
    )
    cc = subprocess.run(
        ["gcc", "-c", str(source), "-o", "/dev/null"], capture_output=True, text=True
    )
    if not cc.stderr:
        pytest.skip("no gcc")
    assert detect(cc.stderr) == "lines"
    tests = tmp_path / "test_numbers.py"
    tests.write_text(
        "import unittest\n\nclass T(unittest.TestCase):\n"
        + "".join(
            f"    def test_{i}(self):\n        self.assertEqual({i} % 7, 0)\n" for i in range(60)
        ),
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "unittest", "-v", "test_numbers"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert detect(run.stderr) == "lines"


def test_a_csv_key_keeps_ragged_rows_that_look_like_log_lines_a_table():
    log = Path("/var/log/dpkg.log")
    if not log.exists():
        pytest.skip("no dpkg log")
    text = log.read_text(encoding="utf-8", errors="replace")
    rows = io.StringIO()
    writer = csv.writer(rows)
    for line in text.splitlines()[:400]:
        writer.writerow(line.split(" "))  # 5 to 6 fields: rows leave trailing fields out
    assert detect(rows.getvalue()) != "table"  # without the hint nothing says they are rows
    assert detect(rows.getvalue(), "dpkg.csv") == "table"
    assert detect(text[:50_000], "dpkg.csv") == "logs"  # the log itself is not CSV


@pytest.mark.parametrize("module", ["smtplib", "statistics", "fractions"])
def test_doctest_reports_are_parsed_as_tool_output(module):
    # doctest's report is mostly examples and their output, indented under its heads
    # (Trying:, Expecting:, Failed example:): read by that layout, not by its lines' words.
    # smtplib's examples fail (no mail server): tracebacks under "Exception raised:".
    source = importlib.import_module(module).__file__
    run = subprocess.run(
        [sys.executable, "-m", "doctest", "-v", source],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = run.stdout + run.stderr
    assert detect(report) == "lines"
    result = compress(report, key="doctest.log")
    assert missing_failures(report, result.text) == []


def _pip() -> list[str] | None:
    """A pip to run: this interpreter's, else the one on PATH."""
    probe = subprocess.run(
        [sys.executable, "-m", "pip", "--version"], capture_output=True, check=False
    )
    if probe.returncode == 0:
        return [sys.executable, "-m", "pip"]
    found = shutil.which("pip")
    return [found] if found else None


@pytest.mark.parametrize("package", ["json", "http", "xml"])
def test_pip_verbose_build_logs_are_tool_output(tmp_path, package):
    # pip -v prints its steps and the build backend's (running build_py, copying a -> b,
    # writing …, or error: and its × marks when the build cannot run): a tool's lines,
    # never prose to be joined.
    pip = _pip()
    if pip is None:
        pytest.skip("no pip")
    project = tmp_path / package
    shutil.copytree(Path(sysconfig.get_paths()["stdlib"]) / package, project / "src" / package)
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        f'[project]\nname = "std-{package}"\nversion = "0.1"\n'
        '[tool.setuptools.packages.find]\nwhere = ["src"]\n'
    )
    run = subprocess.run(
        [*pip, "wheel", "-v", "--no-index", "--no-build-isolation", "--no-deps", "-w", "dist", "."],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    log = run.stdout + run.stderr
    assert "Processing " in log  # pip ran (whether the build backend could)
    assert detect(log) == "lines"
    result = compress(log, key="pip.log")
    assert missing_failures(log, result.text) == []


def _data_modules() -> list[Path]:
    """Generated table modules: pygments' _*_builtins.py and _mapping.py, html.entities."""
    roots = [Path(p) for p in sys.path if p and Path(p, "pygments").is_dir()]
    found = [p for root in roots[:1] for p in sorted(root.glob("pygments/*/_*.py"))]
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    found.append(stdlib / "html" / "entities.py")
    return [p for p in found if p.exists() and p.stat().st_size > 2000]


def test_python_data_modules_are_code_and_keep_their_names():
    # Tables of rows assigned to names, no def or import at the top: the parse says Python.
    texts = _texts(_data_modules())
    routed = [detect(text) for text in texts]
    assert routed.count("code") >= 0.9 * len(texts), routed
    entities = (Path(sysconfig.get_paths()["stdlib"]) / "html" / "entities.py").read_text()
    out = compress(entities).text.splitlines()
    assert "name2codepoint = {" in out and "html5 = {" in out


def test_a_query_naming_a_key_of_a_data_module_keeps_its_rows():
    # The line fold kept 'hearts' for a query naming it; the skeleton cut every table's rows.
    entities = (Path(sysconfig.get_paths()["stdlib"]) / "html" / "entities.py").read_text()
    for word in ("hearts", "nleqslant"):
        out = compress(entities, query=f"the code point of the entity {word}").text
        kept = [line for line in out.splitlines() if f"'{word}" in line]
        assert kept and all(line in entities.splitlines() for line in kept), word


def test_settings_that_parse_as_python_are_no_data_module():
    # `KEY = value` lines parse as Python too; they hold no tables of rows.
    text = "\n".join(f"SETTING_{i} = {i}\nNAME_{i} = 'value {i}'" for i in range(200))
    assert detect(text) != "code"


def test_a_csv_whose_rows_leave_trailing_fields_out_is_a_table():
    # distro-info's tables: releases still supported have no end-of-life dates yet.
    paths = sorted(Path("/usr/share/distro-info").glob("*.csv"))
    texts = [p.read_text() for p in paths]
    if not texts:
        pytest.skip("no distro-info tables")
    assert [detect(text) for text in texts] == ["table"] * len(texts)
    out = compress(texts[0]).text.splitlines()
    lines = texts[0].splitlines()
    assert out[0] == lines[0] and lines[-1] in out  # the header and the last row
    # Prose whose lines hold commas is not a table of ragged rows.
    prose = Path("/usr/share/doc/base-files/README.FHS")
    if prose.exists():
        assert detect(prose.read_text()) == "prose"


def test_markdown_documents_of_tables_and_html_are_segments():
    # Node's changelogs and guides: a "# Title", then mostly HTML and pipe tables.
    paths = [
        Path("/usr/share/doc/nodejs/CHANGELOG.md"),
        Path("/usr/share/doc/nodejs/changelogs/CHANGELOG_ARCHIVE.md"),
        Path("/usr/share/doc/nodejs/contributing/strategic-initiatives.md"),
    ]
    texts = [p.read_text() for p in paths if p.exists()]
    if not texts:
        pytest.skip("no node.js documentation")
    assert [detect(text) for text in texts] == ["segments"] * len(texts)
    # A script or settings file opening with a comment is no markdown title.
    assert detect("# settings\n" + "\n".join(f"key_{i} = {i}" for i in range(50))) != "segments"


def test_yaml_python_cannot_hold_is_yaml():
    # The YAML specification's examples: a list as a mapping's key, plain documents among
    # mappings. The parser composes them; only constructing Python objects fails.
    text = "---\n? - Detroit Tigers\n  - Chicago cubs\n: - 2001-07-23\n" + "".join(
        f"---\nname: player {i}\nhr: {i}\navg: 0.{i:03d}\n" for i in range(6)
    )
    assert detect(text, "example.yaml") == "yaml"
    example = Path("/usr/share/doc/python3-yaml/examples/pygments-lexer/example.yaml")
    if example.exists():
        assert detect(example.read_text(), example.name) == "yaml"


def _field_records() -> list[str]:
    """`pip show -f` and `dpkg -s` of installed packages: one record of fields each."""
    out = []
    pip = [sys.executable, "-m", "pip"]
    if subprocess.run([*pip, "--version"], capture_output=True).returncode != 0:
        pip = [shutil.which("pip3") or "pip3"]  # the test venv may have no pip of its own
    for name in ("pip", "setuptools", "wheel", "pytest", "pluggy", "packaging"):
        try:
            done = subprocess.run([*pip, "show", "-f", name], capture_output=True, text=True)
        except OSError:
            break
        if done.returncode == 0 and done.stdout.count("\n") > 20:
            out.append(done.stdout)
    if shutil.which("dpkg"):
        for name in ("bash", "coreutils", "dpkg", "apt", "tar", "grep"):
            done = subprocess.run(["dpkg", "-s", name], capture_output=True, text=True)
            if done.returncode == 0:
                out.append(done.stdout)
    return out


def test_a_record_of_fields_with_a_listing_is_folded_by_line():
    # YAML would fold the listing under "Files:", or a long Description, into one string.
    texts = _field_records()
    if len(texts) < 4:
        pytest.skip("fewer than four pip or dpkg records")
    assert [detect(text) for text in texts] == ["lines"] * len(texts)
    # Lines that open with a date and a colon are a changelog's, not fields.
    changelog = Path("/usr/share/doc/util-linux/getopt_changelog.txt")
    if changelog.exists():
        assert detect(changelog.read_text()) == "segments"
    # YAML with a wrapped value that also nests is YAML (each key once: YAML allows no more).
    nested = "name: demo\nsummary: a value\n  wrapped over\n  three lines\n  of text\n"
    assert detect(nested + "".join(f"deps{k}:\n  - a\n  - b\n" for k in range(3))) == "yaml"


def test_the_help_of_commands_is_never_code():
    # node's --help names JavaScript's keywords; no line of it ends a statement.
    env = {"LC_ALL": "C", "COLUMNS": "80", "PATH": "/usr/local/bin:/usr/bin:/bin"}
    texts = []
    for name in ("node", "gcc", "git", "grep", "ls", "tar", "sort", "uniq", "find", "sed", "du"):
        path = shutil.which(name, path=env["PATH"])
        if path is not None:
            done = subprocess.run([path, "--help"], capture_output=True, text=True, env=env)
            texts.append(done.stdout or done.stderr)
    if len(texts) < 10:
        pytest.skip("fewer than ten commands installed")
    routed = [detect(text) for text in texts]
    assert not {"code", "json", "config", "yaml", "chat", "html", "xml"} & set(routed), routed


def test_a_list_of_holders_closed_by_semicolons_is_not_code():
    # libxcrypt's copyright file: " * Copyright A, B;" items, then the file names they hold.
    path = Path("/usr/share/doc/libcrypt1/copyright")
    if not path.exists():
        pytest.skip("no libxcrypt copyright file")
    assert detect(path.read_text()) in ("prose", "segments")


def test_paragraphs_with_indented_commands_are_prose():
    # Debian READMEs: paragraphs at the margin, the commands to run indented under them.
    paths = [
        Path("/usr/share/doc", name)
        for name in (
            "git/README.Debian",
            "perl/README.Debian",
            "xz-utils/README.Debian",
            "postgresql-common/README.systemd",
            "libjansson4/README.rst",
            "libdouble-conversion3/README.md",
        )
    ]
    texts = [p.read_text() for p in paths if p.exists()]
    if len(texts) < 3:
        pytest.skip("fewer than three such READMEs")
    assert [detect(text) for text in texts] == ["prose"] * len(texts)


def test_quoted_fields_over_lines_make_rows_of_a_headerless_csv_not_of_prose():
    # Quotes may join lines into one row: which dialect reads the rows alike decides.
    out = io.StringIO()
    writer = csv.writer(out)
    for i in range(60):
        note = "a note\nover two lines" if i % 7 == 0 else "ok"
        writer.writerow([f"pkg{i}", f"{i}.0.{i % 3}", note])
    assert detect(out.getvalue()) == "table"
    story = "\n".join(
        f'"Row {i}," she said, and the parser read it: a sentence, not a record.'
        if i % 2
        else f"Line {i} of the story goes on without a comma or a quote in it at all"
        for i in range(40)
    )
    assert detect(story) != "table"


def test_an_escape_that_is_no_colour_code_is_detected_without_recursing():
    # ESC [ at a line's end opens no control sequence: read without its colour codes, the
    # text is the same text, and reading it again never ended.
    text = "line of text \x1b[\nand more words here\n" * 50
    assert detect(text) == detect(text.replace("\x1b[", "")) == "prose"


def test_a_test_log_quoting_bytes_is_text_and_bytes_printed_are_binary(tmp_path):
    """pytest shows what tests printed: reprs of bytes (``b'x\\x9c\\xfb…'``) among its lines
    are quoted data, not a log that failed to decode (its failure was described away)."""
    tests = tmp_path / "test_codec.py"
    tests.write_text(
        "import zlib\nimport pytest\n\n@pytest.mark.parametrize('n', range(10))\n"
        "def test_roundtrip(n):\n"
        "    data = f'record {n}: caf\\u00e9 na\\u00efve'.encode('utf-16') * 3\n"
        "    print(zlib.compress(data))\n    print(data[:40])\n"
        "    assert n != 7, f'record {n} has a checksum mismatch'\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", str(tests)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    log = run.stdout
    assert log[:4096].count("\\x") > 200  # the quoted bytes this test is about

    assert detect(log) != "binary"
    assert "E       AssertionError: record 7 has a checksum mismatch" in compress(log).text
    import zlib

    packed = zlib.compress(Path(sysconfig.get_paths()["stdlib"], "json", "decoder.py").read_bytes())
    assert detect(str(packed)) == "binary"  # a tool's bytes, as str() gives them
    chunks = "\n".join(str(packed[i : i + 64]) for i in range(0, len(packed), 64))
    assert detect(chunks) == "binary"  # and printed a line per chunk


def test_mochas_spec_report_is_a_test_runs_output_not_prose():
    """mocha's spec reporter: verdicts indented under their suites, then the failures.

    A real run of express's request tests with one planted bug. Read as prose, the passing
    tests' names made sentences and the failure's place and the counts went under a budget.
    """
    path = Path(__file__).parent / "data" / "mocha_express_req_spec_1_failing.txt"
    text = path.read_text()
    assert text.count("✔ ") >= 100

    assert detect(text) == "lines"
    result = compress(text)
    assert missing_failures(text, result.text) == []
    for line in ("  122 passing (4s)", "  1 failing", "         should special-case Referer:"):
        assert line in result.text.splitlines()
    assert "Error: expected 'http://foobar.com' response body, got ''" in result.text
    assert result.compressed_tokens < result.original_tokens / 2


def test_tsc_diagnostics_in_msbuild_form_are_tool_output_not_a_table_or_prose():
    # tsc --pretty false (as csc and MSVC) writes "path(line,col): error TS2339: message":
    # every line holds commas, so 12 of 12 real runs were read as CSV, prose or segments.
    # A real run: tsc --checkJs over npm-package-arg's sources.
    text = (Path(__file__).parent / "data" / "tsc_pretty_false_npm_package_arg.txt").read_text()
    assert detect(text) == "lines"
    result = compress(text, model="gpt-4")
    assert missing_failures(text, result.text) == []


def test_a_cmake_trace_is_tool_output_and_keeps_its_error(tmp_path: Path):
    # cmake --trace writes "file(line):  command(args )" for every command it runs, the
    # modules' as the project's: 6 of 6 real traces were read as settings (config), kept
    # 158 of 179,000 tokens and dropped "CMake Error at CMakeLists.txt:…".
    if shutil.which("cmake") is None:
        pytest.skip("no cmake")
    (tmp_path / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.13)\nproject(demo C)\n"
        'foreach(f IN ITEMS a b c)\n  message(STATUS "item ${f}")\nendforeach()\n'
        "find_package(NoSuchLibrary REQUIRED)\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        ["cmake", "--trace", "-S", str(tmp_path), "-B", str(tmp_path / "build")],
        capture_output=True,
        text=True,
    )
    text = run.stdout + run.stderr
    assert "CMake Error at" in text
    assert detect(text) == "lines"
    result = compress(text, model="gpt-4")
    assert missing_failures(text, result.text) == []


def test_a_jest_run_is_a_test_runs_output_not_source():
    """jest 30's default reporter: verdicts under suites, then each failure with a code frame.

    A real run (4 of 15 tests failing). Its code frames (``  > 4 |     it(…)``) parsed as
    JavaScript, so the run went to the code compressor: source, exempt from the failure
    guarantee, and every ``●`` head and error line could go.
    """
    text = (Path(__file__).parent / "data" / "jest_4_failing.txt").read_text()
    heads = [line for line in text.splitlines() if line.startswith("  ● ")]
    assert len(heads) == 4

    assert detect(text) == "lines"
    for budget in (None, 100):
        result = compress(text, max_tokens=budget)
        assert missing_failures(text, result.text) == []
        assert all(head in result.text.splitlines() for head in heads)


def test_ruffs_help_and_note_lines_are_no_speakers_taking_turns():
    # ruff's full output (as rustc's) puts "help:" and "note:" under each diagnostic: two
    # labels taking turns, read as a "Name: text" transcript by plain-name chats' rule.
    diagnostics = []
    for i in range(8):
        diagnostics += [
            "F841 Local variable `unused` is assigned to but never used",
            f"   --> report_0.py:{180 + 5 * i}:5",
            "    |",
            f"{179 + 5 * i} | def load_{i}(path: str) -> list[str]:",
            f"{180 + 5 * i} |     unused = 1",
            "    |     ^^^^^^",
            "    |",
            "help: Remove assignment to unused variable `unused`",
            "    |",
            "note: This is an unsafe fix and may change runtime behavior",
            "",
        ]
    # Cut from a longer run, as a tool's output is: its first lines end a diagnostic.
    assert detect("\n".join(diagnostics[7:])) == "lines"
