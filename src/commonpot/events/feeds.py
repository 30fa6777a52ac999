"""Calendar feeds (RFC 5545): per community (honouring visibility), per person, per event."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot.accounts import User, Viewer
from commonpot.communities import Community, Membership
from commonpot.db import utcnow
from commonpot.errors import NotFound
from commonpot.events.access import visible_events
from commonpot.events.ics import CalendarEvent, build_calendar
from commonpot.events.models import Event, EventKind, EventSession
from commonpot.events.signup import WAITLISTED, registered_events
from commonpot.events.sources import REMOTE, ExternalEvent, external_events


def event_url(base_url: str, community: Community, event: Event) -> str:
    """The event page's address."""
    return f"{base_url.rstrip('/')}/communities/{community.slug}/events/{event.id}"


def calendar_event(
    session: Session, community: Community, event: Event, base_url: str, *, tentative: bool = False
) -> CalendarEvent:
    """The calendar data for one event (cancelled sessions become EXDATEs)."""
    exdates: tuple[EventSession, ...] = ()
    if event.rrule:
        exdates = tuple(
            session.scalars(
                select(EventSession)
                .where(EventSession.event_id == event.id, EventSession.cancelled.is_(True))
                .order_by(EventSession.starts_at)
            )
        )
    place = event.place
    location = ", ".join(x for x in (place.name if place else "", event.location_note) if x)
    details = [event.description or f"{event.title}, with {community.name}."]
    if event.accessibility:
        details.append(f"Accessibility: {event.accessibility}")
    if event.languages:
        details.append(f"Languages: {event.languages.replace(',', ', ')}")
    return CalendarEvent(
        uid=event.uid,
        summary=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
        description="\n\n".join(d for d in details if d),
        location=location or community.name,
        geo=(place.lat, place.lon) if place is not None else None,
        url=event_url(base_url, community, event),
        cancelled=event.is_cancelled,
        tentative=tentative,
        rrule=event.rrule,
        exdates=tuple(s.starts_at for s in exdates),
        sequence=event.sequence,
        stamp=event.updated_at,
        last_modified=event.updated_at,
        categories=(event.kind,),
    )


def external_calendar_event(item: ExternalEvent) -> CalendarEvent:
    """An event from another calendar: marked remote, its origin in the summary and categories."""
    ends = item.ends_at if item.ends_at is not None else item.starts_at + timedelta(hours=2)
    origin = item.origin or "?"
    return CalendarEvent(
        uid=item.uid,
        summary=f"{item.title} ({origin})",
        starts_at=item.starts_at,
        ends_at=max(ends, item.starts_at),
        description=item.description,
        location=item.location,
        url=item.url if item.url.startswith(("https://", "http://")) else "",
        stamp=item.updated_at,
        last_modified=item.updated_at,
        categories=(REMOTE, origin),
    )


def community_feed(session: Session, community: Community, viewer: Viewer, base_url: str) -> bytes:
    """The community's events the viewer may see, and those of the calendars it takes in."""
    events = session.scalars(visible_events(session, community, viewer).order_by(Event.starts_at))
    items = [calendar_event(session, community, e, base_url) for e in events]
    items.extend(external_calendar_event(x) for x in external_events(session, community, viewer))
    return build_calendar(f"{community.name} events", items)


def event_feed(session: Session, community: Community, event: Event, base_url: str) -> bytes:
    """One event as a calendar file (the caller has checked the viewer may see it)."""
    return build_calendar(event.title, [calendar_event(session, community, event, base_url)])


def personal_feed(session: Session, token: str, base_url: str) -> bytes:
    """Everything the token's owner is signed up for; an unknown token is NotFound."""
    if len(token) < 20:
        raise NotFound("No calendar here.")
    user = session.scalar(select(User).where(User.calendar_token == token))
    if user is None or not user.is_active:
        raise NotFound("No calendar here.")
    items = []
    seen: set[int] = set()
    for event, registration in registered_events(session, user):
        community = session.get(Community, event.community_id)
        assert community is not None
        seen.add(event.id)
        items.append(
            calendar_event(
                session, community, event, base_url, tentative=registration.status == WAITLISTED
            )
        )
    for event, community in _flash_calls(session, user):
        if event.id not in seen:
            items.append(calendar_event(session, community, event, base_url, tentative=True))
    return build_calendar(f"{user.display_name}'s events", items)


def _flash_calls(session: Session, user: User) -> list[tuple[Event, Community]]:
    """Flash events of the person's communities from the last day on (they reach everyone)."""
    rows = session.execute(
        select(Event, Community)
        .join(Community, Community.id == Event.community_id)
        .join(Membership, Membership.community_id == Community.id)
        .where(
            Membership.user_id == user.id,
            Event.kind == EventKind.FLASH.value,
            Event.ends_at >= utcnow() - timedelta(days=1),
        )
        .order_by(Event.starts_at)
    ).all()
    return [(row[0], row[1]) for row in rows]
