"""Teams sharing one SharedContext: each run sees only its own entries, in memory and in Redis.

What leaks would show up in: the prompts each model receives (the replay client records
them), the context tools' answers, search and render of the team's scope.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import MaxMessageTermination, TextMentionTermination
from autogen_agentchat.messages import ToolCallExecutionEvent
from autogen_agentchat.teams import RoundRobinGroupChat, SelectorGroupChat, Swarm
from autogen_core import SingleThreadedAgentRuntime
from autogen_core.models import UserMessage
from autogen_core.tools import FunctionTool

from agent_baton import SharedContext
from agent_baton_autogen import (
    LIST_TOOL_NAME,
    READ_TOOL_NAME,
    SEARCH_TOOL_NAME,
    BatonChatCompletionContext,
    BatonInterventionHandler,
    make_context_tools,
    team_scope,
)
from agent_baton_autogen._messages import text_key

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.filterwarnings("ignore:Intervention handler on_response returned None"),
]
TEAMS = 8


def region_report(kit, team: int) -> str:
    """A large table with one planted fact only this team's analyst may ever see."""
    rows = json.loads(kit.sales_rows())
    rows[137]["note"] = f"secret code {code(team)} for customer C-{team:03d}"
    return json.dumps(rows, indent=2)


def code(team: int) -> str:
    return f"ZX{team:02d}Q{(team * 7919) % 1000:03d}"


def analyst_script(kit, report: str):
    key = text_key("researcher", report)
    return [
        kit.calls((SEARCH_TOOL_NAME, {"query": "secret code customer"})),
        kit.calls((READ_TOOL_NAME, {"key": key, "query": "secret code"})),
        kit.calls((LIST_TOOL_NAME, {})),
        "Done. TERMINATE",
    ]


def analyst_of(ctx, client) -> AssistantAgent:
    """The analyst of every team here: it reads the shared context with its tools (tools and
    contexts alike derive the run's scope)."""
    return AssistantAgent(
        "analyst",
        client,
        model_context=BatonChatCompletionContext(ctx),
        tools=make_context_tools(ctx),
        max_tool_iterations=4,
    )


def round_robin_of(kit, ctx, report: str, runtime=None):
    analyst_client = kit.replay(*analyst_script(kit, report))
    team = RoundRobinGroupChat(
        [
            AssistantAgent(
                "researcher", kit.replay(report), model_context=BatonChatCompletionContext(ctx)
            ),
            analyst_of(ctx, analyst_client),
        ],
        termination_condition=MaxMessageTermination(3),
        runtime=runtime,
    )
    return team, analyst_client


def swarm_of(kit, ctx, report: str, runtime=None):
    # The report reaches the analyst as a tool result inside the HandoffMessage's context.
    async def fetch_report() -> str:
        return report

    analyst_client = kit.replay(*analyst_script(kit, report))
    team = Swarm(
        [
            AssistantAgent(
                "researcher",
                kit.replay(kit.calls(("fetch_report", {}), ("transfer_to_analyst", {}))),
                model_context=BatonChatCompletionContext(ctx),
                tools=[FunctionTool(fetch_report, description="Fetch the region report.")],
                handoffs=["analyst"],
            ),
            analyst_of(ctx, analyst_client),
        ],
        termination_condition=TextMentionTermination("TERMINATE") | MaxMessageTermination(10),
        runtime=runtime,
    )
    return team, analyst_client


def tool_answers(result) -> list[str]:
    """What the context tools answered in a team's run."""
    return [
        r.content
        for m in result.messages
        if isinstance(m, ToolCallExecutionEvent)
        for r in m.content
    ]


def everything_the_analyst_saw(kit, client, result) -> str:
    calls = range(len(client.create_calls))
    prompts = [text for call in calls for text in kit.texts(kit.sent(client, call))]
    return "\n".join(prompts + tool_answers(result))


