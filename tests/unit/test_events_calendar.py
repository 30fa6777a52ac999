"""Recurrence rules and RFC 5545 output: parses with icalendar, round-trips zoned times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonpot.errors import Invalid
from commonpot.events.ics import CalendarEvent, build_calendar
from commonpot.events.recurrence import check_rrule, expand, normalise_rule

LONDON = ZoneInfo("Europe/London")


def test_weekly_series_keeps_wall_clock_time_across_daylight_saving() -> None:
    start = datetime(2027, 3, 20, 18, 0, tzinfo=LONDON)
    sessions = expand("FREQ=WEEKLY;COUNT=3", start, timedelta(hours=2), "Europe/London")
    local = [s.starts_at.astimezone(LONDON) for s in sessions]
    assert [t.hour for t in local] == [18, 18, 18]
    assert [s.starts_at.hour for s in sessions] == [18, 18, 17]  # clocks go forward on 28 March
    assert all(s.ends_at - s.starts_at == timedelta(hours=2) for s in sessions)


def test_until_as_local_date_becomes_utc_and_bounds_the_series() -> None:
    assert normalise_rule("FREQ=WEEKLY;UNTIL=20270410", "Europe/London").endswith("T225900Z")
    start = datetime(2027, 3, 20, 18, 0, tzinfo=LONDON)
    assert (
        len(expand("RRULE:FREQ=WEEKLY;UNTIL=20270410", start, timedelta(hours=1), "Europe/London"))
        == 4
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=WEEKLY", "COUNT=n or UNTIL"),
        ("FREQ=SECONDLY;COUNT=3", "FREQ=DAILY"),
        ("FREQ=WEEKLY;COUNT=0", "positive"),
        ("FREQ=WEEKLY;COUNT=2;UNTIL=20270101", "not both"),
        ("FREQ=WEEKLY;BYHOUR=3;COUNT=2", "understand"),
    ],
)
def test_bad_rules_are_refused_with_a_reason(rule: str, message: str) -> None:
    with pytest.raises(Invalid, match=message) as caught:
        check_rrule(rule)
    assert caught.value.field == "rrule"


def test_too_many_sessions_are_refused() -> None:
    start = datetime(2027, 1, 1, 10, tzinfo=UTC)
    with pytest.raises(Invalid, match="at most"):
        expand("FREQ=DAILY;COUNT=500", start, timedelta(hours=1), "UTC")


def test_calendar_parses_and_round_trips_zoned_times() -> None:
    start = datetime(2027, 3, 20, 18, 0, tzinfo=LONDON).astimezone(UTC)
    exdate = datetime(2027, 3, 27, 18, 0, tzinfo=LONDON).astimezone(UTC)
    body = build_calendar(
        "Riverside events",
        [
            CalendarEvent(
                uid="class-1@commonpot",
                summary="Tamales with Rosa",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                timezone="Europe/London",
                location="Community Kitchen",
                geo=(51.4545, -2.5879),
                url="http://example.org/communities/riverside/events/1",
                description="Bring an apron",
                rrule="FREQ=WEEKLY;COUNT=4",
                exdates=(exdate,),
            ),
            CalendarEvent(
                uid="meal-2@commonpot",
                summary="Cancelled supper",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                timezone="America/New_York",
                cancelled=True,
            ),
        ],
    )
    calendar = icalendar.Calendar.from_ical(body)
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {
        "Europe/London",
        "America/New_York",
    }
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    series = events["class-1@commonpot"]
    assert series["DTSTART"].params["TZID"] == "Europe/London"
    assert series.decoded("DTSTART") == start
    assert series.decoded("DTSTART").utcoffset() == timedelta(0)
    assert series.decoded("DTEND") - series.decoded("DTSTART") == timedelta(hours=2)
    assert series["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=4"
    assert series["EXDATE"].dts[0].dt == exdate
    assert (series["GEO"].latitude, series["GEO"].longitude) == (51.4545, -2.5879)
    assert str(series["LOCATION"]) == "Community Kitchen"
    assert "DTSTAMP" in series and "URL" in series and "SUMMARY" in series
    cancelled = events["meal-2@commonpot"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled.decoded("DTSTART").tzinfo.key == "America/New_York"  # type: ignore[union-attr]
    assert cancelled.decoded("DTSTART") == start


def test_each_zone_is_described_once_and_as_icalendar_describes_it() -> None:
    """The zones' VTIMEZONEs (built once per process) come first, in a stable order, the
    same as icalendar's own `add_missing_timezones` writes them; a second feed has them too."""
    start = datetime(2027, 3, 20, 18, 0, tzinfo=UTC)
    items = [
        CalendarEvent(f"e{n}@x", f"Supper {n}", start, start + timedelta(hours=1), timezone=zone)
        for n, zone in enumerate(["Europe/London", "Asia/Kolkata", "Europe/London", "UTC"])
    ]
    first, again = build_calendar("x", items), build_calendar("x", items[:2])
    calendar = icalendar.Calendar.from_ical(first)
    zones = [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")]
    assert zones == ["Asia/Kolkata", "Europe/London"]
    kinds = [c.name for c in calendar.subcomponents]
    assert kinds == ["VTIMEZONE", "VTIMEZONE", "VEVENT", "VEVENT", "VEVENT", "VEVENT"]
    reference = icalendar.Calendar()
    for item in items:
        event = icalendar.Event()
        event.add("dtstart", item.starts_at.astimezone(ZoneInfo(item.timezone)))
        reference.add_component(event)
    reference.add_missing_timezones()
    expected = {str(tz["TZID"]): tz.to_ical() for tz in reference.walk("VTIMEZONE")}
    assert {str(tz["TZID"]): tz.to_ical() for tz in calendar.walk("VTIMEZONE")} == expected
    assert [str(tz["TZID"]) for tz in icalendar.Calendar.from_ical(again).walk("VTIMEZONE")] == [
        "Asia/Kolkata",
        "Europe/London",
    ]


def test_utc_events_need_no_vtimezone() -> None:
    start = datetime(2027, 6, 1, 9, tzinfo=UTC)
    body = build_calendar("x", [CalendarEvent("u@x", "S", start, start + timedelta(hours=1))])
    assert b"DTSTART:20270601T090000Z" in body
    assert b"VTIMEZONE" not in body


def test_an_empty_feed_is_still_a_valid_calendar() -> None:
    body = build_calendar("Nothing yet", [])
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar.walk("VEVENT") == []
    assert len(calendar.subcomponents) == 1  # RFC 5545: at least one component
    assert b"VERSION:2.0" in body and b"PRODID:" in body


ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]


