"""Entries too large to compress again per query: focused reads start from the index."""

import json
import uuid

from agent_baton import SharedContext
from agent_baton.compress import compress
from agent_baton.compress.parsed import json_value
from agent_baton.focus import FOCUS_FROM_INDEX_CHARS

NEEDLE = "2026-11-23 10:41:07 ERROR payments: card 4242 declined by issuer_unavailable"


def _big_log() -> str:
    lines = [
        f"2026-11-23 10:{i // 60 % 60:02d}:{i % 60:02d} INFO worker-{i % 8} served request {i}"
        for i in range(FOCUS_FROM_INDEX_CHARS // 50)
    ]
    lines.insert(len(lines) // 2, NEEDLE)
    return "\n".join(lines)


def test_a_focused_read_of_a_big_entry_shows_the_matching_passage_within_budget():
    ctx = SharedContext(ttl=None)
    text = _big_log()
    assert len(text) >= FOCUS_FROM_INDEX_CHARS
    ctx.put("log", text)
    view = ctx.get("log", query="card 4242 declined", max_tokens=400)
    assert NEEDLE in view
    assert ctx.count_tokens(view) <= 400
    assert "passages matching the query" in view and "omitted" in view


def test_a_focused_read_without_budget_adds_the_passages_to_the_compressed_form():
    ctx = SharedContext(ttl=None)
    entry = ctx.put("log", _big_log())
    view = ctx.get("log", query="issuer_unavailable")
    assert NEEDLE in view and view.endswith(entry.compressed)


def test_render_with_a_query_reads_a_big_entry_from_its_index():
    ctx = SharedContext(ttl=None)
    ctx.put("log", _big_log())
    ctx.put("note", "The team decided to retry declined cards once. " * 3)
    block = ctx.render(query="card 4242 declined issuer_unavailable", max_tokens=600)
    assert NEEDLE in block
    assert ctx.count_tokens(block) <= 600


def test_a_budget_alone_trims_the_compressed_form():
    ctx = SharedContext(ttl=None)
    ctx.put("log", _big_log())
    view = ctx.get("log", max_tokens=120)
    assert ctx.count_tokens(view) <= 120 and "omitted" in view


def test_a_budget_keeps_every_failure_line_of_a_big_entry_and_says_when_they_exceed_it():
    ctx = SharedContext(ttl=None)
    lines = _big_log().split("\n")
    failures = [
        f"src/unit_{i}.c:2:{i % 80}: error: 'struct p' has no member 'z{i}'" for i in range(60)
    ]
    for k, failure in enumerate(failures):
        lines.insert(1000 + k * 300, failure)
    ctx.put("log", "\n".join(lines))
    assert all(failure in ctx.get("log") for failure in failures)
    view = ctx.get("log", query="card 4242 declined", max_tokens=400)
    assert all(failure in view for failure in failures)
    assert "the failure lines alone exceed" in view


def test_a_json_document_of_megabytes_parses_to_its_value_with_repeated_values_shared():
    rows = [
        {"id": i, "status": "ok", "user": f"user{i % 7}", "n": 1000 + i % 3} for i in range(30_000)
    ]
    text = json.dumps(rows)
    assert len(text) >= 1_000_000
    value = json_value(text)
    assert value == rows
    # One object for each repeated value: that is what keeps the parse tree small.
    assert value[0]["status"] is value[-1]["status"]
    assert value[1]["user"] is value[8]["user"]
    assert value[5]["n"] is value[8]["n"]


def test_a_log_of_more_distinct_line_shapes_than_remembered_keeps_every_failure():
    lines = [
        f"2026-11-23 10:{i // 60 % 60:02d}:{i % 60:02d} INFO request {uuid.UUID(int=i * 7919)} ok"
        for i in range(40_000)
    ]
    failures = [
        f"2026-11-23 11:00:{k:02d} ERROR request {uuid.UUID(int=k)} failed: {cause}"
        for k, cause in enumerate(["timeout", "refused", "reset"])
    ]
    for at, failure in zip((36_000, 38_000, 39_500), failures, strict=True):
        lines.insert(at, failure)
    out = compress("\n".join(lines)).text
    for failure in failures:
        assert failure in out
    assert len(out) < 0.05 * len("\n".join(lines))
