"""agent_baton_langchain.demo.run() runs real create_agent agents and measures each handoff."""

from __future__ import annotations

from agent_baton.demo import DemoResult
from agent_baton_langchain.demo import run


def test_demo_runs_the_handoff_and_saves_tokens():
    result = run()
    assert isinstance(result, DemoResult)
    assert result.framework == "langchain"
    assert "GenericFakeChatModel" in result.model
    assert len(result.handoffs) == 2
    for handoff in result.handoffs:
        assert 0 < handoff.tokens_with < handoff.tokens_without
    assert "tx_100097" in result.zoom
    assert result.stats is not None
    assert result.stats.entries >= 4


def test_importing_the_package_does_not_import_the_demo():
    import subprocess
    import sys

    code = "import sys, agent_baton_langchain; print('agent_baton_langchain.demo' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_readme_quotes_this_demos_figures(readme_quotes_demo):
    readme_quotes_demo(run())
