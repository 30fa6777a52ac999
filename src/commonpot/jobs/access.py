"""Who may see and retry jobs: the composition root hands in the community checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonpot.errors import NotFound
from commonpot.jobs.models import Job

if TYPE_CHECKING:
    from commonpot.accounts.service import Viewer


class StewardCommunity(Protocol):
    """The community `slug` if the viewer stewards it (Forbidden/NotFound otherwise)."""

    def __call__(self, session: Session, slug: str, viewer: Viewer) -> Any: ...


class IsSteward(Protocol):
    """Whether the viewer stewards the community with this id."""

    def __call__(self, session: Session, community_id: int, viewer: Viewer) -> bool: ...


def visible_job(session: Session, job_id: int, viewer: Viewer, is_steward: IsSteward) -> Job:
    """A job its starter, the community's stewards and admins may see; NotFound for others."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("No such job.")
    if viewer.is_admin or (viewer.user_id is not None and job.created_by == viewer.user_id):
        return job
    if job.community_id is not None and is_steward(session, job.community_id, viewer):
        return job
    raise NotFound("No such job.")


def community_jobs(session: Session, community_id: int, limit: int = 100) -> list[Job]:
    """A community's jobs, newest first."""
    query = select(Job).where(Job.community_id == community_id).order_by(Job.id.desc()).limit(limit)
    return list(session.scalars(query))


def community_job(session: Session, community_id: int, job_id: int) -> Job:
    """One job of this community, or NotFound."""
    job = session.get(Job, job_id)
    if job is None or job.community_id != community_id:
        raise NotFound("No such job here.")
    return job
