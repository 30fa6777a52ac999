"""What a running job function works with: its transaction, short reads, progress, compute."""

from __future__ import annotations

import concurrent.futures
import contextlib
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from commonpot.jobs.models import Job, JobState
from commonpot.jobs.queue import JOB_SESSION_KEY, JobCancelled
from commonpot.jobs.texts import Text, said_of, stored
from commonpot.words import said

if TYPE_CHECKING:
    from commonpot.jobs.runtime import Jobs

R = TypeVar("R")


class JobContext:
    """What a job function works with: its session (one transaction), reads, and progress."""

    def __init__(self, runtime: Jobs, job: Job) -> None:
        self.runtime = runtime
        self.job_id = job.id
        self.community_id = job.community_id
        self.created_by = job.created_by
        self.attempt = job.attempts
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The job's write transaction, committed with the job's result (opened on first use)."""
        if self._session is None:
            self._session = self.runtime.db.session(write=True)
            # live updates queued in this transaction are published once it commits
            self._session.info[JOB_SESSION_KEY] = self.job_id
        return self._session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A short read-only transaction (for the long, write-free part of a job)."""
        with self.runtime.db.unit_of_work(write=False) as session:
            yield session

    def progress(self, percent: int, message: Text = "") -> None:
        """Report progress (0-100) to the job page and anyone watching it live.

        `message` is a sentence (`said(...)`), worded for each reader where it is shown.
        Raises `JobCancelled` once someone has cancelled the job, so that it stops here.
        """
        percent = max(0, min(100, int(percent)))
        note = stored(message, 300)
        writing = self._session is not None and self.runtime.db.is_sqlite
        if writing:  # SQLite has one writer: once the job writes, progress goes live only
            self.check_cancelled()
        else:
            with self.runtime.db.unit_of_work() as session:
                updated = session.execute(
                    update(Job)
                    .where(Job.id == self.job_id, Job.state == JobState.RUNNING.value)
                    .values(progress=percent, message=note)
                    .execution_options(synchronize_session=False)
                )
                if updated.rowcount != 1:  # type: ignore[attr-defined]
                    raise JobCancelled(self.job_id)
        self.runtime.publish(
            self.job_id,
            {"state": JobState.RUNNING.value, "progress": percent, "message": note},
        )

    def check_cancelled(self) -> None:
        """Raise `JobCancelled` if someone has cancelled this job."""
        with self.read() as session:
            state = session.scalar(select(Job.state).where(Job.id == self.job_id))
        if state != JobState.RUNNING.value:
            raise JobCancelled(self.job_id)

    def compute(
        self,
        function: Callable[..., R],
        *args: Any,
        start: int = 10,
        end: int = 90,
        label: Text = "Working",
    ) -> R:
        """Run a pure, CPU-heavy function in a separate process, reporting time as progress.

        Engines that hold the interpreter (C solvers) would otherwise stall every thread of
        this process, the web server's included.
        """
        future = self.runtime.pool().submit(function, *args)
        began = time.monotonic()
        step = 0
        while True:
            try:
                return future.result(timeout=1.0)
            except concurrent.futures.TimeoutError:
                step += 1
                elapsed = time.monotonic() - began
                # approach `end` without reaching it: the real duration is unknown
                share = 1 - 0.93**step
                try:
                    note = said(
                        "%(step)s (%(seconds)s s)", step=said_of(label), seconds=int(elapsed)
                    )
                    self.progress(start + int((end - start) * share), note)
                except JobCancelled:
                    future.cancel()  # if not started; a started one finishes and is dropped
                    raise

    def _close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None
