"""Shared constrained integers for path and query parameters.

Row ids, offsets and limits are 64-bit signed integers on every database; a larger number
cannot name anything, and binding it makes the driver fail (`OverflowError`). Routes declare
their integers with these aliases so that such numbers are refused up front with a 422
problem instead of reaching the database.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Path, Query
from pydantic import AfterValidator

MAX_ID = 2**63 - 1

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="A row id (1 to 2^63-1).")]
"""A row id in the path."""

QueryId = Annotated[int, Query(ge=1, le=MAX_ID)]
"""A row id in the query string."""

Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
"""How many rows to skip."""


def within(value: int | None) -> bool:
    """True when the number can be a row id (larger ones cannot exist, on any database)."""
    return value is not None and 1 <= value <= MAX_ID


def is_web_url(value: str) -> bool:
    """True for an absolute http(s) address with a host and no spaces or control characters."""
    text = value.strip()
    if not text or len(text) > 2000 or any(c.isspace() or ord(c) < 32 for c in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)


def check_web_url(value: str) -> str:
    """The address, or ValueError unless it is http(s) (never javascript:, data:, file: ...)."""
    if not is_web_url(value):
        raise ValueError("must be a web address starting with http:// or https://")
    return value.strip()


WebUrl = Annotated[str, AfterValidator(check_web_url)]
"""A link people follow or the server fetches: http or https only."""
