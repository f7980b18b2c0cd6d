"""CrewAI 1.15 stubs a tool result over a quarter of the model's window; the tools stay below.

With native tool calls and ``use_better_compaction`` (both CrewAI's defaults), a result the
model's LLM counts above 25 % of its usable context window is swapped for a short reference
to a temporary file. The baton's tools, bound to the agent's LLM in an attached crew, answer
in pieces below that threshold instead.
"""

from __future__ import annotations

from crewai import Agent, Crew, Task
from crewai.tools import tool

from agent_baton_crewai import CrewBaton

STUB = "was stored as temporary artifact"
WINDOW = 16_000  # CrewAI stubs results its LLM counts above 4,000 tokens (len // 4 here)


def _crew(make_agent, final, big, writer_llm, tools):
    researcher, _ = make_agent("Researcher", [final(big)])
    writer = Agent(role="Writer", goal="Write", backstory="-", llm=writer_llm, tools=tools)
    tasks = [
        Task(name="research", description="Collect", expected_output="JSON", agent=researcher),
        Task(name="write", description="Write", expected_output="text", agent=writer),
    ]
    return Crew(agents=[researcher, writer], tasks=tasks)


def test_crewai_stubs_a_large_tool_result(make_agent, final, big, native_llm, tool_call):
    # The control: a tool that returns the whole research, as read_shared_context used to.
    @tool("fetch_research")
    def fetch_research() -> str:
        """Return the research."""
        return big

    writer_llm = native_llm([tool_call("fetch_research"), "Done."], window=WINDOW)
    _crew(make_agent, final, big, writer_llm, [fetch_research]).kickoff()
    (result,) = writer_llm.tool_results()
    assert STUB in result and big not in result


def test_the_tools_answer_below_the_stub_threshold(
    ctx, make_agent, final, big, native_llm, tool_call
):
    baton = CrewBaton(ctx, max_tokens=1000)
    tools = baton.tools(max_tokens=8000)  # a budget larger than the threshold allows
    writer_llm = native_llm(
        [
            tool_call("read_shared_context", key="research", full=True),
            tool_call("read_shared_context", key="research", full=True, page=2),
            tool_call("search_shared_context", query="web-5 latency_ms"),
            "Done.",
        ],
        window=WINDOW,
    )
    crew = baton.attach(_crew(make_agent, final, big, writer_llm, tools))

    crew.kickoff()

    page_1, page_2, hits = writer_llm.tool_results()
    for result in (page_1, page_2, hits):
        assert STUB not in result
        assert not writer_llm.is_tool_result_overflowing_threshold(result)[0]
    assert page_1.startswith(big[:200])  # the original, from its start...
    assert 'read_shared_context(key="research", full=true, page=2' in page_1  # ...in pages
    assert "[page 2 of" in page_2
    body = page_1.rpartition("\n[page ")[0] + page_2.rpartition("\n[page ")[0]
    assert big.startswith(body)  # consecutive pages, nothing skipped
    assert "web-5" in hits