@settings(max_examples=60, deadline=None)
@given(
    zone_name=st.sampled_from(ZONES),
    day=st.integers(0, 364),
    hour=st.integers(6, 20),
    count=st.integers(1, 30),
    freq=st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]),
)
def test_sessions_keep_local_time_and_round_trip_through_ics(
    zone_name: str, day: int, hour: int, count: int, freq: str
) -> None:
    tz = ZoneInfo(zone_name)
    start = (datetime(2027, 1, 1, hour, 30, tzinfo=tz) + timedelta(days=day)).replace(
        hour=hour, minute=30
    )
    rule = f"FREQ={freq};COUNT={count}"
    sessions = expand(rule, start, timedelta(hours=2), zone_name)
    assert len(sessions) == count
    assert all(
        (s.starts_at.astimezone(tz).hour, s.starts_at.astimezone(tz).minute) == (hour, 30)
        for s in sessions
    )
    body = build_calendar(
        "x",
        [
            CalendarEvent(
                "u@x", "Class", sessions[0].starts_at, sessions[0].ends_at, zone_name, rrule=rule
            )
        ],
    )
    (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert vevent.decoded("DTSTART") == sessions[0].starts_at
    assert vevent.decoded("DTEND") == sessions[0].ends_at


@pytest.mark.parametrize(
    "title",
    [
        "Soup night\nBEGIN:VEVENT",
        "Soup\r\nnight\rCR",
        "Soup\x00night\x07\u2028too",
        "Ñoquis 🥟 de la abuela – 餃子",
        "Very long " * 400,
    ],
)
def test_any_title_gives_a_valid_calendar(title: str) -> None:
    start = datetime(2027, 1, 5, 18, tzinfo=UTC)
    item = CalendarEvent(
        uid="e1@x",
        summary=title,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        description=f"{title}\r\nsecond line",
        location=title,
        categories=(title,),
    )
    data = build_calendar(title, [item])
    lines = data.split(b"\r\n")
    assert lines.count(b"BEGIN:VEVENT") == 1  # a newline cannot smuggle in another event
    assert b"\x00" not in data and b"\x07" not in data
    assert all(len(raw) <= 75 for raw in lines)  # folded content lines
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    summary = str(event["SUMMARY"])
    assert "\n" not in summary and "\r" not in summary
    assert len(summary) <= 500
    assert summary.startswith(title[:4])
    assert str(event["DESCRIPTION"]).endswith("\nsecond line")
