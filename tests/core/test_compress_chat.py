import json
import shutil
import subprocess
from pathlib import Path

import pytest

from agent_baton.compress import compress
from agent_baton.compress.chat import _restore_key_lines, compress_chat, looks_like_chat
from agent_baton.compress.detect import kinds
from agent_baton.compress.guarantees import is_failure, violations
from agent_baton.compress.parsed import NOT_DATA, literal_value
from agent_baton.compress.request import Request

RULE = "-" * 80
LONG = " ".join(f"The assistant explains detail number {i} at some length here." for i in range(40))


def autogen() -> str:
    turns = [
        ("user_proxy", "assistant", "Plot the stock prices. We must use only free data sources.")
    ]
    for i in range(5):
        turns.append(("assistant", "user_proxy", LONG))
        turns.append(
            (
                "user_proxy",
                "assistant",
                f"exitcode: 1 (execution failed)\nNameError: name 'x{i}' is not defined",
            )
        )
    turns.append(("assistant", "user_proxy", "We decided to use META instead of FB. TERMINATE"))
    return "\n".join(f"{a} (to {b}):\n\n{body}\n\n{RULE}" for a, b, body in turns)


def test_autogen_keeps_errors_decisions_and_latest():
    text = autogen()
    assert looks_like_chat(text) and kinds(text)[0] == "chat"
    out, name = compress_chat(text, Request(key="chat"))
    assert name == "chat:turns"
    assert "NameError: name 'x2' is not defined" in out
    assert "We decided to use META instead of FB." in out
    assert "We must use only free data sources." in out
    assert out.count("assistant (to user_proxy):") == 6
    assert len(out) < 0.6 * len(text)


def test_json_messages():
    messages = [{"role": "user", "content": "What is the capital? Answer briefly."}]
    messages += [{"role": "assistant", "content": LONG}, {"role": "user", "content": LONG}] * 3
    messages.append({"role": "assistant", "content": "Final answer: Paris."})
    text = json.dumps(messages)
    assert kinds(text)[0] == "chat"
    out, _ = compress_chat(text, Request())
    assert "Final answer: Paris." in out and "What is the capital?" in out


def test_tool_calls_and_results_of_openai_and_anthropic_messages_are_kept():
    rows = [
        {"id": f"ch_{j}", "amount": 1000 + 37 * j, "invoice": f"INV-{20900 + j}"} for j in range(60)
    ]
    openai = [
        {"role": "user", "content": "acct_99120 was charged twice. Refund the duplicate."},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "list_charges", "arguments": '{"account": "acct_99120"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": json.dumps(rows)},
        {"role": "assistant", "content": LONG},
        {"role": "assistant", "content": "Refund requested; pending approval."},
    ]
    anthropic = [
        openai[0],
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Listing the charges."},
                {"type": "tool_use", "id": "tu_1", "name": "list_charges", "input": {"page": 2}},
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "tu_1", "content": json.dumps(rows)}
            ],
        },
        *openai[3:],
    ]
    for messages, call in (
        (openai, '[§ calls list_charges (call_1)]\n{"account": "acct_99120"}'),
        (anthropic, '[§ calls list_charges (tu_1) with {"page": 2}]'),
    ):
        text = json.dumps(messages, indent=2)
        out, _ = compress_chat(text, Request())
        assert call in out  # the action taken, with its arguments
        assert "[§ message 3 of 5: " in out  # who sent each message
        assert "null" not in out
        assert "ch_0|1000|INV-20900" in out  # the result, as a table
        assert len(out) < len(text) / 2


def test_levels_keep_less():
    sizes = [len(compress_chat(autogen(), Request(level=lv))[0]) for lv in range(3)]
    assert sizes[0] > sizes[2]


def test_declines_non_chat():
    assert not looks_like_chat("Just prose.\n" * 30)
    assert compress_chat("Just prose.\n" * 30, Request()) is None


