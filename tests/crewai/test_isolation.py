"""Runs sharing one SharedContext never see each other's outputs: prompts, tools, search, render.

Eight runs at once, on memory and on a real Redis: crews from one factory in eight threads,
and one crew's ``kickoff_for_each_async`` over eight inputs. Every region's research carries
codes of its own (``R3-CODE-17``); a writer searches, reads and lists the shared context with
its tools, and every prompt its model receives must hold its own region's codes only.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from crewai import Agent, Crew, Process, Task

from agent_baton import SharedContext
from agent_baton.compress import compress
from agent_baton_crewai import SCOPE_INPUT, CrewBaton
from agent_baton_crewai.demo import action, final

REGIONS = [f"r{i}" for i in range(8)]
CODE = re.compile(r"\b(R\d+)-CODE-\d+")
WRITER_TASK = "Summarise region {region}: which codes does its research hold?"


def research_of(region: str) -> str:
    rows = [
        {"id": i, "region": region, "code": f"{region.upper()}-CODE-{i}", "ms": 100 + i % 13}
        for i in range(300)
    ]
    return json.dumps(rows, indent=2)


def researcher(prompt: str) -> str:
    region = re.search(r"data of region (r\d+)", prompt)
    assert region, "the researcher's task names its region"
    return final(research_of(region.group(1)))


def writer(prompt: str) -> str:
    """Search, then read, then list the shared context, then answer."""
    region = re.search(r"Summarise region (r\d+)", prompt)
    assert region, "the writer's task names its region"
    code = f"{region.group(1).upper()}-CODE-250"
    if "Action: list_shared_context" in prompt:
        return final(f"{region.group(1)} holds {code}.")
    if "Action: read_shared_context" in prompt:
        return action("list_shared_context")
    if "Action: search_shared_context" in prompt:
        return action("read_shared_context", key="research", query="CODE 7")
    return action("search_shared_context", query=f"code {code}")


@pytest.fixture
def make_crew(rule_llm):
    def make(baton: CrewBaton, scope: str | None = None):
        """The factory a web app calls per request: fresh agents, one baton."""
        writer_llm = rule_llm(writer)
        research_agent = Agent(
            role="Researcher", goal="Fetch data", backstory="Scripted.", llm=rule_llm(researcher)
        )
        writer_agent = Agent(
            role="Writer",
            goal="Summarise",
            backstory="Scripted.",
            llm=writer_llm,
            tools=baton.tools(),
        )
        tasks = [
            Task(
                name="research",
                description="Collect the data of region {region}",
                expected_output="JSON",
                agent=research_agent,
            ),
            Task(
                name="summary", description=WRITER_TASK, expected_output="text", agent=writer_agent
            ),
        ]
        crew = Crew(agents=[research_agent, writer_agent], tasks=tasks, process=Process.sequential)
        return baton.attach(crew, scope=scope), writer_llm

    return make


@pytest.fixture(params=["memory", "redis"])
def shared(request):
    if request.param == "memory":
        return SharedContext()
    server = request.getfixturevalue("redis_server")
    return SharedContext.from_url(server.url, namespace=f"crewai-{uuid.uuid4().hex}")


def assert_isolated(prompts: list[str], baton: CrewBaton) -> None:
    """Each writer prompt holds its own region's codes only; so does each run's render."""
    by_region: dict[str, list[str]] = {}
    for prompt in prompts:
        region = re.search(r"Summarise region (r\d+)", prompt).group(1)
        by_region.setdefault(region, []).append(prompt)
        assert set(CODE.findall(prompt)) <= {region.upper()}, f"{region} saw another run"
    assert sorted(by_region) == REGIONS
    for region, seen in by_region.items():
        assert len(seen) == 4  # the handoff, then after the search, the read and the list
        code = f"{region.upper()}-CODE-250"
        assert code not in seen[0] and code in seen[1]  # found by the search tool
        assert "research from Researcher" in seen[3]  # the listing, of this run only
        assert seen[3].count("- research") == 1 and seen[3].count("- summary") == 0
    runs = baton.runs
    assert len(runs) == 8 and len({run.scope for run in runs}) == 8
    for run in runs:
        assert sorted(run.ctx.keys()) == ["research", "summary"]
        (region,) = set(CODE.findall(run.ctx.render(max_tokens=4000)))
        hits = " ".join(hit.text for hit in run.ctx.search(None, "CODE", k=10))
        assert set(CODE.findall(hits)) == {region}
        assert set(CODE.findall(run.ctx.get("research", full=True))) == {region}


def test_crews_from_one_factory_in_eight_threads(shared, make_crew):
    baton = CrewBaton(shared, max_tokens=1500)
    crews = [make_crew(baton) for _ in REGIONS]

    with ThreadPoolExecutor(len(REGIONS)) as pool:
        results = list(pool.map(lambda c, r: c[0].kickoff(inputs={"region": r}), crews, REGIONS))

    assert [r.raw for r in results] == [f"{r} holds {r.upper()}-CODE-250." for r in REGIONS]
    assert_isolated([p for _, llm in crews for p in llm.prompts], baton)
    assert len(shared) == 0  # nothing outside the runs' scopes


def test_kickoff_for_each_async_over_eight_inputs(shared, make_crew):
    baton = CrewBaton(shared, max_tokens=1500)
    crew, writer_llm = make_crew(baton)

    results = asyncio.run(crew.kickoff_for_each_async(inputs=[{"region": r} for r in REGIONS]))

    assert sorted(r.raw for r in results) == sorted(
        f"{r} holds {r.upper()}-CODE-250." for r in REGIONS
    )
    assert_isolated(writer_llm.prompts, baton)


def test_runs_that_name_one_scope_accumulate_there(ctx, make_crew):
    baton = CrewBaton(ctx, max_tokens=1500)
    crew, writer_llm = make_crew(baton)

    for region in ("r1", "r2"):
        crew.kickoff(inputs={"region": region, SCOPE_INPUT: "alice"})
    make_crew(baton)[0].kickoff(inputs={"region": "r3"})  # a run of its own

    alice = ctx.scope("alice")
    assert [run.scope for run in baton.runs[:2]] == [("alice",), ("alice",)]
    assert alice.keys() == ["research", "summary", "research#2", "summary#2"]
    assert set(CODE.findall(alice.get("research#2", full=True))) == {"R2"}
    # The second run's writer was handed its own run's research (CrewAI's choice of sources)
    # and its tools saw both runs of the scope, never the third run's.
    second = [p for p in writer_llm.prompts if "Summarise region r2" in p]
    assert "### research#2" in second[0] and "### research ·" not in second[0]
    assert "- research#2 from Researcher" in second[3] and "- research from" in second[3]
    assert not any("R3-CODE" in p for p in writer_llm.prompts)


def test_attach_scope_is_shared_by_every_kickoff_of_the_crew(ctx, make_crew):
    baton = CrewBaton(ctx)
    crew, _ = make_crew(baton, scope="team-eu")
    crew.kickoff(inputs={"region": "r1"})
    crew.kickoff(inputs={"region": "r2"})
    assert ctx.scope("team-eu").keys() == ["research", "summary", "research#2", "summary#2"]
    # kickoff_for_each inputs get scopes of their own inside it.
    crew.kickoff_for_each(inputs=[{"region": "r3"}, {"region": "r4"}])
    inner = [run.scope for run in baton.runs[2:]]
    assert all(s[0] == "team-eu" and len(s) == 2 for s in inner) and inner[0] != inner[1]
    with pytest.raises(TypeError, match="baton_scope"):
        crew.kickoff(inputs={"region": "r5", SCOPE_INPUT: 7})


def test_kickoff_for_each_into_an_empty_named_scope_stays_inside_it(ctx, make_crew):
    # The named scope is empty before the first run (an empty view has len 0): the inputs'
    # runs still go inside it, where ctx.scope("team-us") finds them.
    baton = CrewBaton(ctx)
    crew, _ = make_crew(baton, scope="team-us")
    crew.kickoff_for_each(inputs=[{"region": "r1"}, {"region": "r2"}])
    assert [run.scope[0] for run in baton.runs] == ["team-us", "team-us"]
    assert len(ctx.scope("team-us").entries_in_scopes()) == 4 and ctx.keys() == []


def test_kickoff_async_and_kickoff_for_each_in_threads_at_once(shared, make_crew):
    # A server mixing both: four crews' kickoff_async on one loop while a thread runs another
    # crew's kickoff_for_each over the other four regions, all on one baton and one context.
    baton = CrewBaton(shared, max_tokens=1500)
    crews = [make_crew(baton) for _ in range(5)]
    batch, batch_llm = crews.pop()

    async def serve():
        with ThreadPoolExecutor(max_workers=1) as pool:
            inputs = [{"region": r} for r in REGIONS[4:]]
            batched = asyncio.get_running_loop().run_in_executor(
                pool, lambda: batch.kickoff_for_each(inputs=inputs)
            )
            singles = [
                crew.kickoff_async(inputs={"region": region})
                for (crew, _), region in zip(crews, REGIONS[:4], strict=True)
            ]
            return await asyncio.gather(*singles, batched)

    *singles, batched = asyncio.run(serve())
    answers = [r.raw for r in singles] + [r.raw for r in batched]
    assert sorted(answers) == sorted(f"{r} holds {r.upper()}-CODE-250." for r in REGIONS)
    prompts = [p for _, llm in crews for p in llm.prompts] + batch_llm.prompts
    assert_isolated(prompts, baton)


def test_one_crew_kicked_off_again_starts_clean_and_keeps_both_reports(ctx, make_crew):
    # The same crew object run for two users one after the other: the second run's writer
    # never sees the first run's research, and each run keeps its own report and scope.
    baton = CrewBaton(ctx, max_tokens=1500)
    crew, writer_llm = make_crew(baton)
    assert baton.attach(crew) is crew  # attaching again changes nothing

    crew.kickoff(inputs={"region": "r1"})
    crew.kickoff(inputs={"region": "r2"})

    second = [p for p in writer_llm.prompts if "Summarise region r2" in p]
    assert len(second) == 4 and not any("R1-CODE" in p for p in second)
    first, latest = baton.runs
    assert baton.report() is latest and first.scope != latest.scope
    assert first.handoffs[0].sources == latest.handoffs[0].sources == ("research",)
    assert set(CODE.findall(first.ctx.get("research", full=True))) == {"R1"}
    assert set(CODE.findall(latest.ctx.get("research", full=True))) == {"R2"}
    assert ctx.keys() == []

    baton.detach(crew)  # detached, the crew runs as CrewAI's own and stores nothing more
    crew.kickoff(inputs={"region": "r3"})
    assert len(baton.runs) == 2 and not any(
        "R3-CODE" in run.ctx.render(max_tokens=4000) for run in baton.runs
    )
    baton.attach(crew)  # and back
    crew.kickoff(inputs={"region": "r4"})
    assert set(CODE.findall(baton.report().ctx.get("research", full=True))) == {"R4"}


def test_hierarchical_crews_delegating_to_coworkers_in_two_threads(shared, rule_llm, capfd):
    """Two hierarchical crews on one baton: each manager delegates the research and the
    summary to its coworkers with CrewAI's delegation tool; the writer searches the shared
    context. Every prompt (the managers', the coworkers') holds its own region's codes only,
    the manager's second task gets the research compressed, and the verbose console output
    of both runs keeps each writer's answer when compressed."""
    baton = CrewBaton(shared, max_tokens=800)

    def make(region: str):
        def manager(prompt: str) -> str:
            if "(delegated)" not in prompt:  # delegate the task, then answer what came back
                task = re.search(r"Current Task: (.+)", prompt)
                assert task, "the manager's prompt names its task"
                worker = "Researcher" if task.group(1).startswith("Collect") else "Writer"
                return action(
                    "Delegate work to coworker",
                    task=task.group(1),
                    context=f"region {region} (delegated)",
                    coworker=worker,
                )
            # The coworker's answer, without what CrewAI adds after an observation.
            said = prompt.rsplit("Observation:", 1)[1].split("\nAnalyze the tool result")[0]
            return final(said.strip())

        def writer(prompt: str) -> str:
            if "Action: search_shared_context" in prompt:
                return final(f"{region} holds {region.upper()}-CODE-250.")
            return action("search_shared_context", query=f"code {region.upper()}-CODE-250")

        llms = [rule_llm(manager), rule_llm(researcher), rule_llm(writer)]
        research_agent = Agent(
            role="Researcher", goal="Fetch data", backstory="Scripted.", llm=llms[1]
        )
        writer_agent = Agent(
            role="Writer",
            goal="Summarise",
            backstory="Scripted.",
            llm=llms[2],
            tools=baton.tools(),
        )
        tasks = [
            Task(
                name="research",
                description=f"Collect the data of region {region}",
                expected_output="JSON",
            ),
            Task(
                name="summary",
                description=WRITER_TASK.format(region=region),
                expected_output="text",
            ),
        ]
        crew = Crew(
            agents=[research_agent, writer_agent],
            tasks=tasks,
            process=Process.hierarchical,
            manager_llm=llms[0],
            verbose=True,
        )
        return baton.attach(crew), llms

    crews = [make(region) for region in ("r1", "r2")]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda c: c[0].kickoff(), crews))
    printed = capfd.readouterr().out

    assert [r.raw for r in results] == ["r1 holds R1-CODE-250.", "r2 holds R2-CODE-250."]
    for region, (_, llms) in zip(("R1", "R2"), crews, strict=True):
        manager_llm, _, writer_llm = llms
        prompts = [p for llm in llms for p in llm.prompts]
        assert len(manager_llm.prompts) == 4 and len(writer_llm.prompts) == 2  # delegated
        assert {code for p in prompts for code in CODE.findall(p)} == {region}
        assert f"{region}-CODE-250" in writer_llm.prompts[1]  # its search found its own data
        summary = next(p for p in manager_llm.prompts if "Summarise region" in p)
        assert "### research" in summary and len(summary) < 12_000  # compressed handoff
    runs = baton.runs
    assert len({run.scope for run in runs}) == 2
    for run in runs:
        (region,) = set(CODE.findall(run.ctx.render(max_tokens=4000)))
        hits = " ".join(hit.text for hit in run.ctx.search(None, "CODE", k=10))
        assert set(CODE.findall(hits)) == {region}
    assert len(shared) == 0

    out = compress(printed)
    assert out.compressed_tokens < out.original_tokens / 10
    assert "r1 holds R1-CODE-250." in out.text and "r2 holds R2-CODE-250." in out.text


