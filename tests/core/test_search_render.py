import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent_baton import Hit, SharedContext
from agent_baton.compress.guarantees import failures
from agent_baton.compress.markers import ToolNames
from agent_baton.render import MIN_RENDER_TOKENS
from agent_baton.search import query_terms


def order_rows(n):
    return [
        {"order": 1000 + i, "customer": f"c{i % 50}", "status": "shipped", "total": i % 97}
        for i in range(n)
    ]


@pytest.fixture
def big(clock):
    ctx = SharedContext(ttl=60, clock=clock)
    ctx.put("orders", json.dumps(order_rows(5000), indent=2), agent="api")
    return ctx


def test_query_brings_back_a_row_the_plain_form_omits(big):
    plain = big.get("orders")
    assert '"order": 4711,' not in plain
    focused = big.get("orders", query="order 4711")
    assert '    "order": 4711,\n    "customer": "c11",' in focused  # the record, whole
    assert big.get("orders") == plain  # the cached plain form is unchanged


def test_search_finds_the_row_in_the_original(big):
    hits = big.search("orders", "order 4711", k=3)
    assert hits and isinstance(hits[0], Hit)
    top = hits[0]
    assert (top.key, top.agent, top.location) == ("orders", "api", "[3711]")
    assert json.loads(top.text)["order"] == 4711
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_search_across_entries_and_k(clock):
    ctx = SharedContext(clock=clock)
    ctx.put("a", "The deploy of service alpha failed at 10:02 because the disk was full.")
    ctx.put("b", "Service beta deployed fine.\n\nNothing else happened.")
    hits = ctx.search(None, "why did the alpha deploy fail", k=5)
    assert hits[0].key == "a"
    assert len(ctx.search(None, "service", k=1)) == 1


def test_search_edge_cases(big, clock):
    assert big.search("orders", "zzzz-no-such-term") == []
    assert big.search("missing", "order") == []
    assert big.search("orders", "") == []
    with pytest.raises(TypeError):
        big.search("orders", None)
    with pytest.raises(ValueError):
        big.search("orders", "x", k=0)
    clock.advance(61)
    assert big.search("orders", "order 4711") == []  # expired


def test_get_with_budget_fits_and_cuts_at_rows(big):
    for budget in (60, 300, 1500):
        text = big.get("orders", max_tokens=budget)
        assert big.count_tokens(text) <= budget
        lines = text.splitlines()
        header = next((line for line in lines if line.startswith("order|")), None)
        rows = [line for line in lines if line[:4].isdigit()]
        if header is not None:  # whole rows only: as many cells as the header
            assert rows and all(line.count("|") == header.count("|") for line in rows)


def test_get_edge_cases(big, clock):
    assert big.get("orders", query="") == big.get("orders")
    assert big.get("missing", query="x") is None
    with pytest.raises(TypeError):
        big.get("orders", query=5)
    clock.advance(61)
    assert big.get("orders", query="order 4711") is None


def ten_entries(clock):
    ctx = SharedContext(clock=clock, max_entries=20)
    for i in range(10):
        rows = [{"id": i * 1000 + j, "topic": f"topic{i}", "v": j} for j in range(150)]
        ctx.put(f"e{i}", json.dumps(rows, indent=2), agent=f"agent{i % 3}")
        clock.advance(1)
    ctx.put("notes", "The launch date moved to 2026-12-01 after the load test failed. " * 30)
    return ctx


@pytest.mark.parametrize("budget", [50, 120, 500, 2000, 8000, 50_000])
def test_render_respects_the_budget(clock, budget):
    ctx = ten_entries(clock)
    block = ctx.render(query="launch date", max_tokens=budget)
    assert ctx.count_tokens(block) <= budget
    if budget >= 500:
        assert block.startswith("### notes")  # the most relevant entry comes first
        assert 'get("notes", full=True)' in block


def test_render_large_budget_holds_every_entry_whole(clock):
    ctx = ten_entries(clock)
    block = ctx.render(max_tokens=50_000)
    for entry in ctx.entries():
        assert entry.compressed in block
    # Without a query the newest entry comes first.
    assert block.startswith("### notes")


def test_render_names_entries_it_could_not_fit(clock):
    ctx = ten_entries(clock)
    block = ctx.render(max_tokens=300)
    assert "more entries not shown" in block


def test_render_selection_and_edges(clock):
    ctx = ten_entries(clock)
    block = ctx.render(["e1", "missing", "e1"], max_tokens=4000)
    assert block.count("### e1") == 1 and "### e2" not in block
    assert ctx.render([], max_tokens=100) == ""
    assert SharedContext().render() == ""
    plain = ctx.render(["e3"], header=False, max_tokens=4000)
    assert "###" not in plain and plain == ctx.get("e3")
    with pytest.raises(TypeError):
        ctx.render("e1")
    with pytest.raises(ValueError):
        ctx.render(max_tokens=0)


