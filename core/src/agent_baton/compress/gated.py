r"""A regex whose alternatives that need a literal are tried only where the text holds it.

A pattern of many alternatives is tried at every character of a text. One anchored at a line
start (``^``) fails at once elsewhere, but is still tried there; one that may start anywhere
(``\bstd::``, ``\berr != nil\b``) is tried in full at every character, and a few of them
make a search several times slower. Such an alternative begins with a literal (``std::``, or
``impl`` after a line start and its indent) that every match of it holds: when the text lacks
that literal it cannot match anywhere, so the pattern without it finds the same matches. The
patterns themselves stay as written; their sources are split at the top-level ``|`` once.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# Characters with a meaning of their own in a regex: where a literal ends.
_SPECIAL = frozenset(".^$*+?{}[]|()")
# A line's indent, as the patterns spell it after "^".
_INDENT = r"[^\S\n]*"
# Kept whole: a flag or a reference in the source can tie alternatives together.
_WHOLE = re.compile(r"\(\?[aiLmsux-]+[:)]|\(\?P=|\(\?\(|\\[1-9]")


@functools.cache
def gated(pattern: re.Pattern[str]) -> Gated:
    """``pattern`` gated by the literals of its alternatives (made once per pattern)."""
    return Gated(pattern)


class Gated:
    """A compiled pattern and the literal each of its top-level alternatives needs."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        source = pattern.pattern
        case_blind = pattern.flags & (re.IGNORECASE | re.VERBOSE)
        whole = case_blind or _WHOLE.search(source)
        self._alternatives = [] if whole else [(a, _literal(a)) for a in _alternatives(source)]
        self._compiled: dict[tuple[str, ...], re.Pattern[str]] = {}

    def findall(self, text: str) -> list[Any]:
        """What ``pattern.findall(text)`` finds (the same matches; groups may be numbered apart)."""
        return self._for(text).findall(text)

    def search(self, text: str) -> re.Match[str] | None:
        """What ``pattern.search(text)`` finds (the same span)."""
        return self._for(text).search(text)

    def _for(self, text: str) -> re.Pattern[str]:
        possible = tuple(a for a, literal in self._alternatives if not literal or literal in text)
        if len(possible) == len(self._alternatives):
            return self.pattern
        compiled = self._compiled.get(possible)
        if compiled is None:
            # An empty alternation would match everywhere: "(?!)" matches nowhere.
            source = "|".join(possible) or "(?!)"
            compiled = self._compiled[possible] = re.compile(source, self.pattern.flags)
        return compiled


def _alternatives(source: str) -> list[str]:
    """The top-level alternatives of a regex's source, in order."""
    parts: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 1 + (source[i + 1 : i + 2] == "^")
            i += source[i : i + 1] == "]"  # "[]...]" and "[^]...]" hold a "]"
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    parts.append(source[start:])
    return parts


def _literal(alternative: str) -> str:
    """The literal every match of an alternative holds first ("" if none).

    For one anchored at a line start, the literal after the start and its indent: re tries
    "^" at every character all the same, so an alternative whose keyword (``impl``,
    ``package``) the text lacks costs as much as any other.
    """
    if alternative.startswith("^"):
        rest = alternative[1:].removeprefix(_INDENT)
    else:
        rest = alternative.removeprefix("\\b")
    out: list[str] = []
    i = 0
    while i < len(rest):
        char, width = rest[i], 1
        if char == "\\":
            char, width = rest[i + 1 : i + 2], 2
            if not char or char.isalnum() or char == "_":
                break  # a class (\w, \d) or an assertion (\b), not a character
        elif char in _SPECIAL:
            break
        following = rest[i + width : i + width + 1]
        if following in ("?", "*", "{"):
            break  # optional, or repeated a number of times: not surely there
        out.append(char)
        if following == "+":
            break
        i += width
    return "".join(out)
