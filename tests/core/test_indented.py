"""Markdown notes that paste a tool's output as an indented block (markdown's other code block)."""

from pathlib import Path

from agent_baton.compress import compress
from agent_baton.compress.detect import kinds
from agent_baton.compress.guarantees import failing_lines
from agent_baton.compress.indented import looks_like_note
from agent_baton.compress.markers import is_marker

DATA = Path(__file__).parent / "data"
DECISION = "- Decision: block the merge until QA-9198 is fixed; Mehmet Yilmaz owns it."


def note(log: str, command: str) -> str:
    """A note as agents write it: a line introducing the log, the log indented, bullets."""
    pasted = "\n".join("    " + line if line.strip() else "" for line in log.splitlines())
    return (
        f"# Build report\n\nOutput of `{command}` on the release branch:\n\n{pasted}\n\n"
        f"Findings:\n- the run failed (QA-9198)\n{DECISION}\n"
    )


def test_a_javac_log_pasted_indented_keeps_its_failure_lines_at_their_indent():
    # Read as code, the brace scanner elided the errors and "8 errors" / "14 warnings" as
    # bodies (22 failure lines lost); the block is the compiler's log, indented.
    log = (DATA / "javac_jsoup_missing_deps.txt").read_text()
    text = note(log, "javac -Xlint:all")
    assert kinds(text)[0] == "mixed"
    out = compress(text, key="report.md").text
    lines = log.splitlines()
    for k in failing_lines(lines):
        assert "    " + lines[k] in out.splitlines()
    assert "    8 errors" in out.splitlines()
    assert DECISION in out
    given = set(text.splitlines())
    assert all(line in given or is_marker(line.strip()) for line in out.splitlines())


def test_a_tsc_log_pasted_indented_is_no_prose():
    # Its errors read as sentences: prose selection kept them (every one a failure) and
    # dropped the note's own lines, the ticket and the decision.
    log = (DATA / "tsc_pretty_false_npm_package_arg.txt").read_text()
    text = note(log, "tsc --pretty false")
    assert kinds(text)[0] == "mixed"
    out = compress(text, key="report.md").text
    assert "QA-9198" in out
    assert DECISION in out


def test_indented_bodies_of_programs_and_list_items_are_no_pasted_blocks():
    java = (
        "public class Greeter implements Runnable {\n\n"
        "    private final String name;\n    private final int times;\n\n"
        "    public Greeter(String name, int times) {\n        this.name = name;\n"
        "        this.times = times;\n    }\n}\n"
    )
    assert not looks_like_note(java)
    item = (
        "Steps to follow for the release of the package:\n\n"
        "- build the wheel and the source archive:\n\n"
        "    python -m build\n    twine check dist/*\n    twine upload dist/*\n    git tag v1\n"
    )
    assert not looks_like_note(item)
