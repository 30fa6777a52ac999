"""Events domain.

What other domains may use is exported here; everything else is the domain's own.

The exports load on first use, so `commonpot events --help` answers without the ORM or
SciPy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from commonpot.events.access import visible_events
    from commonpot.events.coming import Coming, first_change, upcoming
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
    "first_change",
    "register_calendar_source",
    "upcoming",
    "visible_events",
]

_ACCESS = frozenset({"visible_events"})
_COMING = frozenset({"Coming", "first_change", "upcoming"})
_MODELS = frozenset({"Event", "EventStatus", "EventVisibility", "MenuItem", "Registration"})
_SCHEMAS = frozenset({"EventIn"})
_SERVICE = frozenset({"create_event"})
_SOURCES = frozenset({"CalendarSource", "ExternalEvent", "register_calendar_source"})


def __getattr__(name: str) -> Any:
    value: Any
    if name in _ACCESS:
        from commonpot.events import access

        value = getattr(access, name)
    elif name in _COMING:
        from commonpot.events import coming

        value = getattr(coming, name)
    elif name in _MODELS:
        from commonpot.events import models

        value = getattr(models, name)
    elif name in _SCHEMAS:
        from commonpot.events import schemas

        value = getattr(schemas, name)
    elif name in _SERVICE:
        from commonpot.events import service

        value = getattr(service, name)
    elif name in _SOURCES:
        from commonpot.events import sources

        value = getattr(sources, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
