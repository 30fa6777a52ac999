"""Governance JSON API: proposals, ballots, delegation, and the verifiable ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Security
from fastapi.responses import PlainTextResponse
from sqlalchemy.orm import Session

from commonpot.communities import service as communities
from commonpot.communities.models import Community
from commonpot.errors import NotFound
from commonpot.governance import constitution, delegation, ledger, service, voting
from commonpot.governance.catchup import catch_up
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
from commonpot.http import Ctx, bearer_scheme, unit_of_work

router = APIRouter(prefix="/api", tags=["governance"], dependencies=[Security(bearer_scheme)])
router.include_router(grants_router)
BASE = "/communities/{slug}"
Number = Annotated[int, Path(ge=1, le=2_000_000_000)]
BIG = 2_000_000_000


def proposal_out(session: Session, proposal: Proposal) -> ProposalOut:
    """A proposal with its result once closed (or live, if the community chose open results)."""
    result = proposal.result
    if (
        result is None
        and proposal.state == State.ACTIVE.value
        and proposal.rules.get("open_results")
    ):
        live, turnout, eligible = voting.provisional(session, proposal)
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
        outcome=proposal.outcome,
    )


def _community(ctx: Ctx, slug: str) -> Community:
    return communities.readable_community(ctx.session, slug, ctx.viewer)


@router.get(BASE + "/proposals", response_model=list[ProposalOut])
def list_proposals(slug: str, request: Request, state: str | None = None) -> list[ProposalOut]:
    """Proposals you may see, newest first (filter by state)."""
    catch_up(request, slug)
    with unit_of_work(request) as ctx:
        community = _community(ctx, slug)
        found = service.visible_proposals(ctx.session, community, ctx.viewer)
        return [proposal_out(ctx.session, p) for p in found if state in (None, p.state)]


@router.post(BASE + "/proposals", response_model=ProposalOut, status_code=201)
def create_proposal(slug: str, body: ProposalIn, request: Request) -> ProposalOut:
    """Draft a proposal (members)."""
    with unit_of_work(request) as ctx:
        proposal = service.create_proposal(
            ctx.session,
            _community(ctx, slug),
            ctx.viewer,
            title=body.title,
            body=body.body,
            method=body.method,
            options=body.options,
            seats=body.seats,
            action=body.action.model_dump(),
            rules=body.rules.model_dump(exclude_none=True),
        )
        return proposal_out(ctx.session, proposal)


@router.get(BASE + "/proposals/{number}", response_model=ProposalOut)
def get_proposal(slug: str, number: Number, request: Request) -> ProposalOut:
    """One proposal."""
    catch_up(request, slug)
    with unit_of_work(request) as ctx:
        community = _community(ctx, slug)
        proposal = service.get_proposal(ctx.session, community, ctx.viewer, number)
        return proposal_out(ctx.session, proposal)


def _step(slug: str, number: int, request: Request, step: str) -> ProposalOut:
    with unit_of_work(request) as ctx:
        community = _community(ctx, slug)
        do = {
            "open": service.open_proposal,
            "close": service.close_proposal,
            "execute": service.execute_proposal,
            "cancel": service.cancel_proposal,
        }[step]
        proposal = do(ctx.session, community, ctx.viewer, number, ctx.settings)
        return proposal_out(ctx.session, proposal)


@router.post(BASE + "/proposals/{number}/open", response_model=ProposalOut)
def open_proposal(
    slug: str, number: Number, request: Request, body: OpenIn | None = None
) -> ProposalOut:
    """Open voting now or at `starts_at` (pending until then); rules, action hash and
    electorate are frozen (author or steward)."""
    if body is None or body.starts_at is None:
        return _step(slug, number, request, "open")
    with unit_of_work(request) as ctx:
        proposal = service.open_proposal(
            ctx.session,
            _community(ctx, slug),
            ctx.viewer,
            number,
            ctx.settings,
            starts_at=body.starts_at,
        )
        return proposal_out(ctx.session, proposal)


@router.post(BASE + "/proposals/{number}/close", response_model=ProposalOut)
def close_proposal(slug: str, number: Number, request: Request) -> ProposalOut:
    """Count the votes once voting ended (a steward may close early when all voted)."""
    return _step(slug, number, request, "close")


@router.post(BASE + "/proposals/{number}/execute", response_model=ProposalOut)
def execute_proposal(slug: str, number: Number, request: Request) -> ProposalOut:
    """Carry out a passed proposal after its timelock (once; failures are recorded)."""
    return _step(slug, number, request, "execute")


@router.post(BASE + "/proposals/{number}/cancel", response_model=ProposalOut)
def cancel_proposal(slug: str, number: Number, request: Request) -> ProposalOut:
    """Withdraw a proposal before voting ends (author or steward)."""
    return _step(slug, number, request, "cancel")


@router.put(BASE + "/proposals/{number}/vote", response_model=VoteOut)
def cast_vote(slug: str, number: Number, body: VoteIn, request: Request) -> VoteOut:
    """Cast or change your ballot while voting is open."""
    with unit_of_work(request) as ctx:
        vote, receipt = service.cast_ballot(
            ctx.session,
            _community(ctx, slug),
            ctx.viewer,
            number,
            body.ballot,
            ctx.settings,
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
def check_receipt(slug: str, number: Number, body: ReceiptIn, request: Request) -> ReceiptCheckOut:
    """Check a sealed ballot's receipt: recorded, replaced by a later vote, or counted as what."""
    catch_up(request, slug)
    with unit_of_work(request) as ctx:
        found = service.verify_receipt(
            ctx.session, _community(ctx, slug), ctx.viewer, number, body.receipt
        )
        return ReceiptCheckOut(status=found["status"], ballot=found["ballot"])


