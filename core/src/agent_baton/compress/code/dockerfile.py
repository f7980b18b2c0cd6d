r"""Dockerfiles: told by the builder's instruction grammar, outlined by their instructions.

A Dockerfile is a sequence of logical lines: a physical line ending with the escape character
(``\``, or the one a ``# escape=`` parser directive names, as Windows images write a
backtick) joins the next, and comment or blank lines inside such a run are skipped, as the
builder skips them. Each logical line is a comment or an instruction (``FROM``, ``RUN``,
``ENV``, ...), and the first instruction is ``FROM`` or an ``ARG`` before it. A ``RUN``,
``COPY`` or ``ADD`` may take here-documents (``RUN <<EOF`` ... ``EOF``), whose lines belong
to it. A text every logical line of which is one of these, with a ``FROM``, is a Dockerfile;
a shell script, prose or a makefile is not.

Its skeleton keeps every instruction's first line (the base image, the variables, the ports,
the entry point, each ``RUN``'s command) and the whole of a short one; a long continued or
here-document body (a ``RUN`` of 60 lines) is elided whole under its instruction, marked
with ``#`` (the file's own comment), so no continuation is cut without a marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent_baton.compress.code.skeleton import ALWAYS, CONSTANT, MEMBER, Owner, Skeleton
from agent_baton.compress.memo import once

_LINE_END = re.compile(r"\r\n|\r|\n")
_INSTRUCTIONS = frozenset(
    {
        *("FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY"),
        *("ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL"),
        *("HEALTHCHECK", "SHELL"),
    }
)
# An instruction's keyword, upper case as Dockerfiles write them (the builder takes any case,
# but a lower-case "from" or "run" opens lines of prose and scripts too).
_KEYWORD = re.compile(r"[^\S\n]*+([A-Z]++)(?:[^\S\n]|$)")
# A parser directive: "# escape=`" or "# syntax=docker/dockerfile:1", before any instruction.
_DIRECTIVE = re.compile(r"#[^\S\n]*+(\w++)[^\S\n]*+=[^\S\n]*+(\S++)[^\S\n]*+$")
# A here-document's opening: "<<EOF", "<<-EOF", "<<'EOF'" (BuildKit's, for RUN, COPY, ADD).
_HEREDOC = re.compile(r"<<(-?)([\"']?)([A-Za-z_]\w*+)\2")
_HEREDOC_INSTRUCTIONS = frozenset(("RUN", "COPY", "ADD"))
# FROM's own grammar: flags, one image reference (a name, a tag or digest, variables), maybe a
# stage name ("FROM --platform=$BUILDPLATFORM golang:1.22 AS build"); a sentence opening with
# "FROM" has more words.
_FROM = re.compile(
    r"[^\S\n]*+FROM(?:[^\S\n]++--[\w-]++=\S++)*+[^\S\n]++\S++"
    r"(?:[^\S\n]++[Aa][Ss][^\S\n]++[\w.-]++)?[^\S\n]*+"
)
_SAMPLE = 20_000
# Lines of an instruction's continuation kept with it: a RUN of two or three lines says what
# it does; a longer one is elided under its first line.
_SHORT_RUN = 3
# Lines of another instruction kept whole (ENV, LABEL and ARG lists name things).
_SHORT_LIST = 12


@dataclass
class _Instruction:
    """One logical line: its keyword (empty for a comment) and first and last physical lines."""

    keyword: str
    start: int
    end: int


@once
def parses_as_dockerfile(text: str) -> bool:
    """Whether every logical line of ``text`` (its first 20,000 characters) is an instruction.

    The first instruction must be ``FROM`` or ``ARG``, and a ``FROM`` must come: see the
    module.
    """
    sample = text[:_SAMPLE]
    if "FROM" not in sample:
        return False  # no base image: most texts stop here
    lines = _LINE_END.split(sample)
    if len(text) > _SAMPLE:
        lines.pop()  # the sample may end inside a line
    parsed = instructions(lines)
    if parsed is None:
        return False
    keywords = [line.keyword for line in parsed]
    return bool(keywords) and keywords[0] in ("FROM", "ARG") and "FROM" in keywords


def instructions(lines: list[str]) -> list[_Instruction] | None:
    """The logical lines as the builder reads them; None at the first it would refuse."""
    escape = "\\"
    out: list[_Instruction] = []
    i = 0
    heading = True  # parser directives come first, before any other line
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            directive = _DIRECTIVE.match(stripped) if heading else None
            if directive and directive.group(1).lower() == "escape":
                if directive.group(2) not in ("\\", "`"):
                    return None
                escape = directive.group(2)
            heading = heading and directive is not None
            i += 1
            continue
        heading = False
        found = _KEYWORD.match(line)
        if found is None or found.group(1) not in _INSTRUCTIONS:
            return None
        keyword = found.group(1)
        start = i
        end = _continued(lines, i, escape)
        if keyword == "FROM" and (end > start or _FROM.fullmatch(line) is None):
            return None
        if keyword in _HEREDOC_INSTRUCTIONS:
            end = _heredocs(lines, start, end, escape)
            if end < 0:
                return None  # a here-document never closed
        out.append(_Instruction(keyword, start, end))
        i = end + 1
    return out


def _continued(lines: list[str], i: int, escape: str) -> int:
    """The last physical line of the logical line opening at ``lines[i]``."""
    end = i
    while lines[end].rstrip().endswith(escape) and end + 1 < len(lines):
        end += 1
        # Comment and blank lines inside a continuation are skipped by the builder.
        while end + 1 < len(lines) and _skipped(lines[end]):
            end += 1
    return end


def _skipped(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _heredocs(lines: list[str], start: int, end: int, escape: str) -> int:
    """The last line of the here-documents the instruction opens (``end`` with none; -1 open)."""
    words = [found for line in lines[start : end + 1] for found in _HEREDOC.findall(line)]
    for dash, _quote, word in words:
        closing = end + 1
        while closing < len(lines):
            body = lines[closing].lstrip("\t") if dash else lines[closing]
            if body.rstrip() == word:
                break
            closing += 1
        if closing >= len(lines):
            return -1
        end = closing
    return end


def dockerfile_skeleton(text: str) -> Skeleton | None:
    """The skeleton of a Dockerfile: every instruction's first line; None if not one."""
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    parsed = instructions(lines)
    if parsed is None:
        return None
    skeleton = Skeleton(lines, "#")
    for line in parsed:
        # What names the image (its base, variables, ports, entry point) outlasts a RUN's
        # first line ("RUN set -eux; \\") when a budget asks for less.
        head = MEMBER if line.keyword == "RUN" else ALWAYS
        skeleton.keep(line.start, line.start, head)
        size = line.end - line.start
        if not size:
            continue
        short = _SHORT_RUN if line.keyword in _HEREDOC_INSTRUCTIONS else _SHORT_LIST
        if size < short:
            skeleton.keep(line.start + 1, line.end, min(head, CONSTANT))
            continue
        owner = skeleton.add_owner(Owner(line.keyword, line.start, line.end, head))
        skeleton.elide(line.start + 1, line.end, owner)
        # Dropped with its body, the first line goes into the body's marker.
        skeleton.owner[line.start] = owner
    return skeleton
