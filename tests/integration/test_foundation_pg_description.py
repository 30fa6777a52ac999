"""`commonpot.pg_description`: PostgreSQL result descriptions made once per shape of result.

Against the real server: a kept description says exactly what psycopg's own says (name, type
and every other item of each column), results of another shape (the same names with other
types, more columns) get their own, statements without a result still have none, each
connection keeps at most `PER_CONNECTION` shapes, and the app's engines (the request one and
the event loop's reads) use these cursors and read the right rows through them.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import make_url, select, text
from sqlalchemy.orm import Session

from commonpot import pg_description
from commonpot.accounts.models import User
from commonpot.db import Database
from tests.factories.accounts import make_user
from tests.factories.loops import in_own_loop

pytestmark = pytest.mark.postgres

WIDE = ", ".join(
    f"{i}::int AS c{i}" if i % 3 else f"'x{i}'::varchar(12) AS c{i}" for i in range(42)
)


def dsn(pg: Database) -> str:
    url = make_url(pg.url)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def described(cursor: Any) -> list[tuple[Any, ...]]:
    return [tuple(column) for column in columns(cursor)]


def columns(cursor: Any) -> list[psycopg.Column]:
    found = cursor.description
    assert found is not None
    return list(found)


def test_a_kept_description_says_what_psycopgs_own_says(pg: Database) -> None:
    with (
        psycopg.connect(dsn(pg), cursor_factory=pg_description.DescribedCursor) as kept,
        psycopg.connect(dsn(pg)) as plain,
    ):
        ours, theirs = kept.cursor(), plain.cursor()
        for cursor in (ours, theirs):
            cursor.execute(f"SELECT {WIDE}")
        first = columns(ours)
        assert described(ours) == described(theirs)
        assert [c.name for c in first][:3] == ["c0", "c1", "c2"]
        assert first[0].display_size == 12  # varchar(12): the modifier is part of the shape
        again = kept.cursor()
        again.execute(f"SELECT {WIDE}")
        assert columns(again)[5] is first[5]  # made once, given again
        assert again.fetchone() == theirs.fetchone()
        # the same names with other types: another shape, its own description
        again.execute("SELECT 'a'::text AS c0, 2.5::float8 AS c1")
        theirs.execute("SELECT 'a'::text AS c0, 2.5::float8 AS c1")
        assert described(again) == described(theirs)
        assert columns(again)[1].type_code != first[1].type_code
        # no result: no description, as psycopg says
        again.execute("CREATE TEMPORARY TABLE t (a int)")
        again.execute("INSERT INTO t VALUES (1)")
        assert again.description is None


def test_each_connection_keeps_a_bounded_number_of_shapes(pg: Database) -> None:
    with psycopg.connect(dsn(pg), cursor_factory=pg_description.DescribedCursor) as kept:
        cursor = kept.cursor()
        for width in range(1, pg_description.PER_CONNECTION + 20):
            cursor.execute("SELECT " + ", ".join(f"{i} AS n{i}" for i in range(width % 40 + 1)))
            cursor.execute(f"SELECT {width}::int AS w{width}")
            assert columns(cursor)[0].name == f"w{width}"
            assert cursor.fetchone() == (width,)
        assert 0 < len(pg_description._KEPT[kept]) <= pg_description.PER_CONNECTION


def test_the_apps_engines_read_through_these_cursors(pg: Database) -> None:
    with pg.unit_of_work() as session:
        ada = make_user(session, "Ada Describe").id
        grace = make_user(session, "Grace Describe").id
    with pg.unit_of_work(write=False) as session:
        cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        assert isinstance(cursor, pg_description.DescribedCursor)
        for _ in range(3):
            row = session.execute(select(User).where(User.id == grace)).scalar_one()
            assert row.display_name == "Grace Describe"

    async def main() -> list[tuple[str, Any]]:
        def work(session: Session) -> list[tuple[str, Any]]:
            kind = type(session.connection().connection.dbapi_connection.driver_connection.cursor())  # type: ignore[union-attr]
            assert kind is pg_description.AsyncDescribedCursor
            names = [
                session.execute(select(User.display_name).where(User.id == who)).scalar_one()
                for who in (ada, grace, ada)
            ]
            wide = session.execute(text(f"SELECT {WIDE}")).one()
            return [(name, None) for name in names] + [("wide", (wide.c0, wide.c41))]

        return await pg.read_on_loop(work)

    assert in_own_loop(main) == [
        ("Ada Describe", None),
        ("Grace Describe", None),
        ("Ada Describe", None),
        ("wide", ("x0", 41)),
    ]