def test_key_lines_put_back_are_labelled_as_coming_from_elsewhere_in_the_turn():
    body = "Traceback (most recent call last):\n  File \"x.py\"\nNameError: name 'x' is not defined"
    restored = _restore_key_lines(body, "NameError: name 'x' is not defined")
    assert restored.splitlines() == [
        "NameError: name 'x' is not defined",
        "[… also in this turn:]",
        "Traceback (most recent call last):",
    ]


def test_a_react_trace_is_read_as_turns_and_its_observation_compressed_as_json():
    rows = json.dumps(
        [
            {"id": i, "sku": f"SKU-{i:04d}", "stock": 0 if i == 77 else 10 + i % 50}
            for i in range(300)
        ],
        indent=2,
    )
    trace = (
        "Question: Which SKU is out of stock?\n"
        "Thought: I should query the inventory for all SKUs.\n"
        "Action: inventory_search\n"
        'Action Input: {"warehouse": "eu-1"}\n'
        f"Observation: {rows}\n"
        "Thought: I now know the final answer.\n"
        "Final Answer: SKU-0077 is out of stock."
    )
    assert kinds(trace)[0] == "chat"
    out, _ = compress_chat(trace, Request())
    assert "inventory_search" in out and '{"warehouse": "eu-1"}' in out
    assert '"sku": "SKU-0077",\n    "stock": 0' in out  # the one empty shelf, its own lines
    assert "SKU-0077 is out of stock." in out and len(out) < len(trace) / 4


def pytest_run(n: int) -> str:
    lines = [f"tests/test_m.py::test_case_{i} PASSED" for i in range(n)]
    for i in range(7, n, 97):
        lines[i] = f"tests/test_m.py::test_case_{i} FAILED"
        lines.append(f"E       AssertionError: assert {i} == {i + 1}")
        lines.append(f"tests/test_m.py:{i * 3}: AssertionError")
    return "\n".join(lines)


def test_message_lists_keep_their_lines_and_every_failure_in_a_tool_result():
    log = pytest_run(600)
    openai = [
        {"role": "user", "content": "Why is the build red?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_0",
                    "type": "function",
                    "function": {"name": "run", "arguments": '{"command": "pytest"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_0", "content": log},
        {"role": "assistant", "content": "Seven tests fail."},
    ]
    anthropic = [
        openai[0],
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "tu_0", "name": "run", "input": {"cmd": "x"}}],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "tu_0", "content": log}],
        },
        openai[3],
    ]
    for messages in (openai, anthropic):
        text = json.dumps(messages, indent=2)
        result = compress(text, key="k")
        assert result.transforms == ["chat:turns"] and result.savings_percent > 60
        assert violations(text, result.text) == []  # lines of the messages, or markers
        for line in log.splitlines():
            assert not is_failure(line) or line in result.text.splitlines()


def test_a_speaker_on_the_line_of_what_it_said_stays_on_that_line():
    lines = [f"User: question {i} about the deployment of service {i}?" for i in range(3)]
    run = pytest_run(300)
    text = "\n".join([*lines, f"Assistant: {run}", "User: thanks, that settles it."])
    out, _ = compress_chat(text, Request())
    assert all(line in out.splitlines() for line in lines)
    assert f"Assistant: {run.splitlines()[0]}" in out.splitlines()  # the speaker's line
    assert violations(text, out) == []


def test_a_key_line_shown_cut_short_is_shown_whole_in_its_place_once():
    decision = (
        "We decided to ship the Disputed variant in 4.0.0 and to postpone the currency change."
    )
    body = decision + "\n" + "\n".join(f"Background note {i} says little." for i in range(30))
    cut = decision[:40] + f"[… {len(decision) - 40} more characters omitted]"
    restored = _restore_key_lines(body, cut + "\n[… 30 lines]").splitlines()
    assert restored == [decision, "[… 30 lines]"]


def test_code_in_a_turn_is_not_put_back_as_key_lines():
    body = (
        "Here is the script.\n```python\nfor result in search.results():\n"
        "    total = result.count\n```\nIt failed before; we decided to retry."
    )
    restored = _restore_key_lines(body, "Here is the script.")
    assert "total = result.count" not in restored
    assert "It failed before; we decided to retry." in restored