def test_reports_of_crews_run_at_once_are_told_apart_by_result_or_crew(shared, make_crew):
    # Two crews from one factory (the same crew name) kicked off at once, and a third crew's
    # kickoff_for_each: report() alone is whichever run started last; a result or a crew
    # names the run the caller means.
    baton = CrewBaton(shared, max_tokens=1500)
    (one, _), (two, _), (batch, _) = make_crew(baton), make_crew(baton), make_crew(baton)

    async def serve():
        return await asyncio.gather(
            one.kickoff_async(inputs={"region": "r0"}),
            two.kickoff_async(inputs={"region": "r1"}),
            batch.kickoff_for_each_async(inputs=[{"region": "r2"}, {"region": "r3"}]),
        )

    first, second, batched = asyncio.run(serve())
    for result in (first, second, *batched):
        region = result.raw.split()[0]
        report = baton.report(result)
        assert [h.task for h in report.handoffs] == ["summary"]
        assert set(CODE.findall(report.ctx.get("research", full=True))) == {region.upper()}
    assert baton.report(one) is baton.report(first)
    assert baton.report(two) is baton.report(second)
    assert baton.report(one) is not baton.report(two)
    with pytest.raises(ValueError, match="kickoff"):
        baton.report("r0 holds R0-CODE-250.")
    other, _ = make_crew(CrewBaton(shared))
    with pytest.raises(ValueError, match="not attached to this CrewBaton"):
        baton.report(other)
    assert baton.report(make_crew(baton)[0]).handoffs == []  # attached, not run yet


