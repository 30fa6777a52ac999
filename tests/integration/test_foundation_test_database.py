"""The suite's own database emptying: every table empty, ids from 1, never held up."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from commonpot.communities.models import Community
from commonpot.db import Database
from commonpot.wiring import open_database
from tests.factories import database
from tests.factories.accounts import make_world
from tests.factories.database import empty_all_tables


def _rows(db: Database) -> dict[str, int]:
    with db.write_engine.connect() as conn:
        counts = {
            t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0)
            for t in database._tables()
        }
    return {name: n for name, n in counts.items() if n}


@pytest.mark.parametrize("many", [database.MANY, 3])
def test_emptying_leaves_no_row_and_ids_start_again(
    db: Database, many: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tables of `many` rows or more are truncated on PostgreSQL (the world's users are), the
    others deleted from."""
    monkeypatch.setattr(database, "MANY", many)
    make_world(db)
    assert _rows(db)  # the world wrote rows
    empty_all_tables(db)
    assert _rows(db) == {}
    make_world(db)
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.min(Community.id))) == 1


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_transaction_left_open_does_not_hold_the_emptying_up(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_world(db)
    monkeypatch.setattr(database, "LOCK_WAIT_MS", 300)
    other = open_database(str(db.write_engine.url.render_as_string(hide_password=False)))
    leftover = other.write_engine.connect()
    leftover.begin()
    leftover.execute(text("SELECT id FROM communities FOR UPDATE")).all()  # row locks held
    try:
        with pytest.warns(UserWarning, match="FOR UPDATE"):
            empty_all_tables(db)
        assert _rows(db) == {}
    finally:
        leftover.invalidate()
        other.dispose()
