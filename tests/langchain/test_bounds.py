"""Many users on one bounded context: ``max_entries``, ``max_bytes`` and ``ttl`` hold them all.

A busy user's entries evict its own oldest, never an idle user's; a long run's tool results
outnumber the bound; a thread resumes after ``ttl``. The adapter must never thrash, never let
a run's own copies evict the handoff it works from, and say what was lost (in the prompt and
a warning) rather than hand over nothing. Sessions of the chat history write independently.
"""

from __future__ import annotations

import json
import threading
import uuid
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool

from agent_baton import Backend, ContextEntry, MemoryBackend, RedisBackend, SharedContext
from agent_baton.tokens import estimate_tokens
from agent_baton_langchain import BatonChatMessageHistory, SharedContextMiddleware

from .conftest import RoutedChatModel, call

PLAN = "PLAN-CODE-7781: check every shard for latency over 150 ms. " * 20


class CountingBackend(MemoryBackend):
    """The memory backend, counting the puts of each key."""

    def __init__(self) -> None:
        super().__init__()
        self.puts: dict[str, int] = {}

    def put(
        self,
        entry: ContextEntry,
        *,
        ttl: float | None,
        max_entries: int,
        now: float | None,
        max_bytes: int | None = None,
    ) -> list[str]:
        self.puts[entry.key] = self.puts.get(entry.key, 0) + 1
        return super().put(entry, ttl=ttl, max_entries=max_entries, now=now, max_bytes=max_bytes)


class Clock:
    """A clock the test moves: the context's age of entries."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def system_text(prompt: list[BaseMessage]) -> str:
    return "\n".join(m.text for m in prompt if isinstance(m, SystemMessage))


def ours(caught: list[warnings.WarningMessage]) -> list[str]:
    """The RuntimeWarnings agent-baton raised, among those caught."""
    return [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


@tool
def fetch(shard: int) -> str:
    """Fetch a shard's metrics."""
    rows = [
        {
            "shard": shard,
            "row": i,
            "latency_ms": 100 + (i * 7919 + shard) % 97,
            "host": f"h{i % 13}",
        }
        for i in range(80)
    ]
    return json.dumps(rows)


def test_a_long_run_compresses_each_tool_result_once_and_keeps_its_handoff() -> None:
    # 20 long tool results, a bound of 12 entries: the run's copies outnumber the bound.
    results = 20
    backend = CountingBackend()
    ctx = SharedContext(ttl=None, max_entries=12, backend=backend)
    ctx.scope("t").put("planner", PLAN, agent="planner")

    def route(messages: list[BaseMessage]) -> AIMessage:
        done = sum(isinstance(m, ToolMessage) for m in messages)
        return call("fetch", {"shard": done}, f"c{done}") if done < results else AIMessage("done")

    model = RoutedChatModel(route=route)
    middleware = SharedContextMiddleware(ctx, tool_result_max_tokens=200)
    agent = create_agent(model, tools=[fetch], name="researcher", middleware=[middleware])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        agent.invoke(
            {"messages": [("user", "fetch all shards")]},
            {"configurable": {"thread_id": "t"}, "recursion_limit": 200},
        )

    copies = {key: n for key, n in backend.puts.items() if ":tool:" in key}
    assert len(copies) == results and set(copies.values()) == {1}  # each compressed once
    assert "planner" in ctx.scope("t")  # its own copies never evicted its handoff
    assert "PLAN-CODE-7781" in system_text(model.received[-1])
    last = model.received[-1]
    # Every result is shown compressed: the latest from their copies, those given up too
    # (compressed once, saying the full text is not kept), never in full.
    shown = [m.text for m in last if isinstance(m, ToolMessage)]
    assert len(shown) == results
    for shard, text in enumerate(shown):
        assert estimate_tokens(text) < estimate_tokens(fetch.invoke({"shard": shard})) / 2
    assert "the full text is not kept" in shown[0]
    assert "the full text is not kept" not in shown[-1]
    full = [w for w in caught if "more long tool results" in str(w.message)]
    assert len(full) == 1 and "max_entries=12" in str(full[0].message)


