"""Build RFC 5545 calendars from plain event data (no database, no web)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar

PRODID = "-//commonpot//events//EN"


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT's worth of data; times are UTC instants, `timezone` says how to show them."""

    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime
    timezone: str = "UTC"
    description: str = ""
    location: str = ""
    geo: tuple[float, float] | None = None
    url: str = ""
    cancelled: bool = False
    tentative: bool = False
    rrule: str | None = None
    exdates: tuple[datetime, ...] = ()
    sequence: int = 0
    stamp: datetime | None = None
    last_modified: datetime | None = None
    categories: tuple[str, ...] = field(default_factory=tuple)


def _local(moment: datetime, timezone: str) -> datetime:
    if timezone in {"UTC", "Etc/UTC"}:
        return moment.astimezone(UTC)
    return moment.astimezone(ZoneInfo(timezone))


def _vevent(item: CalendarEvent, now: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", item.uid)
    event.add("dtstamp", (item.stamp or now).astimezone(UTC))
    event.add("dtstart", _local(item.starts_at, item.timezone))
    event.add("dtend", _local(item.ends_at, item.timezone))
    event.add("summary", item.summary)
    event.add("sequence", item.sequence)
    if item.description:
        event.add("description", item.description)
    if item.location:
        event.add("location", item.location)
    if item.geo is not None:
        event.add("geo", item.geo)
    if item.url:
        event.add("url", item.url)
    if item.last_modified is not None:
        event.add("last-modified", item.last_modified.astimezone(UTC))
    if item.categories:
        event.add("categories", list(item.categories))
    if item.cancelled:
        event.add("status", "CANCELLED")
    elif item.tentative:
        event.add("status", "TENTATIVE")
    else:
        event.add("status", "CONFIRMED")
    if item.rrule:
        event.add("rrule", icalendar.vRecur.from_ical(item.rrule))
        for moment in item.exdates:
            event.add("exdate", _local(moment, item.timezone))
    return event


def build_calendar(
    name: str, events: Sequence[CalendarEvent], *, now: datetime | None = None
) -> bytes:
    """A VCALENDAR with one VEVENT per item and a VTIMEZONE for every zone used."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    moment = now or datetime.now(UTC)
    for item in events:
        calendar.add_component(_vevent(item, moment))
    calendar.add_missing_timezones()
    if not events:
        # RFC 5545 wants at least one component; an unused UTC zone keeps an empty feed valid
        calendar.add_component(icalendar.Timezone.from_tzid("UTC"))
    data: bytes = calendar.to_ical()
    return data