@pytest.mark.parametrize("with_handler", [False, True])
@pytest.mark.parametrize("shape", [round_robin_of, swarm_of], ids=["round_robin", "swarm"])
async def test_concurrent_teams_on_one_context_never_see_each_other(
    any_ctx, kit, with_handler, shape
):
    ctx = any_ctx
    reports = [region_report(kit, i) for i in range(TEAMS)]
    runtime = handler = None
    if with_handler:  # one runtime and one handler for all teams, as a server would have
        handler = BatonInterventionHandler(ctx)
        runtime = SingleThreadedAgentRuntime(intervention_handlers=[handler])
        runtime.start()
    try:
        teams = [shape(kit, ctx, report, runtime) for report in reports]
        results = await asyncio.gather(*(team.run(task="Find the code.") for team, _ in teams))
    finally:
        if runtime is not None:
            await runtime.stop()

    for i, ((team, client), result) in enumerate(zip(teams, results, strict=True)):
        seen = everything_the_analyst_saw(kit, client, result)
        assert code(i) in seen  # it found its own planted fact through the tools
        leaked = [j for j in range(TEAMS) if j != i and code(j) in seen]
        assert leaked == [], f"team {i} saw the codes of teams {leaked}"
        store = team_scope(ctx, team)
        own = text_key("researcher", reports[i])
        assert own in store  # with the handler, also the agents' short messages
        assert {h.key for h in store.search(None, "secret code", k=20)} == {own}
        rendered = store.render(query="secret code", max_tokens=4000)
        assert code(i) in rendered
        assert not any(code(j) in rendered for j in range(TEAMS) if j != i)
        if handler is not None:  # what the runtime's handler captured for this team alone
            captured = handler.captured_keys_for(team)
            assert own in captured and set(captured) <= set(store.keys())
    assert ctx.keys() == []  # nothing landed outside the runs' scopes
    if handler is not None:
        assert {text_key("researcher", r) for r in reports} <= set(handler.captured_keys)


async def test_teams_loaded_from_one_config_have_their_own_scopes(ctx, kit):
    # Both loads resolve context_name "default" to one SharedContext; each team is its own run.
    # The analyst speaks first: in a team's second run it finds the first run's report (repeated
    # runs accumulate), in the other team it finds nothing.
    report = region_report(kit, 1)
    listing = kit.calls((LIST_TOOL_NAME, {}))
    template = RoundRobinGroupChat(
        [
            AssistantAgent(
                "analyst",
                kit.replay(listing, listing),
                model_context=BatonChatCompletionContext(ctx),
                tools=make_context_tools(ctx),
            ),
            AssistantAgent(
                "researcher",
                kit.replay(report, "No news."),
                model_context=BatonChatCompletionContext(ctx),
            ),
        ],
        termination_condition=MaxMessageTermination(3),
    )
    config = json.loads(template.dump_component().model_dump_json())
    first = RoundRobinGroupChat.load_component(config)
    second = RoundRobinGroupChat.load_component(config)

    await first.run(task="Report.")
    again = await first.run(task="Report again.")
    other = await second.run(task="Report.")

    key = text_key("researcher", report)
    assert any(key in answer for answer in tool_answers(again))
    assert tool_answers(other) == ["The shared context is empty."]
    assert team_scope(ctx, first).keys() == [key]


async def test_repeated_runs_accumulate_in_the_team_scope_until_a_reset(ctx, kit):
    # Running again goes on with the conversation: its entries join the run's. A reset (AutoGen:
    # "to its initial state", every agent's context cleared) starts a scope of its own.
    reports = [region_report(kit, i) for i in (1, 2, 3)]
    team = RoundRobinGroupChat(
        [
            AssistantAgent(
                "researcher",
                kit.replay(*reports),
                model_context=BatonChatCompletionContext(ctx),
            ),
            AssistantAgent(
                "analyst", kit.replay("a", "b", "c"), model_context=BatonChatCompletionContext(ctx)
            ),
        ],
        termination_condition=MaxMessageTermination(3),
    )
    await team.run(task="Q2.")
    await team.run(task="Q3.")
    first = team_scope(ctx, team)
    first_keys = [text_key("researcher", r) for r in reports[:2]]
    assert first.keys() == first_keys  # the second run added, replaced nothing
    rendered = first.render(max_tokens=6000)
    assert all(key in rendered for key in first_keys)

    await team.reset()
    await team.run(task="Q4.")
    second = team_scope(ctx, team)
    assert second.scope_path == (f"{first.scope_path[0]}-1",)
    assert second.keys() == [text_key("researcher", reports[2])]
    assert first.keys() == first_keys  # the earlier runs' entries stay where they were
    assert code(1) not in second.render(max_tokens=6000) and code(3) in second.get(
        second.keys()[0], full=True
    )


