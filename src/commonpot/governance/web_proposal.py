"""One proposal's page and its forms: the ballot, opening and closing, receipts, discussion."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from commonpot import actions
from commonpot.accounts import User
from commonpot.communities.scope import CommunityScope, Here
from commonpot.errors import DomainError, Invalid, NotFound
from commonpot.governance import ballot_box, constitution, result_view, secrecy, service
from commonpot.governance.api import proposal_out
from commonpot.governance.cast_ballots import RANKED
from commonpot.governance.catchup import CaughtUp, caught_up_read
from commonpot.governance.models import Proposal, State
from commonpot.governance.refused import Refused, form_context, status_of
from commonpot.http import PostedForm
from commonpot.parsing import is_digits
from commonpot.settings import Settings
from commonpot.templating import N_, Reader, reader, redirect, render

Number = Annotated[int, Path(ge=1, le=2_000_000_000)]
router = APIRouter()
PAGE = "/communities/{slug}/governance/proposals/{number}"
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


def _url(here: Here, number: int) -> str:
    return f"/communities/{here.community.slug}/governance/proposals/{number}"


def _proposal_page(
    request: Request, here: Here, number: int, refused: Refused | None = None
) -> Response:
    """The proposal page; after a failed form, with what was typed and the message (422)."""
    proposal, mine = service.proposal_and_vote(here.session, here.community, here.viewer, number)
    out = proposal_out(here, proposal)
    ballot = mine.ballot if mine else None
    if refused is not None and refused.form == "ballot":
        ballot = typed_ballot(proposal.method, proposal.options, refused.values)
    can_vote = (
        proposal.state == State.ACTIVE.value
        and here.viewer.user_id is not None
        and str(here.viewer.user_id) in proposal.electorate
    )
    is_author = proposal.author_id is not None and proposal.author_id == here.viewer.user_id
    # the same rule as closing.close_proposal: a steward, once everyone has voted
    can_count = False
    if proposal.state == State.ACTIVE.value and here.is_steward:
        _, turnout, eligible = ballot_box.provisional(here.session, proposal)
        can_count = turnout >= eligible
    words = reader(request, _names_in(here, proposal.action))
    data = here.page(
        proposal=proposal,
        out=out,
        result=out.result,
        view=result_view.build(proposal.method, proposal.options, out.result)
        if out.result
        else None,
        can_count=can_count,
        my_ballot=ballot,
        voted=mine is not None,
        can_vote=can_vote,
        can_manage=is_author or here.is_steward,
        ranked=proposal.method in RANKED,
        method_label=METHOD_LABELS.get(proposal.method, proposal.method),
        action_text=_describe(proposal.action, words),
        comments=service.comments(here.session, proposal),
        rank_of=_rank_of(ballot),
        sealed=secrecy.is_sealed(proposal.rules),
        secret=secrecy.is_secret(proposal.rules),
        floor_text=constitution.describe(proposal.floor, words) if proposal.floor else None,
        receipt_check=None,
        **form_context(refused),
    )
    page = "governance/proposal.html"
    return render(request, page, data, ctx=here, status_code=status_of(refused))


@router.get(PAGE, response_class=HTMLResponse)
async def proposal_page(number: Number, request: Request, slug: str) -> Response:
    """A proposal: what it does, the ballot, results round by round, discussion.

    Read on the event loop after any due step, and for readers not signed in rendered once
    until the database changes or the next step falls due (`caught_up_read`)."""
    return await caught_up_read(
        request, slug, lambda here: _proposal_page(request, here, number), page=True
    )


def _names_in(here: Here, action: dict[str, Any]) -> dict[int, str]:
    """The names of the people an action names, for members (others read "member #id")."""
    user_id = (action.get("params") or {}).get("user_id")
    if not here.is_member or not isinstance(user_id, int) or isinstance(user_id, bool):
        return {}
    found = here.session.execute(select(User.id, User.display_name).where(User.id == user_id))
    return {int(row[0]): str(row[1]) for row in found}


def _describe(action: dict[str, Any], words: Reader) -> str:
    """What the action will do, in the reader's words: "<kind>: <what>"."""
    try:
        kind = actions.get(action["kind"])
    except DomainError:
        return str(action)
    return words.gettext("%(kind)s: %(what)s") % {
        "kind": words.gettext(kind.label),
        "what": kind.describe(action["params"], words),
    }


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


