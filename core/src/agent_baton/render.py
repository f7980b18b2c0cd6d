"""Render several entries as one context block that fits a token budget."""

from __future__ import annotations

from collections.abc import Callable

from agent_baton.compress.guarantees import reports_failures
from agent_baton.compress.markers import ToolNames, name_tools, quoted, retrieval_hint
from agent_baton.entry import ContextEntry
from agent_baton.tokens import TokenCounter

_SEPARATOR = "\n\n"
_MIN_BODY_TOKENS = 24  # below this an entry says too little to be worth its header
MIN_RENDER_TOKENS = 12
"""The smallest budget that always holds a render's count of the entries it left out
(``[… 40 more entries not shown]``): below it, a render that shows no entry gives ``""``."""


def entry_header(entry: ContextEntry, tools: ToolNames | None = None) -> str:
    """``### key · from agent · 12345→1234 tokens · full: get("key", full=True)``."""
    source = f" · from {_one_line(entry.agent)}" if entry.agent else ""
    tokens = f"{entry.original_tokens}→{entry.compressed_tokens} tokens"
    return f"### {_one_line(entry.key)}{source} · {tokens} · {retrieval_hint(entry.key, tools)}"


def _one_line(name: str) -> str:
    """A key or agent name as is, or JSON-quoted (escaped) when a character is not printable.

    A line break, a control character or a lone surrogate is not. Names are data: one must
    not be able to start a line of its own in the next prompt, nor make it invalid UTF-8.
    """
    return name if name.isprintable() else quoted(name)


def render_entries(
    entries: list[ContextEntry],
    relevance: dict[str, float],
    *,
    query: str | None,
    max_tokens: int,
    header: bool,
    counter: TokenCounter,
    shrink: Callable[[ContextEntry, int], str],
    tools: ToolNames | None = None,
) -> str:
    """Join the entries' compressed forms, shrinking the least relevant first to fit.

    Entries are ordered by relevance to ``query`` (0..1), then newest first. When the whole
    does not fit, the budget is shared in proportion to relevance and recency; each entry is
    shrunk to its share by ``shrink(entry, tokens)``; entries that cannot get a useful share are
    named in a last line instead, so the reader knows they exist. With ``tools``, headers
    and markers name the agent's tools (``shrink`` must do the same for its output).
    """
    if not entries:
        return ""
    ordered = sorted(entries, key=lambda e: (-relevance.get(e.key, 0.0), -e.timestamp))
    bodies = {
        e.key: e.compressed if tools is None else name_tools(e.compressed, tools) for e in ordered
    }
    # Counting every body joined is the slow part of a render: skip it when their own counts
    # already exceed the budget (a join may merge a token or so at each seam, no more).
    if sum(e.compressed_tokens for e in ordered) <= max_tokens + len(ordered):
        text = _assemble(ordered, bodies, [], header, tools)
        if counter(text) <= max_tokens:
            return text

    weights = {
        e.key: 1.0 + 3.0 * relevance.get(e.key, 0.0) + 1.0 / (1 + rank)
        for rank, e in enumerate(ordered)
    }
    heads = (
        sum(counter(entry_header(e, tools)) + 2 for e in ordered) if header else 2 * len(ordered)
    )
    failing = {e.key for e in ordered if reports_failures(e.compressed, e.transforms)}
    kept = list(ordered)
    dropped: list[ContextEntry] = []
    _fit_bodies(kept, dropped, bodies, failing, weights, max_tokens - heads - 40, counter, shrink)

    # Token counts of joined parts differ slightly from their sum: drop from the end to fit,
    # never an entry that reports failures (past the budget when those alone exceed it, as
    # its own marker says).
    while True:
        text = _assemble(kept, bodies, dropped, header, tools)
        if counter(text) <= max_tokens:
            return text
        droppable = [e for e in kept if e.key not in failing]
        if not droppable:
            return text if kept else _left_out_within(dropped, tools, max_tokens, counter)
        kept.remove(droppable[-1])
        dropped.insert(0, droppable[-1])


