"""Command line for background jobs: list, watch (a progress bar on a terminal), retry."""

from __future__ import annotations

import sys
import time
from typing import Annotated

import typer
from sqlalchemy import select

from commonpot.cli_support import database, transaction
from commonpot.errors import NotFound
from commonpot.jobs.models import TERMINAL_STATES, Job, JobState
from commonpot.jobs.queue import cancel, retry

jobs_app = typer.Typer(help="Background jobs: see, follow and retry them.", no_args_is_help=True)
TERMINAL = TERMINAL_STATES


@jobs_app.command("list")
def list_jobs(
    state: Annotated[str | None, typer.Option(help="queued, running, done or failed")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 30,
) -> None:
    """The newest jobs with their state and progress."""
    with transaction() as session:
        query = select(Job).order_by(Job.id.desc()).limit(limit)
        if state:
            query = query.where(Job.state == state)
        for job in session.scalars(query):
            note = job.error if job.state == JobState.FAILED.value else job.result_url or ""
            typer.echo(
                f"{job.id}\t{job.state}\t{job.progress}%\t{job.name}\t{job.title}\t{note or ''}"
            )


def _read(job_id: int) -> Job:
    db = database()
    try:
        with db.unit_of_work(write=False) as session:
            job = session.get(Job, job_id)
            if job is None:
                raise NotFound(f"job_id: no job {job_id}", field="job_id")
            return job
    finally:
        db.dispose()


@jobs_app.command("watch")
def watch(job_id: Annotated[int, typer.Argument(help="The job's number.")]) -> None:
    """Follow a job until it ends: a progress bar on a terminal, one line when piped."""
    job = _read(job_id)
    if sys.stdout.isatty():
        from rich.progress import Progress

        with Progress(transient=False) as bar:
            task = bar.add_task(job.title or job.name, total=100, completed=job.progress)
            while job.state not in TERMINAL:
                time.sleep(0.5)
                job = _read(job_id)
                bar.update(task, completed=job.progress, description=job.message or job.name)
            bar.update(task, completed=100 if job.state == JobState.DONE.value else job.progress)
    else:
        while job.state not in TERMINAL:
            time.sleep(0.5)
            job = _read(job_id)
    if job.state == JobState.FAILED.value:
        typer.echo(f"job {job.id} failed: {job.error}", err=True)
        raise typer.Exit(1)
    if job.state == JobState.CANCELLED.value:
        typer.echo(f"job {job.id} was cancelled", err=True)
        raise typer.Exit(1)
    typer.echo(f"job {job.id} done{': ' + job.result_url if job.result_url else ''}")


@jobs_app.command("retry")
def retry_job(job_id: Annotated[int, typer.Argument(help="A failed job's number.")]) -> None:
    """Queue a failed job again (a worker or `serve` runs it)."""
    with transaction() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound(f"job_id: no job {job_id}", field="job_id")
        retry(session, job)
    typer.echo(f"job {job_id} queued again")


@jobs_app.command("cancel")
def cancel_job(
    job_id: Annotated[int, typer.Argument(help="A queued or running job's number.")],
) -> None:
    """Call off a queued or running job (a running one stops at its next progress report)."""
    with transaction() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound(f"job_id: no job {job_id}", field="job_id")
        cancel(session, job)
    typer.echo(f"job {job_id} cancelled")


def register(root: typer.Typer) -> None:
    """Add `commonpot jobs ...`."""
    root.add_typer(jobs_app, name="jobs")
