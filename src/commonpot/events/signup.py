"""Sign-ups: roles, capacity that is never exceeded, an exact waitlist, check-in, attendance.

Every change to an event's sign-ups first locks the event's row (SELECT ... FOR UPDATE on
PostgreSQL; on SQLite the write transaction already holds the database's write lock), so
counting confirmed places and taking one is a single step that concurrent sign-ups cannot
interleave.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from commonpot import signals
from commonpot.accounts import User, Viewer
from commonpot.bus import community_channel, queue_after_commit
from commonpot.communities import Community, membership
from commonpot.db import utcnow
from commonpot.errors import Conflict, Forbidden, Invalid, NotFound
from commonpot.events.access import can_manage, real_id, require_manager
from commonpot.events.models import (
    Attendance,
    Event,
    EventSession,
    EventVisibility,
    Registration,
    RegistrationStatus,
)
from commonpot.events.signals import WaitlistPromoted
from commonpot.tenancy import find_scoped

CONFIRMED = RegistrationStatus.CONFIRMED.value
WAITLISTED = RegistrationStatus.WAITLISTED.value
CANCELLED = RegistrationStatus.CANCELLED.value


def counts(session: Session, event: Event) -> dict[str, int]:
    """How many are confirmed and how many wait."""
    return counts_for(session, [event])[event.id]


def counts_for(session: Session, events: Sequence[Event]) -> dict[int, dict[str, int]]:
    """`counts` of many events, in one statement: event id -> its numbers."""
    found = {e.id: {"confirmed": 0, "waitlisted": 0} for e in events}
    if not found:
        return found
    rows = session.execute(_COUNTS, {"ids": list(found)}).all()
    for event_id, status, n in rows:
        found[int(event_id)]["confirmed" if status == CONFIRMED else "waitlisted"] = int(n)
    return found


# built once per process (every events page asks it); bound: the events
_COUNTS = (
    select(Registration.event_id, Registration.status, func.count(Registration.id))
    .where(
        Registration.event_id.in_(bindparam("ids", expanding=True)),
        Registration.status.in_((CONFIRMED, WAITLISTED)),
    )
    .group_by(Registration.event_id, Registration.status)
)


def _lock(session: Session, event: Event) -> Event:
    locked = session.scalar(select(Event.id).where(Event.id == event.id).with_for_update())
    if locked is None:
        raise NotFound("This event no longer exists.")
    session.refresh(event)  # capacity or status may have changed while we waited
    return event


def event_end(session: Session, event: Event) -> datetime:
    """When the event (or the last session of a series) ends."""
    last = session.scalar(
        select(func.max(EventSession.ends_at)).where(EventSession.event_id == event.id)
    )
    return last or event.ends_at


def _count_message(session: Session, community: Community, event: Event) -> None:
    numbers = counts(session, event)
    queue_after_commit(
        session,
        community_channel(community.id),
        {"type": "count", "event_id": event.id, "visibility": event.visibility, **numbers},
    )


def _check_role(event: Event, role: str | None) -> str:
    names = [r["name"] for r in event.roles or []] or ["participant"]
    chosen = (role or names[0]).strip().lower()
    if chosen not in names:
        raise Invalid("Choose one of the roles: %(roles)s.", field="role", roles=", ".join(names))
    return chosen


def _check_recipes(recipes: Sequence[str]) -> list[str]:
    cleaned = [r.strip()[:120] for r in recipes if r and r.strip()]
    if len(cleaned) > 20:
        raise Invalid("List at most 20 recipes.", field="recipes")
    return list(dict.fromkeys(cleaned))


def register(
    session: Session,
    community: Community,
    viewer: Viewer,
    event: Event,
    *,
    role: str | None = None,
    recipes: Sequence[str] = (),
    note: str = "",
) -> Registration:
    """Sign the viewer up: a confirmed place while there is room, else the waitlist."""
    user = viewer.require_user()
    if (
        event.visibility != EventVisibility.PUBLIC.value
        and membership(session, community, viewer) is None
    ):
        raise Forbidden("Only members of this community can sign up for this event.")
    chosen = _check_role(event, role)
    wanted = _check_recipes(recipes)
    event = _lock(session, event)
    if event.is_cancelled:
        raise Conflict("This event is cancelled.")
    if event_end(session, event) < utcnow():
        raise Conflict("This event is over.")
    existing = session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.user_id == user.id
        )
    )
    if existing is not None and existing.status != CANCELLED:
        raise Conflict("You are already signed up for this event.")
    taken = counts(session, event)["confirmed"]
    status = CONFIRMED if event.capacity is None or taken < event.capacity else WAITLISTED
    now = utcnow()
    if existing is None:
        existing = Registration(community_id=community.id, event_id=event.id, user_id=user.id)
        session.add(existing)
    existing.role, existing.status, existing.recipes = chosen, status, wanted
    existing.note, existing.queued_at, existing.promoted_at = note.strip()[:300], now, None
    session.flush()
    _count_message(session, community, event)
    return existing


def promote_waiting(session: Session, community: Community, event: Event) -> list[Registration]:
    """Give freed places to the waitlist in the order people joined it."""
    event = _lock(session, event)
    taken = counts(session, event)["confirmed"]
    free = None if event.capacity is None else event.capacity - taken
    query = (
        select(Registration)
        .where(Registration.event_id == event.id, Registration.status == WAITLISTED)
        .order_by(Registration.queued_at, Registration.id)
    )
    if free is not None:
        if free <= 0:
            return []
        query = query.limit(free)
    promoted = list(session.scalars(query))
    now = utcnow()
    for registration in promoted:
        registration.status, registration.promoted_at = CONFIRMED, now
    session.flush()
    if promoted:
        _count_message(session, community, event)
        ids = tuple(r.user_id for r in promoted if r.user_id is not None)
        signals.emit(session, WaitlistPromoted(community.id, event.id, ids))
    return promoted


def cancel(
    session: Session,
    community: Community,
    viewer: Viewer,
    event: Event,
    user_id: int | None = None,
) -> tuple[Registration, list[Registration]]:
    """Withdraw a sign-up (yours, or anyone's for the organiser); the waitlist moves up."""
    me = viewer.require_user()
    target = user_id if user_id is not None else me.id
    if target != me.id:
        require_manager(session, community, viewer, event)
    if not real_id(target):
        raise NotFound("There is no sign-up to withdraw.")
    event = _lock(session, event)
    found = session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.user_id == target
        )
    )
    if found is None or found.status == CANCELLED:
        raise NotFound("There is no sign-up to withdraw.")
    found.status = CANCELLED
    session.flush()
    promoted = promote_waiting(session, community, event)
    if not promoted:
        _count_message(session, community, event)
    return found, promoted


