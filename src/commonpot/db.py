"""Database plumbing: declarative base, engine factory (SQLite WAL or PostgreSQL), units of work."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

T = TypeVar("T")

# PostgreSQL gives up one transaction of a deadlock (40P01) or a serialisation conflict
# (40001); running the whole transaction again is then the documented remedy
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
RETRY_ATTEMPTS = 4
# PostgreSQL connections per process; 4 workers stay well inside max_connections = 100
POOL_SIZE = 10
POOL_OVERFLOW = 10
POOL_TIMEOUT_S = 60
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
                pool_pre_ping=True,
                pool_size=POOL_SIZE,
                max_overflow=POOL_OVERFLOW,
                pool_timeout=POOL_TIMEOUT_S,
            )
            self.write_engine = self.engine
        self._read = sessionmaker(self.engine, expire_on_commit=False)
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
        session = self.session(write=write)
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

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self.write_engine is not self.engine:
            self.write_engine.dispose()
