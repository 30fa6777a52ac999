"""Governance use cases: drafting and opening proposals, withdrawing them, discussion.

Reading and locking live in `proposals.py`, casting ballots in `ballot_casting.py`, closing
and carrying out in `closing.py`; this module re-exports them, so callers use `service.*`.

Every change that matters is appended to the community's ledger and sealed with a signed
checkpoint in the same transaction. Time-driven steps (voting opens or closes, a queued
proposal expires) happen in `advance`, which every write path calls first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any, NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from commonpot import actions, communities, signals
from commonpot.accounts import User, Viewer
from commonpot.communities import Community, Membership
from commonpot.db import utcnow
from commonpot.errors import Conflict, Invalid
from commonpot.governance import cast_ballots, constitution, ledger, secrecy
from commonpot.governance.ballot_casting import cast_ballot, cast_vote, verify_receipt
from commonpot.governance.closing import (
    advance,
    close_proposal,
    due_proposals,
    execute_proposal,
    is_due,
    outcome_in,
    steps,
)
from commonpot.governance.count_methods import METHODS
from commonpot.governance.models import Comment, Proposal, State, Vote
from commonpot.governance.proposals import (
    DEFAULT_RULES,
    GROUP_SHOWN,
    LIST_SHOWN,
    OPEN_STATES,
    Group,
    Listed,
    action_hash,
    get_proposal,
    listed_groups,
    listed_page,
    listed_proposals,
    locked,
    proposal_and_vote,
    require_author_or_steward,
    visible_proposals,
)
from commonpot.governance.signals import ProposalOpened
from commonpot.settings import Settings
from commonpot.tenancy import select_scoped

__all__ = [
    "DEFAULT_RULES",
    "GROUP_SHOWN",
    "LIST_SHOWN",
    "Group",
    "Listed",
    "Said",
    "action_hash",
    "add_comment",
    "advance",
    "cancel_proposal",
    "cast_ballot",
    "cast_vote",
    "close_proposal",
    "comments",
    "create_proposal",
    "due_proposals",
    "execute_proposal",
    "get_proposal",
    "is_due",
    "listed_groups",
    "listed_page",
    "listed_proposals",
    "my_vote",
    "open_proposal",
    "outcome_in",
    "proposal_and_vote",
    "steps",
    "verify_receipt",
    "visible_proposals",
]


MAX_SHARE_CHARS = 32  # a quorum or threshold as written: "2/3", "0.6"; never 5000 digits
MAX_RULE_SECONDS = 90 * 24 * 3600  # voting and time-lock periods: at most 90 days


def _share(key: str, value: object) -> Fraction:
    """A quorum or threshold as an exact fraction, or Invalid naming the rule."""
    written = str(value)
    share = None
    if len(written) <= MAX_SHARE_CHARS:  # "1e-5000" would be a 5000-digit fraction
        try:
            share = Fraction(written)
        except (ValueError, ZeroDivisionError):
            share = None
    if share is None or max(share.numerator, share.denominator) > 10**MAX_SHARE_CHARS:
        raise Invalid("%(rule)s is a share such as 1/2 or 0.6.", field=f"rules.{key}", rule=key)
    return share


def _rules(
    community: Community,
    given: dict[str, Any] | None,
    floor: constitution.Floor,
    method: str,
    secret_default: bool,
) -> dict[str, Any]:
    """The proposal's rules: the author's, else the community's defaults lifted to the floor."""
    given = {k: v for k, v in (given or {}).items() if v is not None}
    unknown = set(given) - set(DEFAULT_RULES)
    if unknown:
        raise Invalid(
            "Unknown rule(s): %(rules)s.", field="rules", rules=", ".join(sorted(unknown))
        )
    defaults = {**DEFAULT_RULES, **(community.settings or {}).get("governance", {})}
    rules = {**{k: v for k, v in defaults.items() if k in DEFAULT_RULES}, **given}
    for key in ("quorum", "threshold"):
        share = _share(key, rules[key])
        if not 0 <= share <= 1 or (key == "threshold" and share == 1):
            raise Invalid("%(rule)s must be between 0 and 1.", field=f"rules.{key}", rule=key)
        rules[key] = str(share)  # "0", "1/2", "2/3": exact, and readable
    for key in ("voting_seconds", "timelock_seconds", "budget"):
        value = rules[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise Invalid("%(rule)s is a whole number.", field=f"rules.{key}", rule=key)
    if rules["voting_seconds"] < 60:
        raise Invalid("Voting lasts at least a minute.", field="rules.voting_seconds")
    for key in ("voting_seconds", "timelock_seconds"):
        if rules[key] > MAX_RULE_SECONDS:  # as the API's schema says; forms reach here too
            raise Invalid(
                "%(rule)s: at most %(days)s days.", field=f"rules.{key}", rule=key, days=90
            )
    rules["inclusive"] = bool(rules["inclusive"])
    rules["open_results"] = bool(rules["open_results"])
    rules["secret"] = secret_default if rules.get("secret") is None else bool(rules["secret"])
    if rules["secret"] and rules["open_results"]:
        if "open_results" in given and "secret" in given:
            raise Invalid(
                "A secret ballot cannot show results while voting.", field="rules.open_results"
            )
        # a default gives way to what the author chose explicitly
        rules["open_results" if "secret" in given else "secret"] = False
    rules = constitution.lift(rules, floor, given)
    constitution.check(rules, floor, method)
    return rules


def _member_names(session: Session, community: Community) -> set[str]:
    from commonpot.accounts import User

    return set(
        session.scalars(
            select(User.display_name)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.community_id == community.id)
        )
    )