def test_agents_kept_after_their_run_never_read_its_scope(shared, make_crew):
    # A web app keeps its agents between requests: after a run, the tools its agents were
    # given read the calling run's scope, else the context as given, never the run they
    # served (an unattached crew, or one attached to a baton over another context).
    baton = CrewBaton(shared, max_tokens=1500)
    crew, writer_llm = make_crew(baton)
    crew.kickoff(inputs={"region": "r1"})
    writer = crew.agents[1]

    def summary() -> Task:
        return Task(name="summary", description=WRITER_TASK, expected_output="t", agent=writer)

    Crew(agents=[writer], tasks=[summary()]).kickoff(inputs={"region": "r2"})
    other = CrewBaton(SharedContext())
    other.attach(Crew(agents=[writer], tasks=[summary()])).kickoff(inputs={"region": "r3"})

    later = [p for p in writer_llm.prompts if "Summarise region r1" not in p]
    assert len(later) == 8 and not any("R1-CODE" in p for p in later)
    assert not any("- research from" in p for p in later)  # the listings: nothing of r1
    read, search, listing = writer.tools
    assert "R1-CODE" not in read.run(key="research", full=True)
    assert not CODE.findall(search.run(query="CODE 250"))
    assert "research" not in listing.run()
    assert set(CODE.findall(baton.report().ctx.get("research", full=True))) == {"R1"}


