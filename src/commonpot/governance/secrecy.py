"""Sealed ballots: commitments while voting, receipts, and the ballots published at close.

A proposal is *sealed* when its ballot is secret or when its results are hidden while
voting (`open_results` false). While a sealed proposal is open the ledger's `vote.cast` /
`vote.changed` entries hold only the voter (the voter roll) and a commitment

    commitment = hex SHA-256 of canonical JSON
                 {"ballot": <normal ballot>, "community": slug, "proposal": number,
                  "salt": <64 hex digits: 256 random bits>}

so nobody can read a choice or a running tally from the ledger, the API or the pages. A
changed vote records a new commitment; only each voter's last one counts. Every voter gets
a receipt (the salt and the commitment) once.

At close one `ballots.revealed` entry publishes the counted ballots: one ballot per member
whose vote counts (delegated votes follow their delegate's ballot), so `cast_ballots.count`
over that list with the proposal's frozen method and rules gives the tally anyone can
recompute from the ledger alone.

- Open ballot (results hidden only while voting): the entry also lists every voter with
  their ballot and salt, so anyone can recompute each voter's commitment from the roll.
- Secret ballot: the list is in cryptographically random order, without voters, and the
  salts are *not* published. Publishing them would let anyone recompute each published
  ballot's commitment and find it next to the voter's name in the roll, which would undo
  the secrecy. Instead a voter checks their receipt: SHA-256 of (community, proposal,
  their ballot, their salt) equals the last commitment recorded for them in the roll, and
  their ballot is among the published ones (the `receipt` endpoint does this for them).
  The number of published ballots equals the members counted, which anyone can check.
  Delegations do not apply to secret ballots (each member votes for themselves):
  delegations are public, so a ballot counted again for each delegator would point at its
  delegate. Secrecy is towards other members and the public: the server itself stores who
  voted what (it must, to let a member change their vote and to check receipts).

Signed votes: in sealed modes the member's Ed25519 signature covers
`signing.commit_message` (community, proposal, action hash, commitment), so the client
chooses the salt, computes the commitment and sends ballot, salt and signature together.
A signature over the bare ballot would let anyone test every option against the public key.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot.communities import Community
from commonpot.errors import Invalid, NotFound
from commonpot.governance import cast_ballots
from commonpot.governance.count_results import TallyResult
from commonpot.governance.models import LedgerEntry, Proposal, Vote
from commonpot.governance.recount import commitment
from commonpot.tenancy import select_scoped

SALT = re.compile(r"[0-9a-f]{64}")
MEMBERSHIP_KINDS = frozenset({"admit_member", "remove_member"})


def is_secret(rules: dict[str, Any]) -> bool:
    """True for a secret ballot."""
    return bool(rules.get("secret"))


def is_sealed(rules: dict[str, Any]) -> bool:
    """True when ballots stay out of sight until close (secret, or results hidden)."""
    return is_secret(rules) or not rules.get("open_results")


def new_salt() -> str:
    """256 random bits as 64 lower-case hex digits."""
    return secrets.token_hex(32)


def check_salt(salt: str, field: str = "salt") -> str:
    """A salt as sent (64 hex digits), or Invalid."""
    salt = salt.strip().lower()
    if not SALT.fullmatch(salt):
        raise Invalid("A salt is 64 hexadecimal digits.", field=field)
    return salt


def default_secret(kind: str, method: str, options: list[str], member_names: set[str]) -> bool:
    """Secret by default for membership and role actions and for elections of people."""
    if kind in MEMBERSHIP_KINDS:
        return True
    return method != "majority" and any(o in member_names for o in options)


@dataclass(frozen=True)
class Receipt:
    """What a voter keeps to check later that their ballot was counted."""

    proposal: int
    commitment: str
    salt: str

    @property
    def text(self) -> str:
        """The receipt as one line to paste back: commitment:salt."""
        return f"{self.commitment}:{self.salt}"


def parse_receipt(text: str) -> tuple[str, str]:
    """(commitment, salt) from `commitment:salt`, or Invalid naming the field."""
    parts = text.strip().lower().split(":")
    if len(parts) != 2 or not SALT.fullmatch(parts[0]):
        raise Invalid("Paste the receipt as shown: commitment:salt.", field="receipt")
    return parts[0], check_salt(parts[1], "receipt")


def revealed_payload(
    proposal: Proposal, counted: list[tuple[int, dict[str, Any], int]], votes: list[Vote]
) -> dict[str, Any]:
    """The `ballots.revealed` entry: counted ballots (shuffled and anonymous if secret)."""
    ballots = [ballot for _, ballot, weight in counted for _ in range(weight)]
    payload: dict[str, Any] = {"proposal": proposal.number, "secret": is_secret(proposal.rules)}
    if is_secret(proposal.rules):
        rng = secrets.SystemRandom()
        rng.shuffle(ballots)
    else:
        payload["votes"] = [
            {"voter": v.voter_id, "ballot": v.ballot, "salt": v.salt, "commitment": v.commitment}
            for v in sorted(votes, key=lambda v: v.voter_id)
        ]
    payload["ballots"] = ballots
    return payload


def recount(proposal: Proposal, ballots: list[dict[str, Any]]) -> TallyResult:
    """Count published ballots with the proposal's frozen method and rules."""
    from commonpot.governance.ballot_box import seed

    return cast_ballots.count(
        proposal.method,
        proposal.options,
        proposal.seats,
        [(b, 1) for b in ballots],
        rules=proposal.rules,
        eligible=sum(proposal.electorate.values()),
        seed=seed(proposal),
    )


