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
from collections.abc import Callable
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
        self._sources: dict[str, re.Pattern[str]] = {}  # count()'s searches

    def findall(self, text: str) -> list[Any]:
        """What ``pattern.findall(text)`` finds (the same matches; groups may be numbered apart)."""
        return self._for(text).findall(text)

    def count(self, text: str) -> int:
        r"""``len(pattern.findall(text))``, found faster where alternatives open with a word.

        re tries every alternative at every character; one opening with a word after
        ``\b`` (``\blet``, ``\bstd::``) is found on its own far faster, led by that word
        (``let(?<=\blet)``), and so is one opening a line (``^`` of a multiline pattern),
        led by the line feed before it (``\n(?:…)``). Each such alternative and the others,
        together, are searched apart; the leftmost match wins, at one place the earliest
        alternative (as re picks), and the search goes on from its end: the same matches
        findall finds, one by one.
        """
        possible = [a for a, literal in self._alternatives if not literal or literal in text]
        lines = bool(self.pattern.flags & re.MULTILINE)
        led = [_word_led(a) or (lines and _line_led(a)) or None for a in possible]
        if not any(led):
            return len(self._for(text).findall(text))
        rest = [a for a, fast in zip(possible, led, strict=True) if fast is None]
        # (first alternative's index or -1 for the rest, search): searched in text order.
        searches = [(i, self._search(fast)) for i, fast in enumerate(led) if fast]
        if rest:
            searches.append((-1, self._search("|".join(rest))))
        found = [search(text, 0) for _, search in searches]
        n = pos = 0
        while True:
            for k, (_, search) in enumerate(searches):
                span = found[k]
                if span is not None and span[0] < pos:
                    found[k] = search(text, pos)
            starts = [span[0] for span in found if span is not None]
            if not starts:
                return n
            start = min(starts)
            at = [k for k, span in enumerate(found) if span is not None and span[0] == start]
            best = min(at, key=lambda k: searches[k][0] if searches[k][0] >= 0 else len(led))
            if searches[best][0] >= 0 and any(searches[k][0] < 0 for k in at):
                # The rest matches here too: it wins if one of its alternatives before the
                # led one does.
                earlier = "|".join(a for a in possible[: searches[best][0]] if a in rest)
                if earlier and self._compile(earlier).match(text, start):
                    best = next(k for k in at if searches[k][0] < 0)
            span = found[best]
            assert span is not None
            if span[1] == start:
                return len(self._for(text).findall(text))  # an empty match: findall's rules
            n += 1
            pos = span[1]

    def _search(self, source: str) -> Callable[[str, int], tuple[int, int] | None]:
        """The span of the first match of ``source`` from ``pos`` on, found as it is led.

        A source led by a line feed (:func:`_line_led`) stands for its alternative at a line
        start: matched at ``pos`` if a line starts there, else after the next line feed.
        """
        if not source.startswith(_AFTER_BREAK):
            pattern = self._compile(source)
            return lambda text, pos: m.span() if (m := pattern.search(text, pos)) else None
        # Anchored as the alternative was: matched only where a line starts, and screened
        # (benchmarks/pattern_screen.py) as the line-start pattern it is.
        at_start = self._compile("^" + source[len(_AFTER_BREAK) : -1])
        after_break = self._compile(source)

        def search(text: str, pos: int) -> tuple[int, int] | None:
            if pos == 0 or text[pos - 1] == "\n":
                m = at_start.match(text, pos)
                if m is not None:
                    return m.span()
            m = after_break.search(text, pos)
            return None if m is None else (m.start() + 1, m.end())

        return search

    def _compile(self, source: str) -> re.Pattern[str]:
        """``source`` compiled with the pattern's flags, once (re's own cache may drop it)."""
        compiled = self._sources.get(source)
        if compiled is None:
            compiled = self._sources[source] = re.compile(source, self.pattern.flags)
        return compiled

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


# An alternative opening with a word after "\\b", which no quantifier follows.
_WORD_LED = re.compile(r"\\b([A-Za-z_]\w*)(?![\w?*+{])")


def _word_led(alternative: str) -> str | None:
    r"""``let(?<=\blet) ...`` for ``\blet ...``: led by its word, re finds it fast; or None."""
    led = _WORD_LED.match(alternative)
    if led is None or len(led.group(1)) < 2:
        return None
    word = led.group(1)
    return f"{word}(?<=\\b{word}){alternative[led.end() :]}"


# How a line-led alternative's source opens: the line feed before the line, then the rest.
_AFTER_BREAK = "\\n(?:"


def _line_led(alternative: str) -> str | None:
    r"""``\n(?:…)`` for ``^…`` (of a multiline pattern): found by its line feed, or None."""
    if not alternative.startswith("^"):
        return None
    return f"{_AFTER_BREAK}{alternative[1:]})"


def _literal(alternative: str) -> str:
    """The literal every match of an alternative holds first ("" if none).

    For one anchored at a line start, the literal after the start and its indent: re tries
    "^" at every character all the same, so an alternative whose keyword (``impl``,
    ``package``) the text lacks costs as much as any other.
    """
    if alternative.startswith("^"):
        rest = alternative[1:].removeprefix(_INDENT).removeprefix("+")  # possessive or not
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