def _langchain_title(title: str) -> str:
    """The rule LangChain's ``get_msg_title_repr`` pads a message's title by (80 columns)."""
    padded = f" {title} "
    sep = "=" * ((80 - len(padded)) // 2)
    return f"{sep}{padded}{sep}{'=' if len(padded) % 2 else ''}"


def test_langchain_printed_messages_are_read_as_turns():
    rows = [{"job_id": f"job-{1000 + i}", "status": "SUCCEEDED", "owner": "lin"} for i in range(80)]
    rows[17]["status"] = "FAILED"
    turns = [
        ("Human Message", "Find the failed jobs and decide what to do with each."),
        ("Ai Message", "Tool Calls:\n  scan_jobs (call_91)\n Call ID: call_91\n  Args:\n    t: j"),
        ("Tool Message", "Name: scan_jobs\n\n" + str(rows)),
        ("Ai Message", LONG),
        ("Human Message", "Do not rerun job-1017: it double-charges customers if replayed."),
        ("Ai Message", LONG + "\nDecision: leave job-1017 for manual review (ticket BILL-77)."),
    ]
    text = "\n".join(f"{_langchain_title(t)}\n\n{body}" for t, body in turns)
    assert _langchain_title("Ai Message") == "=" * 34 + " Ai Message " + "=" * 34
    assert looks_like_chat(text) and kinds(text)[0] == "chat"
    out, name = compress_chat(text, Request(key="jobs"))
    assert name == "chat:turns" and out.count("Ai Message") == 3
    assert "job-1017" in out.split(_langchain_title("Tool Message"))[1]
    assert "it double-charges customers if replayed." in out and "BILL-77" in out
    assert len(out) < 0.5 * len(text)


def test_a_key_word_in_the_middle_of_a_wrapped_sentence_puts_no_line_back():
    # An RFC quoted in a turn, wrapped at 72 columns: "should" on a line that goes on from
    # the one above is half a sentence; a line of its own that states a decision is not.
    paragraph = (
        "Of course, much of the effect of renaming or moving items can be\n"
        "achieved by using deprecation and re-exports instead, and a library\n"
        "should not be afraid to do so in the long run, when the cost of the\n"
        "old names is small compared to the cost of the breakage for users.\n\n"
    )
    body = paragraph * 12 + "Decision: we must keep the old path until 4.0.\n" + paragraph * 6
    kept = _restore_key_lines(body, "\n".join(body.splitlines()[:2]))
    assert "Decision: we must keep the old path until 4.0." in kept
    assert "should not be afraid to do so in the long run, when the cost of the" not in kept


def test_a_wrapped_line_that_states_a_constraint_is_put_back():
    # Debian changelogs (glib's, util-linux's in /usr/share/doc) wrap at 76 columns: a
    # constraint lands on a line going on from the one above. Without it the turn loses it.
    entries = (
        "  * d/control.in: libgirepository1.0-dev is not Multi-Arch: same.\n"
        "    libgirepository1.0-dev cannot be Multi-Arch: same, because GLib-2.0.gir\n"
        "    differs between architectures (see #905715). It also cannot usefully be\n"
        "    Multi-Arch: same because it depends on gobject-introspection, which\n"
        "    includes g-ir-scanner, which is an architecture-specific tool.\n"
        "  * hwclock.sh: remove obsolete startup code.\n"
        "    Let the on startup code always be handled by the udev rule we install.\n"
        '    On any normal system, systemd or sysvinit, "hwclock.sh start" was a\n'
        "    no-op for the last few Debian releases already. Also, with initramfs,\n"
        "    hwclock.sh never got executed *before* fsck for root.\n"
    )
    filler = "  * refresh patches\n  * import post-release cleanup patches from upstream\n"
    body = filler * 10 + entries + filler * 10
    kept = _restore_key_lines(body, "\n".join(body.splitlines()[:2]))
    assert "differs between architectures (see #905715). It also cannot usefully be" in kept
    assert "    hwclock.sh never got executed *before* fsck for root." in kept


# What print() shows of a framework's messages (langchain_core 1.7, autogen-agentchat 0.7): the
# repr of message objects, one line. Built with repr() of the strings, as the frameworks do.
PYTEST_LOG = "\n".join(
    [
        *(f"test_misc.py::test_ok_{i} PASSED" for i in range(300)),
        "FAILED test_billing.py::test_currency_codes - KeyError: 'CHF'",
        "E       KeyError: 'CHF'",
    ]
)
DECISION = "Decision: fix the currency table today; the archive test waits for the export job."


def langchain_result() -> str:
    return (
        "{'messages': [HumanMessage(content='Run the billing tests.', additional_kwargs={}, "
        "response_metadata={}, id='5f54'), AIMessage(content='', additional_kwargs={}, "
        "response_metadata={}, name='lc_tests', id='lc_run--01', tool_calls=[{'name': "
        "'run_tests', 'args': {'path': 'test_billing.py'}, 'id': 'call_t1', 'type': "
        "'tool_call'}], invalid_tool_calls=[]), ToolMessage(content="
        f"{PYTEST_LOG!r}, name='run_tests', id='e3f1', tool_call_id='call_t1'), "
        f"AIMessage(content={DECISION!r}, additional_kwargs={{}}, response_metadata={{}}, "
        "name='lc_tests', id='lc_run--02', tool_calls=[], invalid_tool_calls=[])]}"
    )


def autogen_task_result() -> str:
    stamp = "datetime.datetime(2026, 12, 6, 22, 9, 2, 872612, tzinfo=datetime.timezone.utc)"
    return (
        "messages=[TextMessage(id='1a7a', source='user', models_usage=None, metadata={}, "
        f"created_at={stamp}, content='Run the billing tests.', type='TextMessage'), "
        "ToolCallRequestEvent(id='a3b5', source='analyst', models_usage=RequestUsage("
        f"prompt_tokens=0, completion_tokens=0), metadata={{}}, created_at={stamp}, "
        "content=[FunctionCall(id='call_1', arguments='{}', name='run_tests')], "
        "type='ToolCallRequestEvent'), ToolCallExecutionEvent(id='8887', source='analyst', "
        f"models_usage=None, metadata={{}}, created_at={stamp}, content=[FunctionExecutionResult("
        f"content={PYTEST_LOG!r}, name='run_tests', call_id='call_1', is_error=False)], "
        "type='ToolCallExecutionEvent'), TextMessage(id='9c1d', source='analyst', "
        f"models_usage=None, metadata={{}}, created_at={stamp}, content={DECISION!r}, "
        "type='TextMessage')] stop_reason=None"
    )


def test_printed_framework_messages_are_read_as_turns():
    # print(agent.invoke(...)) and print(await team.run(...)): each message a turn, its tool
    # calls and results labelled; the failure and the final decision stay.
    for text in (langchain_result(), autogen_task_result()):
        assert kinds(text)[0] == "chat"
        result = compress(text, key="run")
        assert result.transforms == ["chat:turns"]
        assert "E       KeyError: 'CHF'" in result.text
        assert DECISION in result.text
        assert "[§ calls run_tests (call_" in result.text
        assert not violations(text, result.text)
    assert "[§ and stop_reason=None]" in compress(autogen_task_result(), key="run").text


def test_fields_of_a_log_line_are_no_printed_model():
    # logfmt's "a=1 b=2" parses as fields too, but a model's str() holds a list or a record.
    for text in ("level=info status=200 bytes=5120", 'msg="started" count=3', "PATH=/usr/bin"):
        assert kinds(text)[0] != "chat"
        assert compress(text).text == text


def test_lines_of_fields_and_long_runs_of_them_are_no_printed_model():
    # A model's str() is one line of a few fields: lines of name=value (a .env file, Python
    # assignments written tight) and a line of dozens of fields are not one, and are not
    # parsed a field at a time (each field is a parse of the rest of the text).
    env_lines = "\n".join(f"HOSTS_{i}=['db{i}.internal', 'db{i}.backup']" for i in range(40))
    fields_line = " ".join(f"k{i}={i}" for i in range(40)) + " ids=[1, 2]"
    for text in (env_lines, fields_line):
        assert literal_value(text) is NOT_DATA
        assert kinds(text)[0] != "repr"


def test_pytests_captured_output_sections_are_no_speakers(tmp_path):
    """pytest titles what a failing test printed or logged (``---- Captured stdout call
    ----``, dashes padded to the terminal's width): a test run, not an AutoGen console
    transcript, whose speaker lines have ten dashes each side (``---------- user ----------``)."""
    import subprocess
    import sys

    tests = tmp_path / "test_rates.py"
    tests.write_text(
        "import logging\nimport pytest\n\n"
        "@pytest.mark.parametrize('n', range(8))\n"
        "def test_rate(n):\n"
        "    print(f'computing the rate of batch {n}')\n"
        "    logging.getLogger('rates').warning('batch %d is slow', n)\n"
        "    assert n % 3 != 1, f'batch {n} has no rate'\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    log = run.stdout
    assert log.count("- Captured stdout call -") == 3  # the sections this test is about
    assert log.count("- Captured log call -") == 3

    assert not looks_like_chat(log)
    assert not compress(log).transforms[0].startswith("chat")
    console = "\n".join(f"---------- {who} ----------\n{said}\n" for who, said in autogen_said())
    assert looks_like_chat(console)  # AutoGen's console form still is one


def autogen_said() -> list[tuple[str, str]]:
    return [("user", "Plan the trip."), ("planner_agent", LONG), ("travel_summary_agent", LONG)]


def test_bold_speakers_opening_their_turns_line_make_a_chat_that_quotes_a_build(tmp_path: Path):
    # "**user:** The build broke…": the bold name opens the turn's first line. Only a bold
    # name alone on its line was a speaker, so chats quoting a compiler's output were read as
    # code (its braces), a log or settings (19 of 19 real ones; the settings dropped errors).
    if shutil.which("gcc") is None:
        pytest.skip("no gcc")
    source = tmp_path / "parse.c"
    source.write_text(
        "".join(f"int parse_{i}(const char *s) {{ return strtol_{i}(s); }}\n" for i in range(30)),
        encoding="utf-8",
    )
    run = subprocess.run(
        ["gcc", "-c", str(source), "-o", "/dev/null"], capture_output=True, text=True
    )
    text = (
        "**user:** The nightly build failed after the upgrade to 2.4.1. Ticket OPS-512.\n\n"
        f"**build_agent:** I ran the build again. Output:\n\n{run.stderr}\n"
        "**reviewer:** The first error is the one to fix.\n"
        "Decision: we pin the compiler until the fix lands.\n\n"
        "**user:** Thanks, closing OPS-512 once it is green.\n"
    )
    assert looks_like_chat(text)
    assert kinds(text)[0] == "chat"
    result = compress(text, model="gpt-4")
    assert violations(text, result.text) == []
    kept = result.text.splitlines()
    assert [line for line in text.splitlines() if is_failure(line) and line not in kept] == []


def markdown_chat(names: tuple[str, ...]) -> str:
    trace = "".join(
        f'  File "/srv/app/settings.py", line {40 + k}, in read_{k}\n    return load(path)\n'
        for k in range(30)
    )
    return (
        f"**{names[0]}:** Ticket BUG-5534: the service crashes at start-up after the upgrade"
        " to 7.6.0. Plan: reproduce, find the change, decide revert or fix.\n\n"
        f"**{names[1]}:** Reproduced. The crash:\n\n```\nTraceback (most recent call last):\n"
        f"{trace}json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)\n```\n\n"
        f"**{names[2]}:** The trace's last frame points at the settings loader changed in the"
        " upgrade. Decision: revert to 7.5.2 and pin it until BUG-5534 is fixed; Hannah"
        " Becker opens the revert PR.\n\n"
        f"**{names[0]}:** Agreed. Closing the investigation.\n"
    )


def test_bold_speakers_that_take_turns_on_their_lines_are_a_transcript() -> None:
    # A markdown export of a multi-agent chat: "**planner:** text". Read as prose, the
    # reviewer's decision ranked low among the sentences and was dropped.
    text = markdown_chat(("planner", "coder", "reviewer"))
    assert kinds(text)[0] == "chat"
    result = compress(text)
    assert result.transforms == ["chat:turns"]
    assert "Becker opens the revert PR." in result.text
    assert "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)" in result.text
    assert violations(text, result.text) == []


def test_bold_labels_of_a_document_are_no_speakers() -> None:
    # "**Note:**" and "**Warning:**" under a document's headings label its paragraphs.
    text = "# Install\n\n" + markdown_chat(("Note", "Warning", "Tip")).replace(
        "**Note:** Agreed", "## Upgrade\n\n**Note:** Agreed"
    )
    assert not looks_like_chat(text)
    # Nor are labels that never come back after another.
    once = markdown_chat(("Note", "Warning", "Tip")).replace("**Note:** A", "A")
    assert not looks_like_chat(once)


def plain_chat(names: tuple[str, str, str]) -> str:
    """A chat of plain "Name: text" lines: planner, coder twice, reviewer, planner."""
    trace = "".join(
        f'  File "/srv/app/settings.py", line {40 + k}, in read_{k}\n    return load(path)\n'
        for k in range(30)
    )
    build = "".join(f"Step {k}/40 : RUN pip install -r requirements-{k}.txt\n" for k in range(40))
    return (
        f"{names[0]}: Ticket BUG-5534: the service crashes at start-up after the upgrade"
        " to 7.6.0. Plan: reproduce, find the change, decide revert or fix.\n\n"
        f"{names[1]}: Reproduced. The crash:\n\n```\nTraceback (most recent call last):\n"
        f"{trace}json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)\n```\n\n"
        f"{names[1]}: I also ran the build of the patched tree:\n\n```\n{build}```\n\n"
        f"{names[2]}: The trace's last frame points at the settings loader changed in the"
        " upgrade. Decision: revert to 7.5.2 and pin it until BUG-5534 is fixed; Hannah"
        " Becker opens the revert PR.\n\n"
        f"{names[0]}: Agreed. Closing the investigation. TERMINATE\n"
    )


def test_plain_names_that_take_turns_are_a_transcript() -> None:
    # "Reviewer: text" with any names: read as prose, the reviewer's decision ranked low
    # among the sentences and was dropped (20 of 20 real-material chats of this form).
    for names in (("Planner", "Coder", "Reviewer"), ("Maria Lopez", "Support", "Critic")):
        text = plain_chat(names)
        assert kinds(text)[0] == "chat"
        result = compress(text)
        assert result.transforms == ["chat:turns"]
        assert "Becker opens the revert PR." in result.text
        assert "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)" in (
            result.text
        )
        assert violations(text, result.text) == []


def test_records_of_word_colon_lines_are_no_transcript(tmp_path: Path) -> None:
    # git log's "Author:" and "Date:", a patch mail's headers: names that alternate, but
    # on the lines of a record, saying no sentence. A FAQ's "Q:" and "A:" are no names.
    if shutil.which("git") is None:
        pytest.skip("no git")

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(tmp_path), *args], capture_output=True, text=True, check=True
        ).stdout

    git("init", "-q")
    git("config", "user.email", "dev@example.com")
    git("config", "user.name", "Dev Eloper")
    for k in range(6):
        (tmp_path / f"f{k}.txt").write_text(f"{k}\n", encoding="utf-8")
        git("add", ".")
        git("commit", "-q", "-m", f"Fix the parser for case {k} of the settings file")
    for text in (git("log"), git("log", "--stat"), git("format-patch", "--stdout", "HEAD~4")):
        assert kinds(text)[0] != "chat"
    faq = "".join(
        f"Q: How do I set option {k} of the tool?\n\nA: Pass it on the line.\n\n" for k in range(5)
    )
    assert not looks_like_chat(faq)
    # A chat's names, one of them under a heading, is a document's labels.
    chat = plain_chat(("Planner", "Coder", "Reviewer"))
    assert not looks_like_chat("# Notes\n\n" + chat.replace("Reviewer:", "## Later\n\nReviewer:"))
