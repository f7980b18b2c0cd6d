"""What the documentation says the AutoGen integration requires is what its metadata requires."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "integrations" / "autogen" / "pyproject.toml"
# A requirement quoted in backticks: `autogen-core>=0.7.5,<0.8`, `autogen-agentchat==0.7.*`.
QUOTED = re.compile(r"`(autogen-[a-z]+(?:\[[a-z,]+\])?[<>=!~][^`]*)`")


def declared() -> dict[str, str]:
    """Each AutoGen distribution the package requires (extras included), with its versions."""
    project = tomllib.loads(PROJECT.read_text())["project"]
    lines = [*project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        lines += extra
    requirements = [Requirement(line) for line in lines]
    return {r.name: str(r.specifier) for r in requirements if r.name.startswith("autogen-")}


@pytest.mark.parametrize("doc", ["integrations/autogen/README.md", "docs/autogen.md"])
def test_the_docs_quote_the_versions_the_metadata_requires(doc):
    versions = declared()
    quoted = QUOTED.findall((ROOT / doc).read_text())
    assert quoted, f"{doc} says which AutoGen it requires"
    for text in quoted:
        requirement = Requirement(text)
        assert str(requirement.specifier) == versions[requirement.name], f"{doc}: {text}"
