"""A query-focused view of a large entry, built from a search of its original.

Compressing a 50 MB original again for each query takes seconds; a search finds which
passages match (a scan of the text, see :mod:`agent_baton.scan`, for entries too large to
index). The view is those passages (the best ones, shown in the order of
the text, each with where it sits) followed by the entry's compressed form, all within
``max_tokens`` when one is given (the compressed form by its first lines, then a marker).
"""

from __future__ import annotations

import heapq
import json

from agent_baton.compress.markers import omitted
from agent_baton.entry import ContextEntry
from agent_baton.scan import SCAN_FROM_CHARS, TextScan
from agent_baton.search import SearchIndex
from agent_baton.tokens import TokenCounter

# From this size on, a focused read starts from a search instead of recompressing.
FOCUS_FROM_INDEX_CHARS = SCAN_FROM_CHARS
_PASSAGES = 8  # matching passages shown at most
_PASSAGE_SHARE = 0.6  # of max_tokens, at most, for the passages
_CHARS_PER_TOKEN = 32  # more than any tokenizer's tokens hold on average, even blanks


def focused_view(
    entry: ContextEntry,
    index: SearchIndex | TextScan,
    query: str | None,
    max_tokens: int | None,
    counter: TokenCounter,
) -> str:
    """The passages of ``entry`` that match ``query``, then its compressed form."""
    scores = index.scores(query) if query else {}
    best = heapq.nsmallest(_PASSAGES, scores, key=lambda pid: (-scores[pid], pid))
    room = None if max_tokens is None else int(max_tokens * _PASSAGE_SHARE)
    chosen: list[int] = []
    used = 0
    for pid in best:
        cost = counter(_shown(index, pid)) + 1
        if room is None or used + cost <= room:
            chosen.append(pid)
            used += cost
    head = _heading(entry.key, len(scores), len(chosen)) if scores else ""
    passages = "\n".join([head, *(_shown(index, pid) for pid in sorted(chosen))]) if head else ""
    if max_tokens is None:
        return "\n\n".join(part for part in (passages, entry.compressed) if part)
    rest = max_tokens - (counter(passages) + 2 if passages else 0)
    body = entry.compressed
    if entry.compressed_tokens > rest:
        body = _head(body, rest, counter, entry.key)
    view = "\n\n".join(part for part in (passages, body) if part)
    while chosen and counter(view) > max_tokens:  # joins may add a token at a seam
        chosen.pop()
        passages = "\n".join([head, *(_shown(index, pid) for pid in sorted(chosen))])
        view = "\n\n".join(part for part in (passages, body) if part)
    return view if counter(view) <= max_tokens else body


def _head(body: str, budget: int, counter: TokenCounter, key: str | None) -> str:
    """The first lines of ``body`` that fit ``budget`` with a marker; "" if not even it fits.

    Not fit_lines: a large entry's compressed form has tens of thousands of lines, and the
    passages above already answer the query.
    """
    lines = body.splitlines()
    marker_room = counter(omitted(f"{len(lines)} of {len(lines)} lines", key)) + 1
    kept: list[str] = []
    used = marker_room
    for line in lines:
        # A token holds a few characters: a line this long cannot fit, and counting a 5 MB
        # line of base64 would take a second.
        if len(line) > _CHARS_PER_TOKEN * (budget - used):
            break
        used += counter(line) + 1
        if used > budget:
            break
        kept.append(line)
    marker = omitted(f"{len(lines) - len(kept)} of {len(lines)} lines", key)
    return "\n".join([*kept, marker]) if marker_room <= budget else ""


def _shown(index: SearchIndex | TextScan, pid: int) -> str:
    passage = index.passage(pid)
    where = passage.location  # "lines 12-19", or a row's path: "[97]", "data[97]"
    return f"{where if where.startswith('[') else f'[{where}]'}\n{passage.text}"


def _heading(key: str, matching: int, shown: int) -> str:
    more = (
        f"; search({json.dumps(key, ensure_ascii=False)}, query) finds the others"
        if matching > shown
        else ""
    )
    return f"[{shown} of {matching} passages matching the query{more}]"
