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
from commonpot.governance import constitution, delegation, ledger, secrecy, service
from commonpot.governance.api import proposal_out
from commonpot.governance.catchup import catch_up
from commonpot.governance.counting import RANKED
from commonpot.governance.grants_web import router as grants_router
from commonpot.governance.models import State
from commonpot.governance.tally import METHODS
from commonpot.http import Ctx, PostedForm, unit_of_work, verify_csrf_form
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


# Form field for each rule the constitution bounds (the API names them rules.<rule>).
FORM_FIELD = {
    "rules.quorum": "quorum",
    "rules.threshold": "threshold",
    "rules.voting_seconds": "voting_hours",
    "rules.timelock_seconds": "timelock_hours",
}


SHORT_LABELS = {
    "text": "decisions in words",
    "*": "actions",
    "amend_constitution": "changes to the constitution",
}


def _floor_rows(floors: dict[str, constitution.Floor]) -> list[dict[str, Any]]:
    labels = {a.kind: a.label for a in actions.load_all().values()}
    rows = []
    for kind, floor in sorted(floors.items(), key=lambda kv: (kv[0] != "text", kv[0] == "*")):
        label = "Every other action" if kind == "*" else labels.get(kind, kind)
        short = SHORT_LABELS.get(kind, label)
        rows.append(
            {
                "kind": kind,
                "label": label,
                "short": short,
                "quorum": constitution.percent(floor["quorum"]),
                "threshold": constitution.percent(floor["threshold"]),
                "inclusive": floor["inclusive"],
                "voting_hours": floor["voting_seconds"] / 3600,
                "timelock_hours": floor["timelock_seconds"] / 3600,
            }
        )
    return rows


def _list_page(
    request: Request,
    slug: str,
    ctx: Ctx,
    *,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
) -> Response:
    data = community_context(ctx, slug)
    community = data["community"]
    found = service.visible_proposals(ctx.session, community, ctx.viewer)
    groups: dict[str, list[Any]] = {}
    for p in found:
        groups.setdefault(p.state, []).append(p)
    order = [s for s in STATE_ORDER if s in groups] + [s for s in groups if s not in STATE_ORDER]
    version, floors = constitution.floors(ctx.session, community)
    standard = floors[constitution.FALLBACK]
    prefill = {
        "quorum": standard["quorum"],
        "threshold": standard["threshold"],
        "voting_hours": f"{standard['voting_seconds'] / 3600:g}",
        "timelock_hours": f"{standard['timelock_seconds'] / 3600:g}",
        "seats": "1",
        "secret": "default",
        "action_kind": "text",
        "method": "majority",
    }
    field = FORM_FIELD.get(error.field or "", error.field) if error else None
    data.update(
        groups=[(s, groups[s]) for s in order],
        methods=[(m, METHOD_LABELS[m]) for m in METHODS],
        action_kinds=sorted((a.kind, a.label) for a in actions.load_all().values()),
        delegations=delegation.my_delegations(ctx.session, community, ctx.viewer),
        members=[m for m in _members(ctx.session, community.id) if m.user_id != ctx.viewer.user_id]
        if data["is_member"]
        else [],
        constitution_version=version,
        floor_rows=_floor_rows(floors),
        values={**prefill, **(values or {})},
        form_error=error.detail if error else None,
        error_field=field,
    )
    return render(request, "governance/list.html", data, ctx=ctx, status_code=422 if error else 200)


@router.get(BASE, response_class=HTMLResponse)
def proposals_page(slug: str, request: Request) -> Response:
    """Proposals grouped by state, the constitution, and forms to propose and to delegate."""
    catch_up(request, slug)
    with unit_of_work(request) as ctx:
        return _list_page(request, slug, ctx)


