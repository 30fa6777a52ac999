"""Background jobs over huey: one task runs any registered job function, visibly and once.

`enqueue(session, name, payload, key=...)` writes a `Job` row in the caller's transaction;
once that transaction commits, the process's `Jobs` runtime hands the job id to huey
(`SqliteHuey` in the data folder by default, `RedisHuey` when a Redis URL is set). A
consumer (a thread in `commonpot serve`, or any number of `commonpot worker` processes)
claims the row with a conditional UPDATE (so a job runs once however often it is handed
over), runs the function in its own transaction, and records progress, the result link or
the reason it failed. Failures are retried with exponential back-off up to `max_attempts`.

`queue.py` holds what a job is and how it is queued; `context.py` what a running job
function works with; this module runs them.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
import threading
from datetime import timedelta
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy import event as sa_event
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from commonpot import signals
from commonpot.bus import Bus, Message, take_queued
from commonpot.db import Database, utcnow
from commonpot.errors import DomainError
from commonpot.jobs.context import JobContext
from commonpot.jobs.models import Job, JobState
from commonpot.jobs.queue import (
    _PENDING_KEYS,
    CANCEL_KEY,
    DISPATCH_KEY,
    JOB_SESSION_KEY,
    MARKS_KEY,
    REGISTRY,
    JobCancelled,
    JobFailed,
    JobSpec,
    PeriodicSpec,
    Registry,
    enqueue,
    job_channel,
    job_message,
)
from commonpot.jobs.texts import Text, read, shown, stored
from commonpot.settings import Settings
from commonpot.words import Said, said

log = logging.getLogger(__name__)
RETRY_BASE_SECONDS = 2.0
STALE_AFTER = timedelta(seconds=60)


def _finish(session: Session, job_id: int, result: str | None) -> None:
    """Mark the job done in its own transaction, unless it was cancelled meanwhile."""
    finished = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == JobState.RUNNING.value)
        .values(
            state=JobState.DONE.value,
            progress=100,
            result_url=result,
            error=None,
            finished_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if finished.rowcount != 1:  # type: ignore[attr-defined]
        raise JobCancelled(job_id)  # keep none of its work


def _sentences(title: str, error: str | None) -> dict[str, Any]:
    """A failed job's title and refusal as sentences (a technical failure stays as it is)."""
    found = {"title": read(title), "error": read(error)}
    return {key: said.to_json() for key, said in found.items() if said is not None and said.text}


