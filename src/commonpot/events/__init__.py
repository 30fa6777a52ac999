"""Events domain.

What other domains may use is exported here; everything else is the domain's own.
"""

from commonpot.events.access import visible_events
from commonpot.events.coming import Coming, upcoming
from commonpot.events.models import Event, EventStatus, EventVisibility, MenuItem, Registration
from commonpot.events.schemas import EventIn
from commonpot.events.service import create_event
from commonpot.events.sources import CalendarSource, ExternalEvent, register_calendar_source

__all__ = [
    "CalendarSource",
    "Coming",
    "Event",
    "EventIn",
    "EventStatus",
    "EventVisibility",
    "ExternalEvent",
    "MenuItem",
    "Registration",
    "create_event",
    "register_calendar_source",
    "upcoming",
    "visible_events",
]
