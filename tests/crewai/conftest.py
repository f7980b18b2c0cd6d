"""Fixtures for the CrewAI integration: a scripted LLM and real crews, all offline."""

from __future__ import annotations

import json
import os

# Before crewai is imported: otherwise each run waits on telemetry, tracing and version checks.
os.environ.update(
    CREWAI_DISABLE_TELEMETRY="true",
    CREWAI_TRACING_ENABLED="false",
    CREWAI_DISABLE_VERSION_CHECK="true",
    OTEL_SDK_DISABLED="true",
)

from collections.abc import Callable
from typing import Any

import pytest
from crewai import Agent, BaseLLM
from pydantic import PrivateAttr

from agent_baton import SharedContext
from agent_baton_crewai.demo import final


class ScriptedLLM(BaseLLM):
    """A CrewAI LLM that answers with fixed replies and records every prompt it gets."""

    _replies: list[str] = PrivateAttr(default_factory=list)
    _received: list[list[dict[str, Any]]] = PrivateAttr(default_factory=list)
    _offered: list[set[str]] = PrivateAttr(default_factory=list)

    def __init__(self, replies: list[str], **data: Any) -> None:
        super().__init__(model="scripted", **data)
        self._replies = list(replies)

    @property
    def received(self) -> list[list[dict[str, Any]]]:
        """The messages of each call, in order."""
        return self._received

    def offered(self, call: int = 0) -> set[str]:
        """The names of the tools offered with one call (native tool calls only)."""
        return self._offered[call]

    def prompt(self, call: int = 0) -> str:
        """Every message content of one call, joined."""
        return "\n".join(str(m.get("content", "")) for m in self._received[call])

    def call(
        self,
        messages: Any,
        tools: Any = None,
        callbacks: Any = None,
        available_functions: Any = None,
        from_task: Any = None,
        from_agent: Any = None,
        response_model: Any = None,
    ) -> str:
        if isinstance(messages, str):
            messages = [{"role": "user", "content": messages}]
        self._received.append([dict(m) for m in messages])
        self._offered.append({t["function"]["name"] for t in tools or ()})
        if not self._replies:
            raise AssertionError(f"ScriptedLLM got an unexpected call #{len(self._received)}")
        return self._replies.pop(0)

    def get_context_window_size(self) -> int:
        # Large, so CrewAI's own summarising of long prompts never makes extra calls.
        return 1_000_000

    def get_input_tokens_count(self, messages: Any, *args: Any, **kwargs: Any) -> int:
        # CrewAI's fallback estimate, without its warning that the count is approximate.
        text = messages if isinstance(messages, str) else str(messages)
        return len(text) // 4


class NativeToolsLLM(ScriptedLLM):
    """A ScriptedLLM that calls tools natively (replies may be lists of tool calls), with a
    context window of ``window`` tokens: CrewAI then stubs tool results over a quarter of it.
    """

    _window: int = PrivateAttr(default=1_000_000)

    def __init__(self, replies: list[Any], window: int, **data: Any) -> None:
        super().__init__(replies, **data)
        self._window = window

    def supports_function_calling(self) -> bool:
        return True

    def get_context_window_size(self) -> int:
        return self._window

    def tool_results(self) -> list[str]:
        """The content of every tool message the model received, in order, once each."""
        seen: list[str] = []
        for messages in self.received:
            for message in messages:
                content = str(message.get("content", ""))
                if message.get("role") == "tool" and content not in seen:
                    seen.append(content)
        return seen


def tool_call(name: str, **arguments: Any) -> list[dict[str, Any]]:
    """A reply of a natively tool-calling model: one call of ``name``."""
    call = {"name": name, "arguments": json.dumps(arguments)}
    return [{"id": f"call_{name}", "type": "function", "function": call}]


class RuleLLM(BaseLLM):
    """A CrewAI LLM whose reply is a function of the prompt; records every prompt, thread-safe.

    For crews whose runs interleave (threads, kickoff_for_each_async), where replies in a
    fixed order cannot work. Copies of an agent (kickoff_for_each) share the record.
    """

    _rule: Callable[[str], str] = PrivateAttr()
    _prompts: list[str] = PrivateAttr(default_factory=list)

    def __init__(self, rule: Callable[[str], str], **data: Any) -> None:
        super().__init__(model="rule", **data)
        self._rule = rule

    @property
    def prompts(self) -> list[str]:
        """Every prompt so far, its messages joined (list.append is atomic)."""
        return self._prompts

    def call(self, messages: Any, *args: Any, **kwargs: Any) -> str:
        if isinstance(messages, str):
            messages = [{"role": "user", "content": messages}]
        prompt = "\n".join(str(m.get("content", "")) for m in messages)
        self._prompts.append(prompt)
        return self._rule(prompt)

    def get_context_window_size(self) -> int:
        return 1_000_000

    def get_input_tokens_count(self, messages: Any, *args: Any, **kwargs: Any) -> int:
        text = messages if isinstance(messages, str) else str(messages)
        return len(text) // 4


def big_json(rows: int = 300) -> str:
    """A large uniform JSON list: compresses heavily, and row 250 is easy to look for."""
    return json.dumps(
        [
            {"id": i, "host": f"web-{i % 7}", "status": "ok", "latency_ms": 100 + i % 13}
            for i in range(rows)
        ],
        indent=2,
    )


@pytest.fixture
def ctx() -> SharedContext:
    return SharedContext()


@pytest.fixture
def make_agent() -> Callable[..., tuple[Agent, ScriptedLLM]]:
    def make(role: str, replies: list[str], **kwargs: Any) -> tuple[Agent, ScriptedLLM]:
        llm = ScriptedLLM(replies)
        agent = Agent(
            role=role, goal=f"Do the {role} work", backstory="Scripted.", llm=llm, **kwargs
        )
        return agent, llm

    return make


@pytest.fixture
def scripted_llm() -> type[ScriptedLLM]:
    return ScriptedLLM


@pytest.fixture
def native_llm() -> type[NativeToolsLLM]:
    return NativeToolsLLM


@pytest.fixture(name="tool_call")
def tool_call_fixture() -> Callable[..., list[dict[str, Any]]]:
    return tool_call


@pytest.fixture
def rule_llm() -> type[RuleLLM]:
    return RuleLLM


@pytest.fixture
def big() -> str:
    return big_json()


@pytest.fixture(name="final")
def final_fixture() -> Callable[[str], str]:
    return final
