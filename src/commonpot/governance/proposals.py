"""Reading proposals: who sees which, the row lock, who may manage one, the action hash."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple, cast

from sqlalchemy import Integer, Select, and_, bindparam, func, select, union_all
from sqlalchemy.orm import Session

from commonpot import communities
from commonpot.accounts import Viewer
from commonpot.communities import Community, Role
from commonpot.errors import Forbidden, NotFound
from commonpot.governance import ledger
from commonpot.governance.canonical import canonical_json
from commonpot.governance.models import Proposal, State, Vote
from commonpot.paging import EVERY_ROW, Page, Window, read_page
from commonpot.tenancy import select_scoped

DEFAULT_RULES: dict[str, Any] = {
    "quorum": "0",
    "threshold": "1/2",
    "inclusive": False,
    "voting_seconds": 3 * 24 * 3600,
    "timelock_seconds": 24 * 3600,
    "open_results": False,
    "budget": 100,
    "secret": None,
}


EXPIRY = timedelta(days=14)


OPEN_STATES = (State.DRAFT.value, State.PENDING.value, State.ACTIVE.value)


def is_steward(session: Session, community: Community, viewer: Viewer) -> bool:
    mine = communities.membership(session, community, viewer)
    return viewer.is_admin or (mine is not None and mine.role == Role.STEWARD.value)


MAX_NUMBER = 2**31 - 1  # proposal numbers are 32-bit integers on PostgreSQL


def visible_proposals(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    state: str | None = None,
    window: Window = EVERY_ROW,
) -> list[Proposal]:
    """The one read helper: drafts only for their author and stewards, the rest for readers
    (newest first; in `state` when given; those in `window`)."""
    steward = is_steward(session, community, viewer)
    values = {"community_id": community.id, "user_id": viewer.user_id}
    query = _readable(steward, one=False)
    if state is not None:
        query = query.where(Proposal.state == state)
    return list(session.scalars(window.of(query), values))


class Listed(NamedTuple):
    """A proposal as lists show it: a link, its state, how it is decided, when it closes."""

    number: int
    title: str
    state: str
    method: str
    closes_at: datetime | None


def listed_proposals(session: Session, community: Community, viewer: Viewer) -> list[Listed]:
    """`visible_proposals` (the same rule, newest first), only what a list of them shows:
    plain rows, without each proposal's text, rules, action, result and author."""
    steward = is_steward(session, community, viewer)
    values = {"community_id": community.id, "user_id": viewer.user_id}
    return [Listed._make(row) for row in session.execute(_listed(steward), values)]


@lru_cache(maxsize=2)
def _listed(steward: bool) -> Select[int, str, str, str, datetime | None]:
    """`listed_proposals`' statement: `_readable`'s rule and order, the listed columns."""
    columns = (Proposal.number, Proposal.title, Proposal.state, Proposal.method)
    return _readable(steward, one=False).with_only_columns(*columns, Proposal.closes_at)


GROUP_SHOWN = 10  # the newest proposals each state's group shows on the governance page
LIST_SHOWN = 100  # proposals a page of one state, or of a title search, lists at once


class Group(NamedTuple):
    """A state's newest proposals on the governance page, and how many are in that state."""

    state: str
    proposals: list[Listed]
    total: int


def listed_groups(
    session: Session, community: Community, viewer: Viewer, *, shown: int = GROUP_SHOWN
) -> list[Group]:
    """`listed_proposals` grouped by state, in one statement: each state's newest `shown`
    and its count (a community decides thousands of things over the years), the groups in
    the order of their newest proposal."""
    steward = is_steward(session, community, viewer)
    values = {"community_id": community.id, "user_id": viewer.user_id, "shown": shown}
    groups: dict[str, Group] = {}
    for *row, total in session.execute(_grouped(steward), values):
        listed = Listed._make(row)
        groups.setdefault(listed.state, Group(listed.state, [], total)).proposals.append(listed)
    return sorted(groups.values(), key=lambda g: -g.proposals[0].number)


@lru_cache(maxsize=2)
def _grouped(steward: bool) -> Any:
    """`listed_groups`' statement: for each state, `_listed`'s newest rows in it (at most
    "shown") with how many there are, each an index range read of (community, state,
    number) (migration 0025; a window over every proposal sorted them all)."""
    branches = []
    for state in State:
        rule = _listed(steward).where(Proposal.state == state.value)
        counted = rule.with_only_columns(func.count()).order_by(None).scalar_subquery()
        newest = rule.add_columns(counted.correlate(None).label("in_state"))
        branches.append(select(newest.limit(bindparam("shown", type_=Integer)).subquery()))
    return union_all(*branches)


