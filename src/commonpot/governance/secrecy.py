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
whose vote counts (delegated votes follow their delegate's ballot), so `counting.count`
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

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot.communities.models import Community
from commonpot.errors import Invalid, NotFound
from commonpot.governance import counting
from commonpot.governance.canonical import canonical_json
from commonpot.governance.ledger import Report
from commonpot.governance.models import LedgerEntry, Proposal, Vote
from commonpot.governance.results import TallyResult

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


def commitment(community: str, proposal: int, ballot: dict[str, Any], salt: str) -> str:
    """Hex SHA-256 over the canonical JSON of community, proposal, ballot and salt."""
    body = {"ballot": ballot, "community": community, "proposal": proposal, "salt": salt}
    return hashlib.sha256(canonical_json(body)).hexdigest()


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
    from commonpot.governance.voting import seed

    return counting.count(
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
        select(LedgerEntry.data)
        .where(LedgerEntry.community_id == community.id)
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
            select(LedgerEntry.seq, LedgerEntry.data)
            .where(LedgerEntry.community_id == community.id)
            .order_by(LedgerEntry.seq)
        )
    ]


def audit(rows: list[tuple[int, str]], report: Report) -> int:
    """Recount every sealed proposal from ledger entries alone; returns how many were recounted.

    For each `ballots.revealed` entry: its ballots, counted with the method, options, seats,
    rules and electorate of the proposal's `proposal.opened` entry, must give the result of
    the `proposal.tallied` entry; a secret ballot publishes one ballot per voter on the roll;
    an open one publishes each voter's ballot and salt, which must hash to the voter's last
    commitment on the roll.
    """
    opened: dict[int, dict[str, Any]] = {}
    roll: dict[int, dict[Any, str]] = {}
    revealed: dict[int, tuple[int, dict[str, Any]]] = {}
    recounted = 0
    for seq, data in rows:
        try:
            entry = json.loads(data)
        except ValueError:
            continue  # check_entries reports it
        if not isinstance(entry, dict):
            continue
        kind, number = entry.get("type"), entry.get("proposal")
        if not isinstance(number, int):
            continue
        if kind == "proposal.opened":
            opened[number], roll[number] = entry, {}
        elif kind in {"vote.cast", "vote.changed"} and "commitment" in entry:
            roll.setdefault(number, {})[entry.get("voter")] = str(entry["commitment"])
        elif kind == "ballots.revealed":
            revealed[number] = (seq, entry)
        elif kind == "proposal.tallied" and number in revealed:
            seq_r, shown = revealed.pop(number)
            problem = _audit_one(opened.get(number), roll.get(number, {}), shown, entry)
            if problem:
                report.bad(seq_r, f"entry {seq_r}: proposal {number}: {problem}")
            else:
                recounted += 1
    return recounted


def _audit_one(
    opened: dict[str, Any] | None,
    roll: dict[Any, str],
    shown: dict[str, Any],
    tallied: dict[str, Any],
) -> str | None:
    if opened is None:
        return "ballots published for a proposal that never opened"
    ballots = shown.get("ballots")
    if not isinstance(ballots, list):
        return "no ballot list"
    return _check_roll(opened, roll, shown, ballots) or _recount(opened, ballots, tallied)


def _check_roll(
    opened: dict[str, Any], roll: dict[Any, str], shown: dict[str, Any], ballots: list[Any]
) -> str | None:
    slug, number = str(opened.get("community")), int(opened["proposal"])
    if shown.get("secret"):
        if len(ballots) != len(roll):
            return f"{len(ballots)} ballots published for {len(roll)} voters"
        return None
    votes = shown.get("votes") or []
    if {v.get("voter") for v in votes} != set(roll):
        return "the published voters differ from the roll"
    for v in votes:
        if commitment(slug, number, v.get("ballot"), str(v.get("salt"))) != roll[v["voter"]]:
            return f"voter {v.get('voter')}'s ballot does not match their commitment"
    return None


def _recount(opened: dict[str, Any], ballots: list[Any], tallied: dict[str, Any]) -> str | None:
    try:
        result = counting.count(
            str(opened["method"]),
            list(opened["options"]),
            int(opened["seats"]),
            [(b, 1) for b in ballots],
            rules=dict(opened["rules"]),
            eligible=sum(int(w) for w in dict(opened["electorate"]).values()),
            seed=int(str(opened["action_hash"])[:8], 16),
        ).to_json()
    except (Invalid, KeyError, TypeError, ValueError) as exc:
        return f"the published ballots cannot be counted ({exc})"
    # the tally adds turnout, eligible and passed (majority results carry the last two too)
    added = {"turnout", "eligible", "passed"}
    declared = {k: v for k, v in dict(tallied.get("result") or {}).items() if k not in added}
    recounted = {k: v for k, v in json.loads(json.dumps(result)).items() if k not in added}
    if recounted != declared:
        return "the published ballots do not recount to the declared result"
    return None
