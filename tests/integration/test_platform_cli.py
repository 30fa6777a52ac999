"""Commands open a wired database: governance actions are known, jobs are queued."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from commonpot.cli import main
from commonpot.db import Database
from commonpot.jobs.models import Job
from commonpot.settings import get_settings


@pytest.fixture
def cli_db(
    db: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    monkeypatch.setenv("COMMONPOT_DATABASE_URL", db_url)
    monkeypatch.setenv("COMMONPOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("COMMONPOT_JOBS_BACKEND", "sqlite")
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


def test_demo_load_through_the_cli_queues_its_notifications(
    cli_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["demo", "load"])  # failed before: the CLI's database had no action registry
    assert "riverside" in capsys.readouterr().out
    with cli_db.unit_of_work(write=False) as s:
        queued = s.scalar(select(func.count(Job.id)).where(Job.name == "notifications.deliver"))
    assert queued is not None
    assert queued > 0
    assert (tmp_path / "var" / "jobs.sqlite3").exists()  # handed to the embedded queue


def test_jobs_commands_list_watch_and_retry(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    from commonpot import jobs

    with cli_db.unit_of_work() as s:
        job = jobs.enqueue(s, "no.such.job", {}, key="cli-broken", title="Broken")
        job.state, job.error, job.attempts, job.max_attempts = "failed", "LookupError: x", 1, 1
        job_id = job.id
    main(["jobs", "list"])
    assert f"{job_id}\tfailed\t0%\tno.such.job\tBroken\tLookupError: x" in capsys.readouterr().out
    with pytest.raises(SystemExit) as watched:
        main(["jobs", "watch", str(job_id)])  # piped: no bar, one line, exit 1 for failed
    assert watched.value.code == 1
    assert "failed: LookupError: x" in capsys.readouterr().err
    main(["jobs", "retry", str(job_id)])
    assert "queued again" in capsys.readouterr().out
    with pytest.raises(SystemExit) as again:
        main(["jobs", "retry", str(job_id)])  # only failed jobs
    assert again.value.code == 2
    with pytest.raises(SystemExit) as missing:
        main(["jobs", "watch", "999999"])
    assert missing.value.code == 2
    assert "job_id: no job 999999" in capsys.readouterr().err
