"""One compiled graph serves many threads at once: no run sees another's entries.

A researcher and an analyst (``create_agent`` agents) are nodes of one
``StateGraph(MessagesState)`` compiled with a checkpointer. Eight users' threads run at once
(threads and asyncio), on a context in memory and in a real Redis. Each researcher reads its
user's account file with a planted secret; the analyst's model then gets the handoff
injected, and searches, reads and lists the shared context. Every prompt of every thread
must hold its own user's secret and nothing of any other user's.
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, MessagesState, StateGraph

from agent_baton_langchain import SharedContextMiddleware

USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
ASK = "Research the account of "


def call(name: str, args: dict, call_id: str) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id}])


def user_of(messages: list[BaseMessage]) -> str:
    first = next(m for m in messages if isinstance(m, HumanMessage))
    return first.text.removeprefix(ASK)


ZOOMS = [
    ("search_shared_context", {"query": "vault passphrase"}),
    ("read_shared_context", {"key": "researcher", "query": "vault passphrase"}),
    ("list_shared_context", {}),
]


def analyst_reply(messages: list[BaseMessage]) -> AIMessage:
    done = sum(
        1 for m in messages if isinstance(m, ToolMessage) and m.name.endswith("shared_context")
    )
    if done < len(ZOOMS):
        name, args = ZOOMS[done]
        return call(name, args, f"zoom-{done}-{user_of(messages)}")
    return AIMessage(content=f"Analysis of {user_of(messages)} done.")


def build_graph(ctx, routed, accounts):
    @tool
    def fetch_account(user: str) -> str:
        """Fetch a user's account file."""
        return accounts.ledger(user)

    def researcher_reply(messages: list[BaseMessage]) -> AIMessage:
        user = user_of(messages)
        if not any(isinstance(m, ToolMessage) for m in messages):
            return call("fetch_account", {"user": user}, f"fetch-{user}")
        # the researcher pastes the whole file in its answer, as models do
        return AIMessage(content=f"Findings for the account:\n{accounts.ledger(user)}")

    researcher_model = routed(researcher_reply)
    analyst_model = routed(analyst_reply)
    researcher = create_agent(
        researcher_model,
        tools=[fetch_account],
        middleware=[SharedContextMiddleware(ctx)],
        name="researcher",
    )
    analyst_mw = SharedContextMiddleware(ctx, max_tokens=800)
    analyst = create_agent(analyst_model, middleware=[analyst_mw], name="analyst")
    graph = (
        StateGraph(MessagesState)
        .add_node("researcher", researcher)
        .add_node("analyst", analyst)
        .add_edge(START, "researcher")
        .add_edge("researcher", "analyst")
        .add_edge("analyst", END)
        .compile(checkpointer=InMemorySaver())
    )
    return graph, analyst_model, analyst_mw


def config(user: str) -> dict:
    return {"configurable": {"thread_id": user}}


def check_no_leak(ctx, analyst_model, analyst_mw, results, secret):
    by_user: dict[str, list[list[BaseMessage]]] = {}
    for prompt in analyst_model.received:
        by_user.setdefault(user_of(prompt), []).append(prompt)
    assert sorted(by_user) == sorted(USERS)
    for user, prompts in by_user.items():
        others = re.compile("|".join(rf"\b{o}\b" for o in USERS if o != user), re.IGNORECASE)
        assert len(prompts) == len(ZOOMS) + 1
        for prompt in prompts:
            text = "\n".join(m.text for m in prompt)
            assert not others.search(text), f"{user}'s analyst saw: {others.search(text)[0]}"
        # the researcher's 9k-token answer, in the graph's shared messages, reached the
        # analyst compressed with the call that reads it in full; it is not injected twice
        first = prompts[0]
        handoff = [m for m in first if isinstance(m, AIMessage) and m.name == "researcher"][-1]
        assert handoff.text.endswith('read_shared_context(key="researcher", full=true)]')
        assert ctx.count_tokens("\n".join(m.text for m in first)) < 3000
        assert analyst_mw.injection_for(user) is None
        last = prompts[-1]
        zooms = [m for m in last if isinstance(m, ToolMessage) and m.name in dict(ZOOMS)]
        assert [m.name for m in zooms] == [name for name, _ in ZOOMS]
        assert secret(user) in zooms[0].text  # search
        assert secret(user) in zooms[1].text  # read around the query
        assert "researcher" in zooms[2].text and "analyst" not in zooms[2].text  # list
        # render and search of this thread's scope, and what the middleware reports
        view = ctx.scope(user)
        assert set(view.keys()) >= {"researcher", "analyst"}
        rendered = view.render(max_tokens=3000)
        assert user in rendered and not others.search(rendered)
        hits = view.search(None, "vault passphrase", k=20)
        assert hits and all(user in hit.text for hit in hits if "vault" in hit.text)
        assert results[user]["messages"][-1].text == f"Analysis of {user} done."
    assert ctx.keys() == []  # nothing landed outside the threads' scopes


def test_eight_threads_share_one_graph_and_one_context(shared_ctx, routed, accounts):
    graph, analyst_model, analyst_mw = build_graph(shared_ctx, routed, accounts)

    def run(user: str):
        return user, graph.invoke({"messages": [HumanMessage(ASK + user)]}, config(user))

    with ThreadPoolExecutor(max_workers=len(USERS)) as pool:
        results = dict(pool.map(run, USERS))
    check_no_leak(shared_ctx, analyst_model, analyst_mw, results, accounts.secret)


@pytest.mark.asyncio
async def test_eight_asyncio_runs_share_one_graph_and_one_context(shared_ctx, routed, accounts):
    graph, analyst_model, analyst_mw = build_graph(shared_ctx, routed, accounts)

    async def run(user: str):
        return user, await graph.ainvoke({"messages": [HumanMessage(ASK + user)]}, config(user))

    results = dict(await asyncio.gather(*(run(user) for user in USERS)))
    check_no_leak(shared_ctx, analyst_model, analyst_mw, results, accounts.secret)
