"""A binary's listings: ``objdump -d``'s functions and ``nm``'s symbols.

``objdump -d`` prints each function as a head (``0000000000001000 <_init>:``) over its
instructions; read as YAML (the head as a key) or folded as repeats, what stays is chance.
Its function heads and ``Disassembly of section`` lines name what the instructions are and
stay; the instructions fold. ``nm`` (``-D``) prints a symbol a line: its value (blank when
undefined), its type letter and its name. The functions a library defines (type ``T``) are
what it offers: they stay, up to a share of the text (spread over the listing when there
are more); the symbols it uses from others (``U``), its data and versions fold.
"""

from __future__ import annotations

import re

from agent_baton.compress.memo import once

# A function's head in a disassembly: its address and its name in angle brackets.
_FUNCTION = re.compile(r"[0-9a-f]{8,16} <[^>\n]++>:")
_SECTION = "Disassembly of section "
# A symbol of nm: its value (blanks when undefined), its type letter, its name.
_SYMBOL = re.compile(r"(?:[0-9a-f]{8,16}| {8,16}) [A-Za-z?-] \S")
_DEFINED_FUNCTION = re.compile(r"[0-9a-f]{8,16} T \S")
_MIN_HEADS = 3  # function heads a disassembly has at least
_MIN_SYMBOLS = 10  # symbols a symbol listing has at least
_SYMBOL_SHARE = 0.9  # of its non-blank lines, at least: symbols
_SAMPLE = 200  # lines read to tell a symbol listing
_SAMPLE_CHARS = 20_000  # characters of a text read to tell either listing
_FUNCTIONS_SHARE = 1 / 4  # of a symbol listing's characters, at most, kept as its functions


@once
def looks_like_disassembly(text: str) -> bool:
    """Whether the text is ``objdump -d``'s: a section line and function heads under it."""
    at = text.find(_SECTION, 0, _SAMPLE_CHARS)
    if at < 0:
        return False
    heads = 0
    for line in text[at : at + _SAMPLE_CHARS].splitlines()[:_SAMPLE]:
        heads += _FUNCTION.fullmatch(line) is not None
    return heads >= _MIN_HEADS


@once
def looks_like_symbols(text: str) -> bool:
    """Whether the text is ``nm``'s listing: a symbol on nearly every line."""
    if not _SYMBOL.match(text.lstrip("\n")):
        return False  # most texts: their first line is no symbol
    lines = [line for line in text[:_SAMPLE_CHARS].splitlines()[:_SAMPLE] if line.strip()]
    if len(lines) < _MIN_SYMBOLS:
        return False
    return sum(_SYMBOL.match(line) is not None for line in lines) >= _SYMBOL_SHARE * len(lines)


def symbol_heads(lines: list[str], text: str) -> set[int]:
    """Indices of the lines that name what a binary's listing holds, in ``lines`` (``text``).

    A disassembly's function heads and section lines; a symbol listing's defined functions,
    as many as :data:`_FUNCTIONS_SHARE` of its characters holds, spread over it. Empty for
    other texts.
    """
    if looks_like_disassembly(text):
        return {
            i
            for i, line in enumerate(lines)
            if line.startswith(_SECTION) or _FUNCTION.fullmatch(line)
        }
    if not looks_like_symbols(text):
        return set()
    functions = [i for i, line in enumerate(lines) if _DEFINED_FUNCTION.match(line)]
    if not functions:
        return set()
    room = _FUNCTIONS_SHARE * len(text)
    mean = sum(len(lines[i]) + 1 for i in functions) / len(functions)
    fits = max(1, int(room // mean))
    if fits >= len(functions):
        return set(functions)
    step = len(functions) / fits
    return {functions[int(k * step)] for k in range(fits)}
