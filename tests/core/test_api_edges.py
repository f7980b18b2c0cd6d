"""The public API as a demanding user tries it: every bad input gets a clear error at the
call, in the sync methods and their async twins alike, and odd but valid input is kept."""

from __future__ import annotations

import asyncio
import inspect
import math
from collections.abc import Callable
from typing import Any

import pytest

import agent_baton
from agent_baton import MAX_KEY_CHARS, Content, MemoryBackend, SharedContext
from agent_baton.compress.markers import ToolNames
from agent_baton.llm_tools import run_tool


def test_what_put_accepts_is_exported():
    assert "Content" in agent_baton.__all__
    assert inspect.signature(SharedContext.put).parameters["content"].annotation in (
        Content,
        "Content",
    )


@pytest.mark.parametrize(
    "model,error", [("", ValueError), ("  ", ValueError), (None, TypeError), (4, TypeError)]
)
def test_a_model_that_names_nothing_is_refused_by_name(model, error):
    with pytest.raises(error, match=r"^model must"):
        SharedContext(model=model)


def test_keys_are_bounded(ctx):
    longest = "k" * MAX_KEY_CHARS
    ctx.put(longest, "the findings")
    assert longest in ctx.render()  # the header names it, with room left for the body
    assert "the findings" in ctx.render()
    too_long = "k" * (MAX_KEY_CHARS + 1)
    for call in (
        lambda: ctx.put(too_long, "x"),
        lambda: ctx.append(too_long, "x"),
        lambda: ctx.get(too_long),
        lambda: ctx.delete(too_long),
        lambda: ctx.search(too_long, "x"),
        lambda: ctx.render([too_long]),
    ):
        with pytest.raises(ValueError, match=f"at most {MAX_KEY_CHARS} characters"):
            call()
    assert too_long not in ctx  # `in` answers, as for any other key that cannot be there
    assert ctx.keys() == [longest]


def test_append_refuses_at_once_a_key_it_could_not_number(ctx):
    longest = "k" * (MAX_KEY_CHARS - 8)
    keys = [ctx.append(longest, f"run {n}").key for n in range(3)]
    assert keys == [longest, f"{longest}#2", f"{longest}#3"]
    assert ctx.get(f"{longest}#3") == "run 2"
    with pytest.raises(ValueError, match="append's key must be at most 248 characters"):
        ctx.append(longest + "k", "run 0")  # the second run could not be numbered
    assert f"{longest}k" not in ctx


def test_a_model_asking_for_a_key_too_long_is_answered(ctx):
    answer = run_tool(ctx, "read_shared_context", {"key": "k" * 100_000})
    assert answer.startswith("Invalid arguments for read_shared_context: key must be at most")
    answer = run_tool(ctx, "search_shared_context", {"query": "x", "key": "a\x1fb"})
    assert answer.startswith("Invalid arguments for search_shared_context: key must not")


def test_full_with_a_query_or_a_budget_is_refused(ctx):
    ctx.put("log", "line one\nline two\n" * 50)
    for kwargs in ({"query": "two"}, {"max_tokens": 10}):
        with pytest.raises(ValueError, match=r"^full=True returns the original whole"):
            ctx.get("log", full=True, **kwargs)
        with pytest.raises(ValueError, match=r"^full=True returns the original whole"):
            asyncio.run(ctx.aget("log", full=True, **kwargs))
    # An empty query is no query (as without full).
    assert ctx.get("log", full=True, query="") == "line one\nline two\n" * 50


