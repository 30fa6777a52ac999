"""Background jobs (infrastructure): enqueue in a transaction, run over huey, watch progress."""

from commonpot.jobs.models import TERMINAL_STATES, Job, JobState
from commonpot.jobs.runtime import (
    REGISTRY,
    JobCancelled,
    JobContext,
    JobFailed,
    Jobs,
    JobSpec,
    PeriodicSpec,
    Registry,
    cancel,
    enqueue,
    job_channel,
    job_message,
    retry,
)

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
