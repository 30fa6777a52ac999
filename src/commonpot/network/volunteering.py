"""Volunteer delivery runs: members sign up for a time slot with a vehicle; stewards turn a
day's handovers that need transport into routes (`routing.py`), one per slot."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot import communities
from commonpot.accounts import Viewer
from commonpot.communities import Community
from commonpot.errors import N_, Forbidden, Invalid
from commonpot.network import checks, handovers
from commonpot.network.access import is_steward, require_steward
from commonpot.network.models import Handover, HandoverState, Need, VolunteerSlot
from commonpot.network.routing import Task, Vehicle, route
from commonpot.tenancy import get_scoped

MAX_SLOT = timedelta(hours=14)
MAX_CAPACITY = 1000
TIME_LIMIT_S = 2.0


def sign_up(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    lat: float,
    lon: float,
) -> VolunteerSlot:
    """A member offers to drive in a time slot with room for `capacity` units."""
    communities.require_member(session, community, viewer)
    checks.place(lat, lon)
    if ends_at <= starts_at:
        raise Invalid("ends_at: must be after the start", field="ends_at")
    if ends_at - starts_at > MAX_SLOT:
        raise Invalid("ends_at: a slot lasts at most 14 hours", field="ends_at")
    if isinstance(capacity, bool) or not 1 <= capacity <= MAX_CAPACITY:
        raise Invalid(
            "capacity: a whole number from 1 to %(most)s", field="capacity", most=MAX_CAPACITY
        )
    slot = VolunteerSlot(
        community_id=community.id,
        user_id=viewer.user_id,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        lat=lat,
        lon=lon,
    )
    session.add(slot)
    session.flush()
    return slot


def my_slots(session: Session, community: Community, viewer: Viewer) -> list[VolunteerSlot]:
    """The viewer's slots, soonest first."""
    query = select(VolunteerSlot).where(
        VolunteerSlot.community_id == community.id, VolunteerSlot.user_id == viewer.user_id
    )
    return list(session.scalars(query.order_by(VolunteerSlot.starts_at)))


def get_slot(session: Session, community: Community, viewer: Viewer, slot_id: int) -> VolunteerSlot:
    """A slot with its route: for its volunteer and the stewards."""
    slot = get_scoped(
        session, VolunteerSlot, slot_id, community.id, missing=N_("No such run here.")
    )
    if slot.user_id != viewer.user_id and not is_steward(session, community, viewer):
        raise Forbidden("Only the volunteer and the stewards see this route.")
    return slot


def _minutes(origin: datetime, moment: datetime) -> int:
    return math.floor((moment - origin).total_seconds() / 60)


def plan_day(session: Session, community: Community, viewer: Viewer, day: date) -> dict[str, Any]:
    """Route the day's handovers that nobody carries yet through the day's volunteer slots."""
    require_steward(session, community, viewer)
    origin = datetime.combine(day, time(0), tzinfo=UTC)
    end = origin + timedelta(days=1)
    slots = list(
        session.scalars(
            select(VolunteerSlot)
            .where(
                VolunteerSlot.community_id == community.id,
                VolunteerSlot.starts_at < end,
                VolunteerSlot.ends_at > origin,
            )
            .order_by(VolunteerSlot.id)
        )
    )
    rows = session.execute(
        select(Handover, Need.lat, Need.lon)
        .join(Need, Need.id == Handover.need_id)
        .where(
            Handover.community_id == community.id,
            Handover.volunteer_id.is_(None),
            Handover.state.in_((HandoverState.PROPOSED.value, HandoverState.CONFIRMED.value)),
            Handover.window_start < end,
            Handover.window_end > origin,
        )
        .order_by(Handover.id)
    ).all()
    vehicles = [
        Vehicle(
            str(s.id),
            s.lat,
            s.lon,
            s.capacity,
            max(0, _minutes(origin, s.starts_at)),
            min(24 * 60, _minutes(origin, s.ends_at)),
        )
        for s in slots
    ]
    by_id = {str(h.id): h for h, _, _ in rows}
    tasks = [
        Task(
            str(h.id),
            h.quantity,
            h.lat,
            h.lon,
            lat,
            lon,
            max(0, _minutes(origin, h.window_start)),
            min(24 * 60, _minutes(origin, h.window_end)),
        )
        for h, lat, lon in rows
    ]
    planned = route(vehicles, tasks, time_limit_s=TIME_LIMIT_S)
    for slot in slots:
        stops = planned.routes.get(str(slot.id), [])
        slot.route = {
            "day": day.isoformat(),
            "stops": [
                {
                    "handover": int(stop.task),
                    "action": stop.action,
                    "lat": stop.lat,
                    "lon": stop.lon,
                    "quantity": stop.quantity,
                    "unit": by_id[stop.task].unit,
                    "category": by_id[stop.task].category,
                    "arrive": (origin + timedelta(minutes=stop.arrive_min)).isoformat(),
                }
                for stop in stops
            ],
        }
        for stop in stops:
            handover = by_id[stop.task]
            if stop.action == "pickup" and handover.volunteer_id is None:
                handover.volunteer_id = slot.user_id
                handovers.announce(session, handover, "volunteer")
    session.flush()
    return {
        "slots": len(slots),
        "handovers": len(tasks),
        "routed": len(tasks) - len(planned.dropped),
        "km": round(planned.total_km, 1),
    }