def _fit_bodies(
    kept: list[ContextEntry],
    dropped: list[ContextEntry],
    bodies: dict[str, str],
    failing: set[str],
    weights: dict[str, float],
    budget: int,
    counter: TokenCounter,
    shrink: Callable[[ContextEntry, int], str],
) -> None:
    """Shrink the ``kept`` entries' bodies to their shares of ``budget``, in place.

    An entry whose failure lines alone exceed its share keeps them all (its body says so):
    the other entries share what is left, shrunk again, and those that cannot get a useful
    share move to ``dropped``, unless they report failures too.
    """
    whole = dict(bodies)
    over: dict[str, int] = {}  # the entries past their shares: their bodies' tokens
    pending = list(kept)
    while pending:
        needs = {e.key: e.compressed_tokens for e in pending}
        shares = _share(needs, weights, budget - sum(over.values()))
        for entry in list(pending):
            share = shares[entry.key]
            # An entry too small to be worth recompressing is dropped only if it does not
            # fit whole; one that reports failures never is (it keeps them: guarantee 3).
            if share < min(_MIN_BODY_TOKENS, entry.compressed_tokens) and entry.key not in failing:
                kept.remove(entry)
                pending.remove(entry)
                dropped.append(entry)
            elif entry.compressed_tokens > share:
                bodies[entry.key] = shrink(entry, max(share, 1))
            else:
                bodies[entry.key] = whole[entry.key]
        grown = {
            e.key: tokens
            for e in pending
            if e.compressed_tokens > shares[e.key]
            and (tokens := counter(bodies[e.key])) > shares[e.key]
        }
        if not grown:
            return
        over |= grown
        pending = [e for e in pending if e.key not in over]


def _share(needs: dict[str, int], weights: dict[str, float], budget: int) -> dict[str, int]:
    """Split ``budget`` by weight; an entry needing less than its share frees the rest."""
    shares: dict[str, int] = {}
    pending = dict(needs)
    remaining = max(budget, 0)
    while pending:
        total = sum(weights[k] for k in pending)
        fits = {k: n for k, n in pending.items() if n <= remaining * weights[k] / total}
        if not fits:
            for k in pending:
                shares[k] = int(remaining * weights[k] / total)
            break
        for k, n in fits.items():
            shares[k] = n
            remaining -= n
            del pending[k]
    return shares


def _assemble(
    kept: list[ContextEntry],
    bodies: dict[str, str],
    dropped: list[ContextEntry],
    header: bool,
    tools: ToolNames | None,
) -> str:
    parts = [
        f"{entry_header(e, tools)}\n{bodies[e.key]}" if header else bodies[e.key] for e in kept
    ]
    if dropped:
        parts.append(_left_out(dropped, tools, len(dropped)))
    return _SEPARATOR.join(parts)


def _left_out(dropped: list[ContextEntry], tools: ToolNames | None, named: int) -> str:
    """The line naming the entries left out: the first ``named`` of them, the rest counted."""
    names = ", ".join(_one_line(e.key) for e in dropped[:named])
    if named < len(dropped):
        names = f"{names} and {len(dropped) - named} others" if named else ""
    read = "get(key)" if tools is None else f"{tools.read}(key=...)"
    listed = f": {names}" if names else ""
    return f"[… {len(dropped)} more entries not shown{listed} — {read} to read one]"


def _left_out_within(
    dropped: list[ContextEntry], tools: ToolNames | None, max_tokens: int, counter: TokenCounter
) -> str:
    """The longest line saying which entries were left out that fits ``max_tokens``.

    As many names as fit, else the count alone; ``""`` when not even that does
    (``max_tokens`` below :data:`MIN_RENDER_TOKENS`).
    """
    low, high = 0, len(dropped)  # the most names that fit: fewer names, a shorter line
    if counter(_left_out(dropped, tools, 0)) <= max_tokens:
        while low < high:
            middle = (low + high + 1) // 2
            if counter(_left_out(dropped, tools, middle)) <= max_tokens:
                low = middle
            else:
                high = middle - 1
        return _left_out(dropped, tools, low)
    count = f"[… {len(dropped)} more entries not shown]"
    return count if counter(count) <= max_tokens else ""
