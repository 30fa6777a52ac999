"""Closing proposals: time-driven steps, counting at the close, carrying out the decision."""

from __future__ import annotations

from datetime import datetime, timedelta
from fractions import Fraction

from sqlalchemy import BindParameter, bindparam, func, select, true
from sqlalchemy.orm import Session

from commonpot import actions, communities, signals
from commonpot.accounts import Viewer
from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.errors import Conflict, DomainError
from commonpot.governance import ballot_box, cast_ballots, constitution, ledger, secrecy
from commonpot.governance.models import Checkpoint, LedgerEntry, Proposal, State, Vote
from commonpot.governance.proposals import EXPIRY, action_hash, is_steward, locked
from commonpot.governance.signals import ProposalDecided
from commonpot.settings import Settings
from commonpot.tenancy import select_scoped
from commonpot.words import ENGLISH, Said, Words, message, said


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


def step_at(proposal: Proposal) -> datetime | None:
    """When the proposal's next time-driven step (open, close, expire) falls due, if any."""
    return _step_at(proposal.state, proposal.opens_at, proposal.closes_at, proposal.executable_at)


def is_due(proposal: Proposal, now: datetime) -> bool:
    """True when a time-driven step (open, close, expire) is waiting for `advance`."""
    at = step_at(proposal)
    return at is not None and now >= at


_WAITING = (State.PENDING.value, State.ACTIVE.value, State.QUEUED.value)


def _waiting(session: Session, community: Community) -> list[Proposal]:
    return list(
        session.scalars(select_scoped(Proposal, community.id).where(Proposal.state.in_(_WAITING)))
    )


def due_proposals(session: Session, community: Community) -> list[Proposal]:
    """Every proposal of the community with a time-driven step waiting."""
    now = utcnow()
    return [p for p in _waiting(session, community) if is_due(p, now)]


def steps(session: Session, community: Community) -> tuple[bool, datetime | None]:
    """Whether a time-driven step is waiting now (a proposal to open, close or expire, or
    ledger entries beyond its newest signed checkpoint, to seal), and when the next proposal
    step that is not yet due falls due (None: none is coming): until then, only a write
    changes what any proposal reads as.

    One prebuilt statement of plain rows: every governance read asks this first."""
    session.flush()  # as the session's own `execute` would: what it holds unwritten counts
    rows = session.connection().execute(_STEPS, {"community_id": community.id}).all()
    top, sealed = rows[0][0], rows[0][1]
    unsealed = top is not None and (sealed is None or sealed < top + 1)
    now = utcnow()
    times = [at for *_, state, o, c, e in rows if (at := _step_at(state, o, c, e)) is not None]
    coming = [at for at in times if now < at]
    return unsealed or len(coming) < len(times), min(coming, default=None)


def _step_at(
    state: str | None,
    opens_at: datetime | None,
    closes_at: datetime | None,
    executable_at: datetime | None,
) -> datetime | None:
    if state == State.PENDING.value:
        return opens_at
    if state == State.ACTIVE.value:
        return closes_at
    if state == State.QUEUED.value and executable_at is not None:
        return executable_at + EXPIRY
    return None


_IN_COMMUNITY: BindParameter[int] = bindparam("community_id")
# the ledger's last sequence number and its newest checkpoint's size (one row), and beside
# them each proposal with a step to come (none: one row of NULLs)
_LEDGER = select(
    select(func.max(LedgerEntry.seq))
    .where(LedgerEntry.community_id == _IN_COMMUNITY)
    .scalar_subquery()
    .label("top"),
    select(func.max(Checkpoint.size))
    .where(Checkpoint.community_id == _IN_COMMUNITY)
    .scalar_subquery()
    .label("sealed"),
).subquery("ledger")
_TO_COME = (
    select(Proposal.state, Proposal.opens_at, Proposal.closes_at, Proposal.executable_at)
    .where(Proposal.community_id == _IN_COMMUNITY, Proposal.state.in_(_WAITING))
    .subquery("to_come")
)
_STEPS = select(_LEDGER, _TO_COME).select_from(_LEDGER.outerjoin(_TO_COME, true()))


