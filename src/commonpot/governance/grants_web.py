"""The conviction-voting page (included by `governance.web`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from commonpot.communities.scope import CommunityScope, Here
from commonpot.errors import DomainError, Invalid, NotFound
from commonpot.governance import grants
from commonpot.governance.catchup import GrantsCaughtUp
from commonpot.governance.refused import Refused, form_context, status_of
from commonpot.http import PostedForm
from commonpot.templating import redirect, render

Number = Annotated[int, Path(ge=1, le=2_000_000_000)]
router = APIRouter()
BASE = "/communities/{slug}/governance/grants"


def _grants_page(request: Request, here: Here, refused: Refused | None = None) -> Response:
    """The grants page; after a failed form, with what was typed and the message (422)."""
    found = grants.open_grants(here.session, here.community)
    params, step_seconds, tokens = grants.parameters(here.community)
    data = here.page(
        grants=[(g, grants.status(here.session, here.community, g)) for g in found],
        step_hours=step_seconds / 3600,
        tokens=tokens,
        params=params,
        **form_context(refused),
    )
    return render(request, "governance/grants.html", data, ctx=here, status_code=status_of(refused))


@router.get(BASE, response_class=HTMLResponse)
def grants_page(request: Request, here: GrantsCaughtUp) -> Response:
    """Requests for funding, the support behind each, and how long until they pass."""
    return _grants_page(request, here)


@router.post(BASE)
def request_grant(request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Ask for funding (shown again with what was typed if it is refused)."""
    form = {k: str(v) for k, v in posted.items()}
    try:
        with here.session.begin_nested():
            grants.create_grant(
                here.session,
                here.community,
                here.viewer,
                here.settings,
                title=form.get("title", ""),
                recipient=form.get("recipient", ""),
                requested=int(form.get("requested") or 0),
                pool=form.get("pool") or "treasury",
                body=form.get("body", ""),
            )
    except ValueError:
        error = Invalid("The amount is a whole number.", field="requested")
        return _grants_page(request, here, Refused("request", error, form))
    except DomainError as exc:
        return _grants_page(request, here, Refused("request", exc, form))
    url = f"/communities/{here.community.slug}/governance/grants"
    return redirect(request, url, "Request added. Stake tokens to support it.")


@router.post(BASE + "/{number}/stake")
def stake(number: Number, request: Request, here: CommunityScope, posted: PostedForm) -> Response:
    """Stake tokens on a request (shown again with the amount typed if it is refused)."""
    form = {k: str(v) for k, v in posted.items()}
    failed = f"stake-{number}"
    try:
        with here.session.begin_nested():
            amount = int(form.get("amount") or 0)
            grants.stake(here.session, here.community, here.viewer, number, amount, here.settings)
    except NotFound:
        raise
    except ValueError:
        error = Invalid("Stake a whole number of tokens.", field="amount")
        return _grants_page(request, here, Refused(failed, error, form))
    except DomainError as exc:
        return _grants_page(request, here, Refused(failed, exc, form))
    url = f"/communities/{here.community.slug}/governance/grants"
    return redirect(request, url, "Your support is recorded.")
