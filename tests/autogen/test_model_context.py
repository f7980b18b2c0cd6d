"""BatonChatCompletionContext on its own: what it keeps, what it compresses, state and config."""

from __future__ import annotations

import logging
import threading

import pytest
from autogen_core import CancellationToken, FunctionCall, MessageContext
from autogen_core.model_context import (
    BufferedChatCompletionContext,
    ChatCompletionContext,
    UnboundedChatCompletionContext,
)
from autogen_core.models import (
    AssistantMessage,
    FunctionExecutionResult,
    FunctionExecutionResultMessage,
    SystemMessage,
    UserMessage,
)

from agent_baton import SharedContext
from agent_baton.answers import ToolNames
from agent_baton.compress.markers import name_tools
from agent_baton_autogen import (
    READ_TOOL_NAME,
    BatonChatCompletionContext,
    BatonInterventionHandler,
    register_shared_context,
)
from agent_baton_autogen._messages import compressed_key, text_key

pytestmark = pytest.mark.asyncio


def published() -> MessageContext:
    """The context the runtime gives an intervention handler for a message published by no one."""
    return MessageContext(None, None, False, CancellationToken(), "m1")


async def test_other_agents_text_is_compressed_own_and_users_kept(ctx, kit):
    data = kit.sales_rows()
    model_context = BatonChatCompletionContext(ctx, agent_name="analyst", max_tokens=400)
    task = UserMessage(content="Summarise the sales. " + data, source="user")
    own = AssistantMessage(content="Own words. " + data, source="analyst")
    other = UserMessage(content=data, source="researcher")
    for message in (task, own, other):
        await model_context.add_message(message)

    got = await model_context.get_messages()

    assert got[0] is task and got[1] is own
    key = text_key("researcher", data)
    assert compressed_key(got[2].content) == key
    assert got[2].source == "researcher"
    assert data not in got[2].content
    assert ctx.count_tokens(got[2].content) < ctx.count_tokens(data) // 5
    assert got[2].content.endswith(f'{READ_TOOL_NAME}(key="{key}", full=true)]')
    assert 'get("' not in got[2].content  # markers name the agent's read tool too
    assert ctx.get(key, full=True) == data
    assert ctx.get_entry(key).agent == "researcher"
    assert model_context.keys == [key]


async def test_compressed_text_is_the_entrys_compressed_form(ctx, kit):
    # Without max_tokens the model gets exactly what the core's compressor made of the text.
    data = kit.sales_rows()
    model_context = BatonChatCompletionContext(ctx, agent_name="analyst")
    await model_context.add_message(UserMessage(content=data, source="researcher"))

    [got] = await model_context.get_messages()

    entry = ctx.get_entry(text_key("researcher", data))
    assert entry is not None and entry.compressed_tokens < entry.original_tokens
    assert got.content.startswith(name_tools(entry.compressed, ToolNames()) + "\n[agent-baton:")


async def test_short_texts_and_system_messages_pass_unchanged(ctx):
    model_context = BatonChatCompletionContext(ctx, agent_name="analyst")
    short = UserMessage(content="Transferred to analyst.", source="researcher")
    system = SystemMessage(content="You are helpful. " * 200)
    await model_context.add_message(short)
    await model_context.add_message(system)

    assert await model_context.get_messages() == [short, system]
    assert len(ctx) == 0


async def test_tool_results_compressed_except_context_tools(ctx, kit):
    data = kit.sales_rows()
    model_context = BatonChatCompletionContext(ctx, agent_name="analyst", max_tokens=300)
    call = AssistantMessage(
        content=[
            FunctionCall(id="c1", name="fetch_sales", arguments="{}"),
            FunctionCall(id="c2", name=READ_TOOL_NAME, arguments='{"key": "k"}'),
        ],
        source="researcher",
    )
    results = FunctionExecutionResultMessage(
        content=[
            FunctionExecutionResult(content=data, name="fetch_sales", call_id="c1"),
            FunctionExecutionResult(content=data, name=READ_TOOL_NAME, call_id="c2"),
        ]
    )
    await model_context.add_message(call)
    await model_context.add_message(results)

    got_call, got_results = await model_context.get_messages()

    assert got_call is call
    fetched, read = got_results.content
    key = text_key("researcher", data)
    assert compressed_key(fetched.content) == key and fetched.call_id == "c1"
    assert read.content == data  # zooming in returns the original, not a compressed copy
    assert ctx.get_entry(key).agent == "researcher"  # the agent that called the tool