def _close(
    session: Session, community: Community, proposal: Proposal, settings: Settings | None
) -> None:
    result, turnout, eligible = ballot_box.provisional(session, proposal)
    if secrecy.is_sealed(proposal.rules):
        counted = ballot_box.effective_ballots(session, proposal)
        votes = list(session.scalars(select(Vote).where(Vote.proposal_id == proposal.id)))
        revealed = secrecy.revealed_payload(proposal, counted, votes)
        # what anyone recounts from the ledger must be what is declared
        if secrecy.recount(proposal, revealed["ballots"]).to_json() != result.to_json():
            raise Conflict("The published ballots do not recount to the tally; nothing was closed.")
        ledger.append(session, community, "ballots.revealed", revealed)
    passed = cast_ballots.decide(
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
    proposal = advance(session, community, locked(session, community, viewer, number), settings)
    if proposal.state != State.ACTIVE.value:
        if proposal.result is not None:
            return proposal
        raise Conflict("Voting is not open on this proposal.")
    _, turnout, eligible = ballot_box.provisional(session, proposal)
    if turnout < eligible or not is_steward(session, community, viewer):
        raise Conflict("Voting is still open; a steward may close early once everyone voted.")
    _close(session, community, proposal, settings)
    return proposal


def _check_floor_met(session: Session, community: Community, proposal: Proposal) -> None:
    """Before acting: the proposal met the floor frozen at open, in its rules and its turnout."""
    floor = proposal.floor
    if floor is None:  # opened before constitutions existed: hold it to today's
        _, floors = constitution.floors(session, community)
        floor = constitution.floor_for(floors, proposal.action["kind"])
    short = constitution.shortfall(proposal.rules, floor, proposal.method)
    if short is not None:
        raise Conflict(
            "This proposal's rules fall below the constitution: %(problem)s", problem=short[1]
        )
    result = proposal.result or {}
    turnout, eligible = int(result.get("turnout", 0)), int(result.get("eligible", 0))
    if not result.get("passed") or turnout < Fraction(str(floor["quorum"])) * eligible:
        raise Conflict("This proposal did not reach the constitution's quorum.")


def _run_action(session: Session, community: Community, proposal: Proposal, viewer: Viewer) -> Said:
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
    proposal = advance(session, community, locked(session, community, viewer, number), settings)
    if proposal.state == State.EXECUTED.value:
        raise Conflict("This proposal was already carried out.")
    if proposal.state != State.QUEUED.value or proposal.executable_at is None:
        raise Conflict("Only a proposal that passed can be carried out.")
    if utcnow() < proposal.executable_at:
        raise Conflict("The timelock ends at %(time)s.", time=proposal.executable_at.isoformat())
    _check_floor_met(session, community, proposal)
    try:
        done = _run_action(session, community, proposal, viewer)
    except Exception as exc:  # any executor failure is recorded, not raised
        # a refusal keeps its message id and parts, to be read in each reader's language
        error = exc.detail if isinstance(exc, DomainError) else str(exc)
        failed = said("Execution failed: %(error)s", error=message(error))
        proposal.outcome = f"Execution failed: {exc}"
        proposal.outcome_words = failed.to_json()
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
    english = done.words(ENGLISH)  # the ledger keeps the English sentence, as it always has
    proposal.outcome = english
    proposal.outcome_words = done.to_json()
    ledger.append(
        session,
        community,
        "proposal.executed",
        {"proposal": number, "action_hash": proposal.action_hash, "outcome": english},
    )
    ledger.seal(session, community, settings)
    return proposal


def outcome_in(proposal: Proposal, words: Words = ENGLISH) -> str:
    """What carrying the proposal out did, in the reader's words.

    Proposals carried out before outcomes were stored as sentences hold only the English
    text: it is looked up as a message (so a known one still reads translated).
    """
    if proposal.outcome_words:
        return Said.from_json(proposal.outcome_words).words(words)
    if not proposal.outcome:
        return ""
    return words.gettext(proposal.outcome)
