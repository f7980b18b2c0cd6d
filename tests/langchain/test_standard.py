"""LangChain's own standard suites (langchain-tests) on the tools and the retriever."""

from __future__ import annotations

from typing import Any

from langchain_core.tools import BaseTool
from langchain_tests.integration_tests import RetrieversIntegrationTests, ToolsIntegrationTests
from langchain_tests.unit_tests import ToolsUnitTests

from agent_baton import SharedContext
from agent_baton_langchain import SharedContextRetriever, make_context_tools


def filled_context() -> SharedContext:
    ctx = SharedContext(ttl=None)
    log = "\n".join(
        f"2026-11-23 02:{i // 60:02d}:{i % 60:02d} "
        + (f"ERROR svc-{i % 7} upstream timeout after 30s" if i % 50 == 7 else f"INFO req {i} ok")
        for i in range(400)
    )
    ctx.put("researcher", log, agent="researcher")
    ctx.put("oncall", "Upstream timeout alarms paged the on-call team twice.", agent="oncall")
    return ctx


def context_tool(name: str) -> BaseTool:
    return next(t for t in make_context_tools(filled_context()) if t.name == name)


class TestReadToolUnit(ToolsUnitTests):
    @property
    def tool_constructor(self) -> BaseTool:
        return context_tool("read_shared_context")

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"key": "researcher", "query": "upstream timeout", "max_tokens": 300}


class TestReadToolIntegration(ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> BaseTool:
        return context_tool("read_shared_context")

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"key": "researcher", "full": True, "page": 2}


class TestSearchToolUnit(ToolsUnitTests):
    @property
    def tool_constructor(self) -> BaseTool:
        return context_tool("search_shared_context")

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"query": "upstream timeout", "key": "researcher"}


class TestSearchToolIntegration(ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> BaseTool:
        return context_tool("search_shared_context")

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"query": "upstream timeout"}


class TestListToolUnit(ToolsUnitTests):
    @property
    def tool_constructor(self) -> BaseTool:
        return context_tool("list_shared_context")


class TestListToolIntegration(ToolsIntegrationTests):
    @property
    def tool_constructor(self) -> BaseTool:
        return context_tool("list_shared_context")


class TestRetriever(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[SharedContextRetriever]:
        return SharedContextRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"ctx": filled_context()}

    @property
    def retriever_query_example(self) -> str:
        return "upstream timeout"