async def test_already_compressed_text_is_not_compressed_again(ctx, kit):
    data = kit.sales_rows()
    first = BatonChatCompletionContext(ctx, agent_name="analyst", max_tokens=300)
    await first.add_message(UserMessage(content=data, source="researcher"))
    [compressed] = await first.get_messages()
    second = BatonChatCompletionContext(ctx, agent_name="writer")
    await second.add_message(compressed)

    assert await second.get_messages() == [compressed]
    assert second.keys == first.keys
    assert len(ctx) == 1


async def test_get_original_messages_restores_the_full_text(ctx, kit):
    data = kit.sales_rows()
    model_context = BatonChatCompletionContext(ctx, agent_name="analyst", max_tokens=300)
    await model_context.add_message(UserMessage(content=data, source="researcher"))
    await model_context.add_message(
        FunctionExecutionResultMessage(
            content=[FunctionExecutionResult(content=data, name="fetch", call_id="x")]
        )
    )

    user, results = await model_context.get_original_messages()

    assert user.content == data
    assert results.content[0].content == data


async def test_inner_context_selects_what_the_model_sees(ctx, kit):
    data = kit.sales_rows()
    inner = BufferedChatCompletionContext(buffer_size=2)
    model_context = BatonChatCompletionContext(ctx, agent_name="a", inner=inner, max_tokens=300)
    await model_context.add_message(UserMessage(content="first", source="user"))
    await model_context.add_message(UserMessage(content="second", source="user"))
    await model_context.add_message(UserMessage(content=data, source="b"))

    got = await model_context.get_messages()

    assert len(got) == 2 and got[0].content == "second"
    assert compressed_key(got[1].content) == text_key("b", data)
    await model_context.clear()
    assert await model_context.get_messages() == [] and model_context.keys == []
    assert len(ctx) == 1  # the shared context outlives one agent's reset


async def test_save_and_load_state_restore_originals_into_a_new_context(ctx, kit):
    data = kit.sales_rows()
    model_context = BatonChatCompletionContext(ctx, agent_name="analyst", max_tokens=300)
    await model_context.add_message(UserMessage(content="task", source="user"))
    await model_context.add_message(UserMessage(content=data, source="researcher"))
    state = await model_context.save_state()

    fresh_ctx = SharedContext()
    loaded = BatonChatCompletionContext(fresh_ctx, agent_name="analyst", max_tokens=300)
    await loaded.load_state(state)

    assert await loaded.get_messages() == await model_context.get_messages()
    key = text_key("researcher", data)
    assert fresh_ctx.get(key, full=True) == data
    assert fresh_ctx.get_entry(key).agent == "researcher"
    assert loaded.keys == [key]


async def test_state_is_autogens_own_shape_both_ways(ctx, kit):
    # A team saved with agent-baton and resumed without it (or the reverse) keeps every
    # message: AutoGen's contexts read {"messages": [...]} and ignore what they do not know.
    data = kit.sales_rows()
    messages = [UserMessage(content="task", source="user"), UserMessage(content=data, source="b")]
    baton = BatonChatCompletionContext(ctx, agent_name="a")
    for message in messages:
        await baton.add_message(message)
    plain = UnboundedChatCompletionContext()

    await plain.load_state(await baton.save_state())
    assert await plain.get_messages() == messages  # the originals, not 0 messages

    again = BatonChatCompletionContext(SharedContext(), agent_name="a")
    await again.load_state(await plain.save_state())
    assert await again.get_messages() == await baton.get_messages()  # compressed again
    assert await again.get_original_messages() == messages


async def test_initial_messages_as_in_autogens_contexts(ctx, kit):
    system = SystemMessage(content="You are the analyst.")
    model_context = BatonChatCompletionContext(ctx, agent_name="a", initial_messages=[system])
    await model_context.add_message(UserMessage(content=kit.sales_rows(), source="b"))

    first, second = await model_context.get_messages()
    assert first is system and compressed_key(second.content) is not None
    loaded = ChatCompletionContext.load_component(model_context.dump_component())
    assert await loaded.get_messages() == [system]
    with pytest.raises(ValueError, match="give initial_messages to the inner context"):
        BatonChatCompletionContext(
            ctx, inner=BufferedChatCompletionContext(3), initial_messages=[system]
        )


async def test_component_config_round_trip_shares_the_named_context(ctx, kit):
    data = kit.sales_rows()
    original = BatonChatCompletionContext(
        ctx,
        agent_name="analyst",
        inner=BufferedChatCompletionContext(buffer_size=5),
        max_tokens=300,
        context_name="team-a",
    )
    config = original.dump_component()
    assert config.provider == "agent_baton_autogen.BatonChatCompletionContext"

    loaded = ChatCompletionContext.load_component(config)

    assert isinstance(loaded, BatonChatCompletionContext)
    assert loaded.shared_context is ctx
    assert isinstance(loaded.inner, BufferedChatCompletionContext)
    await loaded.add_message(UserMessage(content=data, source="researcher"))
    [got] = await loaded.get_messages()
    assert ctx.count_tokens(got.content) < 400


