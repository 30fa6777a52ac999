"""Priority groups: whom the community serves first, with a weight stewards set."""

from __future__ import annotations

import math

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.communities import Community
from commonpot.errors import N_, Conflict, Invalid, NotFound
from commonpot.network import checks
from commonpot.network.access import require_reader, require_steward
from commonpot.network.models import PriorityGroup
from commonpot.tenancy import get_scoped, select_scoped


def groups(session: Session, community: Community, viewer: Viewer) -> list[PriorityGroup]:
    """The community's priority groups, most urgent first."""
    require_reader(session, community, viewer)
    query = select_scoped(PriorityGroup, community.id)
    return list(session.scalars(query.order_by(PriorityGroup.priority.desc(), PriorityGroup.name)))


def get_group(session: Session, community: Community, group_id: int) -> PriorityGroup:
    """A priority group of this community."""
    try:
        return get_scoped(
            session,
            PriorityGroup,
            group_id,
            community.id,
            missing=N_("No such priority group here."),
        )
    except NotFound as exc:
        raise NotFound(exc.detail, field="group_id") from None


def create_group(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    name: str,
    priority: float,
    description: str = "",
) -> PriorityGroup:
    """Stewards define who is served first, with a weight >= 1."""
    require_steward(session, community, viewer)
    if not (math.isfinite(priority) and 1 <= priority <= 100):
        raise Invalid("priority: must be a number from 1 to 100", field="priority")
    name = checks.text(name, "name", 60)
    taken = session.scalar(
        select(PriorityGroup.id).where(
            PriorityGroup.community_id == community.id, PriorityGroup.name == name
        )
    )
    if taken is not None:
        raise Conflict("A priority group named %(name)s already exists.", name=repr(name))
    group = PriorityGroup(
        community_id=community.id,
        name=name,
        priority=priority,
        description=checks.text(description, "description", 300, required=False),
    )
    session.add(group)
    session.flush()
    return group
