"""Database plumbing: declarative base, engine factory (SQLite WAL or PostgreSQL), units of work."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

T = TypeVar("T")

# PostgreSQL gives up one transaction of a deadlock (40P01) or a serialisation conflict
# (40001); running the whole transaction again is then the documented remedy
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
RETRY_ATTEMPTS = 4
# `Session.info` key, True in the sessions of read units of work (nothing they do is kept):
# what such a session read once may be remembered for the rest of it
READ_ONLY = "commonpot.read_only"
# PostgreSQL connections per process; 4 workers stay well inside max_connections = 100
POOL_SIZE = 10
POOL_OVERFLOW = 10
POOL_TIMEOUT_S = 60
# PostgreSQL connections for reads on the event loop (`Database.read_on_loop`), besides those,
# and how many such reads run at once (the others wait their turn, first come first served):
# 4 workers hold at most 4 x (10 + 10 + 4) = 96 < max_connections = 100
LOOP_READ_POOL_SIZE = 4
SQLITE_POOL = 15


def is_retryable(exc: BaseException) -> bool:
    """True for a database error that running the whole transaction again may cure."""
    if not isinstance(exc, DBAPIError):
        return False
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return state in RETRYABLE_SQLSTATES


def retry_delay(attempt: int) -> float:
    """Seconds to wait before attempt number `attempt` (1-based retries): jittered backoff."""
    return float(random.uniform(0.01, 0.05) * (2**attempt))


def run_with_retries(work: Callable[[], T], attempts: int = RETRY_ATTEMPTS) -> T:
    """Call `work` (one whole transaction), again after a deadlock or serialisation failure."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as exc:
            if attempt == attempts or not is_retryable(exc):
                raise
            time.sleep(retry_delay(attempt))
    raise AssertionError("unreachable")  # pragma: no cover


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both SQLite (which drops zones) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base for every table; constraint names are stable for migrations."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012 (SQLAlchemy reads it)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def _sqlite_pragmas(engine: Engine, *, immediate: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # let SQLAlchemy emit BEGIN itself so writes can take the lock up front
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    if immediate:

        @event.listens_for(engine, "begin")
        def _on_begin_write(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # may wait for the lock: SQLAlchemy's errors

    else:

        @event.listens_for(engine, "begin")
        def _on_begin_read(conn: Any) -> None:
            # a deferred BEGIN takes no lock and cannot fail on one: straight to the driver,
            # without SQLAlchemy's statement machinery (a read request's first statement)
            conn.connection.dbapi_connection.execute("BEGIN")


@contextmanager
def _unit(session: Session, *, write: bool) -> Iterator[Session]:
    """`session`'s unit of work: commit when the block ends (`write`), roll everything back
    on error, close in any case."""
    try:
        yield session
        if write:
            session.commit()
    except BaseException:
        # detach first so error pages can still show what was loaded (rollback expires)
        session.expunge_all()
        session.rollback()
        raise
    finally:
        session.close()  # ends a read-only transaction without expiring loaded objects


def _pg_cursor(url: str, *, asynchronous: bool) -> dict[str, Any]:
    """psycopg's cursor class with descriptions kept per shape (`pg_description`), for a
    URL that psycopg serves; nothing for another driver."""
    if make_url(url).get_driver_name() != "psycopg":
        return {}
    from commonpot import pg_description  # psycopg itself: only where it is used

    if asynchronous:
        return {"cursor_factory": pg_description.AsyncDescribedCursor}
    return {"cursor_factory": pg_description.DescribedCursor}


class Database:
    """The two doors into one database: readers, and writers that take the write lock first.

    On SQLite, a write transaction starts with BEGIN IMMEDIATE so that concurrent writers
    queue instead of failing half-way; on PostgreSQL both doors are the same engine and
    services lock rows with SELECT ... FOR UPDATE.
    """

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        session_hooks: Sequence[Callable[[sessionmaker[Session]], None]] = (),
    ) -> None:
        """Engines and session factories for `url`; each hook registers its session events."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            # every connection is kept (SQLAlchemy's default keeps 5 and closes the 10 more
            # it opens on demand, so a busy server opened a file and ran its pragmas for
            # about one request in five)
            options: dict[str, Any] = {
                "connect_args": {"check_same_thread": False, "timeout": 15},
                "pool_size": SQLITE_POOL,
                "max_overflow": 0,
            }
            if url.startswith("sqlite:///:memory:") or url in ("sqlite://", "sqlite:///"):
                options = {"connect_args": options["connect_args"]}  # one shared connection
            self.engine = create_engine(url, echo=echo, **options)
            self.write_engine = create_engine(url, echo=echo, **options)
            _sqlite_pragmas(self.engine, immediate=False)
            _sqlite_pragmas(self.write_engine, immediate=True)
        else:
            self.engine = create_engine(
                url,
                echo=echo,
                connect_args=_pg_cursor(url, asynchronous=False),
                pool_pre_ping=True,
                pool_size=POOL_SIZE,
                max_overflow=POOL_OVERFLOW,
                pool_timeout=POOL_TIMEOUT_S,
            )
            self.write_engine = self.engine
        self._echo = echo
        self._loop_engine: AsyncEngine | None = None
        self._loop_read: async_sessionmaker[AsyncSession] | None = None
        self._loop_lock = threading.Lock()
        self._loop_lines: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}
        self._watch_lock = threading.Lock()
        self._watch: sqlite3.Connection | None = None  # SQLite: sees others' commits
        self._read = sessionmaker(self.engine, expire_on_commit=False, info={READ_ONLY: True})
        self._write = sessionmaker(self.write_engine, expire_on_commit=False)
        for hook in session_hooks:
            hook(self._read)
            hook(self._write)

    @property
    def connections(self) -> int:
        """How many connections this process may hold at once (requests beyond wait for one)."""
        if self.is_sqlite:
            return SQLITE_POOL  # all kept open once opened
        return POOL_SIZE + POOL_OVERFLOW

    def add_session_hook(self, hook: Callable[[sessionmaker[Session]], None]) -> None:
        """Register one more hook's session events on both session factories."""
        hook(self._read)
        hook(self._write)

    def session(self, *, write: bool = False) -> Session:
        """A new session; the caller commits or rolls back."""
        return (self._write if write else self._read)()

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction: commit when the block ends, roll everything back on error."""
        with _unit(self.session(write=write), write=write) as session:
            yield session

    async def read_on_loop(self, work: Callable[[Session], T]) -> T:
        """`work(session)` in a read-only unit of work, without leaving the event loop.

        For the busiest reads (`communities.scope.in_one_hop`): a worker thread's hop there
        and back, and the GIL hand-overs between it and the loop under load, cost more CPU
        than the read itself.

        - SQLite: `work` runs as it is, in a read unit of work: the embedded database answers
          from the local file in microseconds, and in WAL mode a reader never waits for a
          writer.
        - PostgreSQL: `work` gets a plain `Session` (with every hook of the read sessions)
          over psycopg's asynchronous connection. SQLAlchemy runs `work` in a greenlet, and
          each statement waits for the server on the loop, so other requests go on meanwhile.
          These connections are read-only (a write is an error, where a read unit of work's
          write used to be rolled back unseen) and in autocommit: at READ COMMITTED,
          PostgreSQL takes a new snapshot for each statement inside a transaction too, so a
          read sees the same and saves the BEGIN and ROLLBACK round trips.

        At most `LOOP_READ_POOL_SIZE` of these reads run at once; the others wait in a line,
        first come first served, before they take a connection. Left to SQLAlchemy's pool,
        waiting reads overtook each other (a woken waiter whose connection was taken first goes
        to the back of asyncio's queue), and connections beyond the pool were opened and closed
        for each read: at 32 connections, one statement a request had p99 577-810 ms; with
        the line, 28-30 ms and more requests a second (1,301-1,338 against 1,156-1,213).

        `work` must not block on anything else: it runs on the loop.
        """
        if self.is_sqlite:
            with self.unit_of_work(write=False) as session:
                return work(session)

        def run(session: Session) -> T:
            with _unit(session, write=False):
                return work(session)

        return await self._in_line(lambda: self._loop_sessions()().run_sync(run))

    async def snapshot_token(self) -> str | None:
        """A token that stays the same for as long as no change is committed: two equal
        tokens mean every row a reader sees is as it was (`commonpot.shared_answers` keeps
        answers on it). What a kept answer costs, so no ORM session:

        - PostgreSQL: the current snapshot (`pg_current_snapshot()`, PostgreSQL 13 or
          newer) as text, read on the event loop like `read_on_loop` (and in its line). A
          transaction that ends (commits or rolls back) changes it, for good.
        - SQLite: `PRAGMA data_version` of a connection of the database's own that never
          writes: it changes whenever any other connection, in this process or another (a
          command, a job worker), commits to the file (and at a WAL checkpoint: a needless
          but harmless change). None for an in-memory database (no other connection sees it).
        """
        if self.is_sqlite:
            return self._data_version()
        return await self._in_line(self._snapshot)

    def _data_version(self) -> str | None:
        path = self.engine.url.database
        if not path or path == ":memory:" or "mode=memory" in self.url:
            return None
        with self._watch_lock:
            for _ in range(2):  # a connection that failed is opened again, once
                try:
                    if self._watch is None:
                        self._watch = sqlite3.connect(
                            path, isolation_level=None, check_same_thread=False
                        )
                    found = self._watch.execute("PRAGMA data_version").fetchone()
                    return f"sqlite:{found[0]}"
                except sqlite3.Error:
                    if self._watch is not None:
                        self._watch.close()
                    self._watch = None
        return None  # unknown: nothing is kept or given again, every request reads

    async def _in_line(self, read: Callable[[], Awaitable[T]]) -> T:
        """`read()` in the running loop's line, and once more if the server had ended its
        connection (a restart): SQLAlchemy then dropped it, and every connection pooled before
        it, so the second try runs on a fresh one. Cheaper than the pool's pre-ping, a round
        trip on every checkout (~10 % of the CPU of a recipe read); a read may run twice, a
        write never comes here."""
        async with self._loop_line():
            try:
                return await read()
            except DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
            return await read()

    async def _snapshot(self) -> str:
        self._loop_sessions()  # makes the engine on first use
        engine = self._loop_engine
        assert engine is not None
        async with engine.connect() as connection:
            found = await connection.exec_driver_sql("SELECT pg_current_snapshot()::text")
            return str(found.scalar_one())

    def _loop_line(self) -> asyncio.Semaphore:
        """The running loop's line for `read_on_loop` (asyncio's semaphore wakes its waiters
        in order; it belongs to one loop, and tests may run one loop after another)."""
        loop = asyncio.get_running_loop()
        with self._loop_lock:
            line = self._loop_lines.get(loop)
            if line is None:
                # a line holds on to its loop: forget those of loops that have ended
                for ended in [old for old in self._loop_lines if old.is_closed()]:
                    del self._loop_lines[ended]
                line = self._loop_lines[loop] = asyncio.Semaphore(LOOP_READ_POOL_SIZE)
            return line

    def _loop_sessions(self) -> async_sessionmaker[AsyncSession]:
        """The sessions of `read_on_loop` (their engine is made on first use, so a forked
        server worker makes its own). psycopg's asynchronous connections wait on whichever
        loop runs them: a server has one loop; tests may run one after another."""
        with self._loop_lock:
            if self._loop_read is None:
                self._loop_engine = create_async_engine(
                    self.url,
                    echo=self._echo,
                    pool_size=LOOP_READ_POOL_SIZE,
                    max_overflow=0,  # never needed: no more reads than that run at once
                    pool_timeout=POOL_TIMEOUT_S,
                    isolation_level="AUTOCOMMIT",
                    connect_args={
                        "options": "-c default_transaction_read_only=on",
                        **_pg_cursor(self.url, asynchronous=True),
                    },
                )
                # the read sessions' own class: the hooks registered on them apply here too
                self._loop_read = async_sessionmaker(
                    self._loop_engine,
                    sync_session_class=self._read.class_,
                    expire_on_commit=False,
                    info={READ_ONLY: True},
                )
            return self._loop_read

    def dispose(self) -> None:
        """Close every pooled connection."""
        with self._watch_lock:
            watch, self._watch = self._watch, None
        if watch is not None:
            watch.close()
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()
        with self._loop_lock:
            engine, self._loop_engine, self._loop_read = self._loop_engine, None, None
        if engine is not None:
            # closing a psycopg connection waits for nothing, so any loop will do: a fresh one
            # in a helper thread, as this may be called from a running loop
            closer = threading.Thread(target=asyncio.run, args=(engine.dispose(),))
            closer.start()
            closer.join()
