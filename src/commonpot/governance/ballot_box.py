"""Counting the ballots as they stand: delegation, provisional results, the last-hour rule."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.errors import Invalid
from commonpot.governance import cast_ballots, ledger
from commonpot.governance.count_results import TallyResult
from commonpot.governance.models import Delegation, Proposal, Vote
from commonpot.governance.signing import commit_message, verify_vote, vote_message
from commonpot.tenancy import select_scoped

if TYPE_CHECKING:
    from commonpot.governance.secrecy import Receipt

LAST_HOUR = timedelta(hours=1)


def seed(proposal: Proposal) -> int:
    return int(proposal.action_hash[:8], 16)


def effective_ballots(
    session: Session, proposal: Proposal
) -> list[tuple[int, cast_ballots.Ballot, int]]:
    """(voter, ballot, weight): direct votes, and delegated weight following delegations.

    Secret ballots count direct votes only: delegations are public, so a ballot counted
    once more for each member who delegated would point at its delegate.
    """
    votes = {
        v.voter_id: v.ballot
        for v in session.scalars(select(Vote).where(Vote.proposal_id == proposal.id))
    }
    scope = proposal.action.get("kind", "text")
    delegated: dict[int, dict[str, int]] = {}
    found = session.scalars(
        select_scoped(Delegation, proposal.community_id).where(Delegation.scope.in_([scope, "*"]))
    )
    for d in [] if proposal.rules.get("secret") else found:
        delegated.setdefault(d.delegator_id, {})[d.scope] = d.delegate_id
    out: list[tuple[int, cast_ballots.Ballot, int]] = []
    for key, weight in proposal.electorate.items():
        uid, seen = int(key), set[int]()
        holder: int | None = uid
        while holder is not None and holder not in votes and holder not in seen:
            seen.add(holder)
            choice = delegated.get(holder, {})
            holder = choice.get(scope, choice.get("*"))
        if holder is not None and holder in votes:
            out.append((uid, votes[holder], weight))
    return out


def provisional(session: Session, proposal: Proposal) -> tuple[TallyResult, int, int]:
    """Count the ballots as they stand: (result, turnout weight, electorate weight)."""
    ballots = effective_ballots(session, proposal)
    eligible = sum(proposal.electorate.values())
    result = cast_ballots.count(
        proposal.method,
        proposal.options,
        proposal.seats,
        [(b, w) for _, b, w in ballots],
        rules=proposal.rules,
        eligible=eligible,
        seed=seed(proposal),
    )
    return result, sum(w for _, _, w in ballots), eligible


def signed_form(
    community: Community,
    proposal: Proposal,
    public_key: str | None,
    signature: str | None,
    ballot: Any,
    normal: cast_ballots.Ballot,
) -> cast_ballots.Ballot | None:
    """The ballot form the signature covers (normal form, or exactly as sent); None if unsigned."""
    if signature is None:
        return None
    for form in (normal, ballot):
        message = vote_message(community.slug, proposal.number, proposal.action_hash, form)
        if public_key and isinstance(form, dict) and verify_vote(public_key, signature, message):
            return form
    raise Invalid("The signature does not match your registered key.", field="signature")


def signed_commitment(
    community: Community,
    proposal: Proposal,
    public_key: str | None,
    signature: str | None,
    receipt: Receipt,
) -> str | None:
    """Check a sealed vote's signature, which covers the commitment (None if unsigned)."""
    if signature is None:
        return None
    message = commit_message(
        community.slug, proposal.number, proposal.action_hash, receipt.commitment
    )
    if public_key and verify_vote(public_key, signature, message):
        return receipt.commitment
    raise Invalid(
        "The signature does not match your registered key (sealed ballots: sign the "
        "commitment, and send the salt you used).",
        field="signature",
    )


def in_last_hour(proposal: Proposal) -> bool:
    """True while an outcome change could still extend voting (last hour, not yet extended)."""
    closes = proposal.closes_at
    return not proposal.extended and closes is not None and utcnow() >= closes - LAST_HOUR


def maybe_extend(
    session: Session,
    community: Community,
    proposal: Proposal,
    before: list[str] | None,
    *,
    sealed: bool = False,
) -> None:
    """A change of outcome in the last hour extends voting by an hour, once.

    For sealed ballots any vote in the last hour extends it:
    extending only on a change of outcome would tell everyone how that vote went.
    """
    if before is None or proposal.closes_at is None:
        return
    if not sealed and provisional(session, proposal)[0].winners == before:
        return
    proposal.closes_at += LAST_HOUR
    proposal.extended = True
    ledger.append(
        session,
        community,
        "proposal.extended",
        {"proposal": proposal.number, "closes_at": proposal.closes_at.isoformat()},
    )