def create_proposal(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    title: str,
    body: str = "",
    method: str = "majority",
    options: list[str] | None = None,
    seats: int = 1,
    action: dict[str, Any] | None = None,
    rules: dict[str, Any] | None = None,
) -> Proposal:
    """Draft a proposal (members)."""
    communities.require_member(session, community, viewer)
    title = title.strip()
    if not 3 <= len(title) <= 200:
        raise Invalid("Give the proposal a title of 3 to 200 characters.", field="title")
    if method not in METHODS:
        raise Invalid("Method is one of: %(methods)s.", field="method", methods=", ".join(METHODS))
    if method == "majority":
        options = list(cast_ballots.MAJORITY_OPTIONS)
    names = [o.strip() for o in (options or []) if o.strip()]
    if len(names) < 2 or len(set(names)) != len(names) or any(len(n) > 120 for n in names):
        raise Invalid("List at least two different options.", field="options")
    if not 1 <= seats < len(names) or (seats > 1 and method in {"irv", "majority"}):
        raise Invalid("Seats must be fewer than the options (stv for several).", field="seats")
    action = action or {"kind": "text", "params": {}}
    kind = str(action.get("kind", "text"))
    params = actions.get(kind).validate(session, community, dict(action.get("params") or {}))
    if kind != "text" and method != "majority":
        raise Invalid("Proposals that act decide by majority (yes/no).", field="method")
    ledger.lock(session, community)  # numbers stay unique when drafts arrive together
    _, floors = constitution.floors(session, community)
    secret = secrecy.default_secret(kind, method, names, _member_names(session, community))
    checked = _rules(community, rules, constitution.floor_for(floors, kind), method, secret)
    number = 1 + int(
        session.scalar(
            select_scoped(Proposal, community.id).with_only_columns(func.max(Proposal.number))
        )
        or 0
    )
    frozen = {"kind": kind, "params": params}
    proposal = Proposal(
        community_id=community.id,
        number=number,
        title=title,
        body=body.strip()[:20000],
        author_id=viewer.user_id,
        method=method,
        options=names,
        seats=seats,
        rules=checked,
        action=frozen,
        action_hash=action_hash(community, number, frozen),
    )
    session.add(proposal)
    session.flush()
    return proposal


