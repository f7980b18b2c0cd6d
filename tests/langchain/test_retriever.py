"""SharedContextRetriever: a real BaseRetriever over the context's search."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ValidationError

from agent_baton import SharedContext
from agent_baton_langchain import SharedContextRetriever


@pytest.fixture
def filled(ctx, research):
    ctx.put("research", research, agent="researcher")
    ctx.put("notes", "The on-call team saw upstream timeout alarms at night.", agent="oncall")
    return ctx


def test_returns_documents_with_key_agent_and_location(filled):
    retriever = SharedContextRetriever(ctx=filled, k=3)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("upstream timeout")
    assert 1 <= len(docs) <= 3
    assert all(isinstance(d, Document) for d in docs)
    hits = filled.search(None, "upstream timeout", k=3)
    assert [d.page_content for d in docs] == [h.text for h in hits]
    assert [d.metadata for d in docs] == [
        {"key": h.key, "agent": h.agent, "location": h.location, "score": h.score} for h in hits
    ]
    assert any(d.metadata["agent"] == "researcher" for d in docs)


def test_key_limits_the_search_to_one_entry(filled):
    docs = SharedContextRetriever(ctx=filled, key="notes").invoke("timeout")
    assert [d.metadata["key"] for d in docs] == ["notes"]
    assert SharedContextRetriever(ctx=filled).invoke("zebra") == []


@pytest.mark.asyncio
async def test_async(filled):
    docs = await SharedContextRetriever(ctx=filled, k=2).ainvoke("upstream timeout")
    assert docs and all("timeout" in d.page_content for d in docs)


def test_bad_arguments(filled):
    with pytest.raises(ValidationError):
        SharedContextRetriever(ctx="not a context")
    with pytest.raises(ValidationError):
        SharedContextRetriever(ctx=filled, k=0)


@pytest.mark.asyncio
async def test_a_thread_with_nothing_stored_finds_nothing_of_anyone_else():
    # An empty scope is an empty context (len 0, falsy): the retriever must still search it,
    # not fall back to the whole context.
    ctx = SharedContext()
    ctx.put("notes", "The root holds the deploy password hunter2.", agent="ops")
    ctx.scope("bob").put("notes", "Bob's password is swordfish.", agent="bob")
    retriever = SharedContextRetriever(ctx=ctx)
    alice = {"configurable": {"thread_id": "alice"}}
    assert retriever.invoke("password", alice) == []
    assert await retriever.ainvoke("password", alice) == []
    assert (
        "swordfish"
        in retriever.invoke("password", {"configurable": {"thread_id": "bob"}})[0].page_content
    )
