"""The handler on plain autogen-core agents, team state and config."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import MaxMessageTermination
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_core import (
    AgentId,
    DefaultTopicId,
    MessageContext,
    RoutedAgent,
    SingleThreadedAgentRuntime,
    default_subscription,
    message_handler,
)

from agent_baton_autogen import (
    BatonChatCompletionContext,
    BatonInterventionHandler,
)
from agent_baton_autogen._messages import text_key

pytestmark = [
    pytest.mark.asyncio,
    # AutoGen warns for any intervention handler when an RPC handler returns None.
    pytest.mark.filterwarnings("ignore:Intervention handler on_response returned None"),
]


@dataclass
class Note:
    content: str


@default_subscription
class Writer(RoutedAgent):
    def __init__(self, text: str) -> None:
        super().__init__("writes one long note")
        self._text = text

    @message_handler
    async def on_note(self, message: Note, ctx: MessageContext) -> Note:
        if message.content == "go":
            await self.publish_message(Note(self._text), DefaultTopicId())
        return Note("done: " + self._text[:20])


async def test_handler_captures_plain_core_agents(ctx, kit):
    data = kit.sales_rows()
    handler = BatonInterventionHandler(ctx)
    runtime = SingleThreadedAgentRuntime(intervention_handlers=[handler])
    await Writer.register(runtime, "writer", lambda: Writer(data))
    runtime.start()
    reply = await runtime.send_message(Note("go"), AgentId("writer", "default"))
    await runtime.stop_when_idle()

    assert reply == Note("done: " + data[:20])  # the response passes through unchanged
    assert ctx.get(text_key("writer", data), full=True) == data
    assert ctx.get(text_key("writer", reply.content), full=True) == reply.content
    assert ctx.get_entry(text_key("writer", data)).agent == "writer"
    assert handler.captured_keys == [
        text_key("writer", data),
        text_key("writer", reply.content),
    ]


async def test_handler_rejects_bad_arguments(ctx):
    with pytest.raises(TypeError):
        BatonInterventionHandler({})  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        BatonInterventionHandler(ctx, max_tokens=0)
    with pytest.raises(TypeError):
        BatonInterventionHandler(ctx, user_sources="user")


async def test_team_state_and_config_with_baton_contexts(ctx, kit):
    data = kit.sales_rows()

    def team(clients):
        return RoundRobinGroupChat(
            [
                AssistantAgent(
                    name,
                    model_client=client,
                    model_context=BatonChatCompletionContext(ctx, agent_name=name),
                )
                for name, client in zip(("researcher", "analyst"), clients, strict=True)
            ],
            termination_condition=MaxMessageTermination(3),
        )

    first = team([kit.replay(data), kit.replay("Noted.")])
    await first.run(task="go")
    state = await first.save_state()
    resumed_analyst = kit.replay("Noted.", "Still noted.")
    second = team([kit.replay(data, "again"), resumed_analyst])
    await second.load_state(state)
    await second.run(task="continue")

    # The analyst resumed with the researcher's table still compressed in its context.
    received = kit.texts(kit.sent(resumed_analyst))
    assert data not in received
    assert any(text_key("researcher", data) in text for text in received)
    assert (
        first.dump_component().config["participants"][1]["config"]["model_context"]["provider"]
        == "agent_baton_autogen.BatonChatCompletionContext"
    )


@default_subscription
class Chatter(RoutedAgent):
    """Publishes ``count`` distinct notes per request, as a long-lived service's agents do."""

    def __init__(self) -> None:
        super().__init__("publishes many short notes")

    @message_handler
    async def on_note(self, message: Note, ctx: MessageContext) -> None:
        if message.content.startswith("burst "):
            for i in range(int(message.content.split()[1])):
                await self.publish_message(Note(f"status update {i}"), DefaultTopicId())


async def test_a_long_lived_handler_remembers_a_bounded_number_of_keys(ctx):
    # One handler serves a runtime for the life of a server: what it keeps must not grow
    # with every message it ever saw.
    handler = BatonInterventionHandler(ctx)
    runtime = SingleThreadedAgentRuntime(intervention_handlers=[handler])
    await Chatter.register(runtime, "chatter", Chatter)
    runtime.start()
    await runtime.send_message(Note("burst 1100"), AgentId("chatter", "default"))
    await runtime.stop_when_idle()

    keys = handler.captured_keys
    assert len(keys) == 1024
    assert keys[-1] == text_key("chatter", "status update 1099")  # the latest kept
    assert text_key("chatter", "status update 0") not in keys