def listed_page(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    state: str | None = None,
    title: str | None = None,
    offset: int = 0,
    limit: int = LIST_SHOWN,
) -> Page:
    """A page of `listed_proposals` (the same rule and order) in `state`, of those whose
    title holds `title` (any case), or both, and how many there are."""
    steward = is_steward(session, community, viewer)
    query = _listed(steward).params(community_id=community.id, user_id=viewer.user_id)
    if state:
        query = query.where(Proposal.state == state)
    if title:
        query = query.where(func.lower(Proposal.title).contains(title.lower(), autoescape=True))
    page = read_page(session, query, offset, limit)
    return Page([Listed._make(row) for row in page.rows], page.total)


@lru_cache(maxsize=4)
def _readable(steward: bool, *, one: bool) -> Select[Proposal]:
    """`visible_proposals`' statement (all of them newest first, or `one` by number), built
    once per process for stewards and for everyone else; bound: the community, the viewer's
    user id (None for a visitor) and the number."""
    query = select_scoped(Proposal, cast(int, bindparam("community_id")))
    if not steward:
        author = Proposal.author_id == bindparam("user_id", type_=Integer)
        query = query.where((Proposal.state != State.DRAFT.value) | author)
    if one:
        return query.where(Proposal.number == bindparam("number", type_=Integer))
    return query.order_by(Proposal.number.desc())


def closing_soon(
    session: Session, community: Community, viewer: Viewer, *, limit: int = 5
) -> list[Listed]:
    """Open votes the viewer may read, the one closing first first (for the home page): the
    database picks them (`listed_proposals`' rule), not every proposal ever made."""
    steward = is_steward(session, community, viewer)
    values = {"community_id": community.id, "user_id": viewer.user_id, "limit": limit}
    return [Listed._make(row) for row in session.execute(_closing(steward), values)]


@lru_cache(maxsize=2)
def _closing(steward: bool) -> Any:
    """`closing_soon`'s statement; bound: the community, the viewer and the limit."""
    return (
        _listed(steward)
        .where(Proposal.state == State.ACTIVE.value, Proposal.closes_at.is_not(None))
        .order_by(None)
        .order_by(Proposal.closes_at, Proposal.number)
        .limit(bindparam("limit", type_=Integer))
    )


def get_proposal(session: Session, community: Community, viewer: Viewer, number: int) -> Proposal:
    """One proposal the viewer may read (NotFound otherwise)."""
    proposal: Proposal = _by_number(session, community, viewer, number, with_vote=False)[0]
    return proposal


def proposal_and_vote(
    session: Session, community: Community, viewer: Viewer, number: int
) -> tuple[Proposal, Vote | None]:
    """`get_proposal` and the viewer's own ballot on it (None: none cast, or a visitor), in
    one statement (every proposal page a member reads asks both)."""
    found = _by_number(session, community, viewer, number, with_vote=True)
    return found[0], found[1]


def _by_number(
    session: Session, community: Community, viewer: Viewer, number: int, *, with_vote: bool
) -> Any:
    """The row of proposal `number` as the viewer may read it (with their vote when
    `with_vote`), or NotFound."""
    if not 1 <= number <= MAX_NUMBER:  # no such number can be stored: none to look up
        raise NotFound("No proposal #%(number)s here.", number=str(number))
    steward = is_steward(session, community, viewer)
    values = {"community_id": community.id, "user_id": viewer.user_id, "number": number}
    statement = _with_vote(steward) if with_vote else _readable(steward, one=True)
    found = session.execute(statement, values).first()
    if found is None:
        raise NotFound("No proposal #%(number)s here.", number=str(number))
    return found


@lru_cache(maxsize=2)
def _with_vote(steward: bool) -> Select[Proposal, Vote]:
    """`proposal_and_vote`'s statement: `_readable`'s, with the viewer's vote joined."""
    mine = and_(Vote.proposal_id == Proposal.id, Vote.voter_id == bindparam("user_id"))
    return _readable(steward, one=True).add_columns(Vote).outerjoin(Vote, mine)


def locked(session: Session, community: Community, viewer: Viewer, number: int) -> Proposal:
    """The proposal, row-locked for this transaction (PostgreSQL) and freshly read."""
    proposal = get_proposal(session, community, viewer, number)
    if session.get_bind().dialect.name != "sqlite":
        ledger.lock(session, community)  # ledger first, then the proposal: one lock order
        session.execute(select(Proposal.id).where(Proposal.id == proposal.id).with_for_update())
        session.refresh(proposal)
    return proposal


def action_hash(community: Community, number: int, action: dict[str, Any]) -> str:
    """SHA-256 of the canonical action: what voters approve and the executor re-checks."""
    body = {"community": community.slug, "proposal": number, "action": action}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def require_author_or_steward(
    session: Session, community: Community, viewer: Viewer, proposal: Proposal
) -> None:
    if proposal.author_id != viewer.user_id and not is_steward(session, community, viewer):
        raise Forbidden("Only the author or a steward may do this.")
