"""Background jobs on real SQLite and PostgreSQL: idempotent, transactional, retried, visible."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from commonpot import jobs
from commonpot.bus import MemoryBus
from commonpot.db import Database
from commonpot.jobs.models import Job
from commonpot.notifications.models import Notification
from commonpot.settings import Settings
from commonpot.wiring import start_jobs
from tests.factories.accounts import make_world

CALLS: list[dict[str, Any]] = []


def _ok(ctx: jobs.JobContext, payload: dict[str, Any]) -> str:
    ctx.progress(50, "half way")
    CALLS.append(payload)
    return "/done/here"


def _flaky(ctx: jobs.JobContext, payload: dict[str, Any]) -> None:
    CALLS.append(payload)
    raise RuntimeError("the oven is cold")


@pytest.fixture
def runtime(db: Database, tmp_path: Path) -> jobs.Jobs:
    settings = Settings(
        database_url=db.url,
        data_dir=tmp_path,
        jobs_backend="memory",
        jobs_queue=f"t{id(tmp_path)}",
        secret_key="k" * 40,
    )
    CALLS.clear()
    made = start_jobs(settings, db, MemoryBus())
    jobs.REGISTRY.register(jobs.JobSpec("test.ok", _ok), jobs.JobSpec("test.flaky", _flaky, 2))
    return made


def test_a_job_runs_once_after_commit_with_progress_and_result(
    db: Database, runtime: jobs.Jobs
) -> None:
    with db.unit_of_work() as s:
        job = jobs.enqueue(s, "test.ok", {"n": 1}, key="same")
        again = jobs.enqueue(s, "test.ok", {"n": 2}, key="same")
        assert again.id == job.id  # the key makes it idempotent
        job_id = job.id
    assert runtime.drain() == 1
    assert CALLS == [{"n": 1}]
    runtime.run(job_id)  # handing the same job over again does nothing
    assert CALLS == [{"n": 1}]
    with db.unit_of_work(write=False) as s:
        done = s.get(Job, job_id)
        assert done is not None
        assert (done.state, done.progress, done.result_url, done.attempts) == (
            "done",
            100,
            "/done/here",
            1,
        )


def test_a_rolled_back_transaction_queues_nothing(db: Database, runtime: jobs.Jobs) -> None:
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        jobs.enqueue(s, "test.ok", {}, key="never")
        raise RuntimeError("request failed")
    assert runtime.drain() == 0
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(Job).where(Job.key == "never")) is None


def test_failures_retry_then_fail_with_the_reason_and_tell_stewards(
    db: Database, runtime: jobs.Jobs
) -> None:
    w = make_world(db)
    with db.unit_of_work() as s:
        job_id = jobs.enqueue(
            s, "test.flaky", {}, community_id=w.public.id, title="Bake", max_attempts=2
        ).id
    runtime.drain()
    with db.unit_of_work(write=False) as s:
        first = s.get(Job, job_id)
        assert first is not None
        assert (first.state, first.attempts) == ("queued", 1)  # waiting for its back-off
        assert first.error == "RuntimeError: the oven is cold"
        assert first.run_after > first.created_at
    runtime.run(job_id)  # the back-off elapsed
    with db.unit_of_work(write=False) as s:
        failed = s.get(Job, job_id)
        assert failed is not None
        assert (failed.state, failed.attempts) == ("failed", 2)
    runtime.drain()  # the JobFailed signal queued a notification job for the stewards
    with db.unit_of_work(write=False) as s:
        told = list(s.scalars(select(Notification).where(Notification.kind == "job_failed")))
        assert [n.user_id for n in told] == [w.steward.id]
        assert told[0].params["error"] == "RuntimeError: the oven is cold"
    with db.unit_of_work() as s:
        again = s.get(Job, job_id)
        assert again is not None
        jobs.retry(s, again)
    runtime.drain()
    with db.unit_of_work(write=False) as s:
        retried = s.get(Job, job_id)
        assert retried is not None
        assert (retried.state, retried.attempts) == ("failed", 3)
    assert len(CALLS) == 3
