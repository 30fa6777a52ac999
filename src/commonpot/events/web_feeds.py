"""Event pages that are not HTML forms: calendar feeds, the live stream, and "my events"."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from commonpot.accounts import calendar_token
from commonpot.communities.scope import CommunityScope, Here, shared_read
from commonpot.events import feeds, service, signup
from commonpot.events.live import stream
from commonpot.events.recurrence import zone
from commonpot.http import Unit, own_address, unit_of_work, verify_csrf_form
from commonpot.params import Id
from commonpot.templating import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
ICS = "text/calendar; charset=utf-8"


def _ics(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type=ICS,
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, max-age=300",
        },
    )


@router.get("/communities/{slug}/events.ics")
async def community_calendar(request: Request, slug: str) -> Response:
    """The community's events you may see, as an iCalendar feed. Calendar apps poll it
    without signing in: their answer is shared while the database is unchanged (and the
    instance's address is configured: the feed's links hold it)."""

    def answer(here: Here) -> Response:
        body = feeds.community_feed(here.session, here.community, here.viewer, own_address(request))
        return _ics(body, f"{here.community.slug}-events.ics")

    return await shared_read(request, slug, answer, address=True)


@router.get("/communities/{slug}/events/{event_id}.ics")
def event_calendar(event_id: Id, request: Request, here: CommunityScope) -> Response:
    """One event as an .ics file to add to a calendar."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    body = feeds.event_feed(here.session, here.community, event, own_address(request))
    return _ics(body, f"{here.community.slug}-event-{event_id}.ics")


@router.get("/me/calendar/{token}.ics")
def personal_calendar(token: str, request: Request, ctx: Unit) -> Response:
    """Everything the token's owner signed up for (calendar apps cannot sign in)."""
    return _ics(feeds.personal_feed(ctx.session, token, own_address(request)), "my-events.ics")


@router.get("/communities/{slug}/events/live")
async def live(request: Request, here: CommunityScope, limit: int | None = None) -> Response:
    """Server-sent events: flash events and live counts as they happen.

    The unit of work (run in the thread pool) ends before the stream starts; only the
    community's id and whether the viewer is a member (loaded by the scope) are kept."""
    member = here.viewer.is_admin or here.is_member
    return StreamingResponse(
        stream(request, here.community.id, members_only_ok=member, limit=limit),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/me/events", response_class=HTMLResponse)
def my_events(request: Request) -> Response:
    """Your sign-ups, what you attended, and your private calendar address."""
    with unit_of_work(request, write=True) as ctx:
        if ctx.viewer.user is None:
            return redirect(request, "/login?next=/me/events")
        user = ctx.viewer.user
        token = calendar_token(ctx.session, user)
        signed = signup.registered_events(ctx.session, user)
        slugs = _slugs(ctx.session, [e.community_id for e, _ in signed])
        attended = signup.history(ctx.session, ctx.viewer)
        slugs.update(_slugs(ctx.session, [e.community_id for e, _ in attended]))
        data: dict[str, Any] = {
            "signed": signed,
            "attended": attended,
            "slugs": slugs,
            "feed_url": f"{own_address(request)}/me/calendar/{token}.ics",
            "local_time": lambda moment, tz: moment.astimezone(zone(tz)),
        }
        return render(request, "events/mine.html", data, ctx=ctx)


def _slugs(session: Any, ids: list[int]) -> dict[int, str]:
    from sqlalchemy import select

    from commonpot.communities import Community

    if not ids:
        return {}
    rows = session.execute(select(Community.id, Community.slug).where(Community.id.in_(ids)))
    return {int(i): str(s) for i, s in rows}


@router.post("/me/calendar/rotate")
def rotate(request: Request, ctx: Unit) -> Response:
    """Make a new secret calendar address; the old one stops working at once."""
    calendar_token(ctx.session, ctx.viewer.require_user(), rotate=True)
    return redirect(request, "/me/events", "Your calendar has a new address; update your apps.")
