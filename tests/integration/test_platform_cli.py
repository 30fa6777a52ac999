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


def _locale(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", lang)


def test_commands_speak_the_locale_of_the_command_line(
    cli_db: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """LANG=es_ES.UTF-8: success lines, job texts and refusals in Spanish (fields as they are);
    English by default."""
    from commonpot import jobs
    from commonpot.i18n import Reader
    from commonpot.jobs import texts
    from commonpot.words import said

    es = Reader("es")
    title = said("Impact assessment: %(title)s", title="Maize")
    with cli_db.unit_of_work() as s:
        job = jobs.enqueue(s, "no.such.job", {}, key="cli-words", title=title)
        job.state, job.attempts, job.max_attempts = "failed", 1, 1
        job.error = texts.stored(said("attempt %(attempt)s failed; retrying", attempt=2), 4000)
        job_id = job.id
    _locale(monkeypatch, "es_ES.UTF-8")
    main(["jobs", "list"])
    spanish_title = title.words(es)
    spanish_error = said("attempt %(attempt)s failed; retrying", attempt=2).words(es)
    assert spanish_title != "Impact assessment: Maize"
    assert spanish_error != "attempt 2 failed; retrying"
    assert f"{job_id}\tfailed\t0%\tno.such.job\t{spanish_title}\t{spanish_error}" in (
        capsys.readouterr().out
    )
    with pytest.raises(SystemExit):
        main(["jobs", "watch", str(job_id)])
    failed = es.gettext("job %(id)s failed: %(error)s") % {"id": job_id, "error": spanish_error}
    assert capsys.readouterr().err.strip() == failed
    main(["jobs", "retry", str(job_id)])
    queued = es.gettext("job %(id)s queued again") % {"id": job_id}
    assert queued != f"job {job_id} queued again"
    assert capsys.readouterr().out.strip() == queued
    with pytest.raises(SystemExit) as missing:
        main(["jobs", "watch", "999999"])
    assert missing.value.code == 2
    no_job = es.gettext("no job %(id)s") % {"id": "999999"}
    assert no_job != "no job 999999"
    assert capsys.readouterr().err.strip() == f"error: job_id: {no_job}"  # the field as it is
    main(["user", "create", "--email", "ana@example.org", "--name", "Ana", "--password", "x" * 12])
    made = capsys.readouterr().out.strip()
    assert made.startswith(es.gettext("Created user %(email)s (id %(id)s).").split("%(")[0])
    assert "ana@example.org" in made and not made.startswith("Created")
    _locale(monkeypatch, "C.UTF-8")  # English by default
    main(["jobs", "list"])
    assert f"\t{title.words()}\t" in capsys.readouterr().out
    main(["user", "create", "--email", "bo@example.org", "--name", "Bo", "--password", "x" * 12])
    assert capsys.readouterr().out.startswith("Created user bo@example.org (id ")
