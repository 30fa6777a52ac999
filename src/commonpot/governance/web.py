"""Governance pages: proposals by state, a ballot for every method, results, the ledger."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot import actions
from commonpot.communities import service as communities
from commonpot.communities.models import Membership
from commonpot.communities.web import community_context
from commonpot.errors import DomainError, Invalid
from commonpot.governance import delegation, ledger, service
from commonpot.governance.api import proposal_out
from commonpot.governance.catchup import catch_up
from commonpot.governance.counting import RANKED
from commonpot.governance.grants_web import router as grants_router
from commonpot.governance.models import State
from commonpot.governance.tally import METHODS
from commonpot.http import unit_of_work, verify_csrf_form
from commonpot.parsing import is_digits
from commonpot.templating import redirect, redirect_error, render

Number = Annotated[int, Path(ge=1, le=2_000_000_000)]
router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
router.include_router(grants_router)
SECTION = {
    "label": "Decisions",
    "path": "governance",
    "order": 40,
    "blurb": "Proposals, votes and the community's verifiable ledger.",
}
BASE = "/communities/{slug}/governance"
STATE_ORDER = ["active", "pending", "queued", "draft", "executed", "succeeded", "defeated"]
METHOD_LABELS = {
    "majority": "Yes / no / abstain",
    "plurality": "One choice (plurality)",
    "approval": "Approve any (approval)",
    "irv": "Ranked, one winner (instant runoff)",
    "stv": "Ranked, several winners (STV)",
    "schulze": "Ranked, head-to-head (Schulze)",
    "borda": "Ranked, points (Borda)",
    "quadratic": "Spend credits (quadratic)",
}


def _members(session: Session, community_id: int) -> list[Membership]:
    return list(session.scalars(select(Membership).where(Membership.community_id == community_id)))


@router.get(BASE, response_class=HTMLResponse)
def proposals_page(slug: str, request: Request) -> Response:
    """Proposals grouped by state, with forms to propose and to delegate."""
    catch_up(request, slug)
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        community = data["community"]
        found = service.visible_proposals(ctx.session, community, ctx.viewer)
        groups: dict[str, list[Any]] = {}
        for p in found:
            groups.setdefault(p.state, []).append(p)
        order = [s for s in STATE_ORDER if s in groups] + [
            s for s in groups if s not in STATE_ORDER
        ]
        data.update(
            groups=[(s, groups[s]) for s in order],
            methods=[(m, METHOD_LABELS[m]) for m in METHODS],
            action_kinds=sorted((a.kind, a.label) for a in actions.load_all().values()),
            delegations=delegation.my_delegations(ctx.session, community, ctx.viewer),
            members=[
                m for m in _members(ctx.session, community.id) if m.user_id != ctx.viewer.user_id
            ]
            if data["is_member"]
            else [],
        )
        return render(request, "governance/list.html", data, ctx=ctx)


def _form_list(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


@router.post(BASE + "/proposals")
async def create_proposal(slug: str, request: Request) -> Response:
    """Draft a proposal from the form."""
    form = await request.form()
    text = {k: str(v) for k, v in form.items()}
    with unit_of_work(request) as ctx:
        community = communities.readable_community(ctx.session, slug, ctx.viewer)
        try:
            action = {"kind": text.get("action_kind", "text"), "params": _action_params(text)}
            rules = {
                "voting_seconds": int(float(text.get("voting_hours") or 72) * 3600),
                "timelock_seconds": int(float(text.get("timelock_hours") or 0) * 3600),
                "quorum": text.get("quorum") or "0",
                "open_results": text.get("open_results") == "on",
            }
            proposal = service.create_proposal(
                ctx.session,
                community,
                ctx.viewer,
                title=text.get("title", ""),
                body=text.get("body", ""),
                method=text.get("method", "majority"),
                options=_form_list(text.get("options", "")),
                seats=int(text.get("seats") or 1),
                action=action,
                rules=rules,
            )
        except ValueError:
            return redirect_error(
                request, f"/communities/{slug}/governance", Invalid("Check the numbers.")
            )
        except DomainError as exc:
            return redirect_error(request, f"/communities/{slug}/governance", exc)
        return redirect(
            request,
            f"/communities/{slug}/governance/proposals/{proposal.number}",
            "Draft saved. Open voting when it is ready.",
        )


def _action_params(text: dict[str, str]) -> dict[str, Any]:
    kind = text.get("action_kind", "text")
    if kind == "text":
        return {"note": text.get("action_note", "")} if text.get("action_note") else {}
    if kind == "grant":
        return {
            "pool": text.get("grant_pool", "treasury"),
            "amount": int(text.get("grant_amount") or 0),
            "recipient": text.get("grant_recipient", ""),
        }
    if kind in {"commit_allocation_run"}:
        return {"run_id": int(text.get("run_id") or 0)}
    if kind == "change_setting":
        return {"key": text.get("setting_key", ""), "value": text.get("setting_value", "")}
    if kind in {"admit_member", "remove_member"}:
        return {"user_id": int(text.get("user_id") or 0)}
    return {}


@router.get(BASE + "/proposals/{number}", response_class=HTMLResponse)
def proposal_page(slug: str, number: Number, request: Request) -> Response:
    """A proposal: what it does, the ballot, results round by round, discussion."""
    catch_up(request, slug)
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        community = data["community"]
        proposal = service.get_proposal(ctx.session, community, ctx.viewer, number)
        out = proposal_out(ctx.session, proposal)
        mine = service.my_vote(ctx.session, proposal, ctx.viewer)
        can_vote = (
            proposal.state == State.ACTIVE.value
            and ctx.viewer.user_id is not None
            and str(ctx.viewer.user_id) in proposal.electorate
        )
        is_author = proposal.author_id is not None and proposal.author_id == ctx.viewer.user_id
        data.update(
            proposal=proposal,
            out=out,
            result=out.result,
            my_ballot=mine.ballot if mine else None,
            can_vote=can_vote,
            can_manage=is_author or data["is_steward"],
            ranked=proposal.method in RANKED,
            method_label=METHOD_LABELS.get(proposal.method, proposal.method),
            action_text=_describe(proposal.action),
            comments=service.comments(ctx.session, proposal),
            rank_of=_rank_of(mine.ballot if mine else None),
        )
        return render(request, "governance/proposal.html", data, ctx=ctx)


def _describe(action: dict[str, Any]) -> str:
    try:
        kind = actions.get(action["kind"])
    except DomainError:
        return str(action)
    return f"{kind.label}: {kind.describe(action['params'])}"


def _rank_of(ballot: dict[str, Any] | None) -> dict[str, int]:
    if not ballot or "ranking" not in ballot:
        return {}
    return {name: i + 1 for i, group in enumerate(ballot["ranking"]) for name in group}


def ballot_from_form(method: str, options: list[str], form: dict[str, Any]) -> dict[str, Any]:
    """Turn the ballot form's fields into the method's ballot."""
    if method in {"plurality", "majority"}:
        return {"choice": form.get("choice")}
    if method == "approval":
        return {"approve": [o for i, o in enumerate(options) if form.get(f"approve-{i}") == "on"]}
    if method == "quadratic":
        credits: dict[str, int] = {}
        for i, name in enumerate(options):
            raw = str(form.get(f"credits-{i}") or "0").strip()
            if not is_digits(raw):
                raise Invalid("Credits are whole numbers.", field="ballot.credits")
            credits[name] = int(raw)
        return {"credits": credits}
    ranks: dict[int, list[str]] = {}
    for i, name in enumerate(options):
        raw = str(form.get(f"rank-{i}") or "").strip()
        if raw:
            if not is_digits(raw) or int(raw) < 1:
                raise Invalid("Ranks are 1, 2, 3...", field="ballot.ranking")
            ranks.setdefault(int(raw), []).append(name)
    return {"ranking": [ranks[r] for r in sorted(ranks)]}


@router.post(BASE + "/proposals/{number}/vote")
async def vote(slug: str, number: Number, request: Request) -> Response:
    """Cast or change the ballot from the form."""
    form = dict(await request.form())
    url = f"/communities/{slug}/governance/proposals/{number}"
    with unit_of_work(request) as ctx:
        community = communities.readable_community(ctx.session, slug, ctx.viewer)
        try:
            proposal = service.get_proposal(ctx.session, community, ctx.viewer, number)
            ballot = ballot_from_form(proposal.method, proposal.options, form)
            service.cast_vote(ctx.session, community, ctx.viewer, number, ballot, ctx.settings)
        except DomainError as exc:
            return redirect_error(request, url + "#ballot", exc)
        return redirect(
            request, url, "Your vote is recorded. You can change it until voting closes."
        )


def _step(request: Request, slug: str, number: int, step: str, done: str) -> Response:
    url = f"/communities/{slug}/governance/proposals/{number}"
    do = {
        "open": service.open_proposal,
        "close": service.close_proposal,
        "execute": service.execute_proposal,
        "cancel": service.cancel_proposal,
    }[step]
    with unit_of_work(request) as ctx:
        community = communities.readable_community(ctx.session, slug, ctx.viewer)
        try:
            proposal = do(ctx.session, community, ctx.viewer, number, ctx.settings)
        except DomainError as exc:
            return redirect_error(request, url, exc)
        message = proposal.outcome if step == "execute" and proposal.outcome else done
        return redirect(request, url, message)


@router.post(BASE + "/proposals/{number}/open")
def open_voting(slug: str, number: Number, request: Request) -> Response:
    """Open voting."""
    return _step(request, slug, number, "open", "Voting is open.")


@router.post(BASE + "/proposals/{number}/close")
def close_voting(slug: str, number: Number, request: Request) -> Response:
    """Count the votes."""
    return _step(request, slug, number, "close", "The votes are counted.")


@router.post(BASE + "/proposals/{number}/execute")
def execute(slug: str, number: Number, request: Request) -> Response:
    """Carry out the decision."""
    return _step(request, slug, number, "execute", "Carried out.")


@router.post(BASE + "/proposals/{number}/cancel")
def cancel(slug: str, number: Number, request: Request) -> Response:
    """Withdraw the proposal."""
    return _step(request, slug, number, "cancel", "The proposal is withdrawn.")


@router.post(BASE + "/proposals/{number}/comments")
async def comment(slug: str, number: Number, request: Request) -> Response:
    """Post to the discussion."""
    form = await request.form()
    url = f"/communities/{slug}/governance/proposals/{number}"
    with unit_of_work(request) as ctx:
        community = communities.readable_community(ctx.session, slug, ctx.viewer)
        try:
            service.add_comment(
                ctx.session, community, ctx.viewer, number, str(form.get("body", ""))
            )
        except DomainError as exc:
            return redirect_error(request, url + "#discussion", exc)
        return redirect(request, url + "#discussion", "Posted.")


@router.post(BASE + "/delegation")
async def delegation_form(slug: str, request: Request) -> Response:
    """Delegate your vote, or take the delegation back."""
    form = await request.form()
    url = f"/communities/{slug}/governance"
    with unit_of_work(request) as ctx:
        community = communities.readable_community(ctx.session, slug, ctx.viewer)
        scope = str(form.get("scope") or "*")
        try:
            if form.get("revoke"):
                delegation.revoke_delegation(
                    ctx.session, community, ctx.viewer, ctx.settings, scope
                )
                return redirect(request, url, "Delegation withdrawn: you vote yourself.")
            delegate_id = int(str(form.get("delegate_id") or 0))
            delegation.delegate(
                ctx.session, community, ctx.viewer, delegate_id, ctx.settings, scope
            )
        except ValueError:
            return redirect_error(request, url, Invalid("Choose a member."))
        except DomainError as exc:
            return redirect_error(request, url, exc)
        return redirect(request, url, "Delegated. Your own vote still overrides it.")


@router.get(BASE + "/ledger", response_class=HTMLResponse)
def ledger_page(slug: str, request: Request) -> Response:
    """The ledger: latest signed checkpoint, the key, the newest entries."""
    catch_up(request, slug)
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        community = data["community"]
        checkpoint = ledger.latest(ctx.session, community)
        count = ledger.size(ctx.session, community)
        start = max(0, count - 50)
        data.update(
            checkpoint=checkpoint,
            vkey=ledger.instance_verifier(ctx.settings).vkey(),
            entries=list(reversed(ledger.entries(ctx.session, community, start, count))),
            count=count,
            base_url=(ctx.settings.base_url or str(request.base_url)).rstrip("/"),
        )
        return render(request, "governance/ledger.html", data, ctx=ctx)


@router.get(BASE + "/ledger/verify", response_class=HTMLResponse)
def verify_page(slug: str, request: Request) -> Response:
    """Recompute the whole ledger now and show what was found."""
    catch_up(request, slug)
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        data["report"] = ledger.verify(ctx.session, data["community"], ctx.settings)
        data["base_url"] = (ctx.settings.base_url or str(request.base_url)).rstrip("/")
        return render(request, "governance/verify.html", data, ctx=ctx)
