"""One ``create_agent`` serves many users at once, streamed and not: nobody sees anyone else.

The way a web app uses LangChain: one compiled agent with a checkpointer (the baton's
middleware, a tool fetching the user's file), each user a ``thread_id``; a CRM entry per user
stored beforehand in that user's scope; requests arriving together through ``ainvoke``,
``astream``, ``astream_events`` and ``invoke`` on threads, each user asking twice. Beside it,
``RunnableWithMessageHistory`` over ``BatonChatMessageHistory`` sessions, and tools and a
retriever bound to one user's scope. Every prompt, tool answer, streamed chunk, event, search
hit and render must name its own user and no other (memory and a real Redis).
"""

from __future__ import annotations

import asyncio
import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.chat_history import BaseChatMessageHistory
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables.history import RunnableWithMessageHistory
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver

from agent_baton_langchain import (
    BatonChatMessageHistory,
    SharedContextMiddleware,
    SharedContextRetriever,
    make_context_tools,
)

USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
ASK = "Audit the account of "
ZOOMS = [
    ("search_shared_context", {"query": "vault passphrase"}),
    ("read_shared_context", {"key": "crm", "query": "tier"}),
    ("list_shared_context", {}),
]


def crm(user: str) -> str:
    return f"Customer {user}: tier GOLD-{user.upper()}, manager {user}-desk, since 2019."


def others_of(user: str) -> re.Pattern[str]:
    return re.compile("|".join(rf"\b{o}\b" for o in USERS if o != user), re.IGNORECASE)


def user_of(messages: list[BaseMessage]) -> str:
    asks = [m.text for m in messages if isinstance(m, HumanMessage) and m.text.startswith(ASK)]
    return asks[-1].removeprefix(ASK).split()[0]


def auditor(messages: list[BaseMessage]) -> AIMessage:
    """Fetch the ledger, zoom three ways, answer; again on the second turn."""
    user = user_of(messages)
    turn = sum(1 for m in messages if isinstance(m, HumanMessage) and m.text.startswith(ASK))
    last_ask = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
    done = [m for m in messages[last_ask:] if isinstance(m, ToolMessage)]
    if not done:
        args = {"user": user}
        return AIMessage("", tool_calls=[{"name": "fetch_ledger", "args": args, "id": f"f{turn}"}])
    if len(done) <= len(ZOOMS):
        name, args = ZOOMS[len(done) - 1]
        call_id = f"z{turn}-{len(done)}"
        return AIMessage("", tool_calls=[{"name": name, "args": args, "id": call_id}])
    return AIMessage(f"Audit {turn} of {user} done.")


@pytest.fixture
def agent(shared_ctx, routed, accounts):
    for user in USERS:
        crm_entry = crm(user) + "\n" + accounts.ledger(user)[:2000]
        shared_ctx.scope(user).put("crm", crm_entry, agent="crm")

    @tool
    def fetch_ledger(user: str) -> str:
        """Fetch a user's ledger."""
        return accounts.ledger(user)

    model = routed(auditor)
    middleware = SharedContextMiddleware(shared_ctx, max_tokens=800, tool_result_max_tokens=600)
    graph = create_agent(
        model,
        tools=[fetch_ledger],
        middleware=[middleware],
        name="auditor",
        checkpointer=InMemorySaver(),
    )
    return graph, model, middleware


