"""What is coming up, for the community home: each event by its next session, not its first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.communities import Community
from commonpot.db import utcnow
from commonpot.events.models import Event, EventSession, EventStatus
from commonpot.events.service import list_events


@dataclass(frozen=True)
class Coming:
    """An event and when its next session (still to come, not cancelled) starts."""

    event: Event
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
    first: a weekly class that began last month shows the date it meets next."""
    moment = now or utcnow()
    found = [
        e
        for e in list_events(session, community, viewer, upcoming=True, now=moment)
        if e.status != EventStatus.CANCELLED.value
    ]
    if not found:
        return []
    nexts = dict(
        session.execute(
            select(EventSession.event_id, func.min(EventSession.starts_at))
            .where(
                EventSession.event_id.in_([e.id for e in found]),
                EventSession.ends_at >= moment,
                EventSession.cancelled.is_(False),
            )
            .group_by(EventSession.event_id)
        ).all()
    )
    coming = [Coming(e, nexts.get(e.id) or e.starts_at) for e in found]
    coming.sort(key=lambda c: (c.starts_at, c.event.id))
    return coming[:limit]
