"""``import agent_baton`` defers the parsers and tokenizers it may never need to their first use."""

import subprocess
import sys

import agent_baton
from agent_baton import SharedContext

# Each costs from a tenth to a third of a second to import (python -X importtime).
DEFERRED = ("yaml", "html.parser", "tomllib", "tomli", "asyncio", "importlib.metadata")
DEFERRED += ("tiktoken", "tree_sitter", "redis")


def test_import_agent_baton_leaves_the_heavy_modules_for_their_first_use():
    probe = f"import sys, agent_baton; print([m for m in {DEFERRED!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_what_was_deferred_works_at_its_first_use():
    ctx = SharedContext(ttl=None)
    manifest = "\n".join(
        f"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{i}\nspec:\n  port: {i}"
        for i in range(60)
    )
    page = "<html><body>" + "".join(f"<p>paragraph {i} of the page</p>\n" for i in range(300))
    toml = "\n".join(f'[server{i}]\nhost = "h{i}"\nport = {i}' for i in range(200))
    assert ctx.put("k8s", manifest).transforms[0].startswith("yaml")
    assert ctx.put("page", page + "</body></html>").transforms[0].startswith("html")
    assert ctx.put("conf", toml).transforms[0].startswith("config")
    assert agent_baton.__version__ and "__version__" in vars(agent_baton)