def _entries(session: Session, community: Community, proposal: Proposal) -> list[dict[str, Any]]:
    found = []
    for data in session.scalars(
        select_scoped(LedgerEntry, community.id)
        .with_only_columns(LedgerEntry.data)
        .order_by(LedgerEntry.seq)
    ):
        entry = json.loads(data)
        if entry.get("proposal") == proposal.number:
            found.append(entry)
    return found


def verify_receipt(
    session: Session, community: Community, proposal: Proposal, commitment_hex: str, salt: str
) -> dict[str, Any]:
    """Check a receipt against the ledger: recorded, replaced, or counted as which ballot.

    The stored ballot must hash with the receipt's salt to the receipt's commitment (so a
    forged receipt fails), that commitment must be the voter's last one in the ledger's
    roll, and after close the ballot must be among the published ones.
    """
    entries = _entries(session, community, proposal)
    roll = [e for e in entries if e.get("type") in {"vote.cast", "vote.changed"}]
    last: dict[Any, str] = {}
    for e in roll:
        last[e.get("voter")] = str(e.get("commitment"))
    vote = session.scalar(
        select(Vote).where(Vote.proposal_id == proposal.id, Vote.commitment == commitment_hex)
    )
    if vote is None:
        if any(e.get("commitment") == commitment_hex for e in roll):
            return {"status": "replaced", "ballot": None}
        raise NotFound("This receipt matches no ballot on this proposal.", field="receipt")
    mine = commitment(community.slug, proposal.number, vote.ballot, salt)
    if not secrets.compare_digest(mine, commitment_hex):
        raise NotFound("This receipt matches no ballot on this proposal.", field="receipt")
    if last.get(vote.voter_id) != commitment_hex:
        return {"status": "missing", "ballot": None}
    revealed = [e for e in entries if e.get("type") == "ballots.revealed"]
    if not revealed:
        return {"status": "recorded", "ballot": None}
    if vote.ballot not in revealed[-1].get("ballots", []):
        return {"status": "missing", "ballot": None}
    return {"status": "counted", "ballot": vote.ballot}


def ledger_rows(session: Session, community: Community) -> list[tuple[int, str]]:
    """Every (seq, data) of the community's ledger, in order."""
    return [
        (row.seq, row.data)
        for row in session.execute(
            select_scoped(LedgerEntry, community.id)
            .with_only_columns(LedgerEntry.seq, LedgerEntry.data)
            .order_by(LedgerEntry.seq)
        )
    ]
