"""Proposals: drafting, opening with frozen rules, voting, counting, executing, delegating.

Every change that matters is appended to the community's ledger and sealed with a signed
checkpoint in the same transaction. Time-driven steps (voting opens or closes, a queued
proposal expires) happen in `advance`, which every write path calls first.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commonpot import actions, signals
from commonpot.accounts.service import Viewer
from commonpot.communities import service as communities
from commonpot.communities.models import Community, Membership, Role
from commonpot.db import utcnow
from commonpot.errors import Conflict, Forbidden, Invalid, NotFound
from commonpot.governance import constitution, counting, ledger, recount, secrecy, voting
from commonpot.governance.canonical import canonical_json
from commonpot.governance.models import Comment, Proposal, State, Vote
from commonpot.governance.signals import ProposalDecided, ProposalOpened
from commonpot.governance.tally import METHODS
from commonpot.settings import Settings

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


def _is_steward(session: Session, community: Community, viewer: Viewer) -> bool:
    mine = communities.membership(session, community, viewer)
    return viewer.is_admin or (mine is not None and mine.role == Role.STEWARD.value)


def visible_proposals(session: Session, community: Community, viewer: Viewer) -> list[Proposal]:
    """The one read helper: drafts only for their author and stewards, the rest for readers."""
    query = select(Proposal).where(Proposal.community_id == community.id)
    if not _is_steward(session, community, viewer):
        query = query.where(
            (Proposal.state != State.DRAFT.value) | (Proposal.author_id == viewer.user_id)
        )
    return list(session.scalars(query.order_by(Proposal.number.desc())))


def get_proposal(session: Session, community: Community, viewer: Viewer, number: int) -> Proposal:
    """One proposal the viewer may read (NotFound otherwise)."""
    for proposal in visible_proposals(session, community, viewer):
        if proposal.number == number:
            return proposal
    raise NotFound(f"No proposal #{number} here.")


def _locked(session: Session, community: Community, viewer: Viewer, number: int) -> Proposal:
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
        raise Invalid(f"Unknown rule(s): {', '.join(sorted(unknown))}.", field="rules")
    defaults = {**DEFAULT_RULES, **(community.settings or {}).get("governance", {})}
    rules = {**{k: v for k, v in defaults.items() if k in DEFAULT_RULES}, **given}
    for key in ("quorum", "threshold"):
        try:
            share = Fraction(str(rules[key]))
        except (ValueError, ZeroDivisionError):
            raise Invalid(f"{key} is a share such as 1/2 or 0.6.", field=f"rules.{key}") from None
        if not 0 <= share <= 1 or (key == "threshold" and share == 1):
            raise Invalid(f"{key} must be between 0 and 1.", field=f"rules.{key}")
        rules[key] = str(share)  # "0", "1/2", "2/3": exact, and readable
    for key in ("voting_seconds", "timelock_seconds", "budget"):
        value = rules[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise Invalid(f"{key} is a whole number.", field=f"rules.{key}")
    if rules["voting_seconds"] < 60:
        raise Invalid("Voting lasts at least a minute.", field="rules.voting_seconds")
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
    from commonpot.accounts.models import User

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
        raise Invalid(f"Method is one of: {', '.join(METHODS)}.", field="method")
    if method == "majority":
        options = list(counting.MAJORITY_OPTIONS)
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
            select(func.max(Proposal.number)).where(Proposal.community_id == community.id)
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


def _require_author_or_steward(
    session: Session, community: Community, viewer: Viewer, proposal: Proposal
) -> None:
    if proposal.author_id != viewer.user_id and not _is_steward(session, community, viewer):
        raise Forbidden("Only the author or a steward may do this.")


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
    proposal = _locked(session, community, viewer, number)
    _require_author_or_steward(session, community, viewer, proposal)
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
        select(Membership.user_id).where(Membership.community_id == community.id)
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


def advance(
    session: Session, community: Community, proposal: Proposal, settings: Settings | None
) -> Proposal:
    """Apply time-driven transitions: voting opens or closes, queued proposals expire."""
    now = utcnow()
    if proposal.state == State.PENDING.value and proposal.opens_at and now >= proposal.opens_at:
        proposal.state = State.ACTIVE.value
    if proposal.state == State.ACTIVE.value and proposal.closes_at and now >= proposal.closes_at:
        _close(session, community, proposal, settings)
    if (
        proposal.state == State.QUEUED.value
        and proposal.executable_at
        and now >= proposal.executable_at + EXPIRY
    ):
        proposal.state = State.EXPIRED.value
        ledger.append(session, community, "proposal.expired", {"proposal": proposal.number})
        ledger.seal(session, community, settings)
    return proposal


def is_due(proposal: Proposal, now: datetime) -> bool:
    """True when a time-driven step (open, close, expire) is waiting for `advance`."""
    state = proposal.state
    if state == State.PENDING.value:
        return proposal.opens_at is not None and now >= proposal.opens_at
    if state == State.ACTIVE.value:
        return proposal.closes_at is not None and now >= proposal.closes_at
    if state == State.QUEUED.value:
        return proposal.executable_at is not None and now >= proposal.executable_at + EXPIRY
    return False


def due_proposals(session: Session, community: Community) -> list[Proposal]:
    """Every proposal of the community with a time-driven step waiting."""
    waiting = (State.PENDING.value, State.ACTIVE.value, State.QUEUED.value)
    now = utcnow()
    found = session.scalars(
        select(Proposal).where(Proposal.community_id == community.id, Proposal.state.in_(waiting))
    )
    return [p for p in found if is_due(p, now)]


def _close(
    session: Session, community: Community, proposal: Proposal, settings: Settings | None
) -> None:
    result, turnout, eligible = voting.provisional(session, proposal)
    if secrecy.is_sealed(proposal.rules):
        counted = voting.effective_ballots(session, proposal)
        votes = list(session.scalars(select(Vote).where(Vote.proposal_id == proposal.id)))
        revealed = secrecy.revealed_payload(proposal, counted, votes)
        # what anyone recounts from the ledger must be what is declared
        if secrecy.recount(proposal, revealed["ballots"]).to_json() != result.to_json():
            raise Conflict("The published ballots do not recount to the tally; nothing was closed.")
        ledger.append(session, community, "ballots.revealed", revealed)
    passed = counting.decide(
        result, turnout=turnout, eligible=eligible, quorum=Fraction(proposal.rules["quorum"])
    )
    summary = result.to_json()
    summary.update(turnout=turnout, eligible=eligible, passed=passed)
    proposal.result = summary
    proposal.state = State.SUCCEEDED.value if passed else State.DEFEATED.value
    ledger.append(
        session,
        community,
        "proposal.tallied",
        {"proposal": proposal.number, "state": proposal.state, "result": summary},
    )
    if passed:
        now = utcnow()
        proposal.executable_at = now + timedelta(seconds=proposal.rules["timelock_seconds"])
        proposal.state = State.QUEUED.value
        ledger.append(
            session,
            community,
            "proposal.queued",
            {"proposal": proposal.number, "executable_at": proposal.executable_at.isoformat()},
        )
    ledger.seal(session, community, settings)
    outcome = "passed" if passed else "defeated"
    signals.emit(session, ProposalDecided(community.id, proposal.number, proposal.title, outcome))


def close_proposal(
    session: Session, community: Community, viewer: Viewer, number: int, settings: Settings | None
) -> Proposal:
    """Count the votes: once the period ended (any member) or early when all have voted."""
    communities.require_member(session, community, viewer)
    proposal = advance(session, community, _locked(session, community, viewer, number), settings)
    if proposal.state != State.ACTIVE.value:
        if proposal.result is not None:
            return proposal
        raise Conflict("Voting is not open on this proposal.")
    _, turnout, eligible = voting.provisional(session, proposal)
    if turnout < eligible or not _is_steward(session, community, viewer):
        raise Conflict("Voting is still open; a steward may close early once everyone voted.")
    _close(session, community, proposal, settings)
    return proposal


def cast_vote(
    session: Session,
    community: Community,
    viewer: Viewer,
    number: int,
    ballot: Any,
    settings: Settings | None,
    *,
    signature: str | None = None,
    salt: str | None = None,
) -> Vote:
    """Cast or change the viewer's ballot while voting is open."""
    return cast_ballot(
        session, community, viewer, number, ballot, settings, signature=signature, salt=salt
    )[0]