def registrations(
    session: Session, community: Community, viewer: Viewer, event: Event
) -> list[Registration]:
    """Who is coming and who waits (members and organisers see names; others see none)."""
    if not viewer.is_admin and membership(session, community, viewer) is None:
        return []
    return list(
        session.scalars(
            select(Registration)
            .join(User, User.id == Registration.user_id)
            .where(Registration.event_id == event.id, Registration.status != CANCELLED)
            .order_by(Registration.status, Registration.queued_at, Registration.id)
        )
    )


def my_registration(session: Session, event: Event, viewer: Viewer) -> Registration | None:
    """The viewer's live sign-up for the event, if any."""
    if viewer.user is None:
        return None
    return session.scalar(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.user_id == viewer.user.id,
            Registration.status != CANCELLED,
        )
    )


def current_session(session: Session, event: Event, now: datetime | None = None) -> EventSession:
    """The session to check people in to: today's, else the next, else the last one."""
    moment = now or utcnow()
    rows = list(
        session.scalars(
            select(EventSession)
            .where(EventSession.event_id == event.id, EventSession.cancelled.is_(False))
            .order_by(EventSession.starts_at)
        )
    )
    if not rows:
        raise Conflict("Every session of this event is cancelled.")
    for row in rows:
        if row.ends_at >= moment - (row.ends_at - row.starts_at):
            return row
    return rows[-1]