def test_missing_entry_says_why_and_lists_the_keys(clock):
    from agent_baton.answers import missing_entry

    ctx = SharedContext(clock=clock)
    ctx.put("notes", "The deploy failed at 10:02.\n\nEverything else was fine.", agent="ops")
    assert missing_entry(ctx, "gone") == (
        "No shared context entry 'gone': not stored. Available keys: notes."
    )


def test_a_tight_budget_with_a_query_keeps_the_matching_line():
    from agent_baton.compress import compress

    notes = "\n".join(
        f"Note {i}: the {['alpha', 'beta', 'gamma'][i % 3]} service answered within {i} ms."
        for i in range(400)
    )
    notes += "\nNote 400: the payments service timed out after 30 s on host pay-7."
    result = compress(notes, query="payments timed out host", max_tokens=80)
    assert result.compressed_tokens <= 80
    assert "pay-7" in result.text


def test_a_stopword_written_as_code_is_a_term_and_stemmed_stopwords_are_left_out():
    # Tasks of the shared corpus: "get" is the function asked about, and a query's words are
    # stemmed before the stopwords are left out ("does" is "doe", "where" is "wher").
    assert query_terms("Explain what the function `get` does and what it returns.") == [
        "explain",
        "function",
        "get",
        "return",
    ]
    assert "get" in query_terms("What does the section '`config.get(key, where = 'cli')`' say?")
    assert query_terms("List the failing tests and where.") == ["fail", "test"]
    assert query_terms("Please give me the details of cpp.") == ["detail", "cpp"]


def failing_pytest_run(where: Path) -> str:
    """A real pytest run with 120 failing asserts: its failure lines alone pass 2,000 tokens."""
    tests = [f"def test_{i}():\n    assert {i} * 3 == {i * 3 + 1}\n" for i in range(120)]
    (where / "test_many.py").write_text("\n".join(tests))
    args = [sys.executable, "-m", "pytest", "--tb=short", "-p", "no:cacheprovider", "test_many.py"]
    done = subprocess.run(args, cwd=where, capture_output=True, text=True, timeout=120)
    return done.stdout


def test_render_keeps_an_entry_whose_failures_exceed_its_share(clock, tmp_path):
    # The tester's failure lines alone exceed the budget: the entry stays with all of them
    # (its marker says so), the others give up their room first; it never vanishes.
    ctx = ten_entries(clock)
    run = failing_pytest_run(tmp_path)
    ctx.put("tester", run, agent="tester")
    failing = failures(ctx.get("tester") or "")
    assert ctx.count_tokens("\n".join(failing)) > 2000
    for keys in (["tester"], None):
        block = ctx.render(keys, max_tokens=2000)
        assert "### tester" in block and "not shown: tester" not in block
        assert all(line in block for line in failing)
        assert "the failure lines alone exceed" in block
    # The others are named, not shown: the budget went to the failures.
    assert "more entries not shown" in ctx.render(max_tokens=2000)


@pytest.mark.parametrize(
    "key", ["a\u2028b", "c\u2029d", "lone \ud800 half", "nel\x85x", "del\x7fx", "new\nline", "t\tb"]
)
def test_a_header_stays_one_line_of_valid_utf8_whatever_the_key(key):
    ctx = SharedContext(ttl=None)
    ctx.put(key, "ERROR the build failed\nsecond line", agent=f"agent {key}")
    ctx.put("other", "x " * 4000)
    for tools in (None, ToolNames()):
        block = ctx.render(tools=tools)
        block.encode("utf-8")  # no lone surrogate
        header = next(
            line
            for line in block.splitlines()
            if line.startswith("### ") and "·" in line and "other" not in line
        )
        assert header.count("###") == 1
        assert len(block.splitlines()) == len(block.split("\n"))  # no other line break
        # The key is quoted as JSON: a reader gets it back exactly.
        quoted = header.removeprefix("### ").split(" · ")[0]
        assert json.loads(quoted) == key
    # Named in the line of entries left out, it stays one line too.
    left_out = ctx.render(max_tokens=60)
    assert "more entries not shown" in left_out
    left_out.encode("utf-8")
    assert len(left_out.splitlines()) == len(left_out.split("\n"))


@pytest.mark.parametrize("budget", [MIN_RENDER_TOKENS, 15, 20, 30, 60])
def test_a_budget_too_small_for_any_entry_still_says_how_many_were_left_out(clock, budget):
    ctx = SharedContext(ttl=None, clock=clock)
    for i in range(40):
        ctx.put(f"research-{i}-{'x' * 40}", json.dumps(order_rows(50)), agent="api")
    block = ctx.render(max_tokens=budget)
    assert "40 more entries not shown" in block
    assert ctx.count_tokens(block) <= budget


def test_below_the_minimum_budget_a_render_that_shows_nothing_is_empty(clock):
    ctx = SharedContext(ttl=None, clock=clock)
    ctx.put("research", json.dumps(order_rows(50)), agent="api")
    assert ctx.render(max_tokens=3) == ""
