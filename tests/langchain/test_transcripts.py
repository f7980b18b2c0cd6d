"""What a real create_agent run's messages keep when compressed, in the shapes users print and
hand on: a failed tool call's status, and the decision said in a middle turn."""

from __future__ import annotations

import contextlib
import io
import textwrap
from pathlib import Path

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.tools import StructuredTool, ToolException

from agent_baton.compress import compress

DECISION = "Decision: we roll back to release 4.2.1 and keep the flag fast_path off."
ERROR = "ConnectionError: HTTPSConnectionPool(host='metrics.internal', port=443)"
SAID = (
    "I went through the output line by line and compared it with the last run. Most of it "
    "matches the previous baseline, so I only call out what changed.\n\n"
    f"{DECISION}\n\nThe rest looks consistent with the configuration checked in today."
)


@pytest.fixture
def agent(scripted):
    source = Path(textwrap.__file__).read_text()  # a real file, as a tool returns it

    def read_source(name: str) -> str:
        """Read a module's source."""
        return source

    def fetch_metrics(run: int) -> str:
        """Fetch a run's metrics."""
        raise ToolException(ERROR)

    calls = AIMessage(
        content="",
        tool_calls=[
            {"name": "read_source", "args": {"name": "textwrap"}, "id": "c1"},
            {"name": "fetch_metrics", "args": {"run": 7}, "id": "c2"},
        ],
    )
    return create_agent(
        scripted(calls, SAID, "Nothing else."),
        tools=[
            StructuredTool.from_function(read_source),
            StructuredTool.from_function(fetch_metrics, handle_tool_error=True),
        ],
    )


@pytest.fixture
def messages(agent):
    said = agent.invoke({"messages": [HumanMessage("Check the module.")]})["messages"]
    return agent.invoke({"messages": [*said, HumanMessage("Anything else?")]})["messages"]


@pytest.mark.parametrize("shape", ["repr", "json"])
def test_a_failed_tool_calls_status_is_in_its_label(messages, shape):
    assert messages[3].status == "error"  # LangChain's own account of the failure
    if shape == "repr":
        text, role = repr(messages), "ToolMessage"
    else:
        text, role = "[" + ",\n".join(m.model_dump_json() for m in messages) + "]", "tool"

    out = compress(text)

    assert out.transforms[0] == "chat:turns"
    assert f"{role} (fetch_metrics, c2, status error)" in out.text
    assert ERROR in out.text
    assert DECISION in out.text


def test_the_decision_in_a_middle_turn_is_kept(messages):
    text = "\n".join(m.pretty_repr() for m in messages)

    out = compress(text)

    assert out.compressed_tokens < out.original_tokens / 2
    assert DECISION in out.text


def test_a_long_turn_the_query_matches_is_compressed_with_the_query(messages):
    # The tool's result (a module's source) is the turn a query about one of its functions
    # matches: kept whole, it left the transcript as long as it came.
    text = "\n".join(m.pretty_repr() for m in messages)
    query = "What does the function dedent do with common leading whitespace?"

    out = compress(text, query=query)

    assert out.compressed_tokens < out.original_tokens / 2
    assert "def dedent(text):" in out.text
    assert DECISION in out.text