async def test_an_explicit_scope_is_shared_on_purpose(ctx, kit):
    # Two teams given the same scope name share entries (two halves of one project).
    reports = [region_report(kit, 1), region_report(kit, 2)]
    teams = []
    for report in reports:
        client = kit.replay(kit.calls((SEARCH_TOOL_NAME, {"query": "secret code customer"})), "ok")
        team = RoundRobinGroupChat(
            [
                AssistantAgent(
                    "researcher",
                    kit.replay(report),
                    model_context=BatonChatCompletionContext(ctx, scope="project-x"),
                ),
                AssistantAgent(
                    "analyst",
                    client,
                    model_context=BatonChatCompletionContext(ctx, scope="project-x"),
                    tools=make_context_tools(ctx, scope="project-x"),
                ),
            ],
            termination_condition=MaxMessageTermination(3),
        )
        teams.append((team, client))
    results = [await team.run(task="Find the codes.") for team, _ in teams]

    later, _ = teams[1]
    seen = "\n".join(tool_answers(results[1]))
    assert code(1) in seen and code(2) in seen
    assert sorted(ctx.scope("project-x").keys()) == sorted(
        text_key("researcher", r) for r in reports
    )
    assert team_scope(ctx, later).keys() == []


async def test_an_unreachable_store_fails_the_run_where_autogen_reports_it(
    kit, caplog, unused_port
):
    # Documented in docs/autogen.md, "When the store says no": the model context raises, the
    # handler logs and passes the message on (AutoGen would drop it and the team would hang).
    dead = SharedContext.from_url(
        f"redis://127.0.0.1:{unused_port}/0", namespace="gone", timeout=0.2
    )
    report = region_report(kit, 1)
    handler = BatonInterventionHandler(dead)
    runtime = SingleThreadedAgentRuntime(intervention_handlers=[handler])
    plain = RoundRobinGroupChat(
        [
            AssistantAgent("researcher", kit.replay(report)),
            AssistantAgent("analyst", kit.replay("ok")),
        ],
        termination_condition=MaxMessageTermination(3),
        runtime=runtime,
    )
    runtime.start()
    try:
        result = await plain.run(task="Report.")
    finally:
        await runtime.stop()
    assert [m.content for m in result.messages][1:] == [report, "ok"]
    assert "could not capture" in caplog.text

    baton = RoundRobinGroupChat(
        [
            AssistantAgent(
                "researcher", kit.replay(report), model_context=BatonChatCompletionContext(dead)
            ),
            AssistantAgent(
                "analyst", kit.replay("ok"), model_context=BatonChatCompletionContext(dead)
            ),
        ],
        termination_condition=MaxMessageTermination(3),
    )
    with pytest.raises(RuntimeError, match="BackendUnavailableError"):
        await baton.run(task="Report.")


async def test_team_scopes_nest_under_a_view_given_as_the_context(ctx, kit):
    report = region_report(kit, 3)
    tenant = ctx.scope("tenant-7")
    team = RoundRobinGroupChat(
        [
            AssistantAgent("researcher", kit.replay(report)),
            AssistantAgent(
                "analyst", kit.replay("ok"), model_context=BatonChatCompletionContext(tenant)
            ),
        ],
        termination_condition=MaxMessageTermination(3),
    )
    await team.run(task="Report.")

    assert team_scope(tenant, team).keys() == [text_key("researcher", report)]
    assert tenant.keys() == [] and ctx.keys() == [] and team_scope(ctx, team).keys() == []


