"""Remote events: followed communities' public events in a calendar feed, marked remote."""

from __future__ import annotations

import icalendar
from sqlalchemy import select

from commonpot.accounts.models import User
from commonpot.accounts.service import OPERATOR
from commonpot.federation import service, sharing
from commonpot.federation.models import DomainBlock
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


def _follow_beta_with_supper(a: Instance, b: Instance, *, alpha_visibility: str = "public") -> str:
    """alpha (on a) follows beta (on b), which announces a public supper; beta's name."""
    with a.db.unit_of_work() as s:
        a_steward = make_user(s, "A steward")
        alpha = make_community(s, a_steward, slug="alpha")
        make_event(s, alpha, a_steward, title="Our own picnic", visibility="public")
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
    assert b.deliver().delivered == 1
    return str(beta_name)


def _well_formed(body: bytes) -> list[icalendar.Event]:
    """The feed parses as RFC 5545 and every VEVENT carries what the RFC requires."""
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in body.split(b"\r\n")), "lines are folded"
    feed = icalendar.Calendar.from_ical(body)
    assert str(feed["version"]) == "2.0" and str(feed["prodid"])
    found = list(feed.walk("VEVENT"))
    for vevent in found:
        for required in ("uid", "dtstamp", "dtstart", "dtend", "summary"):
            assert required in vevent, required
        assert vevent.decoded("dtend") >= vevent.decoded("dtstart")
    return found


def test_followed_remote_events_join_the_communitys_own_calendar_and_list(
    pair: tuple[Instance, Instance, Router],
) -> None:
    a, b, _router = pair
    beta_name = _follow_beta_with_supper(a, b)

    answer = a.http.get("/communities/alpha/events.ics")
    assert answer.status_code == 200
    found = {str(e["summary"]): e for e in _well_formed(answer.content)}
    assert "Our own picnic" in found
    remote = found[f"Harvest supper ({beta_name} · b.test)"]
    assert [str(c) for c in remote["categories"].cats] == ["remote", f"{beta_name} · b.test"]
    assert str(remote["uid"]).startswith("http://b.test/federation/beta/events/")
    assert "remote" not in [str(c) for c in found["Our own picnic"]["categories"].cats]

    page = a.http.get("/communities/alpha/events")
    assert page.status_code == 200
    assert "From other communities" in page.text
    section = page.text.split('id="remote-h"', 1)[1].split("</section>", 1)[0]
    assert "Harvest supper" in section and "b.test" in section
    assert "Our own picnic" not in section


def test_a_private_communitys_calendar_takes_in_nothing_from_outside(
    pair: tuple[Instance, Instance, Router],
) -> None:
    a, b, _router = pair
    _follow_beta_with_supper(a, b)
    # alpha turns private after following: what it had received stays out of its calendar
    with a.db.unit_of_work() as s:
        alpha = sharing.public_community(s, "alpha")
        alpha.visibility = "private"
        steward = s.scalars(select(User).where(User.display_name == "A steward")).one()
        steward_id = steward.id
    with a.db.unit_of_work(write=False) as s:
        steward = s.get(User, steward_id)
    sign_in(a.http, a.db, steward)
    answer = a.http.get("/communities/alpha/events.ics")
    assert answer.status_code == 200
    summaries = [str(e["summary"]) for e in _well_formed(answer.content)]
    assert summaries == ["Our own picnic"]
    assert b"b.test" not in answer.content and b"Harvest supper" not in answer.content
    page = a.http.get("/communities/alpha/events")
    assert page.status_code == 200
    assert "Harvest supper" not in page.text and 'id="remote-h"' not in page.text


def test_a_blocked_domains_events_leave_the_communitys_calendar(
    pair: tuple[Instance, Instance, Router],
) -> None:
    a, b, _router = pair
    _follow_beta_with_supper(a, b)
    assert b"Harvest supper" in a.http.get("/communities/alpha/events.ics").content
    with a.db.unit_of_work() as s:
        other = make_community(s, make_user(s, "Elsewhere"), slug="elsewhere")
        s.add(DomainBlock(domain="b.test", community_id=other.id))  # not alpha's block
    assert b"Harvest supper" in a.http.get("/communities/alpha/events.ics").content
    with a.db.unit_of_work() as s:
        s.add(DomainBlock(domain="b.test", community_id=None))
    body = a.http.get("/communities/alpha/events.ics").content
    assert b"Harvest supper" not in body
    assert [str(e["summary"]) for e in _well_formed(body)] == ["Our own picnic"]
    # nor in the feed of remote events alone, while the domain's rows are still stored
    remote = a.http.get("/communities/alpha/federation/events.ics")
    assert remote.status_code == 200 and b"Harvest supper" not in remote.content
    with a.db.unit_of_work() as s:
        alpha = sharing.public_community(s, "alpha")
        assert service.remote_events(s, alpha) == []
