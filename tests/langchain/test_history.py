"""BatonChatMessageHistory: a real BaseChatMessageHistory stored in a SharedContext."""

from __future__ import annotations

import warnings

import pytest
from langchain.agents import create_agent
from langchain_core.chat_history import BaseChatMessageHistory
from langchain_core.documents import Document
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables.history import RunnableWithMessageHistory

from agent_baton import SharedContext
from agent_baton_langchain import (
    BatonChatMessageHistory,
    SharedContextMiddleware,
    SharedContextRetriever,
    make_context_tools,
)
from agent_baton_langchain.history import META_SCOPE


def conversation(research: str) -> list:
    return [
        SystemMessage("You are terse.", id="s0"),
        HumanMessage("Fetch the metrics", id="h1", additional_kwargs={"source": "cli"}),
        AIMessage(
            content="",
            id="a1",
            tool_calls=[{"name": "fetch_metrics", "args": {"region": "all"}, "id": "call-1"}],
            response_metadata={"model_name": "fake"},
            usage_metadata={"input_tokens": 10, "output_tokens": 5, "total_tokens": 15},
        ),
        ToolMessage(
            content=research,
            tool_call_id="call-1",
            name="fetch_metrics",
            id="t1",
            artifact={"rows": 300},
            status="success",
        ),
        AIMessage(content=research, id="a2", name="researcher"),
        HumanMessage("Thanks", id="h2"),
        AIMessage(content="You're welcome.", id="a3"),
    ]


def test_is_a_chat_message_history_that_keeps_everything_in_full(ctx, research):
    history = BatonChatMessageHistory(ctx, "chat-1")
    assert isinstance(history, BaseChatMessageHistory)
    stored = conversation(research)
    history.add_messages(stored)

    assert history.get_messages(full=True) == stored
    # in the session's scope, the one its tools read
    assert history.view.scope_path == ("chat-1",) and ctx.keys() == []
    assert ctx.scope("chat-1").get("chat-1:3", full=True) == research
    assert history.view.get_entry("chat-1:3").agent == "tool"
    assert history.view.get_entry("chat-1:1").agent == "human"


def test_long_ai_and_tool_messages_come_back_compressed(ctx, research):
    history = BatonChatMessageHistory(ctx, "chat-1", max_message_tokens=800)
    stored = conversation(research)
    history.add_messages(stored)
    read = history.messages

    assert [type(m) for m in read] == [type(m) for m in stored]
    assert [m.id for m in read] == [m.id for m in stored]
    # short and human messages unchanged
    for index in (0, 1, 2, 5, 6):
        assert read[index] == stored[index]
    # long tool and AI messages compressed, with the key to zoom in
    tool, answer = read[3], read[4]
    for message, key in ((tool, "chat-1:3"), (answer, "chat-1:4")):
        assert research not in message.content
        assert f'read_shared_context(key="{key}", full=true)' in message.content
        assert ctx.count_tokens(message.content.rsplit("\n", 1)[0]) <= 800
        assert history.view.get(key, full=True) == research
    # the tool message still answers its tool call; metadata intact
    assert tool.tool_call_id == read[2].tool_calls[0]["id"] == "call-1"
    assert (tool.name, tool.artifact, tool.status) == ("fetch_metrics", {"rows": 300}, "success")
    assert answer.name == "researcher"
    assert read[2].usage_metadata == stored[2].usage_metadata


def test_list_content_keeps_its_non_text_blocks(ctx, research):
    image = {"type": "image", "url": "https://example.com/chart.png"}
    message = AIMessage(content=[{"type": "text", "text": research}, image], id="m")
    history = BatonChatMessageHistory(ctx, "s")
    history.add_message(message)

    assert history.get_messages(full=True) == [message]
    (read,) = history.messages
    assert read.content[1] == image
    assert research not in read.content[0]["text"]
    assert 'key="s:0"' in read.content[0]["text"]


