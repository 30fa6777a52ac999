"""Crop plans and impact assessments as background jobs, started from the command line and
run by a job runtime on real SQLite and PostgreSQL; a cancelled job stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from commonpot import jobs
from commonpot.bus import MemoryBus
from commonpot.db import Database
from commonpot.ecology.models import Assessment, CropPlan
from commonpot.i18n import Reader
from commonpot.jobs import texts
from commonpot.jobs.models import Job
from commonpot.settings import Settings, get_settings
from commonpot.wiring import start_jobs
from commonpot.words import Said
from tests.factories.accounts import World, make_world
from tests.factories.cli import run_cli
from tests.factories.ecology import seed_domes

GAMED = (
    "sample,Zea mays,Phaseolus vulgaris,Okra\n"
    "North Dome,190,3,0.1\nSouth Dome,140,0,0.1\nWillow Dome,110,0,0.1\n"
)


@pytest.fixture
def runtime(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[jobs.Jobs]:
    """A job runtime on the test database; the command line queues into the same database."""
    settings = Settings(
        database_url=db.url,
        data_dir=tmp_path,
        jobs_backend="memory",
        jobs_queue=f"eco{id(tmp_path)}",
        secret_key="k" * 40,
    )
    monkeypatch.setenv("COMMONPOT_DATABASE_URL", db.url)
    monkeypatch.setenv("COMMONPOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COMMONPOT_JOBS_BACKEND", "memory")
    get_settings.cache_clear()
    made = start_jobs(settings, db, MemoryBus())
    yield made
    made.stop_consumer()
    get_settings.cache_clear()


def _world(db: Database) -> World:
    w = make_world(db)
    with db.unit_of_work() as s:
        seed_domes(s, s.merge(w.public), w.steward)
    return w


def _jobs(db: Database) -> int:
    with db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count(Job.id))) or 0)


def _job(db: Database, job_id: int) -> Job:
    with db.unit_of_work(write=False) as s:
        found = s.get(Job, job_id)
        assert found is not None
        s.expunge(found)
        return found


def test_plan_and_assessment_from_the_command_line(
    db: Database, runtime: jobs.Jobs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = _world(db)
    steward, member = w.steward.email, w.member.email
    code, _, err = run_cli(
        capsys, "ecology", "plan", "publicville", "--as", steward, "--min-plot-area", "-1"
    )
    assert code == 2
    assert "min_plot_area" in err
    code, _, err = run_cli(capsys, "ecology", "plan", "publicville", "--as", member)
    assert code == 2  # members may not draft plans
    assert _jobs(db) == 0  # bad input queues nothing
    code, out, err = run_cli(
        capsys, "ecology", "plan", "publicville", "--as", steward, "--min-plot-area", "2"
    )
    assert code == 0, err
    job_id = int(out.split()[1])
    assert out == f"job {job_id} queued: /jobs/{job_id}\n"
    runtime.run(job_id)
    done = _job(db, job_id)
    assert done.state == "done", done.error
    with db.unit_of_work(write=False) as s:
        plan = s.scalar(select(CropPlan))
        assert plan is not None
        assert done.result_url == f"/communities/publicville/ecology/plans/{plan.id}"
        assert plan.params["min_plot_area"] == 2.0
        assert plan.after["min_hill_1"] > plan.before["min_hill_1"]

    after = tmp_path / "after.csv"
    after.write_text(GAMED, encoding="utf-8")
    code, out, err = run_cli(
        capsys,
        "ecology",
        "assess",
        "publicville",
        str(after),
        "--title",
        "AgriCorp",
        "--as",
        member,
    )
    assert code == 0, err
    job_id = int(out.split()[1])
    runtime.run(job_id)
    done = _job(db, job_id)
    assert done.state == "done", done.error
    with db.unit_of_work(write=False) as s:
        found = s.scalar(select(Assessment))
        assert found is not None
        assert found.gamed is True
        assert found.title == "AgriCorp"
        assert done.result_url == f"/communities/publicville/ecology/assessments/{found.id}"


def test_infeasible_plan_fails_at_once_with_the_reason(db: Database, runtime: jobs.Jobs) -> None:
    w = _world(db)
    from commonpot.accounts.service import Viewer
    from commonpot.ecology import jobs as ecology_jobs
    from commonpot.ecology.schemas import PlanIn

    with db.unit_of_work() as s:
        job_id = ecology_jobs.start_plan(
            s, s.merge(w.public), Viewer(user=w.steward), PlanIn(gamma_floor=40.0)
        ).id
    runtime.run(job_id)
    failed = _job(db, job_id)
    assert failed.state == "failed"  # a domain error is not retried: the input must change
    assert failed.attempts == 1
    # stored as the refusal's message id and parts, worded for each reader
    english = texts.shown(failed.error)
    assert english is not None
    assert english.startswith("All domes together have a gamma diversity")
    sentence = texts.read(failed.error)
    assert sentence is not None
    first = sentence.values["s0"]  # each reason kept as its message id and parts
    assert isinstance(first, Said) and first.values
    spanish = texts.shown(failed.error, Reader("es"))
    template = Reader("es").gettext(first.text)
    assert template != first.text  # translated
    assert spanish is not None and spanish.startswith(template.split("%(")[0])
    assert "4,43" in spanish  # the reader's decimal comma
    # the stewards hear of it, each in their own language
    from commonpot.notifications import mail
    from commonpot.notifications.models import Notification

    runtime.drain()
    with db.unit_of_work(write=False) as s:
        told = s.scalars(select(Notification).where(Notification.kind == "job_failed")).first()
        assert told is not None
        params = dict(told.params)
    subject, body = mail.words("job_failed", params, "es")
    assert spanish in body
    assert Reader("es").gettext("Crop-sharing plan") in subject
    assert english in mail.words("job_failed", params, "en")[1]


WROTE: list[int] = []


def _cancelled_midway(ctx: jobs.JobContext, payload: dict[str, Any]) -> str:
    """Someone cancels the job while it runs; it writes, then reports progress and stops."""
    with ctx.runtime.db.unit_of_work() as other:  # a steward presses Cancel meanwhile
        found = other.get(Job, ctx.job_id)
        assert found is not None
        jobs.cancel(other, found)
    ctx.session.add(
        CropPlan(
            community_id=payload["community_id"],
            params={},
            moves=[],
            before={},
            after={},
            notes=[],
            summary="half-made",
        )
    )
    ctx.session.flush()
    WROTE.append(1)
    ctx.progress(60, "still going")  # the job stops here, its writes undone
    return "/never"


def test_cancel_a_queued_or_running_job(db: Database, runtime: jobs.Jobs) -> None:
    w = _world(db)
    jobs.REGISTRY.register(jobs.JobSpec("test.cancelled_midway", _cancelled_midway))
    with db.unit_of_work() as s:
        queued = jobs.enqueue(s, "test.cancelled_midway", {"community_id": w.public.id}).id
        running = jobs.enqueue(s, "test.cancelled_midway", {"community_id": w.public.id}).id
    with db.unit_of_work() as s:
        found = s.get(Job, queued)
        assert found is not None
        jobs.cancel(s, found)
    WROTE.clear()
    runtime.run(queued)
    assert WROTE == []  # a cancelled job is never claimed
    assert _job(db, queued).state == "cancelled"
    runtime.run(running)
    assert WROTE == [1]
    stopped = _job(db, running)
    assert (stopped.state, stopped.result_url) == ("cancelled", None)
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count(CropPlan.id))) == 0  # its writes were rolled back
        again = s.get(Job, running)
        assert again is not None
        with pytest.raises(Exception, match="Only a queued or running job"):
            jobs.cancel(s, again)
