"""Deadlock victims are run again: the request at the edge, the command's transaction in the CLI.

PostgreSQL raises real errors here (PL/pgSQL `RAISE ... USING ERRCODE`), with the SQLSTATE
a deadlock (40P01) or a serialisation failure (40001) has, so the code paths are the ones
a real deadlock takes.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from commonpot.db import RETRY_ATTEMPTS, Database, run_with_retries
from commonpot.http import RetryMiddleware

pytestmark = pytest.mark.postgres


def fail_with(session_or_conn: Any, sqlstate: str) -> None:
    """Make PostgreSQL raise an error with this SQLSTATE."""
    session_or_conn.execute(
        text(f"DO $$ BEGIN RAISE EXCEPTION 'test failure' USING ERRCODE = '{sqlstate}'; END $$")
    )


def app_failing(pg: Database, sqlstate: str, failures: int) -> tuple[FastAPI, list[Any]]:
    """An app whose POST /echo fails `failures` times with the SQLSTATE, then echoes its body."""
    app = FastAPI()
    app.add_middleware(RetryMiddleware)
    seen: list[Any] = []

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, Any]:
        body = await request.json()
        seen.append(body)
        assert getattr(request.state, "marker", None) is None  # a fresh state every try
        request.state.marker = len(seen)
        if len(seen) <= failures:
            with pg.unit_of_work() as session:
                fail_with(session, sqlstate)
        return {"body": body, "tries": len(seen)}

    return app, seen


@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])
def test_a_deadlocked_request_runs_again_with_its_body(pg: Database, sqlstate: str) -> None:
    """The first try is a deadlock victim; the second answers, with the same body replayed."""
    app, seen = app_failing(pg, sqlstate, failures=1)
    with TestClient(app) as client:
        response = client.post("/echo", json={"vote": "yes"})
    assert response.status_code == 200
    assert response.json() == {"body": {"vote": "yes"}, "tries": 2}
    assert seen == [{"vote": "yes"}, {"vote": "yes"}]


def test_retries_stop_after_the_last_attempt(pg: Database) -> None:
    """A request that deadlocks every time fails after RETRY_ATTEMPTS tries."""
    app, seen = app_failing(pg, "40P01", failures=100)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/echo", json={"n": 1})
    assert response.status_code == 500
    assert len(seen) == RETRY_ATTEMPTS


def test_other_database_errors_are_not_retried(pg: Database) -> None:
    """A unique violation (23505) is not a deadlock: one try, then the error."""
    app, seen = app_failing(pg, "23505", failures=1)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/echo", json={"n": 1})
    assert response.status_code == 500
    assert len(seen) == 1


def test_cli_transactions_run_again_after_a_deadlock(pg: Database) -> None:
    """`run_with_retries` (behind cli_support.in_transaction) reruns the whole transaction."""
    tries: list[int] = []

    def work() -> int:
        with pg.unit_of_work() as session:
            tries.append(1)
            if len(tries) < 3:
                fail_with(session, "40P01")
            return int(session.execute(text("SELECT 41 + 1")).scalar_one())

    assert run_with_retries(work) == 42
    assert len(tries) == 3

    def always() -> None:
        with pg.unit_of_work() as session:
            fail_with(session, "40001")

    with pytest.raises(DBAPIError):
        run_with_retries(always)


def test_connections_the_server_closed_are_replaced_not_handed_out(pg: Database) -> None:
    """A pooled connection whose backend the server ended (as a restart ends them all) is
    replaced at checkout (the pool's ping): the next units of work succeed, on new backends,
    instead of failing once per stale connection."""
    pids = set()
    sessions = [pg.session() for _ in range(3)]  # three pooled connections at once
    for session in sessions:
        pids.add(session.execute(text("SELECT pg_backend_pid()")).scalar_one())
    for session in sessions:
        session.close()
    assert len(pids) == 3
    admin = create_engine(pg.url, poolclass=NullPool)  # another client, as an administrator
    try:
        with admin.begin() as conn:
            ended = conn.execute(
                text(
                    "SELECT count(*) FROM unnest(CAST(:pids AS int[])) AS p(pid) "
                    "WHERE pg_terminate_backend(pid, 5000)"  # returns once each has ended
                ),
                {"pids": sorted(pids)},
            ).scalar_one()
    finally:
        admin.dispose()
    assert ended == 3
    seen = set()
    for _ in range(3):
        sessions = [pg.session() for _ in range(3)]
        for session in sessions:
            seen.add(session.execute(text("SELECT pg_backend_pid()")).scalar_one())
        for session in sessions:
            session.close()
    assert seen and not seen & pids  # no ended backend was handed out again


def test_a_live_pooled_connection_is_kept(pg: Database) -> None:
    """The checkout test reconnects nothing that is alive: a healthy connection comes back."""
    with pg.unit_of_work() as session:
        first = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with pg.unit_of_work() as session:
        again = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert again == first
