"""Federation pages: "from other communities", following by handle, and domain blocks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from commonpot.communities.web import community_context
from commonpot.errors import DomainError
from commonpot.federation import blocks, service
from commonpot.federation.ap import fed_of
from commonpot.federation.handles import Handle
from commonpot.http import unit_of_work, verify_csrf_form
from commonpot.params import Id
from commonpot.templating import (
    reader_locale,
    redirect,
    redirect_error,
    render,
    translations_for,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
SECTION = {
    "label": "From other communities",
    "path": "federation",
    "order": 60,
    "blurb": "Recipes and events shared by the communities we follow on other servers.",
}
PAGE = "/communities/{slug}/federation"


def _t(request: Request, text: str) -> str:
    """The flash message in the reader's language."""
    return str(translations_for(reader_locale(request)).gettext(text))


@router.get(PAGE, response_class=HTMLResponse)
def federation_page(slug: str, request: Request) -> Response:
    """Remote recipes and events, the communities followed, and (for stewards) follow and block."""
    with unit_of_work(request) as ctx:
        data = community_context(ctx, slug)
        community = data["community"]
        fed = fed_of(request)
        data.update(
            recipes=service.remote_items(ctx.session, community, "recipe"),
            events=service.remote_items(ctx.session, community, "event"),
            following=service.following(ctx.session, community) if data["is_member"] else [],
            follower_count=len(service.followers(ctx.session, community)),
            blocks=blocks.blocks(ctx.session, community) if data["is_steward"] else [],
            handle=str(Handle(community.slug, fed.host)) if community.is_public else "",
        )
        return render(request, "federation/page.html", data, ctx=ctx)


@router.post(PAGE + "/follow")
def follow(slug: str, request: Request, handle: Annotated[str, Form()] = "") -> Response:
    """A steward follows another community by its handle."""
    page = PAGE.format(slug=slug)
    try:
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            service.follow(ctx.session, fed_of(request), community, ctx.viewer, handle)
    except DomainError as exc:
        return redirect_error(request, page, exc)
    return redirect(request, page, _t(request, "Follow request sent."))


@router.post(PAGE + "/unfollow/{following_id}")
def unfollow(slug: str, following_id: Id, request: Request) -> Response:
    """A steward stops following a community."""
    page = PAGE.format(slug=slug)
    try:
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            service.unfollow(ctx.session, fed_of(request), community, ctx.viewer, following_id)
    except DomainError as exc:
        return redirect_error(request, page, exc)
    return redirect(request, page, _t(request, "No longer following."))


@router.post(PAGE + "/block")
def block(slug: str, request: Request, domain: Annotated[str, Form()] = "") -> Response:
    """A steward blocks a domain for the community (and drops what came from it)."""
    page = PAGE.format(slug=slug)
    try:
        with unit_of_work(request) as ctx:
            community = community_context(ctx, slug)["community"]
            blocks.block_domain(ctx.session, ctx.viewer, domain, community)
    except DomainError as exc:
        return redirect_error(request, page, exc)
    return redirect(request, page, _t(request, "Domain blocked."))
