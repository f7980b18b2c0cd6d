"""Tools for a model called directly: definitions, the dispatcher, and a round trip through the
real OpenAI and Anthropic SDK clients over a recording transport (no network)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent_baton import SharedContext
from agent_baton.answers import (
    DEFAULT_TOOL_TOKENS,
    ToolNames,
    listing_answer,
    read_answer,
    search_answer,
)
from agent_baton.demo import WRITER_TASK, load_samples
from agent_baton.llm_tools import (
    anthropic_tool_results,
    anthropic_tools,
    openai_tool_messages,
    openai_tools,
    run_tool,
)

NAMES = ToolNames()
READ_TOOL, SEARCH_TOOL, LIST_TOOL = NAMES.read, NAMES.search, NAMES.list
TOOL_NAMES = (READ_TOOL, SEARCH_TOOL, LIST_TOOL)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def ctx():
    ctx = SharedContext()
    samples = load_samples()
    for key in ("transactions", "ci_log"):
        ctx.put(key, samples[key], agent="researcher")
    return ctx


def load_example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Recorder:
    """A transport that records each request and replies with the next scripted body."""

    def __init__(self, httpx2, replies):
        self.requests = []
        self.replies = list(replies)
        self.transport = httpx2.MockTransport(self.handle)
        self.httpx2 = httpx2

    def handle(self, request):
        self.requests.append(request)
        return self.httpx2.Response(200, json=self.replies.pop(0))

    def body(self, i):
        return json.loads(self.requests[i].content)


# -- definitions and dispatcher ------------------------------------------------------------


def test_definitions_in_each_sdk_shape():
    openai = openai_tools()
    anthropic = anthropic_tools()
    assert [t["function"]["name"] for t in openai] == list(TOOL_NAMES)
    assert [t["name"] for t in anthropic] == list(TOOL_NAMES)
    for o, a in zip(openai, anthropic, strict=True):
        assert o["type"] == "function"
        assert o["function"]["parameters"] == a["input_schema"]
        assert o["function"]["description"] == a["description"]
        schema = a["input_schema"]
        assert schema["type"] == "object" and schema["additionalProperties"] is False
        assert set(schema["required"]) <= set(schema["properties"])
    assert anthropic[0]["input_schema"]["required"] == ["key"]
    assert anthropic[1]["input_schema"]["required"] == ["query"]


def test_read_answers_the_compressed_focused_or_full_form(ctx):
    assert run_tool(ctx, READ_TOOL, '{"key": "ci_log"}') == read_answer(ctx, "ci_log")
    focused = run_tool(ctx, READ_TOOL, {"key": "transactions", "query": "tx_100097"})
    assert focused == read_answer(ctx, "transactions", query="tx_100097")
    assert "tx_100097" in focused
    assert ctx.count_tokens(focused) <= DEFAULT_TOOL_TOKENS


def test_full_read_comes_in_pages_that_name_the_next(ctx):
    first = run_tool(ctx, READ_TOOL, {"key": "transactions", "full": True})
    assert ctx.count_tokens(first) <= DEFAULT_TOOL_TOKENS
    assert 'next: read_shared_context(key="transactions", full=true, page=2)' in first
    second = run_tool(ctx, READ_TOOL, {"key": "transactions", "full": True, "page": 2})
    assert second == read_answer(ctx, "transactions", full=True, page=2)
    assert ctx.get("transactions", full=True).startswith(first.rsplit("\n[page 1 of", 1)[0])


def test_markers_name_the_tools_the_model_has(ctx):
    answer = run_tool(ctx, READ_TOOL, {"key": "transactions"})
    assert 'read_shared_context(key="transactions", full=true)' in answer
    assert 'get("transactions"' not in answer
    custom = ToolNames(read="ctx_read", search="ctx_search", list="ctx_list")
    assert [t["name"] for t in anthropic_tools(custom)] == ["ctx_read", "ctx_search", "ctx_list"]
    renamed = run_tool(ctx, "ctx_read", {"key": "transactions"}, tools=custom)
    assert 'ctx_read(key="transactions", full=true)' in renamed
    assert "There is no tool 'read_shared_context'" in run_tool(
        ctx, READ_TOOL, {"key": "transactions"}, tools=custom
    )


def test_search_and_list(ctx):
    found = run_tool(ctx, SEARCH_TOOL, '{"query": "declined issuer_unavailable"}')
    assert found == search_answer(ctx, "declined issuer_unavailable")
    assert found.startswith("[transactions @ data[")
    assert "tx_100097" in found
    only_log = run_tool(ctx, SEARCH_TOOL, {"query": "AssertionError", "key": "ci_log"})
    assert "[ci_log @" in only_log and "[transactions @" not in only_log
    listing = run_tool(ctx, LIST_TOOL, "{}")
    assert listing == listing_answer(ctx)
    assert "- transactions from researcher" in listing and "- ci_log from researcher" in listing
    assert run_tool(ctx, LIST_TOOL, None) == listing == run_tool(ctx, LIST_TOOL, "")


@pytest.mark.parametrize(
    ("name", "arguments", "answer"),
    [
        (READ_TOOL, '{"key": "nope"}', "No shared context entry 'nope': not stored"),
        (READ_TOOL, {"key": "ci_log", "full": True, "page": 0}, "page must be a whole number"),
        (READ_TOOL, {"key": "ci_log", "full": True, "page": 99}, "page 99 is not one"),
        (READ_TOOL, '{"key": ', "Invalid arguments for read_shared_context: they are not valid"),
        (READ_TOOL, "[1, 2]", "they must be a JSON object"),
        (READ_TOOL, {}, "key must be a non-empty string"),
        (READ_TOOL, {"key": 7}, "key must be a non-empty string"),
        (READ_TOOL, {"key": "ci_log", "full": "yes"}, 'full must be true or false, not "yes"'),
        (SEARCH_TOOL, {"key": "ci_log"}, "query must be a non-empty string"),
        (SEARCH_TOOL, {"query": "zzzqqq"}, "No passage of the shared context matches"),
        ("delete_everything", {}, "There is no tool 'delete_everything'"),
    ],
)
def test_mistakes_are_answered_not_raised(ctx, name, arguments, answer):
    assert answer in run_tool(ctx, name, arguments)


def test_missing_key_names_the_available_ones(ctx):
    answer = run_tool(ctx, READ_TOOL, {"key": "nope"})
    assert "Available keys (list_shared_context lists them): transactions, ci_log" in answer


def test_run_tool_wants_a_context():
    with pytest.raises(TypeError, match=r"ctx must be an agent_baton\.SharedContext"):
        run_tool({}, READ_TOOL, {"key": "k"})


def test_tool_results_from_plain_dicts(ctx):
    calls = [{"id": "c1", "function": {"name": LIST_TOOL, "arguments": "{}"}}]
    assert openai_tool_messages(ctx, calls) == [
        {"role": "tool", "tool_call_id": "c1", "content": run_tool(ctx, LIST_TOOL)}
    ]
    blocks = [
        {"type": "text", "text": "let me look"},
        {"type": "tool_use", "id": "t1", "name": READ_TOOL, "input": {"key": "ci_log"}},
    ]
    assert anthropic_tool_results(ctx, blocks) == {
        "role": "user",
        "content": [
            {
                "type": "tool_result",
                "tool_use_id": "t1",
                "content": read_answer(ctx, "ci_log"),
            }
        ],
    }


# -- round trips through the real SDK clients ----------------------------------------------


def openai_reply(message, finish):
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
    }


def test_openai_sdk_round_trip(ctx):
    openai = pytest.importorskip("openai")
    httpx2 = pytest.importorskip("httpx2")
    calls = [
        {
            "id": "call_a",
            "type": "function",
            "function": {"name": SEARCH_TOOL, "arguments": '{"query": "issuer_unavailable"}'},
        },
        {
            "id": "call_b",
            "type": "function",
            "function": {"name": READ_TOOL, "arguments": '{"key": "ci_log", "full": true}'},
        },
    ]
    recorder = Recorder(
        httpx2,
        [
            openai_reply({"role": "assistant", "content": None, "tool_calls": calls}, "tool_calls"),
            openai_reply({"role": "assistant", "content": "Report: tx_100097."}, "stop"),
        ],
    )
    client = openai.OpenAI(api_key="test", http_client=httpx2.Client(transport=recorder.transport))
    example = load_example("openai_sdk")

    report = example.write_report(client, ctx, WRITER_TASK, "gpt-4o-mini")

    assert report == "Report: tx_100097."
    assert [r.url.path for r in recorder.requests] == ["/v1/chat/completions"] * 2
    first = recorder.body(0)
    assert first["model"] == "gpt-4o-mini"
    assert first["tools"] == openai_tools()
    system, user = first["messages"]
    assert (
        system["role"] == "system"
        and ctx.render(query=WRITER_TASK, tools=NAMES) in system["content"]
    )
    assert user == {"role": "user", "content": WRITER_TASK}
    second = recorder.body(1)["messages"]
    assert second[:2] == first["messages"]
    assert [c["id"] for c in second[2]["tool_calls"]] == ["call_a", "call_b"]
    assert second[3:] == [
        {
            "role": "tool",
            "tool_call_id": "call_a",
            "content": search_answer(ctx, "issuer_unavailable"),
        },
        {
            "role": "tool",
            "tool_call_id": "call_b",
            "content": read_answer(ctx, "ci_log", full=True),
        },
    ]
    assert "tx_100097" in second[3]["content"]


def anthropic_reply(content, stop):
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5",
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }


def test_anthropic_sdk_round_trip(ctx):
    anthropic = pytest.importorskip("anthropic")
    httpx2 = pytest.importorskip("httpx2")
    use = {
        "type": "tool_use",
        "id": "toolu_1",
        "name": READ_TOOL,
        "input": {"key": "transactions", "query": "declined"},
    }
    recorder = Recorder(
        httpx2,
        [
            anthropic_reply([{"type": "text", "text": "Looking."}, use], "tool_use"),
            anthropic_reply([{"type": "text", "text": "Report: declined."}], "end_turn"),
        ],
    )
    client = anthropic.Anthropic(
        api_key="test", http_client=httpx2.Client(transport=recorder.transport)
    )
    example = load_example("anthropic_sdk")

    report = example.write_report(client, ctx, WRITER_TASK, "claude-sonnet-4-5")

    assert report == "Report: declined."
    assert [r.url.path for r in recorder.requests] == ["/v1/messages"] * 2
    first = recorder.body(0)
    assert first["tools"] == anthropic_tools()
    assert ctx.render(query=WRITER_TASK, tools=NAMES) in first["system"]
    assert first["messages"] == [{"role": "user", "content": WRITER_TASK}]
    user, assistant, results = recorder.body(1)["messages"]
    assert user == first["messages"][0]
    assert assistant["role"] == "assistant"
    assert [b["type"] for b in assistant["content"]] == ["text", "tool_use"]
    assert assistant["content"][1]["id"] == "toolu_1"
    answer = read_answer(ctx, "transactions", query="declined")
    assert results == {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": answer}],
    }
    assert "declined" in answer


@pytest.mark.parametrize(
    ("example", "sdk", "expected"),
    [
        ("openai_sdk", "openai", "model calls search_shared_context"),
        ("anthropic_sdk", "anthropic", "model calls read_shared_context"),
    ],
)
def test_examples_run_offline(example, sdk, expected):
    pytest.importorskip(sdk)
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{example}.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout
    assert "context tokens in its prompt instead of" in done.stdout
    assert "tx_100097" in done.stdout or "AssertionError" in done.stdout
