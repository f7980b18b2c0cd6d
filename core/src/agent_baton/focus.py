"""A query-focused view of a large entry, built from a search of its original.

Compressing a 50 MB original again for each query takes seconds; a search finds which
passages match (a scan of the text, see :mod:`agent_baton.scan`, for entries too large to
index). The view is those passages (the best ones, shown in the order of
the text, each with where it sits) followed by the entry's compressed form, all within
``max_tokens`` when one is given (the compressed form by its failure lines and its first
lines, then a marker; all its failure lines even when they alone exceed ``max_tokens``).
"""

from __future__ import annotations

import heapq

from agent_baton.compress.budget import LineUnits
from agent_baton.compress.guarantees import failure_candidates, is_failure
from agent_baton.compress.markers import omitted, quoted
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
    body, over = entry.compressed, False
    if entry.compressed_tokens > rest:
        original = None if entry.compressed == entry.original else entry.original
        body, over = _head(body, rest, counter, entry.key, original)
    view = "\n\n".join(part for part in (passages, body) if part)
    while chosen and counter(view) > max_tokens:  # joins may add a token at a seam
        chosen.pop()
        passages = "\n".join([head, *(_shown(index, pid) for pid in sorted(chosen))])
        view = "\n\n".join(part for part in (passages, body) if part)
    # Past the budget only when the failure lines alone exceed it (the guarantee wins).
    return view if counter(view) <= max_tokens or over else body


def _head(
    body: str, budget: int, counter: TokenCounter, key: str | None, original: str | None
) -> tuple[str, bool]:
    """The failure lines and the first lines of ``body`` that fit ``budget``, with markers.

    ("" if not even the marker fits and there is no failure line.) The second value says
    the failure lines alone exceed ``budget``: they all stay, the guarantee wins over it.
    Not fit_lines: a large entry's compressed form has tens of thousands of lines, and the
    passages above already answer the query. Markers count ``original``'s lines as
    :class:`~agent_baton.compress.budget.LineUnits` reads them.
    """
    lines = body.splitlines()
    units = LineUnits.of(lines, original)
    marker_room = counter(omitted(units.summary([]), key)) + 1
    failing = [i for i in failure_candidates(body, lines) if is_failure(lines[i])]
    kept = set(failing)
    used = marker_room + sum(counter(lines[i]) + 1 for i in failing)
    over = bool(failing) and used > budget
    for i, line in enumerate(lines):
        # A token holds a few characters: a line this long cannot fit, and counting a 5 MB
        # line of base64 would take a second.
        if len(line) > _CHARS_PER_TOKEN * (budget - used):
            break
        if i in kept:
            continue
        used += counter(line) + 1
        if used > budget:
            break
        kept.add(i)
    out: list[str] = []
    previous = -1
    for i in sorted(kept):
        gap = units.gap(previous + 1, i)
        if gap is not None:
            out.append(gap)
        out.append(lines[i])
        previous = i
    then = f"the failure lines alone exceed {budget} tokens, all kept" if over else ""
    marker = omitted(units.summary(sorted(kept)), key, then=then)
    if marker_room > budget and not failing:
        return "", False
    return "\n".join([*out, marker]), over


def _shown(index: SearchIndex | TextScan, pid: int) -> str:
    passage = index.passage(pid)
    where = passage.location  # "lines 12-19", or a row's path: "[97]", "data[97]"
    return f"{where if where.startswith('[') else f'[{where}]'}\n{passage.text}"


def _heading(key: str, matching: int, shown: int) -> str:
    more = f"; search({quoted(key)}, query) finds the others" if matching > shown else ""
    return f"[{shown} of {matching} passages matching the query{more}]"
