"""Job pages and API: a community's jobs (stewards), one job's live progress, retry."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from commonpot.bus import bus_of, opened
from commonpot.http import Ctx, Unit, api_router_for, unit_of_work, verify_csrf_form
from commonpot.jobs import access
from commonpot.jobs.models import TERMINAL_STATES, Job
from commonpot.jobs.queue import cancel, job_channel, job_message, retry
from commonpot.jobs.texts import shown, worded_message
from commonpot.params import Id
from commonpot.templating import reader, redirect, render
from commonpot.words import ENGLISH, Words

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf_form)])
api_router = api_router_for("jobs")
TERMINAL = TERMINAL_STATES
POLL_SECONDS = 1.0


class JobOut(BaseModel):
    """A background job as the API shows it."""

    id: int
    name: str
    title: str
    state: str
    progress: int
    message: str
    result_url: str | None
    error: str | None
    attempts: int
    max_attempts: int
    created_at: datetime
    finished_at: datetime | None
    url: str
    live_url: str


def job_out(job: Job, words: Words = ENGLISH) -> JobOut:
    """The API view of a job (title, note and error in the reader's words)."""
    return JobOut(
        id=job.id,
        name=job.name,
        title=shown(job.title, words) or "",
        state=job.state,
        progress=job.progress,
        message=shown(job.message, words) or "",
        result_url=job.result_url,
        error=shown(job.error, words),
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        created_at=job.created_at,
        finished_at=job.finished_at,
        url=f"/jobs/{job.id}",
        live_url=f"/jobs/{job.id}/live",
    )


def _steward_community(ctx: Ctx, slug: str) -> Any:
    check: access.StewardCommunity = ctx.request.app.state.steward_community
    return check(ctx.session, slug, ctx.viewer)


def _visible(ctx: Ctx, job_id: int) -> Job:
    return access.visible_job(
        ctx.session, job_id, ctx.viewer, ctx.request.app.state.is_community_steward
    )


@router.get("/communities/{slug}/jobs", response_class=HTMLResponse)
def jobs_page(slug: str, request: Request, ctx: Unit) -> Response:
    """A community's background jobs (stewards): state, progress, retry a failed one."""
    community = _steward_community(ctx, slug)
    words = reader(request)
    found = [job_out(job, words) for job in access.community_jobs(ctx.session, community.id)]
    data = {"community": community, "jobs": found, "is_member": True}
    return render(request, "jobs/list.html", data, ctx=ctx)


@router.post("/communities/{slug}/jobs/{job_id}/retry")
def retry_job(slug: str, job_id: Id, request: Request, ctx: Unit) -> Response:
    """Queue a failed job again (stewards)."""
    community = _steward_community(ctx, slug)
    retry(ctx.session, access.community_job(ctx.session, community.id, job_id))
    return redirect(request, f"/jobs/{job_id}", "Queued again.")


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(job_id: Id, request: Request, ctx: Unit) -> Response:
    """One job: a progress bar that updates live, then the link to its result."""
    job = job_out(_visible(ctx, job_id), reader(request))
    return render(request, "jobs/job.html", {"job": job}, ctx=ctx)


@router.post("/jobs/{job_id}/cancel")
def cancel_job(job_id: Id, request: Request, ctx: Unit) -> Response:
    """Call off a queued or running job (whoever may see it: its starter, stewards)."""
    cancel(ctx.session, _visible(ctx, job_id))
    return redirect(request, f"/jobs/{job_id}", "Job cancelled.")


def _live_state(request: Request, job_id: int) -> dict[str, Any]:
    with unit_of_work(request) as ctx:
        return job_message(_visible(ctx, job_id))


async def _stream(request: Request, job_id: int) -> AsyncIterator[str]:
    async with opened(bus_of(request.app.state), job_channel(job_id)) as sub:
        # read the state after subscribing so that nothing falls between the two
        current = await run_in_threadpool(_live_state, request, job_id)
        # the viewer's language as they subscribe (their account's choice is known once
        # their unit of work has read them) words every message of the stream
        words = reader(request)
        yield "retry: 3000\n"
        yield f"event: job\ndata: {json.dumps(worded_message(current, words))}\n\n"
        if current["state"] in TERMINAL:
            return
        quiet = 0.0
        while not await request.is_disconnected():
            message = await sub.get(POLL_SECONDS)
            if message is None:
                # no live message: the job may run where this bus does not reach (another
                # process on the in-memory bus), so read its row instead
                latest = await run_in_threadpool(_live_state, request, job_id)
                if latest == current:
                    quiet += POLL_SECONDS
                    if quiet >= 15:
                        quiet = 0.0
                        yield ": keep-alive\n\n"
                    continue
                message = latest
            current = message
            yield f"event: job\ndata: {json.dumps(worded_message(message, words))}\n\n"
            if message.get("state") in TERMINAL:
                return


@router.get("/jobs/{job_id}/live")
async def job_live(job_id: Id, request: Request) -> Response:
    """Server-sent events: the job's progress until it is done or failed."""
    await run_in_threadpool(_live_state, request, job_id)  # NotFound before streaming
    return StreamingResponse(
        _stream(request, job_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@api_router.get("/jobs/{job_id}", response_model=JobOut)
def api_job(job_id: Id, request: Request, ctx: Unit) -> JobOut:
    """One background job: state, progress, result link or the reason it failed."""
    return job_out(_visible(ctx, job_id), reader(request))


@api_router.post("/jobs/{job_id}/cancel", response_model=JobOut)
def api_cancel(job_id: Id, request: Request, ctx: Unit) -> JobOut:
    """Call off a queued or running job (its starter, stewards, admins); 409 once it ended."""
    return job_out(cancel(ctx.session, _visible(ctx, job_id)), reader(request))


@api_router.get("/communities/{slug}/jobs", response_model=list[JobOut])
def api_community_jobs(slug: str, request: Request, ctx: Unit) -> list[JobOut]:
    """A community's background jobs, newest first (stewards)."""
    community = _steward_community(ctx, slug)
    words = reader(request)
    return [job_out(j, words) for j in access.community_jobs(ctx.session, community.id)]


@api_router.post("/communities/{slug}/jobs/{job_id}/retry", response_model=JobOut, status_code=202)
def api_retry(slug: str, job_id: Id, request: Request, ctx: Unit) -> JobOut:
    """Queue a failed job again (stewards); 409 unless it failed."""
    community = _steward_community(ctx, slug)
    job = retry(ctx.session, access.community_job(ctx.session, community.id, job_id))
    return job_out(job, reader(request))
