"""Command line for background jobs: list, watch (a progress bar on a terminal), retry."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from commonpot.cli_support import database, transaction
from commonpot.errors import NotFound

if TYPE_CHECKING:  # the ORM loads inside the commands: `commonpot jobs --help` needs none
    from commonpot.jobs.models import Job

jobs_app = typer.Typer(help="Background jobs: see, follow and retry them.", no_args_is_help=True)


@jobs_app.command("list")
def list_jobs(
    state: Annotated[str | None, typer.Option(help="queued, running, done or failed")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 30,
) -> None:
    """The newest jobs with their state and progress."""
    from sqlalchemy import select

    from commonpot.i18n import cli_words
    from commonpot.jobs.models import Job, JobState
    from commonpot.jobs.texts import shown

    words = cli_words()
    with transaction() as session:
        query = select(Job).order_by(Job.id.desc()).limit(limit)
        if state:
            query = query.where(Job.state == state)
        for job in session.scalars(query):
            failed = job.state == JobState.FAILED.value
            note = shown(job.error, words) if failed else job.result_url or ""
            title = shown(job.title, words)
            typer.echo(f"{job.id}\t{job.state}\t{job.progress}%\t{job.name}\t{title}\t{note or ''}")


def _read(job_id: int) -> Job:
    from commonpot.jobs.models import Job

    db = database()
    try:
        with db.unit_of_work(write=False) as session:
            job = session.get(Job, job_id)
            if job is None:
                raise NotFound("no job %(id)s", field="job_id", id=str(job_id))
            return job
    finally:
        db.dispose()


@jobs_app.command("watch")
def watch(job_id: Annotated[int, typer.Argument(help="The job's number.")]) -> None:
    """Follow a job until it ends: a progress bar on a terminal, one line when piped."""
    from commonpot.i18n import cli_text, cli_words
    from commonpot.jobs.models import TERMINAL_STATES, JobState
    from commonpot.jobs.texts import shown

    words = cli_words()
    job = _read(job_id)
    if sys.stdout.isatty():
        from rich.progress import Progress

        with Progress(transient=False) as bar:
            title = shown(job.title, words) or job.name
            task = bar.add_task(title, total=100, completed=job.progress)
            while job.state not in TERMINAL_STATES:
                time.sleep(0.5)
                job = _read(job_id)
                note = shown(job.message, words) or job.name
                bar.update(task, completed=job.progress, description=note)
            bar.update(task, completed=100 if job.state == JobState.DONE.value else job.progress)
    else:
        while job.state not in TERMINAL_STATES:
            time.sleep(0.5)
            job = _read(job_id)
    if job.state == JobState.FAILED.value:
        error = shown(job.error, words)
        typer.echo(cli_text("job %(id)s failed: %(error)s", id=str(job.id), error=error), err=True)
        raise typer.Exit(1)
    if job.state == JobState.CANCELLED.value:
        typer.echo(cli_text("job %(id)s was cancelled", id=str(job.id)), err=True)
        raise typer.Exit(1)
    if job.result_url:
        typer.echo(cli_text("job %(id)s done: %(url)s", id=str(job.id), url=job.result_url))
    else:
        typer.echo(cli_text("job %(id)s done", id=str(job.id)))


@jobs_app.command("retry")
def retry_job(job_id: Annotated[int, typer.Argument(help="A failed job's number.")]) -> None:
    """Queue a failed job again (a worker or `serve` runs it)."""
    from commonpot.jobs.models import Job
    from commonpot.jobs.queue import retry

    with transaction() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound("no job %(id)s", field="job_id", id=str(job_id))
        retry(session, job)
    from commonpot.i18n import cli_text

    typer.echo(cli_text("job %(id)s queued again", id=str(job_id)))


@jobs_app.command("cancel")
def cancel_job(
    job_id: Annotated[int, typer.Argument(help="A queued or running job's number.")],
) -> None:
    """Call off a queued or running job (a running one stops at its next progress report)."""
    from commonpot.jobs.models import Job
    from commonpot.jobs.queue import cancel

    with transaction() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound("no job %(id)s", field="job_id", id=str(job_id))
        cancel(session, job)
    from commonpot.i18n import cli_text

    typer.echo(cli_text("job %(id)s cancelled", id=str(job_id)))


def register(root: typer.Typer) -> None:
    """Add `commonpot jobs ...`."""
    root.add_typer(jobs_app, name="jobs")
