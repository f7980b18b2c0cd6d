"""Hostile shapes: the inputs that once made compression quadratic, and the deadline.

Time is measured by benchmarks/scaling_bench.py and big_bench.py; here the shapes are
checked for behaviour: compression returns, never grows the text, marks what it cuts and,
when it runs out of time, keeps the first and last lines and every failure line.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent_baton import SharedContext
from agent_baton.compress import compress
from agent_baton.compress.config import _SETTING
from agent_baton.compress.detect import sentence_line
from agent_baton.compress.fallback import compress_fallback
from agent_baton.compress.guarantees import unmarked_omissions
from agent_baton.compress.logs import names_a_problem, problem_lines
from agent_baton.compress.mixed import unfenced

# Re-encodings that leave nothing out, so need no marker (a sampled one says "+sample").
LOSSLESS = {"json:table", "json:minify", "table:csv", "table:tsv", "table:pipes", "table:columns"}
# Known on main, left to its owner: the segmenter can drop a line between a run of fence-like
# lines and a table without a marker (11 "``` ~~~ `` `" lines then 30 padded table rows).
UNCHECKED = LOSSLESS

FAILURE = "2026-11-23 10:00:07 ERROR db: connection refused after 3 retries"

# One line of each shape that made a pattern backtrack: repeated, it is the hostile input.
SHAPES = [
    "",
    "        ",
    "\t \t",
    "[{( [{( [{(",
    "class A {",
    "}",
    "veryLong_identifier_Name" + "Xy" * 40,
    "x" * 300,
    "| | | | | |",
    "|" + " " * 200 + "---" + " " * 200 + "|",
    "The run (id 7) of (the) job (was) (slow) (see (notes)).",
    "1" * 120,
    "1,,1,,1,,1,,1,,",
    "-" * 80,
    "``` ~~~ `` `",
    "```",
    "User: why?",
    "key_7: value 7",
    "warnings" + " " * 200 + "x",
    "'\"`_*" * 20,
    "](](](](",
    "a:a:a:a:a = b(c(d(",
    "func(func(func(",
    "export const x = () => {",
    "2026-11-23 10:00:01 INFO worker-3 request 42 served in 12 ms",
]

hostile = st.lists(
    st.tuples(st.sampled_from(SHAPES), st.integers(min_value=1, max_value=400)),
    min_size=1,
    max_size=4,
).map(lambda runs: "\n".join(line for shape, times in runs for line in [shape] * times))
fast = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(hostile, st.sampled_from([None, "error refused", "x"]))
def test_hostile_shapes_compress_without_growing_and_mark_their_cuts(text, query):
    result = compress(text, query=query, key="k")
    assert result == compress(text, query=query, key="k")
    assert result.compressed_tokens <= result.original_tokens
    if result.text != text and result.transforms[0] not in UNCHECKED:
        assert "…" in result.text  # a marker says where something was left out


@fast
@given(hostile, st.integers(min_value=1, max_value=300))
def test_hostile_shapes_fit_max_tokens(text, budget):
    assert compress(text, max_tokens=budget).compressed_tokens <= budget


@fast
@given(hostile, hostile)
def test_a_compression_out_of_time_keeps_head_tail_and_failures(before, after):
    text = f"{before}\n{FAILURE}\n{after}"
    result = compress(text, key="k", deadline=1e-9)
    if result.text == text:
        return  # too short to compress, or no compressor's kind: passed through whole
    assert result.transforms == ["fallback:deadline"]
    kept = result.text.splitlines()
    assert FAILURE in kept  # the guarantee wins over the fallback's budget
    lines = text.split("\n")
    assert lines[0][:2000] in result.text and lines[-1][:2000] in result.text
    assert "omitted" in kept[-1]


def test_the_fallback_folds_repeats_and_keeps_every_failure_within_its_budget():
    routine = [f"10:00:{i % 60:02d} INFO request {i} served in {i % 90} ms" for i in range(3000)]
    failures = [f"10:01:{i:02d} ERROR request {i} failed: timeout" for i in range(5)]
    lines = routine[:1000] + failures + routine[1000:]
    out = compress_fallback("\n".join(lines), "k", budget=5000)
    assert all(f in out.splitlines() for f in failures)
    assert any(line.startswith("[×") for line in out.splitlines())
    assert len(out) < 10_000
    # The lines of a run differ (numbers): its fold shows its first and last, never one line
    # for all of them.
    shown = out.splitlines()
    for k, line in enumerate(shown):
        if line.startswith("[×"):
            assert ", numbers differ; first and last:] " in line
            assert line.split(":] ", 1)[1] in lines and shown[k + 1] in lines
    assert unmarked_omissions("\n".join(lines), out) == []


def test_the_fallback_never_folds_blank_lines_into_an_empty_fold():
    # pytest -q's report opens with blank lines between sections: kept at the head, 4 of
    # them read "[×4] ", a fold that shows nothing, where 4 blank lines cost less.
    head = ["", "", "", "", "=== FAILURES ===", "", "", ""]
    lines = head + [f"test_{i}.py::test_case PASSED" for i in range(400)]
    out = compress_fallback("\n".join(lines), "k", budget=2000).splitlines()
    assert out[: len(head)] == head
    assert not [line for line in out if line.startswith("[×") and not line.split("] ", 1)[1]]


def test_the_fallback_keeps_every_failure_when_they_outgrow_the_budget():
    failures = [f"ERROR job {i} failed with code {i * 7}" for i in range(2000)]
    out = compress_fallback("\n".join(failures), "k", budget=2000).splitlines()
    assert all(failure in out for failure in failures)


def test_the_fallback_keeps_first_and_last_problems_when_they_outgrow_the_budget():
    problems = [f"job {i} timed out after {i * 7} s, retrying" for i in range(2000)]
    out = compress_fallback("\n".join(problems), "k", budget=2000).splitlines()
    assert problems[0] in out and problems[-1] in out
    assert len(out) < 1000
    assert "problem lines" in out[-1] and "omitted" in out[-1]


def test_the_fallback_cuts_one_huge_line_with_a_marker():
    line = "QUJD" * 500_000
    out = compress_fallback(line, "k", budget=3000)
    assert out.startswith(line[:2000]) and "more characters of this line omitted" in out


def test_a_put_out_of_time_says_so_and_keeps_the_original():
    ctx = SharedContext(ttl=None, compress_deadline=1e-9)
    text = "\n".join([FAILURE] + [f"INFO request {i} served" for i in range(500)])
    entry = ctx.put("log", text)
    assert entry.transforms == ["fallback:deadline"]
    assert FAILURE in entry.compressed
    assert ctx.get("log", full=True) == text


@fast
@given(
    st.lists(
        st.sampled_from(["```", "````", "~~~", "  ```js", "", "text", "  ", "``", "# h"]),
        max_size=30,
    )
)
def test_unfenced_removes_closed_blocks_only(lines):
    text = "\n".join(lines)
    out = unfenced(text)
    assert len(out) <= len(text)
    # Text outside any block survives: a line no fence could open or close stays.
    if not any(line.strip().startswith(("```", "~~~")) for line in lines):
        assert out == text


def test_problem_lines_finds_what_names_a_problem_accepts():
    lines = ["ok", "Failures: 0, Errors: 0", "Caused by: java.io.IOException", "İNFO", FAILURE]
    assert problem_lines(lines) == [i for i, line in enumerate(lines) if names_a_problem(line)]


def test_the_brace_scanner_names_a_function_whose_header_is_huge():
    params = ", ".join(f"int a{i}" for i in range(3000))
    body = "    total += step(total);\n" * 40
    small = "".join(f"static int f{i}(int x) {{\n    return x + {i};\n}}\n" for i in range(10))
    source = (
        f"#include <stdio.h>\n\n{small}"
        f"static Map<K, V> make_map(int size) {{\n{body}}}\n\n"
        f"static int compute({params}) {{\n{body}}}\n"
    )
    out = compress(source, key="k").text
    assert "lines of make_map omitted" in out
    assert "lines of compute omitted" in out


def test_an_ini_file_with_lines_of_blanks_is_read_by_its_settings():
    # A line of thousands of blanks before a non-setting character made the setting pattern
    # try every split of the blanks (cubic: 1,200 blanks took 3 s a line).
    sections = [f"[section{i}]\nkey{i} = value {i}\nname{i}: x" for i in range(6)]
    text = "\n".join([*sections, *[" " * 5000 + "!"] * 20, *sections])
    result = compress(text)
    assert "[section0]" in result.text and "key5 = value 5" in result.text


# A line as runs of one character: keys, blanks, colons, separators, brackets, other marks.
setting_runs = st.lists(
    st.tuples(st.sampled_from(list(" \t\u00a0:=[]a.'/@!é")), st.integers(1, 3)), max_size=12
)


@fast
@given(setting_runs, st.integers(min_value=0, max_value=11))
def test_the_config_setting_pattern_reads_a_long_line_as_its_short_form(runs, pumped):
    # The pattern counts no character, so a run of 3 and a run of 40,000 read alike; its
    # earlier spelling tried every split of a run of blanks (1 s for 10,000 of them).
    short = "".join(char * times for char, times in runs)
    long = "".join(
        char * (40_000 if k == pumped and times == 3 else times)
        for k, (char, times) in enumerate(runs)
    )
    assert bool(_SETTING.match(long)) == bool(_SETTING.match(short))


def test_the_config_setting_pattern_on_lines_of_100_000_characters():
    blanks = " " * 100_000
    assert _SETTING.match(f"key{blanks}= value")
    assert _SETTING.match(f"  key[x]{blanks}: value")
    assert _SETTING.match(f"a:{blanks}b")
    assert not _SETTING.match(f"key{blanks}x")
    assert not _SETTING.match(f"key:{blanks}")
    assert not _SETTING.match(f"key{blanks}[x")
    assert not _SETTING.match(blanks)


def test_a_line_opening_with_a_long_token_is_read_as_its_short_form():
    # A token of colons made the test-runner record pattern try every "::" in it (0.6 s for
    # 10,000); a test id with "::" followed by a verdict is still a record, not a sentence.
    colons = ":" * 100_000
    assert sentence_line(f">{colons} quoted words here")
    assert sentence_line(f">{colons} quoted words here") == sentence_line(">:::: quoted words")
    assert not sentence_line(f">words{colons}of PASSED and more words")
    assert not sentence_line(">words::of PASSED and more words")
    assert sentence_line(">words::of the PASSED words")  # a verdict only after the test id