def typed_ballot(method: str, options: list[str], form: dict[str, Any]) -> dict[str, Any]:
    """The ballot form as the person filled it in, to show it again (numbers kept as typed)."""
    if method == "quadratic":
        return {"credits": {o: str(form.get(f"credits-{i}", "")) for i, o in enumerate(options)}}
    if method in RANKED:
        ranks: dict[int, list[str]] = {}
        for i, name in enumerate(options):
            raw = str(form.get(f"rank-{i}") or "").strip()
            if is_digits(raw):
                ranks.setdefault(int(raw), []).append(name)
        return {"ranking": [ranks[r] for r in sorted(ranks)]}
    return ballot_from_form(method, options, form)


@router.post(PAGE + "/vote")
def vote(number: Number, request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Cast or change the ballot from the form (shown again with the problem if it is refused)."""
    form = {k: str(v) for k, v in posted.items()}
    proposal = service.get_proposal(here.session, here.community, here.viewer, number)
    try:
        with here.session.begin_nested():
            ballot = ballot_from_form(proposal.method, proposal.options, form)
            _, receipt = service.cast_ballot(
                here.session, here.community, here.viewer, number, ballot, here.settings
            )
    except NotFound:
        raise
    except DomainError as exc:
        return _proposal_page(request, here, number, Refused("ballot", exc, form))
    if receipt is not None:
        data = here.page(proposal=proposal, receipt=receipt)
        response = render(request, "governance/receipt.html", data, ctx=here)
        response.headers["Cache-Control"] = "no-store"
        return response
    return redirect(
        request,
        _url(here, number),
        "Your vote is recorded. You can change it until voting closes.",
    )


Step = Callable[[Any, Any, Any, int, Settings | None], Proposal]


def _step(request: Request, here: Here, number: int, do: Step, done: str) -> Response:
    """Run one of the proposal's buttons; a refusal shows the page again with the reason."""
    try:
        with here.session.begin_nested():
            proposal = do(here.session, here.community, here.viewer, number, here.settings)
    except NotFound:
        raise
    except DomainError as exc:
        return _proposal_page(request, here, number, Refused("step", exc))
    message = done
    if do is service.execute_proposal and (proposal.outcome_words or proposal.outcome):
        message = service.outcome_in(proposal, reader(request))  # worded for this reader
    return redirect(request, _url(here, number), message)


@router.post(PAGE + "/open")
def open_voting(number: Number, request: Request, here: CommunityScope) -> Response:
    """Open voting."""
    return _step(request, here, number, service.open_proposal, N_("Voting is open."))


@router.post(PAGE + "/close")
def close_voting(number: Number, request: Request, here: CommunityScope) -> Response:
    """Count the votes."""
    return _step(request, here, number, service.close_proposal, N_("The votes are counted."))


@router.post(PAGE + "/execute")
def execute(number: Number, request: Request, here: CommunityScope) -> Response:
    """Carry out the decision."""
    return _step(request, here, number, service.execute_proposal, N_("Carried out."))


@router.post(PAGE + "/cancel")
def cancel(number: Number, request: Request, here: CommunityScope) -> Response:
    """Withdraw the proposal."""
    return _step(request, here, number, service.cancel_proposal, N_("The proposal is withdrawn."))


@router.post(PAGE + "/receipt")
def check_receipt(number: Number, request: Request, here: CaughtUp, posted: PostedForm) -> Response:
    """Check a pasted receipt: recorded, replaced, or counted as which ballot."""
    proposal = service.get_proposal(here.session, here.community, here.viewer, number)
    try:
        found = service.verify_receipt(
            here.session, here.community, here.viewer, number, str(posted.get("receipt", ""))
        )
        outcome: dict[str, Any] = {"ok": True, **found}
    except DomainError as exc:
        outcome = {"ok": False, "status": "unknown", "detail": exc.detail, "ballot": None}
    data = here.page(proposal=proposal, check=outcome)
    status = 200 if outcome["ok"] else 422
    return render(request, "governance/receipt.html", data, ctx=here, status_code=status)


@router.post(PAGE + "/comments")
def comment(number: Number, request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Post to the discussion (shown again with what was written if it is refused)."""
    form = {k: str(v) for k, v in posted.items()}
    try:
        with here.session.begin_nested():
            service.add_comment(
                here.session, here.community, here.viewer, number, form.get("body", "")
            )
    except NotFound:
        raise
    except DomainError as exc:
        return _proposal_page(request, here, number, Refused("body", exc, form))
    return redirect(request, _url(here, number) + "#discussion", "Posted.")
