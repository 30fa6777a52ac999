"""Governance work on a schedule: tell members when voting closes within a day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from commonpot import jobs, signals
from commonpot.db import utcnow
from commonpot.governance.models import Proposal, State
from commonpot.governance.signals import ProposalClosingSoon

CLOSING_JOB = "governance.closing_soon"


def closing_soon(ctx: jobs.JobContext, payload: dict[str, Any]) -> None:
    """Emit `ProposalClosingSoon` for every open proposal closing 23-25 hours from now."""
    now = utcnow()
    session = ctx.session
    due = session.scalars(
        select(Proposal).where(
            Proposal.state == State.ACTIVE.value,
            Proposal.closes_at >= now + timedelta(hours=23),
            Proposal.closes_at <= now + timedelta(hours=25),
        )
    )
    for proposal in due:
        signals.emit(
            session, ProposalClosingSoon(proposal.community_id, proposal.number, proposal.title)
        )


JOBS = (jobs.JobSpec(CLOSING_JOB, closing_soon),)
PERIODIC = (jobs.PeriodicSpec(CLOSING_JOB, minute="10", hour="*"),)
