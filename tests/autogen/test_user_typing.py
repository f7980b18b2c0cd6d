"""A user's code that wires the integration as the README does passes ``mypy --strict``.

AutoGen's parameters take invariant lists (``AssistantAgent(tools=...)``, ``StaticWorkbench``):
a list of our three tool classes was refused by mypy in the user's own file.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What the README's block assumes: a context, a model client, AutoGen's names.
PRELUDE = '''\
"""A user's program."""

from autogen_agentchat.agents import AssistantAgent
from autogen_core import SingleThreadedAgentRuntime
from autogen_ext.models.replay import ReplayChatCompletionClient

from agent_baton import SharedContext

ctx = SharedContext()
model_client = ReplayChatCompletionClient(["done"])
'''

# Beyond the README: the tools in a workbench, unpacked and used one by one.
MORE = """
from autogen_core import CancellationToken
from autogen_core.tools import StaticWorkbench

workbench = StaticWorkbench(make_context_tools(ctx))
read, search, listing = make_context_tools(ctx, prefix="docs_")
names: list[str] = [read.name, search.name, listing.name]


async def ask() -> object:  # AutoGen types run_json as Any
    return await search.run_json({"query": "timeout"}, CancellationToken())
"""


def readme_autogen_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## AutoGen", 1)[1]
    return textwrap.dedent(re.search(r"```python\n(.*?)```", section, re.DOTALL)[1])


def test_the_readme_autogen_example_passes_mypy_strict_in_a_user_file(tmp_path, request):
    block = readme_autogen_block()
    assert "tools=make_context_tools(ctx)" in block
    user_file = tmp_path / "user_app.py"
    user_file.write_text(PRELUDE + block + MORE)
    cache = request.config.cache.mkdir("mypy-user-typing")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache), str(user_file)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    if "No module named mypy" in done.stderr:
        pytest.skip("mypy is not installed here (nox -s tests-autogen installs it)")
    assert done.returncode == 0, done.stdout + done.stderr
