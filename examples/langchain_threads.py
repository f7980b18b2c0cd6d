"""One compiled LangGraph pipeline serves two users at once; their handoffs never mix.

A researcher and an analyst are ``create_agent`` agents and nodes of one
``StateGraph(MessagesState)`` compiled with a checkpointer. Alice's and Bob's threads run at
the same time over one ``SharedContext``: each thread works in its own scope
(``ctx.scope(thread_id)``), so Alice's analyst gets Alice's research, compressed, and its
``search_shared_context`` finds only Alice's records. A second turn in Alice's thread adds
``researcher#2`` beside the first answer.

The models are LangChain's fake chat model answering from the prompt (no API key).

Run: pip install -e ./core -e "./integrations/langchain[agent]"
     python examples/langchain_threads.py
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from langchain.agents import create_agent
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, MessagesState, StateGraph
from pydantic import Field

from agent_baton import SharedContext
from agent_baton_langchain import SharedContextMiddleware


class PromptDrivenModel(FakeMessagesListChatModel):
    """LangChain's fake chat model; the reply is chosen from the prompt, so threads can share it."""

    responses: list[BaseMessage] = Field(default_factory=list)  # unused: replies come from reply()

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> PromptDrivenModel:
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self.reply(messages))])

    def reply(self, messages: list[BaseMessage]) -> AIMessage:
        raise NotImplementedError


def user_of(messages: list[BaseMessage]) -> str:
    return next(m for m in messages if isinstance(m, HumanMessage)).text.split()[-1]


def orders(user: str) -> str:
    """A user's 400 orders, one of them refunded twice."""
    rows = [f"order {user}-{i}: 19.90 EUR paid" for i in range(400)]
    rows[123] = f"order {user}-123: 19.90 EUR REFUNDED TWICE (duplicate refund)"
    return "\n".join(rows)


class Researcher(PromptDrivenModel):
    def reply(self, messages: list[BaseMessage]) -> AIMessage:
        user = user_of(messages)
        if not any(isinstance(m, ToolMessage) for m in messages):
            call = {"name": "fetch_orders", "args": {"user": user}, "id": f"fetch-{user}"}
            return AIMessage(content="", tool_calls=[call])
        return AIMessage(content=f"All orders of {user}:\n{orders(user)}")


class Analyst(PromptDrivenModel):
    def reply(self, messages: list[BaseMessage]) -> AIMessage:
        zooms = [m for m in messages if isinstance(m, ToolMessage) and m.name.endswith("context")]
        if not zooms:
            call = {"name": "search_shared_context", "args": {"query": "refunded twice"}}
            return AIMessage(content="", tool_calls=[{**call, "id": f"z-{user_of(messages)}"}])
        found = next(line for line in zooms[-1].text.splitlines() if "TWICE" in line)
        return AIMessage(content=f"Found: {found.strip()}")


@tool
def fetch_orders(user: str) -> str:
    """Fetch a user's orders."""
    return orders(user)


def main() -> None:
    ctx = SharedContext(ttl=None)
    researcher = create_agent(
        Researcher(),
        tools=[fetch_orders],
        name="researcher",
        middleware=[SharedContextMiddleware(ctx)],
    )
    analyst_mw = SharedContextMiddleware(ctx)
    analyst = create_agent(Analyst(), name="analyst", middleware=[analyst_mw])
    graph = (
        StateGraph(MessagesState)
        .add_node("researcher", researcher)
        .add_node("analyst", analyst)
        .add_edge(START, "researcher")
        .add_edge("researcher", "analyst")
        .add_edge("analyst", END)
        .compile(checkpointer=InMemorySaver())
    )

    def run(user: str) -> tuple[str, str]:
        config = {"configurable": {"thread_id": user}}
        result = graph.invoke({"messages": [HumanMessage(f"Check the orders of {user}")]}, config)
        return user, result["messages"][-1].text

    with ThreadPoolExecutor(max_workers=2) as pool:
        for user, answer in pool.map(run, ["alice", "bob"]):
            print(f"{user}'s analyst: {answer}")

    # a second turn in Alice's thread adds to the first
    graph.invoke(
        {"messages": [HumanMessage("Check the orders of alice")]},
        {"configurable": {"thread_id": "alice"}},
    )
    for user in ("alice", "bob"):
        view = ctx.scope(user)
        print(f"{user}'s scope: {', '.join(view.keys())}")
    print(f"outside any thread: {ctx.keys() or 'nothing'}")


if __name__ == "__main__":
    main()
