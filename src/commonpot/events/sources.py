"""Calendars from elsewhere: sources the composition root adds to a community's events.

The events domain does not know where these events come from (it must not import the
domains that supply them). `commonpot.wiring` registers each source once, by name; the
events list and the community's `events.ics` feed then show what every source returns,
each event marked as coming from outside and naming its origin.

A source is given the community and the viewer and decides itself what that viewer may
see (for instance: nothing from outside for a private community).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from commonpot.accounts import Viewer
    from commonpot.communities import Community

REMOTE = "remote"


@dataclass(frozen=True)
class ExternalEvent:
    """One event from another calendar, as a community's list and feed show it."""

    uid: str
    title: str
    origin: str
    starts_at: datetime
    ends_at: datetime | None = None
    description: str = ""
    location: str = ""
    url: str = ""
    updated_at: datetime | None = None


class CalendarSource(Protocol):
    """What a source supplies for one community and one viewer (soonest first)."""

    def __call__(
        self, session: Session, community: Community, viewer: Viewer
    ) -> Sequence[ExternalEvent]:
        """The events from this source the viewer may see in the community's calendar."""
        ...


_SOURCES: dict[str, CalendarSource] = {}


def register_calendar_source(name: str, source: CalendarSource) -> None:
    """Add (or replace) a named source (called by the composition root; idempotent)."""
    _SOURCES[name] = source


def unregister_calendar_source(name: str) -> None:
    """Remove a named source (tests that check the list without it)."""
    _SOURCES.pop(name, None)


def external_events(session: Session, community: Community, viewer: Viewer) -> list[ExternalEvent]:
    """Every registered source's events for this community and viewer, soonest first."""
    found: list[ExternalEvent] = []
    for name in sorted(_SOURCES):
        found.extend(_SOURCES[name](session, community, viewer))
    return sorted(found, key=lambda e: (e.starts_at, e.uid))