def two_agents(ctx: SharedContext) -> tuple[Any, Any, RoutedChatModel]:
    """A researcher answering with a finding, a writer whose prompts are recorded."""
    finding = RoutedChatModel(route=lambda m: AIMessage(f"FINDING-{m[-1].text}"))
    writer_model = RoutedChatModel(route=lambda m: AIMessage("report"))
    researcher = create_agent(finding, name="researcher", middleware=[SharedContextMiddleware(ctx)])
    writer = create_agent(writer_model, name="writer", middleware=[SharedContextMiddleware(ctx)])
    return researcher, writer, writer_model


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """An empty backend of each kind: in memory, and in a real Redis."""
    if request.param == "memory":
        yield MemoryBackend()
        return
    server = request.getfixturevalue("redis_server")
    redis = RedisBackend(server.url, namespace=f"lc-{uuid.uuid4().hex}")
    yield redis
    redis.clear()
    redis.close()


def alice_researched(backend: Backend) -> tuple[SharedContext, Any, Any, RoutedChatModel]:
    """A context of 5 entries in which Alice's researcher answered in her thread."""
    ctx = SharedContext(ttl=None, max_entries=5, backend=backend)
    researcher, writer, writer_model = two_agents(ctx)
    researcher.invoke({"messages": [("user", "alice")]}, ALICE)
    return ctx, researcher, writer, writer_model


ALICE = {"configurable": {"thread_id": "alice"}}


def test_a_handoff_evicted_by_other_threads_is_named_in_the_prompt_and_warned(
    backend: Backend,
) -> None:
    ctx, researcher, writer, writer_model = alice_researched(backend)
    for user in range(5):  # other users' researchers, one answer each, evict Alice's
        researcher.invoke(
            {"messages": [("user", f"u{user}")]}, {"configurable": {"thread_id": f"u{user}"}}
        )
    assert ctx.scope("alice").keys() == []
    with pytest.warns(RuntimeWarning, match=r"'researcher'.*\(evicted or deleted\)"):
        writer.invoke({"messages": [("user", "write it")]}, ALICE)
    prompt = system_text(writer_model.received[-1])
    assert (
        "Gone from the shared context before this call: researcher (evicted or deleted)" in prompt
    )


