"""agent-baton for AutoGen AgentChat 0.7: other agents' messages reach each model compressed.

Examples:
    >>> from agent_baton import SharedContext
    >>> from agent_baton_autogen import BatonChatCompletionContext, make_context_tools
    >>> ctx = SharedContext()
    >>> model_context = BatonChatCompletionContext(ctx, agent_name="analyst")
    >>> [tool.name for tool in make_context_tools(ctx)]
    ['read_shared_context', 'search_shared_context', 'list_shared_context']
"""

from agent_baton.version import distribution_version
from agent_baton_autogen.intervention import BatonInterventionHandler
from agent_baton_autogen.model_context import (
    BatonChatCompletionContext,
    BatonChatCompletionContextConfig,
)
from agent_baton_autogen.registry import (
    get_shared_context,
    register_shared_context,
    unregister_shared_context,
)
from agent_baton_autogen.runs import team_scope
from agent_baton_autogen.tools import (
    CONTEXT_TOOL_NAMES,
    LIST_TOOL_NAME,
    READ_TOOL_NAME,
    SEARCH_TOOL_NAME,
    ListSharedContextTool,
    ReadSharedContextTool,
    SearchSharedContextTool,
    SharedContextToolConfig,
    make_context_tools,
)

__all__ = [
    "CONTEXT_TOOL_NAMES",
    "LIST_TOOL_NAME",
    "READ_TOOL_NAME",
    "SEARCH_TOOL_NAME",
    "BatonChatCompletionContext",
    "BatonChatCompletionContextConfig",
    "BatonInterventionHandler",
    "ListSharedContextTool",
    "ReadSharedContextTool",
    "SearchSharedContextTool",
    "SharedContextToolConfig",
    "get_shared_context",
    "make_context_tools",
    "register_shared_context",
    "team_scope",
    "unregister_shared_context",
]
__version__ = distribution_version("agent-baton-autogen", __file__)