async def test_component_name_taken_by_another_context_is_an_error(ctx):
    register_shared_context("default", SharedContext())
    with pytest.raises(ValueError, match="registered for another SharedContext"):
        BatonChatCompletionContext(ctx, agent_name="a").dump_component()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"agent_name": ""}, ValueError),
        ({"agent_name": 3}, ValueError),
        ({"agent_name": "a", "inner": object()}, TypeError),
        ({"agent_name": "a", "max_tokens": 0}, ValueError),
        ({"agent_name": "a", "min_tokens": -1}, ValueError),
        ({"agent_name": "a", "user_sources": "user"}, TypeError),
    ],
)
async def test_bad_arguments_are_rejected(ctx, kwargs, error):
    with pytest.raises(error):
        BatonChatCompletionContext(ctx, **kwargs)


async def test_ctx_must_be_a_shared_context():
    with pytest.raises(TypeError, match="SharedContext"):
        BatonChatCompletionContext({}, agent_name="a")  # type: ignore[arg-type]


async def test_token_counting_and_compression_never_run_on_the_event_loop(kit):
    loop_thread = threading.current_thread()
    counted_on: list[threading.Thread] = []

    def counter(text: str) -> int:
        counted_on.append(threading.current_thread())
        return len(text) // 4

    ctx = SharedContext(token_counter=counter)
    model_context = BatonChatCompletionContext(ctx, agent_name="analyst", max_tokens=300)
    handler = BatonInterventionHandler(ctx)
    await model_context.add_message(UserMessage(content=kit.sales_rows(), source="researcher"))
    await model_context.add_message(UserMessage(content="short", source="researcher"))
    await handler.on_publish(
        UserMessage(content=kit.sales_rows(200), source="writer"), message_context=published()
    )

    assert len(ctx) == 2 and counted_on
    assert loop_thread not in counted_on


async def test_a_text_the_store_refuses_reaches_the_model_unchanged(kit, caplog):
    # max_bytes refuses the table: the model gets it as AutoGen alone would, and a warning
    # says why; the handler does the same (it must never raise: AutoGen would drop the message).
    data = kit.sales_rows()
    ctx = SharedContext(max_bytes=10_000)
    model_context = BatonChatCompletionContext(ctx, agent_name="analyst")
    handler = BatonInterventionHandler(ctx)
    message = UserMessage(content=data, source="researcher")

    with caplog.at_level(logging.WARNING, logger="agent_baton_autogen"):
        await model_context.add_message(message)
        assert await handler.on_publish(message, message_context=published()) is message

    assert await model_context.get_messages() == [message]
    assert len(ctx) == 0 and model_context.keys == []
    assert [r.getMessage().count("max_bytes=10,000") for r in caplog.records] == [1, 1]


async def test_tool_prefix_names_the_agents_tools_and_any_context_tool_is_left_alone(ctx, kit):
    data = kit.sales_rows()
    model_context = BatonChatCompletionContext(ctx, agent_name="a", tool_prefix="docs_")
    await model_context.add_message(UserMessage(content=data, source="b"))
    await model_context.add_message(
        FunctionExecutionResultMessage(
            content=[
                FunctionExecutionResult(content=data, name="docs_read_shared_context", call_id="1"),
                FunctionExecutionResult(
                    content=data, name="team_search_shared_context", call_id="2"
                ),
            ]
        )
    )

    compressed, results = await model_context.get_messages()
    key = text_key("b", data)
    assert compressed.content.endswith(f'docs_read_shared_context(key="{key}", full=true)]')
    assert "full: docs_read_shared_context(" in compressed.content  # the markers too
    assert compressed_key(compressed.content) == key
    assert [r.content for r in results.content] == [data, data]


async def test_a_name_whose_context_is_gone_is_free_again(kit):
    # A test suite, or a server, makes a SharedContext per case and dumps each case's team:
    # once a case's context is no longer used, the next one takes the default name.
    first = SharedContext()
    first.put("sales", kit.sales_rows())  # its search index is built on the index thread
    assert first.search(None, "north")  # the index built
    BatonChatCompletionContext(first, agent_name="a").dump_component()
    del first
    second = SharedContext()
    # At once: the index thread never holds a context (it may still be running the first
    # one's done-callback here, since a future's waiters wake before its callbacks run).
    config = BatonChatCompletionContext(second, agent_name="a").dump_component()
    assert ChatCompletionContext.load_component(config).shared_context is second
    # A context the user registered stays registered, used or not.
    register_shared_context("kept", SharedContext())
    with pytest.raises(ValueError, match="registered for another SharedContext"):
        BatonChatCompletionContext(second, context_name="kept").dump_component()
