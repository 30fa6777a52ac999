"""Jobs publish what their transaction queued for live pages, after it commits; savepoints
that roll back take back only what was queued inside them."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from commonpot import jobs
from commonpot.bus import MemoryBus, Message, queue_after_commit
from commonpot.db import Database, utcnow
from commonpot.jobs.models import Job
from commonpot.network import handovers
from commonpot.network.jobs import SWEEP_JOB
from commonpot.network.models import Handover
from commonpot.settings import Settings
from commonpot.wiring import start_jobs
from tests.factories.accounts import make_world
from tests.factories.loops import in_own_loop
from tests.integration.test_network_handovers import committed

CHANNEL = "test:live"


def _queues_then_fails_a_savepoint(ctx: jobs.JobContext, payload: dict[str, Any]) -> str:
    session = ctx.session
    queue_after_commit(session, CHANNEL, {"kept": 1})
    with pytest.raises(RuntimeError), session.begin_nested():
        queue_after_commit(session, CHANNEL, {"kept": 0})
        raise RuntimeError("this part did not happen")
    queue_after_commit(session, CHANNEL, {"kept": 2})
    return "/ok"


def _queues_then_fails(ctx: jobs.JobContext, payload: dict[str, Any]) -> str:
    queue_after_commit(ctx.session, CHANNEL, {"never": True})
    raise ValueError("the job failed after queueing")


@pytest.fixture
def bus() -> MemoryBus:
    return MemoryBus()


@pytest.fixture
def runtime(db: Database, tmp_path: Path, bus: MemoryBus) -> jobs.Jobs:
    settings = Settings(
        database_url=db.url,
        data_dir=tmp_path,
        jobs_backend="memory",
        jobs_queue=f"live{id(tmp_path)}",
        secret_key="k" * 40,
    )
    made = start_jobs(settings, db, bus)
    jobs.REGISTRY.register(
        jobs.JobSpec("test.live_savepoint", _queues_then_fails_a_savepoint),
        jobs.JobSpec("test.live_fails", _queues_then_fails, max_attempts=1),
    )
    return made


def _heard(bus: MemoryBus, channel: str, work: Any, wait: float = 2.0) -> list[Message]:
    """What a live subscriber (as an SSE stream is) receives on `channel` while `work` runs."""

    async def listen() -> list[Message]:
        sub = await bus.subscribe(channel)
        try:
            await asyncio.to_thread(work)
            got: list[Message] = []
            while (message := await sub.get(wait if not got else 0.2)) is not None:
                got.append(message)
            return got
        finally:
            await sub.close()

    return in_own_loop(listen)


def test_a_handover_expired_by_the_sweep_job_reaches_live_subscribers(
    db: Database, runtime: jobs.Jobs, bus: MemoryBus
) -> None:
    w = make_world(db)
    _, (hid,) = committed(db, w)
    with db.unit_of_work() as s:
        past = utcnow() - timedelta(hours=1)
        s.execute(
            update(Handover)
            .where(Handover.id == hid)
            .values(window_start=past - timedelta(hours=3), window_end=past)
        )
        job_id = jobs.enqueue(s, SWEEP_JOB, {}, key="sweep-now").id

    got = _heard(bus, handovers.live_channel(w.public.id), runtime.drain)
    expired = [m for m in got if m.get("type") == "handover" and m.get("id") == hid]
    assert expired and expired[0]["state"] == "expired"
    assert w.custodian.id in expired[0]["users"]
    with db.unit_of_work(write=False) as s:
        job = s.get(Job, job_id)
        assert job is not None and job.state == "done"
        handover = s.get(Handover, hid)
        assert handover is not None and handover.state == "expired"


def test_a_job_publishes_only_what_survived_its_savepoints(
    db: Database, runtime: jobs.Jobs, bus: MemoryBus
) -> None:
    with db.unit_of_work() as s:
        jobs.enqueue(s, "test.live_savepoint", {}, key="live-sp")
    got = _heard(bus, CHANNEL, runtime.drain)
    assert got == [{"kept": 1}, {"kept": 2}]


def test_a_failed_job_publishes_nothing_it_queued(
    db: Database, runtime: jobs.Jobs, bus: MemoryBus
) -> None:
    with db.unit_of_work() as s:
        job_id = jobs.enqueue(s, "test.live_fails", {}, key="live-fails").id
    got = _heard(bus, CHANNEL, runtime.drain, wait=0.5)
    assert got == []
    with db.unit_of_work(write=False) as s:
        job = s.get(Job, job_id)
        assert job is not None and job.state == "failed"


def test_a_job_queued_before_a_failed_savepoint_is_still_dispatched(
    db: Database, runtime: jobs.Jobs
) -> None:
    with db.unit_of_work() as s:
        jobs.enqueue(s, "test.live_savepoint", {}, key="before")
        with pytest.raises(RuntimeError), s.begin_nested():
            jobs.enqueue(s, "test.live_savepoint", {}, key="inside")
            raise RuntimeError("the form failed")
        jobs.enqueue(s, "test.live_savepoint", {}, key="after")
    assert runtime.drain() == 2
    with db.unit_of_work(write=False) as s:
        keys = ["before", "inside", "after"]
        rows = {j.key: j.state for j in s.scalars(select(Job).where(Job.key.in_(keys)))}
    assert rows == {"before": "done", "after": "done"}