def test_a_failed_run_leaves_its_agents_tools_out_of_its_scope(shared, make_crew):
    # The writer's model fails: kickoff raises after the research was stored. The agent,
    # kept for the next request, must not read the failed run's research through its tools.
    baton = CrewBaton(shared, max_tokens=1500)
    crew, _ = make_crew(baton)
    writer = crew.agents[1]

    def broken(prompt: str) -> str:
        raise RuntimeError("the model is down")

    writer.llm = type(writer.llm)(broken)
    with pytest.raises(RuntimeError, match="the model is down"):
        crew.kickoff(inputs={"region": "r1"})

    assert set(CODE.findall(baton.report().ctx.get("research", full=True))) == {"R1"}
    read, search, listing = writer.tools
    assert "R1-CODE" not in read.run(key="research", full=True)
    assert not CODE.findall(search.run(query="CODE 250"))
    assert "research" not in listing.run()


def test_one_crew_object_kicked_off_for_eight_users_at_once_runs_one_at_a_time(shared, make_crew):
    # A new user's first try: one crew, asyncio.gather of kickoff_async for eight users. CrewAI
    # keeps a run's state on the crew's tasks and agents (alone, half the kickoffs fail with
    # "Executor is already running" and half the prompts mix regions); a kickoff that would
    # overlap another of the same crew object is refused before CrewAI touches the crew.
    baton = CrewBaton(shared, max_tokens=1500)
    crew, writer_llm = make_crew(baton)

    async def serve():
        users = [crew.kickoff_async(inputs={"region": region}) for region in REGIONS]
        return await asyncio.gather(*users, return_exceptions=True)

    results = asyncio.run(serve())

    done = [(region, r) for region, r in zip(REGIONS, results, strict=True) if hasattr(r, "raw")]
    refused = [r for r in results if not hasattr(r, "raw")]
    assert done and all(r.raw == f"{g} holds {g.upper()}-CODE-250." for g, r in done)
    assert all(isinstance(r, RuntimeError) and "one kickoff at a time" in str(r) for r in refused)
    for prompt in writer_llm.prompts:
        region = re.search(r"Summarise region (r\d+)", prompt).group(1)
        assert set(CODE.findall(prompt)) <= {region.upper()}, f"{region} saw another run"
    runs = baton.runs
    assert len(runs) == len(done)
    for run in runs:
        assert sorted(run.ctx.keys()) == ["research", "summary"]
        assert len(set(CODE.findall(run.ctx.get("research", full=True)))) == 1
    # The crew runs again once the others are done: nothing stays marked as running.
    assert crew.kickoff(inputs={"region": "r1"}).raw == "r1 holds R1-CODE-250."


def test_a_kickoff_refused_for_its_inputs_leaves_the_crew_free(ctx, make_crew):
    baton = CrewBaton(ctx, max_tokens=1500)
    crew, _ = make_crew(baton)
    with pytest.raises(TypeError, match="baton_scope"):
        crew.kickoff(inputs={"region": "r1", SCOPE_INPUT: 7})
    assert crew.kickoff(inputs={"region": "r2"}).raw == "r2 holds R2-CODE-250."