def config(user: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": user}}


def ask(user: str, turn: int) -> dict[str, Any]:
    return {"messages": [HumanMessage(f"{ASK}{user} (request {turn})")]}


def assert_nobody_else(ctx, model, middleware, seen: dict[str, list[str]], secret) -> None:
    """Prompts, injections, tool answers, render and search of each thread hold only its user."""
    prompts: dict[str, list[list[BaseMessage]]] = {}
    for prompt in model.received:
        prompts.setdefault(user_of(prompt), []).append(prompt)
    assert sorted(prompts) == sorted(USERS)
    for user, calls in prompts.items():
        others = others_of(user)
        assert len(calls) == 2 * (len(ZOOMS) + 2)  # two turns of fetch, zooms, answer
        for prompt in calls:
            text = "\n".join(m.text for m in prompt)
            assert not others.search(text), f"{user}'s model saw {others.search(text)[0]}"
        first = "\n".join(m.text for m in calls[0])
        assert f"GOLD-{user.upper()}" in first  # the user's CRM entry was injected
        answers = {m.name: m.text for m in calls[-1] if isinstance(m, ToolMessage)}
        assert secret(user) in answers["search_shared_context"]
        assert f"GOLD-{user.upper()}" in answers["read_shared_context"]
        assert "crm" in answers["list_shared_context"]
        injection = middleware.injection_for(user)
        assert injection is not None and injection.keys and "crm" in injection.keys
        view = ctx.scope(user)
        assert {"auditor", "auditor#2"} <= set(view.keys())  # both turns kept
        rendered = view.render(max_tokens=3000)
        assert not others.search(rendered)
        hits = view.search(None, "vault passphrase", k=20)
        assert hits and all(not others.search(hit.text) for hit in hits)
        streamed = "\n".join(seen.get(user, []))
        assert not others.search(streamed), f"{user}'s stream showed another user"
    assert ctx.keys() == []  # nothing stored outside the users' scopes


@pytest.mark.asyncio
async def test_ainvoke_of_eight_threads_at_once_twice_each(shared_ctx, agent, accounts):
    graph, model, middleware = agent

    async def run(user: str) -> list[str]:
        results = [await graph.ainvoke(ask(user, turn), config(user)) for turn in (1, 2)]
        return [results[-1]["messages"][-1].text]

    answers = await asyncio.gather(*(run(user) for user in USERS))
    assert answers == [[f"Audit 2 of {user} done."] for user in USERS]
    seen = dict(zip(USERS, answers, strict=True))
    assert_nobody_else(shared_ctx, model, middleware, seen, accounts.secret)


@pytest.mark.asyncio
async def test_astream_and_astream_events_of_eight_threads_at_once(shared_ctx, agent, accounts):
    graph, model, middleware = agent

    async def stream(user: str) -> tuple[str, list[str]]:
        chunks: list[str] = []
        # turn 1 streamed as updates and messages, turn 2 as events (v2), as chat UIs do
        async for mode, chunk in graph.astream(
            ask(user, 1), config(user), stream_mode=["updates", "messages"]
        ):
            chunks.append(f"{mode}: {chunk!r}")
        async for event in graph.astream_events(ask(user, 2), config(user), version="v2"):
            chunks.append(repr(event.get("data")))
        return user, chunks

    seen = dict(await asyncio.gather(*(stream(user) for user in USERS)))
    for user, chunks in seen.items():
        assert any(f"Audit 2 of {user} done." in chunk for chunk in chunks)
        # the stream carries what the model and the tools really got: this user's data
        assert any(accounts.secret(user) in chunk for chunk in chunks)
    assert_nobody_else(shared_ctx, model, middleware, seen, accounts.secret)


@pytest.mark.asyncio
async def test_abatch_and_batch_of_eight_threads_one_config_each(shared_ctx, agent, accounts):
    # A batch endpoint: one call runs every user's request, each input with its own config;
    # the second turn through the sync batch on a worker thread.
    graph, model, middleware = agent
    configs = [config(user) for user in USERS]
    first = await graph.abatch([ask(user, 1) for user in USERS], configs)
    second = await asyncio.to_thread(graph.batch, [ask(user, 2) for user in USERS], configs)
    assert [r["messages"][-1].text for r in first] == [f"Audit 1 of {u} done." for u in USERS]
    assert [r["messages"][-1].text for r in second] == [f"Audit 2 of {u} done." for u in USERS]
    seen = {user: [repr(r)] for user, r in zip(USERS, second, strict=True)}
    assert_nobody_else(shared_ctx, model, middleware, seen, accounts.secret)


def test_invoke_on_eight_threads_twice_each(shared_ctx, agent, accounts):
    graph, model, middleware = agent

    def run(user: str) -> tuple[str, list[str]]:
        results = [graph.invoke(ask(user, turn), config(user)) for turn in (1, 2)]
        return user, [result["messages"][-1].text for result in results]

    with ThreadPoolExecutor(max_workers=len(USERS)) as pool:
        seen = dict(pool.map(run, USERS))
    assert all(texts[-1] == f"Audit 2 of {user} done." for user, texts in seen.items())
    assert_nobody_else(shared_ctx, model, middleware, seen, accounts.secret)


@pytest.mark.asyncio
async def test_message_history_sessions_at_once_see_only_their_own(shared_ctx, routed, accounts):
    def reply(messages: list[BaseMessage]) -> AIMessage:
        user = messages[-1].text.split()[-1]
        if len(messages) <= 2:  # the first turn: a long answer
            return AIMessage(accounts.ledger(user))
        return AIMessage(f"{user} noted.")

    model = routed(reply)
    prompt = ChatPromptTemplate.from_messages(
        [("system", "You keep ledgers."), MessagesPlaceholder("history"), ("human", "{q}")]
    )
    histories: dict[str, BaseChatMessageHistory] = {}

    def history(session_id: str) -> BaseChatMessageHistory:
        return histories.setdefault(session_id, BatonChatMessageHistory(shared_ctx, session_id))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # deprecated since langchain-core 1.3
        chain = RunnableWithMessageHistory(
            prompt | model, history, input_messages_key="q", history_messages_key="history"
        )

    async def session(user: str) -> None:
        cfg = {"configurable": {"session_id": user}}
        await chain.ainvoke({"q": f"Ledger for {user}"}, config=cfg)
        await asyncio.to_thread(chain.invoke, {"q": f"Anything new for {user}"}, config=cfg)

    await asyncio.gather(*(session(user) for user in USERS))
    assert len(model.received) == 2 * len(USERS)
    for prompt in model.received:
        user = prompt[-1].text.split()[-1]
        text = "\n".join(m.text for m in prompt)
        assert not others_of(user).search(text), f"{user}'s prompt held another session"
    tools = {t.name: t for t in make_context_tools(shared_ctx)}
    retriever = SharedContextRetriever(ctx=shared_ctx, k=10)
    for user in USERS:
        full = BatonChatMessageHistory(shared_ctx, user).get_messages(full=True)
        assert [m.text for m in full][::2] == [f"Ledger for {user}", f"Anything new for {user}"]
        assert full[1].text == accounts.ledger(user)
        cfg = {"configurable": {"session_id": user}}
        answers = [
            tools["search_shared_context"].invoke({"query": "vault passphrase"}, cfg),
            tools["list_shared_context"].invoke({}, cfg),
            *(doc.page_content for doc in retriever.invoke("vault passphrase", cfg)),
        ]
        assert accounts.secret(user) in answers[0]
        for answer in answers:
            assert not others_of(user).search(answer)


@pytest.mark.asyncio
async def test_tools_and_retriever_bound_to_one_user_never_show_another(shared_ctx, accounts):
    for user in USERS:
        shared_ctx.scope(user).put("ledger", accounts.ledger(user), agent="bank")
    for user in USERS:
        tools = {t.name: t for t in make_context_tools(shared_ctx, scope=user)}
        retriever = SharedContextRetriever(ctx=shared_ctx, scope=user, k=8)
        # bound to the user: whatever thread the call claims to be in
        cfg = {"configurable": {"thread_id": USERS[(USERS.index(user) + 1) % len(USERS)]}}
        answers = await asyncio.gather(
            tools["search_shared_context"].ainvoke({"query": "passphrase ledger"}, cfg),
            tools["read_shared_context"].ainvoke({"key": "ledger", "query": "vault"}, cfg),
            tools["list_shared_context"].ainvoke({}, cfg),
            retriever.ainvoke("vault passphrase", cfg),
        )
        docs = answers.pop()
        assert docs and all(doc.metadata["key"] == "ledger" for doc in docs)
        answers += [doc.page_content for doc in docs]
        assert accounts.secret(user) in answers[0] and accounts.secret(user) in answers[1]
        for answer in answers:
            assert not others_of(user).search(answer), f"{user}'s tools showed another user"
