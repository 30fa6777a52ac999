"""Delegation: a member lets another vote for them (on one kind of action, or all)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import Session

from commonpot import actions, communities
from commonpot.accounts import User, Viewer
from commonpot.communities import Community, Membership
from commonpot.errors import Invalid, NotFound
from commonpot.governance import ledger
from commonpot.governance.models import Delegation
from commonpot.paging import read_page, total_of
from commonpot.settings import Settings
from commonpot.tenancy import select_scoped


def delegate(
    session: Session,
    community: Community,
    viewer: Viewer,
    delegate_id: int,
    settings: Settings | None,
    scope: str = "*",
) -> Delegation:
    """Let another member vote for you (on one kind of action, or "*" for all)."""
    me = communities.require_member(session, community, viewer)
    if delegate_id == me.user_id:
        raise Invalid("Delegate to someone else.", field="delegate_id")
    target = session.scalar(
        select_scoped(Membership, community.id).where(Membership.user_id == delegate_id)
    )
    if target is None:
        raise NotFound("Delegate to a member of this community.", field="delegate_id")
    if scope != "*":
        actions.get(scope)
    found = session.scalar(
        select_scoped(Delegation, community.id).where(
            Delegation.delegator_id == me.user_id, Delegation.scope == scope
        )
    )
    if found is None:
        found = Delegation(community_id=community.id, delegator_id=me.user_id, scope=scope)
        session.add(found)
    found.delegate_id = delegate_id
    session.flush()
    ledger.append(
        session,
        community,
        "delegation.set",
        {"delegator": me.user_id, "delegate": delegate_id, "scope": scope},
    )
    ledger.seal(session, community, settings)
    return found


def revoke_delegation(
    session: Session,
    community: Community,
    viewer: Viewer,
    settings: Settings | None,
    scope: str = "*",
) -> None:
    """Take back a delegation."""
    me = communities.require_member(session, community, viewer)
    found = session.scalar(
        select_scoped(Delegation, community.id).where(
            Delegation.delegator_id == me.user_id, Delegation.scope == scope
        )
    )
    if found is None:
        raise NotFound("You have no delegation of that kind.", field="scope")
    session.delete(found)
    ledger.append(
        session, community, "delegation.revoked", {"delegator": me.user_id, "scope": scope}
    )
    ledger.seal(session, community, settings)


def my_delegations(session: Session, community: Community, viewer: Viewer) -> list[Delegation]:
    """The viewer's current delegations."""
    if viewer.user_id is None:
        return []
    values = {"community_id": community.id, "user_id": viewer.user_id}
    return list(session.scalars(_MINE, values))


# asked by every governance page a member reads: built once per process
_MINE = select(Delegation).where(
    Delegation.community_id == bindparam("community_id"),
    Delegation.delegator_id == bindparam("user_id"),
)


class Person(NamedTuple):
    """A member one may delegate to."""

    user_id: int
    display_name: str


class Given(NamedTuple):
    """One of the viewer's delegations, as their page lists it."""

    scope: str
    delegate_id: int
    delegate_name: str


DELEGATE_SHOWN = 100  # members the delegation form offers at once


class Choices(NamedTuple):
    """What the delegation form offers: the members it lists, how many match, and the
    viewer's own delegations."""

    members: list[Person]
    total: int
    given: list[Given]


NO_CHOICES = Choices([], 0, [])


def form_choices(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    name: str | None = None,
    limit: int = DELEGATE_SHOWN,
) -> Choices:
    """What the delegation form offers the viewer: the community's other members by name,
    the first `limit` of those whose name holds `name` (any case) when given, and how many
    match (a city's group has thousands); and the delegations they gave (even to someone
    who has left since, so that they can withdraw it)."""
    if viewer.user_id is None:
        return NO_CHOICES
    values = {"community_id": community.id, "user_id": viewer.user_id}
    query = _OTHERS.params(values)
    if name:
        query = query.where(func.lower(User.display_name).contains(name.lower(), autoescape=True))
        shown = read_page(session, query, 0, limit)
        people, total = shown.rows, shown.total
    else:  # counted from the memberships alone (not through every name)
        people = list(session.execute(query.limit(limit)))
        total = total_of(
            len(people), 0, limit, lambda: int(session.scalar(_OTHERS_COUNT, values) or 0)
        )
    given = [Given._make(row) for row in session.execute(_GIVEN_ROWS, values)]
    return Choices([Person._make(row) for row in people], total, given)


# built once per process (every governance page a member reads asks them); plain rows. The
# people are read in name order from the names' index (migration 0026), each checked to be
# a member, until the page is full: not every member of a city sorted on every page.
_OTHERS = (
    select(User.id, User.display_name)
    .where(
        User.id != bindparam("user_id"),
        exists().where(
            Membership.community_id == bindparam("community_id"), Membership.user_id == User.id
        ),
    )
    .order_by(User.display_name, User.id)
)
_OTHERS_COUNT = select(func.count(Membership.id)).where(
    Membership.community_id == bindparam("community_id"),
    Membership.user_id != bindparam("user_id"),
)
_GIVEN_ROWS = (
    select(Delegation.scope, Delegation.delegate_id, User.display_name)
    .join(User, User.id == Delegation.delegate_id)
    .where(
        Delegation.community_id == bindparam("community_id"),
        Delegation.delegator_id == bindparam("user_id"),
    )
    .order_by(User.display_name, Delegation.scope)
)
