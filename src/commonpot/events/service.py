"""Events use cases: who sees which event, creating and changing events, sessions, flash calls.

`visible_events` is THE visibility rule for every read path (pages, API, feeds, live
stream). Sign-ups live in `signup.py`, menus in `menu.py`, pairing in `pairs.py`.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Integer, Select, bindparam, delete, func, or_, select
from sqlalchemy.orm import Session

from commonpot import signals
from commonpot.accounts import Viewer
from commonpot.bus import community_channel, queue_after_commit
from commonpot.communities import Community, Membership, Role, get_place, membership, require_member
from commonpot.db import utcnow
from commonpot.errors import Conflict, Forbidden, Invalid, NotFound
from commonpot.events import recurrence
from commonpot.events.access import (
    FLASH_SETTING,
    event_rule,
    is_member,
    may_call_flash,
    real_id,
    require_manager,
    visible_events,
)
from commonpot.events.models import (
    Attendance,
    Event,
    EventKind,
    EventSession,
    EventStatus,
    EventVisibility,
    Registration,
    RegistrationStatus,
)
from commonpot.events.schemas import EventIn, EventPatch
from commonpot.events.signals import EventCancelled, EventChanged, FlashCalled
from commonpot.tenancy import find_scoped

DEFAULT_ROLES = ("participant",)
ROLE_RE = re.compile(r"^[a-z][a-z0-9 /-]{0,39}$")
LANG_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
MAX_DURATION = timedelta(days=14)
NULLABLE = frozenset({"place_id", "capacity", "rrule"})  # fields a change may clear


def list_events(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    upcoming: bool | None = None,
    kind: str | None = None,
    now: datetime | None = None,
    limit: int | None = None,
) -> list[Event]:
    """Visible events, soonest first for upcoming ones, latest first for past ones; the
    first `limit` of them when given."""
    member = is_member(session, community, viewer)
    query = listing_statement(member, upcoming, limit is not None)
    if kind:
        query = query.where(Event.kind == kind)
    values = {"community_id": community.id, "moment": now or utcnow(), "limit": limit}
    return list(session.scalars(query, values))


@lru_cache(maxsize=16)
def listing_statement(member: bool, upcoming: bool | None, limited: bool) -> Select[Event]:
    """`list_events`' statement (the visibility rule, `event_rule`), built once per process
    for each kind of viewer and list; bound: the community, the moment and the limit."""
    query = event_rule(bindparam("community_id"), member)
    moment = bindparam("moment", type_=Event.ends_at.type)
    if upcoming is True:
        query = query.where(func.coalesce(_series_end_subquery(), Event.ends_at) >= moment)
        query = query.order_by(Event.starts_at, Event.id)
    elif upcoming is False:
        query = query.where(func.coalesce(_series_end_subquery(), Event.ends_at) < moment)
        query = query.order_by(Event.starts_at.desc(), Event.id.desc())
    else:
        query = query.order_by(Event.starts_at, Event.id)
    if limited:
        query = query.limit(bindparam("limit", type_=Integer))
    return query


class Listing(NamedTuple):
    """The events page's lists: events to come (soonest first) with their sign-up numbers
    (event id -> confirmed and waitlisted), and the latest past ones (latest first)."""

    upcoming: list[Event]
    past: list[Event]
    counts: dict[int, dict[str, int]]


def listing(
    session: Session, community: Community, viewer: Viewer, *, now: datetime, past: int
) -> Listing:
    """`list_events` of the events to come and of the latest `past` ones gone by, and
    `signup.counts_for` the first, in one statement (the events page reads it every time)."""
    query = _page_listing(is_member(session, community, viewer))
    values = {"community_id": community.id, "moment": now, "limit": past}
    upcoming: list[Event] = []
    gone: list[Event] = []
    counts: dict[int, dict[str, int]] = {}
    for event, is_past, confirmed, waitlisted in session.execute(query, values):
        if is_past:
            gone.append(event)
        else:
            upcoming.append(event)
            counts[event.id] = {"confirmed": int(confirmed), "waitlisted": int(waitlisted)}
    gone.reverse()  # read soonest first: the latest first now
    return Listing(upcoming, gone, counts)


@lru_cache(maxsize=2)
def _page_listing(member: bool) -> Select[Any]:
    """`listing`'s statement, built once per process for members and for everyone else:
    each visible event to come or among the latest past ones (ranked by start, latest
    first), whether it is past, and its confirmed and waitlisted sign-ups; events to come
    first, each part by start. Bound: the community, the moment and how many past ones."""
    moment = bindparam("moment", type_=Event.ends_at.type)
    is_past = func.coalesce(_series_end_subquery(), Event.ends_at) < moment
    latest = func.row_number().over(
        partition_by=is_past, order_by=(Event.starts_at.desc(), Event.id.desc())
    )
    ranked = (
        event_rule(bindparam("community_id"), member)
        .with_only_columns(Event.id, is_past.label("past"), latest.label("rank"))
        .subquery()
    )

    def signed_up(status: RegistrationStatus) -> Any:
        return (
            select(func.count(Registration.id))
            .where(Registration.event_id == Event.id, Registration.status == status.value)
            .correlate(Event)
            .scalar_subquery()
        )

    return (
        select(Event, ranked.c.past, signed_up(RegistrationStatus.CONFIRMED))
        .add_columns(signed_up(RegistrationStatus.WAITLISTED))
        .join(ranked, ranked.c.id == Event.id)
        .where(or_(ranked.c.past.is_(False), ranked.c.rank <= bindparam("limit", type_=Integer)))
        .order_by(ranked.c.past, Event.starts_at, Event.id)
    )


def upcoming_occurrences(
    session: Session, events: list[Event], *, now: datetime | None = None, limit: int = 60
) -> list[tuple[Event, EventSession]]:
    """Each coming session of these events on its own date, soonest first.

    A weekly class appears once per session still to come (not by its first, past, date);
    cancelled sessions are left out."""
    if not events:
        return []
    by_id = {e.id: e for e in events}
    values = {"ids": list(by_id), "moment": now or utcnow(), "limit": limit}
    return [(by_id[s.event_id], s) for s in session.scalars(_OCCURRENCES, values)]


# built once per process (every events page asks it); bound: the events, moment and limit
_OCCURRENCES = (
    select(EventSession)
    .where(
        EventSession.event_id.in_(bindparam("ids", expanding=True)),
        EventSession.ends_at >= bindparam("moment", type_=EventSession.ends_at.type),
        EventSession.cancelled.is_(False),
    )
    .order_by(EventSession.starts_at, EventSession.id)
    .limit(bindparam("limit", type_=Integer))
)


def _series_end_subquery() -> Any:
    return (
        select(func.max(EventSession.ends_at))
        .where(EventSession.event_id == Event.id)
        .correlate(Event)
        .scalar_subquery()
    )


def get_event(session: Session, community: Community, viewer: Viewer, event_id: int) -> Event:
    """One visible event, or NotFound (hidden events do not exist for the viewer)."""
    found = None
    if real_id(event_id):
        found = session.scalar(
            visible_events(session, community, viewer).where(Event.id == event_id)
        )
    if found is None:
        raise NotFound("No event %(id)s here.", id=str(event_id))
    return found


def allow_members_flash(
    session: Session, community: Community, viewer: Viewer, allowed: bool
) -> None:
    """Let every member call flash events, or only stewards (stewards decide)."""
    if not viewer.is_admin:
        from commonpot.communities import require_role

        require_role(session, community, viewer, Role.STEWARD)
    from commonpot.communities import set_setting

    set_setting(session, community, FLASH_SETTING, bool(allowed))


# --- checking input ------------------------------------------------------------------------


def _check_roles(roles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for index, raw in enumerate(roles):
        name = str(raw.get("name", "")).strip().lower()
        if not ROLE_RE.match(name):
            raise Invalid(
                "Name each role in 1-40 lower-case letters, e.g. elder, apprentice, helper.",
                field=f"roles[{index}].name",
            )
        wanted = raw.get("wanted")
        if wanted is not None and (not isinstance(wanted, int) or not 0 <= wanted <= 10_000):
            raise Invalid("Wanted must be a whole number ≥ 0.", field=f"roles[{index}].wanted")
        if any(r["name"] == name for r in out):
            raise Invalid(
                "The role '%(name)s' is listed twice.", field=f"roles[{index}].name", name=name
            )
        out.append({"name": name, "wanted": wanted})
    return out or [{"name": r, "wanted": None} for r in DEFAULT_ROLES]


def _check_languages(value: str) -> str:
    codes = [c.strip().lower() for c in value.split(",") if c.strip()]
    for code in codes:
        if not LANG_RE.match(code):
            raise Invalid(
                "List languages as codes separated by commas, e.g. en, es.", field="languages"
            )
    return ",".join(dict.fromkeys(codes))


def localise(value: datetime, timezone: str) -> datetime:
    """A time without an offset read in the event's zone; one with an offset kept as it is."""
    return value.replace(tzinfo=recurrence.zone(timezone)) if value.tzinfo is None else value


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise Invalid("The end must come after the start.", field="ends_at")
    if ends_at - starts_at > MAX_DURATION:
        raise Invalid("An event lasts 14 days at most; use a repeating class.", field="ends_at")


