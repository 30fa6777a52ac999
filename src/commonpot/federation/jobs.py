"""Federation work on a schedule: every minute, one delivery pass (fan out, send what is due).

Each delivery is retried with growing back-off and given up after a while
(`delivery.backoff`, `delivery.GIVE_UP_AFTER`); the job itself only runs the pass.
"""

from __future__ import annotations

import threading
import weakref
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from commonpot import jobs
from commonpot.db import utcnow
from commonpot.federation.client import Client
from commonpot.federation.delivery import deliver
from commonpot.federation.instance import context
from commonpot.words import said

DELIVERY_JOB = "federation.deliver"
KEEP_PASSES = timedelta(days=1)
_CLIENTS: weakref.WeakKeyDictionary[jobs.Jobs, Client] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def use_client(runtime: jobs.Jobs, client: Client) -> None:
    """Send this runtime's deliveries through `client` (tests route it to in-process apps)."""
    with _LOCK:
        _CLIENTS[runtime] = client


def client_of(runtime: jobs.Jobs) -> Client:
    """The runtime's pooled federation client (made from its settings on first use)."""
    with _LOCK:
        found = _CLIENTS.get(runtime)
        if found is None:
            found = _CLIENTS[runtime] = Client(allow_http=runtime.settings.federation_allow_http)
        return found


def delivery_pass(ctx: jobs.JobContext, payload: dict[str, Any]) -> None:
    """One delivery pass in the job's transaction; its figures become the job's message."""
    fed = context(ctx.runtime.settings, client_of(ctx.runtime))
    report = deliver(ctx.session, fed)
    forget_old_passes(ctx.session, utcnow())
    ctx.progress(
        100,
        said(
            "fanned out %(fanned_out)s, delivered %(delivered)s, retrying %(retrying)s, "
            "gave up %(failed)s",
            fanned_out=report.fanned_out,
            delivered=report.delivered,
            retrying=report.retrying,
            failed=report.failed,
        ),
    )


def forget_old_passes(session: Session, now: datetime) -> int:
    """Drop finished delivery passes older than KEEP_PASSES (one a minute would pile up)."""
    result = session.execute(
        delete(jobs.Job).where(
            jobs.Job.name == DELIVERY_JOB,
            jobs.Job.state == jobs.JobState.DONE.value,
            jobs.Job.finished_at < now - KEEP_PASSES,
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


JOBS = (jobs.JobSpec(DELIVERY_JOB, delivery_pass, max_attempts=1),)
PERIODIC = (jobs.PeriodicSpec(DELIVERY_JOB, minute="*", hour="*"),)
