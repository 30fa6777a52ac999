"""Periodic jobs go through the same queue, once per slot however many workers run.

Two job runtimes (two workers) on one database each fire the schedule that huey says is
due at 07:05 (hourly event reminders, the daily digest at 07:00 is not due at :05): one
job row per periodic job and slot, done once, and nothing for jobs not due then.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from commonpot import jobs
from commonpot.bus import MemoryBus
from commonpot.db import Database, utcnow
from commonpot.events.jobs import REMINDER_JOB
from commonpot.jobs.models import Job
from commonpot.notifications.jobs import DIGEST_JOB
from commonpot.settings import Settings
from commonpot.wiring import start_jobs


def runtime(db: Database, tmp_path: Path, name: str) -> jobs.Jobs:
    settings = Settings(
        database_url=db.url,
        data_dir=tmp_path / name,
        jobs_backend="memory",
        jobs_queue=f"p{name}{id(tmp_path)}",
        secret_key="k" * 40,
    )
    return start_jobs(settings, db, MemoryBus())


def fire_due(rt: jobs.Jobs, when: datetime) -> list[str]:
    """Run the periodic huey tasks due at `when`, as a consumer's scheduler does; their names."""
    due = rt.huey.read_periodic(when)
    for task in due:
        rt.huey.execute(task)
    return [task.name for task in due]


def test_two_workers_enqueue_each_periodic_job_once_per_slot(db: Database, tmp_path: Path) -> None:
    workers = [runtime(db, tmp_path, "a"), runtime(db, tmp_path, "b")]
    at_five = datetime(2026, 12, 5, 7, 5)  # noqa: DTZ001 (huey schedules in naive UTC)
    for _ in range(5):  # both fire within one clock minute (the slot), else try again
        minute = utcnow().strftime("%H:%M")
        fired = [fire_due(rt, at_five) for rt in workers]
        if utcnow().strftime("%H:%M") == minute:
            break
        with db.unit_of_work() as s:
            s.query(Job).delete()
    assert f"periodic.{REMINDER_JOB}" in fired[0]
    assert fired[0] == fired[1]
    assert f"periodic.{DIGEST_JOB}" not in fired[0]  # 07:00 only
    with db.unit_of_work(write=False) as s:
        reminders = list(s.scalars(select(Job).where(Job.name == REMINDER_JOB)))
        digests = list(s.scalars(select(Job).where(Job.name == DIGEST_JOB)))
    assert len(reminders) == 1  # two workers, one slot: one job
    assert reminders[0].key == f"{REMINDER_JOB}@{reminders[0].payload['slot']}"
    assert digests == []
    for rt in workers:
        rt.drain()
    with db.unit_of_work(write=False) as s:
        done = s.get_one(Job, reminders[0].id)
        assert (done.state, done.attempts) == ("done", 1)
