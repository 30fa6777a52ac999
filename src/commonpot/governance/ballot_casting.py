"""Casting ballots while voting is open: checks, sealed receipts, the ledger entry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.errors import Conflict, Forbidden
from commonpot.governance import ballot_box, cast_ballots, ledger, recount, secrecy
from commonpot.governance.closing import advance
from commonpot.governance.models import State, Vote
from commonpot.governance.proposals import get_proposal, locked
from commonpot.settings import Settings


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
    proposal = advance(session, community, locked(session, community, viewer, number), settings)
    if proposal.state != State.ACTIVE.value:
        raise Conflict("Voting is not open on this proposal.")
    if str(user.id) not in proposal.electorate:
        raise Forbidden("You were not a member when voting opened, so you cannot vote here.")
    normal = cast_ballots.check_ballot(
        proposal.method, proposal.options, ballot, int(proposal.rules.get("budget", 100))
    )
    sealed = secrecy.is_sealed(proposal.rules)
    receipt: secrecy.Receipt | None = None
    if sealed:
        salt = secrecy.check_salt(salt) if salt else secrecy.new_salt()
        sealed_with = recount.commitment(community.slug, number, normal, salt)
        receipt = secrecy.Receipt(number, sealed_with, salt)
        ballot_box.signed_commitment(community, proposal, user.public_key, signature, receipt)
        signed = None
    else:
        signed = ballot_box.signed_form(
            community, proposal, user.public_key, signature, ballot, normal
        )
    before: list[str] | None = None
    if ballot_box.in_last_hour(proposal):
        before = [] if sealed else ballot_box.provisional(session, proposal)[0].winners
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
    ballot_box.maybe_extend(session, community, proposal, before, sealed=sealed)
    ledger.seal(session, community, settings)
    return vote, receipt


def verify_receipt(
    session: Session, community: Community, viewer: Viewer, number: int, receipt: str
) -> dict[str, Any]:
    """Whether the ballot behind a receipt (`commitment:salt`) was recorded and counted."""
    proposal = get_proposal(session, community, viewer, number)
    commitment, salt = secrecy.parse_receipt(receipt)
    return secrecy.verify_receipt(session, community, proposal, commitment, salt)
