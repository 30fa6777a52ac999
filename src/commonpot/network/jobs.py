"""Network work that runs in the background: solving an allocation run."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot import jobs
from commonpot.accounts import Viewer, viewer_for
from commonpot.communities import Community, community_by_id
from commonpot.network import followup, handovers, runs
from commonpot.network.access import require_steward
from commonpot.network.models import CLOSED_UNHANDED, Handover
from commonpot.network.solve import solve_run
from commonpot.words import said, said_n

ALLOCATION_JOB = "network.allocation_run"
REALLOCATE_JOB = "network.reallocate"
SWEEP_JOB = "network.handover_sweep"


def start_allocation(
    session: Session,
    community: Community,
    viewer: Viewer,
    *,
    objective: str = "default",
    params: dict[str, Any] | None = None,
) -> jobs.Job:
    """A steward starts an allocation run in the background; the job to watch."""
    chosen = runs.check_run(session, community, viewer, objective=objective, params=params)
    return jobs.enqueue(
        session,
        ALLOCATION_JOB,
        {"community_id": community.id, "objective": objective, "params": chosen},
        community_id=community.id,
        created_by=viewer.user_id,
        title=said("Allocation run (%(objective)s)", objective=objective),
        max_attempts=2,
    )


def allocation_job(ctx: jobs.JobContext, payload: dict[str, Any]) -> str:
    """Solve the community's allocation and store it as a draft run; the run's page."""
    objective = str(payload.get("objective", "default"))
    ctx.progress(5, said("Reading open offers and needs"))
    with ctx.read() as session:
        community = community_by_id(session, int(payload["community_id"]))
        viewer = viewer_for(session, ctx.created_by)
        chosen = runs.check_run(
            session, community, viewer, objective=objective, params=payload.get("params")
        )
        instance = runs.build_instance(session, community, chosen)
    ctx.progress(
        15, said_n("Solving for %(num)s need", "Solving for %(num)s needs", len(instance["needs"]))
    )
    # the solver holds the interpreter for long stretches: it runs in its own process so
    # that the web server (and its embedded consumer) keep answering meanwhile
    solved = ctx.compute(solve_run, instance, objective, start=15, end=85, label=said("Solving"))
    ctx.progress(85, said("Saving the plan"))
    session = ctx.session
    community = community_by_id(session, community.id)
    run = runs.store_run(session, community, ctx.created_by, objective, chosen, solved)
    return f"/communities/{community.slug}/network/runs/{run.id}"


def start_reallocation(session: Session, community: Community, viewer: Viewer) -> jobs.Job:
    """A steward re-assigns declined and expired units now, in the background."""
    require_steward(session, community, viewer)
    return jobs.enqueue(
        session,
        REALLOCATE_JOB,
        {"community_id": community.id},
        community_id=community.id,
        created_by=viewer.user_id,
        title=said("Re-allocate declined and expired food"),
        max_attempts=2,
    )


def reallocate_job(ctx: jobs.JobContext, payload: dict[str, Any]) -> str:
    """Re-assign one community's freed units; the follow-up run's page (or the runs page)."""
    session = ctx.session
    community = community_by_id(session, int(payload["community_id"]))
    ctx.progress(10, said("Reading declined and expired handovers"))
    run = followup.reallocate_freed(session, community, ctx.created_by)
    base = f"/communities/{community.slug}/network/runs"
    return f"{base}/{run.id}" if run is not None else base


def sweep_job(ctx: jobs.JobContext, payload: dict[str, Any]) -> str:
    """Expire missed windows and spoiled food everywhere, then re-assign what was freed."""
    session = ctx.session
    expired = handovers.expire_due(session)
    community_ids = session.scalars(
        select(Handover.community_id)
        .where(
            Handover.state.in_(CLOSED_UNHANDED),
            Handover.reallocated_in.is_(None),
        )
        .distinct()
    ).all()
    made = 0
    for community_id in sorted(community_ids):
        if followup.reallocate_freed(session, community_by_id(session, community_id)) is not None:
            made += 1
    return f"{expired} handovers expired, {made} follow-up runs"


JOBS = (
    jobs.JobSpec(ALLOCATION_JOB, allocation_job, max_attempts=2),
    jobs.JobSpec(REALLOCATE_JOB, reallocate_job, max_attempts=2),
    jobs.JobSpec(SWEEP_JOB, sweep_job, max_attempts=2),
)
PERIODIC: tuple[jobs.PeriodicSpec, ...] = (jobs.PeriodicSpec(SWEEP_JOB, minute="*/15", hour="*"),)
