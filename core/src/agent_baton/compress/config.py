"""INI, TOML and Debian control files (setup.cfg, systemd units, dpkg's status): their settings.

Detected by their own parsers (``configparser``, ``tomli``, and the Debian control-file
syntax of Debian Policy 5.1, stanzas of ``Field: value`` lines with indented continuation
lines, as in machine-readable ``debian/copyright`` files). Every section header and every
short ``key = value`` or ``Field: value`` line stays, byte for byte: they are the facts.
Comments, blank runs and the inner lines of long multi-line values go, each run leaving
``# [… n lines]`` where it was; lines the query matches stay whatever they are, and so does
the whole of a section the query names (``[project.optional-dependencies]`` for
``project.optional-dependencies.brotli``). A file of many like sections (a record per
package, per target) that is still long is sampled like a table: the sections with rare
values stay, each run of the others leaves ``# [… n sections]``.
"""

from __future__ import annotations

import configparser
import re
from functools import cache
from typing import Any

from agent_baton.compress.dumps import file_heads
from agent_baton.compress.guarantees import failing_lines
from agent_baton.compress.json import KEY_COLUMN, budget_chars, pick_rows
from agent_baton.compress.markers import gap as gap_marker
from agent_baton.compress.markers import note, omitted
from agent_baton.compress.memo import once
from agent_baton.compress.request import Request
from agent_baton.compress.tables import parse_cell
from agent_baton.search import best_matches


@cache  # at the first config read: a tenth of a second, on every import of agent_baton else
def _toml() -> Any:
    """The TOML parser's module."""
    try:  # tomli's wheels are compiled (mypyc): it parses three times as fast as tomllib
        import tomli as toml  # type: ignore[import-not-found, unused-ignore]
    except ImportError:  # an install without it: the standard library's parser, same rules
        import tomllib as toml  # type: ignore[no-redef, unused-ignore]
    return toml


_SECTION = re.compile(r"^\s*\[{1,2}[^\]\n]+\]{1,2}\s*(?:[#;].*)?$")
# `key = v`, `key: v`, `key[x] = v`: a key starts with a non-blank and may hold blanks and
# colons; its first colon after the first character, or the `=`/`:` after it, separates.
# Every part is possessive (one way to match, linear on any line); the earlier spelling,
# `[… /@:]*\s*[=:]`, took 1 s on 10,000 blanks. No later colon can succeed where the first
# failed (what follows it is blank), so taking the first changes no answer.
_SETTING = re.compile(r"^\s*+[\w.\-\"'/@:][\w.\-\"' /@]*+(?:\[[\w@.\-]++\])?\s*+[=:]\s*+\S")
_COMMENT = re.compile(r"^\s*[#;]")
# A commented settings file's active line: a name, then "=" or blanks, then its value.
# (``maxmemory 2gb``, ``max_connections = 100``, ``Config: configdb``, ``group[users] = x``,
# ``@include common-auth``, ``/dev/fd0 /floppy minix defaults 0 0``; ``KEY =`` sets it empty).
_ACTIVE = re.compile(
    r"[ \t]*+[\w.@/][\w.\-/]*+(?:\[[\w.\-]*+\])?"
    r"(?:[ \t]*+=(?:[ \t]*+$|[ \t]*+[^\s=])|:?[ \t]++[^\s=:])"
)
_MIN_ACTIVE = 3
_KEY_NAME = re.compile(r"[\w.\-:@/]+")
_SETTING_CHARS = 160  # a longer line is a value's text rather than a setting
_SHAPED = 0.6  # of the non-blank, non-comment lines: headers and settings
_MIN_SECTIONS = 8  # sections a file needs before they are sampled like records
_QUERY_WORD = re.compile(r"[^\s,;'\"()\[\]{}]+")
# Debian control syntax: a field name is printable ASCII without blanks or colons, not opening
# with "#" or "-"; a continuation line opens with a blank.
_FIELD = re.compile(r"(?![#-])[!-9;-~]+:")
# An INI file configparser takes as it is (every line blank, a comment, a section header, a
# `key = value` or `key: value` at the margin, or an indented line continuing a value), told
# by one pattern rather than by configparser's loop over lines: a text it matches needs no
# parse (one it does not match is parsed).
_SKIP = r"[ \t]*+(?:[#;][^\n]*+|\r?)"  # a blank line or a comment
_HEADER = r"\[[^\]\n]++\][ \t\r]*+"
_PLAIN_INI = re.compile(
    rf"\A(?:{_SKIP}\n)*+{_HEADER}(?:\n(?:{_HEADER}|[^\s=:;#\[][^=:\n]*+[=:][^\n]*+"
    rf"(?:\n(?:{_SKIP}\n)*+[ \t]++[^\s#;][^\n]*+)*+|{_SKIP}))*+\n?"
)
_HEADER_NAME = re.compile(r"^\[([^\]\n]++)\]", re.M)
_STANZA_SAMPLE = 20_000  # characters of a control file checked, cut at a line's end
_REPEATS = 0.2  # of a control file's fields: a name its stanza already had


