"""The version of agent-baton's distributions, installed or imported from a source tree."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def distribution_version(distribution: str, package_init: str) -> str:
    """The installed ``distribution``'s version; from a source tree, VERSION marked ``+source``.

    ``package_init`` is the package's ``__init__.py`` (``src/<package>/__init__.py`` of the
    distribution, next to a link to the repository's VERSION). Imported without installing
    (``PYTHONPATH=core/src``), no metadata gives the version; ``0.1.0+source`` says where it
    came from rather than failing the import.
    """
    try:
        return version(distribution)
    except PackageNotFoundError:
        try:
            number = (Path(package_init).parents[2] / "VERSION").read_text(encoding="utf-8")
        except OSError:
            number = "0"
        return f"{number.strip()}+source"