def open_proposal(
    session: Session,
    community: Community,
    viewer: Viewer,
    number: int,
    settings: Settings | None,
    *,
    starts_at: datetime | None = None,
) -> Proposal:
    """Open voting: freeze rules, action hash and electorate (one member, one vote)."""
    proposal = locked(session, community, viewer, number)
    require_author_or_steward(session, community, viewer, proposal)
    if proposal.state != State.DRAFT.value:
        raise Conflict("Only a draft can be opened.")
    kind = proposal.action["kind"]
    params = actions.get(kind).validate(session, community, dict(proposal.action["params"]))
    proposal.action = {"kind": kind, "params": params}
    proposal.action_hash = action_hash(community, number, proposal.action)
    # check before writing anything: a refused opening must leave no trace
    _, floors = constitution.floors(session, community)
    floor = constitution.floor_for(floors, kind)
    constitution.check(proposal.rules, floor, proposal.method)
    charter = constitution.adopt(session, community)
    proposal.floor = {**constitution.floor_for(charter.floors, kind), "version": charter.version}
    members = session.scalars(
        select_scoped(Membership, community.id).with_only_columns(Membership.user_id)
    )
    proposal.electorate = {str(uid): 1 for uid in sorted(members)}
    now = utcnow()
    proposal.opens_at = max(starts_at or now, now)
    proposal.closes_at = proposal.opens_at + timedelta(seconds=proposal.rules["voting_seconds"])
    proposal.state = State.PENDING.value if proposal.opens_at > now else State.ACTIVE.value
    ledger.append(
        session,
        community,
        "proposal.opened",
        {
            "proposal": number,
            "title": proposal.title,
            "method": proposal.method,
            "options": proposal.options,
            "seats": proposal.seats,
            "rules": proposal.rules,
            "floor": proposal.floor,
            "action": proposal.action,
            "action_hash": proposal.action_hash,
            "electorate": proposal.electorate,
            "opens_at": proposal.opens_at.isoformat(),
            "closes_at": proposal.closes_at.isoformat(),
        },
    )
    ledger.seal(session, community, settings)
    signals.emit(session, ProposalOpened(community.id, number, proposal.title))
    return proposal


def cancel_proposal(
    session: Session, community: Community, viewer: Viewer, number: int, settings: Settings | None
) -> Proposal:
    """Withdraw a proposal before voting ends (author or steward)."""
    proposal = locked(session, community, viewer, number)
    require_author_or_steward(session, community, viewer, proposal)
    if proposal.state not in OPEN_STATES:
        raise Conflict("Only a draft or open proposal can be withdrawn.")
    was_open = proposal.state != State.DRAFT.value
    proposal.state = State.CANCELED.value
    if was_open:
        ledger.append(session, community, "proposal.canceled", {"proposal": number})
        ledger.seal(session, community, settings)
    return proposal


def my_vote(session: Session, proposal: Proposal, viewer: Viewer) -> Vote | None:
    """The viewer's own ballot on the proposal."""
    if viewer.user_id is None:
        return None
    return session.scalar(
        select(Vote).where(Vote.proposal_id == proposal.id, Vote.voter_id == viewer.user_id)
    )


def add_comment(
    session: Session, community: Community, viewer: Viewer, number: int, body: str
) -> Comment:
    """Post to a proposal's discussion (members)."""
    communities.require_member(session, community, viewer)
    proposal = get_proposal(session, community, viewer, number)
    text = body.strip()
    if not 1 <= len(text) <= 5000:
        raise Invalid("Write 1 to 5000 characters.", field="body")
    comment = Comment(
        community_id=community.id, proposal_id=proposal.id, author_id=viewer.user_id, body=text
    )
    session.add(comment)
    session.flush()
    return comment


class Said(NamedTuple):
    """A comment as the discussion shows it: who wrote it (None once their account is
    gone), what, and when."""

    id: int
    author: str | None
    body: str
    created_at: datetime


def comments(session: Session, proposal: Proposal) -> list[Said]:
    """A proposal's discussion, oldest first, as plain rows (not each comment's author
    loaded whole)."""
    return [Said._make(row) for row in session.execute(_DISCUSSION, {"id": proposal.id})]


# built once per process (every proposal page asks it); bound: the proposal
_DISCUSSION = (
    select(Comment.id, User.display_name, Comment.body, Comment.created_at)
    .outerjoin(User, User.id == Comment.author_id)
    .where(Comment.proposal_id == bindparam("id"))
    .order_by(Comment.id)
)
