r"""A LaTeX document's sectioning commands: the headings its text sits under.

``\section{New Features``, ``\subsection*{Commands}``, ``\chapter[short]{…}``: what
docutils' and Sphinx's LaTeX writers, pandoc and people write to divide a document. They
name what each part is about, as a markdown document's ``#`` headings do: a fold that keeps
rare lines, or a brace scanner that reads ``\section{`` as code, dropped them. They stay,
the higher levels first when a budget cannot hold them all.
"""

from __future__ import annotations

import re

# A sectioning command opening its line, starred or not, with an optional short title.
_HEADING = re.compile(
    r"[ \t]*\\(part|chapter|section|subsection|subsubsection|paragraph|subparagraph)"
    r"\*?(?:\[[^\]\n]*\])?\{"
)
_LEVELS = ("part", "chapter", "section", "subsection", "subsubsection", "paragraph")
_MIN_HEADINGS = 2  # a document has at least this many


def section_heads(lines: list[str]) -> list[int]:
    """Indices of the lines opening with a sectioning command, the higher levels first.

    Within a level, in the document's order. Empty when there are fewer than
    :data:`_MIN_HEADINGS`.
    """
    found = [(i, m[1]) for i, line in enumerate(lines) if (m := _HEADING.match(line))]
    if len(found) < _MIN_HEADINGS:
        return []
    rank = {name: k for k, name in enumerate(_LEVELS)}
    return [i for i, _ in sorted(found, key=lambda f: (rank.get(f[1], len(_LEVELS)), f[0]))]


def looks_like_latex(text: str, sample: int = 20_000) -> bool:
    r"""Whether ``text`` is a LaTeX document (or a part of one) divided by headings.

    No other text opens lines with ``\section{``: two such lines in its start say so.
    """
    return bool(section_heads(text[:sample].splitlines()))
