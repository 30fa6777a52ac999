"""Governance JSON API: proposals, ballots, delegation, and the verifiable ledger."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Path, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import TypeAdapter

from commonpot.communities.scope import CommunityScope, Here
from commonpot.errors import NotFound
from commonpot.governance import ballot_box, constitution, delegation, ledger, service
from commonpot.governance.catchup import CaughtUp, caught_up_read
from commonpot.governance.grants_api import router as grants_router
from commonpot.governance.models import Proposal, State
from commonpot.governance.schemas import (
    CommentIn,
    CommentOut,
    ConsistencyOut,
    ConstitutionOut,
    DelegationIn,
    DelegationOut,
    EntriesOut,
    EntryOut,
    FloorOut,
    InclusionOut,
    OpenIn,
    ProposalIn,
    ProposalOut,
    ReceiptCheckOut,
    ReceiptIn,
    ReceiptOut,
    VerifyOut,
    VoteIn,
    VoteOut,
)
from commonpot.http import api_router_for, say_pages
from commonpot.params import Paged
from commonpot.settings import Settings
from commonpot.templating import reader

router = api_router_for("governance")
router.include_router(grants_router)
BASE = "/communities/{slug}"
Number = Annotated[int, Path(ge=1, le=2_000_000_000)]
BIG = 2_000_000_000
Step = Callable[[Any, Any, Any, int, Settings | None], Proposal]


def proposal_out(here: Here, proposal: Proposal) -> ProposalOut:
    """A proposal with its result once closed (or live, if the community chose open results).

    Its outcome reads in the language of the request (Accept-Language, or the reader's choice).
    """
    session = here.session
    result = proposal.result
    if (
        result is None
        and proposal.state == State.ACTIVE.value
        and proposal.rules.get("open_results")
    ):
        live, turnout, eligible = ballot_box.provisional(session, proposal)
        result = {**live.to_json(), "turnout": turnout, "eligible": eligible, "live": True}
    return ProposalOut(
        number=proposal.number,
        title=proposal.title,
        body=proposal.body,
        state=proposal.state,
        method=proposal.method,
        options=proposal.options,
        seats=proposal.seats,
        rules=proposal.rules,
        action=proposal.action,
        action_hash=proposal.action_hash,
        electorate_size=len(proposal.electorate),
        opens_at=proposal.opens_at,
        closes_at=proposal.closes_at,
        extended=proposal.extended,
        executable_at=proposal.executable_at,
        executed_at=proposal.executed_at,
        result=result,
        outcome=service.outcome_in(proposal, reader(here.request)),
    )


@router.get(BASE + "/proposals", response_model=list[ProposalOut])
async def list_proposals(
    request: Request, slug: str, window: Paged, state: str | None = None
) -> Response:
    """Proposals you may see, newest first (filter by state); a page of them with `limit`."""

    def answer(here: Here) -> Response:
        found = service.visible_proposals(
            here.session, here.community, here.viewer, state=state, window=window
        )
        out = [proposal_out(here, p) for p in found]
        answered = Response(_PROPOSALS.dump_json(out), media_type="application/json")
        say_pages(request, answered, window, len(found))
        return answered

    return await caught_up_read(request, slug, answer)


_PROPOSALS = TypeAdapter(list[ProposalOut])


@router.post(BASE + "/proposals", response_model=ProposalOut, status_code=201)
def create_proposal(here: CommunityScope, body: ProposalIn) -> ProposalOut:
    """Draft a proposal (members)."""
    proposal = service.create_proposal(
        here.session,
        here.community,
        here.viewer,
        title=body.title,
        body=body.body,
        method=body.method,
        options=body.options,
        seats=body.seats,
        action=body.action.model_dump(),
        rules=body.rules.model_dump(exclude_none=True),
    )
    return proposal_out(here, proposal)


@router.get(BASE + "/proposals/{number}", response_model=ProposalOut)
async def get_proposal(request: Request, slug: str, number: Number) -> Response:
    """One proposal."""

    def answer(here: Here) -> Response:
        proposal = service.get_proposal(here.session, here.community, here.viewer, number)
        out = proposal_out(here, proposal).model_dump_json()
        return Response(out, media_type="application/json")

    return await caught_up_read(request, slug, answer)


def _step(here: Here, number: int, do: Step) -> ProposalOut:
    proposal = do(here.session, here.community, here.viewer, number, here.settings)
    return proposal_out(here, proposal)


@router.post(BASE + "/proposals/{number}/open", response_model=ProposalOut)
def open_proposal(here: CommunityScope, number: Number, body: OpenIn | None = None) -> ProposalOut:
    """Open voting now or at `starts_at` (pending until then); rules, action hash and
    electorate are frozen (author or steward)."""
    if body is None or body.starts_at is None:
        return _step(here, number, service.open_proposal)
    proposal = service.open_proposal(
        here.session,
        here.community,
        here.viewer,
        number,
        here.settings,
        starts_at=body.starts_at,
    )
    return proposal_out(here, proposal)


@router.post(BASE + "/proposals/{number}/close", response_model=ProposalOut)
def close_proposal(here: CommunityScope, number: Number) -> ProposalOut:
    """Count the votes once voting ended (a steward may close early when all voted)."""
    return _step(here, number, service.close_proposal)


@router.post(BASE + "/proposals/{number}/execute", response_model=ProposalOut)
def execute_proposal(here: CommunityScope, number: Number) -> ProposalOut:
    """Carry out a passed proposal after its timelock (once; failures are recorded)."""
    return _step(here, number, service.execute_proposal)


@router.post(BASE + "/proposals/{number}/cancel", response_model=ProposalOut)
def cancel_proposal(here: CommunityScope, number: Number) -> ProposalOut:
    """Withdraw a proposal before voting ends (author or steward)."""
    return _step(here, number, service.cancel_proposal)


@router.put(BASE + "/proposals/{number}/vote", response_model=VoteOut)
def cast_vote(here: CommunityScope, number: Number, body: VoteIn) -> VoteOut:
    """Cast or change your ballot while voting is open."""
    vote, receipt = service.cast_ballot(
        here.session,
        here.community,
        here.viewer,
        number,
        body.ballot,
        here.settings,
        signature=body.signature,
        salt=body.salt,
    )
    return VoteOut(
        ballot=vote.ballot,
        changes=vote.changes,
        signed=vote.signature is not None,
        receipt=None
        if receipt is None
        else ReceiptOut(
            proposal=receipt.proposal,
            commitment=receipt.commitment,
            salt=receipt.salt,
            text=receipt.text,
        ),
    )


@router.post(BASE + "/proposals/{number}/receipt", response_model=ReceiptCheckOut)
def check_receipt(here: CaughtUp, number: Number, body: ReceiptIn) -> ReceiptCheckOut:
    """Check a sealed ballot's receipt: recorded, replaced by a later vote, or counted as what."""
    found = service.verify_receipt(here.session, here.community, here.viewer, number, body.receipt)
    return ReceiptCheckOut(status=found["status"], ballot=found["ballot"])


@router.get(BASE + "/constitution", response_model=ConstitutionOut)
def get_constitution(here: CommunityScope) -> ConstitutionOut:
    """The constitution: the least quorum, threshold, voting time and wait per kind of action.

    It changes only through an executed `amend_constitution` proposal."""
    version, floors = constitution.floors(here.session, here.community)
    return ConstitutionOut(
        version=version,
        floors={k: FloorOut(**v) for k, v in floors.items()},
        hard_floor=FloorOut(**constitution.HARD_FLOOR),
        amendment_hard_floor=FloorOut(**constitution.AMENDMENT_HARD_FLOOR),
    )


@router.get(BASE + "/proposals/{number}/vote", response_model=VoteOut)
def my_vote(here: CommunityScope, number: Number) -> VoteOut:
    """Your own ballot on the proposal."""
    proposal = service.get_proposal(here.session, here.community, here.viewer, number)
    vote = service.my_vote(here.session, proposal, here.viewer)
    if vote is None:
        raise NotFound("You have not voted on this proposal.")
    return VoteOut(ballot=vote.ballot, changes=vote.changes, signed=vote.signature is not None)


@router.get(BASE + "/proposals/{number}/comments", response_model=list[CommentOut])
def list_comments(here: CommunityScope, number: Number) -> list[CommentOut]:
    """The proposal's discussion."""
    proposal = service.get_proposal(here.session, here.community, here.viewer, number)
    return [
        CommentOut(
            id=c.id,
            author=c.author,
            body=c.body,
            created_at=c.created_at,
        )
        for c in service.comments(here.session, proposal)
    ]


@router.post(BASE + "/proposals/{number}/comments", response_model=CommentOut, status_code=201)
def add_comment(here: CommunityScope, number: Number, body: CommentIn) -> CommentOut:
    """Join the discussion (members)."""
    c = service.add_comment(here.session, here.community, here.viewer, number, body.body)
    name = c.author.display_name if c.author else None
    return CommentOut(id=c.id, author=name, body=c.body, created_at=c.created_at)


@router.get(BASE + "/delegations", response_model=list[DelegationOut])
def my_delegations(here: CommunityScope) -> list[DelegationOut]:
    """Your delegations in this community."""
    found = delegation.my_delegations(here.session, here.community, here.viewer)
    return [DelegationOut(delegate_id=d.delegate_id, scope=d.scope) for d in found]


@router.put(BASE + "/delegations", response_model=DelegationOut)
def delegate(here: CommunityScope, body: DelegationIn) -> DelegationOut:
    """Delegate your vote (for one kind of action, or "*" for all); a direct vote overrides."""
    d = delegation.delegate(
        here.session,
        here.community,
        here.viewer,
        body.delegate_id,
        here.settings,
        body.scope,
    )
    return DelegationOut(delegate_id=d.delegate_id, scope=d.scope)


@router.delete(BASE + "/delegations/{scope}", status_code=204)
def revoke(here: CommunityScope, scope: str) -> None:
    """Take back a delegation."""
    delegation.revoke_delegation(here.session, here.community, here.viewer, here.settings, scope)


@router.get(BASE + "/ledger/checkpoint", response_class=PlainTextResponse)
async def checkpoint(request: Request, slug: str) -> Response:
    """The latest signed checkpoint (C2SP signed note, text/plain)."""

    def answer(here: Here) -> PlainTextResponse:
        row = ledger.latest(here.session, here.community)
        note = row.note if row is not None else ledger.empty_note(here.settings, here.community)
        return PlainTextResponse(note)

    return await caught_up_read(request, slug, answer)


@router.get(BASE + "/ledger/key", response_class=PlainTextResponse)
def verifier_key(here: CommunityScope) -> PlainTextResponse:
    """The instance's verifier key (signed-note vkey)."""
    return PlainTextResponse(ledger.instance_verifier(here.settings).vkey() + "\n")


@router.get(BASE + "/ledger/entries", response_model=EntriesOut)
def entries(
    here: CommunityScope, start: int = Query(0, ge=0, le=BIG), end: int = Query(1000, ge=0, le=BIG)
) -> EntriesOut:
    """Entries start..end-1 (at most 1000) as canonical JSON strings."""
    rows = ledger.entries(here.session, here.community, start, end)
    return EntriesOut(entries=[EntryOut(index=r.seq, data=r.data) for r in rows])


@router.get(BASE + "/ledger/proof/inclusion", response_model=InclusionOut)
def inclusion(
    here: CommunityScope, index: int = Query(ge=0, le=BIG), tree_size: int = Query(ge=1, le=BIG)
) -> InclusionOut:
    """RFC 9162 inclusion proof of entry `index` in the tree of `tree_size` entries."""
    proof = ledger.inclusion_proof(here.session, here.community, index, tree_size)
    return InclusionOut(index=index, tree_size=tree_size, proof=proof)


@router.get(BASE + "/ledger/proof/consistency", response_model=ConsistencyOut)
def consistency(
    here: CommunityScope, first: int = Query(ge=1, le=BIG), second: int = Query(ge=1, le=BIG)
) -> ConsistencyOut:
    """RFC 9162 consistency proof between tree sizes `first` and `second`."""
    proof = ledger.consistency_proof(here.session, here.community, first, second)
    return ConsistencyOut(first=first, second=second, proof=proof)


@router.get(BASE + "/ledger/verify", response_model=VerifyOut)
def verify(here: CaughtUp) -> VerifyOut:
    """Recompute the ledger on the server and report (clients should also verify themselves)."""
    report = ledger.verify(here.session, here.community, here.settings)
    return VerifyOut(
        ok=report.ok,
        size=report.size,
        first_bad=report.first_bad,
        problems=report.problems,
        checked_signatures=report.checked_signatures,
    )
