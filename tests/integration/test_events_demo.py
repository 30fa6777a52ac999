"""The demo's events load on both databases and show what the issue asks for."""

from __future__ import annotations

from sqlalchemy import func, select

from commonpot import demo
from commonpot.db import Database
from commonpot.events import signup
from commonpot.events.models import Attendance, Event, EventSession, MenuItem


def test_demo_has_a_past_class_a_supper_with_menu_and_a_series(db: Database) -> None:
    with db.unit_of_work() as s:
        demo.load(s)
    with db.unit_of_work(write=False) as s:
        events = {e.title: e for e in s.scalars(select(Event))}
        tamales = events["Tamales with Rosa"]
        assert (
            s.scalar(select(func.count(Attendance.id)).where(Attendance.event_id == tamales.id))
            == 4
        )
        supper = events["Harvest supper from the archive"]
        assert signup.counts(s, supper) == {"confirmed": 6, "waitlisted": 1}
        menu_size = s.scalar(select(func.count(MenuItem.id)).where(MenuItem.event_id == supper.id))
        assert menu_size == 3
        bread = events["Saturday bread class"]
        assert bread.rrule == "FREQ=WEEKLY;COUNT=8"
        cancelled = s.scalar(
            select(func.count(EventSession.id)).where(
                EventSession.event_id == bread.id, EventSession.cancelled.is_(True)
            )
        )
        assert cancelled == 1
        assert events["Hillside mezze evening"].visibility == "community"
