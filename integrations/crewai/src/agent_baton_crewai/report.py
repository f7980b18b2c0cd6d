"""Token accounting of a crew run: one record per handoff between tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent_baton import SharedContext


def _percent(original: int, sent: int) -> float:
    return round(100.0 * (original - sent) / original, 1) if original > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Handoff:
    """The context one task received from the tasks it depends on.

    ``original_tokens`` is what CrewAI alone would have sent (the previous outputs joined in
    full); ``sent_tokens`` is what the task's agent actually received. ``sources`` are the
    keys of the outputs it received, each one of them. ``restored`` names those whose entry
    had gone from the shared context (evicted by other runs' puts, or expired) and that were
    stored again from CrewAI's output for this handoff.
    """

    task: str
    agent: str | None
    sources: tuple[str, ...]
    original_tokens: int
    sent_tokens: int
    restored: tuple[str, ...] = ()

    @property
    def tokens_saved(self) -> int:
        """Tokens this handoff did not send."""
        return self.original_tokens - self.sent_tokens

    @property
    def savings_percent(self) -> float:
        """Tokens saved in percent of what CrewAI alone would have sent, rounded to 0.1."""
        return _percent(self.original_tokens, self.sent_tokens)

    def __str__(self) -> str:
        sources = ", ".join(self.sources) or "-"
        notes = f"; stored again: {', '.join(self.restored)}" if self.restored else ""
        return (
            f"{sources} -> {self.task}: {self.original_tokens:,} -> {self.sent_tokens:,} tokens "
            f"({self.savings_percent:.1f}% saved{notes})"
        )


@dataclass(slots=True)
class RunReport:
    """The handoffs of one crew run (one ``kickoff``), in the order they happened.

    ``ctx`` is the run's scope of the shared context, holding its outputs in full
    (``report.ctx.get("research", full=True)``); ``scope`` is its path of scope names.
    """

    crew: str
    handoffs: list[Handoff] = field(default_factory=list)
    ctx: SharedContext | None = field(default=None, repr=False, compare=False)

    @property
    def scope(self) -> tuple[str, ...]:
        """The names of the run's scope, outermost first (``()`` before the run started)."""
        return self.ctx.scope_path if self.ctx is not None else ()

    @property
    def original_tokens(self) -> int:
        """Context tokens CrewAI alone would have sent over the whole run."""
        return sum(h.original_tokens for h in self.handoffs)

    @property
    def sent_tokens(self) -> int:
        """Context tokens actually sent over the whole run."""
        return sum(h.sent_tokens for h in self.handoffs)

    @property
    def tokens_saved(self) -> int:
        """Context tokens saved over the whole run."""
        return self.original_tokens - self.sent_tokens

    @property
    def savings_percent(self) -> float:
        """Context tokens saved over the whole run, in percent, rounded to 0.1."""
        return _percent(self.original_tokens, self.sent_tokens)

    def __str__(self) -> str:
        scope = "/".join(self.scope) or "-"
        lines = [
            f"agent-baton report for crew {self.crew!r} (scope {scope}): "
            f"{len(self.handoffs)} handoff(s)"
        ]
        lines += [f"  {handoff}" for handoff in self.handoffs]
        lines.append(
            f"  total: {self.original_tokens:,} -> {self.sent_tokens:,} tokens "
            f"({self.tokens_saved:,} saved, {self.savings_percent:.1f}%)"
        )
        return "\n".join(lines)
