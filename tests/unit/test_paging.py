"""Long lists a page at a time (`commonpot.paging`): the page asked for, the total counted only
when a page cannot say it, and what the pager under a list links to."""

from __future__ import annotations

import pytest

from commonpot.errors import Invalid
from commonpot.paging import EVERY_ROW, MAX_PAGE, Window, page_number, pager, total_of


def test_a_page_number_is_a_whole_number_from_one() -> None:
    assert page_number("", "page") == 1
    assert page_number("1", "page") == 1
    assert page_number("42", "offers_page") == 42
    assert page_number(str(MAX_PAGE), "page") == MAX_PAGE
    for bad in ("0", "-1", "1.5", "1e3", " 2", "two", "٣", str(MAX_PAGE + 1), "9" * 40):
        with pytest.raises(Invalid) as refused:
            page_number(bad, "needs_page")
        assert refused.value.field == "needs_page", bad


def test_the_total_is_counted_only_when_the_page_cannot_say() -> None:
    asked: list[int] = []

    def count() -> int:
        asked.append(1)
        return 250

    assert total_of(30, 200, 100, count) == 230 and asked == []  # a last page ends the list
    assert total_of(0, 0, 100, count) == 0 and asked == []  # nothing at all
    assert total_of(7, 0, 100, count) == 7 and asked == []
    assert total_of(100, 0, 100, count) == 250 and len(asked) == 1  # full: there may be more
    assert total_of(0, 900, 100, count) == 250 and len(asked) == 2  # past the end


def test_the_pager_says_which_rows_and_links_newer_and_older() -> None:
    def url(page: int) -> str:
        return f"/list?page={page}"

    assert pager(100, 250, 1, 100, url) == {
        "first": 1,
        "last": 100,
        "total": 250,
        "newer": None,
        "older": "/list?page=2",
    }
    middle = pager(100, 250, 2, 100, url)
    assert (middle["first"], middle["last"]) == (101, 200)
    assert middle["newer"] == "/list?page=1" and middle["older"] == "/list?page=3"
    last = pager(50, 250, 3, 100, url)
    assert (last["first"], last["last"], last["older"]) == (201, 250, None)
    beyond = pager(0, 250, 9, 100, url)
    assert (beyond["first"], beyond["last"], beyond["newer"]) == (0, 0, "/list?page=8")
    assert pager(0, 0, 1, 100, url)["older"] is None


def test_an_api_window_names_the_next_and_previous_pages_keeping_the_rest_of_the_query() -> None:
    url = "/api/x/offers?status=open&limit=10&offset=10"
    assert Window(10, 10).links(url, 10) == (
        '</api/x/offers?status=open&limit=10&offset=20>; rel="next", '
        '</api/x/offers?status=open&limit=10&offset=0>; rel="prev"'
    )
    assert Window(0, 10).links("/a?limit=10", 10) == '</a?limit=10&offset=10>; rel="next"'
    assert Window(0, 10).links("/a?limit=10", 3) is None  # one short page: nothing else
    assert Window(5, 10).links("/a?limit=10&offset=5", 2) == '</a?limit=10&offset=0>; rel="prev"'
    assert EVERY_ROW.links("/a", 500) is None  # the whole list, as before
    assert Window(0, 10).links("/a?q=%3C%3E&limit=10", 10) == (
        '</a?q=%3C%3E&limit=10&offset=10>; rel="next"'  # nothing unquoted into the header
    )