def cast_ballot(
    session: Session,
    community: Community,
    viewer: Viewer,
    number: int,
    ballot: Any,
    settings: Settings | None,
    *,
    signature: str | None = None,
    salt: str | None = None,
) -> tuple[Vote, secrecy.Receipt | None]:
    """Cast or change a ballot; sealed proposals record a commitment and return a receipt.

    See `commonpot.governance.secrecy` for what the ledger shows in each mode and what a
    member's signature covers.
    """
    user = viewer.require_user()
    proposal = advance(session, community, _locked(session, community, viewer, number), settings)
    if proposal.state != State.ACTIVE.value:
        raise Conflict("Voting is not open on this proposal.")
    if str(user.id) not in proposal.electorate:
        raise Forbidden("You were not a member when voting opened, so you cannot vote here.")
    normal = counting.check_ballot(
        proposal.method, proposal.options, ballot, int(proposal.rules.get("budget", 100))
    )
    sealed = secrecy.is_sealed(proposal.rules)
    receipt: secrecy.Receipt | None = None
    if sealed:
        salt = secrecy.check_salt(salt) if salt else secrecy.new_salt()
        sealed_with = recount.commitment(community.slug, number, normal, salt)
        receipt = secrecy.Receipt(number, sealed_with, salt)
        voting.signed_commitment(community, proposal, user.public_key, signature, receipt)
        signed = None
    else:
        signed = voting.signed_form(community, proposal, user.public_key, signature, ballot, normal)
    before: list[str] | None = None
    if voting.in_last_hour(proposal):
        before = [] if sealed else voting.provisional(session, proposal)[0].winners
    vote = session.scalar(
        select(Vote).where(Vote.proposal_id == proposal.id, Vote.voter_id == user.id)
    )
    kind = "vote.changed" if vote is not None else "vote.cast"
    if vote is None:
        vote = Vote(community_id=community.id, proposal_id=proposal.id, voter_id=user.id, ballot={})
        try:
            with session.begin_nested():
                session.add(vote)
                vote.ballot = normal
                session.flush()
        except IntegrityError:
            raise Conflict("Your vote was just recorded by another request.") from None
    else:
        vote.changes += 1
    vote.ballot, vote.signature, vote.cast_at = normal, signature, utcnow()
    vote.commitment = receipt.commitment if receipt else None
    # an open ballot publishes its salts at close; a secret one never keeps them
    vote.salt = receipt.salt if receipt and not secrecy.is_secret(proposal.rules) else None
    session.flush()
    entry: dict[str, Any] = {
        "proposal": number,
        "voter": user.id,
        "action_hash": proposal.action_hash,
        "signature": signature,
        "public_key": user.public_key if signature else None,
    }
    if receipt is not None:
        entry["commitment"] = receipt.commitment
    else:
        entry["ballot"] = normal
        entry["signed_ballot"] = signed if signed not in (None, normal) else None
    ledger.append(session, community, kind, entry)
    voting.maybe_extend(session, community, proposal, before, sealed=sealed)
    ledger.seal(session, community, settings)
    return vote, receipt