@router.get(BASE + "/constitution", response_model=ConstitutionOut)
def get_constitution(slug: str, request: Request) -> ConstitutionOut:
    """The constitution: the least quorum, threshold, voting time and wait per kind of action.

    It changes only through an executed `amend_constitution` proposal."""
    with unit_of_work(request) as ctx:
        version, floors = constitution.floors(ctx.session, _community(ctx, slug))
        return ConstitutionOut(
            version=version,
            floors={k: FloorOut(**v) for k, v in floors.items()},
            hard_floor=FloorOut(**constitution.HARD_FLOOR),
            amendment_hard_floor=FloorOut(**constitution.AMENDMENT_HARD_FLOOR),
        )


@router.get(BASE + "/proposals/{number}/vote", response_model=VoteOut)
def my_vote(slug: str, number: Number, request: Request) -> VoteOut:
    """Your own ballot on the proposal."""
    with unit_of_work(request) as ctx:
        community = _community(ctx, slug)
        proposal = service.get_proposal(ctx.session, community, ctx.viewer, number)
        vote = service.my_vote(ctx.session, proposal, ctx.viewer)
        if vote is None:
            raise NotFound("You have not voted on this proposal.")
        return VoteOut(ballot=vote.ballot, changes=vote.changes, signed=vote.signature is not None)


@router.get(BASE + "/proposals/{number}/comments", response_model=list[CommentOut])
def list_comments(slug: str, number: Number, request: Request) -> list[CommentOut]:
    """The proposal's discussion."""
    with unit_of_work(request) as ctx:
        proposal = service.get_proposal(ctx.session, _community(ctx, slug), ctx.viewer, number)
        return [
            CommentOut(
                id=c.id,
                author=c.author.display_name if c.author else None,
                body=c.body,
                created_at=c.created_at,
            )
            for c in service.comments(ctx.session, proposal)
        ]


@router.post(BASE + "/proposals/{number}/comments", response_model=CommentOut, status_code=201)
def add_comment(slug: str, number: Number, body: CommentIn, request: Request) -> CommentOut:
    """Join the discussion (members)."""
    with unit_of_work(request) as ctx:
        c = service.add_comment(ctx.session, _community(ctx, slug), ctx.viewer, number, body.body)
        name = c.author.display_name if c.author else None
        return CommentOut(id=c.id, author=name, body=c.body, created_at=c.created_at)


@router.get(BASE + "/delegations", response_model=list[DelegationOut])
def my_delegations(slug: str, request: Request) -> list[DelegationOut]:
    """Your delegations in this community."""
    with unit_of_work(request) as ctx:
        found = delegation.my_delegations(ctx.session, _community(ctx, slug), ctx.viewer)
        return [DelegationOut(delegate_id=d.delegate_id, scope=d.scope) for d in found]


