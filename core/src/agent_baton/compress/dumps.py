"""A multi-file dump: files printed one after another, each under a line that names it.

``head`` and ``tail`` of several files put ``==> path <==`` above each; ``systemctl cat``
puts ``# /usr/lib/systemd/system/x.service`` above each unit and drop-in. Those lines say
which block is which file: every one stays, whatever the compressor leaves out around it
(a fold of ``[Service]`` lines across 100 units reads as one config with no names).

The tools that pack files for a model print them the same way, each in its own frame:
files-to-prompt (``path``, ``---``, the file, ``---``; or its ``--cxml`` documents),
repomix (``<file path="…">``, ``## File: path`` over a fence, or ``File: path`` between
rules of ``=``), gitingest (``FILE: path`` between rules) and code2prompt (`` `path`: `` over
a fence). :func:`dump_files` parses those frames, so a dump is split into its files at the
lines the tool printed and nowhere else: a frame that does not close where the format
closes it is no dump.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from agent_baton.compress.memo import once

# head/tail's header, and systemctl cat's: a comment holding an absolute file path alone.
_HEAD = re.compile(r"==> .+ <==$|# /[^\s#]+\.[\w@-]+$")
_MIN_FILES = 2
# A comment holding a path alone, relative or absolute: a directory or an extension in it.
_NAMED = re.compile(r"# (?:[\w.@~-]+/)*[\w@~-][\w.@~-]*\.[A-Za-z]\w*$|# (?:[\w.@~-]+/)+[\w.@~-]+$")
_TAIL = re.compile(r"==> (.+) <==$")
# files-to-prompt's path line: a path alone (a YAML document's "key: value" is none).
_PATH = re.compile(r"[\w.~/-][^\s:]*")
_DOCUMENT = re.compile(r'<document index="\d+">$')
_SOURCE = re.compile(r"<source>(.+)</source>$")
_REPOMIX_FILE = re.compile(r'<file path="(.+)">$')
_RULE = re.compile(r"={8,}$")
_RULED_FILE = re.compile(r"(?:File|FILE): (.+)$")
# repomix's markdown header, code2prompt's.
_FENCED_FILE = re.compile(r"## File: (.+)$|`([^`]+)`:$")
_FENCE = re.compile(r"(`{3,}|~{3,})[\w+#.-]*$")


@dataclass(frozen=True, slots=True)
class DumpFile:
    """One file of a dump: its body's lines ``[start, end)``, named by ``path``.

    ``head`` is the first line of the frame the tool printed above the body (its header).
    """

    start: int
    end: int
    path: str
    head: int


def file_heads(lines: list[str]) -> set[int]:
    """Indices of the lines that name the file under them, when ``lines`` are such a dump.

    Empty unless the first non-blank line is one and there are at least two: a config file
    whose comments mention a path is no dump.
    """
    first = next((line for line in lines if line.strip()), "")
    if not _HEAD.match(first):
        return set()
    heads = {i for i, line in enumerate(lines) if line[:2] in ("==", "# ") and _HEAD.match(line)}
    return heads if len(heads) >= _MIN_FILES else set()


@once
def dump_files(text: str) -> list[DumpFile]:
    """The files of a dump one of the tools above printed, in order; empty for other text.

    Every line outside the files' bodies is the tool's (headers, rules, fences, a summary):
    it stays as it is. Of two formats that parse, the dump is the one whose first file comes
    first: the other's headers are inside one of its files (a README showing repomix's
    plain output, packed by repomix in markdown).
    """
    lines: list[str] | None = None
    found: list[DumpFile] = []
    for marks, parse in _FORMATS:
        if any(mark in text for mark in marks):
            lines = lines if lines is not None else text.split("\n")
            files = parse(lines)
            if len(files) >= _MIN_FILES and (not found or files[0].start < found[0].start):
                found = files
    return found


def _first(lines: list[str]) -> int:
    """The index of the first non-blank line."""
    return next((i for i, line in enumerate(lines) if line.strip()), len(lines))


def _blank_from(lines: list[str], i: int) -> bool:
    """Whether the lines from ``i`` on are all blank."""
    return all(not line.strip() for line in lines[i:])


def _head_tail(lines: list[str]) -> list[DumpFile]:
    """The ``head``/``tail`` of several files: a header after a blank line (or first) above each."""
    return _headed(lines, _TAIL, "==> ", slice(4, -4))


def _commented(lines: list[str]) -> list[DumpFile]:
    """Files printed each under a comment naming it: ``for f in …; do echo "# $f"; cat "$f"``.

    The comment holds a path alone (a directory or an extension in it).
    """
    return _headed(lines, _NAMED, "# ", slice(2, None))


def _headed(lines: list[str], header: re.Pattern[str], start: str, path: slice) -> list[DumpFile]:
    """Files each under a header line ``header`` matches, ``start`` how it opens.

    The first line that says something is one, and so is every such line after a blank
    line; ``path`` is the header's part that names the file, which ends at the blank line
    before the next header.
    """
    first = _first(lines)
    if first == len(lines) or not header.match(lines[first]):
        return []
    heads = [
        i
        for i in range(first, len(lines))
        if lines[i].startswith(start)
        and (i == first or not lines[i - 1])
        and header.match(lines[i])
    ]
    ends = [i - 1 for i in heads[1:]] + [len(lines)]
    return [DumpFile(i + 1, end, lines[i][path], i) for i, end in zip(heads, ends, strict=True)]


def _files_to_prompt(lines: list[str]) -> list[DumpFile]:
    """The files-to-prompt's default: ``path``, ``---``, the file, a blank line, ``---``."""
    files: list[DumpFile] = []
    i = _first(lines)
    while i < len(lines) and not _blank_from(lines, i):
        if not (i + 1 < len(lines) and lines[i + 1] == "---" and _is_path(lines[i])):
            return []
        # The frame closes at a "---" after a blank line, before the next frame or the end.
        j = i + 2
        while j < len(lines) and not (
            lines[j] == "---"
            and not lines[j - 1]
            and (
                _blank_from(lines, j + 1)
                or (j + 2 < len(lines) and lines[j + 2] == "---" and _is_path(lines[j + 1]))
            )
        ):
            j += 1
        if j == len(lines):
            return []
        files.append(DumpFile(i + 2, j - 1, lines[i], i))
        i = j + 1
    return files