def verify_receipt(
    session: Session, community: Community, viewer: Viewer, number: int, receipt: str
) -> dict[str, Any]:
    """Whether the ballot behind a receipt (`commitment:salt`) was recorded and counted."""
    proposal = get_proposal(session, community, viewer, number)
    commitment, salt = secrecy.parse_receipt(receipt)
    return secrecy.verify_receipt(session, community, proposal, commitment, salt)


def _check_floor_met(session: Session, community: Community, proposal: Proposal) -> None:
    """Before acting: the proposal met the floor frozen at open, in its rules and its turnout."""
    floor = proposal.floor
    if floor is None:  # opened before constitutions existed: hold it to today's
        _, floors = constitution.floors(session, community)
        floor = constitution.floor_for(floors, proposal.action["kind"])
    short = constitution.shortfall(proposal.rules, floor, proposal.method)
    if short is not None:
        raise Conflict(f"This proposal's rules fall below the constitution: {short[1]}")
    result = proposal.result or {}
    turnout, eligible = int(result.get("turnout", 0)), int(result.get("eligible", 0))
    if not result.get("passed") or turnout < Fraction(str(floor["quorum"])) * eligible:
        raise Conflict("This proposal did not reach the constitution's quorum.")


def _run_action(session: Session, community: Community, proposal: Proposal, viewer: Viewer) -> str:
    """Re-check the action hash, then run the owning domain's executor in a savepoint."""
    if action_hash(community, proposal.number, proposal.action) != proposal.action_hash:
        raise Conflict("The action no longer matches what was voted on.")
    kind = actions.get(proposal.action["kind"])
    with session.begin_nested():
        return kind.execute(session, community, dict(proposal.action["params"]), viewer)


def execute_proposal(
    session: Session, community: Community, viewer: Viewer, number: int, settings: Settings | None
) -> Proposal:
    """Carry out a queued proposal's action once, after its timelock; failures are recorded."""
    communities.require_member(session, community, viewer)
    proposal = advance(session, community, _locked(session, community, viewer, number), settings)
    if proposal.state == State.EXECUTED.value:
        raise Conflict("This proposal was already carried out.")
    if proposal.state != State.QUEUED.value or proposal.executable_at is None:
        raise Conflict("Only a proposal that passed can be carried out.")
    if utcnow() < proposal.executable_at:
        raise Conflict(f"The timelock ends at {proposal.executable_at.isoformat()}.")
    _check_floor_met(session, community, proposal)
    try:
        message = _run_action(session, community, proposal, viewer)
    except Exception as exc:  # any executor failure is recorded, not raised
        proposal.outcome = f"Execution failed: {exc}"
        ledger.append(
            session,
            community,
            "proposal.execution_failed",
            {"proposal": number, "error": str(exc)[:500], "action_hash": proposal.action_hash},
        )
        ledger.seal(session, community, settings)
        return proposal
    proposal.state = State.EXECUTED.value
    proposal.executed_at = utcnow()
    proposal.outcome = message
    ledger.append(
        session,
        community,
        "proposal.executed",
        {"proposal": number, "action_hash": proposal.action_hash, "outcome": message},
    )
    ledger.seal(session, community, settings)
    return proposal


def cancel_proposal(
    session: Session, community: Community, viewer: Viewer, number: int, settings: Settings | None
) -> Proposal:
    """Withdraw a proposal before voting ends (author or steward)."""
    proposal = _locked(session, community, viewer, number)
    _require_author_or_steward(session, community, viewer, proposal)
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


def comments(session: Session, proposal: Proposal) -> list[Comment]:
    """A proposal's discussion, oldest first."""
    return list(
        session.scalars(
            select(Comment).where(Comment.proposal_id == proposal.id).order_by(Comment.id)
        )
    )