@router.put(BASE + "/delegations", response_model=DelegationOut)
def delegate(slug: str, body: DelegationIn, request: Request) -> DelegationOut:
    """Delegate your vote (for one kind of action, or "*" for all); a direct vote overrides."""
    with unit_of_work(request) as ctx:
        d = delegation.delegate(
            ctx.session,
            _community(ctx, slug),
            ctx.viewer,
            body.delegate_id,
            ctx.settings,
            body.scope,
        )
        return DelegationOut(delegate_id=d.delegate_id, scope=d.scope)


@router.delete(BASE + "/delegations/{scope}", status_code=204)
def revoke(slug: str, scope: str, request: Request) -> None:
    """Take back a delegation."""
    with unit_of_work(request) as ctx:
        delegation.revoke_delegation(
            ctx.session, _community(ctx, slug), ctx.viewer, ctx.settings, scope
        )


@router.get(BASE + "/ledger/checkpoint", response_class=PlainTextResponse)
def checkpoint(slug: str, request: Request) -> PlainTextResponse:
    """The latest signed checkpoint (C2SP signed note, text/plain)."""
    catch_up(request, slug)
    with unit_of_work(request) as ctx:
        community = _community(ctx, slug)
        row = ledger.latest(ctx.session, community)
        note = row.note if row is not None else ledger.empty_note(ctx.settings, community)
        return PlainTextResponse(note)


@router.get(BASE + "/ledger/key", response_class=PlainTextResponse)
def verifier_key(slug: str, request: Request) -> PlainTextResponse:
    """The instance's verifier key (signed-note vkey)."""
    with unit_of_work(request) as ctx:
        _community(ctx, slug)
        return PlainTextResponse(ledger.instance_verifier(ctx.settings).vkey() + "\n")


@router.get(BASE + "/ledger/entries", response_model=EntriesOut)
def entries(
    slug: str,
    request: Request,
    start: int = Query(0, ge=0, le=BIG),
    end: int = Query(1000, ge=0, le=BIG),
) -> EntriesOut:
    """Entries start..end-1 (at most 1000) as canonical JSON strings."""
    with unit_of_work(request) as ctx:
        rows = ledger.entries(ctx.session, _community(ctx, slug), start, end)
        return EntriesOut(entries=[EntryOut(index=r.seq, data=r.data) for r in rows])


@router.get(BASE + "/ledger/proof/inclusion", response_model=InclusionOut)
def inclusion(
    slug: str,
    request: Request,
    index: int = Query(ge=0, le=BIG),
    tree_size: int = Query(ge=1, le=BIG),
) -> InclusionOut:
    """RFC 9162 inclusion proof of entry `index` in the tree of `tree_size` entries."""
    with unit_of_work(request) as ctx:
        proof = ledger.inclusion_proof(ctx.session, _community(ctx, slug), index, tree_size)
        return InclusionOut(index=index, tree_size=tree_size, proof=proof)


@router.get(BASE + "/ledger/proof/consistency", response_model=ConsistencyOut)
def consistency(
    slug: str, request: Request, first: int = Query(ge=1, le=BIG), second: int = Query(ge=1, le=BIG)
) -> ConsistencyOut:
    """RFC 9162 consistency proof between tree sizes `first` and `second`."""
    with unit_of_work(request) as ctx:
        proof = ledger.consistency_proof(ctx.session, _community(ctx, slug), first, second)
        return ConsistencyOut(first=first, second=second, proof=proof)


@router.get(BASE + "/ledger/verify", response_model=VerifyOut)
def verify(slug: str, request: Request) -> VerifyOut:
    """Recompute the ledger on the server and report (clients should also verify themselves)."""
    catch_up(request, slug)
    with unit_of_work(request) as ctx:
        community = _community(ctx, slug)
        report = ledger.verify(ctx.session, community, ctx.settings)
        return VerifyOut(
            ok=report.ok,
            size=report.size,
            first_bad=report.first_bad,
            problems=report.problems,
            checked_signatures=report.checked_signatures,
        )
