"""The last resort for ``max_tokens``: keep whole lines (or sentences).

First the lines that match the query best, or without one the lines that report an error,
a warning or a failure; then the first lines while room remains; all in their original
order. A first line too long to keep is cut at a sentence end.
"""

from __future__ import annotations

import re

from agent_baton.compress.logs import problem_lines
from agent_baton.compress.markers import omitted
from agent_baton.search import query_terms, rank_texts
from agent_baton.tokens import TokenCounter

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def fit_lines(
    text: str, max_tokens: int, counter: TokenCounter, key: str | None, query: str | None = None
) -> str:
    """Whole lines of ``text`` that fit ``max_tokens`` with their omission marker.

    With ``query`` the best-matching lines come first, without one the problems (errors,
    exceptions, failures); the head of the text fills the rest. When not even the marker
    fits, the result is empty.
    """
    lines = text.splitlines()
    total = len(lines)
    marker_room = counter(omitted(f"{total} of {total} lines", key)) + 1
    if query and query_terms(query):
        first = [i for i, _ in rank_texts(lines, query)]
    else:
        first = problem_lines(lines)
    budget = max_tokens - marker_room
    kept = (
        _first_then_head(lines, first, budget, counter)
        if first
        else _prefix(lines, budget, counter)
    )
    out = "\n".join([*kept, omitted(f"{total - len(kept)} of {total} lines", key)])
    while kept and counter(out) > max_tokens:
        kept.pop()
        out = "\n".join([*kept, omitted(f"{total - len(kept)} of {total} lines", key)])
    return out if counter(out) <= max_tokens else ""


def _prefix(lines: list[str], budget: int, counter: TokenCounter) -> list[str]:
    kept: list[str] = []
    used = 0
    for line in lines:
        cost = counter(line) + 1
        if used + cost > budget:
            kept.extend(_fit_sentences(line, budget - used, counter))
            break
        kept.append(line)
        used += cost
    return kept


def _first_then_head(
    lines: list[str], first: list[int], budget: int, counter: TokenCounter
) -> list[str]:
    """The lines ``first`` names, then the head of the text, in order, within ``budget``."""
    chosen: set[int] = set()
    used = 0
    for i in [*first, *range(len(lines))]:
        if i in chosen:
            continue
        cost = counter(lines[i]) + 1
        if used + cost <= budget:
            chosen.add(i)
            used += cost
    return [lines[i] for i in sorted(chosen)]


def _fit_sentences(line: str, budget: int, counter: TokenCounter) -> list[str]:
    sentences = _SENTENCE_END.split(line)
    kept: list[str] = []
    for sentence in sentences:
        candidate = " ".join([*kept, sentence])
        if counter(candidate) + 1 > budget:
            break
        kept.append(sentence)
    return [" ".join(kept)] if kept and len(kept) < len(sentences) else []