def test_histories_share_the_context_and_stay_apart(ctx):
    a = BatonChatMessageHistory(ctx, "a")
    a_again = BatonChatMessageHistory(ctx, "a")
    a_one = BatonChatMessageHistory(ctx, "a:1")  # prefix of a's keys must not mix
    a.add_user_message("first")
    a_one.add_user_message("other session")
    a_again.add_ai_message("second")

    assert [m.content for m in a.messages] == ["first", "second"]
    assert [m.content for m in a_one.messages] == ["other session"]
    a.view.put("unrelated", "kept", agent="someone")
    a.clear()
    assert a.messages == []
    assert [m.content for m in a_one.messages] == ["other session"]
    assert a.view.get("unrelated") == "kept"
    a.add_user_message("after clear")
    assert [m.content for m in a.messages] == ["after clear"]


def test_eviction_drops_oldest_messages_and_orphan_tool_results():
    ctx = SharedContext(ttl=None, max_entries=4)  # room for two messages of two entries
    history = BatonChatMessageHistory(ctx, "s")
    history.add_messages(
        [
            HumanMessage("look it up"),
            AIMessage("", tool_calls=[{"name": "f", "args": {}, "id": "c1"}]),
            ToolMessage("result", tool_call_id="c1"),
            AIMessage("done"),
        ]
    )
    # messages 0 and 1 (the tool call) evicted: the tool result that answered it goes too
    assert [m.content for m in history.messages] == ["done"]
    history.add_user_message("next")
    assert [m.content for m in history.messages] == ["done", "next"]


def test_ttl_expiry_empties_the_history():
    now = [1000.0]
    ctx = SharedContext(ttl=60, clock=lambda: now[0])
    history = BatonChatMessageHistory(ctx, "s")
    history.add_user_message("hello")
    assert len(history.messages) == 1
    now[0] += 61
    assert history.messages == []


@pytest.mark.asyncio
async def test_async_methods(ctx, research):
    history = BatonChatMessageHistory(ctx, "s", max_message_tokens=500)
    await history.aadd_messages([HumanMessage("q"), AIMessage(research, id="a")])
    read = await history.aget_messages()
    assert read[0].content == "q" and research not in read[1].content
    assert (await history.aget_messages(full=True))[1].content == research
    await history.aclear()
    assert await history.aget_messages() == []


