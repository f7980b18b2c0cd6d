"""The last resort for ``max_tokens``: keep whole lines (or sentences).

Without a query, the longest prefix; with one, the lines that match it best, then the first
lines while room remains, shown in their original order.
"""

from __future__ import annotations

import re

from agent_baton.compress.markers import omitted
from agent_baton.search import query_terms, rank_texts
from agent_baton.tokens import TokenCounter

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def fit_lines(
    text: str, max_tokens: int, counter: TokenCounter, key: str | None, query: str | None = None
) -> str:
    """Whole lines of ``text`` that fit ``max_tokens`` with their omission marker.

    Without ``query`` the longest prefix, a line too long to keep cut at a sentence end
    (never mid-sentence); with one, the best-matching lines first. When not even the marker
    fits, the result is empty.
    """
    lines = text.splitlines()
    total = len(lines)
    marker_room = counter(omitted(f"{total} of {total} lines", key)) + 1
    if query and query_terms(query):
        kept = _by_relevance(lines, query, max_tokens - marker_room, counter)
    else:
        kept = _prefix(lines, max_tokens - marker_room, counter)
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


def _by_relevance(lines: list[str], query: str, budget: int, counter: TokenCounter) -> list[str]:
    ranked = [i for i, _ in rank_texts(lines, query)]
    chosen: set[int] = set()
    used = 0
    # The matching lines first, then the head of the text for context.
    for i in [*ranked, *range(len(lines))]:
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