def _is_path(line: str) -> bool:
    """Whether a line is a file's path alone: a name with a directory or an extension."""
    return ("/" in line or "." in line) and _PATH.fullmatch(line) is not None


def _cxml(lines: list[str]) -> list[DumpFile]:
    """The files-to-prompt ``--cxml``: ``<document>`` elements, each a source and its content."""
    i = _first(lines)
    if i == len(lines) or lines[i] != "<documents>":
        return []
    files: list[DumpFile] = []
    i += 1
    while i + 2 < len(lines) and _DOCUMENT.match(lines[i]):
        source = _SOURCE.match(lines[i + 1])
        if source is None or lines[i + 2] != "<document_content>":
            return []
        # Contents are not escaped: the closing tags count where the next element follows.
        j = i + 3
        while j + 2 < len(lines) and not (
            lines[j] == "</document_content>"
            and lines[j + 1] == "</document>"
            and (lines[j + 2] == "</documents>" or _DOCUMENT.match(lines[j + 2]) is not None)
        ):
            j += 1
        if j + 2 >= len(lines):
            return []
        files.append(DumpFile(i + 3, j, source.group(1), i))
        i = j + 2
    if i == len(lines) or lines[i] != "</documents>" or not _blank_from(lines, i + 1):
        return []
    return files


