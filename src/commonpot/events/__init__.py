"""Events domain.

What other domains may use is exported here; everything else is the domain's own.
"""

from commonpot.events.access import visible_events
from commonpot.events.models import Event, EventStatus, EventVisibility, MenuItem, Registration

__all__ = [
    "Event",
    "EventStatus",
    "EventVisibility",
    "MenuItem",
    "Registration",
    "visible_events",
]
from commonpot.events.models import Event, EventStatus, EventVisibility
from commonpot.events.service import upcoming

__all__ = ["Event", "EventStatus", "EventVisibility", "upcoming", "visible_events"]
