"""Shared fixtures: real databases (SQLite and PostgreSQL), the app, clients, people.

Database-backed tests take the `db` fixture (or anything built on it) and run once per
backend: `test_x[sqlite]` and `test_x[postgresql]`. Each xdist worker gets its own SQLite
file and its own PostgreSQL database, migrated once with Alembic; tables are emptied
before every test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from commonpot import migrate
from commonpot.accounts import security
from commonpot.app import create_app
from commonpot.db import Database
from commonpot.settings import Settings
from commonpot.wiring import open_database
from tests.factories.database import empty_all_tables

security.use_cheap_hashing_for_tests()

PG_ADMIN_URL = os.environ.get(
    "COMMONPOT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")


def create_pg_database(prefix: str) -> str:
    """Create a fresh, uniquely named PostgreSQL database; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return str(make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False))


def drop_pg_database(url: str) -> None:
    """Drop a database made by `create_pg_database`."""
    name = make_url(url).database
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_urls(
    tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> Iterator[dict[str, str]]:
    """One migrated database per backend for this worker; created lazily, dropped at the end."""
    urls: dict[str, str] = {}
    made: list[str] = []

    class Lazy(dict[str, str]):
        def __missing__(self, backend: str) -> str:
            if backend == "sqlite":
                path = tmp_path_factory.mktemp(f"db-{worker_id}") / "commonpot.db"
                url = f"sqlite:///{path}"
            else:
                url = create_pg_database(f"commonpot_test_{worker_id}")
                made.append(url)
            migrate.upgrade(url)
            self[backend] = url
            return url

    lazy = Lazy(urls)
    yield lazy
    for url in made:
        drop_pg_database(url)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend this test runs on."""
    return str(request.param)


@pytest.fixture
def db_url(backend: str, database_urls: dict[str, str]) -> str:
    """The URL of this worker's (emptied) database for the backend."""
    return database_urls[backend]


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A Database on emptied tables."""
    database = open_database(db_url)
    empty_all_tables(database)
    yield database
    database.dispose()


@pytest.fixture
def pg(database_urls: dict[str, str]) -> Iterator[Database]:
    """The worker's PostgreSQL database, whatever the backend parameter (tests of PostgreSQL
    alone: mark them `postgres`)."""
    database = open_database(database_urls["postgresql"])
    yield database
    database.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings for an app on this test's database."""
    return Settings(
        database_url=db_url,
        secret_key="test-secret-key-" + "x" * 32,
        data_dir=tmp_path / "var",
        base_url="http://testserver",
        login_max_failures=5,
    )


@pytest.fixture
def app(settings: Settings, db: Database) -> Iterator[FastAPI]:
    """The application, on the emptied database."""
    application = create_app(settings)
    yield application
    application.state.db.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client talking to the app in-process."""
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def cli_db(db: Database, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The emptied database, as the command line's COMMONPOT_DATABASE_URL."""
    from commonpot.settings import get_settings

    monkeypatch.setenv("COMMONPOT_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()
