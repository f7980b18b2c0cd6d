"""An agent's final answer in a transcript: the lines a budget keeps before the steps.

A ReAct trace (LangChain's classic agents, many prompts) ends each run with ``Final
Answer: ...``; CrewAI 0.x's verbose log writes each agent's as ``## Final Answer:`` with the
answer on the lines under it. The next agent (the next task of a crew) works from that
answer, not from the tool outputs before it: under a budget, the answers' lines come before
any other line of the steps (:func:`~agent_baton.compress.budget.fit_lines`).
"""

from __future__ import annotations

import re

_ANSWER = re.compile(r"^(?:#{1,2} )?Final Answer\s*:", re.IGNORECASE | re.MULTILINE)
# A line that opens the next step: CrewAI's "# Agent: ...", "## Thought: ...", a ReAct word.
_NEXT_STEP = re.compile(
    r"#{1,2} [A-Z][\w ]{0,30}:|(?:Question|Thought|Action|Action Input|Observation)\s*:",
    re.IGNORECASE,
)
_ANSWER_LINES = 12  # of an answer's lines, at most, ranked (a report's first lines say it)


def answer_lines(lines: list[str], text: str) -> list[int]:
    """The indices of the final answers' lines: each answer's first lines, then the next ones.

    Each answer is its ``Final Answer:`` line and the lines under it up to the next step's
    line (blank ones left out); the first line of every answer comes before the second of
    any, so that a budget keeps some of each. ``text`` is the lines joined: without an
    answer in it (one search), no line is read.
    """
    if _ANSWER.search(text) is None:
        return []
    answers: list[list[int]] = []
    current: list[int] | None = None
    for i, line in enumerate(lines):
        if _ANSWER.match(line):
            current = [i]
            answers.append(current)
        elif current is not None and _NEXT_STEP.match(line):
            current = None
        elif current is not None and line.strip() and len(current) < _ANSWER_LINES:
            current.append(i)
    depth = max((len(a) for a in answers), default=0)
    return [a[k] for k in range(depth) for a in answers if k < len(a)]
