"""What the context tools answer a model, worded the same in every framework.

The LangChain, CrewAI and AutoGen integrations (and the OpenAI and Anthropic tool definitions)
wrap these in their own tool types. Every answer fits a token budget, so one tool call can
never flood the model's context window, and every refusal says why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from agent_baton.compress.markers import ToolNames, name_tools
from agent_baton.context import SharedContext
from agent_baton.search import Hit, query_terms

DEFAULT_TOOL_TOKENS = 2000
"""The budget of one tool answer, in tokens, unless the caller gives another."""

# Tool names OpenAI and Anthropic accept: a prefix outside them fails at the first model call.
_TOOL_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_PAGE_NOTE_TOKENS = 60  # room kept on a page of the original for the line naming the next one
_SEARCH_RESULTS = 5

__all__ = [
    "DEFAULT_TOOL_TOKENS",
    "ToolNames",
    "listing_answer",
    "missing_entry",
    "read_answer",
    "search_answer",
    "tool_names",
]


def tool_names(prefix: str = "") -> ToolNames:
    """The context tools' names with ``prefix`` before each: ``docs_read_shared_context``, ...

    For two contexts on one agent. Raises ``TypeError`` for a prefix that is not a ``str`` and
    ``ValueError`` for one that makes a name model APIs refuse (OpenAI and Anthropic take
    1-64 ASCII letters, digits, ``_`` and ``-``).
    """
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a str, not {type(prefix).__name__}")
    base = ToolNames()
    names = ToolNames(prefix + base.read, prefix + base.search, prefix + base.list)
    if not all(_TOOL_NAME.fullmatch(name) for name in (names.read, names.search, names.list)):
        raise ValueError(
            f"prefix must be ASCII letters, digits, '_' or '-', at most "
            f"{64 - len(base.search)} characters, not {prefix!r}: model APIs refuse other "
            "tool names"
        )
    return names


def missing_entry(ctx: SharedContext, key: str, tools: ToolNames | None = None) -> str:
    """The answer for a key that is not (or no longer) in ``ctx``: why, and the live keys."""
    reason = ctx.missing_reason(key) or "not stored"
    available = ", ".join(ctx.keys()) or "none"
    listing = f" ({tools.list} lists them)" if tools is not None else ""
    return f"No shared context entry {key!r}: {reason}. Available keys{listing}: {available}."


def read_answer(
    ctx: SharedContext,
    key: str,
    *,
    query: str | None = None,
    full: bool = False,
    page: int = 1,
    max_tokens: int = DEFAULT_TOOL_TOKENS,
    tools: ToolNames | None = None,
) -> str:
    """An entry as a tool answers it, within ``max_tokens``.

    The compressed form, or with ``query`` the original compressed again around it; with
    ``full=True`` page ``page`` of the original, each page ending with how to read the next.
    """
    tools = tools or ToolNames()
    _check_budget(max_tokens)
    entry = ctx.get_entry(key)
    if entry is None:
        return missing_entry(ctx, key, tools)
    if full:
        return _page(ctx, key, entry.original, page, max_tokens, tools)
    budget = max_tokens
    while budget >= 1:
        text = ctx.get(key, query=query or None, max_tokens=budget)
        if not text:
            break
        named = name_tools(text, tools)
        # The tools' calls are longer than get("key", full=True): shrink the body by as much.
        excess = ctx.count_tokens(named) - max_tokens
        if excess <= 0:
            return named
        budget -= excess
    return (
        f"Entry {key!r} does not fit in {max_tokens} tokens even compressed; "
        f"{tools.search}(query=...) finds its passages."
    )


def _page(
    ctx: SharedContext, key: str, original: str, page: int, max_tokens: int, tools: ToolNames
) -> str:
    pages = _split_pages(original, max(max_tokens - _PAGE_NOTE_TOKENS, 1), ctx.count_tokens)
    if not 1 <= page <= len(pages):
        return f"Entry {key!r} has {len(pages)} page(s) of its original; page {page} is not one."
    if len(pages) == 1:
        return pages[0]
    note = f"[page {page} of {len(pages)} of the original of {key!r}"
    if page < len(pages):
        # Pages are cut for this budget: the next call must ask for the same one.
        same = {} if max_tokens == DEFAULT_TOOL_TOKENS else {"max_tokens": max_tokens}
        note += f"; next: {tools.read_call(key, full=True, page=page + 1, **same)}"
    # Pages joined give the original: the note goes on a line of its own after the page.
    return f"{pages[page - 1]}\n{note}]"


def _split_pages(text: str, budget: int, count: Callable[[str], int]) -> list[str]:
    """``text`` cut into pages of at most about ``budget`` tokens; joined, they are ``text``.

    Pages end at line ends where possible; a line longer than a page is cut where the budget
    runs out, estimated from its own characters per token.
    """
    cuts = [0]
    used = 0
    start = 0
    for line in text.splitlines(keepends=True):
        cost = count(line)
        if used and used + cost > budget:
            cuts.append(start)
            used = 0
        if cost > budget:  # cut the line itself, about a page at a time
            step = max(1, len(line) * budget // cost)
            cuts.extend(range(start + step, start + len(line), step))
            used = count(line[(len(line) - 1) // step * step :])
        else:
            used += cost
        start += len(line)
    cuts.append(len(text))
    return [text[a:b] for a, b in pairwise(cuts) if b > a] or [""]


def search_answer(
    ctx: SharedContext,
    query: str,
    *,
    key: str | None = None,
    k: int = _SEARCH_RESULTS,
    max_tokens: int = DEFAULT_TOOL_TOKENS,
    tools: ToolNames | None = None,
) -> str:
    """The passages of the originals that match ``query``, each cut to its share of the budget.

    Only passages that share a term with the query are shown; each is labelled with its key,
    where it sits, and the agent that wrote it.
    """
    tools = tools or ToolNames()
    _check_budget(max_tokens)
    if key is not None and ctx.get_entry(key) is None:
        return missing_entry(ctx, key, tools)
    hits = [hit for hit in ctx.search(key, query, k=k) if hit.score > 0]
    if not hits:
        where = f"entry {key!r}" if key else "the shared context"
        return f"No passage of {where} matches {query!r}."
    shown = [_hit(ctx, hit, query, max_tokens // len(hits), tools) for hit in hits]
    while shown and ctx.count_tokens("\n\n".join(shown)) > max_tokens:
        shown.pop()  # token counts of joined parts differ slightly from their sum
    if not shown:  # not even one passage's label and pointer fit
        return f"{len(hits)} passage(s) match; {tools.read}(key={hits[0].key!r}, query=...)."
    return "\n\n".join(shown)


def _hit(ctx: SharedContext, hit: Hit, query: str, budget: int, tools: ToolNames) -> str:
    """One passage under its label, cut around the query's first word to fit ``budget``."""
    label = f"[{hit.key} @ {hit.location}] from {hit.agent or 'unknown'} (score {hit.score:.2f})"
    tokens = ctx.count_tokens(hit.text)
    room = budget - ctx.count_tokens(label) - 1
    if tokens <= room:
        return f"{label}\n{hit.text}"
    note = (
        f" …[passage cut to about {room} of its {tokens} tokens — "
        f"{tools.read_call(hit.key, query=query)} reads around it]"
    )
    room -= ctx.count_tokens(note)
    text = hit.text
    width = max(len(text) * max(room, 0) // tokens, 0)
    lowered = text.lower()
    found = [i for term in query_terms(query) if (i := lowered.find(term)) >= 0]
    start = max(min(found, default=0) - width // 3, 0)
    while width and ctx.count_tokens(text[start : start + width]) > room:
        width = width * 9 // 10
    cut = text[start : start + width]
    return f"{label}\n{'…' if start else ''}{cut}{note}"


def listing_answer(
    ctx: SharedContext,
    tools: ToolNames | None = None,
    *,
    max_tokens: int = DEFAULT_TOOL_TOKENS,
) -> str:
    """One line per live entry: key, author agent, tokens in full and compressed.

    Newest first, as many as fit ``max_tokens``; a last line says how many more there are.
    """
    tools = tools or ToolNames()
    _check_budget(max_tokens)
    entries = ctx.entries()
    if not entries:
        return "The shared context is empty."
    footer = f"Read one with {tools.read}(key=...), search them with {tools.search}(query=...)."
    room = max_tokens - ctx.count_tokens(footer) - 20  # 20: the line counting what is left out
    lines: list[str] = []
    for entry in reversed(entries):
        line = (
            f"- {entry.key} from {entry.agent or 'unknown'}: {entry.original_tokens:,} tokens "
            f"in full, {entry.compressed_tokens:,} compressed"
        )
        room -= ctx.count_tokens(line) + 1
        if room < 0:
            lines.append(f"[… {len(entries) - len(lines)} older entries not listed]")
            break
        lines.append(line)
    return "\n".join([*lines, footer])


def _check_budget(max_tokens: int) -> None:
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise ValueError(f"max_tokens must be an int >= 1, not {max_tokens!r}")