def test_round_trips_through_runnable_with_message_history(ctx, scripted, research):
    model = scripted(AIMessage(research, id="r1"), AIMessage("Three timeouts.", id="r2"))
    prompt = ChatPromptTemplate.from_messages(
        [("system", "You analyse metrics."), MessagesPlaceholder("history"), ("human", "{q}")]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # deprecated since langchain-core 1.3
        chain = RunnableWithMessageHistory(
            prompt | model,
            lambda session_id: BatonChatMessageHistory(ctx, session_id),
            input_messages_key="q",
            history_messages_key="history",
        )
    config = {"configurable": {"session_id": "user-7"}}
    assert chain.invoke({"q": "Show the metrics"}, config=config).content == research
    assert chain.invoke({"q": "How many timeouts?"}, config=config).content == "Three timeouts."

    # the second call's prompt carried the first turn, with the long answer compressed
    second_prompt = model.received[1]
    assert [type(m) for m in second_prompt] == [
        SystemMessage,
        HumanMessage,
        AIMessage,
        HumanMessage,
    ]
    assert second_prompt[1].content == "Show the metrics"
    assert research not in second_prompt[2].content
    assert 'read_shared_context(key="user-7:1", full=true)' in second_prompt[2].content
    assert second_prompt[2].id == "r1"
    # the store holds all four turns in full
    full = BatonChatMessageHistory(ctx, "user-7").get_messages(full=True)
    assert [m.content for m in full] == [
        "Show the metrics",
        research,
        "How many timeouts?",
        "Three timeouts.",
    ]


def test_bad_input_raises_clear_errors(ctx):
    with pytest.raises(TypeError, match="SharedContext"):
        BatonChatMessageHistory("not a context", "s")
    with pytest.raises(ValueError, match="session_id"):
        BatonChatMessageHistory(ctx, "")
    with pytest.raises(ValueError, match="max_message_tokens"):
        BatonChatMessageHistory(ctx, "s", max_message_tokens=0)
    history = BatonChatMessageHistory(ctx, "s")
    with pytest.raises(TypeError, match="BaseMessage"):
        history.add_messages(["plain string"])
    with pytest.raises(TypeError, match="JSON-serializable"):
        history.add_messages([ToolMessage("x", tool_call_id="c", artifact=object())])
    assert history.messages == []  # nothing half-written


def test_sessions_sharing_a_context_never_see_each_other_through_tools_or_retriever(ctx):
    # A chat app: one context, a history per session (RunnableWithMessageHistory's
    # session_id), and the context tools and retriever in the chain, called with the
    # session's config. Alice's model and retriever must never reach Bob's messages.
    secrets = {"alice": "ALICE-PIN-4411", "bob": "BOB-PIN-9075"}
    for user, pin in secrets.items():
        history = BatonChatMessageHistory(ctx, user, max_message_tokens=50)
        long_answer = "\n".join(f"{user} statement line {i}: settled" for i in range(300))
        history.add_messages([HumanMessage(f"my pin is {pin}"), AIMessage(long_answer)])
    read, search, listing = make_context_tools(ctx)
    retriever = SharedContextRetriever(ctx=ctx, k=10)
    for user, pin in secrets.items():
        config = {"configurable": {"session_id": user}}
        (other,) = set(secrets) - {user}
        seen = [
            listing.invoke({}, config),
            search.invoke({"query": "pin statement"}, config),
            read.invoke({"key": f"{other}:0", "full": True}, config),
            *(d.page_content for d in retriever.invoke("pin", config)),
        ]
        assert pin in "\n".join(seen)
        assert not any(secrets[other] in text or f"{other} statement" in text for text in seen)
        # the key a compressed message names is readable with the session's tools
        note = BatonChatMessageHistory(ctx, user, max_message_tokens=50).messages[1].content
        assert f'read_shared_context(key="{user}:1", full=true)' in note
        assert "statement line 0:" in read.invoke({"key": f"{user}:1", "full": True}, config)


def test_a_sessions_agents_never_receive_the_serialized_messages(ctx, scripted, research):
    # The history and a create_agent agent on the same thread share its scope (the tools
    # read the history there): the messages' texts are context, their serialized forms
    # (ids, tool call ids, metadata as JSON) are bookkeeping no model should read.
    history = BatonChatMessageHistory(ctx, "alice")
    stored = conversation(research)
    history.add_messages(stored)
    model = scripted(AIMessage("Written."))
    writer = create_agent(model, middleware=[SharedContextMiddleware(ctx)], name="writer")
    writer.invoke(
        {"messages": [HumanMessage("Write it up")]}, {"configurable": {"thread_id": "alice"}}
    )

    prompt = "\n".join(message.text for message in model.received[0])
    assert "alice:4" in prompt  # the researcher's answer, handed over
    _, search, listing = make_context_tools(ctx)
    config = {"configurable": {"session_id": "alice"}}
    seen = [
        prompt,
        listing.invoke({}, config),
        search.invoke({"query": "tool_call_id additional_kwargs call-1"}, config),
    ]
    for text in seen:
        assert "additional_kwargs" not in text and "meta" not in text
    assert [m.id for m in history.get_messages(full=True)] == [m.id for m in stored]


def every_kind_of_message(research: str) -> list:
    """Messages of every type and content shape a chat model exchanges."""
    return [
        SystemMessage([{"type": "text", "text": "Be terse.", "cache_control": {"type": "x"}}]),
        HumanMessage(
            content=[
                {"type": "text", "text": "What does this chart say?"},
                {"type": "image", "base64": "iVBORw0KGgo" * 50, "mime_type": "image/png"},
                "and this, a str block",
                {"type": "text", "text": None, "note": "no text: not a text block"},
            ],
            id="h1",
        ),
        AIMessage(
            content=[
                {"type": "text", "text": research[:3000], "annotations": [{"type": "citation"}]},
                {"type": "tool_use", "id": "call-1", "name": "fetch", "input": {"q": "all"}},
                {"type": "text", "text": "", "id": "blk-2"},
            ],
            tool_calls=[{"name": "fetch", "args": {"q": "all"}, "id": "call-1"}],
            invalid_tool_calls=[{"name": "bad", "args": "{", "id": "call-2", "error": "json"}],
            usage_metadata={"input_tokens": 3, "output_tokens": 4, "total_tokens": 7},
            id="a1",
        ),
        ToolMessage(
            content=["first result", {"type": "text", "text": research}, "third"],
            tool_call_id="call-1",
            name="fetch",
            artifact=[Document(page_content="doc one", metadata={"lc": 1, "source": "a"}, id="d1")],
            id="t1",
        ),
        ToolMessage(content="plain", tool_call_id="call-1", artifact={"rows": [1, 2]}, id="t2"),
        ToolMessage(  # user data shaped as LangChain's serialized objects stays data
            content="odd",
            tool_call_id="call-1",
            artifact={
                "lc": 1,
                "type": "constructor",
                "id": ["os", "system"],
                "kwargs": {"command": "true"},
            },
            id="t3",
        ),
        AIMessageChunk(content="a chunk", id="c1"),
        ChatMessage(content="a critic's note", role="critic", id="r1"),
        AIMessage(content=[], id="a2"),
    ]


@pytest.mark.parametrize("full", [True, False])
def test_every_kind_of_message_round_trips(shared_ctx, research, full):
    history = BatonChatMessageHistory(shared_ctx, "s", max_message_tokens=100_000)
    stored = every_kind_of_message(research)
    history.add_messages(stored)

    # The artifact's Documents come back as Documents (a retriever tool's artifact).
    assert history.get_messages(full=full) == stored
    assert BatonChatMessageHistory(shared_ctx, "s").get_messages(full=True) == stored


def test_a_list_contents_text_is_stored_once(ctx, research):
    history = BatonChatMessageHistory(ctx, "s")
    history.add_messages(every_kind_of_message(research))

    # The text entry holds the text; the serialized form only what is not text.
    for index in (2, 3):
        meta = history.view.scope(META_SCOPE).get_entry(history.text_key(index))
        assert research[:200] not in meta.original
        assert len(meta.original) < 1000
        assert research[:200] in history.view.get(history.text_key(index), full=True)


def test_an_int_session_id_is_the_session_its_tools_read(ctx, scripted):
    # RunnableWithMessageHistory passes session_id as configured; scopes take its str.
    prompt = ChatPromptTemplate.from_messages([MessagesPlaceholder("history"), ("human", "{q}")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # deprecated since langchain-core 1.3
        chain = RunnableWithMessageHistory(
            prompt | scripted("PIN 4711 noted"),
            lambda session_id: BatonChatMessageHistory(ctx, session_id),
            input_messages_key="q",
            history_messages_key="history",
        )
    config = {"configurable": {"session_id": 7}}
    chain.invoke({"q": "remember PIN 4711"}, config=config)

    history = BatonChatMessageHistory(ctx, 7)
    assert history.session_id == "7" and history.view.scope_path == ("7",)
    assert [m.text for m in history.messages] == ["remember PIN 4711", "PIN 4711 noted"]
    search = next(t for t in make_context_tools(ctx) if t.name == "search_shared_context")
    assert "4711" in search.invoke({"query": "PIN"}, config)
    with pytest.raises(ValueError, match="session_id"):
        BatonChatMessageHistory(ctx, True)
