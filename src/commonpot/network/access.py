"""Who may see and change the network's data: members read, stewards run allocations."""

from __future__ import annotations

from sqlalchemy.orm import Session

from commonpot import communities
from commonpot.accounts import Viewer
from commonpot.communities import Community, Role
from commonpot.errors import Forbidden


def is_steward(session: Session, community: Community, viewer: Viewer) -> bool:
    """Stewards and instance admins run the community's allocations."""
    if viewer.is_admin:
        return True
    found = communities.membership(session, community, viewer)
    return found is not None and found.role == Role.STEWARD.value


def require_reader(session: Session, community: Community, viewer: Viewer) -> None:
    """Network data (where food and people in need are) is for members and admins only."""
    if viewer.is_admin:
        return
    communities.require_member(session, community, viewer)


def require_steward(session: Session, community: Community, viewer: Viewer) -> None:
    """Only stewards (or admins) may run and commit allocations."""
    if viewer.is_admin:
        return
    communities.require_role(session, community, viewer, Role.STEWARD)


def owner_or_steward(
    session: Session, community: Community, viewer: Viewer, owner: int | None
) -> None:
    """Only the author of a row or a steward may change it."""
    if owner != viewer.user_id and not is_steward(session, community, viewer):
        raise Forbidden("Only its author or a steward can change this.")
