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
    cancelled) starts, and where, by name; and `changes_at`, the first moment its line reads
    otherwise without a write (a session of it ends, so the next one shows, or the event is
    over and leaves the list)."""

    id: int
    title: str
    place: str | None
    starts_at: datetime
    changes_at: datetime


def first_change(coming: list[Coming]) -> datetime | None:
    """When a list of `upcoming` events first reads otherwise without a write (None: an
    empty list, which a write alone can change). An event beyond the list's limit cannot
    enter it before a listed one changes: its next session only moves later."""
    return min((each.changes_at for each in coming), default=None)


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
    return [
        Coming(event_id, title, place, starts, min(w for w in (ends, over) if w is not None))
        for event_id, title, place, starts, ends, over in found
    ]


@lru_cache(maxsize=4)
def _upcoming(member: bool) -> Any:
    """`upcoming`'s statement: `list_events(upcoming=True)`'s, less cancelled events, each
    with its place's name and its next session's start (its own start when it has no
    sessions), soonest first; bound: the community, the moment and the limit."""
    moment = bindparam("moment", type_=Event.ends_at.type)

    def first_to_come(column: Any) -> Any:
        """The least `column` of the event's sessions still to come (not ended, not
        cancelled)."""
        return (
            select(func.min(column))
            .where(
                EventSession.event_id == Event.id,
                EventSession.ends_at >= moment,
                EventSession.cancelled.is_(False),
            )
            .scalar_subquery()
        )

    next_session = first_to_come(EventSession.starts_at)
    starts = type_coerce(func.coalesce(next_session, Event.starts_at), Event.starts_at.type)
    place = select(Place.name).where(Place.id == Event.place_id).scalar_subquery()
    # when the line changes: the first of its sessions to come that ends, and the end of
    # the whole series (`listing_statement`'s rule for what is upcoming)
    session_end = first_to_come(EventSession.ends_at)
    series_end = select(func.max(EventSession.ends_at)).where(EventSession.event_id == Event.id)
    over = func.coalesce(series_end.scalar_subquery(), Event.ends_at)
    return (
        listing_statement(member, True, False)
        .where(Event.status != EventStatus.CANCELLED.value)
        .with_only_columns(
            Event.id,
            Event.title,
            place,
            starts,
            type_coerce(session_end, Event.ends_at.type),
            type_coerce(over, Event.ends_at.type),
        )
        .order_by(None)
        .order_by(starts, Event.id)
        .limit(bindparam("limit", type_=Integer))
    )
