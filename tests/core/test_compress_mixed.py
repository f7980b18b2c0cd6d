import json
import re

from agent_baton.compress import compress
from agent_baton.compress.detect import kinds
from agent_baton.compress.mixed import compress_mixed, looks_like_mixed
from agent_baton.compress.request import Request

FILLER = "This paragraph explains the surrounding context in a rather general and wordy way."


def document() -> str:
    code = "\n".join(
        line
        for i in range(6)
        for line in (
            f"def step_{i}(value: int) -> int:",
            *[f"    value += {j}" for j in range(8)],
            "    return value",
            "",
        )
    )
    rows = [{"id": i, "status": "ok" if i != 7 else "failed", "ms": i * 3} for i in range(40)]
    parts = ["# Guide", "", f"{FILLER} {FILLER}", "", "Install it with 2 GiB of disk free.", ""]
    parts += [
        "```python",
        code,
        "```",
        "",
        f"{FILLER} {FILLER}",
        "",
        "```json",
        json.dumps(rows, indent=2),
        "```",
        "",
    ]
    parts += [f"{FILLER}", "", "## End", "", f"{FILLER} {FILLER}"]
    return "\n".join(parts)


def test_segments_go_to_their_compressors_in_order():
    text = document()
    assert looks_like_mixed(text) and kinds(text)[0] == "mixed"
    out, name = compress_mixed(text, Request(key="doc"))
    assert name == "mixed:segments"
    assert "def step_4(value: int) -> int:" in out and "lines of step_4 omitted" in out
    assert "failed" in out and "2 GiB" in out
    assert out.index("# Guide") < out.index("def step_0") < out.index("## End")
    assert len(out) < 0.5 * len(text)


def test_query_keeps_named_function():
    out, _ = compress_mixed(document(), Request(query="what does step_3 do"))
    assert out.count("value += 7") == 1


def test_levels_keep_less():
    sizes = [len(compress_mixed(document(), Request(level=lv))[0]) for lv in range(3)]
    assert sizes[0] > sizes[2]


def test_declines_plain_prose():
    assert compress_mixed(f"{FILLER}\n\n" * 10, Request()) is None


def test_chat_quoted_in_fenced_output_is_a_document():
    turns = "\n".join(f"---------- agent_{i % 2} ----------\nStep {i} is done." for i in range(6))
    prose = f"{FILLER} {FILLER}\n\n{FILLER} {FILLER}"
    document_text = f"# Run\n\n{prose}\n\n```text\n{turns}\n```\n\n{prose}\n"
    assert kinds(document_text)[0] == "mixed"
    assert kinds(turns)[0] == "chat"
    assert kinds(f"{prose}\n\n{turns}\n\n```python\nx = 1\n```\n\n{prose}")[0] == "chat"


def test_a_short_answer_of_headings_over_fenced_blocks_is_mixed():
    code = "\n".join(
        f"def migrate_{i}(db):\n    db.execute('ALTER TABLE t{i} ADD t INT')\n    db.commit()\n"
        for i in range(25)
    )
    rows = json.dumps(
        [
            {"table": f"t{i}", "rows": 1000 * i, "status": "failed" if i == 13 else "ok"}
            for i in range(25)
        ],
        indent=2,
    )
    doc = f"## Migration script\n\n```python\n{code}\n```\n\n## Result\n\n```json\n{rows}\n```\n"
    assert kinds(doc)[0] == "mixed"
    out = compress(doc).text
    # The JSON block by its own lines (the failed record by its name and status), not
    # emptied by the code path.
    assert re.search(r'"table": "t13",\n(?:.*\n)?    "status": "failed"', out)
    assert "def migrate_24(db):" in out


def test_a_transcript_shown_as_an_example_keeps_its_head_and_end():
    # Short turns, which a transcript keeps whole, and one long one it shortens a little.
    turns = [
        f"---------- {'PlanningAgent' if i % 2 else 'WebSearchAgent'} ----------\n"
        f"Step {i}: searched season {2000 + i} and found {i * 37} rebounds for player {i}."
        for i in range(40)
    ]
    turns[21] += "\n" + " ".join(
        f"Season {1990 + k} is listed on page {k} of the archive with its box scores."
        for k in range(20)
    )
    prose = " ".join(
        f"Sentence {i} of the guide explains the selector group chat." for i in range(30)
    )
    text = (
        f"# Selector group chat\n\n{prose}\n\n```text\n" + "\n".join(turns) + f"\n```\n\n{prose}\n"
    )
    out = compress(text).text
    assert "Step 0:" in out and "Step 39:" in out
    assert "Step 20:" not in out  # the middle of the example is marked, not kept as turns


def junit_report() -> str:
    """A release report quoting pytest's JUnit XML (tracebacks hold source) and a TAP run."""
    source = "\n".join(
        [
            "    def settle(self, batch, currency, *, strict=True):",
            '        """Settle one batch; amounts in minor units."""',
            *(
                f"        self.total_{i} = self.rates[currency] * batch[{i}]  # leg {i}"
                for i in range(30)
            ),
            "        if strict and currency not in self.rates:",
            "            raise KeyError(currency)",
            "        return {'batch': batch, 'total': self.total_0}",
        ]
    )
    junit = (
        '<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite '
        'name="pytest" errors="0" failures="2" tests="3"><testcase classname="test_billing" '
        'name="test_settle_chf"><failure message="KeyError: \'CHF\'">self = &lt;Ledger&gt;\n\n'
        "    def test_settle_chf(ledger):\n&gt;       ledger.settle([1, 2], 'CHF')\n\n"
        "test_billing.py:16: \n_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _\n\n"
        f"{source}\nE       KeyError: 'CHF'\n\nbilling.py:41: KeyError</failure></testcase>"
        '<testcase classname="test_billing" name="test_parse_payload"><failure message="assert'
        ' nan &gt; 0">    def test_parse_payload(payload):\n'
        '&gt;       assert json.loads(payload)["amount"] &gt; 0\nE       assert nan &gt; 0\n\n'
        "test_billing.py:33: AssertionError</failure></testcase></testsuite></testsuites>"
    )
    tap = "\n".join(
        [
            "TAP version 13",
            "# Subtest: parse ISO date",
            "not ok 1 - parse ISO date",
            "  ---",
            "  error: 'Invalid time value'",
            "  code: 'ERR_TEST_FAILURE'",
            "  name: 'RangeError'",
            "  ...",
            *(f"ok {i} - ok {i}" for i in range(2, 12)),
            "1..11",
            "# fail 1",
        ]
    )
    return (
        "Release readiness report for build 4207\n\nStatus: NOT READY.\n\n"
        f"1. Python unit tests (JUnit XML from CI):\n\n{junit}\n\n"
        f"2. JavaScript tests (node --test):\n\n{tap}\n\n"
        "Decision: hold the release until both suites pass.\n"
    )


def test_a_report_quoting_junit_and_a_test_run_is_not_code():
    # The traceback's source lines looked like a program to the brace scanner, which elided
    # them, the failures inside included, as bodies.
    text = junit_report()
    assert kinds(text)[0] != "code"
    out = compress(text, key="report").text
    assert "  error: 'Invalid time value'" in out
    assert "E       KeyError: 'CHF'" in out or "KeyError: 'CHF'" in out
