"""Search by scanning, for entries too large to index: the same words found as the index finds."""

from agent_baton import SharedContext
from agent_baton.scan import BLOCK_LINES, COMMON, SCAN_FROM_CHARS, TextScan
from agent_baton.search import SearchIndex

NEEDLE = "2026-11-23 10:41:07 ERROR payments: card 4242 declined by issuer_unavailable"


def _log(lines: int) -> list[str]:
    return [
        f"2026-11-23 10:{i // 60 % 60:02d}:{i % 60:02d} INFO worker-{i % 8} served request {i}"
        for i in range(lines)
    ]


def test_the_scan_finds_the_passage_the_index_finds():
    lines = _log(400)
    lines[203] = NEEDLE
    text = "\n".join(lines)
    query = "card 4242 declined"
    [scanned] = TextScan(text).search(query, 1, key="log", agent=None)
    [indexed] = SearchIndex.of_text(text).search(query, 1, key="log", agent=None)
    assert NEEDLE in scanned.text and NEEDLE in indexed.text
    # Blocks of 8 lines: line 204 is in lines 201-208, verbatim.
    assert scanned.location == "lines 201-208"
    assert scanned.text == "\n".join(lines[200:208])


def test_words_match_as_the_index_has_them_stemmed_split_and_in_any_case():
    text = "\n".join(["nothing here"] * 20 + ["The retryCount entries were UNLOADED"] * 2)
    scan = TextScan(text)
    for query in ("count", "entry", "unloading", "retrycount", "Unloaded"):
        hits = scan.search(query, 3, key="k", agent=None)
        assert hits and "retryCount" in hits[0].text, query
    # A word that only holds the letters of a term does not match it.
    assert TextScan("recounted and accounting\n" * 3).search("count", 3, key="k", agent=None) == []


def test_a_long_line_is_searched_in_windows_with_their_place():
    text = "x" * 5000 + " needle " + "y" * 5000
    [hit] = TextScan(text).search("needle", 1, key="k", agent=None)
    assert "needle" in hit.text and len(hit.text) <= 2000
    start = text.index(hit.text)
    assert hit.location == f"line 1, chars {start}-{start + len(hit.text)}"


def test_a_character_that_lowers_to_two_keeps_offsets_right():
    text = "İstanbul office\n" * 3 + "the deploy failed\n"
    [hit] = TextScan(text).search("deploy", 1, key="k", agent=None)
    assert hit.text.endswith("the deploy failed")


def test_a_term_found_everywhere_still_ranks_and_reranks():
    lines = _log(COMMON + 5000)  # "served" and "request" on every line
    lines[9001] = lines[9001] + " timeout"
    text = "\n".join(lines)
    scan = TextScan(text)
    [hit] = scan.search("request timeout", 1, key="k", agent=None)
    assert "timeout" in hit.text
    assert scan.search("served request", 2, key="k", agent=None)  # every term common
    assert scan.relevance("served timeout absent") == 2 / 3


def test_a_big_entry_is_searched_without_an_index_and_read_around_a_query():
    lines = _log(SCAN_FROM_CHARS // 50)
    lines.insert(len(lines) // 2, NEEDLE)
    ctx = SharedContext(ttl=None)
    ctx.put("log", "\n".join(lines))
    assert ctx._derived.entries() == []  # nothing held beside the entry
    [hit] = ctx.search("log", "issuer_unavailable", k=1)
    assert NEEDLE in hit.text and hit.text.count("\n") == BLOCK_LINES - 1
    assert NEEDLE in ctx.get("log", query="card declined issuer_unavailable", max_tokens=300)
