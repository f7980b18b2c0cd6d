"""The demo: a researcher → analyst → writer handoff over bundled sample outputs.

Each framework's integration provides ``agent_baton_<framework>.demo.run()`` returning a
:class:`DemoResult`; ``agent-baton demo`` runs those that are installed and prints them alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

from agent_baton.context import SharedContext
from agent_baton.entry import SharedContextStats, savings_percent
from agent_baton.render import entry_header

# The four outputs the demo's agents hand over (files in agent_baton/samples).
SAMPLES = {
    "transactions": "api_result.json",  # a JSON API result: 240 card transactions
    "research_note": "research.md",  # a research note on an incident
    "ci_log": "build.log",  # a nightly CI log with one failing test
    "refunds_code": "refunds.py.txt",  # the Python module under test
}
ANALYST_TASK = "Find why the nightly settlement declined a transaction and why CI failed."
WRITER_TASK = "Write the incident report: the declined transaction, the failing test, the fix."


def load_samples() -> dict[str, str]:
    """The bundled sample outputs by name."""
    folder = resources.files("agent_baton") / "samples"
    return {name: (folder / file).read_text(encoding="utf-8") for name, file in SAMPLES.items()}


@dataclass(frozen=True, slots=True)
class Handoff:
    """What one agent's model received from the others, with and without agent-baton."""

    label: str  # e.g. "researcher → analyst"
    tokens_without: int  # the other agents' outputs in full, as frameworks replay them
    tokens_with: int  # what agent-baton injected instead
    entries_shown: int | None = None  # entries whose content that carried (None: not counted)

    @property
    def delivered(self) -> bool:
        """Whether the next agent got any entry's content, not just their names or nothing.

        A budget too small for any entry hands over a line of names or ``""``: few tokens,
        but no saving worth reporting.
        """
        return self.tokens_with > 0 and self.entries_shown != 0

    @property
    def savings_percent(self) -> float:
        """Tokens saved on this handoff, in percent."""
        return savings_percent(self.tokens_without, self.tokens_with)


@dataclass
class DemoResult:
    """One framework's demo run."""

    framework: str
    model: str  # which model ran the agents, e.g. a framework's fake model
    handoffs: list[Handoff] = field(default_factory=list)
    zoom: str = ""  # one fact the next agent got back by zooming into an original
    stats: SharedContextStats | None = None


def run(max_tokens: int = 2000) -> DemoResult:
    """The handoff with no framework: agents are plain functions sharing a SharedContext."""
    samples = load_samples()
    ctx = SharedContext()
    result = DemoResult("core", "no model: the agents' outputs are the bundled samples")

    # The researcher's outputs reach the analyst.
    ctx.put("transactions", samples["transactions"], agent="researcher")
    ctx.put("research_note", samples["research_note"], agent="researcher")
    block = ctx.render(query=ANALYST_TASK, max_tokens=max_tokens)
    result.handoffs.append(_handoff(ctx, "researcher → analyst", block))

    # The analyst adds its own; the writer gets everything.
    ctx.put("ci_log", samples["ci_log"], agent="analyst")
    ctx.put("refunds_code", samples["refunds_code"], agent="analyst")
    block = ctx.render(query=WRITER_TASK, max_tokens=max_tokens)
    result.handoffs.append(_handoff(ctx, "researcher + analyst → writer", block))

    hit = ctx.search("transactions", "declined issuer_unavailable", k=1)[0]
    result.zoom = f'search("transactions", "declined issuer_unavailable") → {hit.location}: '
    result.zoom += hit.text[:100]
    result.stats = ctx.stats()
    return result


def _handoff(ctx: SharedContext, label: str, block: str) -> Handoff:
    entries = ctx.entries()
    full = sum(entry.original_tokens for entry in entries)
    shown = sum(1 for entry in entries if entry_header(entry) in block)
    return Handoff(label, full, ctx.count_tokens(block), shown)
