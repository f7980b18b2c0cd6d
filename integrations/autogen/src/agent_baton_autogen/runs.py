"""Which agent of which AgentChat team is running: read from autogen-core's runtime.

An AgentChat team registers each participant (and its group chat manager) in the runtime as
``AgentId(type=f"{name}_{team_id}", key=team_id)``, where ``team_id`` is a UUID drawn when the
team object is created (``BaseGroupChat.__init__``): two team objects, even loaded from one
component config, are two teams. While an agent handles a message, autogen-core's
``MessageHandlerContext`` holds its id; a model context or a tool called from the agent's turn
reads it there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from autogen_core import AgentId, MessageHandlerContext


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


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
