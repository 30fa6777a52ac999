"""Ecology work that runs in the background: drafting crop plans and assessing big changes.

Both start the same way from the web, the API and the command line: the request checks
the input and the viewer at once (so bad input is a 422, never a failed job), then queues
a job whose page shows the progress and, when done, links to the plan or the assessment.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from commonpot import jobs
from commonpot.accounts import Viewer, viewer_for
from commonpot.communities import Community, community_by_id
from commonpot.ecology import assessments, cropshare, plans
from commonpot.ecology.schemas import AssessmentIn, PlanIn
from commonpot.words import said, said_n

PLAN_JOB = "ecology.crop_plan"
ASSESSMENT_JOB = "ecology.assessment"


def start_plan(session: Session, community: Community, viewer: Viewer, body: PlanIn) -> jobs.Job:
    """A steward asks for a crop-sharing plan in the background; the job to watch."""
    plans.check_plan(session, community, viewer, body)
    return jobs.enqueue(
        session,
        PLAN_JOB,
        {"community_id": community.id, "body": body.model_dump()},
        community_id=community.id,
        created_by=viewer.user_id,
        title=said("Crop-sharing plan"),
        max_attempts=2,
    )


def start_assessment(
    session: Session, community: Community, viewer: Viewer, body: AssessmentIn
) -> jobs.Job:
    """A member asks for an impact assessment in the background; the job to watch."""
    assessments.check_assessment(session, community, viewer, body)
    return jobs.enqueue(
        session,
        ASSESSMENT_JOB,
        {"community_id": community.id, "body": body.model_dump()},
        community_id=community.id,
        created_by=viewer.user_id,
        title=said("Impact assessment: %(title)s", title=body.title),
        max_attempts=2,
    )


def plan_job(ctx: jobs.JobContext, payload: dict[str, Any]) -> str:
    """Solve the crop-sharing problem and keep the plan as a draft; the plan's page."""
    body = PlanIn.model_validate(payload["body"])
    ctx.progress(5, said("Reading the inventory and the seed bank"))
    with ctx.read() as session:
        community = community_by_id(session, int(payload["community_id"]))
        viewer = viewer_for(session, ctx.created_by)
        problem = plans.check_plan(session, community, viewer, body)  # still a steward?
    ctx.progress(
        15, said_n("Planning for %(num)s place", "Planning for %(num)s places", len(problem.domes))
    )
    solved = ctx.compute(
        cropshare.plan_crop_sharing, problem, start=15, end=90, label=said("Planning")
    )
    ctx.progress(90, said("Saving the plan"))
    session = ctx.session
    community = community_by_id(session, community.id)
    plan = plans.store_plan(session, community, ctx.created_by, body, solved)
    return f"/communities/{community.slug}/ecology/plans/{plan.id}"


def assessment_job(ctx: jobs.JobContext, payload: dict[str, Any]) -> str:
    """Compare the inventories and keep the assessment; the assessment's page."""
    body = AssessmentIn.model_validate(payload["body"])
    ctx.progress(5, said("Reading the inventories"))
    with ctx.read() as session:
        community = community_by_id(session, int(payload["community_id"]))
        viewer = viewer_for(session, ctx.created_by)
        tables = assessments.check_assessment(session, community, viewer, body)
    ctx.progress(
        15,
        said_n("Comparing %(num)s place", "Comparing %(num)s places", len(tables[0].samples)),
    )
    report = ctx.compute(assessments.assess, *tables, start=15, end=90, label=said("Comparing"))
    ctx.progress(90, said("Saving the assessment"))
    session = ctx.session
    community = community_by_id(session, community.id)
    found = assessments.store_assessment(session, community, ctx.created_by, body, tables, report)
    return f"/communities/{community.slug}/ecology/assessments/{found.id}"


JOBS = (
    jobs.JobSpec(PLAN_JOB, plan_job, max_attempts=2),
    jobs.JobSpec(ASSESSMENT_JOB, assessment_job, max_attempts=2),
)
PERIODIC: tuple[jobs.PeriodicSpec, ...] = ()
