"""Which agent of which AgentChat team is running, and so which scope of a SharedContext it uses.

An AgentChat team registers each participant (and its group chat manager) in the runtime as
``AgentId(type=f"{name}_{team_id}", key=team_id)``, where ``team_id`` is a UUID drawn when the
team object is created (``BaseGroupChat.__init__``): two team objects, even loaded from one
component config, are two teams. While an agent handles a message, autogen-core's
``MessageHandlerContext`` holds its id; a model context or a tool called from the agent's turn
reads it there.

Each team run reads and writes its own scope of the shared context (``ctx.scope("team-<id>")``),
so teams sharing one :class:`~agent_baton.SharedContext` never see each other's entries; a
``scope`` given by the user replaces it (the same name shares entries on purpose, across teams
or processes).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from autogen_agentchat.teams import BaseGroupChat
from autogen_core import AgentId, MessageHandlerContext

from agent_baton import SharedContext

TEAM_SCOPE_PREFIX = "team-"


@dataclass(frozen=True)
class TeamMember:
    """An agent of an AgentChat team, as the runtime knows it."""

    name: str
    team_id: str


def team_member(agent_id: AgentId | None) -> TeamMember | None:
    """The team member ``agent_id`` names, or None for an agent outside any AgentChat team."""
    if agent_id is None:
        return None
    suffix = "_" + agent_id.key
    if not agent_id.type.endswith(suffix) or not _is_uuid(agent_id.key):
        return None
    return TeamMember(agent_id.type[: -len(suffix)], agent_id.key)


def running_member() -> TeamMember | None:
    """The team member whose message handler is running now, or None (no team, no runtime)."""
    try:
        agent_id = MessageHandlerContext.agent_id()
    except RuntimeError:  # called outside a message handler, e.g. agent.run() on its own
        return None
    return team_member(agent_id)


def run_scope(ctx: SharedContext, scope: str | None, member: TeamMember | None) -> SharedContext:
    """The view of ``ctx`` a call uses: ``scope`` if given, else its team's, else ``ctx``."""
    if scope is not None:
        return ctx.scope(scope)
    if member is not None:
        return ctx.scope(TEAM_SCOPE_PREFIX + member.team_id)
    return ctx


def team_scope(ctx: SharedContext, team: BaseGroupChat) -> SharedContext:
    """The view of ``ctx`` that ``team``'s agents read and write when no ``scope`` is given.

    For looking at what a team stored after its run: ``team_scope(ctx, team).keys()``.
    """
    if not isinstance(team, BaseGroupChat):
        raise TypeError(f"team must be an AgentChat BaseGroupChat, not {type(team).__name__}")
    # AgentChat keeps the id private; it has named the team's agents since 0.4 (see above).
    return ctx.scope(TEAM_SCOPE_PREFIX + team._team_id)


def check_scope(scope: object) -> None:
    """Reject a ``scope`` argument that is neither None nor a non-empty str."""
    if scope is not None and (not isinstance(scope, str) or not scope):
        raise ValueError(f"scope must be a non-empty str or None, not {scope!r}")


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
