"""Emptying a test database between tests, quickly.

A test writes to a handful of the schema's tables, so only those are emptied: one statement
finds the tables that hold rows, they are emptied children first (on PostgreSQL a table of
`MANY` rows or more is truncated instead), and on PostgreSQL every
sequence drawn from starts again at 1 (as `TRUNCATE ... RESTART IDENTITY` did). A `TRUNCATE` of
all 68 tables took 0.35–0.6 s on PostgreSQL, paid before each of some 1,700 tests; emptying
the few tables a test used takes a few milliseconds.
"""

from __future__ import annotations

import warnings
from functools import cache

from sqlalchemy import Connection, Table
from sqlalchemy.exc import OperationalError

from commonpot.db import Database
from commonpot.models import load_all

LOCK_WAIT_MS = 20_000  # how long emptying waits for a lock before ending what holds it
# PostgreSQL: a table with this many rows or more is truncated, not deleted from (deleting
# row by row checks each row's references: 170-210 s after a test that wrote thousands)
MANY = 1000


@cache
def _tables() -> tuple[Table, ...]:
    """Every table, children before the tables they refer to."""
    return tuple(reversed(load_all().metadata.sorted_tables))


def _quoted(table: Table) -> str:
    return '"' + table.name.replace('"', '""') + '"'


def _holding_rows(conn: Connection) -> dict[Table, int]:
    """The tables that hold rows, with how many (counted up to `MANY`)."""
    tables = _tables()
    probe = " UNION ALL ".join(
        f"SELECT {i}, (SELECT count(*) FROM (SELECT 1 FROM {_quoted(t)} LIMIT {MANY}) AS r) "
        f"WHERE EXISTS (SELECT 1 FROM {_quoted(t)})"
        for i, t in enumerate(tables)
    )
    counted = {int(i): int(n) for i, n in conn.exec_driver_sql(probe)}
    return {t: counted[i] for i, t in enumerate(tables) if i in counted}


def _has_sqlite_sequence(conn: Connection) -> bool:
    found = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")
    return found.first() is not None


def empty_all_tables(database: Database) -> None:
    """Empty every table that holds rows; ids start at 1 again.

    On PostgreSQL a session an earlier test left open in a transaction would hold the next
    test's emptying up (a 172 s wait was seen once in the full suite): the emptying waits at
    most 20 s for a lock, then names the sessions in its way in a warning, ends them, and
    empties again."""
    try:
        _empty(database)
    except OperationalError as error:
        if database.is_sqlite or "lock timeout" not in str(error):
            raise
        warnings.warn(f"emptying the test database waited on {_blockers(database)}", stacklevel=2)
        _empty(database)


def _empty(database: Database) -> None:
    with database.write_engine.begin() as conn:
        if not database.is_sqlite:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'")
        used = _holding_rows(conn)
        many = [t for t, rows in used.items() if rows >= MANY and not database.is_sqlite]
        if many:  # with every table that refers to them
            conn.exec_driver_sql(f"TRUNCATE {', '.join(map(_quoted, many))} CASCADE")
        for table in used:
            if table not in many:
                conn.execute(table.delete())
        if database.is_sqlite:
            if used and _has_sqlite_sequence(conn):
                conn.exec_driver_sql("DELETE FROM sqlite_sequence")
            return
        # every sequence a test drew from (rows rolled back or deleted drew numbers too)
        conn.exec_driver_sql(
            "SELECT setval(format('%%I.%%I', schemaname, sequencename)::regclass, 1, false) "
            "FROM pg_sequences WHERE last_value IS NOT NULL"
        )


def _blockers(database: Database) -> list[str]:
    """The other sessions on this database still in a transaction, ended (after a test they
    can only be leftovers)."""
    with database.write_engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT pid, state, application_name, left(query, 120), "
            "pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND xact_start IS NOT NULL"
        ).all()
    return [f"pid {pid} ({state}, {app!r}): {query}" for pid, state, app, query, _ in rows]
