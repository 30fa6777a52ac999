"""Federation pages: "from other communities", following by handle, follower requests, blocks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from commonpot.communities.scope import CommunityScope, Here
from commonpot.errors import DomainError
from commonpot.federation import adapt, approvals, blocks, reports, service, visits
from commonpot.federation.ap import fed_of
from commonpot.federation.handles import Handle
from commonpot.http import verify_csrf_form
from commonpot.params import Id
from commonpot.templating import (
    reader,
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


def page_context(
    request: Request,
    here: Here,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
) -> dict[str, Any]:
    """What the federation page shows (GET and a form that failed render through here)."""
    community = here.community
    session = here.session
    fed = fed_of(request)
    steward = here.is_steward
    return here.page(
        recipes=service.remote_items(session, community, "recipe"),
        events=service.remote_events(session, community),
        following=service.following(session, community) if here.is_member else [],
        follower_count=service.follower_count(session, community),
        blocks=blocks.blocks(session, community) if steward else [],
        requests=approvals.requests(session, community, here.viewer) if steward else [],
        approve_followers=approvals.approves_followers(session, community),
        reports=reports.reports(session, community, here.viewer) if steward else [],
        adapted=adapt.adaptations(session, community),
        handle=str(Handle(community.slug, fed.host)) if community.is_public else "",
        values=values or {},
        form_error=error.detail if error is not None else None,
        error_field=error.field if error is not None else None,
    )


@router.get(PAGE, response_class=HTMLResponse)
def federation_page(request: Request, here: CommunityScope) -> Response:
    """Remote recipes and events, the communities followed, and (for stewards) follow and block."""
    return render(request, "federation/page.html", page_context(request, here), ctx=here)


def _form(
    request: Request,
    here: Here,
    values: dict[str, str],
    work: Callable[[], object],
    done: str,
) -> Response:
    """Run a form's write; on a domain error show the page again (422) with what was typed."""
    try:
        with here.session.begin_nested():
            work()
    except DomainError as exc:
        data = page_context(request, here, values, exc)
        return render(request, "federation/page.html", data, ctx=here, status_code=422)
    return redirect(request, PAGE.format(slug=here.community.slug), _t(request, done))


def _button(request: Request, here: Here, work: Callable[[], object], done: str) -> Response:
    """A one-button form: redirect back with the outcome (nothing typed to keep)."""
    page = PAGE.format(slug=here.community.slug)
    try:
        with here.session.begin_nested():
            work()
    except DomainError as exc:
        return redirect_error(request, page, exc)
    return redirect(request, page, _t(request, done))


@router.post(PAGE + "/follow")
def follow(request: Request, here: CommunityScope, handle: Annotated[str, Form()] = "") -> Response:
    """A steward follows another community by its handle."""
    fed = fed_of(request)
    return _form(
        request,
        here,
        {"handle": handle},
        lambda: service.follow(here.session, fed, here.community, here.viewer, handle),
        "Follow request sent.",
    )


@router.post(PAGE + "/unfollow/{following_id}")
def unfollow(request: Request, here: CommunityScope, following_id: Id) -> Response:
    """A steward stops following a community."""
    fed = fed_of(request)
    return _button(
        request,
        here,
        lambda: service.unfollow(here.session, fed, here.community, here.viewer, following_id),
        "No longer following.",
    )


@router.post(PAGE + "/block")
def block(request: Request, here: CommunityScope, domain: Annotated[str, Form()] = "") -> Response:
    """A steward blocks a domain for the community (and drops what came from it)."""
    return _form(
        request,
        here,
        {"domain": domain},
        lambda: blocks.block_domain(here.session, here.viewer, domain, here.community),
        "Domain blocked.",
    )


@router.post(PAGE + "/approval")
def approval(
    request: Request, here: CommunityScope, approve: Annotated[str, Form()] = ""
) -> Response:
    """Stewards choose whether new followers wait for their approval."""
    on = approve == "on"
    return _button(
        request,
        here,
        lambda: approvals.set_approval(here.session, here.community, here.viewer, on),
        "New followers now wait for approval." if on else "New followers are accepted at once.",
    )


@router.post(PAGE + "/requests/{follower_id}/accept")
def accept_request(request: Request, here: CommunityScope, follower_id: Id) -> Response:
    """A steward accepts a follow request."""
    fed = fed_of(request)
    return _button(
        request,
        here,
        lambda: approvals.accept(here.session, fed, here.community, here.viewer, follower_id),
        "Follower accepted.",
    )


@router.post(PAGE + "/requests/{follower_id}/reject")
def reject_request(request: Request, here: CommunityScope, follower_id: Id) -> Response:
    """A steward rejects a follow request."""
    fed = fed_of(request)
    return _button(
        request,
        here,
        lambda: approvals.reject(here.session, fed, here.community, here.viewer, follower_id),
        "Follow request rejected.",
    )


@router.post(PAGE + "/remote/{item_id}/report")
def report_item(
    request: Request,
    here: CommunityScope,
    item_id: Id,
    comment: Annotated[str, Form()] = "",
    forward: Annotated[str, Form()] = "",
) -> Response:
    """A member reports something a followed community shared."""
    fed = fed_of(request)
    return _form(
        request,
        here,
        {"comment": comment, "report_item": str(item_id)},
        lambda: reports.report_item(
            here.session,
            fed,
            here.community,
            here.viewer,
            item_id,
            comment,
            forward=forward == "on",
        ),
        "Thank you: the stewards will look at your report.",
    )


@router.post(PAGE + "/reports/{report_id}")
def decide_report(
    request: Request,
    here: CommunityScope,
    report_id: Id,
    state: Annotated[str, Form()] = "",
    remove_content: Annotated[str, Form()] = "",
    block_domain: Annotated[str, Form()] = "",
) -> Response:
    """Stewards resolve or dismiss a report."""
    return _button(
        request,
        here,
        lambda: reports.decide(
            here.session,
            here.community,
            here.viewer,
            report_id,
            state,
            remove_content=remove_content == "on",
            block=block_domain == "on",
        ),
        "Report handled.",
    )


@router.post(PAGE + "/remote/{item_id}/adapt")
def adapt_recipe(request: Request, here: CommunityScope, item_id: Id) -> Response:
    """A member adapts a remote recipe into the archive (lineage to the original is kept)."""
    page = PAGE.format(slug=here.community.slug)
    try:
        with here.session.begin_nested():
            row = adapt.adapt(here.session, here.community, here.viewer, item_id, reader(request))
    except DomainError as exc:
        return redirect_error(request, page, exc)
    recipe_page = f"/communities/{here.community.slug}/recipes/{row.recipe_id}"
    return redirect(request, recipe_page, _t(request, "Adapted into our archive."))


@router.post(PAGE + "/remote/{item_id}/join")
def join_gathering(request: Request, here: CommunityScope, item_id: Id) -> Response:
    """Join a live gathering another community announced: a member goes with a guest pass
    we asked for in their name (they show there by name), anyone else as an anonymous guest."""
    way = visits.join_remote(
        here.session, fed_of(request), here.community, here.viewer, item_id, member=here.is_member
    )
    return RedirectResponse(way.url, status_code=303)


@router.get(PAGE + "/events.ics")
def remote_calendar(request: Request, here: CommunityScope) -> Response:
    """Events of the communities we follow, as an iCalendar feed (each marked remote)."""
    name = _t(request, "From other communities") + f" · {here.community.name}"
    body = service.remote_calendar(here.session, here.community, name)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'inline; filename="{here.community.slug}-remote-events.ics"',
            "Cache-Control": "private, max-age=300",
        },
    )
