"""PostgreSQL result descriptions made once per shape of result, not once per statement.

SQLAlchemy reads `cursor.description` after every statement, and psycopg builds it anew
each time: one `Column` per column, each decoding its name and looking its type up
(~34 us for a 42-column row, as a recipe or a signed-in request's first statement returns:
more than the rest of reading that row). A `Column` is a value: what it says follows from
the result's field name, type, type modifier and size, and from the connection's encoding
and type registry. So the cursors here key each description by those four of every field
(~6 us to read) and give the same `Column`s again, kept per connection (whose encoding and
registry they were made with), at most `PER_CONNECTION` shapes each.

Wired by `db.Database` as psycopg's `cursor_factory` (the way SQLAlchemy documents for
choosing psycopg's cursor class), for the request engine and the event loop's reads.
Anything else (no result yet, a result without fields, a COPY) is psycopg's own answer.
"""

from __future__ import annotations

import weakref
from typing import Any

from psycopg import AsyncCursor, Column, Cursor

PER_CONNECTION = 256

# connection -> {fields' (name, type, modifier, size)...: its Columns}
_KEPT: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], list[Column]]] = (
    weakref.WeakKeyDictionary()
)


def _shape(
    cursor: Cursor[Any] | AsyncCursor[Any],
) -> tuple[dict[tuple[Any, ...], list[Column]], tuple[Any, ...]]:
    """The kept descriptions of the cursor's connection, and the key of its current
    result's shape (which has fields)."""
    res = cursor.pgresult
    assert res is not None
    name, kind, modifier, size = res.fname, res.ftype, res.fmod, res.fsize
    key = tuple([(name(i), kind(i), modifier(i), size(i)) for i in range(res.nfields)])
    kept = _KEPT.get(cursor.connection)
    if kept is None:
        kept = _KEPT.setdefault(cursor.connection, {})
    return kept, key


def _keep(kept: dict[tuple[Any, ...], list[Column]], key: tuple[Any, ...], columns: Any) -> None:
    if len(kept) >= PER_CONNECTION:
        kept.clear()
    kept[key] = list(columns)


class _KeptDescriptions:
    """`description`, from the connection's kept ones (psycopg's own, made once per shape)."""

    @property
    def description(self) -> list[Column] | None:
        cursor: Any = self
        res = cursor.pgresult
        if res is None or not res.nfields:
            made: list[Column] | None = super().description  # type: ignore[misc]
            return made
        kept, key = _shape(cursor)
        columns = kept.get(key)
        if columns is None:
            made = super().description  # type: ignore[misc]
            if made is None:
                return None
            _keep(kept, key, made)
            return made
        return list(columns)


class DescribedCursor(_KeptDescriptions, Cursor[Any]):
    """psycopg's cursor, with descriptions kept per shape (this module)."""


class AsyncDescribedCursor(_KeptDescriptions, AsyncCursor[Any]):
    """psycopg's asynchronous cursor, with descriptions kept per shape (this module)."""
