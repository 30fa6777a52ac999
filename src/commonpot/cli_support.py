"""Helpers shared by every domain's commands: the database from settings, one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from commonpot.db import Database
from commonpot.settings import get_settings


def database() -> Database:
    """The configured database (COMMONPOT_DATABASE_URL)."""
    return Database(get_settings().database_url)


@contextmanager
def transaction() -> Iterator[Session]:
    """One command, one transaction: committed at the end, rolled back on error."""
    db = database()
    try:
        with db.unit_of_work(write=True) as session:
            yield session
    finally:
        db.dispose()