# (method, arguments, the error, a word of its message). Each runs as is and as its async twin.
BAD_CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any], type[Exception], str]] = [
    ("put", (None, "x"), {}, TypeError, "key must be a str"),
    ("put", (b"k", "x"), {}, TypeError, "key must be a str"),
    ("put", ({"k": 1}, "x"), {}, TypeError, "key must be a str"),
    ("put", ("k", None), {}, TypeError, "content must be"),
    ("put", ("k", 3.5), {}, TypeError, "content must be"),
    ("put", ("k", "x"), {"agent": b"a"}, TypeError, "agent must be"),
    ("append", ("k", None), {}, TypeError, "content must be"),
    ("append", (7, "x"), {}, TypeError, "key must be a str"),
    ("get", ("k",), {"max_tokens": 0}, ValueError, "max_tokens must be"),
    ("get", ("k",), {"max_tokens": -5}, ValueError, "max_tokens must be"),
    ("get", ("k",), {"max_tokens": math.nan}, ValueError, "max_tokens must be"),
    ("get", ("k",), {"query": b"x"}, TypeError, "query must be"),
    ("get", (None,), {}, TypeError, "key must be a str"),
    ("get_entry", ("",), {}, ValueError, "non-empty"),
    ("delete", (b"k",), {}, TypeError, "key must be a str"),
    ("missing_reason", (None,), {}, TypeError, "key must be a str"),
    ("search", ("k", None), {}, TypeError, "query must be"),
    ("search", ("k", b"x"), {}, TypeError, "query must be"),
    ("search", (3, "x"), {}, TypeError, "key must be a str"),
    ("search", (None, "x"), {"k": 0}, ValueError, "k must be"),
    ("search", (None, "x"), {"k": -1}, ValueError, "k must be"),
    ("render", (), {"max_tokens": 0}, ValueError, "max_tokens must be"),
    ("render", (), {"max_tokens": -1}, ValueError, "max_tokens must be"),
    ("render", (), {"query": 5}, TypeError, "query must be"),
    ("render", (), {"query": {"q": 1}}, TypeError, "query must be"),
    ("render", (), {"tools": "read"}, TypeError, "tools must be"),
    ("render", ("k",), {}, TypeError, "keys must be a list of keys or None, not str"),
    ("render", (5,), {}, TypeError, "keys must be a list of keys or None, not int"),
    ("render", ([None],), {}, TypeError, "key must be a str"),
]


@pytest.mark.parametrize(
    "name,args,kwargs,error,words", BAD_CALLS, ids=[f"{c[0]}-{i}" for i, c in enumerate(BAD_CALLS)]
)
def test_bad_input_is_refused_at_the_call(ctx, name, args, kwargs, error, words):
    ctx.put("k", "some text")
    with pytest.raises(error, match=words):
        getattr(ctx, name)(*args, **kwargs)
    with pytest.raises(error, match=words):
        asyncio.run(getattr(ctx, f"a{name}")(*args, **kwargs))
    assert ctx.get("k") == "some text"  # nothing lost


@pytest.mark.parametrize(
    "kwargs",
    [
        {"ttl": math.nan},
        {"ttl": math.inf},  # None says never
        {"ttl": -math.inf},
        {"ttl": -3},
        {"max_entries": -1},
        {"max_bytes": 0},
        {"max_bytes": math.inf},
        {"compress_deadline": math.nan},
    ],
)
def test_bounds_that_are_not_numbers_above_zero_are_refused(kwargs):
    (name,) = kwargs
    with pytest.raises(ValueError, match=f"^{name} must be"):
        SharedContext(**kwargs)


@pytest.mark.parametrize("ttl", [1e300, 1e13, 1e-9])
def test_any_finite_ttl_works_on_every_backend(backend_factory, ttl):
    # Redis's PEXPIRE refused 1e300 s (BackendError); 1e-9 s has expired by the first read.
    ctx = SharedContext(ttl=ttl, backend=backend_factory())
    ctx.put("k", "kept")
    assert ctx.get("k") == (None if ttl < 1 else "kept")


ODD_TEXTS = {
    "nul": "a\x00b\n" * 40 + "ERROR: \x00 in the middle\n",
    "surrogate": "half a pair: \ud800 and \udfff\n" * 40,
    "huge_line": "x" * 2_000_000,
    "control": "".join(chr(c) for c in range(32)) * 30,
}


