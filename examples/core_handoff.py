"""Two agents hand work over through a SharedContext, with no framework and no API key.

A researcher calls an orders API and a CI log tool; a writer needs both. Without agent-baton
the writer's prompt would carry both outputs in full; with it, it gets the compressed form and
zooms into the original only for the one fact it needs.

Run: python examples/core_handoff.py
"""

from __future__ import annotations

import json
import random

from agent_baton import SharedContext


def orders_api_result() -> str:
    """A pretty-printed API result of 400 orders, one of them failed."""
    rng = random.Random(7)
    orders = [
        {
            "order_id": 4000 + i,
            "customer": f"customer-{rng.randrange(1, 120):03d}",
            "status": "failed" if i == 311 else "delivered",
            "amount_eur": round(rng.uniform(5, 250), 2),
            "warehouse": rng.choice(["Lyon", "Porto", "Gdansk"]),
            "created_at": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:15:00Z",
        }
        for i in range(400)
    ]
    return json.dumps({"total": len(orders), "orders": orders}, indent=2)


def ci_log() -> str:
    """A build log: many routine lines, one failing test with its traceback."""
    lines = [
        f"2026-11-23 10:{i // 60:02d}:{i % 60:02d} INFO worker-{i % 4} compiled module_{i}.py"
        for i in range(600)
    ]
    lines[420:420] = [
        "2026-11-23 10:07:00 ERROR test_checkout.py::test_refund FAILED",
        "Traceback (most recent call last):",
        '  File "tests/test_checkout.py", line 88, in test_refund',
        "    assert refund.total == order.total",
        "AssertionError: 12.5 != 12.05",
    ]
    return "\n".join(lines)


def main() -> None:
    ctx = SharedContext()
    print(f"token counter: {ctx.token_counter_name}\n")

    # The researcher's tool outputs go into the shared context.
    for key, content in (("orders", orders_api_result()), ("ci_log", ci_log())):
        entry = ctx.put(key, content, agent="researcher")
        print(
            f"researcher -> writer  {key:<8} {entry.original_tokens:>7,} tokens in full, "
            f"{entry.compressed_tokens:>6,} compressed ({entry.savings_percent}% saved; "
            f"{', '.join(entry.transforms) or 'unchanged'})"
        )

    # The writer's prompt gets one rendered block instead of the raw outputs.
    block = ctx.render(query="failed order and failing test", max_tokens=2000)
    full = sum(e.original_tokens for e in ctx.entries())
    sent = ctx.count_tokens(block)
    saved = 100 * (1 - sent / full)
    print(f"\nwriter's prompt: {sent:,} tokens instead of {full:,} ({saved:.1f}% saved)")

    # Zooming in: the writer asks for one order that the compressed form may have left out.
    hit = ctx.search("orders", "order 4123", k=1)[0]
    print(f"zoom in: search('orders', 'order 4123') -> {hit.location}: {hit.text[:90]}")
    stats = ctx.stats()
    print(
        f"\nstats: {stats.entries} entries, {stats.total_original_tokens:,} -> "
        f"{stats.total_compressed_tokens:,} tokens ({stats.savings_percent}% saved)"
    )


if __name__ == "__main__":
    main()
