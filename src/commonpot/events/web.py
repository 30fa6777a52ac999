"""Event pages: the list with live flash events, the form, the one page per event, check-in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from types import SimpleNamespace
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from commonpot.communities import place_choices
from commonpot.communities.scope import Here, shared_read
from commonpot.db import utcnow
from commonpot.errors import DomainError, Invalid
from commonpot.events import access, outreach, planning, service, signup, sources
from commonpot.events.live import EventsScope, discard_pending
from commonpot.events.models import Event, EventKind
from commonpot.events.schemas import EventIn
from commonpot.events.web_event import local_time, repeat_of
from commonpot.events.web_event import router as event_router
from commonpot.events.web_event_edit import router as edit_router
from commonpot.events.web_feeds import router as feeds_router
from commonpot.events.web_form import FORM_FIELDS, event_from_form, parse_int, read_model
from commonpot.http import PostedForm, verify_csrf_form
from commonpot.templating import fragment, reader, reader_locale, redirect, render
from commonpot.tenancy import select_scoped

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
router.include_router(feeds_router)
SECTION = {
    "label": "Events",
    "path": "events",
    "order": 20,
    "blurb": "Cook together: classes, community meals and flash gatherings.",
}


def _default_zone(here: Here) -> str:
    query = select_scoped(Event, here.community.id).order_by(Event.id.desc()).limit(1)
    last = here.session.scalar(query.with_only_columns(Event.timezone))
    return last or "UTC"


PAST_SHOWN = 20  # the latest past events the page lists (read no more than these)


def _events_page(
    request: Request,
    here: Here,
    *,
    values: dict[str, str] | None = None,
    error: DomainError | None = None,
    changes: list[datetime | None] | None = None,
) -> Response:
    """The events list; after a failed flash call, with what was typed and the message (422).
    `changes` receives the first moment the page would read otherwise without a write (an
    event or a session starting or ending), or None."""
    community = here.community
    moment = utcnow()
    upcoming, past, counts = service.listing(
        here.session, community, here.viewer, now=moment, past=PAST_SHOWN
    )
    occurrences = service.upcoming_occurrences(
        here.session, [e for e in upcoming if e.kind != EventKind.FLASH.value], now=moment
    )
    remote = sources.external_events(here.session, community, here.viewer)
    if changes is not None:
        changes[0] = next_change(moment, [*upcoming, *(s for _, s in occurrences), *remote])
    templates, locale = request.app.state.templates, reader_locale(request)
    may_flash = access.may_call_flash(here.session, community, here.viewer)

    def card(event: Event, occasion: Any = None, numbers: Any = None) -> Markup:
        return _card_html(templates, locale, community.slug, card_key(event, occasion, numbers))

    data = here.page(
        card=card,
        local_time=local_time,
        upcoming=upcoming,
        occurrences=occurrences,
        repeat_of=repeat_of,
        past=past,
        remote=remote,
        counts=counts,
        may_flash=may_flash,
        members_flash=bool((community.settings or {}).get(access.FLASH_SETTING)),
        places=place_choices(here.session, community) if may_flash else [],  # the flash form's
        values=values or {},
        form_error=error.detail if error else None,
        error_field=error.field if error else None,
    )
    status = 422 if error else 200
    return render(request, "events/list.html", data, ctx=here, status_code=status)


class Card(NamedTuple):
    """Everything `events/_card.html` shows of an event: the key its card is kept by."""

    id: int
    title: str
    kind: str
    visibility: str
    is_cancelled: bool
    rrule: str | None
    timezone: str
    starts_at: datetime
    when: datetime  # the date shown: one session's of a series, else the event's own
    place_name: str | None
    capacity: int | None
    numbers: tuple[int, int] | None  # (confirmed, waitlisted), when the card counts sign-ups


def card_key(event: Event, occasion: Any = None, counts: Any = None) -> Card:
    """The card of an event (on the date of `occasion`, one session of a series, when
    given; with its sign-up numbers from `counts` when given)."""
    numbers = counts.get(event.id) if counts else None
    return Card(
        event.id,
        event.title,
        event.kind,
        event.visibility,
        event.is_cancelled,
        event.rrule,
        event.timezone,
        event.starts_at,
        occasion.starts_at if occasion is not None else event.starts_at,
        event.place.name if event.place is not None else None,
        event.capacity,
        None if numbers is None else (numbers["confirmed"], numbers["waitlisted"]),
    )


@lru_cache(maxsize=2048)
def _card_html(templates: Any, locale: str, slug: str, card: Card) -> Markup:
    """An event's card as the events page lists it, written from `card` alone (the template
    reads nothing else: the event it is given is made of it) in `locale`: each card is
    written once per process while it reads the same, not on every page (a series' repeat
    in words is a dozen translated texts)."""
    place = None if card.place_name is None else SimpleNamespace(name=card.place_name)
    event = SimpleNamespace(**card._asdict(), place=place)
    counts = None
    if card.numbers is not None:
        confirmed, waitlisted = card.numbers
        counts = {card.id: {"confirmed": confirmed, "waitlisted": waitlisted}}
    return fragment(
        templates,
        "events/_card.html",
        locale,
        e=event,
        occasion=SimpleNamespace(starts_at=card.when),
        counts=counts,
        community=SimpleNamespace(slug=slug),
        local_time=local_time,
        repeat_of=repeat_of,
    )


def next_change(moment: datetime, items: Sequence[Any]) -> datetime | None:
    """The first start or end after `moment` among `items` (events, sessions, events of
    other sources): when a list of them split into coming and past reads otherwise."""
    found: datetime | None = None
    for item in items:
        for value in (getattr(item, "starts_at", None), getattr(item, "ends_at", None)):
            if value is None:
                continue
            when = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
            if when > moment and (found is None or when < found):
                found = when
    return found


@router.get("/communities/{slug}/events", response_class=HTMLResponse)
async def events_page(request: Request, slug: str) -> Response:
    """Upcoming and past events, flash events arriving live, and how to add one.

    Read and rendered on the event loop, and for readers not signed in rendered once until
    the database changes or an event or session listed starts or ends (`shared_read`)."""
    changes: list[datetime | None] = [None]
    return await shared_read(
        request,
        slug,
        lambda here: _events_page(request, here, changes=changes),
        page=True,
        until=lambda: changes[0],
    )


def _form_page(
    request: Request,
    here: Here,
    form: dict[str, Any] | None = None,
    error: DomainError | None = None,
) -> Response:
    data = here.page(
        local_time=local_time,
        places=place_choices(here.session, here.community),
        form=form or {"timezone": _default_zone(here), "visibility": "community"},
        error=error.detail if error else None,
        error_field=error.field if error else None,
        kinds=[EventKind.EVENT.value, EventKind.CLASS.value],
    )
    status = error.status if error else 200
    return render(request, "events/form.html", data, ctx=here, status_code=status)


@router.get("/communities/{slug}/events/new", response_class=HTMLResponse)
def new_event(request: Request, here: EventsScope) -> Response:
    """The form to organise an event or a class."""
    if not here.is_member:
        return redirect(request, f"/login?next=/communities/{here.community.slug}/events/new")
    return _form_page(request, here)


@router.post("/communities/{slug}/events", response_class=HTMLResponse)
def create_event(request: Request, here: EventsScope, posted: PostedForm) -> Response:
    """Create the event; bad input shows the form again with what was typed, nothing stored."""
    form = {k: str(posted.get(k, ""))[:10_000] for k in FORM_FIELDS}
    try:
        with here.session.begin_nested():
            event = service.create_event(
                here.session, here.community, here.viewer, event_from_form(form, reader(request))
            )
    except DomainError as exc:
        if exc.status in {401, 403, 404}:
            raise
        discard_pending(here.session)
        return _form_page(request, here, form, exc)
    return redirect(
        request,
        f"/communities/{here.community.slug}/events/{event.id}",
        reader(request).gettext("%(event)s is on the calendar.") % {"event": event.title},
    )


@router.post("/communities/{slug}/events/flash", response_class=HTMLResponse)
def call_flash(
    request: Request,
    here: EventsScope,
    title: Annotated[str, Form(max_length=160)] = "",
    in_minutes: Annotated[str, Form(max_length=5)] = "120",
    place_id: Annotated[str, Form(max_length=12)] = "",
    description: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Call a flash event: every member with the events page open sees it at once."""
    typed = {
        "title": title,
        "in_minutes": in_minutes,
        "place_id": place_id,
        "description": description,
    }
    try:
        with here.session.begin_nested():
            minutes = parse_int(in_minutes, "in_minutes", "Say in how many minutes.") or 0
            if not 0 <= minutes <= 24 * 60:
                raise Invalid("A flash event starts within the next 24 hours.", field="in_minutes")
            start = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=minutes)
            draft = read_model(
                EventIn,
                {
                    "title": title,
                    "description": description,
                    "kind": EventKind.FLASH.value,
                    "place_id": parse_int(place_id, "place_id", "Choose a place."),
                    "starts_at": start,
                    "ends_at": start + timedelta(hours=2),
                    "timezone": _default_zone(here),
                },
            )
            event = service.create_event(here.session, here.community, here.viewer, draft)
    except DomainError as exc:
        if exc.status in {401, 403, 404}:
            raise
        discard_pending(here.session)
        return _events_page(request, here, values=typed, error=exc)
    return redirect(
        request, f"/communities/{here.community.slug}/events/{event.id}", "Flash event called."
    )


