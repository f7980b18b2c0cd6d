"""Fixtures for the AutoGen integration: a shared context, big payloads, replay model clients."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from types import SimpleNamespace

import pytest
from autogen_core.models import CreateResult, LLMMessage
from autogen_ext.models.replay import ReplayChatCompletionClient

from agent_baton import SharedContext
from agent_baton_autogen import registry
from agent_baton_autogen.demo import TOOL_MODEL, calls


@pytest.fixture
def ctx() -> SharedContext:
    return SharedContext()


@pytest.fixture(params=["memory", "redis"])
def any_ctx(request: pytest.FixtureRequest) -> SharedContext:
    """An empty SharedContext in memory, then in a real redis-server (its own namespace)."""
    if request.param == "memory":
        return SharedContext()
    server = request.getfixturevalue("redis_server")
    return SharedContext.from_url(server.url, namespace=f"test-{uuid.uuid4().hex}")


@pytest.fixture(autouse=True)
def _clean_registry() -> Iterator[None]:
    # Component dumps register contexts by name; keep tests independent.
    yield
    registry._contexts.clear()
    registry._claimed.clear()


def sales_rows(n: int = 300) -> str:
    """A large uniform JSON table: the kind of tool output agent-baton compresses heavily."""
    rows = [
        {
            "id": i,
            "region": ["north", "south", "east", "west"][i % 4],
            "units": i * 7 % 113,
            "revenue": round(i * 12.5, 2),
            "sku": f"SKU-{i:04d}",
        }
        for i in range(n)
    ]
    return json.dumps(rows, indent=2)


def replay(*responses: str | CreateResult) -> ReplayChatCompletionClient:
    """A replay model that may call tools and hand off; it records every create() call."""
    return ReplayChatCompletionClient(list(responses), model_info=TOOL_MODEL)


def sent(client: ReplayChatCompletionClient, call: int = 0) -> Sequence[LLMMessage]:
    """The messages the model received in its ``call``-th create()."""
    return client.create_calls[call]["messages"]


def texts(messages: Sequence[LLMMessage]) -> list[str]:
    """Every str the messages carry: message contents and tool result contents."""
    out: list[str] = []
    for message in messages:
        content = message.content
        if isinstance(content, str):
            out.append(content)
        elif isinstance(content, list):
            out.extend(c.content for c in content if isinstance(getattr(c, "content", None), str))
    return out


@pytest.fixture
def kit() -> SimpleNamespace:
    """The helpers above (test modules cannot import conftest under --import-mode=importlib)."""
    return SimpleNamespace(
        sales_rows=sales_rows,
        replay=replay,
        calls=calls,
        sent=sent,
        texts=texts,
    )
