"""SARIF logs (static analyzers' JSON): every result's rule, message and place are kept."""

import json
from pathlib import Path

from agent_baton.compress import compress
from agent_baton.compress.sarif import is_sarif

DATA = Path(__file__).parent / "data"


def test_a_sarif_log_keeps_each_results_rule_message_and_line():
    # ruff --output-format sarif on CPython's asyncio/events.py: the outline sampled the
    # results as a table's rows and dropped rare rules and the messages of most of them.
    text = (DATA / "ruff_asyncio_events_py.sarif").read_text()
    data = json.loads(text)
    assert is_sarif(data)
    out = compress(text, key="ruff.sarif")
    kept = out.text.splitlines()
    assert out.compressed_tokens < out.original_tokens
    for result in data["runs"][0]["results"]:
        assert any(line.strip() == f'"ruleId": "{result["ruleId"]}"' for line in kept)
        assert any(json.dumps(result["message"]["text"]) in line for line in kept)
        region = result["locations"][0]["physicalLocation"]["region"]
        assert any(line.strip().startswith(f'"startLine": {region["startLine"]}') for line in kept)


def test_json_that_only_has_runs_is_no_sarif():
    assert not is_sarif({"runs": [{"results": []}], "name": "benchmark"})
    assert is_sarif({"version": "2.1.0", "runs": [{"results": []}]})