def _check_capacity(capacity: int | None) -> int | None:
    if capacity is None:
        return None
    if capacity < 1 or capacity > 100_000:
        raise Invalid(
            "Capacity is a number of people from 1 up (leave it empty for no limit).",
            field="capacity",
        )
    return capacity


def check_draft(session: Session, community: Community, draft: EventIn) -> dict[str, Any]:
    """The validated column values for an event, or Invalid naming the field.

    Times without an offset are read in the event's `timezone`."""
    title = draft.title.strip()
    if not title or len(title) > 160:
        raise Invalid("Give the event a title of 1 to 160 characters.", field="title")
    if draft.kind not in {k.value for k in EventKind}:
        raise Invalid("Kind is event, class or flash.", field="kind")
    if draft.visibility not in {v.value for v in EventVisibility}:
        raise Invalid("Visibility is 'community' or 'public'.", field="visibility")
    if draft.visibility == EventVisibility.PUBLIC.value and not community.is_public:
        raise Invalid("A private community's events are for its members only.", field="visibility")
    recurrence.zone(draft.timezone)
    starts_at = localise(draft.starts_at, draft.timezone)
    ends_at = localise(draft.ends_at, draft.timezone)
    _check_times(starts_at, ends_at)
    if draft.place_id is not None:
        if not real_id(draft.place_id):
            raise Invalid("Choose one of the community's places.", field="place_id")
        get_place(session, community, draft.place_id)
    rule = None
    if draft.rrule and draft.rrule.strip():
        rule = recurrence.normalise_rule(draft.rrule, draft.timezone)
    if len(draft.description) > 10_000 or len(draft.accessibility) > 2_000:
        raise Invalid("Keep the description under 10,000 characters.", field="description")
    return {
        "title": title,
        "kind": draft.kind,
        "description": draft.description.strip(),
        "place_id": draft.place_id,
        "location_note": draft.location_note.strip()[:200],
        "starts_at": starts_at,
        "ends_at": ends_at,
        "timezone": draft.timezone,
        "capacity": _check_capacity(draft.capacity),
        "roles": _check_roles([r.model_dump() for r in draft.roles]),
        "visibility": draft.visibility,
        "accessibility": draft.accessibility.strip(),
        "languages": _check_languages(draft.languages),
        "rrule": rule,
    }


