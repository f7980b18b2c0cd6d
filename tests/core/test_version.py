"""``agent_baton.__version__``, installed or imported from the source tree."""

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import agent_baton

ROOT = Path(__file__).resolve().parents[2]


def test_installed_version_comes_from_the_distribution():
    assert agent_baton.__version__ == version("agent-baton")


def test_import_from_the_source_tree_without_the_distribution(tmp_path):
    # Hide the installed distribution's metadata: only the source tree is importable.
    code = (
        "import importlib.metadata as m, sys\n"
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
    number = (ROOT / "VERSION").read_text(encoding="utf-8").strip()
    assert done.stdout.strip() == f"{number}+source"
