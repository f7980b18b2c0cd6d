"""What a put makes of dict, list and bytes content: valid JSON, said in the docs."""

import datetime
import json

import pytest

from agent_baton import SharedContext
from agent_baton.content import MAX_DEPTH, as_text


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