# --- making and changing events ------------------------------------------------------------


def _make_sessions(session: Session, event: Event) -> None:
    session.execute(delete(EventSession).where(EventSession.event_id == event.id))
    if event.rrule:
        occurrences = recurrence.expand(
            event.rrule, event.starts_at, event.ends_at - event.starts_at, event.timezone
        )
    else:
        occurrences = [recurrence.Occurrence(event.starts_at, event.ends_at)]
    for item in occurrences:
        session.add(
            EventSession(
                community_id=event.community_id,
                event_id=event.id,
                starts_at=item.starts_at,
                ends_at=item.ends_at,
            )
        )
    session.flush()


def create_event(session: Session, community: Community, viewer: Viewer, draft: EventIn) -> Event:
    """Create an event or class (members organise; flash events need `may_call_flash`)."""
    mine = require_member(session, community, viewer) if not viewer.is_admin else None
    values = check_draft(session, community, draft)
    if values["kind"] == EventKind.FLASH.value and not may_call_flash(session, community, viewer):
        raise Forbidden("Only stewards can call flash events in this community.")
    event = Event(
        community_id=community.id,
        uid=f"{secrets.token_hex(12)}@commonpot",
        created_by_id=mine.user_id if mine else viewer.user_id,
        **values,
    )
    session.add(event)
    session.flush()
    _make_sessions(session, event)
    if event.kind == EventKind.FLASH.value:
        queue_after_commit(session, community_channel(community.id), flash_message(event))
        signals.emit(session, FlashCalled(community.id, event.id))
    return event