def selector_of(kit, ctx, reports: list[str]):
    """A SelectorGroupChat whose selector model reads the history through a baton context.

    One script per run in ``reports`` (the team runs again after a reset).
    """
    analyst_client = kit.replay(*(step for r in reports for step in analyst_script(kit, r)))
    selector = kit.replay(*["researcher", "analyst"] * len(reports))
    team = SelectorGroupChat(
        [
            AssistantAgent(
                "researcher", kit.replay(*reports), model_context=BatonChatCompletionContext(ctx)
            ),
            analyst_of(ctx, analyst_client),
        ],
        model_client=selector,
        model_context=BatonChatCompletionContext(ctx),
        termination_condition=TextMentionTermination("TERMINATE") | MaxMessageTermination(10),
        allow_repeated_speaker=True,  # so the selector model chooses every turn
    )
    return team, analyst_client, selector


async def test_selector_teams_reset_between_two_users_at_once_never_see_each_other(any_ctx, kit):
    # Eight SelectorGroupChats at once, each one serving alice, reset, then bob (AutoGen's own
    # way to reuse a team): bob's prompts, tool answers, search and render hold his report only,
    # never alice's nor another team's.
    ctx = any_ctx
    reports = [[region_report(kit, i), region_report(kit, TEAMS + i)] for i in range(TEAMS)]
    teams = [selector_of(kit, ctx, pair) for pair in reports]

    async def alice_then_bob(team) -> list:
        first = await team.run(task="Find the code.")
        alice = team_scope(ctx, team)
        await team.reset()
        return [first, await team.run(task="Find the code again."), alice]

    runs = await asyncio.gather(*(alice_then_bob(team) for team, _, _ in teams))

    for i, ((team, client, selector), (alice, bob, alice_scope)) in enumerate(
        zip(teams, runs, strict=True)
    ):
        assert len(selector.create_calls) == 4 and len(client.create_calls) == 8
        for result, calls, own, user in ((alice, range(4), i, 0), (bob, range(4, 8), TEAMS + i, 1)):
            seen = "\n".join(
                [text for call in calls for text in kit.texts(kit.sent(client, call))]
                + tool_answers(result)
                + [
                    t
                    for call in (2 * user, 2 * user + 1)
                    for t in kit.texts(kit.sent(selector, call))
                ]
            )
            assert f'key="{text_key("researcher", reports[i][user])}"' in seen  # compressed
            leaked = [c for c in (code(j) for j in range(2 * TEAMS)) if c != code(own)]
            assert [c for c in leaked if c in seen] == [], f"team {i} user {user} saw another's"
            assert code(own) in "\n".join(tool_answers(result))  # found through the tools
        for store, report in ((alice_scope, reports[i][0]), (team_scope(ctx, team), reports[i][1])):
            assert store.keys() == [text_key("researcher", report)]
            assert {h.key for h in store.search(None, "secret code", k=20)} == set(store.keys())
            rendered = store.render(query="secret code", max_tokens=6000)
            assert [c for c in (code(i), code(TEAMS + i)) if c in rendered] == [
                c for c in (code(i), code(TEAMS + i)) if c in report
            ]
    assert ctx.keys() == []


