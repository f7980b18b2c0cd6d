"""A failure inside a string of a line too long to put back comes back under a view's label.

A sqlite ``.dump`` of a table whose column holds JSON (crewAI's task outputs), or cargo's
JSON diagnostics beside its status lines, carries failure lines inside strings of lines of
thousands of characters. Such a failure comes back unescaped, which is no input line: a
label says which input line the lines re-render (the corpus bench counted 198 lines that
were neither input lines nor markers over 23 such texts).
"""

import json
import sqlite3

from agent_baton.compress import compress
from agent_baton.compress.guarantees import VIEW_CHARS, view_lines, violations
from agent_baton.compress.markers import cut_prefix, is_marker


def _dump() -> str:
    """A real sqlite3 dump of task outputs, each a JSON document holding a service's log."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE task_outputs (id INTEGER PRIMARY KEY, agent TEXT, output TEXT)")
    for task in range(12):
        log = [
            f"2026-11-02T10:{minute:02d}:00Z INFO web-{minute % 7} served {minute * 13} requests"
            for minute in range(80)
        ]
        log[60 + task % 8] = (
            f"2026-11-02T10:05:00Z ERROR web-{task} upstream reset by peer (task {task})"
        )
        document = {"agent": "ops", "raw": "\n".join(log), "output_format": "raw"}
        db.execute(
            "INSERT INTO task_outputs (agent, output) VALUES (?, ?)", ("ops", json.dumps(document))
        )
    return "\n".join(db.iterdump()) + "\n"


def test_failures_in_strings_of_long_lines_come_back_labelled() -> None:
    text = _dump()
    inputs = text.splitlines()
    assert max(map(len, inputs)) > VIEW_CHARS
    out = compress(text, model="gpt-4").text
    lines = out.splitlines()
    for k in range(12):
        assert f"2026-11-02T10:05:00Z ERROR web-{k} upstream reset by peer (task {k})" in lines
    shown = set(inputs)
    derived = view_lines(lines, inputs)
    foreign = [
        line
        for i, line in enumerate(lines)
        if i not in derived
        and line not in shown
        and not is_marker(line)
        and not any(source.startswith(cut_prefix(line) or "\0") for source in inputs)
    ]
    assert foreign == []
    assert violations(text, out) == []
