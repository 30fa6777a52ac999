"""Remote events: followed communities' public events in a calendar feed, marked remote."""

from __future__ import annotations

import icalendar
from sqlalchemy import select

from commonpot.accounts.models import User
from commonpot.accounts.service import OPERATOR
from commonpot.federation import service, sharing
from tests.factories.accounts import make_community, make_user, sign_in
from tests.factories.events import make_event
from tests.factories.federation import Instance, Router, pair, second_database_urls

__all__ = ["pair", "second_database_urls"]


def test_followed_public_events_are_in_the_remote_calendar(
    pair: tuple[Instance, Instance, Router],
) -> None:
    a, b, _router = pair
    with a.db.unit_of_work() as s:
        a_steward = make_user(s, "A steward")
        make_community(s, a_steward, slug="alpha")
    with b.db.unit_of_work() as s:
        beta = make_community(s, make_user(s, "B steward"), slug="beta")
        beta_name = beta.name
    with a.db.unit_of_work() as s:
        service.follow(s, a.fed, sharing.public_community(s, "alpha"), OPERATOR, "@beta@b.test")
    a.deliver()
    b.deliver()
    with b.db.unit_of_work() as s:
        beta = sharing.public_community(s, "beta")
        steward = s.scalars(select(User).where(User.display_name == "B steward")).one()
        make_event(s, beta, steward, title="Harvest supper", visibility="public")
        make_event(s, beta, steward, title="Stewards' meeting")  # members only: never leaves
    assert b.deliver().delivered == 1

    answer = a.http.get("/communities/alpha/federation/events.ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    feed = icalendar.Calendar.from_ical(answer.content)
    found = list(feed.walk("VEVENT"))
    assert [str(e["summary"]) for e in found] == [f"Harvest supper ({beta_name})"]
    assert [str(c) for c in found[0]["categories"].cats] == ["remote", "b.test"]
    assert str(found[0]["uid"]).startswith("http://b.test/federation/beta/events/")
    assert str(found[0]["url"]).startswith("http://b.test/communities/beta/events/")
    assert b"Stewards' meeting" not in answer.content

    sign_in(a.http, a.db, a_steward)
    page = a.http.get("/communities/alpha/federation")
    assert "Harvest supper" in page.text and "/federation/events.ics" in page.text

    # unfollowing forgets the remote events: the feed is empty, and still valid
    with a.db.unit_of_work() as s:
        alpha = sharing.public_community(s, "alpha")
        row = service.following(s, alpha)[0]
        service.unfollow(s, a.fed, alpha, OPERATOR, row.id)
    empty = icalendar.Calendar.from_ical(
        a.http.get("/communities/alpha/federation/events.ics").content
    )
    assert list(empty.walk("VEVENT")) == []
