"""Federation work on a schedule: every minute, one delivery pass (fan out, send what is due).

Each delivery is retried with growing back-off and given up after a while
(`delivery.backoff`, `delivery.GIVE_UP_AFTER`); the job itself only runs the pass.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from commonpot import jobs
from commonpot.federation.client import Client
from commonpot.federation.delivery import deliver
from commonpot.federation.instance import context

DELIVERY_JOB = "federation.deliver"
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
    ctx.progress(
        100,
        f"fanned out {report.fanned_out}, delivered {report.delivered}, "
        f"retrying {report.retrying}, gave up {report.failed}",
    )


JOBS = (jobs.JobSpec(DELIVERY_JOB, delivery_pass, max_attempts=1),)
PERIODIC = (jobs.PeriodicSpec(DELIVERY_JOB, minute="*", hour="*"),)
