"""Background jobs (infrastructure): enqueue in a transaction, run over huey, watch progress."""

from commonpot.jobs.context import JobContext
from commonpot.jobs.models import TERMINAL_STATES, Job, JobState
from commonpot.jobs.queue import (
    REGISTRY,
    JobCancelled,
    JobFailed,
    JobSpec,
    PeriodicSpec,
    Registry,
    cancel,
    enqueue,
    job_channel,
    job_message,
    retry,
)
from commonpot.jobs.runtime import Jobs

__all__ = [
    "REGISTRY",
    "TERMINAL_STATES",
    "Job",
    "JobCancelled",
    "JobContext",
    "JobFailed",
    "JobSpec",
    "JobState",
    "Jobs",
    "PeriodicSpec",
    "Registry",
    "cancel",
    "enqueue",
    "job_channel",
    "job_message",
    "retry",
]
