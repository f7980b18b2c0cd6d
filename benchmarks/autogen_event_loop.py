"""How long BatonChatCompletionContext.add_message holds the event loop, per message.

AutoGen runs every agent of a team on one event loop: while one agent's model context counts
tokens or compresses on the loop, no other agent, tool call or stream advances. A ticker task
measures the longest gap between its ticks while one other agent's message is added; "on the
loop" does the same work inline (as the integration did before), "worker thread" is
``add_message`` as it is.

    pip install -e ./core -e ./integrations/autogen && python benchmarks/autogen_event_loop.py
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable

from autogen_core.models import UserMessage

from agent_baton import SharedContext
from agent_baton.answers import ToolNames
from agent_baton.demo import load_samples
from agent_baton_autogen import BatonChatCompletionContext
from agent_baton_autogen._messages import _compress_text, text_key

ROUNDS = 5


async def longest_stall(work: Awaitable[object]) -> float:
    """The longest time, in ms, the loop went without running a ticker while ``work`` ran."""
    longest = 0.0
    done = False

    async def tick() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0)
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    await work
    done = True
    await ticker
    return longest * 1000


async def on_the_loop(ctx: SharedContext, text: str) -> object:
    """The work of add_message done inline, as before it moved to a worker thread."""
    key = text_key("researcher", text)
    return _compress_text(ctx, key, text, "researcher", 100, None, ToolNames())


async def main() -> None:
    print(f"longest event-loop stall while one message is added (ms, best of {ROUNDS})")
    print(f"  {'message':<28}{'tokens':>8}{'on the loop':>14}{'worker thread':>16}")
    for name, text in load_samples().items():
        inline, threaded = [], []
        for _ in range(ROUNDS):
            # A fresh context each time: the text is put and compressed every round.
            inline.append(await longest_stall(on_the_loop(SharedContext(), text)))
            model_context = BatonChatCompletionContext(SharedContext(), agent_name="analyst")
            message = UserMessage(content=text, source="researcher")
            threaded.append(await longest_stall(model_context.add_message(message)))
        tokens = SharedContext().count_tokens(text)
        print(f"  {name:<28}{tokens:>8,}{min(inline):>14.1f}{min(threaded):>16.1f}")


if __name__ == "__main__":
    asyncio.run(main())