@pytest.mark.parametrize("kind", sorted(ODD_TEXTS))
def test_odd_text_is_kept_whole_and_every_read_answers(ctx, kind):
    text = ODD_TEXTS[kind]
    entry = ctx.put("odd", text, agent="tool")
    assert ctx.get("odd", full=True) == text
    assert isinstance(ctx.get("odd"), str)
    assert isinstance(ctx.get("odd", query="middle pair", max_tokens=50), str)
    assert isinstance(ctx.search("odd", "middle"), list)
    assert ctx.render(max_tokens=200).startswith("### odd")
    assert ctx.stats().total_original_tokens == entry.original_tokens


def test_bytes_that_are_not_utf8_are_kept_escaped(ctx):
    entry = ctx.put("bin", b"head \x80\x81\nERROR \xc3( failed\n")
    assert ctx.get("bin", full=True) == entry.original
    assert "\\x80" in entry.original and "\\xc3(" in entry.original


def test_odd_keys_round_trip_and_render_on_one_line(ctx):
    keys = ["a\nb", "nul\x00", "\ud800", "é" * MAX_KEY_CHARS]
    for key in keys:
        ctx.put(key, f"body of {key!r}")
    assert ctx.keys() == keys[-3:]  # max_entries=3
    for key in keys[-3:]:
        assert ctx.get(key) == f"body of {key!r}"
    lines = ctx.render().split("\n")
    assert len(lines) == 3 * 3 - 1  # header, body, blank line between entries
    assert [line[:4] for line in lines[::3]] == ["### "] * 3


def test_every_public_method_has_its_bad_inputs_listed():
    public = {
        name
        for name, member in inspect.getmembers(SharedContext, inspect.isfunction)
        if not name.startswith("_") and not inspect.iscoroutinefunction(member)
    }
    checked = {name for name, *_ in BAD_CALLS}
    # These take no argument a caller could get wrong, or only a path.
    takes_nothing = {"keys", "entries", "entries_in_scopes", "stats", "clear", "close"}
    others = {"scope", "count_tokens", "from_url", "report_html", "missing_keys"}
    assert public - checked - takes_nothing - others == set()


def test_tools_of_the_right_type_still_rename(ctx):
    ctx.put("k", "text")
    assert "read_ctx" in ctx.render(tools=ToolNames(read="read_ctx"))


def _run_on(make: Callable[[], Any]) -> dict[str, Any]:
    """One scenario of bounds and expiry; what a user sees at each step."""
    now = [1_000.0]
    ctx = SharedContext(
        ttl=10, max_entries=3, max_bytes=4_000, clock=lambda: now[0], backend=make()
    )
    seen: dict[str, Any] = {}
    ctx.put("a", "alpha findings " * 20)
    now[0] += 6
    ctx.put("b", "beta findings " * 20)
    ctx.scope("s").put("c", "gamma findings " * 20)
    seen["stats"] = ctx.stats()
    now[0] += 5  # a expired, b not
    seen["after_ttl"] = (ctx.keys(), ctx.missing_reason("a"), ctx.search(None, "alpha"))
    seen["search_b"] = [h.key for h in ctx.search(None, "beta")]
    for n in range(4):
        ctx.put(f"n{n}", f"entry {n} " * 30)
    seen["after_max_entries"] = (ctx.keys(), ctx.missing_reason("b"), ctx.scope("s").keys())
    with pytest.raises(agent_baton.EntryTooLargeError):
        ctx.put("huge", "y" * 5_000)
    seen["refused"] = (ctx.missing_reason("huge"), ctx.keys())
    seen["stats_end"] = ctx.stats()
    seen["render_keys"] = [
        line.split(" · ")[0] for line in ctx.render().splitlines() if line.startswith("### ")
    ]
    ctx.clear()
    seen["cleared"] = (ctx.keys(), ctx.scope("s").keys(), ctx.stats())
    return seen


def test_memory_and_redis_agree_on_bounds_expiry_stats_and_search(redis_backend_factory):
    # Not on which entries max_bytes evicts: Redis counts what its allocator takes for an
    # entry (docs/redis.md), more than its text's bytes.
    memory = _run_on(MemoryBackend)
    redis = _run_on(redis_backend_factory)
    assert memory["after_ttl"][1] == "expired"
    assert memory["after_ttl"][2] == []  # an expired entry is not searched
    assert memory == redis
