"""Background jobs (infrastructure): enqueue in a transaction, run over huey, watch progress."""

from commonpot.jobs.models import Job, JobState
from commonpot.jobs.runtime import (
    REGISTRY,
    JobContext,
    JobFailed,
    Jobs,
    JobSpec,
    PeriodicSpec,
    Registry,
    enqueue,
    job_channel,
    job_message,
    retry,
)

__all__ = [
    "REGISTRY",
    "Job",
    "JobContext",
    "JobFailed",
    "JobSpec",
    "JobState",
    "Jobs",
    "PeriodicSpec",
    "Registry",
    "enqueue",
    "job_channel",
    "job_message",
    "retry",
]