@router.post("/communities/{slug}/events/settings", response_class=HTMLResponse)
def flash_setting(
    request: Request,
    here: EventsScope,
    members_flash: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Stewards choose whether every member may call flash events."""
    allowed = members_flash == "on"
    service.allow_members_flash(here.session, here.community, here.viewer, allowed)
    message = (
        "Every member can now call flash events."
        if allowed
        else "Only stewards call flash events now."
    )
    return redirect(request, f"/communities/{here.community.slug}/events", message)


@router.get("/communities/{slug}/events/attendance", response_class=HTMLResponse)
def attendance_page(request: Request, here: EventsScope) -> Response:
    """Stewards: who has come to the community's events, and how often."""
    people = signup.community_attendance(here.session, here.community, here.viewer)
    data = here.page(local_time=local_time, people=people)
    return render(request, "events/attendance.html", data, ctx=here)


@router.get("/communities/{slug}/events/outreach", response_class=HTMLResponse)
def outreach_page(request: Request, here: EventsScope) -> Response:
    """Where the next class would reach the people with the worst access to fresh food."""
    found, origin = planning.outreach_plan(here.session, here.community, here.viewer)
    words = reader(request)
    reasons = {s.rank: outreach.reason_text(s, words) for s in found}
    # homes only: venues sit close together and their pins would overlap (target size);
    # each home's popup names its venue
    markers = [
        {
            "name": s.home.name,
            "lat": s.home.lat,
            "lon": s.home.lon,
            "popup": f"#{s.rank} {s.home.name}: {reasons[s.rank]}",
        }
        for s in found
    ]
    data = here.page(
        local_time=local_time, suggestions=found, reasons=reasons, origin=origin, markers=markers
    )
    return render(request, "events/outreach.html", data, ctx=here)


# after the fixed paths above, so that /events/new is not read as an event id
router.include_router(event_router)
router.include_router(edit_router)
