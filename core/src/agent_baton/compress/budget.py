"""The last resort for ``max_tokens``: keep whole lines (or sentences).

Every line that reports a failure stays, whatever the budget (the guarantee wins over it:
when the failure lines alone exceed it, they are all kept and the marker says so). Then the
lines that match the query best, then the other lines that name a problem, then the first
lines while room remains; all in their original order. A failure inside a quoted string (a
tool result in a JSON message) stays as its line of that string. A first line too long to
keep is cut at a sentence end. The marker counts the original's lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent_baton.compress.guarantees import find_failures
from agent_baton.compress.logs import problem_lines
from agent_baton.compress.markers import omitted
from agent_baton.search import query_terms, rank_texts
from agent_baton.tokens import TokenCounter

_GAP_TOKENS = 6  # "[… 1234 lines]" and its line break
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


@dataclass(frozen=True, slots=True)
class _Item:
    """A line the budget may keep: an input line, or a failure line of a quoted string."""

    text: str
    line: int  # the input line it comes from
    part: int = 0  # 0: the whole input line; else its place among the quoted lines


def fit_lines(
    text: str,
    max_tokens: int,
    counter: TokenCounter,
    key: str | None,
    query: str | None = None,
    total: int | None = None,
    *,
    failures_first: bool = True,
) -> str:
    """Whole lines of ``text`` that fit ``max_tokens`` with their omission marker.

    Every failure line is kept (beyond ``max_tokens`` if need be); with ``query``, the
    best-matching lines come next, then the other problem lines, then the head of the text.
    ``total`` is the original's number of lines, which the marker counts (``text`` may be
    compressed already). When there is no failure and not even the marker fits, the result
    is empty. ``failures_first=False`` (source code, which names failures but reports none)
    ranks failure lines with the other problem lines, after the query's matches.
    """
    lines = text.splitlines()
    total = len(lines) if total is None else max(total, len(lines))
    counted = total == len(lines)
    items, failing = (
        _items(lines, text) if failures_first else ([_Item(x, i) for i, x in enumerate(lines)], [])
    )
    marker_room = counter(omitted(f"{total} of {total} lines", key)) + 1
    budget = max_tokens - marker_room
    texts = [item.text for item in items]
    matches = [i for i, _ in rank_texts(texts, query)] if query and query_terms(query) else []
    problems = problem_lines(texts)
    if not failing and not matches and not problems:
        kept = _prefix(lines, budget, counter)
        shown = len(kept)
        out = "\n".join([*kept, omitted(f"{total - shown} of {total} lines", key)])
        while kept and counter(out) > max_tokens:
            shown -= 0 if kept.pop().startswith("[…") else 1
            out = "\n".join([*kept, omitted(f"{total - shown} of {total} lines", key)])
        return out if counter(out) <= max_tokens else ""
    picked = list(failing)  # in the order they were picked: failures, matches, the rest
    used = sum(counter(texts[i]) + 1 + _GAP_TOKENS for i in failing)
    chosen = set(picked)
    for i in [*matches, *problems, *range(len(items))]:
        if used >= budget:
            break  # a line costs a token at least: nothing more fits
        cost = counter(texts[i]) + 1 + _GAP_TOKENS
        if i not in chosen and used + cost <= budget:
            chosen.add(i)
            picked.append(i)
            used += cost
    while True:
        order = sorted(picked)
        kept = _with_gaps(items, order, counted)
        shown = len({items[i].line for i in order if not items[i].part})
        what = f"{total - shown} of {total} lines"
        out = "\n".join([*kept, omitted(what, key)])
        if counter(out) <= max_tokens:
            return out
        if len(picked) > len(failing):
            picked.pop()  # counting the joined lines found less room: drop the last picked
            continue
        if not failing:
            return ""
        # The guarantee wins over the budget: every failure line stays, and the marker says so.
        over = f"{what}; the failure lines alone exceed max_tokens={max_tokens}, all kept"
        return "\n".join([*kept, omitted(over, key)])


def _items(lines: list[str], text: str) -> tuple[list[_Item], list[int]]:
    """The lines as items, and which items are failures.

    A line holding failures inside a quoted string (a JSON message's content) stands as
    those failure lines: keeping all of a 40,000-character message is not an option.
    """
    found = find_failures(text)
    quoted: dict[int, list[str]] = {}
    whole: set[int] = set()
    for failure in found:
        if failure.part:
            quoted.setdefault(failure.line, []).append(failure.text)
        else:
            whole.add(failure.line)
    items: list[_Item] = []
    failing: list[int] = []
    for i, line in enumerate(lines):
        if i in quoted:
            for k, part in enumerate(quoted[i], 1):
                failing.append(len(items))
                items.append(_Item(part, i, k))
            continue
        if i in whole:
            failing.append(len(items))
        items.append(_Item(line, i))
    return items, failing


def _with_gaps(items: list[_Item], order: list[int], counted: bool) -> list[str]:
    """The chosen items in order, a marker where lines between them were left out.

    ``counted``: the lines are the original's, so the marker can say how many.
    """
    out: list[str] = []
    chosen = set(order)
    previous = -1  # the input line of the last item written
    for i in order:
        item = items[i]
        skipped = item.line - previous - 1
        if skipped > 0:
            out.append(f"[… {skipped} lines]" if counted else "[…]")
        elif item.part and (i - 1 not in chosen or items[i - 1].line != item.line):
            out.append("[…]")  # the rest of a quoted string, before its failure lines
        out.append(item.text)
        previous = item.line
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


def _fit_sentences(line: str, budget: int, counter: TokenCounter) -> list[str]:
    sentences = _SENTENCE_END.split(line)
    kept: list[str] = []
    for sentence in sentences:
        candidate = " ".join([*kept, sentence])
        if counter(candidate) + 1 > budget:
            break
        kept.append(sentence)
    return [" ".join(kept)] if kept and len(kept) < len(sentences) else []
