"""Real crews with scripted LLMs: what the next task's model receives, and what stays complete."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import warnings

import pytest
from crewai import Crew, Process, Task

from agent_baton import SharedContext
from agent_baton_crewai import CrewBaton, SharedContextReadTool

ROW_250 = '"id": 250'  # a row of the full research output (JSON)


def _shows_row_250(text: str) -> bool:
    # The compressed form may show rows as a table ("250|web-5|...") instead of JSON.
    return ROW_250 in text or "\n250|" in text


def _context_part(prompt: str) -> str:
    marker = "This is the context you're working with:"
    assert marker in prompt, "the task received no context block"
    return prompt.split(marker, 1)[1]


def _research_crew(
    make_agent,
    big,
    final,
    writer_replies=None,
    writer_kwargs=None,
    *,
    runs=1,
    research_task="Collect latency metrics of every host",
    summary_task="Write a one-line summary of the host metrics",
):
    researcher, research_llm = make_agent("Researcher", [final(big)] * runs)
    writer, writer_llm = make_agent(
        "Writer", writer_replies or [final("Hosts are healthy.")] * runs, **(writer_kwargs or {})
    )
    research = Task(
        name="research", description=research_task, expected_output="JSON rows", agent=researcher
    )
    write = Task(description=summary_task, expected_output="One line", agent=writer)
    crew = Crew(agents=[researcher, writer], tasks=[research, write], process=Process.sequential)
    return crew, research_llm, writer_llm


def test_sequential_handoff_sends_compressed_context_and_keeps_full_output(
    ctx, make_agent, big, final
):
    crew, _, writer_llm = _research_crew(make_agent, big, final)
    baton = CrewBaton(ctx, max_tokens=1500)
    assert baton.attach(crew) is crew

    result = crew.kickoff()

    received = _context_part(writer_llm.prompt())
    assert "### research" in received  # the header of the research entry
    assert big not in received and not _shows_row_250(received)  # not the full output...
    assert "omitted" in received  # ...but its compressed form, with a marker
    assert ctx.count_tokens(received) <= 1500 + 20
    assert ctx.count_tokens(received) < ctx.count_tokens(big) / 3
    # What users read stays complete.
    assert result.raw == "Hosts are healthy."
    assert result.tasks_output[0].raw == big
    assert crew.tasks[0].output.raw == big
    # The run's scope holds both outputs in full, under stable keys, by agent role.
    run_ctx = baton.report().ctx
    assert run_ctx.scope_path[0].startswith("run-") and len(ctx) == 0
    assert run_ctx.get("research", full=True) == big
    assert run_ctx.get_entry("research").agent == "Researcher"
    summary_key = "write-a-one-line-summary-of-the-host-metrics"
    assert baton.key_for(crew.tasks[1]) == summary_key
    assert run_ctx.get(summary_key, full=True) == "Hosts are healthy."


def test_without_baton_the_same_crew_sends_the_full_output(ctx, make_agent, big, final):
    # The control for the test above: CrewAI alone joins the previous output in full.
    crew, _, writer_llm = _research_crew(make_agent, big, final)
    crew.kickoff()
    assert ROW_250 in _context_part(writer_llm.prompt())
    assert big in writer_llm.prompt()


def test_the_baton_keeps_reports_of_past_runs_not_their_outputs(ctx, make_agent, big, final):
    # A server kicks one crew off again and again: the baton keeps the last runs' reports,
    # but their full texts only in the context (within its bounds), not in the baton.
    from crewai.tasks.task_output import TaskOutput

    crew, _, _ = _research_crew(make_agent, big, final, runs=5)
    baton = CrewBaton(ctx, max_tokens=1500)
    baton.attach(crew)
    kept = crew.kickoff()  # a result its caller still holds can be handed off
    for _ in range(4):
        crew.kickoff()
    gc.collect()

    alive = [o for o in gc.get_objects() if isinstance(o, TaskOutput) and o.raw == big]
    # the crew's research task holds its latest output, the kept result its own
    assert len(alive) == 2
    assert len(baton.runs) == 5 and all(len(run.handoffs) == 1 for run in baton.runs)
    assert baton.handoff(kept, max_tokens=1500) != big  # found, and compressed


def test_report_counts_tokens_per_handoff_and_logs_them(ctx, make_agent, big, final, caplog):
    crew, _, writer_llm = _research_crew(make_agent, big, final)
    baton = CrewBaton(ctx, max_tokens=1500)
    baton.attach(crew)
    with caplog.at_level(logging.INFO, logger="agent_baton_crewai"):
        crew.kickoff()

    report = baton.report()
    assert len(report.handoffs) == 1
    handoff = report.handoffs[0]
    assert handoff.sources == ("research",)
    assert handoff.task == "write-a-one-line-summary-of-the-host-metrics"
    assert handoff.agent == "Writer"
    assert handoff.original_tokens == ctx.count_tokens(big)
    sent = _context_part(writer_llm.prompt())
    assert abs(handoff.sent_tokens - ctx.count_tokens(sent)) <= 20  # prompt framing around it
    assert handoff.tokens_saved > 0 and handoff.savings_percent > 50
    assert report.tokens_saved == handoff.tokens_saved
    messages = [r.getMessage() for r in caplog.records if r.name == "agent_baton_crewai"]
    assert any(m.startswith("handoff research -> write-a-one-line") for m in messages)
    assert any("1 handoff(s)" in m for m in messages)  # the run summary
    assert "total:" in str(report)


def test_each_kickoff_is_a_new_run(ctx, make_agent, big, final):
    crew, research_llm, writer_llm = _research_crew(make_agent, big, final)
    baton = CrewBaton(ctx)
    baton.attach(crew)
    crew.kickoff()
    research_llm._replies.append(final(big))
    writer_llm._replies.append(final("Still healthy."))
    crew.kickoff()
    assert len(baton.runs) == 2
    assert all(len(run.handoffs) == 1 for run in baton.runs)
    assert baton.report() is baton.runs[-1]


def test_task_context_dependencies_choose_what_is_handed_over(ctx, make_agent, big, final):
    log = "\n".join(f"2026-11-02 10:{i % 60:02d} INFO worker heartbeat ok" for i in range(400))
    researcher, _ = make_agent("Researcher", [final(big)])
    ops, ops_llm = make_agent("Operator", [final(log)])
    writer, writer_llm = make_agent("Writer", [final("Report done.")])
    research = Task(
        name="research", description="Collect metrics", expected_output="JSON", agent=researcher
    )
    ops_log = Task(
        name="ops_log",
        description="Dump the worker log",
        expected_output="log",
        agent=ops,
        context=[],
    )
    report = Task(
        name="report",
        description="Report on the host latency metrics",
        expected_output="text",
        agent=writer,
        context=[research],
    )
    crew = Crew(agents=[researcher, ops, writer], tasks=[research, ops_log, report])
    baton = CrewBaton(ctx, max_tokens=1000)
    baton.attach(crew)

    result = crew.kickoff()

    assert "This is the context you're working with:" not in ops_llm.prompt()  # context=[]
    received = _context_part(writer_llm.prompt())
    assert "### research" in received and not _shows_row_250(received)
    assert "heartbeat" not in received and "ops_log" not in received  # not a dependency
    assert [h.sources for h in baton.report().handoffs] == [("research",)]
    assert result.tasks_output[1].raw == log
    assert baton.report().ctx.get("ops_log", full=True) == log
    assert baton.report().ctx.get("research", full=True) == big


def test_agent_reads_the_original_with_the_read_tool(ctx, make_agent, big, final):
    baton = CrewBaton(ctx, max_tokens=800)
    # Which page of the original holds row 250, as the tool pages it (2,000 tokens a page).
    ctx.scope("probe").put("research", big)
    probe = SharedContextReadTool(ctx.scope("probe"))
    page = next(p for p in range(1, 20) if ROW_250 in probe.run(key="research", full=True, page=p))
    crew, _, writer_llm = _research_crew(
        make_agent,
        big,
        final,
        writer_replies=[
            "Thought: I need row 250, which the context omits.\n"
            "Action: read_shared_context\n"
            f'Action Input: {{"key": "research", "full": true, "page": {page}}}',
            final("Host web-5 answered in 109 ms."),
        ],
        writer_kwargs={"tools": baton.tools()},
    )
    baton.attach(crew)

    result = crew.kickoff()

    received = _context_part(writer_llm.prompt(0))
    assert not _shows_row_250(received)
    # The markers name the tool the writer has, not Python's get().
    assert 'read_shared_context(key="research", full=true)' in received
    observation = writer_llm.prompt(1).split("Observation:")[-1]
    assert ROW_250 in observation  # that page of the original...
    assert '"id": 10,' not in observation and big not in observation  # ...and only that page
    assert f'read_shared_context(key="research", full=true, page={page + 1})' in observation
    assert result.raw == "Host web-5 answered in 109 ms."


def test_user_callbacks_are_chained(ctx, make_agent, big, final):
    seen_by_crew_callback, seen_by_task_callback = [], []
    crew, _, _ = _research_crew(make_agent, big, final)
    crew.task_callback = lambda output: seen_by_crew_callback.append(output.raw)
    crew.tasks[0].callback = lambda output: seen_by_task_callback.append(output.raw)
    baton = CrewBaton(ctx)
    baton.attach(crew)

    crew.kickoff()

    assert seen_by_crew_callback == [big, "Hosts are healthy."]  # full text, both tasks
    assert seen_by_task_callback == [big]
    assert baton.report().ctx.keys() == ["research", "write-a-one-line-summary-of-the-host-metrics"]


def test_detach_restores_crewai_behaviour(ctx, make_agent, big, final):
    crew, _, writer_llm = _research_crew(make_agent, big, final)

    def user_callback(output):
        return None

    crew.task_callback = user_callback
    baton = CrewBaton(ctx)
    baton.attach(crew)
    baton.attach(crew)  # idempotent
    baton.detach(crew)

    assert crew.task_callback is user_callback
    assert crew.before_kickoff_callbacks == [] and crew.after_kickoff_callbacks == []
    crew.kickoff()
    assert big in writer_llm.prompt()
    assert len(ctx) == 0 and baton.runs == []
    with pytest.raises(ValueError, match="not attached"):
        baton.detach(crew)


def _user_before_kickoff(inputs):
    return inputs


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_kickoff_for_each_runs_attached_copies_of_the_crew(ctx, make_agent, big, final, mode):
    crew, _, writer_llm = _research_crew(
        make_agent,
        big,
        final,
        runs=2,
        research_task="Collect latency metrics of the {region} hosts",
        summary_task="Summarise the {region} host metrics",
    )
    baton = CrewBaton(ctx, max_tokens=1500)
    baton.attach(crew)
    crew.before_kickoff_callbacks.append(_user_before_kickoff)  # added after attach
    inputs = [{"region": "eu"}, {"region": "us"}]

    with warnings.catch_warnings():
        # CrewAI warns that method callbacks "cannot be serialized" if copied along.
        warnings.simplefilter("error", UserWarning)
        if mode == "sync":
            results = crew.kickoff_for_each(inputs=inputs)
        else:
            results = asyncio.run(crew.akickoff_for_each(inputs=inputs))

    # Each copy of the crew handed over the compressed research, not the full output.
    for call in range(2):
        received = _context_part(writer_llm.prompt(call))
        assert not _shows_row_250(received) and "omitted" in received
    assert [r.tasks_output[0].raw for r in results] == [big, big]
    assert [len(run.handoffs) for run in baton.runs] == [1, 1]
    # Each input is a run in its own scope; keys come from the tasks as written, not as
    # each input filled them in.
    assert len({run.scope for run in baton.runs}) == 2
    for run in baton.runs:
        assert sorted(run.ctx.keys()) == ["research", "summarise-the-region-host-metrics"]
    # The crew itself is unchanged and still attached once, its callbacks in their order.
    start_run = baton._attachments[str(crew.tasks[0].id)].start_run
    assert crew.before_kickoff_callbacks == [start_run, _user_before_kickoff]
    baton.detach(crew)
    assert "copy" not in vars(crew)


def test_a_crew_attaches_to_one_baton(ctx, make_agent, big, final):
    crew, _, _ = _research_crew(make_agent, big, final)
    CrewBaton(ctx).attach(crew)
    with pytest.raises(ValueError, match="another CrewBaton"):
        CrewBaton(SharedContext()).attach(crew)
    with pytest.raises(TypeError, match=r"crewai\.Crew"):
        CrewBaton(ctx).attach(object())  # type: ignore[arg-type]


def test_attaching_again_with_another_scope_is_refused_not_ignored(ctx, make_agent, big, final):
    # attach(crew) twice is harmless; attach(crew, scope="team-eu") after attach(crew) asked
    # for something the crew would silently not do: every kickoff still in a scope of its own.
    crew, _, _ = _research_crew(make_agent, big, final)
    baton = CrewBaton(ctx)
    assert baton.attach(crew) is crew and baton.attach(crew, scope=None) is crew
    with pytest.raises(ValueError, match=r"already attached with scope=None.*detach"):
        baton.attach(crew, scope="team-eu")
    baton.detach(crew)
    baton.attach(crew, scope="team-eu")
    with pytest.raises(ValueError, match=r"already attached with scope='team-eu'"):
        baton.attach(crew)
    assert baton.attach(crew, scope="team-eu") is crew


def test_small_outputs_are_handed_over_unchanged(ctx, make_agent, final):
    first, _ = make_agent("First", [final("42")])
    second, second_llm = make_agent("Second", [final("43")])
    crew = Crew(
        agents=[first, second],
        tasks=[
            Task(name="a", description="Say a number", expected_output="n", agent=first),
            Task(name="b", description="Add one", expected_output="n", agent=second),
        ],
    )
    baton = CrewBaton(ctx)
    baton.attach(crew)
    crew.kickoff()
    # A header would cost more than the output: CrewAI's own text is sent.
    assert _context_part(second_llm.prompt()).strip().startswith("42")
    (handoff,) = baton.report().handoffs
    assert handoff.sent_tokens == handoff.original_tokens and handoff.tokens_saved == 0


def test_keys_are_stable_across_inputs_and_unique_within_a_crew(ctx, make_agent, final):
    agent, _ = make_agent("Analyst", [final("one"), final("two"), final("three")])
    tasks = [
        Task(description="Analyse {topic} sales", expected_output="x", agent=agent),
        Task(description="Analyse {topic} sales", expected_output="x", agent=agent),
        Task(name=" named ", description="whatever", expected_output="x", agent=agent),
    ]
    crew = Crew(agents=[agent], tasks=tasks)
    baton = CrewBaton(ctx)
    baton.attach(crew)

    crew.kickoff(inputs={"topic": "EU"})

    assert tasks[0].description == "Analyse EU sales"  # interpolated by CrewAI...
    keys = [baton.key_for(t) for t in tasks]
    assert keys == ["analyse-topic-sales", "analyse-topic-sales-2", "named"]  # ...keys are not
    run_ctx = baton.report().ctx
    assert run_ctx.keys() == keys
    assert [run_ctx.get(k, full=True) for k in keys] == ["one", "two", "three"]


def test_async_kickoff_hands_over_compressed_context(ctx, make_agent, big, final):
    crew, _, writer_llm = _research_crew(make_agent, big, final)
    baton = CrewBaton(ctx, max_tokens=1500)
    baton.attach(crew)

    result = asyncio.run(crew.akickoff())

    assert not _shows_row_250(_context_part(writer_llm.prompt()))
    assert result.tasks_output[0].raw == big
    assert len(baton.report().handoffs) == 1


def test_structured_json_output_is_stored_as_its_raw_text(ctx, make_agent, final):
    rows = [{"id": i, "ok": True} for i in range(5)]
    first, _ = make_agent("First", [final(json.dumps(rows))])
    crew = Crew(
        agents=[first],
        tasks=[Task(name="rows", description="List rows", expected_output="JSON", agent=first)],
    )
    baton = CrewBaton(ctx)
    baton.attach(crew)
    crew.kickoff()
    assert json.loads(baton.report().ctx.get("rows", full=True)) == rows


def test_async_execution_tasks_follow_crewai_choice_of_sources(ctx, make_agent, big, final):
    researcher, _ = make_agent("Researcher", [final(big)])
    verdict = "Checked: " + ", ".join(f"web-{i} within budget" for i in range(7))
    checker, checker_llm = make_agent("Checker", [final(verdict)])
    writer, writer_llm = make_agent("Writer", [final("Written.")])
    research = Task(name="research", description="Collect", expected_output="j", agent=researcher)
    check = Task(
        name="check", description="Check", expected_output="t", agent=checker, async_execution=True
    )
    write = Task(name="write", description="Write", expected_output="t", agent=writer)
    crew = Crew(agents=[researcher, checker, writer], tasks=[research, check, write])
    baton = CrewBaton(ctx, max_tokens=1000)
    baton.attach(crew)

    result = crew.kickoff()

    # CrewAI 1.15 gives an async task only the "last sync output" of a replay: here none.
    assert "This is the context you're working with:" not in checker_llm.prompt()
    received = _context_part(writer_llm.prompt())
    assert "### research" in received and "### check" in received
    assert big not in received
    assert [h.sources for h in baton.report().handoffs] == [("research", "check")]
    assert verdict in received
    assert baton.report().ctx.get("check", full=True) == verdict  # from the worker thread
    assert result.tasks_output[0].raw == big


def test_a_short_output_next_to_a_long_one_is_handed_over(ctx, make_agent, big, final):
    researcher, _ = make_agent("Researcher", [final(big)])
    checker, _ = make_agent("Checker", [final("Checked.")])
    writer, writer_llm = make_agent("Writer", [final("Written.")])
    crew = Crew(
        agents=[researcher, checker, writer],
        tasks=[
            Task(name="research", description="Collect", expected_output="j", agent=researcher),
            Task(name="check", description="Check", expected_output="t", agent=checker),
            Task(name="write", description="Write", expected_output="t", agent=writer),
        ],
    )
    CrewBaton(ctx, max_tokens=1000).attach(crew)
    crew.kickoff()
    assert "Checked." in _context_part(writer_llm.prompt())


def test_task_callback_wiring_records_outputs_but_leaves_context_alone(ctx, make_agent, big, final):
    crew, _, writer_llm = _research_crew(make_agent, big, final)
    baton = CrewBaton(ctx)
    crew.task_callback = baton.task_callback

    crew.kickoff()

    assert big in writer_llm.prompt()  # not attached: CrewAI's own context
    assert ctx.get("research", full=True) == big
    assert baton.key_for(crew.tasks[1]) in ctx
    # Attaching later takes over the callback instead of chaining it twice.
    baton.attach(crew)
    assert crew.task_callback != baton.task_callback
    baton.detach(crew)
    assert crew.task_callback == baton.task_callback


def test_a_failing_store_never_fails_the_crew(make_agent, big, final, caplog):
    def counter(text: str) -> int:
        if len(text) > 5000:
            raise RuntimeError("counter refuses long texts")
        return len(text) // 4

    ctx = SharedContext(token_counter=counter)
    crew, _, writer_llm = _research_crew(make_agent, big, final)
    baton = CrewBaton(ctx)
    baton.attach(crew)
    with caplog.at_level(logging.WARNING, logger="agent_baton_crewai"):
        result = crew.kickoff()

    assert result.raw == "Hosts are healthy."
    assert big in writer_llm.prompt()  # CrewAI's own context, in full
    # put never fails (it estimates tokens instead); rendering the context does.
    assert baton.report().ctx.get(baton.key_for(crew.tasks[0]), full=True) == big
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("sending it in full" in m for m in warnings)


def test_detach_after_a_kickoff_removes_the_callback_crewai_copied_into_each_task(
    ctx, make_agent, big, final
):
    calls = []

    def user_callback(output):
        calls.append(output.raw)

    crew, _, writer_llm = _research_crew(make_agent, big, final, runs=3)
    crew.task_callback = user_callback
    crew.kickoff()  # CrewAI copies user_callback into each task
    assert [t.callback for t in crew.tasks] == [user_callback, user_callback]
    calls.clear()

    baton = CrewBaton(ctx)
    baton.attach(crew)
    crew.kickoff()  # CrewAI copies the baton's callback into each task
    assert calls == [big, "Hosts are healthy."]  # the user's callback ran once per task
    stored = len(ctx)
    baton.detach(crew)
    calls.clear()

    crew.kickoff()

    assert big in writer_llm.prompt(2)  # CrewAI's own context again
    assert len(ctx) == stored  # nothing flows into the old context any more
    assert calls == [big, "Hosts are healthy."]
    assert [t.callback for t in crew.tasks] == [user_callback, user_callback]


def test_kickoff_for_each_after_a_kickoff_stores_each_output_once(ctx, make_agent, big, final):
    crew, _, _ = _research_crew(
        make_agent,
        big,
        final,
        runs=3,
        research_task="Collect latency metrics of the {region} hosts",
        summary_task="Summarise the {region} host metrics",
    )
    baton = CrewBaton(ctx)
    baton.attach(crew)
    crew.kickoff(inputs={"region": "ap"})  # CrewAI copies the baton's callback into each task
    first = baton.report().ctx

    crew.kickoff_for_each(inputs=[{"region": "eu"}, {"region": "us"}])

    # Each copy stored through its own attachment only, in its own run, under the keys of
    # the tasks as written; the original crew's callback, copied along, stored into the
    # first run's scope too (under "...-eu-..."), or twice (key#2).
    keys = ["research", "summarise-the-region-host-metrics"]
    assert [sorted(run.ctx.keys()) for run in baton.runs] == [keys] * 3
    assert first is baton.runs[0].ctx and len(ctx) == 0


def test_context_within_the_budget_is_sent_as_crewai_builds_it(ctx, make_agent, big, final):
    crew, _, writer_llm = _research_crew(make_agent, big, final)
    baton = CrewBaton(ctx, max_tokens=ctx.count_tokens(big) + 100)
    baton.attach(crew)
    crew.kickoff()
    assert big in _context_part(writer_llm.prompt())  # nothing lost when it fits
    (handoff,) = baton.report().handoffs
    assert handoff.sent_tokens == handoff.original_tokens


def test_hierarchical_process_hands_the_manager_compressed_context(
    ctx, make_agent, big, final, scripted_llm
):
    researcher, _ = make_agent("Researcher", [])
    writer, _ = make_agent("Writer", [])
    # The manager runs every task; here it answers both itself (delegation is a tool call
    # whose answer comes back as an observation, outside the handoff between tasks).
    manager_llm = scripted_llm([final(big), final("Hosts are healthy.")])
    crew = Crew(
        agents=[researcher, writer],
        tasks=[
            Task(name="research", description="Collect metrics", expected_output="JSON"),
            Task(name="summary", description="Summarise the metrics", expected_output="text"),
        ],
        process=Process.hierarchical,
        manager_llm=manager_llm,
    )
    baton = CrewBaton(ctx, max_tokens=1000)
    baton.attach(crew)

    result = crew.kickoff()

    received = _context_part(manager_llm.prompt(1))
    assert "### research" in received and big not in received
    assert result.raw == "Hosts are healthy." and result.tasks_output[0].raw == big
    assert baton.report().ctx.get("research", full=True) == big
    assert [h.sources for h in baton.report().handoffs] == [("research",)]
