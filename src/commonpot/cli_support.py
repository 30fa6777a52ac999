"""Helpers shared by every domain's commands: the database from settings, one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # imported where used: commands without a database never load SQLAlchemy
    from sqlalchemy.orm import Session

    from commonpot.db import Database

T = TypeVar("T")


def _not_wired(url: str) -> Database:
    raise RuntimeError(
        "Commands open their database through the command line's composition root "
        "(commonpot.cli.main wires every domain); none was handed in."
    )


# the composition root (cli_app.run) hands in an opener that wires every domain and jobs;
# a bare Database would silently skip the ledger hook and the action registry
_opener: Callable[[str], Database] = _not_wired


def use_opener(opener: Callable[[str], Database]) -> None:
    """Open command databases with `opener` (wired sessions, job dispatch)."""
    global _opener  # noqa: PLW0603 (set once by the composition root)
    _opener = opener


def database() -> Database:
    """The configured database (COMMONPOT_DATABASE_URL)."""
    from commonpot.settings import get_settings

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


def in_transaction(work: Callable[[Session], T]) -> T:
    """Run `work` in one transaction, all of it again after a deadlock (PostgreSQL 40P01/40001).

    `work` must be safe to run again: it gets a fresh session each time, and everything it
    wrote before the failure was rolled back. Prefer it to `transaction()` for commands
    that write where concurrent requests also write (votes, ledger entries).
    """

    from commonpot.db import run_with_retries

    def once() -> T:
        with transaction() as session:
            return work(session)

    return run_with_retries(once)
