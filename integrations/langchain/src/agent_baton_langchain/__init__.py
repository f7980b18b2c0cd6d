"""LangChain integration of agent-baton.

- :class:`BatonChatMessageHistory`: chat history stored in a SharedContext, read back compressed.
- :class:`SharedContextMiddleware`: middleware for ``langchain.agents.create_agent`` that hands
  work over between agents (needs the ``agent`` extra, i.e. the ``langchain`` package).
- :func:`make_context_tools`: tools to list, search and read the shared context.
- :class:`SharedContextRetriever`: a retriever over the context's passage search.

Each works in the scope of its run, by default the LangGraph thread (see :mod:`.scope`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agent_baton.version import distribution_version
from agent_baton_langchain.history import BatonChatMessageHistory
from agent_baton_langchain.retriever import SharedContextRetriever
from agent_baton_langchain.scope import RunInfo, by_thread
from agent_baton_langchain.tools import CONTEXT_TOOL_NAMES, make_context_tools

if TYPE_CHECKING:
    from agent_baton_langchain.middleware import Injection, SharedContextMiddleware

__all__ = [
    "CONTEXT_TOOL_NAMES",
    "BatonChatMessageHistory",
    "Injection",
    "RunInfo",
    "SharedContextMiddleware",
    "SharedContextRetriever",
    "by_thread",
    "make_context_tools",
]
__version__ = distribution_version("agent-baton-langchain", __file__)

_MIDDLEWARE_NAMES = frozenset({"Injection", "SharedContextMiddleware"})


def __getattr__(name: str) -> Any:
    # The middleware needs the `langchain` package (extra "agent"); langchain-core alone
    # suffices for the rest, so it is imported on first use.
    if name in _MIDDLEWARE_NAMES:
        try:
            from agent_baton_langchain import middleware
        except ImportError as exc:
            raise ImportError(
                # The package is not on PyPI yet: name what to install, not the extra.
                f"{name} needs the langchain package: pip install 'langchain>=1.0,<2' "
                "(the [agent] extra of agent-baton-langchain)"
            ) from exc
        return getattr(middleware, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
