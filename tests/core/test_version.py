"""``__version__`` of the four distributions, installed or imported from the source tree."""

import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

import agent_baton
from agent_baton.version import distribution_version

ROOT = Path(__file__).resolve().parents[2]
NUMBER = (ROOT / "VERSION").read_text(encoding="utf-8").strip()


def test_installed_version_comes_from_the_distribution():
    assert agent_baton.__version__ == version("agent-baton")


@pytest.mark.parametrize(
    "package",
    [
        "core/src/agent_baton",
        "integrations/langchain/src/agent_baton_langchain",
        "integrations/crewai/src/agent_baton_crewai",
        "integrations/autogen/src/agent_baton_autogen",
    ],
)
def test_each_source_tree_finds_the_version_file(package):
    init = str(ROOT / package / "__init__.py")
    assert distribution_version("agent-baton-not-installed", init) == f"{NUMBER}+source"


def test_import_from_the_source_tree_without_the_distribution(tmp_path):
    # Hide the installed distribution's metadata: only the source tree is importable.
    code = (
        "import importlib.metadata as m\n"
        "real = m.version\n"
        "def version(name):\n"
        "    if name == 'agent-baton':\n"
        "        raise m.PackageNotFoundError(name)\n"
        "    return real(name)\n"
        "m.version = version\n"
        "import agent_baton\n"
        "print(agent_baton.__version__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "core" / "src")},
        cwd=tmp_path,
    )
    assert done.stdout.strip() == f"{NUMBER}+source"


def test_no_distribution_admits_a_python_that_cannot_import_it():
    # Possessive quantifiers (`\s*+`) compile from Python 3.11 on; on 3.10, pip installed
    # the core and `import agent_baton` raised re.error ("multiple repeat").
    for distribution in [
        "core",
        *(f"integrations/{n}" for n in ("langchain", "crewai", "autogen")),
    ]:
        project = tomllib.loads((ROOT / distribution / "pyproject.toml").read_text())["project"]
        admitted = SpecifierSet(project["requires-python"])
        assert "3.10.13" not in admitted and "3.11.0" in admitted, distribution
