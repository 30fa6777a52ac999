"""`commonpot serve` and `commonpot worker` refuse a database whose schema is behind the code.

Started on a new database (no `commonpot db upgrade` yet), a server answered every page with
a 500 and its job consumer logged a traceback a minute, on SQLite and PostgreSQL alike. Now
both commands stop before they start, with the one line every refusal prints, naming the
command that fixes it; the same on a database one migration behind, and on one that cannot
be reached.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from commonpot import migrate
from commonpot.errors import Invalid
from tests.conftest import create_pg_database, drop_pg_database

COMMONPOT = str(Path(sys.executable).with_name("commonpot"))


@pytest.fixture(params=["sqlite", "postgresql"])
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database nobody has migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.db'}"
        return
    url = create_pg_database("commonpot_schema_check")
    yield url
    drop_pg_database(url)


def _run(args: list[str], url: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("COMMONPOT_", "LC_"))}
    clean |= {
        "COMMONPOT_DATABASE_URL": url,
        "COMMONPOT_DATA_DIR": str(tmp_path / "var"),
        "COMMONPOT_SECRET_KEY": "s" * 40,
        "LANG": "C.UTF-8",
        **env,
    }
    return subprocess.run(
        [COMMONPOT, *args],
        check=False,
        env=clean,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_serve_and_worker_refuse_a_new_database_in_one_line(
    new_database: str, tmp_path: Path
) -> None:
    served = _run(["serve", "--host", "127.0.0.1", "--port", "1"], new_database, tmp_path)
    assert served.returncode == 2
    assert served.stderr.strip() == (
        "error: database: the database has no tables yet: run 'commonpot db upgrade' first"
    )
    assert served.stdout == ""
    worked = _run(["worker"], new_database, tmp_path, LANG="es_ES.UTF-8")
    assert worked.returncode == 2
    assert worked.stderr.strip() == (
        "error: database: la base de datos aún no tiene tablas: "
        "ejecuta antes 'commonpot db upgrade'"
    )
    assert _tables(new_database) == set()  # the check wrote nothing
    assert migrate.behind(new_database) == ""
    migrate.upgrade(new_database)
    assert migrate.behind(new_database) is None
    migrate.require_current(new_database)  # up to date: no refusal


def test_a_schema_one_migration_behind_is_refused_naming_its_revision(
    new_database: str, tmp_path: Path
) -> None:
    migrate.upgrade(new_database)
    command.downgrade(migrate.alembic_config(new_database), "-1")
    revision = migrate.behind(new_database)
    assert revision  # a revision, behind the code's head
    worked = _run(["worker"], new_database, tmp_path)
    assert worked.returncode == 2
    line = worked.stderr.strip()
    assert line.startswith("error: database: the database's schema is at revision ")
    assert revision in line and "run 'commonpot db upgrade' first" in line
    assert "\n" not in line
    migrate.upgrade(new_database)
    assert migrate.behind(new_database) is None


def test_a_database_that_cannot_be_reached_is_said_so(tmp_path: Path) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/commonpot_no_such_database"
    with pytest.raises(Invalid) as refused:
        migrate.require_current(url)
    assert refused.value.field == "database"
    assert "cannot reach the database" in str(refused.value)
    served = _run(["serve", "--port", "1"], url, tmp_path)
    assert served.returncode == 2
    assert served.stderr.startswith("error: database: cannot reach the database: ")
    assert served.stderr.count("\n") == 1
