"""Events domain.

What other domains may use is exported here; everything else is the domain's own.
"""

from commonpot.events.access import visible_events
from commonpot.events.models import Event, EventStatus, EventVisibility
from commonpot.events.schemas import EventIn
from commonpot.events.service import create_event
from commonpot.events.sources import CalendarSource, ExternalEvent, register_calendar_source

__all__ = [
    "CalendarSource",
    "Event",
    "EventIn",
    "EventStatus",
    "EventVisibility",
    "ExternalEvent",
    "create_event",
    "register_calendar_source",
    "visible_events",
]
