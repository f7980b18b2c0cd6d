"""The last resort for ``max_tokens``: keep whole lines (or sentences).

First the lines that report an error, a warning or a failure and the lines that match the
query best, in turn; then the first lines while room remains; all in their original order.
A first line too long to keep is cut at a sentence end. The marker counts the original's
lines.
"""

from __future__ import annotations

import re
from itertools import zip_longest

from agent_baton.compress.logs import problem_lines
from agent_baton.compress.markers import omitted
from agent_baton.search import query_terms, rank_texts
from agent_baton.tokens import TokenCounter

_GAP_TOKENS = 6  # "[… 1234 lines]" and its line break
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def fit_lines(
    text: str,
    max_tokens: int,
    counter: TokenCounter,
    key: str | None,
    query: str | None = None,
    total: int | None = None,
) -> str:
    """Whole lines of ``text`` that fit ``max_tokens`` with their omission marker.

    The problems (errors, exceptions, failures) and, with ``query``, the best-matching lines
    come first, taken in turn; the head of the text fills the rest. ``total`` is the
    original's number of lines, which the marker counts (``text`` may be compressed already).
    When not even the marker fits, the result is empty.
    """
    lines = text.splitlines()
    total = len(lines) if total is None else max(total, len(lines))
    marker_room = counter(omitted(f"{total} of {total} lines", key)) + 1
    problems = problem_lines(lines)
    matches = [i for i, _ in rank_texts(lines, query)] if query and query_terms(query) else []
    # Failures and matches outrank everything else together: one of each in turn.
    first = [i for pair in zip_longest(problems, matches) for i in pair if i is not None]
    budget = max_tokens - marker_room
    if first:
        chosen = _first_then_head(lines, first, budget, counter)
        kept = _with_gaps(lines, chosen, counted=total == len(lines))
        shown = len(chosen)
    else:
        kept = _prefix(lines, budget, counter)
        shown = len(kept)
    out = "\n".join([*kept, omitted(f"{total - shown} of {total} lines", key)])
    while kept and counter(out) > max_tokens:
        shown -= 0 if kept.pop().startswith("[…") else 1
        out = "\n".join([*kept, omitted(f"{total - shown} of {total} lines", key)])
    return out if counter(out) <= max_tokens else ""


def _with_gaps(lines: list[str], chosen: list[int], counted: bool) -> list[str]:
    """The chosen lines in order, a marker where lines between them were left out.

    ``counted``: the lines are the original's, so the marker can say how many.
    """
    out: list[str] = []
    previous = -1
    for i in chosen:
        if i - previous > 1:
            out.append(f"[… {i - previous - 1} lines]" if counted else "[…]")
        out.append(lines[i])
        previous = i
    return out


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
) -> list[int]:
    """The lines ``first`` names, then the head of the text, in order, within ``budget``.

    Each line's cost includes a gap marker's, which it may need.
    """
    chosen: set[int] = set()
    used = 0
    for i in [*first, *range(len(lines))]:
        if used >= budget:
            break  # a line costs a token at least: nothing more fits
        if i in chosen:
            continue
        cost = counter(lines[i]) + 1 + _GAP_TOKENS
        if used + cost <= budget:
            chosen.add(i)
            used += cost
    return sorted(chosen)


def _fit_sentences(line: str, budget: int, counter: TokenCounter) -> list[str]:
    sentences = _SENTENCE_END.split(line)
    kept: list[str] = []
    for sentence in sentences:
        candidate = " ".join([*kept, sentence])
        if counter(candidate) + 1 > budget:
            break
        kept.append(sentence)
    return [" ".join(kept)] if kept and len(kept) < len(sentences) else []