def check_in(
    session: Session,
    community: Community,
    viewer: Viewer,
    event: Event,
    user_id: int,
    session_id: int | None = None,
) -> Attendance:
    """Mark a confirmed person as here (organiser or steward); checking in twice is harmless."""
    require_manager(session, community, viewer, event)
    if not real_id(user_id):
        raise NotFound("That person is not signed up.")
    if session_id is None:
        occasion = current_session(session, event)
    else:
        ident = session_id if real_id(session_id) else None
        found = find_scoped(session, EventSession, ident, event.community_id)
        if found is None or found.event_id != event.id:
            raise NotFound("No such session for this event.")
        occasion = found
    if occasion.cancelled:
        raise Conflict("That session is cancelled.")
    registration = session.scalar(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.user_id == user_id,
            Registration.status == CONFIRMED,
        )
    )
    if registration is None:
        raise Conflict("Only people with a confirmed place can be checked in.", field="user_id")
    existing = session.scalar(
        select(Attendance).where(
            Attendance.session_id == occasion.id, Attendance.user_id == user_id
        )
    )
    if existing is not None:
        return existing
    attendance = Attendance(
        community_id=community.id,
        event_id=event.id,
        session_id=occasion.id,
        user_id=user_id,
        checked_in_by_id=viewer.user_id,
    )
    session.add(attendance)
    session.flush()
    return attendance


def attendance(
    session: Session, community: Community, viewer: Viewer, event: Event
) -> dict[int, set[int]]:
    """Who came to each session: session id → user ids (organisers and stewards)."""
    if not can_manage(session, community, viewer, event):
        raise Forbidden("Only the organiser or a steward can see attendance.")
    out: dict[int, set[int]] = {}
    for row in session.scalars(select(Attendance).where(Attendance.event_id == event.id)):
        out.setdefault(row.session_id, set()).add(row.user_id)
    return out


def history(session: Session, viewer: Viewer) -> list[tuple[Event, EventSession]]:
    """The sessions the viewer attended, newest first."""
    user = viewer.require_user()
    rows = session.execute(
        select(Event, EventSession)
        .join(Attendance, Attendance.event_id == Event.id)
        .join(EventSession, EventSession.id == Attendance.session_id)
        .where(Attendance.user_id == user.id)
        .order_by(EventSession.starts_at.desc())
    ).all()
    return [(row[0], row[1]) for row in rows]


def registered_events(session: Session, user: User) -> list[tuple[Event, Registration]]:
    """Every event the person is signed up for, across communities they may still see."""
    from commonpot.communities import Community as CommunityRow

    rows = session.execute(
        select(Event, Registration, CommunityRow)
        .join(Registration, Registration.event_id == Event.id)
        .join(CommunityRow, CommunityRow.id == Event.community_id)
        .where(Registration.user_id == user.id, Registration.status != CANCELLED)
        .order_by(Event.starts_at)
    ).all()
    viewer = Viewer(user=user)
    out: list[tuple[Event, Registration]] = []
    for event, registration, community in rows:
        member = membership(session, community, viewer) is not None
        if (event.visibility == EventVisibility.PUBLIC.value and community.is_public) or member:
            out.append((event, registration))
    return out


def community_attendance(
    session: Session, community: Community, viewer: Viewer
) -> list[tuple[User, int, datetime]]:
    """Who came to the community's events: sessions attended and the last time (stewards)."""
    if not viewer.is_admin:
        from commonpot.communities import Role, require_role

        require_role(session, community, viewer, Role.STEWARD)
    rows = session.execute(
        select(User, func.count(Attendance.id), func.max(EventSession.starts_at))
        .join(Attendance, Attendance.user_id == User.id)
        .join(EventSession, EventSession.id == Attendance.session_id)
        .where(Attendance.community_id == community.id)
        .group_by(User.id)
        .order_by(func.count(Attendance.id).desc(), User.display_name)
    ).all()
    return [(row[0], int(row[1]), row[2]) for row in rows]
