"""Helpers shared by every domain's commands: the database from settings, one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from commonpot.db import Database
from commonpot.settings import get_settings

# the composition root (cli.main) hands in an opener that wires every domain's hooks
_opener: Callable[[str], Database] = Database


def use_opener(opener: Callable[[str], Database]) -> None:
    """Open command databases with `opener` (wired sessions, job dispatch)."""
    global _opener  # noqa: PLW0603 (set once by the composition root)
    _opener = opener


def database() -> Database:
    """The configured database (COMMONPOT_DATABASE_URL)."""
    return _opener(get_settings().database_url)


@contextmanager
def transaction() -> Iterator[Session]:
    """One command, one transaction: committed at the end, rolled back on error."""
    db = database()
    try:
        with db.unit_of_work(write=True) as session:
            yield session
    finally:
        db.dispose()
