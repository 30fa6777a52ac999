"""Members and their roles: change a role, remove or add a member."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import Session

from commonpot import signals
from commonpot.accounts import User, Viewer
from commonpot.communities.access import find_member, require_role
from commonpot.communities.models import (
    Community,
    Membership,
    Role,
)
from commonpot.communities.signals import RoleChanged
from commonpot.errors import Conflict, Invalid, NotFound
from commonpot.tenancy import select_scoped


def change_role(
    session: Session, community: Community, viewer: Viewer, user_id: int, role: str
) -> Membership:
    """Give a member another role (stewards); the last steward cannot step down."""
    require_role(session, community, viewer, Role.STEWARD)
    if role not in {r.value for r in Role}:
        raise Invalid("Role is member, steward or custodian.", field="role")
    target = find_member(session, community, user_id)
    if target is None:
        raise NotFound("That person is not a member.")
    if target.role == Role.STEWARD and role != Role.STEWARD:
        _keep_one_steward(session, community)
    target.role = role
    session.flush()
    signals.emit(session, RoleChanged(community.id, user_id, role))
    return target


def _keep_one_steward(session: Session, community: Community) -> None:
    stewards = session.scalar(
        select_scoped(Membership, community.id)
        .with_only_columns(func.count(Membership.id))
        .where(Membership.role == Role.STEWARD.value)
    )
    if (stewards or 0) <= 1:
        raise Conflict("A community needs at least one steward; appoint another one first.")


def remove_member(session: Session, community: Community, viewer: Viewer, user_id: int) -> None:
    """Remove a member (stewards), or leave (anyone, for themself)."""
    if viewer.user_id != user_id:
        require_role(session, community, viewer, Role.STEWARD)
    expel(session, community, user_id)


def expel(session: Session, community: Community, user_id: int) -> None:
    """Remove a member the community decided to remove (a proposal: nobody's role checked)."""
    target = find_member(session, community, user_id)
    if target is None:
        raise NotFound("That person is not a member.")
    if target.role == Role.STEWARD:
        _keep_one_steward(session, community)
    session.delete(target)
    session.flush()


def add_member(
    session: Session, community: Community, user: User, role: str = "member"
) -> Membership:
    """Make a person a member (used by invitations, the CLI, demo data and proposals)."""
    if role not in {r.value for r in Role}:
        raise Invalid("Role is member, steward or custodian.", field="role")
    existing = find_member(session, community, user.id)
    if existing is not None:
        raise Conflict(
            "%(person)s is already a member of %(community)s.",
            person=user.display_name,
            community=community.name,
        )
    found = Membership(community_id=community.id, user_id=user.id, role=role)
    session.add(found)
    session.flush()
    return found
