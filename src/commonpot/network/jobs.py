"""Network work that runs in the background: solving an allocation run."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.orm import Session

from commonpot import jobs
from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.communities.models import Community
from commonpot.errors import NotFound
from commonpot.network import runs
from commonpot.network.allocation import Objective, allocate
from commonpot.network.instance import parse_instance

ALLOCATION_JOB = "network.allocation_run"


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
        title=f"Allocation run ({objective})",
        max_attempts=2,
    )


def _viewer(session: Session, user_id: int | None) -> Viewer:
    user = session.get(User, user_id) if user_id is not None else None
    return Viewer(user=user) if user is not None else Viewer(operator=True)


def _community(session: Session, community_id: int) -> Community:
    found = session.get(Community, community_id)
    if found is None:
        raise NotFound("The community is gone.")
    return found


def allocation_job(ctx: jobs.JobContext, payload: dict[str, Any]) -> str:
    """Solve the community's allocation and store it as a draft run; the run's page."""
    objective = str(payload.get("objective", "default"))
    ctx.progress(5, "Reading open offers and needs")
    with ctx.read() as session:
        community = _community(session, int(payload["community_id"]))
        viewer = _viewer(session, ctx.created_by)
        chosen = runs.check_run(
            session, community, viewer, objective=objective, params=payload.get("params")
        )
        instance = runs.build_instance(session, community, chosen)
    ctx.progress(20, f"Solving for {len(instance['needs'])} needs")
    inst = parse_instance(instance)
    plan = allocate(inst, cast(Objective, objective))
    ctx.progress(65, "Comparing with first come, first served")
    baseline = allocate(inst, "fcfs", candidates=plan.candidates)
    ctx.progress(85, "Saving the plan")
    session = ctx.session
    community = _community(session, community.id)
    run = runs.store_run(session, community, ctx.created_by, objective, chosen, plan, baseline)
    return f"/communities/{community.slug}/network/runs/{run.id}"


JOBS = (jobs.JobSpec(ALLOCATION_JOB, allocation_job, max_attempts=2),)
PERIODIC: tuple[jobs.PeriodicSpec, ...] = ()
