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
    "visible_events",
]
