"""The package imports with langchain-core alone; the middleware asks for the extra."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
sys.modules["langchain"] = None  # as if only langchain-core were installed
import agent_baton_langchain as pkg
assert pkg.BatonChatMessageHistory and pkg.make_context_tools and pkg.SharedContextRetriever
try:
    pkg.SharedContextMiddleware
except ImportError as exc:
    print(exc)
"""


def test_imports_without_langchain_and_names_the_extra():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
    ).stdout
    assert "pip install 'langchain>=1.0,<2' (the [agent] extra of agent-baton-langchain)" in out


def test_public_names():
    import agent_baton_langchain as pkg

    for name in pkg.__all__:
        assert getattr(pkg, name) is not None
    assert pkg.SharedContextMiddleware.__module__ == "agent_baton_langchain.middleware"
