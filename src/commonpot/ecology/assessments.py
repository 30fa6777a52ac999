"""Impact assessments: a proposed "after" inventory compared with the current one.

An assessment over a big inventory runs as a background job (`ecology/jobs.py`): the
request checks the input (`check_assessment`), the job computes (`assess`, a pure
function) and stores (`store_assessment`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot.accounts import Viewer
from commonpot.communities import Community
from commonpot.ecology.csvio import CountsTable, parse_counts
from commonpot.ecology.impact import ImpactReport, assess_impact
from commonpot.ecology.models import Assessment
from commonpot.ecology.schemas import AssessmentIn
from commonpot.ecology.service import (
    inventory_counts,
    require_member,
    require_reader,
    require_steward,
)
from commonpot.errors import N_, Invalid
from commonpot.parsing import dumps_json
from commonpot.tenancy import get_scoped, select_scoped


def table_json(table: CountsTable) -> dict[str, Any]:
    """A counts table as stored JSON."""
    return {"samples": table.samples, "species": table.species, "counts": table.counts.tolist()}


def table_from_json(data: dict[str, Any]) -> CountsTable:
    """A counts table back from stored JSON."""
    return CountsTable(list(data["samples"]), list(data["species"]), np.array(data["counts"]))


def check_assessment(
    session: Session, community: Community, viewer: Viewer, body: AssessmentIn
) -> tuple[CountsTable, CountsTable]:
    """The before and after tables to compare, once the viewer and the files pass (members)."""
    require_member(session, community, viewer)
    before = (
        parse_counts(body.before_csv) if body.before_csv else inventory_counts(session, community)
    )
    if not before.samples or not before.species:
        raise Invalid("There is no inventory to compare with yet; upload a before file.")
    return before, parse_counts(body.after_csv)


def assess(before: CountsTable, after: CountsTable) -> ImpactReport:
    """The impact report (pure, CPU-bound for big inventories: jobs run it in a process)."""
    report = assess_impact(before, after)
    dumps_json(report.to_json())  # refuses NaN/Infinity before anything is stored
    return report


def store_assessment(
    session: Session,
    community: Community,
    author_id: int | None,
    body: AssessmentIn,
    tables: tuple[CountsTable, CountsTable],
    report: ImpactReport,
) -> Assessment:
    """Keep an assessment and its report."""
    before, after = tables
    assessment = Assessment(
        community_id=community.id,
        title=body.title,
        author_id=author_id,
        before=table_json(before),
        after=table_json(after),
        report=report.to_json(),
        gamed=report.gamed,
    )
    session.add(assessment)
    session.flush()
    return assessment


def create_assessment(
    session: Session, community: Community, viewer: Viewer, body: AssessmentIn
) -> Assessment:
    """Compare the current inventory (or a given one) with a proposed "after" inventory."""
    tables = check_assessment(session, community, viewer, body)
    return store_assessment(session, community, viewer.user_id, body, tables, assess(*tables))


def assessments(session: Session, community: Community, viewer: Viewer) -> list[Assessment]:
    """Every assessment of the community, newest first."""
    require_reader(session, community, viewer)
    query = select_scoped(Assessment, community.id)
    return list(session.scalars(query.order_by(Assessment.id.desc())))


def get_assessment(
    session: Session, community: Community, viewer: Viewer, assessment_id: int
) -> Assessment:
    """One assessment, or NotFound."""
    require_reader(session, community, viewer)
    return get_scoped(
        session, Assessment, assessment_id, community.id, missing=N_("No such assessment here.")
    )


def attach_assessment(
    session: Session, community: Community, viewer: Viewer, assessment_id: int, number: int
) -> Assessment:
    """Attach an assessment's report to a proposal of its community (its author or a steward)."""
    from commonpot import governance

    require_member(session, community, viewer)
    found = get_assessment(session, community, viewer, assessment_id)
    if found.author_id != viewer.user_id:
        # moving someone else's report (and its "looks gamed" warning) is a steward's call
        require_steward(session, community, viewer)
    # proposals are numbered per community: the lookup never reaches another community's
    proposal = governance.get_proposal(session, community, viewer, number)
    found.proposal_id = proposal.id
    session.flush()
    return found


def proposal_number(session: Session, assessment: Assessment) -> int | None:
    """The number of the proposal the assessment is attached to, if any."""
    from commonpot.governance import Proposal

    if assessment.proposal_id is None:
        return None
    return session.scalar(select(Proposal.number).where(Proposal.id == assessment.proposal_id))


def for_proposal(session: Session, community: Community, proposal_id: int) -> list[Assessment]:
    """Assessments attached to a proposal (the caller already may read the proposal)."""
    query = select_scoped(Assessment, community.id).where(Assessment.proposal_id == proposal_id)
    return list(session.scalars(query))
