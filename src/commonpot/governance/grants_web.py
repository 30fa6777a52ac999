"""The conviction-voting page (included by `governance.web`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from commonpot.communities import service as communities
from commonpot.communities.web import community_context
from commonpot.errors import DomainError, Invalid
from commonpot.governance import grants
from commonpot.governance.catchup import catch_up
from commonpot.http import PostedForm, unit_of_work
from commonpot.templating import redirect, redirect_error, render

Number = Annotated[int, Path(ge=1, le=2_000_000_000)]
router = APIRouter()
BASE = "/communities/{slug}/governance/grants"


@router.get(BASE, response_class=HTMLResponse)
def grants_page(slug: str, request: Request) -> Response:
    """Requests for funding, the support behind each, and how long until they pass."""
    catch_up(request, slug, with_grants=True)
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        community = data["community"]
        found = grants.open_grants(ctx.session, community)
        params, step_seconds, tokens = grants.parameters(community)
        data.update(
            grants=[(g, grants.status(ctx.session, community, g)) for g in found],
            step_hours=step_seconds / 3600,
            tokens=tokens,
            params=params,
        )
        return render(request, "governance/grants.html", data, ctx=ctx)


@router.post(BASE)
def request_grant(slug: str, request: Request, posted: PostedForm) -> Response:
    """Ask for funding."""
    form = posted
    url = f"/communities/{slug}/governance/grants"
    with unit_of_work(request) as ctx:
        community = communities.readable_community(ctx.session, slug, ctx.viewer)
        try:
            grants.create_grant(
                ctx.session,
                community,
                ctx.viewer,
                ctx.settings,
                title=str(form.get("title", "")),
                recipient=str(form.get("recipient", "")),
                requested=int(str(form.get("requested") or 0)),
                pool=str(form.get("pool") or "treasury"),
                body=str(form.get("body", "")),
            )
        except ValueError:
            return redirect_error(request, url, Invalid("The amount is a whole number."))
        except DomainError as exc:
            return redirect_error(request, url, exc)
        return redirect(request, url, "Request added. Stake tokens to support it.")


@router.post(BASE + "/{number}/stake")
def stake(slug: str, number: Number, request: Request, posted: PostedForm) -> Response:
    """Stake tokens on a request."""
    form = posted
    url = f"/communities/{slug}/governance/grants"
    with unit_of_work(request) as ctx:
        community = communities.readable_community(ctx.session, slug, ctx.viewer)
        try:
            amount = int(str(form.get("amount") or 0))
            grants.stake(ctx.session, community, ctx.viewer, number, amount, ctx.settings)
        except ValueError:
            return redirect_error(request, url, Invalid("Stake a whole number of tokens."))
        except DomainError as exc:
            return redirect_error(request, url, exc)
        return redirect(request, url, "Your support is recorded.")