def _yield_to_web() -> None:
    """Compute processes run at a lower priority: requests come first on a busy machine."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)


class _ThreadConsumer(Consumer):  # type: ignore[misc]
    """A huey consumer that runs beside the web server (no signal handlers off the main thread)."""

    def _set_signal_handlers(self) -> None:
        return None


def make_huey(settings: Settings) -> Huey:
    """The queue the settings ask for: SQLite in the data folder, Redis, or memory (tests)."""
    backend = settings.jobs_backend.strip().lower() or ("redis" if settings.redis_url else "sqlite")
    name = settings.jobs_queue
    if backend == "redis":
        return RedisHuey(name, url=settings.redis_url or "redis://127.0.0.1:6379/0")
    if backend == "memory":
        return MemoryHuey(name)
    if backend != "sqlite":
        raise ValueError("COMMONPOT_JOBS_BACKEND is sqlite, redis or memory")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(settings.data_dir / "jobs.sqlite3"))


class Jobs:
    """This process's job runtime: the huey queue, the task that runs jobs, and dispatch."""

    def __init__(
        self, settings: Settings, db: Database, bus: Bus, registry: Registry = REGISTRY
    ) -> None:
        self.settings, self.db, self.bus, self.registry = settings, db, bus, registry
        self.huey = make_huey(settings)
        self._task = self.huey.task(name="commonpot.run_job")(self.run)
        self._sweep_task = self.huey.periodic_task(crontab(minute="*"), name="commonpot.sweep")(
            self.sweep
        )
        for item in registry.periodic:
            self._add_periodic(item)
        self._consumer: Consumer | None = None
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        db.add_session_hook(self._install)

    def pool(self) -> concurrent.futures.ProcessPoolExecutor:
        """The processes that run `JobContext.compute` work (started on first use)."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = concurrent.futures.ProcessPoolExecutor(
                    max_workers=max(1, self.settings.jobs_compute_processes),
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_yield_to_web,
                )
            return self._pool

    def _add_periodic(self, item: PeriodicSpec) -> None:
        def fire() -> None:
            slot = utcnow().strftime("%Y-%m-%dT%H:%M")
            with self.db.unit_of_work() as session:
                enqueue(session, item.job, {"slot": slot}, key=f"{item.job}@{slot}")

        self.huey.periodic_task(
            crontab(minute=item.minute, hour=item.hour), name=f"periodic.{item.job}"
        )(fire)

    def _install(self, factory: sessionmaker[Session]) -> None:
        """Session hook: dispatch queued jobs (and a job's live updates) after commit only.

        A savepoint (`session.begin_nested()`) that rolls back takes back only what was
        queued inside it (SQLAlchemy fires `after_rollback` for savepoints too, so the
        whole queue must not be dropped there); the outermost rollback drops everything.
        Releasing a savepoint fires `after_commit` too, so dispatch waits for the outermost.
        """

        @sa_event.listens_for(factory, "after_commit")
        def _after_commit(session: Session) -> None:
            # `after_commit` also fires when a savepoint is released: the outer transaction
            # may still roll back, so nothing leaves before the outermost one commits
            if session.get_nested_transaction() is not None:
                return
            session.info.pop(MARKS_KEY, None)
            for job_id in session.info.pop(DISPATCH_KEY, []):
                self.dispatch(job_id)
            for job_id in session.info.pop(CANCEL_KEY, []):
                self.publish(job_id, {"state": JobState.CANCELLED.value, "message": "cancelled"})
            if JOB_SESSION_KEY in session.info:  # requests publish their own, at their edge
                self.publish_live(take_queued(session))

        @sa_event.listens_for(factory, "after_transaction_create")
        def _savepoint_begins(session: Session, transaction: Any) -> None:
            if transaction.nested:
                marks = session.info.setdefault(MARKS_KEY, {})
                marks[id(transaction)] = {k: len(session.info.get(k, ())) for k in _PENDING_KEYS}

        @sa_event.listens_for(factory, "after_soft_rollback")
        def _rolled_back(session: Session, previous: Any) -> None:
            if previous.nested:
                mark = session.info.get(MARKS_KEY, {}).pop(id(previous), None)
                for key, length in (mark or {}).items():
                    queued = session.info.get(key)
                    if queued is not None:
                        del queued[length:]
            elif previous.parent is None:
                for key in (*_PENDING_KEYS, MARKS_KEY):
                    session.info.pop(key, None)

    def dispatch(self, job_id: int, delay: float | None = None) -> None:
        """Hand a queued job to the consumers (now, or after `delay` seconds)."""
        try:
            if delay:
                self._task.schedule(args=(job_id,), delay=delay)
            else:
                self._task(job_id)
        except Exception:  # the queue is down: the sweeper hands the job over later
            log.exception("could not hand job %s to the queue", job_id)

    def publish(self, job_id: int, message: Message) -> None:
        """Tell live pages about a job (never fails the job)."""
        try:
            self.bus.publish(job_channel(job_id), {"type": "job", "id": job_id, **message})
        except Exception:
            log.exception("could not publish progress of job %s", job_id)

    def publish_live(self, messages: list[tuple[str, Message]]) -> None:
        """Publish the live updates a job's committed transaction queued (never fails it)."""
        for channel, message in messages:
            try:
                self.bus.publish(channel, message)
            except Exception:  # a lost live update must not undo committed work
                log.exception("could not publish a live update on %s", channel)

    def run(self, job_id: int) -> None:
        """Claim and run one job (the huey task); a job already claimed is left alone."""
        with self.db.unit_of_work() as session:
            claimed = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.state == JobState.QUEUED.value)
                .values(
                    state=JobState.RUNNING.value,
                    attempts=Job.attempts + 1,
                    started_at=utcnow(),
                    progress=0,
                    message="",
                )
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return
            job = session.get(Job, job_id)
            assert job is not None
            session.refresh(job)
            payload = dict(job.payload)
            name = job.name
            context = JobContext(self, job)
        self.publish(job_id, {"state": JobState.RUNNING.value, "progress": 0, "message": ""})
        try:
            result = self._spec(name).function(context, payload)
            session = context.session
            _finish(session, job_id, result)
            session.commit()
        except JobCancelled:
            with contextlib.suppress(Exception):
                if context._session is not None:
                    context._session.rollback()
            context._close()
            self.publish(job_id, {"state": JobState.CANCELLED.value, "message": "cancelled"})
            return
        except Exception as exc:
            with contextlib.suppress(Exception):
                if context._session is not None:
                    context._session.rollback()
            context._close()
            self._failed(job_id, exc)
            return
        context._close()
        self.publish(
            job_id,
            {"state": JobState.DONE.value, "progress": 100, "message": "", "result_url": result},
        )

    def _spec(self, name: str) -> JobSpec:
        spec = self.registry.specs.get(name)
        if spec is None:
            raise LookupError(f"no job function is registered as {name!r}")
        return spec

    def _failed(self, job_id: int, exc: Exception) -> None:
        # a domain error (bad input, a rule) says what to change: trying again cannot help
        final = isinstance(exc, DomainError)
        # a refusal is kept as its message id and parts (worded per reader where shown)
        detail: Text = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, DomainError):
            detail = exc.sentence if isinstance(exc.sentence, Said) else exc.detail
        reason = stored(detail, 4000)  # room for the message ids of several sentences
        english = shown(reason) or ""
        log.warning("job %s failed: %s", job_id, english)
        delay: float | None = None
        with self.db.unit_of_work() as session:
            job = session.get(Job, job_id)
            if job is None or job.state != JobState.RUNNING.value:
                return  # cancelled while it ran
            job.error = reason
            if job.attempts < job.max_attempts and not final:
                delay = RETRY_BASE_SECONDS * (2 ** (job.attempts - 1))
                job.state = JobState.QUEUED.value
                job.message = stored(
                    said("attempt %(attempt)s failed; retrying", attempt=job.attempts), 300
                )
                job.run_after = utcnow() + timedelta(seconds=delay)
            else:
                job.state = JobState.FAILED.value
                job.finished_at = utcnow()
                signals.emit(
                    session,
                    JobFailed(
                        job.id,
                        job.name,
                        shown(job.title) or "",
                        job.community_id,
                        job.created_by,
                        english,
                        _sentences(job.title, reason if final else None),
                    ),
                )
            message = job_message(job)
        if delay is not None:
            self.dispatch(job_id, delay=delay)
        self.publish(job_id, message)

    def sweep(self) -> int:
        """Hand over queued jobs nobody took (a lost dispatch, a crashed worker); how many."""
        cutoff = utcnow() - STALE_AFTER
        with self.db.unit_of_work(write=False) as session:
            ids = list(
                session.scalars(
                    select(Job.id).where(
                        Job.state == JobState.QUEUED.value, Job.run_after <= cutoff
                    )
                )
            )
        for job_id in ids:
            self.dispatch(job_id)
        return len(ids)

    def drain(self, limit: int = 1000) -> int:
        """Run whatever is in the queue now, in this thread (tests, `commonpot jobs run`)."""
        done = 0
        while done < limit:
            task = self.huey.dequeue()
            if task is None:
                break
            self.huey.execute(task)
            done += 1
        return done

    def start_consumer(self, workers: int = 1) -> Consumer:
        """Run a consumer in threads of this process (the embedded default of `serve`)."""
        if self._consumer is None:
            self._consumer = _ThreadConsumer(
                self.huey,
                workers=workers,
                worker_type="thread",
                max_delay=0.5,
                check_worker_health=False,
            )
            self._consumer.start()
        return self._consumer

    def stop_consumer(self) -> None:
        """Stop the embedded consumer, letting running jobs finish."""
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None
        with self._pool_lock:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
                self._pool = None

    def consumer(self, workers: int) -> Consumer:
        """A consumer for `commonpot worker` (run it in the main thread)."""
        return self.huey.create_consumer(workers=workers, worker_type="thread", max_delay=0.5)
