"""Shared constrained integers for path and query parameters.

Row ids are 32-bit INTEGER columns on PostgreSQL (64-bit on SQLite); a larger number cannot
name anything, and binding it makes the driver or the database fail. Routes declare
their integers with these aliases so that such numbers are refused up front with a 422
problem instead of reaching the database.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query

from commonpot.paging import API_MOST, Window

MAX_ID = 2**31 - 1  # ids are 32-bit INTEGER columns on PostgreSQL (SERIAL)

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="A row id (1 to 2^31-1).")]
"""A row id in the path."""

QueryId = Annotated[int, Query(ge=1, le=MAX_ID)]
"""A row id in the query string."""

Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
"""How many rows to skip."""


def within(value: int | None) -> bool:
    """True when the number can be a row id (larger ones cannot exist, on any database)."""
    return value is not None and 1 <= value <= MAX_ID


Limit = Annotated[
    int | None,
    Query(
        ge=1,
        le=API_MOST,
        description="At most this many rows, from `offset`; the response's `Link` header "
        'names the next page (`rel="next"`) while there may be more. Without it: every row.',
    ),
]
"""How many rows an API list returns at most (opt-in: every row without it)."""


async def _window(limit: Limit = None, offset: Offset = 0) -> Window:
    # async: FastAPI runs it on the event loop, not through a worker thread
    return Window(offset, limit)


Paged = Annotated[Window, Depends(_window)]
"""An API list's `limit` and `offset`, as the rows to return (`paging.Window`)."""
