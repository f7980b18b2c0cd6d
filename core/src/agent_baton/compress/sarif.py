"""SARIF, the static analyzers' JSON (ruff, eslint, semgrep, bandit, CodeQL): its findings.

A run's results are what the analysis found: each result's rule, its message and where it
points (a file and a line) are kept as a failure line is, whatever the rest of the document
(the tool's rule descriptions, the fixes) leaves out. Found by their lines in the document
as printed (a member a line), so that the outline keeps them at their place.
"""

from __future__ import annotations

import re
from typing import Any

# The lines of a result that say what was found and where (a SARIF writer prints a member
# a line): its rule, its message's text, its location's file and first line.
_FINDING = re.compile(
    r'^([ \t]*)"ruleId": "'
    r'|"message": \{[ \t]*\n([ \t]*)"text": "'
    r'|"physicalLocation": \{[ \t]*\n[ \t]*"artifactLocation": \{[ \t]*\n([ \t]*)"uri": "'
    r'|"region": \{[ \t]*\n(?:[ \t]*"\w+": \d+,[ \t]*\n){0,6}([ \t]*)"startLine": \d',
    re.MULTILINE,
)


def is_sarif(data: Any) -> bool:
    """Whether a parsed JSON document is a SARIF log: runs holding results, by its schema."""
    if not isinstance(data, dict) or not isinstance(data.get("runs"), list):
        return False
    schema = str(data.get("$schema", "")).lower()
    said = "sarif" in schema or data.get("version") == "2.1.0"
    return said and any(isinstance(run, dict) and "results" in run for run in data["runs"])


def finding_starts(text: str, data: Any) -> list[int]:
    """Where the lines of a SARIF log's findings start (ascending); none for other JSON."""
    if not is_sarif(data):
        return []
    return [
        next(m.start(k) for k in range(1, 5) if m.start(k) >= 0) for m in _FINDING.finditer(text)
    ]
