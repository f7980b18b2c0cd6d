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
or processes). Running a team again goes on in its scope; ``team.reset()`` (AutoGen: back to
its initial state, every agent's context cleared, the usual way to reuse a team for the next
user) starts a new one, ``team-<id>-<n>`` after the n-th reset, so the next run's tools never
find what the runs before the reset stored.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from autogen_agentchat.teams import BaseGroupChat
from autogen_core import AgentId, MessageHandlerContext

from agent_baton import SharedContext

TEAM_SCOPE_PREFIX = "team-"

# Team id -> resets seen. A reset reaches each agent's model context and the handler: each
# marks it pending, and the next use of the team's scope counts it once. One small entry per
# team object ever reset, for the life of the process: forgetting it would reopen the scope
# of the users before the reset.
_resets: dict[str, int] = {}
_pending_resets: set[str] = set()
_resets_lock = threading.Lock()


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


def mark_reset(team_id: str) -> None:
    """Note that the team ``team_id`` was reset: its next run uses a new scope."""
    with _resets_lock:
        _pending_resets.add(team_id)


def team_scope_name(team_id: str) -> str:
    """The name of the scope the team ``team_id`` uses now: ``team-<id>``, then ``-<resets>``."""
    with _resets_lock:
        if team_id in _pending_resets:
            _pending_resets.discard(team_id)
            _resets[team_id] = _resets.get(team_id, 0) + 1
        resets = _resets.get(team_id, 0)
    name = TEAM_SCOPE_PREFIX + team_id
    return f"{name}-{resets}" if resets else name


def run_scope(ctx: SharedContext, scope: str | None, member: TeamMember | None) -> SharedContext:
    """The view of ``ctx`` a call uses: ``scope`` if given, else its team's, else ``ctx``."""
    if scope is not None:
        return ctx.scope(scope)
    if member is not None:
        return ctx.scope(team_scope_name(member.team_id))
    return ctx


def team_scope(ctx: SharedContext, team: BaseGroupChat) -> SharedContext:
    """The view of ``ctx`` that ``team``'s agents read and write when no ``scope`` is given.

    For looking at what a team stored after its run: ``team_scope(ctx, team).keys()``. After
    ``team.reset()`` it is the new, empty scope of the team's next run: take the view before
    the reset to look at the runs before it.
    """
    if not isinstance(team, BaseGroupChat):
        raise TypeError(f"team must be an AgentChat BaseGroupChat, not {type(team).__name__}")
    # AgentChat keeps the id private; it has named the team's agents since 0.4 (see above).
    return ctx.scope(team_scope_name(team._team_id))


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
