"""What is coming up, for the community home: each event by its next session, not its first."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Integer, bindparam, func, select, type_coerce
from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.communities import Community, Place
from commonpot.db import utcnow
from commonpot.events.access import is_member
from commonpot.events.models import Event, EventSession, EventStatus
from commonpot.events.service import listing_statement


class Coming(NamedTuple):
    """An event as the community's home lists it: when its next session (still to come, not
    cancelled) starts, and where, by name."""

    id: int
    title: str
    place: str | None
    starts_at: datetime


def upcoming(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    limit: int = 5,
    now: datetime | None = None,
) -> list[Coming]:
    """The next few visible events that are not cancelled, by their next session, soonest
    first: a weekly class that began last month shows the date it meets next. One statement
    (`list_events`' rule, built once per kind of viewer), plain rows."""
    values = {"community_id": community.id, "moment": now or utcnow(), "limit": limit}
    found = session.execute(_upcoming(is_member(session, community, viewer)), values)
    return [Coming(*row) for row in found]


@lru_cache(maxsize=4)
def _upcoming(member: bool) -> Any:
    """`upcoming`'s statement: `list_events(upcoming=True)`'s, less cancelled events, each
    with its place's name and its next session's start (its own start when it has no
    sessions), soonest first; bound: the community, the moment and the limit."""
    moment = bindparam("moment", type_=Event.ends_at.type)
    next_session = (
        select(func.min(EventSession.starts_at))
        .where(
            EventSession.event_id == Event.id,
            EventSession.ends_at >= moment,
            EventSession.cancelled.is_(False),
        )
        .scalar_subquery()
    )
    starts = type_coerce(func.coalesce(next_session, Event.starts_at), Event.starts_at.type)
    place = select(Place.name).where(Place.id == Event.place_id).scalar_subquery()
    return (
        listing_statement(member, True, False)
        .where(Event.status != EventStatus.CANCELLED.value)
        .with_only_columns(Event.id, Event.title, place, starts)
        .order_by(None)
        .order_by(starts, Event.id)
        .limit(bindparam("limit", type_=Integer))
    )
