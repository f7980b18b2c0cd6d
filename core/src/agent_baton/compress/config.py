"""INI, TOML and Debian control files (setup.cfg, systemd units, dpkg's status): their settings.

Detected by their own parsers (``configparser``, ``tomllib``, and the Debian control-file
syntax of Debian Policy 5.1, stanzas of ``Field: value`` lines with indented continuation
lines, as in machine-readable ``debian/copyright`` files). Every section header and every
short ``key = value`` or ``Field: value`` line stays, byte for byte: they are the facts.
Comments, blank runs and the inner lines of long multi-line values go, each run leaving
``# [… n lines]`` where it was; lines the query matches stay whatever they are.
"""

from __future__ import annotations

import configparser
import re

from agent_baton.compress.markers import omitted
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
_OPENS_VALUE = re.compile(r"^\s*[\w.\-\"'/@:][\w.\-\"' /@:]*\s*[=:]\s*$")  # key =, lines follow
_COMMENT = re.compile(r"^\s*[#;]")
_SETTING_CHARS = 160  # a longer line is a value's text rather than a setting
_SHAPED = 0.6  # of the non-blank, non-comment lines: headers and settings
# Debian control syntax: a field name is printable ASCII without blanks or colons, not opening
# with "#" or "-"; a continuation line opens with a blank.
_FIELD = re.compile(r"(?![#-])[!-9;-~]+:")
_STANZA_SAMPLE = 20_000  # characters of a control file checked, cut at a line's end
_REPEATS = 0.2  # of a control file's fields: a name its stanza already had


def parses_as_config(text: str) -> bool:
    """Whether the text is an INI, TOML or Debian control file: it parses as one."""
    return _parses_as_ini(text) or control_stanzas(text) is not None


def control_stanzas(text: str) -> list[dict[str, str]] | None:
    """The stanzas of a Debian control file (Debian Policy 5.1), each field's first line.

    Every line is a field, a continuation or a comment; each stanza opens with a field. A
    field may repeat in its stanza (real copyright files repeat ``Comment:``), but most of a
    stanza's fields are distinct: a run of ``INFO:`` lines is a log. None unless there are
    two stanzas or more and five fields. A long text is read up to a line's end after its
    first 20,000 characters.
    """
    sample = text if len(text) <= _STANZA_SAMPLE else text[: text.rfind("\n", 0, _STANZA_SAMPLE)]
    stanzas: list[dict[str, str]] = []
    fields = repeats = 0
    names: dict[str, str] | None = None  # the stanza being read
    for line in sample.splitlines():
        if not line.strip():
            names = None
            continue
        if line[0] == "#":
            continue
        if line[0] in " \t":
            if names is None:
                return None  # a continuation with no field before it
            continue
        field = _FIELD.match(line)
        if field is None:
            return None
        if names is None:
            names = {}
            stanzas.append(names)
        repeats += field.group() in names
        names.setdefault(field.group(), line[field.end() :].strip())
        fields += 1
    if len(stanzas) < 2 or fields < 5 or repeats > _REPEATS * fields:
        return None
    return stanzas


def _parses_as_ini(text: str) -> bool:
    """Whether the text is an INI or TOML file: it parses, with sections and settings."""
    lines = [line for line in text.splitlines() if line.strip() and not _COMMENT.match(line)]
    if len(lines) < 5 or not any(_SECTION.match(line) for line in lines):
        return False
    shaped = 0
    in_value = False  # after a setting: indented lines continue its value (tox's deps =)
    for line in lines:
        head = line[:_SETTING_CHARS]
        if _SECTION.match(line) or (in_value and line[:1] in " \t"):
            in_value = in_value and not _SECTION.match(line)
            shaped += 1
        elif _SETTING.match(head) or _OPENS_VALUE.match(head):
            in_value = True
            shaped += 1
        else:
            in_value = False
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
