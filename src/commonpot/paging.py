"""Long lists on pages, a page at a time: the page number a URL asks for, the page read
with its total (`read_page`, counted only when the page cannot say it), the pages' addresses,
and the pager under a list (`templates/partials/pager.html`: which rows of how many, newer
and older).

A city's sharing network or allocation run has thousands of rows; a page shows a hundred
(each list's own `SHOWN`) and links to the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import Select, func
from sqlalchemy.orm import Session

from commonpot.errors import Invalid
from commonpot.parsing import is_digits

MAX_PAGE = 100_000  # no list holds this many pages


def page_number(value: str, field: str) -> int:
    """A list's page number from the address: a whole number from 1 ("" is the first page);
    anything else is refused naming `field`."""
    if value == "":
        return 1
    if not is_digits(value) or not 1 <= int(value) <= MAX_PAGE:
        raise Invalid(
            "%(where)s: must be a whole number from 1 to %(most)s",
            field=field,
            where=field,
            most=MAX_PAGE,
        )
    return int(value)


class Page(NamedTuple):
    """One page of a list: its rows, in the list's order, and how many rows the list has."""

    rows: list[Any]
    total: int


def read_page(
    session: Session,
    query: Select[*tuple[Any, ...]],
    offset: int,
    limit: int,
    *,
    scalars: bool = False,
) -> Page:
    """The rows of `query` (ordered) from `offset`, at most `limit` (entities with
    `scalars`), and the list's total: counted (`query` without its order) only when the
    page cannot say it (`total_of`)."""
    offset, limit = max(offset, 0), max(limit, 0)
    window = query.offset(offset).limit(limit)
    rows = list(session.scalars(window) if scalars else session.execute(window).all())
    counted = query.with_only_columns(func.count()).order_by(None)
    return Page(rows, total_of(len(rows), offset, limit, lambda: int(session.scalar(counted) or 0)))


def total_of(shown: int, offset: int, limit: int, count: Callable[[], int]) -> int:
    """How many rows a list has, given a page of `shown` rows read from `offset` with
    `limit`: a page that is not full ends the list (no count needed); a full one, or one
    past the end, asks `count()` (the database's COUNT)."""
    if 0 < shown < limit or (offset == 0 and shown == 0):
        return offset + shown
    return count()


def address(path: str, **query: str | int | None) -> str:
    """`path` with the query parameters that are not at their default (None, "", page 1):
    the first page of a list, unnarrowed, is the bare path."""
    kept = {name: value for name, value in query.items() if value not in (None, "", 1)}
    return f"{path}?{urlencode(kept)}" if kept else path


def numbered(path: str, name: str = "page") -> Callable[[int], str]:
    """The address of each page of a list at `path` (`?page=2`; the first is the bare
    path), for `pager`."""

    def url(page: int) -> str:
        return address(path, **{name: page})

    return url


def pager(
    shown: int, total: int, page: int, size: int, url: Callable[[int], str]
) -> dict[str, Any]:
    """What the template says under a list showing `shown` rows of page `page` (pages of
    `size`): which rows of how many, and the addresses (`url(page)`) of the newer and the
    older ones (None where there are none)."""
    first = (page - 1) * size + 1
    return {
        "first": first if shown else 0,
        "last": first + shown - 1 if shown else 0,
        "total": total,
        "newer": url(page - 1) if page > 1 else None,
        "older": url(page + 1) if page * size < total else None,
    }


API_MOST = 1000  # rows one page of an API list may ask for


class Window(NamedTuple):
    """Which rows of an API list to return: from `offset`, at most `limit` (None: every
    row, as the list has always answered; clients opt in to pages)."""

    offset: int = 0
    limit: int | None = None

    def of(self, query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
        """`query` (ordered) narrowed to the window."""
        if self.limit is None and not self.offset:
            return query
        return query.offset(self.offset).limit(self.limit)

    def links(self, url: str, shown: int) -> str | None:
        """The RFC 8288 `Link` header value of a page of `shown` rows read from `url`: the
        next page's address when this one is full (`rel="next"`), the previous one's when
        this is not the first (`rel="prev"`); None for the whole list."""
        if self.limit is None:
            return None
        found = []
        if shown >= self.limit:
            found.append(f'<{_with_offset(url, self.offset + self.limit)}>; rel="next"')
        if self.offset:
            found.append(f'<{_with_offset(url, max(self.offset - self.limit, 0))}>; rel="prev"')
        return ", ".join(found) or None


EVERY_ROW = Window()


def _with_offset(url: str, offset: int) -> str:
    """`url` with its `offset` query parameter set to `offset` (the others kept, in order)."""
    path, _, query = url.partition("?")
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "offset"]
    return f"{path}?{urlencode([*kept, ('offset', str(offset))])}"