def _printed_stream(agent, mode: str | list[str]) -> str:
    """What ``for chunk in agent.stream(..., stream_mode=mode): print(chunk)`` prints."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for chunk in agent.stream(
            {"messages": [HumanMessage("Check the module.")]}, stream_mode=mode
        ):
            print(chunk)
    return printed.getvalue()


def test_the_updates_stream_prints_are_read_as_turns(agent):
    # The loop LangGraph's docs show: for chunk in agent.stream(..., stream_mode="updates"):
    # print(chunk). A line per update, {node: {"messages": [...]}}, each a repr.
    text = _printed_stream(agent, "updates")

    out = compress(text, query="What does the function dedent do?")

    assert out.transforms[0] == "chat:turns"
    assert out.compressed_tokens < out.original_tokens / 2
    assert "ToolMessage (fetch_metrics, c2, status error)" in out.text
    assert DECISION in out.text
    assert "def dedent(text):" in out.text


def test_the_values_stream_prints_are_read_as_turns_each_message_once(agent):
    # stream_mode="values" prints the whole state after each step: every line holds the
    # messages of the lines before it, the last one all of them.
    text = _printed_stream(agent, "values")

    out = compress(text)

    assert out.transforms[0] == "chat:turns"
    assert out.compressed_tokens < out.original_tokens / 4
    assert "ToolMessage (fetch_metrics, c2, status error)" in out.text
    assert DECISION in out.text
    assert out.text.count("[§ message 1 of ") == 1  # the question, asked once, read once


@pytest.mark.parametrize("shape", ["repr", "json"])
def test_a_messages_other_fields_are_said_not_dropped(scripted, shape):
    """A tool call that did not parse (``invalid_tool_calls``, with its error), a refusal in
    ``additional_kwargs`` and an answer cut at the length limit (``finish_reason``) reach
    the next agent in a label; the model's name and token counts do not."""
    invalid = {
        "name": "deploy",
        "args": "{'env': prod",
        "id": "c3",
        "error": "Function deploy arguments are not valid JSON.",
        "type": "invalid_tool_call",
    }
    calls = AIMessage(
        content="",
        tool_calls=[{"name": "fetch_metrics", "args": {"run": 7}, "id": "c2"}],
        invalid_tool_calls=[invalid],
        response_metadata={"finish_reason": "tool_calls", "model_name": "gpt-4o"},
    )
    cut = AIMessage(
        content=SAID,
        additional_kwargs={"refusal": "I can't share the credentials."},
        response_metadata={"finish_reason": "length", "model_name": "gpt-4o"},
    )

    def fetch_metrics(run: int) -> str:
        """Fetch a run's metrics."""
        return "p95 latency 412.5 ms"

    agent = create_agent(scripted(calls, cut), tools=[StructuredTool.from_function(fetch_metrics)])
    messages = agent.invoke({"messages": [HumanMessage("Check the metrics.")]})["messages"]
    if shape == "repr":
        text = repr(messages)
    else:
        text = "[" + ",\n".join(m.model_dump_json() for m in messages) + "]"

    out = compress(text)

    assert out.transforms[0] == "chat:turns"
    assert "Function deploy arguments are not valid JSON." in out.text
    assert "'finish_reason': 'length'" in out.text
    assert "I can't share the credentials." in out.text
    assert "gpt-4o" not in out.text


@pytest.fixture
def streaming_agent(scripted):
    """The agent above, its model's tool calls in OpenAI's form: a fake model streams those
    (word by word, like its text), so stream_mode="messages" shows the tools running."""
    source = Path(textwrap.__file__).read_text()

    def read_source(name: str) -> str:
        """Read a module's source."""
        return source

    def fetch_metrics(run: int) -> str:
        """Fetch a run's metrics."""
        raise ToolException(ERROR)

    openai_calls = [
        {"id": f"c{k}", "type": "function", "function": {"name": name, "arguments": arguments}}
        for k, (name, arguments) in enumerate(
            [("read_source", '{"name": "textwrap"}'), ("fetch_metrics", '{"run": 7}')], 1
        )
    ]
    calls = AIMessage(
        content="I will read the module and fetch the metrics.",
        additional_kwargs={"tool_calls": openai_calls},
    )
    return create_agent(
        scripted(calls, SAID),
        tools=[
            StructuredTool.from_function(read_source),
            StructuredTool.from_function(fetch_metrics, handle_tool_error=True),
        ],
    )


@pytest.mark.parametrize("mode", ["messages", ["updates", "messages"]])
def test_the_messages_stream_is_read_as_its_messages_chunks_joined(streaming_agent, mode):
    # stream_mode="messages" yields a (chunk, metadata) tuple per token: printed, a line per
    # word, each with the message's id and the node's metadata. Read as turns, each message's
    # chunks join into its text: the decision is said whole, once.
    text = _printed_stream(streaming_agent, mode)
    assert text.count("AIMessageChunk(") > 40  # a line per word

    out = compress(text)

    assert out.transforms[0] == "chat:turns"
    assert out.compressed_tokens < out.original_tokens / 4
    assert DECISION in out.text
    assert "ToolMessage (fetch_metrics, c2, status error)" in out.text
    assert '[§ calls fetch_metrics (c2) with {"run": 7}]' in out.text
    assert out.text.count(DECISION) == 1
