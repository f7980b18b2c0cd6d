"""The documentation names what the code does: every logger."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "core" / "src", *sorted((ROOT / "integrations").glob("*/src"))]
LOGGER = re.compile(r"logging\.getLogger\((__name__|\"[\w.]+\")\)")


def logger_names() -> set[str]:
    names = set()
    for src in SOURCES:
        for path in src.rglob("*.py"):
            module = ".".join(path.relative_to(src).with_suffix("").parts)
            for found in LOGGER.findall(path.read_text()):
                names.add(module if found == "__name__" else found.strip('"'))
    return names


def test_every_logger_is_named_on_the_logging_page():
    page = (ROOT / "docs" / "logging.md").read_text()
    names = logger_names()
    assert "agent_baton.tokens" in names  # the scan finds loggers at all
    missing = sorted(name for name in names if f"`{name}`" not in page)
    assert not missing, f"docs/logging.md does not name the loggers {missing}"
