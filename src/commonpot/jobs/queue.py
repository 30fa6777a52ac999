"""What a job is and how it is queued: specs, the registry, enqueue, cancel and retry.

Everything here runs in the caller's transaction and only writes `Job` rows (and notes in
`session.info` of what to hand to huey after commit); `runtime.Jobs` runs them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commonpot.bus import OUTBOX_KEY, Message
from commonpot.db import utcnow
from commonpot.errors import Conflict, Worded
from commonpot.jobs.models import TERMINAL_STATES, Job, JobState
from commonpot.jobs.texts import Text, stored

if TYPE_CHECKING:
    from commonpot.jobs.context import JobContext

DISPATCH_KEY = "jobs.dispatch"
CANCEL_KEY = "jobs.cancelled"
MARKS_KEY = "jobs.savepoints"
JOB_SESSION_KEY = "jobs.job_id"
# what a savepoint that rolls back must take back (queued inside it), and a rollback drops
_PENDING_KEYS = (DISPATCH_KEY, CANCEL_KEY, OUTBOX_KEY)


@dataclass(frozen=True)
class JobFailed:
    """Signal: a job gave up after its last attempt (stewards hear about it)."""

    job_id: int
    name: str
    title: str
    community_id: int | None
    created_by: int | None
    error: str
    # the title and a refusal as sentences (`words.Said` JSON), for readers of any language
    sentences: dict[str, Any] = field(default_factory=dict)


JobFunction = Callable[["JobContext", dict[str, Any]], "str | None"]


@dataclass(frozen=True)
class JobSpec:
    """A job a domain offers: its name, the function, and how often to try."""

    name: str
    function: JobFunction
    max_attempts: int = 3


@dataclass(frozen=True)
class PeriodicSpec:
    """A job enqueued on a schedule (cron fields), once per slot however many workers run."""

    job: str
    minute: str = "0"
    hour: str = "*"


@dataclass
class Registry:
    """Job functions by name and the periodic schedule, filled by the composition root."""

    specs: dict[str, JobSpec] = field(default_factory=dict)
    periodic: list[PeriodicSpec] = field(default_factory=list)

    def register(self, *specs: JobSpec) -> None:
        """Offer these jobs (registering the same name again replaces it)."""
        for spec in specs:
            self.specs[spec.name] = spec

    def schedule(self, *items: PeriodicSpec) -> None:
        """Enqueue these jobs on their schedules."""
        for item in items:
            if item not in self.periodic:
                self.periodic.append(item)


REGISTRY = Registry()


def job_channel(job_id: int) -> str:
    """The bus channel carrying one job's progress."""
    return f"job:{job_id}"


def job_message(job: Job) -> Message:
    """What subscribers of a job's channel receive (texts as stored: `texts.worded_message`)."""
    return {
        "type": "job",
        "id": job.id,
        "state": job.state,
        "progress": job.progress,
        "message": job.message,
        "result_url": job.result_url,
        "error": job.error if job.state == JobState.FAILED.value else None,
    }


def enqueue(
    session: Session,
    name: str,
    payload: dict[str, Any] | None = None,
    *,
    key: str | None = None,
    community_id: int | None = None,
    created_by: int | None = None,
    title: Text = "",
    max_attempts: int | None = None,
) -> Job:
    """Queue a job in the caller's transaction; the same key returns the job already queued.

    `title` is a sentence (`said(...)`) shown to each reader in their language.
    """
    if key is not None:
        found = session.scalar(select(Job).where(Job.key == key))
        if found is not None:
            return found
    spec = REGISTRY.specs.get(name)
    job = Job(
        key=key or f"{name}:{secrets.token_hex(12)}",
        name=name,
        payload=payload or {},
        community_id=community_id,
        created_by=created_by,
        title=stored(title, 200),
        max_attempts=max_attempts or (spec.max_attempts if spec else 3),
        run_after=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(job)
            session.flush()
    except IntegrityError:  # someone queued the same key at the same moment
        found = session.scalar(select(Job).where(Job.key == job.key))
        if found is None:
            raise
        return found
    session.info.setdefault(DISPATCH_KEY, []).append(job.id)
    return job


class JobCancelled(Exception):
    """Raised inside a job function whose job was cancelled: it stops and stores nothing."""


def _term(state: str) -> Worded:
    """A job's state inside a refusal, worded for its reader (a term of `i18n.TERMS`)."""
    return Worded(state, {})


def cancel(session: Session, job: Job) -> Job:
    """Call off a queued or running job; a running one stops at its next progress report."""
    if job.state in TERMINAL_STATES:
        raise Conflict(
            "Only a queued or running job can be cancelled; this one is %(state)s.",
            state=_term(job.state),
        )
    job.state = JobState.CANCELLED.value
    job.message = "cancelled"
    job.finished_at = utcnow()
    session.flush()
    session.info.setdefault(CANCEL_KEY, []).append(job.id)
    return job


def retry(session: Session, job: Job) -> Job:
    """Queue a failed job again for one more attempt."""
    if job.state != JobState.FAILED.value:
        raise Conflict(
            "Only a failed job can be retried; this one is %(state)s.", state=_term(job.state)
        )
    job.state = JobState.QUEUED.value
    job.max_attempts = job.attempts + 1
    job.progress = 0
    job.message = ""
    job.run_after = utcnow()
    job.finished_at = None
    session.flush()
    session.info.setdefault(DISPATCH_KEY, []).append(job.id)
    return job
