"""`Database.read_on_loop`: the busiest reads run on the event loop, on both databases.

On PostgreSQL they go through psycopg's asynchronous connections (read-only, autocommit);
these tests hold the promises that makes: no worker thread, what is committed is seen, a
write is refused and changes nothing, the read sessions' hooks still apply, several loops
one after another work, reads beyond the pool wait in line (first come, first served, no
connection opened beyond the pool), and `dispose` closes those connections too.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from commonpot.accounts.models import User
from commonpot.db import LOOP_READ_POOL_SIZE, Database
from tests.factories.accounts import make_user
from tests.factories.loops import in_own_loop

T = TypeVar("T")


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def test_a_read_runs_on_the_loops_own_thread_and_sees_what_was_committed(db: Database) -> None:
    with db.unit_of_work() as session:
        make_user(session, "Ada Loop")

    async def main() -> tuple[int, int, list[str]]:
        def work(session: Session) -> tuple[int, list[str]]:
            names = session.scalars(select(User.display_name).order_by(User.id)).all()
            return threading.get_ident(), list(names)

        here = threading.get_ident()
        thread, names = await db.read_on_loop(work)
        return here, thread, names

    loop_thread, work_thread, names = in_own_loop(main)
    assert work_thread == loop_thread
    assert names == ["Ada Loop"]


def test_several_reads_at_once_each_get_their_answer(db: Database) -> None:
    with db.unit_of_work() as session:
        for n in range(3):
            make_user(session, f"Person {n}")

    async def main() -> list[Any]:
        def work(n: int) -> Any:
            return lambda session: (n, count_users(session))

        return list(await asyncio.gather(*(db.read_on_loop(work(n)) for n in range(12))))

    assert in_own_loop(main) == [(n, 3) for n in range(12)]


def test_a_write_inside_a_read_changes_nothing(db: Database) -> None:
    with db.unit_of_work() as session:
        make_user(session, "Kept")

    def sneaky(session: Session) -> None:
        make_user(session, "Smuggled")
        session.flush()
        session.execute(text("UPDATE users SET display_name = 'Changed'"))

    async def main() -> None:
        await db.read_on_loop(sneaky)

    if db.is_sqlite:
        in_own_loop(main)  # a read unit of work never commits
    else:
        with pytest.raises(Exception, match="read-only transaction"):
            in_own_loop(main)
    with db.unit_of_work(write=False) as session:
        assert session.scalars(select(User.display_name)).all() == ["Kept"]


def test_an_error_inside_a_read_reaches_the_caller_and_the_next_read_works(db: Database) -> None:
    async def main() -> int:
        def broken(session: Session) -> None:
            session.execute(text("SELECT * FROM no_such_table"))

        with pytest.raises(Exception, match="no_such_table"):
            await db.read_on_loop(broken)
        return await db.read_on_loop(count_users)

    assert in_own_loop(main) == 0


def test_hooks_of_the_read_sessions_apply_to_reads_on_the_loop(db: Database) -> None:
    seen: list[str] = []

    def hook(factory: sessionmaker[Session]) -> None:
        @event.listens_for(factory, "do_orm_execute")
        def _heard(state: Any) -> None:
            seen.append(type(state.statement).__name__)

    db.add_session_hook(hook)  # after the database opened, as the job runtime does
    in_own_loop(lambda: db.read_on_loop(count_users))
    assert seen == ["Select"]


def test_reads_work_from_one_loop_after_another(db: Database) -> None:
    for n in range(3):
        with db.unit_of_work() as session:
            make_user(session, f"Person {n}")
        assert in_own_loop(lambda: db.read_on_loop(count_users)) == n + 1


@pytest.mark.postgres
def test_dispose_closes_the_loops_connections(pg: Database) -> None:
    db = pg
    pid = in_own_loop(
        lambda: db.read_on_loop(lambda s: int(s.scalar(text("SELECT pg_backend_pid()")) or 0))
    )
    read_only = in_own_loop(
        lambda: db.read_on_loop(lambda s: s.scalar(text("SHOW default_transaction_read_only")))
    )
    assert read_only == "on"
    db.dispose()
    with db.unit_of_work(write=False) as session:  # a new pooled connection, not the closed one
        alive = 1
        for _ in range(50):
            alive = int(
                session.scalar(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
                )
                or 0
            )
            if not alive:
                break
            session.rollback()
            time.sleep(0.05)
    assert pid > 0
    assert alive == 0


@pytest.mark.postgres
def test_loop_connections_the_server_closed_are_replaced(pg: Database) -> None:
    """As after a server restart: every pooled connection is dead; each read still answers
    (it runs once more on a fresh connection), and no dead backend is used again."""
    db = pg

    def backend(session: Session) -> int:
        # held for a moment, so that reads at once take different connections
        return int(session.scalar(text("SELECT pg_backend_pid() FROM pg_sleep(0.05)")) or 0)

    async def main() -> tuple[set[int], list[int]]:
        before = set(await asyncio.gather(*(db.read_on_loop(backend) for _ in range(3))))
        with db.unit_of_work(write=False) as session:
            for pid in before:
                session.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        after = list(await asyncio.gather(*(db.read_on_loop(backend) for _ in range(3))))
        return before, after

    before, after = in_own_loop(main)
    assert len(before) == 3
    assert len(after) == 3
    assert all(pid > 0 for pid in after)
    assert not before & set(after)


@pytest.mark.postgres
def test_reads_beyond_the_pool_wait_in_line_first_come_first_served(pg: Database) -> None:
    """24 reads at once: no more than the pool's connections run at a time, they start in the
    order they came, and no connection is opened beyond the pool (each would be a new
    backend)."""
    db = pg
    started: list[int] = []
    running = [0, 0]  # now, most at once

    def work(n: int) -> Callable[[Session], int]:
        def read(session: Session) -> int:
            started.append(n)
            running[0] += 1
            running[1] = max(running)
            try:
                return int(session.scalar(text("SELECT pg_backend_pid() FROM pg_sleep(0.02)")) or 0)
            finally:
                running[0] -= 1

        return read

    async def main() -> list[int]:
        return list(await asyncio.gather(*(db.read_on_loop(work(n)) for n in range(24))))

    pids = in_own_loop(main)
    assert started == list(range(24))
    assert running[1] == LOOP_READ_POOL_SIZE
    assert 0 not in pids
    assert len(set(pids)) <= LOOP_READ_POOL_SIZE


@pytest.mark.postgres
def test_the_snapshot_token_survives_connections_the_server_closed(pg: Database) -> None:
    """`snapshot_token` (what a shared answer costs) reads on the loop reads' pool: after a
    restart it reads once more on a fresh connection instead of failing the request."""
    db = pg

    def backend(session: Session) -> int:
        return int(session.scalar(text("SELECT pg_backend_pid() FROM pg_sleep(0.05)")) or 0)

    async def main() -> tuple[str | None, set[int], str | None]:
        first = await db.snapshot_token()
        pool = LOOP_READ_POOL_SIZE
        pids = set(await asyncio.gather(*(db.read_on_loop(backend) for _ in range(pool))))
        with db.unit_of_work(write=False) as session:
            for pid in pids:
                session.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        return first, pids, await db.snapshot_token()

    first, pids, after = in_own_loop(main)
    assert len(pids) == LOOP_READ_POOL_SIZE  # every pooled connection was ended
    assert first is not None and first.count(":") == 2
    assert after is not None and after.count(":") == 2
