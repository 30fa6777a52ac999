"""Remote events as iCalendar: what followed communities announce, marked as coming from them.

Pure: plain data in, RFC 5545 bytes out (icalendar escapes every text value).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import icalendar
import nh3

PRODID = "-//commonpot//federation//EN"
REMOTE = "remote"
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class RemoteEvent:
    """One remote event as a calendar shows it."""

    uid: str
    name: str
    origin: str
    domain: str
    starts_at: datetime
    ends_at: datetime | None
    content_html: str = ""
    location: str = ""
    url: str = ""
    updated_at: datetime | None = None


def _text(value: str, limit: int) -> str:
    plain = html.unescape(nh3.clean(value, tags=set()))
    cleaned = " ".join(_CONTROLS.sub("", plain).split())
    return cleaned[:limit]


def plain_text(value: str, limit: int) -> str:
    """Sanitised remote HTML as one line of plain text (no tags, no controls), bounded.

    Remembered for short texts (an event's description, on every events page that lists
    it: sanitising costs more than the rest of its card)."""
    if len(value) <= _REMEMBERED_LENGTH:
        return _remembered_text(value, limit)
    return _text(value, limit)


_REMEMBERED_LENGTH = 2000  # at most ~2 MB remembered in all


@lru_cache(maxsize=1024)
def _remembered_text(value: str, limit: int) -> str:
    return _text(value, limit)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def vevent(item: RemoteEvent, now: datetime) -> icalendar.Event:
    """The VEVENT of one remote event, its origin named in the summary and the categories."""
    event = icalendar.Event()
    start = _utc(item.starts_at)
    end = _utc(item.ends_at) if item.ends_at is not None else start + timedelta(hours=2)
    event.add("uid", _text(item.uid, 500))
    event.add("dtstamp", _utc(item.updated_at or now))
    event.add("dtstart", start)
    event.add("dtend", max(end, start))
    origin = _text(item.origin or item.domain, 200)
    event.add("summary", f"{_text(item.name, 300) or '—'} ({origin})")
    event.add("categories", [REMOTE, _text(item.domain, 253)])
    event.add("x-commonpot-origin", origin)
    description = _text(item.content_html, 5000)
    if description:
        event.add("description", description)
    if item.location:
        event.add("location", _text(item.location, 300))
    if item.url.startswith(("https://", "http://")):
        event.add("url", item.url[:2000])
    event.add("status", "CONFIRMED")
    return event


def build(name: str, items: Sequence[RemoteEvent], *, now: datetime | None = None) -> bytes:
    """A VCALENDAR of remote events (valid when empty too)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _text(name, 200))
    moment = now or datetime.now(UTC)
    for item in items:
        calendar.add_component(vevent(item, moment))
    if not items:
        calendar.add_component(icalendar.Timezone.from_tzid("UTC"))
    data: bytes = calendar.to_ical()
    return data
