"""Biotumbler work on a schedule: the silent-device and stall check, and raw-reading retention."""

from __future__ import annotations

from typing import Any

from commonpot import jobs
from commonpot.biotumblers import alerts, rollups

CHECK_JOB = "biotumblers.check"
RETENTION_JOB = "biotumblers.retention"


def check(ctx: jobs.JobContext, payload: dict[str, Any]) -> None:
    """Open `silent` episodes for devices quiet past their interval; judge stalled batches."""
    alerts.check(ctx.session)


def retention(ctx: jobs.JobContext, payload: dict[str, Any]) -> None:
    """Delete raw readings older than the retention (rollups stay)."""
    rollups.prune_raw(ctx.session, keep_days=int(payload.get("keep_days", rollups.RAW_DAYS)))


JOBS = (jobs.JobSpec(CHECK_JOB, check), jobs.JobSpec(RETENTION_JOB, retention))
PERIODIC = (
    jobs.PeriodicSpec(CHECK_JOB, minute="*/5", hour="*"),
    jobs.PeriodicSpec(RETENTION_JOB, minute="17", hour="3"),
)
