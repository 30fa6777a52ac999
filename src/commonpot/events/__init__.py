"""Events domain.

What other domains may use is exported here; everything else is the domain's own.
"""

from commonpot.events.access import visible_events
from commonpot.events.models import Event, EventStatus, EventVisibility, MenuItem, Registration
from commonpot.events.service import upcoming

__all__ = [
    "Event",
    "EventStatus",
    "EventVisibility",
    "MenuItem",
    "Registration",
    "upcoming",
from commonpot.events.models import Event, EventStatus, EventVisibility
from commonpot.events.schemas import EventIn
from commonpot.events.service import create_event
from commonpot.events.sources import CalendarSource, ExternalEvent, register_calendar_source

    "CalendarSource",
    "EventIn",
    "ExternalEvent",
    "create_event",
    "register_calendar_source",
    "visible_events",
]
