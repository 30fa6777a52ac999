"""Events JSON API: events and classes, sign-ups, check-in, menu, pairs, outreach, calendars."""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from commonpot.accounts import calendar_token
from commonpot.communities import Community
from commonpot.communities.scope import Here, shared_read
from commonpot.events import access, service, signup
from commonpot.events.api_planning import router as planning_router
from commonpot.events.live import EventsScope
from commonpot.events.models import Event, Registration
from commonpot.events.recurrence import zone
from commonpot.events.schemas import (
    AttendanceOut,
    AttendanceSummaryOut,
    CalendarOut,
    CheckInIn,
    EventIn,
    EventOut,
    EventPatch,
    PlaceRef,
    RegistrationIn,
    RegistrationOut,
    SessionOut,
    WithdrawOut,
)
from commonpot.http import Unit, api_router_for, own_address, unit_of_work
from commonpot.params import Id

router = api_router_for("events")
router.include_router(planning_router)
BASE = "/communities/{slug}/events"


def event_out(
    request: Request,
    session: Session,
    community: Community,
    event: Event,
    numbers: dict[str, int] | None = None,
) -> EventOut:
    """The API shape of an event (`numbers`: its `signup.counts`, when already read)."""
    if numbers is None:
        numbers = signup.counts(session, event)
    url = f"{own_address(request)}/communities/{community.slug}/events/{event.id}"
    place = event.place
    return EventOut(
        id=event.id,
        uid=event.uid,
        kind=event.kind,
        title=event.title,
        description=event.description,
        place=PlaceRef(id=place.id, name=place.name, lat=place.lat, lon=place.lon)
        if place
        else None,
        location_note=event.location_note,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        starts_local=event.starts_at.astimezone(zone(event.timezone)).isoformat(),
        timezone=event.timezone,
        capacity=event.capacity,
        roles=list(event.roles or []),
        visibility=event.visibility,
        accessibility=event.accessibility,
        languages=event.language_list,
        rrule=event.rrule,
        status=event.status,
        confirmed=numbers["confirmed"],
        waitlisted=numbers["waitlisted"],
        url=url,
        ics_url=f"{url}.ics",
        learners_per_elder=event.learners_per_elder,
    )


def registration_out(registration: Registration) -> RegistrationOut:
    """The API shape of a sign-up."""
    return RegistrationOut(
        user_id=registration.user_id,
        name=registration.user.display_name,
        role=registration.role,
        status=registration.status,
        recipes=list(registration.recipes or []),
        queued_at=registration.queued_at,
        promoted_at=registration.promoted_at,
    )


@router.get(BASE, response_model=list[EventOut])
async def list_events(
    request: Request, slug: str, upcoming: bool | None = None, kind: str | None = None
) -> Response:
    """The community's events you may see (members see community-only ones too). Read by
    someone not signed in, without filters, the answer is shared while the database is
    unchanged (`commonpot.shared_answers`)."""

    def answer(here: Here) -> Response:
        found = service.list_events(
            here.session, here.community, here.viewer, upcoming=upcoming, kind=kind
        )
        numbers = signup.counts_for(here.session, found)
        out = [event_out(request, here.session, here.community, e, numbers[e.id]) for e in found]
        return Response(_EVENTS.dump_json(out), media_type="application/json")

    return await shared_read(request, slug, answer, address=True)


_EVENTS = TypeAdapter(list[EventOut])


@router.post(BASE, response_model=EventOut, status_code=201)
def create_event(here: EventsScope, body: EventIn, request: Request) -> EventOut:
    """Create an event, class (with an RRULE for a series) or flash event (members)."""
    event = service.create_event(here.session, here.community, here.viewer, body)
    return event_out(request, here.session, here.community, event)


@router.get(BASE + "/{event_id}", response_model=EventOut)
def get_event(here: EventsScope, event_id: Id, request: Request) -> EventOut:
    """One event."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    return event_out(request, here.session, here.community, event)


@router.patch(BASE + "/{event_id}", response_model=EventOut)
def update_event(here: EventsScope, event_id: Id, body: EventPatch, request: Request) -> EventOut:
    """Change an event (organiser or steward)."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    service.update_event(here.session, here.community, here.viewer, event, body)
    return event_out(request, here.session, here.community, event)


