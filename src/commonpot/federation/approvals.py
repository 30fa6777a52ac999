"""Follower approval: a community may ask its stewards to accept each new follower.

While a follow request waits it receives nothing; accepting it sends `Accept{Follow}`,
rejecting it sends `Reject{Follow}` and forgets the follower.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot import tenancy
from commonpot.accounts import Viewer
from commonpot.communities import Community, Role, require_role
from commonpot.errors import Conflict
from commonpot.federation.instance import Fed
from commonpot.federation.models import Follower, Policy
from commonpot.federation.service import queue
from commonpot.federation.vocab import activity

PENDING = "pending"
ACCEPTED = "accepted"


def _steward(session: Session, community: Community, viewer: Viewer) -> None:
    if not viewer.operator:
        require_role(session, community, viewer, Role.STEWARD)


def approves_followers(session: Session, community: Community) -> bool:
    """True when the community's stewards approve each new follower."""
    found = session.scalar(
        select(Policy.approve_followers).where(Policy.community_id == community.id)
    )
    return bool(found)


def set_approval(session: Session, community: Community, viewer: Viewer, approve: bool) -> Policy:
    """Stewards choose whether new followers need their approval."""
    _steward(session, community, viewer)
    found = session.scalar(select(Policy).where(Policy.community_id == community.id))
    if found is None:
        found = Policy(community_id=community.id)
        session.add(found)
    found.approve_followers = approve
    session.flush()
    return found


def requests(session: Session, community: Community, viewer: Viewer) -> list[Follower]:
    """Follow requests waiting for the stewards (stewards only)."""
    _steward(session, community, viewer)
    query = tenancy.select_scoped(Follower, community.id).where(Follower.state == PENDING)
    return list(session.scalars(query.order_by(Follower.created_at, Follower.id)))


def _answer(fed: Fed, community: Community, row: Follower, kind: str) -> dict[str, object]:
    ours = fed.urls.actor(community.slug)
    follow = {"id": row.follow_id, "type": "Follow", "actor": row.actor_id, "object": ours}
    return activity(kind, f"{ours}#{kind.lower()}s/{uuid.uuid4().hex}", ours, follow)


def accept(
    session: Session, fed: Fed, community: Community, viewer: Viewer, follower_id: int
) -> Follower:
    """A steward accepts a follow request: the follower starts receiving, and hears Accept."""
    _steward(session, community, viewer)
    row = tenancy.get_scoped(session, Follower, follower_id, community.id)
    if row.state != PENDING:
        raise Conflict("That follower was already accepted.")
    row.state = ACCEPTED
    queue(session, community.id, _answer(fed, community, row, "Accept"), row.inbox)
    session.flush()
    return row


def reject(
    session: Session, fed: Fed, community: Community, viewer: Viewer, follower_id: int
) -> None:
    """A steward rejects a follow request (or removes a follower): it hears Reject."""
    _steward(session, community, viewer)
    row = tenancy.get_scoped(session, Follower, follower_id, community.id)
    queue(session, community.id, _answer(fed, community, row, "Reject"), row.inbox)
    session.delete(row)
    session.flush()