def test_a_busy_thread_evicts_its_own_entries_never_an_idle_threads_handoff(
    backend: Backend,
) -> None:
    # One user's researcher answers again and again in its thread: past max_entries its own
    # oldest answers go, and Alice's handoff reaches her writer whole, with no warning.
    ctx, researcher, writer, writer_model = alice_researched(backend)
    busy = {"configurable": {"thread_id": "busy"}}
    for turn in range(12):
        researcher.invoke({"messages": [("user", f"busy {turn}")]}, busy)
    assert ctx.scope("alice").keys() == ["researcher"]
    assert ctx.scope("busy").keys() == [f"researcher#{n}" for n in range(9, 13)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        writer.invoke({"messages": [("user", "write it")]}, ALICE)
    assert ours(caught) == []
    assert "FINDING-alice" in system_text(writer_model.received[-1])


def test_a_talkative_session_gives_up_its_own_oldest_messages_never_an_idle_ones() -> None:
    ctx = SharedContext(ttl=None, max_entries=20)
    idle = BatonChatMessageHistory(ctx, "idle")
    idle.add_messages([HumanMessage("my order is 4711"), AIMessage("noted: order 4711")])
    talkative = BatonChatMessageHistory(ctx, "talkative")
    for turn in range(20):
        talkative.add_messages([HumanMessage(f"question {turn}"), AIMessage(f"answer {turn}")])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert [m.text for m in idle.messages] == ["my order is 4711", "noted: order 4711"]
    assert ours(caught) == []
    with pytest.warns(RuntimeWarning, match=r"'talkative'"):
        kept = [m.text for m in talkative.messages]
    assert kept[-1] == "answer 19" and len(kept) == 8  # its latest, in what is left


def test_a_thread_resumed_after_ttl_is_told_its_handoff_expired() -> None:
    clock = Clock()
    ctx = SharedContext(ttl=3600, clock=clock)
    researcher, writer, writer_model = two_agents(ctx)
    ticket = {"configurable": {"thread_id": "ticket-9"}}
    researcher.invoke({"messages": [("user", "ticket")]}, ticket)
    clock.now += 7200  # the user comes back two hours later
    with pytest.warns(RuntimeWarning, match=r"'researcher'.*\(expired\)"):
        writer.invoke({"messages": [("user", "write it")]}, ticket)
    assert "researcher (expired)" in system_text(writer_model.received[-1])


def test_a_session_evicted_by_other_sessions_warns_and_expiry_does_not() -> None:
    clock = Clock()
    ctx = SharedContext(ttl=3600, max_entries=8, clock=clock)
    turn = [HumanMessage("hello"), AIMessage("hi, how can I help?")]
    for user in range(3):  # 3 sessions x 2 messages x 2 entries in 8: the oldest go
        BatonChatMessageHistory(ctx, f"user-{user}").add_messages(turn)
    with pytest.warns(RuntimeWarning, match=r"'user-0'.*every session together"):
        assert [m.text for m in BatonChatMessageHistory(ctx, "user-0").messages] == [turn[1].text]
    assert len(BatonChatMessageHistory(ctx, "user-2").messages) == 2
    clock.now += 7200  # expiry is by design: no warning
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert BatonChatMessageHistory(ctx, "user-2").messages == []
    assert ours(caught) == []


def test_a_sessions_long_write_never_blocks_another_session() -> None:
    # A token counter that holds Alice's long message mid-compression until Bob has written.
    held, release = threading.Event(), threading.Event()

    def counter(text: str) -> int:
        if "ALICE-BIG" in text:
            held.set()
            release.wait(60)
        return estimate_tokens(text)

    ctx = SharedContext(ttl=None, token_counter=counter)
    alice = BatonChatMessageHistory(ctx, "alice")
    bob = BatonChatMessageHistory(ctx, "bob")
    big = AIMessage("ALICE-BIG " + "row ok\n" * 2000)
    writer = threading.Thread(target=alice.add_messages, args=([big],))
    writer.start()
    assert held.wait(60)
    bob_done = threading.Event()
    threading.Thread(
        target=lambda: (bob.add_messages([HumanMessage("hi there")]), bob_done.set())
    ).start()
    # Bob's write completes while Alice's is still held (the wait only guards a deadlock).
    bob_wrote = bob_done.wait(30)
    release.set()
    writer.join()
    assert bob_wrote
    assert [m.text for m in bob.messages] == ["hi there"]
    assert alice.get_messages(full=True)[0].text == big.text


def test_runs_without_a_thread_sharing_an_answer_warn() -> None:
    ctx = SharedContext(ttl=None)
    researcher, _, _ = two_agents(ctx)
    researcher.invoke({"messages": [("user", "alice")]})
    with pytest.warns(RuntimeWarning, match="without a thread_id"):
        researcher.invoke({"messages": [("user", "bob")]})
    with warnings.catch_warnings(record=True) as caught:  # once per middleware
        warnings.simplefilter("always")
        researcher.invoke({"messages": [("user", "carol")]})
        researcher.invoke({"messages": [("user", "x")]}, {"configurable": {"thread_id": "x"}})
    assert ours(caught) == []


@dataclass
class UserCtx:
    user_id: str


def test_a_failing_scope_resolver_names_the_setting_and_the_run() -> None:
    ctx = SharedContext(ttl=None)
    model = RoutedChatModel(route=lambda m: AIMessage("ok"))
    resolver: Callable[[Any], str] = lambda run: run.context.user_id  # noqa: E731
    agent = create_agent(
        model,
        name="a",
        context_schema=UserCtx,
        middleware=[SharedContextMiddleware(ctx, scope=resolver)],
    )
    with pytest.raises(ValueError, match=r"scope=.*AttributeError.*thread_id=None.*context=None"):
        agent.invoke({"messages": [("user", "hi")]})
    agent.invoke({"messages": [("user", "hi")]}, context=UserCtx("u1"))
    assert ctx.scope("u1").keys() == ["a"]


def shard_fetcher(ctx: SharedContext, name: str = "researcher") -> tuple[Any, RoutedChatModel]:
    """A researcher fetching as many shards as its task says, one long result each."""

    def route(messages: list[BaseMessage]) -> AIMessage:
        task = next(m.text for m in messages if isinstance(m, HumanMessage))
        done = sum(isinstance(m, ToolMessage) for m in messages)
        wanted = int(task.split()[1])  # "fetch 12 shards"
        return call("fetch", {"shard": done}, f"c{done}") if done < wanted else AIMessage("done")

    model = RoutedChatModel(route=route)
    middleware = SharedContextMiddleware(ctx, tool_result_max_tokens=200, capture=False)
    return create_agent(model, tools=[fetch], name=name, middleware=[middleware]), model


def fetch_shards(agent: Any, thread: str, shards: int) -> None:
    """Run ``agent`` in ``thread`` on the task of fetching ``shards`` shards."""
    config = {"configurable": {"thread_id": thread}, "recursion_limit": 100}
    agent.invoke({"messages": [("user", f"fetch {shards} shards")]}, config)


def test_a_run_keeps_its_copies_while_a_busier_thread_pays_for_the_bound(
    backend: Backend,
) -> None:
    # The context is full, but another thread holds the most entries: the core evicts that
    # thread's oldest for each put, so the run has no reason to give up its own copies.
    ctx = SharedContext(ttl=None, max_entries=12, backend=backend)
    for note in range(8):
        ctx.scope("busy").put(f"note{note}", f"busy note {note}", agent="notes")
    ctx.scope("t").put("planner", PLAN, agent="planner")
    results = 4  # 9 + 4 copies: the last put is at the bound, the busy thread holds 8 to 5
    agent, model = shard_fetcher(ctx)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fetch_shards(agent, "t", results)
    assert ours(caught) == []
    kept = ctx.scope("t").keys()
    assert kept == ["planner", *(f"researcher:tool:c{n}" for n in range(results))]
    assert ctx.scope("busy").keys() == [f"note{n}" for n in range(1, 8)]
    shown = [m.text for m in model.received[-1] if isinstance(m, ToolMessage)]
    assert len(shown) == results
    assert not any("the full text is not kept" in text for text in shown)


def test_a_run_gives_up_its_copies_once_it_is_the_busiest_thread(backend: Backend) -> None:
    # The same run with more results: once its thread holds the most, its copies go first,
    # and neither its handoff nor the other thread's entries are evicted for them.
    ctx = SharedContext(ttl=None, max_entries=12, backend=backend)
    for note in range(4):
        ctx.scope("busy").put(f"note{note}", f"busy note {note}", agent="notes")
    ctx.scope("t").put("planner", PLAN, agent="planner")
    results = 12
    agent, model = shard_fetcher(ctx)
    with pytest.warns(RuntimeWarning, match="more long tool results"):
        fetch_shards(agent, "t", results)
    assert ctx.scope("busy").keys() == [f"note{n}" for n in range(4)]
    assert ctx.scope("t").keys()[0] == "planner"
    assert len(ctx.scope("t").keys()) == 8
    assert "PLAN-CODE-7781" in system_text(model.received[-1])


@pytest.mark.parametrize("agents", [1, 2])
def test_long_runs_of_four_threads_at_once_keep_every_handoff(
    backend: Backend, agents: int
) -> None:
    # Four users' research runs at once, each with more long tool results than its share of
    # the bound: at every put the busiest scope's oldest entry is a handoff (its own or
    # another run's), so each run gives up its own copies, and two runs never both count on
    # one free slot, whether one agent serves them all or two agents (two middleware) do.
    users, results = ["a", "b", "c", "d"], 16
    ctx = SharedContext(ttl=None, max_entries=24, backend=backend)
    for user in users:
        ctx.scope(user).put("planner", PLAN.replace("7781", f"{user}7781"), agent="planner")
    fetchers = [shard_fetcher(ctx, f"researcher{n}") for n in range(agents)]

    def serve(n: int) -> None:
        fetch_shards(fetchers[n % agents][0], users[n], results)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ThreadPoolExecutor(len(users)) as pool:
            list(pool.map(serve, range(len(users))))
    assert [user for user in users if "planner" not in ctx.scope(user)] == []
    assert not [w for w in ours(caught) if "is gone from the shared context" in w]
    for _, model in fetchers:
        for prompt in model.received:
            assert "Gone from the shared context" not in system_text(prompt)


def test_a_run_at_the_bound_gives_up_its_copies_before_a_busier_runs_handoff(
    backend: Backend,
) -> None:
    # Thread b's run holds the most (its handoff, oldest, then its copies); thread a's run
    # then fills the context: the eviction would take b's handoff, so a gives up its copies.
    ctx = SharedContext(ttl=None, max_entries=14, backend=backend)
    for user in ("b", "a"):
        ctx.scope(user).put("planner", PLAN, agent="planner")
    agent, _ = shard_fetcher(ctx)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fetch_shards(agent, "b", 9)
        fetch_shards(agent, "a", 6)
    assert "planner" in ctx.scope("b") and "planner" in ctx.scope("a")
    assert len(ctx.scope("b").keys()) == 10  # b's run kept every copy
