"""Factories for events: an event or class organised by someone, and viewers for people."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.communities.models import Community
from commonpot.db import utcnow
from commonpot.events import service
from commonpot.events.models import Event
from commonpot.events.schemas import EventIn

_counter = itertools.count(1)


def as_viewer(user: User) -> Viewer:
    """The viewer a signed-in person is."""
    return Viewer(user=user)


def make_event(session: Session, community: Community, organiser: User, **fields: Any) -> Event:
    """An upcoming event tomorrow evening in London time, organised by `organiser`."""
    n = next(_counter)
    start = fields.pop("starts_at", utcnow().replace(microsecond=0) + timedelta(days=1))
    draft = EventIn(
        title=str(fields.pop("title", f"Cooking together {n}")),
        starts_at=start,
        ends_at=fields.pop("ends_at", start + timedelta(hours=3)),
        timezone=str(fields.pop("timezone", "Europe/London")),
        **fields,
    )
    return service.create_event(session, community, as_viewer(organiser), draft)


def weekly_bread_class(
    session: Session, community: Community, organiser: User, first: datetime, **fields: Any
) -> Event:
    """A public weekly class of eight two-hour sessions, the first at `first` (a series that
    may have begun weeks ago, to show which session meets next)."""
    return make_event(
        session,
        community,
        organiser,
        title="Weekly bread class",
        starts_at=first,
        ends_at=first + timedelta(hours=2),
        rrule="FREQ=WEEKLY;COUNT=8",
        visibility="public",
        **fields,
    )