def flash_message(event: Event) -> dict[str, Any]:
    """The live message announcing a flash event."""
    return {
        "type": "flash",
        "event_id": event.id,
        "title": event.title,
        "visibility": event.visibility,
        "starts_at": event.starts_at.isoformat(),
        "place": event.place.name if event.place else event.location_note,
    }


def update_event(
    session: Session, community: Community, viewer: Viewer, event: Event, changes: EventPatch
) -> Event:
    """Change an event (organiser or steward); times regenerate sessions unless people came.

    Only the fields set in `changes` change; the result is checked as a whole `EventIn`."""
    require_manager(session, community, viewer, event)
    given = changes.model_dump(exclude_unset=True)
    current = {k: getattr(event, k) for k in EventIn.model_fields}
    merged = {**current, **{k: v for k, v in given.items() if v is not None or k in NULLABLE}}
    values = check_draft(session, community, EventIn.model_validate(merged))
    flash = EventKind.FLASH.value
    if values["kind"] == flash != event.kind and not may_call_flash(session, community, viewer):
        raise Forbidden("Only stewards can call flash events in this community.")
    timing = ("starts_at", "ends_at", "timezone", "rrule")
    retime = any(values[k] != getattr(event, k) for k in timing)
    moved = any(values[k] != getattr(event, k) for k in ("place_id", "location_note"))
    if retime and session.scalar(select(Attendance.id).where(Attendance.event_id == event.id)):
        raise Conflict("People have already checked in; cancel sessions instead of retiming.")
    confirmed = _confirmed_count(session, event)
    if values["capacity"] is not None and values["capacity"] < confirmed:
        raise Invalid(
            # no plural form in a refusal: "1 people" must not be said
            "Already confirmed: %(num)s. The capacity cannot go below that.",
            field="capacity",
            num=confirmed,
        )
    for key, value in values.items():
        setattr(event, key, value)
    event.sequence += 1
    event.updated_at = utcnow()
    session.flush()
    if retime:
        _make_sessions(session, event)
    change = (("time",) if retime else ()) + (("place",) if moved else ())
    if change:
        key = f"{event.id}:{event.sequence}"
        signals.emit(session, EventChanged(community.id, event.id, change, key))
    from commonpot.events import signup

    signup.promote_waiting(session, community, event)
    return event


def _confirmed_count(session: Session, event: Event) -> int:
    from commonpot.events.signup import counts

    return counts(session, event)["confirmed"]


def cancel_event(session: Session, community: Community, viewer: Viewer, event: Event) -> Event:
    """Cancel an event (organiser or steward); feeds then say STATUS:CANCELLED."""
    require_manager(session, community, viewer, event)
    if event.is_cancelled:
        raise Conflict("This event is already cancelled.")
    event.status = EventStatus.CANCELLED.value
    event.sequence += 1
    event.updated_at = utcnow()
    session.flush()
    queue_after_commit(
        session,
        community_channel(community.id),
        {"type": "cancelled", "event_id": event.id, "visibility": event.visibility},
    )
    signals.emit(session, EventCancelled(community.id, event.id))
    return event


def sessions(session: Session, event: Event) -> list[EventSession]:
    """The event's sessions in time order."""
    return list(
        session.scalars(
            select(EventSession)
            .where(EventSession.event_id == event.id)
            .order_by(EventSession.starts_at)
        )
    )


def cancel_session(
    session: Session, community: Community, viewer: Viewer, event: Event, session_id: int
) -> EventSession:
    """Cancel one session of a series (organiser or steward); feeds list it as an EXDATE."""
    require_manager(session, community, viewer, event)
    ident = session_id if real_id(session_id) else None
    found = find_scoped(session, EventSession, ident, community.id)
    if found is None or found.event_id != event.id:
        raise NotFound("No such session for this event.")
    if not event.rrule:
        raise Invalid("A one-off event has one session: cancel the event instead.")
    found.cancelled = True
    event.sequence += 1
    event.updated_at = utcnow()
    session.flush()
    key = f"{event.id}:{event.sequence}"
    signals.emit(session, EventChanged(community.id, event.id, ("time",), key))
    return found


def my_role(session: Session, community: Community, viewer: Viewer) -> Membership | None:
    """The viewer's membership (for pages deciding what to offer)."""
    return membership(session, community, viewer)
