"""Experiences' background work: forgetting the presence of pages that left gatherings."""

from __future__ import annotations

from typing import Any

from commonpot import jobs
from commonpot.experiences.gatherings import forget_presence

PRESENCE_SWEEP_JOB = "experiences.presence_sweep"


def presence_sweep_job(ctx: jobs.JobContext, payload: dict[str, Any]) -> str:
    """Delete stale presence rows everywhere (and those of closed gatherings)."""
    return f"{forget_presence(ctx.session)} presence rows forgotten"


JOBS = (jobs.JobSpec(PRESENCE_SWEEP_JOB, presence_sweep_job, max_attempts=2),)
PERIODIC: tuple[jobs.PeriodicSpec, ...] = (
    jobs.PeriodicSpec(PRESENCE_SWEEP_JOB, minute="*/10", hour="*"),
)
