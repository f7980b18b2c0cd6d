"""Fixtures for the LangChain integration: scripted fake chat models and large research data."""

from __future__ import annotations

import inspect
import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import (
    FakeMessagesListChatModel,
    GenericFakeChatModel,
)
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from agent_baton import MemoryBackend, RedisBackend, SharedContext


class ScriptedChatModel(GenericFakeChatModel):
    """LangChain's GenericFakeChatModel that accepts tools and records every prompt it got."""

    received: list[list[BaseMessage]] = Field(default_factory=list)
    bound_tools: list[str] = Field(default_factory=list)

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:
        # create_agent binds the tools before each call; the script decides the tool calls.
        self.bound_tools = [getattr(tool, "name", str(tool)) for tool in tools]
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.received.append(list(messages))
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


class RoutedChatModel(FakeMessagesListChatModel):
    """LangChain's FakeMessagesListChatModel whose reply is worked out from the prompt.

    Concurrent runs share one model, so a reply list cannot be consumed in order: ``route``
    answers each prompt (what a model would do with it). Every prompt is recorded.
    """

    responses: list[BaseMessage] = Field(default_factory=list)
    route: Callable[[list[BaseMessage]], AIMessage]
    received: list[list[BaseMessage]] = Field(default_factory=list)

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> RoutedChatModel:
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.received.append(list(messages))  # list.append is atomic: safe across threads
        return ChatResult(generations=[ChatGeneration(message=self.route(list(messages)))])


def call(name: str, args: dict[str, Any], call_id: str) -> AIMessage:
    """An AI message that calls one tool."""
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": call_id}])


def metrics_rows(n: int = 300) -> list[dict[str, Any]]:
    """Uniform monitoring rows with a few incidents: the kind of data agents hand over."""
    return [
        {
            "id": i,
            "service": f"svc-{i % 12}",
            "region": ("eu-west-1", "us-east-1", "ap-south-1")[i % 3],
            "latency_ms": 80 + (i * 7) % 45,
            "status": "error" if i % 97 == 13 else "ok",
            "message": "upstream timeout after 30s" if i % 97 == 13 else "healthy",
        }
        for i in range(n)
    ]


class Accounts:
    """Users' ledgers: routine lines with the user's passphrase planted in the middle.

    The isolation tests hand them around many users at once: a prompt, tool answer or search
    hit holding one user's passphrase must belong to that user.
    """

    @staticmethod
    def secret(user: str) -> str:
        """The passphrase planted in ``user``'s ledger."""
        return f"{user.upper()}-7731-ORCHID"

    def ledger(self, user: str) -> str:
        """About 9k tokens of routine lines with the user's passphrase in the middle."""
        lines = [f"{user} ledger line {i}: transfer settled, balance ok" for i in range(600)]
        lines[311] = f"ALERT {user} vault passphrase is {self.secret(user)}"
        return "\n".join(lines)


@pytest.fixture
def accounts() -> Accounts:
    """Users' ledgers with a planted passphrase each: ``accounts.ledger(user)``, ``.secret``."""
    return Accounts()


@pytest.fixture
def scripted() -> Callable[..., ScriptedChatModel]:
    """Factory of fake models answering with the given replies in order."""

    def make(*replies: AIMessage | str) -> ScriptedChatModel:
        return ScriptedChatModel(messages=iter(replies))

    return make


@pytest.fixture
def routed() -> Callable[[Callable[[list[BaseMessage]], AIMessage]], RoutedChatModel]:
    """Factory of fake models answering each prompt with ``route(prompt)``."""
    return lambda route: RoutedChatModel(route=route)


@pytest.fixture
def tool_call() -> Callable[[str, dict[str, Any], str], AIMessage]:
    """Factory of AI messages that call one tool: ``tool_call(name, args, call_id)``."""
    return call


@pytest.fixture
def ctx() -> SharedContext:
    return SharedContext(model="gpt-4o", ttl=None, max_entries=100)


@pytest.fixture
def research() -> str:
    """A large research result (about 13k tokens of pretty-printed JSON)."""
    return json.dumps(metrics_rows(), indent=2)


@pytest.fixture(params=["memory", "redis"])
def shared_ctx(request: pytest.FixtureRequest) -> Iterator[SharedContext]:
    """An empty SharedContext on each backend: in memory, and in a real Redis."""
    if request.param == "memory":
        yield SharedContext(ttl=None, max_entries=500, backend=MemoryBackend())
        return
    server = request.getfixturevalue("redis_server")
    backend = RedisBackend(server.url, namespace=f"lc-{uuid.uuid4().hex}")
    yield SharedContext(ttl=None, max_entries=500, backend=backend)
    backend.clear()
    backend.close()


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> None:
    """Run langchain-tests' async standard tests on asyncio: they carry no marker, since
    LangChain's own packages run them with asyncio_mode=auto."""
    if (
        name.startswith("test_")
        and inspect.iscoroutinefunction(obj)
        and getattr(obj, "__module__", "").startswith("langchain_tests.")
    ):
        pytest.mark.asyncio(obj)
