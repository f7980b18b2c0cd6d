"""Property and adversarial tests: whatever agents hand over, nothing is lost or raised."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_baton import SharedContext
from agent_baton.compress import compress
from agent_baton.compress.guarantees import failures, missing_failures
from agent_baton.compress.pipeline import MIN_TOKENS

COUNTER_CTX = SharedContext(ttl=None, max_entries=10_000)
count = COUNTER_CTX.count_tokens

# Text that looks like agent output: lines of words, numbers, JSON-ish and log-ish pieces.
words = st.sampled_from(
    [
        "error",
        "ok",
        "user",
        "id",
        "42",
        "3.14",
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        '"name"',
        "2026-11-23",
        "10:00:01",
        "INFO",
        "WARN",
        "def",
        "return",
        "#",
        "-",
        "|",
        "é",
        "👍",
        "\t",
    ]
)
line = st.lists(words, max_size=12).map(" ".join)
document = st.lists(line, max_size=80).map("\n".join)
any_text = st.one_of(st.text(max_size=3000), document)
fuzz = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fuzz
@given(any_text)
def test_put_get_full_round_trips(text):
    COUNTER_CTX.put("k", text)
    assert COUNTER_CTX.get("k", full=True) == text


@fuzz
@given(any_text, st.one_of(st.none(), line))
def test_compress_never_raises_never_grows_and_is_deterministic(text, query):
    first = compress(text, query=query)
    second = compress(text, query=query)
    assert first == second
    assert first.compressed_tokens <= first.original_tokens
    assert first.compressed_tokens == count(first.text)
    if first.original_tokens < MIN_TOKENS:
        assert first.text == text  # tiny inputs pass through untouched


@fuzz
@given(any_text, st.integers(min_value=1, max_value=400))
def test_max_tokens_holds_unless_the_failure_lines_alone_exceed_it(text, budget):
    result = compress(text, max_tokens=budget)
    if result.compressed_tokens > budget:
        # The guarantee wins over the budget: every failure line stays, the marker says so.
        assert failures(text) and missing_failures(text, result.text) == []
        assert result.transforms[-1] == "budget:failures-over"
        assert result.text == text or "the failure lines alone exceed" in result.text
        assert result.compressed_tokens <= result.original_tokens


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "id": st.integers(),
                "name": st.text(max_size=20),
                "score": st.floats(allow_nan=False, allow_infinity=False),
                "tag": st.sampled_from(["a", "b", "c", None]),
            }
        ),
        min_size=2,
        max_size=60,
        unique_by=lambda row: row["id"],
    )
)
def test_json_table_keeps_every_value_of_every_kept_row(rows):
    text = json.dumps(rows, indent=2, ensure_ascii=False)
    result = compress(text)
    if not result.transforms or not result.transforms[0].startswith("json:table"):
        return
    lines = result.text.splitlines()
    # The header follows "rows: N rows" and, if any column is constant, "same in all rows".
    at = 2 if "same in all rows" in lines[1] else 1
    header = lines[at]
    columns = split_cells(header)
    if "id" not in columns:
        return
    by_id = {str(row["id"]): row for row in rows}
    for line in lines[at + 1 :]:
        cells = split_cells(line)
        if len(cells) != len(columns) or cells[columns.index("id")] not in by_id:
            continue
        row = by_id[cells[columns.index("id")]]
        if "tag" in columns:
            tag = cells[columns.index("tag")]
            assert tag == (row["tag"] if row["tag"] is not None else "null")
        if "name" in columns and row["name"]:
            assert cells[columns.index("name")] == row["name"]
        if "score" in columns:
            assert float(cells[columns.index("score")]) == row["score"]


def split_cells(line):
    """Split a table line on unescaped "|" and undo the cell escapes."""
    cells, current, i = [], [], 0
    while i < len(line):
        char = line[i]
        if char == "\\":
            escaped = line[i + 1]
            if escaped == "u":
                current.append(chr(int(line[i + 2 : i + 6], 16)))
                i += 6
                continue
            current.append({"n": "\n", "r": "\r"}.get(escaped, escaped))
            i += 2
            continue
        if char == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    cells.append("".join(current))
    return cells


def check(text):
    """Put, read back in full, compress with and without a budget: nothing raises."""
    ctx = SharedContext(ttl=None)
    entry = ctx.put("x", text)
    assert ctx.get("x", full=True) == text
    assert entry.compressed_tokens <= entry.original_tokens
    assert ctx.count_tokens(ctx.get("x", max_tokens=100)) <= 100
    return entry


def test_ten_megabyte_single_line():
    entry = check("lorem ipsum dolor sit amet " * 400_000)
    assert entry.original_tokens > 1_000_000


def test_deeply_nested_json():
    check(json.dumps(json.loads("[" * 900 + "1" + "]" * 900)))
    check('{"a":' * 5000 + "1" + "}" * 5000)


def test_surrogates_nul_bytes_rtl_and_combining_marks():
    nasty = "\ud800\udfff\x00\x01 שלום עולם مرحبا e\u0301\u0302\u0303 \u202e reversed \u200b"
    entry = check((nasty + "\n") * 2000)
    assert entry.original.count("\x00") == 2000


def test_binary_junk_as_bytes():
    junk = bytes(range(256)) * 400
    ctx = SharedContext()
    entry = ctx.put("bin", junk)
    # Every byte survives in the original (as a \xNN escape where it is not UTF-8) ...
    assert entry.original == junk.decode("utf-8", errors="backslashreplace")
    # ... and the next agent gets a description of the data, not a bare marker.
    compressed = ctx.get("bin")
    assert "102,400 bytes" in compressed and "00 01 02 03" in compressed


def test_code_with_ten_thousand_functions():
    body = "    y = x * 2\n    z = y + 1\n    w = z - x\n    return w + {i}\n"
    source = "\n\n".join(f"def f{i}(x: int) -> int:\n" + body.format(i=i) for i in range(10_000))
    entry = check(source)
    assert entry.savings_percent > 30


def test_log_of_a_million_identical_lines():
    log = "\n".join(["2026-11-23 10:00:00 INFO heartbeat ok"] * 1_000_000)
    ctx = SharedContext(ttl=None)
    entry = ctx.put("x", log)
    assert ctx.get("x", full=True) == log
    assert entry.compressed_tokens < 200
    assert "[×" in entry.compressed
