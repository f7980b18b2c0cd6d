"""Agents' final answers in transcripts (CrewAI 0.x's verbose log, ReAct traces) stay.

The transcripts are laid out as CrewAI 0.x's executor prints them (``# Agent:``,
``## Thought:``, ``## Using tool:``, ``## Tool Input:``, ``## Tool Output:``,
``## Final Answer:``), with what real tools return on this machine as the tools' outputs:
the standard library's listing, its modules' source, ``sysconfig``'s variables, ``os.stat``.
"""

import json
import os
import pprint
import random
import sysconfig
from pathlib import Path

import pytest

from agent_baton import SharedContext, get_token_counter
from agent_baton.compress import compress
from agent_baton.compress.chat import looks_like_chat
from agent_baton.compress.final_answers import answer_lines

COUNT = get_token_counter("gpt-4")
STDLIB = Path(os.__file__).parent
ROLES = ["Senior Research Analyst", "Site Reliability Engineer", "Release Manager", "QA Lead"]


def _tool(rnd: random.Random) -> tuple[str, dict[str, str], str]:
    """A tool call and what it returns: real data of this machine's Python."""
    names = sorted(p.name for p in STDLIB.iterdir())
    module = rnd.choice(sorted(p for p in STDLIB.glob("*.py") if p.stat().st_size > 4000))
    n = rnd.randint(25, 60)
    start = rnd.randint(0, max(0, len(names) - n))
    return rnd.choice(
        [
            ("List directory", {"path": str(STDLIB)}, "\n".join(names[start : start + n])),
            ("Read file", {"path": str(module)}, "\n".join(module.read_text().splitlines()[:n])),
            (
                "Build settings",
                {"query": "config vars"},
                pprint.pformat(dict(list(sorted(sysconfig.get_config_vars().items()))[:n])),
            ),
            (
                "Stat files",
                {"path": str(STDLIB)},
                "\n".join(f"{p.name} {os.stat(p)}" for p in sorted(STDLIB.glob("*.py"))[:n]),
            ),
        ]
    )


def crew_transcript(seed: int) -> tuple[str, list[str]]:
    """A crew's verbose log, and the fact each agent's final answer states."""
    rnd = random.Random(seed)
    out: list[str] = []
    facts = []
    agents = rnd.sample(ROLES, 3)
    for k, role in enumerate(agents):
        ticket = f"INC-{4000 + 7 * seed + k}"
        out += [f"# Agent: {role}", f"## Task: Step {k + 1} of the review of {ticket}.", ""]
        for _ in range(rnd.randint(2, 4)):
            name, args, result = _tool(rnd)
            thought = f"I should use {name} on {next(iter(args.values()))} first."
            out += ["", "", f"# Agent: {role}", f"## Thought: {thought}"]
            out += [f"## Using tool: {name}", "## Tool Input: ", json.dumps(json.dumps(args))]
            out += ["## Tool Output: ", result]
        fact = (
            f"{ticket} root cause: the module cache is at {rnd.randint(61, 97)}% of its quota,"
            f" owned by the {role.split()[-1].lower()} team, rollback window {rnd.randint(2, 9)}h"
        )
        facts.append(fact)
        out += ["", "", f"# Agent: {role}", "## Final Answer: ", f"Summary for {ticket}."]
        if seed % 2:  # an answer in paragraphs, the fact in the middle of one
            out += [
                "",
                "I went through the outputs of the tools above one by one and compared them with"
                " what the task asked for. The listing shows the files as they stand now, and"
                f" nothing in it contradicts what the other agents reported. {fact}. The other"
                " figures match the previous run within a few percent, so I see no reason to"
                " look beyond this host for now.",
                "",
                "The next agent can rely on these figures as they stand.",
            ]
        else:
            out += [fact + ".", f"- Next step: hand over to {agents[(k + 1) % 3]}."]
        out += ["", ""]
    return "\n".join(out), facts


SEEDS = range(12)


@pytest.mark.parametrize("seed", SEEDS)
def test_crew_transcripts_keep_every_final_answer(seed: int) -> None:
    text, facts = crew_transcript(seed)
    assert looks_like_chat(text)
    free = compress(text, counter=COUNT, key="crew")
    assert free.transforms == ["chat:turns"] and free.compressed_tokens < COUNT(text)
    assert all(fact in free.text for fact in facts)


def test_crew_transcripts_keep_final_answers_under_a_budget() -> None:
    kept = total = 0
    for seed in SEEDS:
        text, facts = crew_transcript(seed)
        ctx = SharedContext(model="gpt-4", max_entries=1)
        ctx.put("crew", text)
        budget = COUNT(text) // 10
        for query in ("what did each agent conclude", None):
            out = ctx.get("crew", query=query, max_tokens=budget) or ""
            assert COUNT(out) <= budget
            kept += sum(fact in out for fact in facts)
            total += len(facts)
    # A tenth of the transcript holds every agent's answer but for a few paragraph-long ones.
    assert kept >= 0.9 * total


def test_answer_lines_take_each_answer_first_lines_then_the_next() -> None:
    lines = [
        "Thought: I know it now",
        "Final Answer: 42 rows",
        "Question: and the other table?",
        "# Agent: Analyst",
        "## Final Answer: ",
        "Summary.",
        "",
        "Detail.",
        "## Thought: done",
    ]
    assert answer_lines(lines, "\n".join(lines)) == [1, 4, 5, 7]
    assert answer_lines(["Answer: 42"], "Answer: 42") == []
