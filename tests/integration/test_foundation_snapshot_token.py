"""`Database.snapshot_token` on SQLite: it moves with every commit, and only then."""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import text

from commonpot.db import Database


def _token(db: Database) -> str | None:
    """The token, asked on a loop of its own thread (a browser test before may have left
    this thread's loop marked running)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, db.snapshot_token()).result()


def test_the_token_moves_with_each_commit_and_survives_a_lost_connection(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'token.db'}")
    try:
        with db.write_engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        first = _token(db)
        assert first is not None
        assert _token(db) == first  # nothing committed: the same
        with db.write_engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
        second = _token(db)
        assert second not in (None, first)
        other = sqlite3.connect(tmp_path / "token.db")  # another program's commit
        other.execute("INSERT INTO t VALUES (2)")
        other.commit()
        other.close()
        assert _token(db) not in (None, second)
        assert db._watch is not None
        db._watch.close()  # the watching connection is lost: it is opened again
        assert _token(db) is not None
    finally:
        db.dispose()


def test_an_in_memory_database_has_no_token() -> None:
    db = Database("sqlite:///:memory:")
    try:
        assert _token(db) is None
    finally:
        db.dispose()
