"""INI and TOML files (setup.cfg, systemd units, .desktop files, pyproject.toml): their settings.

Detected by their own parsers (``configparser``, ``tomllib``). Every section header and every
short ``key = value`` line stays, byte for byte: they are the facts. Comments, blank runs and
the inner lines of long multi-line values go, each run leaving ``# [… n lines]`` where it was;
lines the query matches stay whatever they are.
"""

from __future__ import annotations

import configparser
import re

from agent_baton.compress.markers import omitted
from agent_baton.compress.memo import once
from agent_baton.compress.request import Request
from agent_baton.search import best_matches

try:
    import tomllib
except ImportError:  # Python 3.10: TOML is then read by its lines only
    tomllib = None  # type: ignore[assignment]

_SECTION = re.compile(r"^\s*\[{1,2}[^\]\n]+\]{1,2}\s*(?:[#;].*)?$")
# A key starts with a non-blank, so leading blanks have one way to match; lines are cut to
# _SETTING_CHARS before matching, which bounds what the key's blanks and colons can try.
_SETTING = re.compile(r"^\s*[\w.\-\"'/@:][\w.\-\"' /@:]*(?:\[[\w@.\-]+\])?\s*[=:]\s*\S")
_COMMENT = re.compile(r"^\s*[#;]")
_SETTING_CHARS = 160  # a longer line is a value's text rather than a setting
_SHAPED = 0.6  # of the non-blank, non-comment lines: headers and settings


@once
def parses_as_config(text: str) -> bool:
    """Whether the text is an INI or TOML file: it parses, with sections and settings."""
    lines = [line for line in text.splitlines() if line.strip() and not _COMMENT.match(line)]
    if len(lines) < 5 or not any(_SECTION.match(line) for line in lines):
        return False
    shaped = sum(
        1 for line in lines if _SECTION.match(line) or _SETTING.match(line[:_SETTING_CHARS])
    )
    if shaped < _SHAPED * len(lines):
        return False
    if tomllib is not None:
        try:
            tomllib.loads(text)
            return True
        except (tomllib.TOMLDecodeError, RecursionError, ValueError):
            pass
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text)
    except (configparser.Error, RecursionError, ValueError):
        return False
    return bool(parser.sections())


def compress_config(text: str, request: Request) -> tuple[str, str] | None:
    """Section headers and settings, the rest cut with counts; None if nothing is cut."""
    if not parses_as_config(text):
        return None
    lines = text.splitlines()
    matched = best_matches(lines, request.query, most=12, floor=0.3)
    level_chars = _SETTING_CHARS >> min(request.level, 2)
    out: list[str] = []
    gap = 0
    for i, line in enumerate(lines):
        setting = len(line) <= level_chars and _SETTING.match(line)
        if _SECTION.match(line) or setting or i in matched:
            if gap:
                out.append(f"# [… {gap} lines]")
                gap = 0
            out.append(line)
        else:
            gap += 1
    if gap:
        out.append(f"# [… {gap} lines]")
    if len(out) >= len(lines):
        return None
    out.append(f"# {omitted('comments and long values', request.key)}")
    return "\n".join(out), "config:settings"
