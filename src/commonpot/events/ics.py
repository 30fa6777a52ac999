"""Build RFC 5545 calendars from plain event data (no database, no web)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar

PRODID = "-//commonpot//events//EN"
LINE_LIMIT = 500
TEXT_LIMIT = 20_000
_BREAKS = re.compile(r"\r\n|\r|\n|[\u0085\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def line(value: str, limit: int = LINE_LIMIT) -> str:
    """Text for a one-line calendar property: line breaks become spaces, controls go, bounded."""
    text = _CONTROLS.sub("", _BREAKS.sub(" ", value).replace("\t", " "))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def text(value: str, limit: int = TEXT_LIMIT) -> str:
    """Text for a multi-line property (description): one kind of line break, no controls."""
    cleaned = _CONTROLS.sub("", _BREAKS.sub("\n", value).replace("\t", " ")).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


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


def _clean(item: CalendarEvent) -> CalendarEvent:
    """Every text of the event made safe for a content line (all calendars go through here)."""
    return replace(
        item,
        uid=line(item.uid),
        summary=line(item.summary) or "—",
        description=text(item.description),
        location=line(item.location),
        url=line(item.url, 2000),
        categories=tuple(c for c in (line(c, 100) for c in item.categories) if c),
    )


def _vevent(item: CalendarEvent, now: datetime) -> icalendar.Event:
    item = _clean(item)
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


@lru_cache(maxsize=64)
def _vtimezone(tzid: str) -> icalendar.Timezone | None:
    """The VTIMEZONE of a zone, as `Calendar.add_missing_timezones` builds it (its transitions
    from 1970 to 2038), once per process: building one walks every day of that span (about
    a third of a feed's CPU). Shared by the calendars that use it, which only read it."""
    try:
        return icalendar.Timezone.from_tzid(tzid)
    except ValueError:  # a zone icalendar cannot describe: left out, as it would be
        return None


def build_calendar(
    name: str, events: Sequence[CalendarEvent], *, now: datetime | None = None
) -> bytes:
    """A VCALENDAR with one VEVENT per item and a VTIMEZONE for every zone used."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", line(name))
    moment = now or datetime.now(UTC)
    for item in events:
        calendar.add_component(_vevent(item, moment))
    for tzid in sorted(calendar.get_missing_tzids()):
        zone = _vtimezone(tzid)
        if zone is not None:
            calendar.subcomponents.insert(len(calendar.timezones), zone)
    if not events:
        # RFC 5545 wants at least one component; an unused UTC zone keeps an empty feed valid
        calendar.add_component(icalendar.Timezone.from_tzid("UTC"))
    data: bytes = calendar.to_ical()
    return data
