"""`events.service.listing`, the events page's one statement, answers what `list_events`
(to come, and the latest past ones) and `signup.counts_for` answer apart: the same events in
the same order, the same sign-up numbers, hidden events hidden; on both databases."""

from __future__ import annotations

from datetime import timedelta

from commonpot.accounts import ANONYMOUS, Viewer
from commonpot.db import Database, utcnow
from commonpot.events import service, signup
from tests.factories.accounts import make_world
from tests.factories.events import as_viewer, make_event
from tests.factories.governance import fetch_community


def test_listing_matches_the_lists_and_counts_read_apart(db: Database) -> None:
    world = make_world(db)
    now = utcnow().replace(microsecond=0)
    with db.unit_of_work() as s:
        community = fetch_community(s, world.public.slug)
        for day in range(6):  # past ones, public and community-only in turn
            make_event(
                s,
                community,
                world.steward,
                title=f"Past {day}",
                starts_at=now - timedelta(days=30 - day),
                visibility="public" if day % 2 else "community",
            )
        # began a week ago, weekly: still to come by its later sessions
        make_event(
            s,
            community,
            world.steward,
            title="Weekly bread class",
            starts_at=now - timedelta(days=8),
            kind="class",
            rrule="FREQ=WEEKLY;COUNT=4",
            visibility="public",
        )
        small = make_event(
            s,
            community,
            world.steward,
            title="Tamales for two",
            starts_at=now + timedelta(days=3),
            capacity=1,
            visibility="public",
        )
        make_event(
            s,
            community,
            world.steward,
            title="Members' tasting",
            starts_at=now + timedelta(days=2),
        )
        signup.register(s, community, as_viewer(world.member), small)
        signup.register(s, community, as_viewer(world.custodian), small)  # waitlisted

    readers: list[tuple[str, Viewer]] = [
        ("member", as_viewer(world.member)),
        ("anonymous", ANONYMOUS),
        ("outsider", as_viewer(world.outsider)),
    ]
    with db.unit_of_work() as s:
        community = fetch_community(s, world.public.slug)
        for who, viewer in readers:
            listed = service.listing(s, community, viewer, now=now, past=4)
            upcoming = service.list_events(s, community, viewer, upcoming=True, now=now)
            past = service.list_events(s, community, viewer, upcoming=False, now=now, limit=4)
            assert [e.id for e in listed.upcoming] == [e.id for e in upcoming], who
            assert [e.id for e in listed.past] == [e.id for e in past], who
            assert listed.counts == signup.counts_for(s, upcoming), who
            titles = [e.title for e in listed.upcoming]
            if who == "member":
                assert titles == ["Weekly bread class", "Members' tasting", "Tamales for two"]
                assert [e.title for e in listed.past] == ["Past 5", "Past 4", "Past 3", "Past 2"]
            else:  # community-only events stay hidden
                assert titles == ["Weekly bread class", "Tamales for two"]
                assert [e.title for e in listed.past] == ["Past 5", "Past 3", "Past 1"]
            assert listed.counts[small.id] == {"confirmed": 1, "waitlisted": 1}