@router.post(BASE + "/{event_id}/cancel", response_model=EventOut)
def cancel_event(here: EventsScope, event_id: Id, request: Request) -> EventOut:
    """Cancel the event (organiser or steward); it stays in feeds as CANCELLED."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    service.cancel_event(here.session, here.community, here.viewer, event)
    return event_out(request, here.session, here.community, event)


@router.get(BASE + "/{event_id}/sessions", response_model=list[SessionOut])
def list_sessions(here: EventsScope, event_id: Id) -> list[SessionOut]:
    """The event's sessions; organisers also see who attended each."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    came = None
    if access.can_manage(here.session, here.community, here.viewer, event):
        came = signup.attendance(here.session, here.community, here.viewer, event)
    return [
        SessionOut(
            id=s.id,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            cancelled=s.cancelled,
            attended=sorted(came.get(s.id, set())) if came is not None else None,
        )
        for s in service.sessions(here.session, event)
    ]


@router.post(BASE + "/{event_id}/sessions/{session_id}/cancel", response_model=SessionOut)
def cancel_session(here: EventsScope, event_id: Id, session_id: Id) -> SessionOut:
    """Cancel one session of a series (it becomes an EXDATE in feeds)."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    found = service.cancel_session(here.session, here.community, here.viewer, event, session_id)
    return SessionOut(id=found.id, starts_at=found.starts_at, ends_at=found.ends_at, cancelled=True)


@router.get(BASE + "/{event_id}/registrations", response_model=list[RegistrationOut])
def list_registrations(here: EventsScope, event_id: Id) -> list[RegistrationOut]:
    """Who is coming and who waits (names are shown to members only)."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    found = signup.registrations(here.session, here.community, here.viewer, event)
    return [registration_out(r) for r in found]


@router.post(BASE + "/{event_id}/registrations", response_model=RegistrationOut, status_code=201)
def register(
    here: EventsScope, event_id: Id, body: RegistrationIn, request: Request
) -> RegistrationOut:
    """Sign up in a role: a confirmed place while there is room, else the waitlist."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    found = signup.register(
        here.session,
        here.community,
        here.viewer,
        event,
        role=body.role,
        recipes=body.recipes,
        note=body.note,
    )
    return registration_out(found)


@router.delete(BASE + "/{event_id}/registrations/{user_id}", response_model=WithdrawOut)
def withdraw(here: EventsScope, event_id: Id, user_id: Id, request: Request) -> WithdrawOut:
    """Withdraw a sign-up (yours, or anyone's as organiser); the waitlist moves up."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    gone, promoted = signup.cancel(here.session, here.community, here.viewer, event, user_id)
    return WithdrawOut(
        withdrawn=registration_out(gone), promoted=[registration_out(r) for r in promoted]
    )


@router.post(BASE + "/{event_id}/check-ins", response_model=AttendanceOut, status_code=201)
def check_in(here: EventsScope, event_id: Id, body: CheckInIn) -> AttendanceOut:
    """Check a confirmed person in at the door (organiser or steward)."""
    event = service.get_event(here.session, here.community, here.viewer, event_id)
    found = signup.check_in(
        here.session, here.community, here.viewer, event, body.user_id, body.session_id
    )
    return AttendanceOut(
        user_id=found.user_id, session_id=found.session_id, checked_in_at=found.checked_in_at
    )


@router.get("/communities/{slug}/attendance", response_model=list[AttendanceSummaryOut])
def attendance_history(here: EventsScope) -> list[AttendanceSummaryOut]:
    """Who came to the community's events and how often (stewards)."""
    return [
        AttendanceSummaryOut(user_id=u.id, name=u.display_name, sessions=n, last=last)
        for u, n, last in signup.community_attendance(here.session, here.community, here.viewer)
    ]


@router.get("/me/calendar", response_model=CalendarOut)
def my_calendar(request: Request) -> CalendarOut:
    """The secret address of your personal calendar feed (made on first use)."""
    with unit_of_work(request, write=True) as ctx:
        token = calendar_token(ctx.session, ctx.viewer.require_user())
        return CalendarOut(url=f"{own_address(request)}/me/calendar/{token}.ics")


@router.post("/me/calendar/rotate", response_model=CalendarOut)
def rotate_calendar(request: Request, ctx: Unit) -> CalendarOut:
    """A new secret address for your calendar feed; the old one stops working."""
    token = calendar_token(ctx.session, ctx.viewer.require_user(), rotate=True)
    return CalendarOut(url=f"{own_address(request)}/me/calendar/{token}.ics")
