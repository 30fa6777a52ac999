"""Events domain.

What other domains may use is exported here; everything else is the domain's own.
"""

from commonpot.events.access import visible_events
from commonpot.events.models import Event, EventStatus, EventVisibility

__all__ = ["Event", "EventStatus", "EventVisibility", "visible_events"]
