"""Event pages: the list with live flash events, the form, the one page per event, check-in."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from commonpot.communities.service import places
from commonpot.db import utcnow
from commonpot.errors import DomainError, Invalid
from commonpot.events import access, planning, service, signup
from commonpot.events.live import publish_pending
from commonpot.events.models import Event, EventKind
from commonpot.events.web_event import page_context as _page
from commonpot.events.web_event import router as event_router
from commonpot.events.web_feeds import router as feeds_router
from commonpot.events.web_form import FORM_FIELDS, draft_from_form, parse_int
from commonpot.http import Ctx, unit_of_work, verify_csrf_form
from commonpot.params import Id
from commonpot.templating import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
router.include_router(feeds_router)
SECTION = {
    "label": "Events",
    "path": "events",
    "order": 20,
    "blurb": "Cook together: classes, community meals and flash gatherings.",
}


def _default_zone(ctx: Ctx, community_id: Id) -> str:
    last = ctx.session.scalar(
        select(Event.timezone)
        .where(Event.community_id == community_id)
        .order_by(Event.id.desc())
        .limit(1)
    )
    return last or "UTC"


@router.get("/communities/{slug}/events", response_class=HTMLResponse)
def events_page(slug: str, request: Request) -> Response:
    """Upcoming and past events, flash events arriving live, and how to add one."""
    with unit_of_work(request) as ctx:
        data = _page(ctx, slug)
        community = data["community"]
        upcoming = service.list_events(ctx.session, community, ctx.viewer, upcoming=True)
        past = service.list_events(ctx.session, community, ctx.viewer, upcoming=False)[:20]
        data.update(
            upcoming=upcoming,
            past=past,
            counts={e.id: signup.counts(ctx.session, e) for e in upcoming},
            may_flash=access.may_call_flash(ctx.session, community, ctx.viewer),
            members_flash=bool((community.settings or {}).get(access.FLASH_SETTING)),
            places=places(ctx.session, community),
        )
        return render(request, "events/list.html", data, ctx=ctx)


def _form_page(
    ctx: Ctx, slug: str, form: dict[str, Any] | None = None, error: DomainError | None = None
) -> dict[str, Any]:
    data = _page(ctx, slug)
    community = data["community"]
    data.update(
        places=places(ctx.session, community),
        form=form or {"timezone": _default_zone(ctx, community.id), "visibility": "community"},
        error=error.detail if error else None,
        error_field=error.field if error else None,
        kinds=[EventKind.EVENT.value, EventKind.CLASS.value],
    )
    return data


@router.get("/communities/{slug}/events/new", response_class=HTMLResponse)
def new_event(slug: str, request: Request) -> Response:
    """The form to organise an event or a class."""
    with unit_of_work(request) as ctx:
        data = _form_page(ctx, slug)
        if not data["is_member"]:
            return redirect(request, f"/login?next=/communities/{slug}/events/new")
        return render(request, "events/form.html", data, ctx=ctx)


@router.post("/communities/{slug}/events", response_class=HTMLResponse)
async def create_event(slug: str, request: Request) -> Response:
    """Create the event; bad input shows the form again with the reason, nothing stored."""
    raw = await request.form()
    form = {k: str(raw.get(k, ""))[:10_000] for k in FORM_FIELDS}
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_create_event, slug, request, form)


def _create_event(slug: str, request: Request, form: dict[str, str]) -> Response:
    with unit_of_work(request) as ctx:
        data = _page(ctx, slug)
        try:
            event = service.create_event(
                ctx.session, data["community"], ctx.viewer, draft_from_form(form)
            )
        except DomainError as exc:
            if exc.status in {401, 403, 404}:
                raise
            ctx.session.rollback()
            page = _form_page(ctx, slug, form, exc)
            return render(request, "events/form.html", page, ctx=ctx, status_code=exc.status)
    publish_pending(request, ctx.session)
    return redirect(
        request, f"/communities/{slug}/events/{event.id}", f"{event.title} is on the calendar."
    )


@router.post("/communities/{slug}/events/flash", response_class=HTMLResponse)
def call_flash(
    slug: str,
    request: Request,
    title: Annotated[str, Form(max_length=160)] = "",
    in_minutes: Annotated[str, Form(max_length=5)] = "120",
    place_id: Annotated[str, Form(max_length=12)] = "",
    description: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Call a flash event: every member with the events page open sees it at once."""
    with unit_of_work(request) as ctx:
        data = _page(ctx, slug)
        minutes = parse_int(in_minutes, "in_minutes", "Say in how many minutes.") or 0
        if not 0 <= minutes <= 24 * 60:
            raise Invalid("A flash event starts within the next 24 hours.", field="in_minutes")
        start = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=minutes)
        event = service.create_event(
            ctx.session,
            data["community"],
            ctx.viewer,
            service.EventDraft(
                title=title,
                description=description,
                kind=EventKind.FLASH.value,
                place_id=parse_int(place_id, "place_id", "Choose a place."),
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                timezone=_default_zone(ctx, data["community"].id),
            ),
        )
    publish_pending(request, ctx.session)
    return redirect(request, f"/communities/{slug}/events/{event.id}", "Flash event called.")


@router.post("/communities/{slug}/events/settings", response_class=HTMLResponse)
def flash_setting(
    slug: str, request: Request, members_flash: Annotated[str, Form(max_length=5)] = ""
) -> Response:
    """Stewards choose whether every member may call flash events."""
    with unit_of_work(request) as ctx:
        data = _page(ctx, slug)
        allowed = members_flash == "on"
        service.allow_members_flash(ctx.session, data["community"], ctx.viewer, allowed)
    message = (
        "Every member can now call flash events."
        if allowed
        else "Only stewards call flash events now."
    )
    return redirect(request, f"/communities/{slug}/events", message)


@router.get("/communities/{slug}/events/attendance", response_class=HTMLResponse)
def attendance_page(slug: str, request: Request) -> Response:
    """Stewards: who has come to the community's events, and how often."""
    with unit_of_work(request) as ctx:
        data = _page(ctx, slug)
        data["people"] = signup.community_attendance(ctx.session, data["community"], ctx.viewer)
        return render(request, "events/attendance.html", data, ctx=ctx)


@router.get("/communities/{slug}/events/outreach", response_class=HTMLResponse)
def outreach_page(slug: str, request: Request) -> Response:
    """Where the next class would reach the people with the worst access to fresh food."""
    with unit_of_work(request) as ctx:
        data = _page(ctx, slug)
        found, origin = planning.outreach_plan(ctx.session, data["community"], ctx.viewer)
        # homes only: venues sit close together and their pins would overlap (target size);
        # each home's popup names its venue
        markers = [
            {
                "name": s.home.name,
                "lat": s.home.lat,
                "lon": s.home.lon,
                "popup": f"#{s.rank} {s.home.name}: {s.reason}",
            }
            for s in found
        ]
        data.update(suggestions=found, origin=origin, markers=markers)
        return render(request, "events/outreach.html", data, ctx=ctx)


# after the fixed paths above, so that /events/new is not read as an event id
router.include_router(event_router)
