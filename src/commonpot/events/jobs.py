"""Events work on a schedule: remind people of what starts within the next day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from commonpot import jobs, signals
from commonpot.db import utcnow
from commonpot.events.models import Event, EventStatus
from commonpot.events.signals import EventSoon

REMINDER_JOB = "events.reminders"


def reminders(ctx: jobs.JobContext, payload: dict[str, Any]) -> None:
    """Emit `EventSoon` for every scheduled event starting 23-25 hours from now."""
    now = utcnow()
    session = ctx.session
    due = session.scalars(
        select(Event).where(
            Event.status == EventStatus.SCHEDULED.value,
            Event.starts_at >= now + timedelta(hours=23),
            Event.starts_at <= now + timedelta(hours=25),
        )
    )
    for event in due:
        signals.emit(session, EventSoon(event.community_id, event.id, event.starts_at))


JOBS = (jobs.JobSpec(REMINDER_JOB, reminders),)
PERIODIC = (jobs.PeriodicSpec(REMINDER_JOB, minute="5", hour="*"),)