def _repomix_xml(lines: list[str]) -> list[DumpFile]:
    """Repomix's XML style: ``<file path="…">`` elements in ``<files>``, after its summary."""
    heads = _listed(
        lines,
        [
            (i, named.group(1))
            for i, line in enumerate(lines)
            if line[:6] == "<file " and (named := _REPOMIX_FILE.match(line))
        ],
    )
    files: list[DumpFile] = []
    for k, (i, path) in enumerate(heads):
        if k + 1 < len(heads):
            stop = heads[k + 1][0]
        else:  # the last file closes before the last </files>, or before the end
            last = (j for j in range(len(lines) - 1, i, -1) if lines[j] == "</files>")
            stop = next(last, len(lines))
        close = next((j for j in range(stop - 1, i, -1) if lines[j] == "</file>"), None)
        if close is None or not _blank_from(lines[close + 1 : stop], 0):
            return []  # a header inside a file: no frame closes before it
        files.append(DumpFile(i + 1, close, path, i))
    return files


def _ruled(lines: list[str]) -> list[DumpFile]:
    """Repomix's plain style and gitingest: ``File: path`` between two equal rules of ``=``.

    Each section of the summary is framed alike (``Directory Structure``): a file's body
    ends where the next framed title begins.
    """
    titles = [
        i
        for i in range(1, len(lines) - 1)
        if lines[i - 1][:8] == "========"
        and _RULE.match(lines[i - 1])
        and lines[i + 1] == lines[i - 1]
        and lines[i].strip()
    ]
    named = [(i, m.group(1)) for i in titles if (m := _RULED_FILE.match(lines[i]))]
    listed = set(_listed(lines, named, above=1))
    titles = [i for i in titles if (i, lines[i][6:]) in listed or not _RULED_FILE.match(lines[i])]
    files: list[DumpFile] = []
    for k, i in enumerate(titles):
        if (i, lines[i][6:]) in listed:
            end = titles[k + 1] - 1 if k + 1 < len(titles) else len(lines)
            files.append(DumpFile(i + 2, end, lines[i][6:], i - 1))
    return files


def _listed(
    lines: list[str], heads: list[tuple[int, str]], above: int = 0
) -> list[tuple[int, str]]:
    """The headers (index, path) of files the summary before the first lists, if there is one.

    repomix and gitingest print the tree of the files they pack before them: a header whose
    file it does not name is a line of a file (a README showing what the tool prints).
    ``above``: the lines of a header's frame above it (a rule).
    """
    if not heads:
        return heads
    summary = "\n".join(lines[: max(heads[0][0] - above, 0)])
    if not summary.strip():
        return heads
    return [(i, path) for i, path in heads if path.rsplit("/", 1)[-1] in summary]


def _fenced(lines: list[str]) -> list[DumpFile]:
    """Repomix's markdown style, code2prompt's: a header naming the file over a fenced block.

    A header counts only where a fence opens right under it (a blank line between at most)
    and closes with the same fence: a heading in a markdown file is inside a fence already.
    """
    files: list[DumpFile] = []
    i = 0
    while i < len(lines):
        named = _FENCED_FILE.match(lines[i]) if lines[i][:1] in ("#", "`") else None
        if named is None:
            i += 1
            continue
        opening = i + 1 if i + 1 < len(lines) and lines[i + 1] else i + 2
        fence = _FENCE.match(lines[opening]) if opening < len(lines) else None
        if fence is None:
            i += 1
            continue
        close = next(
            (j for j in range(opening + 1, len(lines)) if lines[j] == fence.group(1)), None
        )
        if close is None:
            return []
        files.append(DumpFile(opening + 1, close, named.group(1) or named.group(2), i))
        i = close + 1
    return files


# Each format: strings one of its headers holds (checked before any parse), its parser.
_FORMATS: tuple[tuple[tuple[str, ...], Callable[[list[str]], list[DumpFile]]], ...] = (
    (("==> ",), _head_tail),
    (("\n# ",), _commented),
    (("<document_content>",), _cxml),
    (('<file path="',), _repomix_xml),
    (("\nFile: ", "\nFILE: "), _ruled),
    (("\n---\n",), _files_to_prompt),
    (("\n## File: ", "`:\n"), _fenced),
)
