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
from agent_baton.demo import WRITER_TASK, load_samples
from agent_baton.llm_tools import (
    LIST_TOOL,
    READ_MAX_TOKENS,
    READ_TOOL,
    SEARCH_TOOL,
    TOOL_NAMES,
    anthropic_tool_results,
    anthropic_tools,
    openai_tool_messages,
    openai_tools,
    run_tool,
)

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
    assert run_tool(ctx, READ_TOOL, '{"key": "ci_log"}') == ctx.get(
        "ci_log", max_tokens=READ_MAX_TOKENS
    )
    assert run_tool(ctx, READ_TOOL, {"key": "ci_log", "full": True}) == ctx.get("ci_log", full=True)
    focused = run_tool(ctx, READ_TOOL, {"key": "transactions", "query": "tx_100097"})
    assert "tx_100097" in focused
    assert ctx.count_tokens(focused) <= READ_MAX_TOKENS


def test_search_and_list(ctx):
    found = run_tool(ctx, SEARCH_TOOL, '{"query": "declined issuer_unavailable"}')
    assert found.startswith("[transactions @ data[")
    assert "tx_100097" in found
    only_log = run_tool(ctx, SEARCH_TOOL, {"query": "AssertionError", "key": "ci_log"})
    assert "[ci_log @" in only_log and "[transactions @" not in only_log
    listing = run_tool(ctx, LIST_TOOL, "{}")
    assert "- transactions from researcher" in listing and "- ci_log from researcher" in listing
    assert run_tool(ctx, LIST_TOOL, None) == listing == run_tool(ctx, LIST_TOOL, "")


@pytest.mark.parametrize(
    ("name", "arguments", "answer"),
    [
        (READ_TOOL, '{"key": "nope"}', "No shared context entry 'nope'"),
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
    assert "Available keys: transactions, ci_log" in run_tool(ctx, READ_TOOL, {"key": "nope"})


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
                "content": run_tool(ctx, READ_TOOL, {"key": "ci_log"}),
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
    assert system["role"] == "system" and ctx.render(query=WRITER_TASK) in system["content"]
    assert user == {"role": "user", "content": WRITER_TASK}
    second = recorder.body(1)["messages"]
    assert second[:2] == first["messages"]
    assert [c["id"] for c in second[2]["tool_calls"]] == ["call_a", "call_b"]
    assert second[3:] == [
        {
            "role": "tool",
            "tool_call_id": "call_a",
            "content": run_tool(ctx, SEARCH_TOOL, {"query": "issuer_unavailable"}),
        },
        {"role": "tool", "tool_call_id": "call_b", "content": ctx.get("ci_log", full=True)},
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
    assert ctx.render(query=WRITER_TASK) in first["system"]
    assert first["messages"] == [{"role": "user", "content": WRITER_TASK}]
    user, assistant, results = recorder.body(1)["messages"]
    assert user == first["messages"][0]
    assert assistant["role"] == "assistant"
    assert [b["type"] for b in assistant["content"]] == ["text", "tool_use"]
    assert assistant["content"][1]["id"] == "toolu_1"
    answer = run_tool(ctx, READ_TOOL, {"key": "transactions", "query": "declined"})
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
