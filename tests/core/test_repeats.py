from agent_baton.compress import compress
from agent_baton.compress.code.skeleton import _merge_counts
from agent_baton.compress.guarantees import violations
from agent_baton.compress.markers import stands_for
from agent_baton.compress.repeats import Shown

PARAMS = [
    "        params: QueryParamTypes | None = None,",
    "        headers: HeaderTypes | None = None,",
    "        cookies: CookieTypes | None = None,",
    "        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,",
]


def test_lines_an_earlier_block_showed_become_a_marker_that_counts_them():
    shown = Shown()
    first = ["```json", "{", '  "model": "llama3.2",', '  "created_at": "2023-08-04T19:22:45Z",']
    second = ["```json", "{", '  "model": "llama3.2",', '  "created_at": "2024-09-12T03:54:03Z",']
    assert shown.drop_repeated(first, in_order=False) == (first, 0)
    again, dropped = shown.drop_repeated(second, (0,), in_order=False)
    assert again == [
        "```json",
        "{",
        "[… 1 line as above]",
        '  "created_at": "2024-09-12T03:54:03Z",',
    ]
    assert dropped == 1


def test_a_run_stands_for_lines_shown_together_in_the_same_order():
    shown = Shown()
    shown.drop_repeated(["    def get(", *PARAMS])
    out, dropped = shown.drop_repeated(["    def head(", *PARAMS], comment="#")
    assert out == ["    def head(", "        # [… 4 lines as above]"]
    assert dropped == 4 and stands_for(out) == [1, 4]
    # Each line was shown, but not in this order: no run stands for them.
    shuffled = [PARAMS[2], PARAMS[0], PARAMS[3], PARAMS[1]]
    assert shown.drop_repeated(shuffled, comment="#") == (shuffled, 0)
    out, _ = shown.drop_repeated(shuffled, comment="#", in_order=False)
    assert out == ["        # [… 4 lines as above]"]


def test_never_dropped_fixed_lines_short_lines_markers_and_failures():
    shown = Shown()
    lines = [
        "    self,",
        "[… 12 lines]",
        "FutureWarning: The 'unit' keyword in TimedeltaIndex construction is deprecated",
        "  df.index += _pd.TimedeltaIndex(dst_error_hours, 'h')",
        "meta_ytd_gain = ((meta_data['Close'][-1] - meta_data['Close'][0]) / meta_data['Close'][0])"
        " * 100",
    ]
    shown.drop_repeated(lines)
    again, dropped = shown.drop_repeated(lines, fixed=(4,))
    assert again == lines and dropped == 0


def test_a_marker_must_cost_clearly_less_than_the_line():
    shown = Shown()
    short = ['  "done": true,', '  "model": "llama3",']
    shown.drop_repeated(short, in_order=False)
    assert shown.drop_repeated(short, in_order=False)[0] == ["[… 2 lines as above]"]
    assert shown.drop_repeated(short[:1], in_order=False)[0] == short[:1]


def test_one_line_alone_is_no_run():
    shown = Shown()
    shown.drop_repeated(["exitcode: 1 (execution failed)", "exitcode: 0 (execution succeeded)"])
    lone = ["exitcode: 1 (execution failed)"]
    assert shown.drop_repeated(lone) == (lone, 0)


def test_adjacent_counting_markers_become_one():
    lines = ["  // [… 1 lines]", "   // [… 1 line as above]", "  // [… 2 lines]", "  x();"]
    assert _merge_counts(lines, "//") == ["  // [… 4 lines]", "  x();"]
    both = ["# [… 2 lines as above]", "# [… 3 lines as above]"]
    assert _merge_counts(both, "#") == ["# [… 5 lines as above]"]
    named = ["# [… 2 lines]", "# … 9 lines of get omitted"]
    assert _merge_counts(named, "#") == named


def test_overloaded_signatures_of_a_class_keep_their_names_and_differences():
    methods = "\n".join(
        f"    def {name}(\n        self,\n        url: str,\n        *,\n"
        + "\n".join(PARAMS)
        + f"\n        {extra}: bool = False,\n    ) -> Response:\n"
        f'        """Send a {name.upper()} request."""\n'
        f"        return self.request({name.upper()!r}, url)\n"
        for name, extra in (("get", "follow"), ("head", "follow"), ("post", "chunked"))
    )
    text = f"class Client:\n{methods}\n" * 3
    out = compress(text, model="gpt-4").text
    assert out.count("def get(") == 3 and out.count("def post(") == 3
    assert "chunked: bool = False," in out
    assert "# [… 4 lines as above]" in out
    assert violations(text, out) == []


def test_a_resent_program_in_a_chat_shrinks_to_what_changed():
    program = [
        "import yfinance as yf",
        "from datetime import datetime, timedelta",
        "current_year = datetime.now().year",
        "meta_data = yf.download('META', start=f'{current_year}-01-01', end=day)",
        "tesla_data = yf.download('TSLA', start=f'{current_year}-01-01', end=day)",
        "meta_gain = (meta_data['Close'][-1] - meta_data['Close'][0]) / meta_data['Close'][0]",
        "tesla_gain = (tesla_data['Close'][-1] - tesla_data['Close'][0]) / tesla_data['Close'][0]",
        "print(f'META year-to-date gain: {meta_gain * 100}%')",
        "print(f'TESLA year-to-date gain: {tesla_gain * 100}%')",
    ]
    turns = []
    for attempt, day in enumerate(("today", "yesterday", "last_close")):
        code = "\n".join([f"day = {day}()", *program])
        turns.append(
            f"assistant (to user_proxy):\nAttempt {attempt}, with the data up to {day}:\n"
            f"```python\n{code}\n```\n"
            f"user_proxy (to assistant):\nexitcode: 0 (execution succeeded)\n"
        )
    text = "".join(turns)
    out = compress(text, model="gpt-4").text
    assert out.count("tesla_gain = (tesla_data") == 1
    assert "day = last_close()" in out
    assert "[… 9 lines as above]" in out.splitlines()
    assert out.count("exitcode: 0 (execution succeeded)") == 3
    assert violations(text, out) == []