@once
def parses_as_config(text: str) -> bool:
    """Whether the text is an INI, TOML or Debian control file, or a commented settings file."""
    return (
        _parses_as_ini(text) or control_stanzas(text) is not None or settings_file(text) is not None
    )


@once
def settings_file(text: str) -> frozenset[int] | None:
    """The active lines of a commented settings file (redis.conf, postgresql.conf, pg_hba.conf).

    Every line is blank, a ``#`` comment, or a setting: a name, then ``=`` or blanks and its
    value (``maxmemory 2gb``, ``max_connections = 100  # note``, ``local all all peer``);
    the comments make up most of it (a file of settings alone has nothing to leave out).
    None if any other line is there (a script's ``fi``, a Makefile's rule), or fewer than
    :data:`_MIN_ACTIVE` settings.
    """
    active: set[int] = set()
    comments = 0
    continued = False  # the line before ended in "\": this one continues its value
    for i, line in enumerate(text.splitlines()):
        if not line.strip():
            continued = False
            continue
        if continued or (len(line) <= _SETTING_CHARS and _ACTIVE.match(line)):
            active.add(i)
        elif line.lstrip().startswith("#"):
            comments += 1
        else:
            return None
        continued = line.endswith("\\")
    if len(active) < _MIN_ACTIVE or comments < len(active):
        return None
    return frozenset(active)


def control_stanzas(text: str) -> list[dict[str, str]] | None:
    """The stanzas of a Debian control file (Debian Policy 5.1), each field's first line.

    Every line is a field, a continuation or a comment; each stanza opens with a field. A
    field may repeat in its stanza (real copyright files repeat ``Comment:``), but most of a
    stanza's fields are distinct: a run of ``INFO:`` lines is a log. None unless there are
    two stanzas or more and five fields, some stanza holds two fields and at most half are
    a heading (one field whose value is all on the indented lines below it). A long text is
    read up to a line's end after its first 20,000 characters.
    """
    sample = text if len(text) <= _STANZA_SAMPLE else text[: text.rfind("\n", 0, _STANZA_SAMPLE)]
    stanzas: list[dict[str, str]] = []
    fields = repeats = 0
    headings: list[bool] = []  # per stanza: one field so far, with no value on its line
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
            headings.append(not line[field.end() :].strip())
        else:
            headings[-1] = False  # a second field: the first was no heading
        repeats += field.group() in names
        names.setdefault(field.group(), line[field.end() :].strip())
        fields += 1
    if len(stanzas) < 2 or fields < 5 or repeats > _REPEATS * fields:
        return None
    if all(len(names) == 1 for names in stanzas) or 2 * sum(headings) > len(stanzas):
        # A stanza holds fields: blocks of one heading each over indented lines are a dump
        # (``openssl pkcs7 -print_certs -text``: a ``Certificate:`` over each certificate;
        # ruff's grouped report: a ``path/to/file.py:`` over each file's diagnostics).
        return None
    return stanzas


def _parses_as_ini(text: str) -> bool:
    """Whether the text is an INI or TOML file: it parses, with sections and settings."""
    # A section header first, looked for in every line (blank and comment lines are none):
    # most texts have none, and their lines are not filtered.
    if "[" not in text:
        return False
    raws = text.splitlines()
    if not any(map(_SECTION.match, raws)):
        return False
    lines = [line for line in raws if line.strip() and not _COMMENT.match(line)]
    if len(lines) < 5:
        return False
    shaped = 0
    within = False  # in a setting: its indented lines continue its value (tox.ini's deps)
    for line in lines:
        if _SECTION.match(line):
            within = False
        elif _SETTING.match(line[:_SETTING_CHARS]) or _opens_value(line):
            within = True
        elif not (within and line[:1].isspace()):
            within = False
            continue
        shaped += 1
    if shaped < _SHAPED * len(lines):
        return False
    if _PLAIN_INI.fullmatch(text) and any(
        name != configparser.DEFAULTSECT for name in _HEADER_NAME.findall(text)
    ):
        return True  # what configparser reads without an error, with a section of its own
    toml = _toml()
    try:
        toml.loads(text)
        return True
    except (toml.TOMLDecodeError, RecursionError, ValueError):
        pass
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text)
    except (configparser.Error, RecursionError, ValueError):
        return False
    return bool(parser.sections())


def config_sections(lines: list[str], text: str) -> list[int]:
    """The lines of ``text`` (its ``lines``) that head an INI or TOML file's sections.

    ``[Install]``, ``[tool.ruff.lint]``, ``[[bin]]``: a config's outline, which a budget
    names before its settings. Empty for a text that is no such file.
    """
    if "[" not in text or not parses_as_config(text):
        return []
    return [i for i, line in enumerate(lines) if _SECTION.match(line)]


def _opens_value(line: str) -> bool:
    """``commands =``: a key whose value is on the indented lines that follow."""
    key, sep, rest = line.partition("=")
    return bool(sep) and not rest.strip() and bool(_KEY_NAME.fullmatch(key.strip()))