async def test_a_team_reset_between_users_on_the_handlers_runtime_starts_a_new_scope(any_ctx, kit):
    # AutoGen's own model contexts; the handler stores every message and the tools read: a
    # reset seen by the handler alone gives bob's run a scope without alice's report.
    ctx = any_ctx
    alice, bob = region_report(kit, 1), region_report(kit, 2)
    listing = kit.calls((LIST_TOOL_NAME, {}))
    search = kit.calls((SEARCH_TOOL_NAME, {"query": "secret code customer"}))
    runtime = SingleThreadedAgentRuntime(intervention_handlers=[BatonInterventionHandler(ctx)])
    team = RoundRobinGroupChat(
        [
            AssistantAgent("researcher", kit.replay(alice, bob)),
            AssistantAgent(
                "analyst",
                kit.replay(listing, search, "ok", listing, search, "ok"),
                tools=make_context_tools(ctx),
                max_tool_iterations=3,
            ),
        ],
        termination_condition=MaxMessageTermination(3),
        runtime=runtime,
    )
    runtime.start()
    try:
        first = await team.run(task="Report for alice.")
        await team.reset()
        second = await team.run(task="Report for bob.")
    finally:
        await runtime.stop()

    assert code(1) in "\n".join(tool_answers(first))
    bobs = "\n".join(tool_answers(second))
    assert code(2) in bobs and code(1) not in bobs
    assert text_key("researcher", alice) not in bobs
    bobs_scope = team_scope(ctx, team)
    assert not any(code(1) in e.original for e in bobs_scope.entries())
    assert bobs_scope.scope_path[-1].endswith("-1")  # one reset, however many saw it


LOAD_IN_ANOTHER_PROCESS = """
import asyncio, json, sys
from agent_baton import SharedContext
from agent_baton_autogen import BatonChatCompletionContext

async def main():
    state = json.loads(sys.stdin.read())
    loaded = BatonChatCompletionContext(SharedContext(), agent_name="analyst", max_tokens=300)
    await loaded.load_state(state)
    shown = await loaded.get_messages()
    full = await loaded.get_original_messages()
    print(json.dumps({"shown": [m.content for m in shown], "full": [m.content for m in full]}))

asyncio.run(main())
"""


async def test_a_saved_model_context_loads_in_another_process(any_ctx, kit):
    # A server saves an agent's state and another worker resumes it, with an empty context
    # (memory) or another connection to the same Redis namespace: nothing is lost.
    report = region_report(kit, 5)
    context = BatonChatCompletionContext(any_ctx, agent_name="analyst", max_tokens=300)
    await context.add_message(UserMessage(content="Find the code.", source="user"))
    await context.add_message(UserMessage(content=report, source="researcher"))
    state = json.dumps(await context.save_state())

    child = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", LOAD_IN_ANOTHER_PROCESS],
        input=state,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = json.loads(child.stdout)
    assert loaded["full"] == ["Find the code.", report]
    shown = loaded["shown"]
    assert shown[0] == "Find the code." and report not in shown[1]
    assert f'key="{text_key("researcher", report)}"' in shown[1]
    assert [m.content for m in await context.get_messages()] == shown  # compressed alike


async def test_an_agent_used_alone_after_a_team_run_stays_out_of_the_team_scope(any_ctx, kit):
    # A server keeps an agent between requests: after a team run, alice's, the agent runs
    # alone for bob. Bob's tool result is stored where the read tool outside a team reads
    # (the context as given), never in alice's team scope, whose next run would show it.
    ctx = any_ctx
    alice, bob = region_report(kit, 1), region_report(kit, 2)

    async def fetch_report() -> str:
        return bob

    analyst = AssistantAgent(
        "analyst",
        kit.replay("Noted.", kit.calls(("fetch_report", {}))),
        model_context=BatonChatCompletionContext(ctx),
        tools=[FunctionTool(fetch_report, description="Fetch a report."), *make_context_tools(ctx)],
    )
    researcher = AssistantAgent(
        "researcher", kit.replay(alice), model_context=BatonChatCompletionContext(ctx)
    )
    team = RoundRobinGroupChat(
        [researcher, analyst], termination_condition=MaxMessageTermination(3)
    )
    await team.run(task="Report.")
    await analyst.run(task="Fetch bob's report.")

    store = team_scope(ctx, team)
    assert store.keys() == [text_key("researcher", alice)]
    assert not any(code(2) in e.original for e in store.entries())
    (key,) = ctx.keys()  # bob's tool result, where the tools outside a team read
    assert code(2) in ctx.get(key, full=True)
    assert analyst.model_context.shared_context.keys() == [key]
