"""What the context tools answer a model, worded the same in every framework.

The LangChain, CrewAI and AutoGen integrations wrap these in their own tool types.
"""

from __future__ import annotations

from agent_baton.context import SharedContext
from agent_baton.search import Hit


def missing_entry(ctx: SharedContext, key: str) -> str:
    """The answer for a key that is not (or no longer) in ``ctx``, listing the live keys."""
    available = ", ".join(ctx.keys()) or "none"
    return f"No shared context entry {key!r} (it may have expired). Available keys: {available}."


def format_hits(hits: list[Hit], query: str, key: str | None) -> str:
    """Search hits as text: each passage under its key, location, agent and score."""
    if not hits:
        where = f"entry {key!r}" if key else "the shared context"
        return f"No passage of {where} matches {query!r}."
    return "\n\n".join(
        f"[{hit.key} @ {hit.location}] from {hit.agent or 'unknown'} (score {hit.score:.2f})\n"
        f"{hit.text}"
        for hit in hits
    )


def format_listing(ctx: SharedContext) -> str:
    """One line per live entry: key, author agent, tokens in full and compressed."""
    lines = [
        f"- {entry.key} from {entry.agent or 'unknown'}: {entry.original_tokens:,} tokens in "
        f"full, {entry.compressed_tokens:,} compressed"
        for entry in ctx.entries()
    ]
    return "\n".join(lines) if lines else "The shared context is empty."