def _form_list(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


def _hours(text: dict[str, str], key: str, default: str) -> int:
    raw = text.get(key) or default
    try:
        return int(float(raw) * 3600)
    except ValueError:
        raise Invalid("Hours are a number, e.g. 72 or 1.5.", field=key) from None


@router.post(BASE + "/proposals")
def create_proposal(slug: str, request: Request, posted: PostedForm) -> Response:
    """Draft a proposal from the form (shown again with the problem if a rule is too low)."""
    form = posted
    text = {k: str(v) for k, v in form.items()}
    with unit_of_work(request) as ctx:
        community = communities.readable_community(ctx.session, slug, ctx.viewer)
        try:
            with ctx.session.begin_nested():
                action = {"kind": text.get("action_kind", "text"), "params": _action_params(text)}
                rules: dict[str, Any] = {"open_results": text.get("open_results") == "on"}
                # a field left empty takes the floor (the form starts at the floor anyway)
                for key, field in (
                    ("voting_seconds", "voting_hours"),
                    ("timelock_seconds", "timelock_hours"),
                ):
                    if (text.get(field) or "").strip():
                        rules[key] = _hours(text, field, "0")
                for key in ("quorum", "threshold"):
                    if (text.get(key) or "").strip():
                        rules[key] = text[key].strip()
                ballot_mode = text.get("secret")
                if ballot_mode in {"secret", "open"}:
                    rules["secret"] = ballot_mode != "open"
                try:
                    seats = int(text.get("seats") or 1)
                except ValueError:
                    raise Invalid("Winners is a whole number.", field="seats") from None
                proposal = service.create_proposal(
                    ctx.session,
                    community,
                    ctx.viewer,
                    title=text.get("title", ""),
                    body=text.get("body", ""),
                    method=text.get("method", "majority"),
                    options=_form_list(text.get("options", "")),
                    seats=seats,
                    action=action,
                    rules=rules,
                )
        except ValueError:
            error = Invalid("Check the numbers.")
            return _list_page(request, slug, ctx, values=text, error=error)
        except DomainError as exc:
            return _list_page(request, slug, ctx, values=text, error=exc)
        return redirect(
            request,
            f"/communities/{slug}/governance/proposals/{proposal.number}",
            "Draft saved. Open voting when it is ready.",
        )


def _action_params(text: dict[str, str]) -> dict[str, Any]:  # noqa: PLR0911 - one per kind
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
    if kind == "admit_member":
        return {"user_id": int(text.get("user_id") or 0), "role": text.get("role") or "member"}
    if kind == "remove_member":
        return {"user_id": int(text.get("user_id") or 0)}
    if kind == "amend_constitution":
        floor = {
            "quorum": text.get("amend_quorum", ""),
            "threshold": text.get("amend_threshold", ""),
            "inclusive": text.get("amend_inclusive") == "on",
            "voting_seconds": _hours(text, "amend_voting_hours", "0"),
            "timelock_seconds": _hours(text, "amend_timelock_hours", "0"),
        }
        return {"floors": {text.get("amend_kind") or "*": floor}}
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
            sealed=secrecy.is_sealed(proposal.rules),
            secret=secrecy.is_secret(proposal.rules),
            floor_text=constitution.describe(proposal.floor) if proposal.floor else None,
            receipt_check=None,
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
def vote(slug: str, number: Number, request: Request, posted: PostedForm) -> Response:
    """Cast or change the ballot from the form."""
    form = dict(posted)
    url = f"/communities/{slug}/governance/proposals/{number}"
    with unit_of_work(request) as ctx:
        community = communities.readable_community(ctx.session, slug, ctx.viewer)
        try:
            proposal = service.get_proposal(ctx.session, community, ctx.viewer, number)
            ballot = ballot_from_form(proposal.method, proposal.options, form)
            _, receipt = service.cast_ballot(
                ctx.session, community, ctx.viewer, number, ballot, ctx.settings
            )
        except DomainError as exc:
            return redirect_error(request, url + "#ballot", exc)
        if receipt is not None:
            data = community_context(ctx, slug)
            data.update(proposal=proposal, receipt=receipt)
            response = render(request, "governance/receipt.html", data, ctx=ctx)
            response.headers["Cache-Control"] = "no-store"
            return response
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


@router.post(BASE + "/proposals/{number}/receipt")
def check_receipt(slug: str, number: Number, request: Request, posted: PostedForm) -> Response:
    """Check a pasted receipt: recorded, replaced, or counted as which ballot."""
    form = posted
    catch_up(request, slug)
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        community = data["community"]
        proposal = service.get_proposal(ctx.session, community, ctx.viewer, number)
        try:
            found = service.verify_receipt(
                ctx.session, community, ctx.viewer, number, str(form.get("receipt", ""))
            )
            outcome: dict[str, Any] = {"ok": True, **found}
        except DomainError as exc:
            outcome = {"ok": False, "status": "unknown", "detail": exc.detail, "ballot": None}
        data.update(proposal=proposal, check=outcome)
        return render(
            request,
            "governance/receipt.html",
            data,
            ctx=ctx,
            status_code=200 if outcome["ok"] else 422,
        )


@router.post(BASE + "/proposals/{number}/comments")
def comment(slug: str, number: Number, request: Request, posted: PostedForm) -> Response:
    """Post to the discussion."""
    form = posted
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
def delegation_form(slug: str, request: Request, posted: PostedForm) -> Response:
    """Delegate your vote, or take the delegation back."""
    form = posted
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
