"""Events domain.

What other domains may use is exported here; everything else is the domain's own.
"""

from commonpot.events.access import visible_events
from commonpot.events.models import Event, EventStatus, EventVisibility
from commonpot.events.sources import CalendarSource, ExternalEvent, register_calendar_source

__all__ = [
    "CalendarSource",
    "Event",
    "EventStatus",
    "EventVisibility",
    "ExternalEvent",
    "register_calendar_source",
    "visible_events",
]