def compress_config(text: str, request: Request) -> tuple[str, str] | None:
    """Section headers and settings, the rest cut with counts; None if nothing is cut."""
    if not parses_as_config(text):
        return None
    lines = text.splitlines()
    sections = _sections(lines)
    named = _named(lines, sections, request.query)
    keep = [_kept_lines(lines, request, sections, named)]
    active = settings_file(text)
    if active is not None:
        # A commented settings file's settings are all kept: its comments document them,
        # and go, but for a comment that warns (guarantee 3 holds in comments too).
        keep[0].update(active, failing_lines(lines))
    out = _render(lines, keep[0], None)
    name = "config:settings"
    budget = budget_chars(len(text), request)
    if sum(map(len, out)) + len(out) > budget and len(sections) >= _MIN_SECTIONS:
        records = [_record(lines, start, end) for start, end in sections]
        costs = [sum(len(lines[i]) + 1 for i in range(a, b) if i in keep[0]) for a, b in sections]
        chosen, _ = pick_rows(records, request, costs, budget, always=named)
        out = _render(lines, keep[0], (sections, set(chosen)))
        name = "config:sections"
    if len(out) >= len(lines):
        return None
    out.append(f"# {omitted('comments and long values', request.key)}")
    return "\n".join(out), name


def _sections(lines: list[str]) -> list[tuple[int, int]]:
    """(first line, end) of each section, its header first."""
    starts = [i for i, line in enumerate(lines) if _SECTION.match(line)]
    return list(zip(starts, [*starts[1:], len(lines)][: len(starts)], strict=True))


def _named(lines: list[str], sections: list[tuple[int, int]], query: str | None) -> set[int]:
    """Sections the query names: by their name, or as the start of a dotted setting's path."""
    if not query:
        return set()
    words = {w.rstrip(".?!:") for w in _QUERY_WORD.findall(query)}
    found = set()
    for k, (start, _) in enumerate(sections):
        title = _title(lines[start])
        if title and any(w == title or w.startswith(title + ".") for w in words):
            found.add(k)
    return found


def _title(header: str) -> str:
    """``pkg.cargo`` for ``[pkg.cargo]``, ``testenv:flake8`` for ``[testenv:flake8]``."""
    inner = header.split("]", 1)[0].strip().lstrip("[").strip()
    return inner.replace('"', "").replace("'", "")


def _kept_lines(
    lines: list[str], request: Request, sections: list[tuple[int, int]], named: set[int]
) -> set[int]:
    """Headers, short settings, the query's lines and every line of a section it names."""
    matched = best_matches(lines, request.query, most=12, floor=0.3)
    level_chars = _SETTING_CHARS >> min(request.level, 2)
    keep = set(matched) | file_heads(lines)  # systemctl cat's "# /path" above each unit
    for k, (start, end) in enumerate(sections):
        keep.add(start)  # its header
        if k in named:
            keep.update(range(start, end))
    for i, line in enumerate(lines):
        if len(line) <= level_chars and _SETTING.match(line):
            keep.add(i)
    return keep


def _record(lines: list[str], start: int, end: int) -> dict[str, object]:
    """A section as a record: its name, then its settings' values by key."""
    record: dict[str, object] = {KEY_COLUMN: _title(lines[start])}
    for line in lines[start + 1 : end]:
        setting = _SETTING.match(line[:_SETTING_CHARS])
        if setting:
            key, _, value = line.partition("=") if "=" in line else line.partition(":")
            record.setdefault(key.strip(), parse_cell(value.strip()))
    return record


def _render(
    lines: list[str],
    keep: set[int],
    sampled: tuple[list[tuple[int, int]], set[int]] | None,
) -> list[str]:
    """The kept lines; each run of others one ``# [… n lines]`` (``n sections`` when sampled)."""
    dropped: set[int] = set()
    if sampled is not None:
        sections, chosen = sampled
        for k, (start, end) in enumerate(sections):
            if k not in chosen:
                dropped.update(range(start, end))
        # A dump's file names stay between the sections left out (systemctl cat's "# /path"
        # ends the section above the unit it names).
        dropped -= file_heads(lines)
    out: list[str] = []
    gap = skipped = 0
    for i, line in enumerate(lines):
        if i in dropped:
            if gap:
                out.append(f"# {gap_marker(gap)}")
                gap = 0
            skipped += _SECTION.match(line) is not None
            continue
        if skipped:
            out.append(f"# {note(f'{skipped} section' + ('s' if skipped > 1 else ''))}")
            skipped = 0
        if i in keep:
            if gap:
                out.append(f"# {gap_marker(gap)}")
                gap = 0
            out.append(line)
        else:
            gap += 1
    if gap:
        out.append(f"# {gap_marker(gap)}")
    if skipped:
        out.append(f"# {note(f'{skipped} section' + ('s' if skipped > 1 else ''))}")
    return out
