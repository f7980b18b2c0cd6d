"""Tool answers: bounded by a token budget, naming the agent's tools, saying why on refusal."""

import json

import pytest

from agent_baton import SharedContext
from agent_baton.answers import ToolNames, listing_answer, read_answer, search_answer
from agent_baton.compress.markers import name_tools, omitted

ROWS = [{"id": f"tx_{i:05d}", "status": "ok", "amount": i * 3} for i in range(3000)]
ROWS[1234]["status"] = "declined issuer_unavailable"
TOOLS = ToolNames(read="docs_read", search="docs_search", list="docs_list")


@pytest.fixture
def ctx() -> SharedContext:
    ctx = SharedContext(max_bytes=50_000_000)
    # One line of JSON: a passage as big as the whole entry.
    ctx.put("transactions", json.dumps(ROWS), agent="researcher")
    return ctx


def test_read_is_bounded_and_names_the_agents_tools(ctx: SharedContext) -> None:
    answer = read_answer(ctx, "transactions", max_tokens=500, tools=TOOLS)
    assert ctx.count_tokens(answer) <= 500
    assert 'docs_read(key="transactions", full=true)' in answer
    assert "get(" not in answer


def test_read_with_query_keeps_the_record(ctx: SharedContext) -> None:
    answer = read_answer(ctx, "transactions", query="tx_01234 declined", max_tokens=800)
    assert "tx_01234" in answer and ctx.count_tokens(answer) <= 800


def test_full_read_comes_in_pages_that_cover_the_original(ctx: SharedContext) -> None:
    original = ctx.get("transactions", full=True) or ""
    first = read_answer(ctx, "transactions", full=True, max_tokens=3000, tools=TOOLS)
    assert ctx.count_tokens(first) <= 3000
    assert 'next: docs_read(key="transactions", full=true, page=2, max_tokens=3000)' in first
    pages, page = [], 1
    while True:
        answer = read_answer(ctx, "transactions", full=True, page=page, max_tokens=3000)
        body, _, note = answer.rpartition("\n[page ")
        pages.append(body)
        if "next:" not in note:
            break
        page += 1
    assert "".join(pages) == original
    assert "is not one" in read_answer(
        ctx, "transactions", full=True, page=page + 1, max_tokens=3000
    )


def test_search_shows_only_matching_passages_within_budget(ctx: SharedContext) -> None:
    ctx.put("notes", "The refund policy changed in March.", agent="analyst")
    answer = search_answer(ctx, "issuer_unavailable", max_tokens=400, tools=TOOLS)
    assert ctx.count_tokens(answer) <= 400
    assert "transactions" in answer and "refund policy" not in answer
    assert search_answer(ctx, "zebra").startswith("No passage")


def test_a_long_passage_is_cut_with_a_pointer(ctx: SharedContext) -> None:
    ctx.put("essay", " ".join(f"word{i}" for i in range(400)) + " needle", agent="writer")
    answer = search_answer(ctx, "needle word7", key="essay", max_tokens=150, tools=TOOLS)
    assert ctx.count_tokens(answer) <= 150
    assert "passage cut" in answer and 'docs_read(key="essay", query=' in answer


def test_refusals_say_why(ctx: SharedContext) -> None:
    assert "not stored" in read_answer(ctx, "nope", tools=TOOLS)
    assert "transactions" in read_answer(ctx, "nope")
    small = SharedContext(max_bytes=1000)
    with pytest.raises(ValueError):
        small.put("big", "word " * 1000)
    assert "refused: too large" in read_answer(small, "big")
    assert "refused: too large" in search_answer(small, "word", key="big")


def test_listing_names_the_tools_and_fits_its_budget(ctx: SharedContext) -> None:
    answer = listing_answer(ctx, TOOLS)
    assert "transactions from researcher" in answer and "docs_read(key=...)" in answer
    assert listing_answer(SharedContext()) == "The shared context is empty."
    many = SharedContext(max_entries=500)
    for i in range(300):
        many.put(f"entry-{i}", f"output {i}")
    answer = listing_answer(many, max_tokens=300)
    assert many.count_tokens(answer) <= 300
    assert "- entry-299 " in answer and "older entries not listed" in answer


def test_name_tools_rewrites_every_marker_and_keeps_keys_quoted() -> None:
    key = 'we"ird\nkey'
    text = f"a\n{omitted('3 of 9 rows', key)}\nb"
    named = name_tools(text, TOOLS)
    assert named.count("docs_read(") == 1 and "get(" not in named
    assert json.dumps(key) in named


def test_render_with_tools_names_them(ctx: SharedContext) -> None:
    rendered = ctx.render(max_tokens=600, tools=TOOLS)
    assert "docs_read(" in rendered and "get(" not in rendered
    assert ctx.count_tokens(rendered) <= 600


@pytest.mark.parametrize("tools", [ToolNames(), TOOLS, ToolNames("kb_docs_read_shared_context")])
@pytest.mark.parametrize("budget", [100, 200, 300])
def test_read_fits_its_budget_once_markers_name_the_tools(
    ctx: SharedContext, tools: ToolNames, budget: int
) -> None:
    # The tools' call is longer than get("key", full=True): the budget must still hold.
    for query in (None, "tx_01234 declined", "tx_00097"):
        answer = read_answer(ctx, "transactions", query=query, max_tokens=budget, tools=tools)
        assert ctx.count_tokens(answer) <= budget, (query, answer)
        assert "get(" not in answer


def test_search_fits_even_a_tiny_budget(ctx: SharedContext) -> None:
    answer = search_answer(ctx, "issuer_unavailable", max_tokens=40, tools=TOOLS)
    assert ctx.count_tokens(answer) <= 40
    assert "docs_read" in answer or "docs_search" in answer
