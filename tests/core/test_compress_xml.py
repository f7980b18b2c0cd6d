"""XML: runs of like elements cut to the ones that tell, every kept line an input line."""

import glob
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from agent_baton.compress import compress
from agent_baton.compress.guarantees import violations
from agent_baton.compress.request import Request
from agent_baton.compress.xml import compress_xml

# Real documents of this machine: code lists, D-Bus interfaces, polkit policies, schemas.
PATTERNS = [
    "/usr/share/xml/iso-codes/*.xml",
    "/usr/share/gdb/syscalls/*.xml",
    "/usr/share/polkit-1/actions/*.policy",
    "/usr/share/dbus-1/interfaces/*.xml",
    "/usr/share/glib-2.0/schemas/*.xml",
]
FILES = sorted(
    path
    for pattern in PATTERNS
    for path in map(Path, glob.glob(pattern))
    if path.stat().st_size > 8_000 and path.read_text(errors="replace").startswith("<?xml")
)[:20]


def entries(n: int) -> str:
    rows = [
        f'  <entry code="C{i:03d}" name="Entry number {i}" kind="{"odd" if i == 77 else "plain"}"/>'
        for i in range(n)
    ]
    return "\n".join(['<?xml version="1.0"?>', "<codes>", *rows, "</codes>"])


def test_a_code_list_keeps_its_ends_the_rare_entry_and_the_one_asked_for():
    text = entries(300)
    out, name = compress_xml(text, Request(query="What is entry C150?", key="codes"))
    kept = out.splitlines()
    assert name == "xml:runs" and violations(text, out) == []
    assert kept[:3] == text.splitlines()[:3] and kept[-2:] == text.splitlines()[-2:]
    assert any('code="C077"' in line for line in kept)  # the one "odd" kind
    assert any('code="C150"' in line for line in kept)
    assert any("of 300 <entry> elements omitted" in line for line in kept)
    assert len(out) < len(text) / 5


def test_elements_sharing_short_lines_are_left_to_the_html_reader():
    pairs = "\n".join(f"<b i='{i}'>x</b><b i='{i}.5'>y</b>" for i in range(250))
    text = f'<?xml version="1.0"?>\n<a>\n{pairs}\n</a>'
    assert compress_xml(text, Request()) is None
    assert compress(text).transforms[0].startswith("html")


def junit_report(tmp_path: Path, cases: int, cycle: int) -> str:
    """pytest's own --junitxml report of a run with failures, errors and a skip."""
    module = tmp_path / "test_gen.py"
    module.write_text(
        "import pytest\n"
        f"@pytest.mark.parametrize('n', range({cases}))\n"
        "def test_cycle(n):\n"
        f"    assert n % {cycle} != {cycle - 1}, f'cycle hit at {{n}}'\n"
        "@pytest.fixture\n"
        "def broken():\n"
        "    raise RuntimeError('fixture broke')\n"
        "def test_needs_fixture(broken):\n"
        "    pass\n"
        "@pytest.mark.skip(reason='not here')\n"
        "def test_skipped():\n"
        "    pass\n"
    )
    report = tmp_path / "report.xml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            str(module),
            f"--junitxml={report}",
            "-p",
            "no:cacheprovider",
        ],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    return report.read_text()


@pytest.mark.parametrize(("pretty", "cycle"), [(False, 25), (True, 7)])
def test_a_junit_report_keeps_its_tally_and_every_failing_case(tmp_path, pretty, cycle):
    # pytest writes its report on one line (the failures' text on lines of their own); a
    # report pretty-printed has a line per element. Either way the suite's counts and each
    # failing case's name stay (however many fail), and the passing cases are cut.
    text = junit_report(tmp_path, 300, cycle)
    if pretty:
        tree = ElementTree.ElementTree(ElementTree.fromstring(text))
        ElementTree.indent(tree)
        text = ElementTree.tostring(tree.getroot(), encoding="unicode")
    root = ElementTree.fromstring(text)
    suite = root.find("testsuite")
    assert suite is not None
    failing = [c.get("name") for c in root.iter("testcase") if len(c)]
    assert len(failing) == 300 // cycle + 2  # the failures, an error, a skip
    result = compress(text, key="report.xml")
    assert result.transforms == ["xml:runs"]
    for count in ("tests", "failures", "errors", "skipped"):
        assert f'{count}="{suite.get(count)}"' in result.text
    for name in failing:
        assert f'name="{name}"' in result.text
    assert "of 302 <testcase> elements omitted" in result.text
    assert violations(text, result.text) == []
    assert result.compressed_tokens < 0.7 * result.original_tokens


@pytest.mark.skipif(len(FILES) < 10, reason="fewer than 10 XML documents on this machine")
def test_real_documents_keep_their_lines_and_shrink():
    for path in FILES:
        text = path.read_text()
        result = compress(text, key=path.name)
        assert result.transforms[0] == "xml:runs", path
        assert violations(text, result.text) == [], path
        assert result.compressed_tokens < result.original_tokens, path


def test_nesting_deeper_than_python_recurses_is_left_to_the_html_reader():
    depth = 5_000
    text = '<?xml version="1.0"?>\n' + "<a>\n" * depth + "</a>\n" * depth
    assert compress_xml(text, Request()) is None
    assert compress(text).original_tokens > 0


def test_a_page_served_on_one_line_keeps_its_text_when_the_text_names_errors():
    # Node's API pages minified to one line: their examples print "// TypeError [ERR_…]: …",
    # so the one line reports a failure. It is shown as the view of its
    # text, those lines included, never put back whole and cut to its head.
    sections = []
    for i in range(150):
        sections.append(
            f"<h3>fs.method{i}(path[, options])</h3><ul><li><code>path</code> "
            f"&lt;string&gt;</li><li>Returns: &lt;Promise&gt;</li></ul>"
            f"<p>Reads entry {i} of the directory and resolves with its contents; the promise "
            f"is rejected with an &lt;Error&gt; object when the entry is missing.</p>"
        )
        if i == 90:
            sections.append(
                "<pre><code>fs.readFileSync(new URL('file:///c/p/a/t/h/file'));"
                " <span>// TypeError [ERR_INVALID_FILE_URL_PATH]: File URL path must be"
                " absolute</span></code></pre>"
            )
    text = "<html><head><title>File system</title></head><body>" + "".join(sections)
    text += "</body></html>"
    result = compress(text, key="fs.html")
    assert result.transforms == ["html:text"]
    assert "fs.method0(path[, options])" in result.text
    assert "// TypeError [ERR_INVALID_FILE_URL_PATH]: File URL path must be absolute" in result.text
    assert result.compressed_tokens > result.original_tokens // 20
    assert not violations(text, result.text)
