"""Background jobs (infrastructure): enqueue in a transaction, run over huey, watch progress.

The exports load on first use, so `commonpot jobs --help` answers without the ORM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_CONTEXT = frozenset({"JobContext"})
_MODELS = frozenset({"Job", "JobState", "TERMINAL_STATES"})
_QUEUE = frozenset(
    {
        "JobCancelled",
        "JobFailed",
        "JobSpec",
        "PeriodicSpec",
        "REGISTRY",
        "Registry",
        "cancel",
        "enqueue",
        "job_channel",
        "job_message",
        "retry",
    }
)
_RUNTIME = frozenset({"Jobs"})


def __getattr__(name: str) -> Any:
    value: Any
    if name in _CONTEXT:
        from commonpot.jobs import context

        value = getattr(context, name)
    elif name in _MODELS:
        from commonpot.jobs import models

        value = getattr(models, name)
    elif name in _QUEUE:
        from commonpot.jobs import queue

        value = getattr(queue, name)
    elif name in _RUNTIME:
        from commonpot.jobs import runtime

        value = getattr(runtime, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
