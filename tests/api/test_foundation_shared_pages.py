"""The community's busiest pages besides its home and a recipe, shared by readers not signed
in (`shared_read` with `page=True`; governance's through `caught_up_read`), on both databases.

The recipe list, the events, governance, a proposal, the ledger and its verification, the
sharing network (whose offers only members see): each
is rendered once and given again while the database is unchanged, every reader's copy with
the CSRF token of their own browser; a change shows on the very next request, a community
made private is gone from every one of them at once, a signed-in reader's page is never
kept, and the events page (and the home) is not given past the moment an event it lists
starts or ends.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from commonpot.communities.models import Community
from commonpot.db import Database
from commonpot.events.web import next_change
from commonpot.http import CSRF_COOKIE
from commonpot.settings import Settings
from tests.api.test_foundation_shared_answers import answers_of, until_hit
from tests.factories.accounts import sign_in
from tests.factories.events import make_event
from tests.factories.governance import fetch_community, make_proposal
from tests.factories.recipes import RecipeWorld, make_recipe_world

PAGE = "/communities/publicville"
PAGES = {
    "recipes": f"{PAGE}/recipes",
    "events": f"{PAGE}/events",
    "governance": f"{PAGE}/governance",
    "proposal": f"{PAGE}/governance/proposals/1",
    "ledger": f"{PAGE}/governance/ledger",
    "verify": f"{PAGE}/governance/ledger/verify",
    "network": f"{PAGE}/network",
}


def world_with_a_proposal(db: Database, settings: Settings) -> RecipeWorld:
    world = make_recipe_world(db)
    number = make_proposal(db, world.world.steward, "publicville", settings, title="Soup rota")
    assert number == 1
    with db.unit_of_work() as session:
        community = fetch_community(session, "publicville")
        community.name = "Orchard Kitchen"
        make_event(session, community, world.world.steward)
    return world


def token_in(text: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]*)">', text)
    assert found is not None, text[:300]
    return found.group(1)


@pytest.mark.parametrize("name", list(PAGES))
def test_a_busy_page_is_shared_until_a_change(
    app: FastAPI, client: TestClient, db: Database, settings: Settings, name: str
) -> None:
    world_with_a_proposal(db, settings)
    url = PAGES[name]
    answers = answers_of(app)
    first = client.get(url)
    assert first.status_code == 200
    assert "Orchard Kitchen" in first.text
    bodies = set()
    for page in until_hit(app, client, url):
        assert page.status_code == 200
        assert token_in(page.text) == client.cookies[CSRF_COOKIE]
        assert answers.marker not in page.text
        assert int(page.headers["content-length"]) == len(page.content)
        bodies.add(page.text.replace(client.cookies[CSRF_COOKIE], "TOKEN"))
    assert bodies == {first.text.replace(client.cookies[CSRF_COOKIE], "TOKEN")}
    # another browser: the same page, with its own token
    client.cookies.clear()
    other = client.get(url)
    assert other.status_code == 200
    assert token_in(other.text) == other.cookies[CSRF_COOKIE] != first.cookies.get(CSRF_COOKIE)
    # a change: shown at once; a community made private: gone at once
    with db.unit_of_work() as session:
        session.execute(
            update(Community).where(Community.slug == "publicville").values(name="Supper Club")
        )
    assert "Supper Club" in client.get(url).text
    with db.unit_of_work() as session:
        session.execute(
            update(Community).where(Community.slug == "publicville").values(visibility="private")
        )
    hidden = client.get(url)
    assert hidden.status_code == 404
    assert "Supper Club" not in hidden.text


@pytest.mark.parametrize("name", ["recipes", "events", "governance", "ledger", "network"])
def test_a_signed_in_readers_page_is_never_kept(
    app: FastAPI, client: TestClient, db: Database, settings: Settings, name: str
) -> None:
    world = world_with_a_proposal(db, settings)
    sign_in(client, db, world.world.member)
    for _ in range(3):
        page = client.get(PAGES[name])
        assert page.status_code == 200
        assert world.world.member.display_name in page.text
    assert answers_of(app).kept == 0


def test_a_search_of_the_recipe_list_is_never_kept(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    world = make_recipe_world(db)
    for _ in range(3):
        page = client.get(f"{PAGES['recipes']}?q=zzzz-nothing")
        assert page.status_code == 200
    assert answers_of(app).kept == 0
    listed = client.get(PAGES["recipes"])
    assert f"/recipes/{world.public_recipe}" in listed.text


def _dumpling_night(db: Database, *, in_seconds: int) -> datetime:
    """A public event starting in `in_seconds` and over a second later; its start."""
    world = make_recipe_world(db)
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=in_seconds)
    with db.unit_of_work() as session:
        make_event(
            session,
            fetch_community(session, "publicville"),
            world.world.steward,
            title="Dumpling night",
            starts_at=starts,
            ends_at=starts + timedelta(seconds=1),
            visibility="public",
        )
    return starts


def test_the_events_page_is_not_given_past_an_events_start_or_end(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    """An event starting in a moment and over a moment later: the page kept before it ends
    lists it as coming up; read just after it ended, without any write, it is in the past."""
    starts = _dumpling_night(db, in_seconds=5)  # room for a loaded machine

    def section(text: str, heading: str) -> str:
        start = text.index(f'id="{heading}"')
        end = text.find("</section>", start)
        return text[start:end]

    for page in until_hit(app, client, PAGES["events"]):
        assert "Dumpling night" in section(page.text, "upcoming-h")
    time.sleep(max(0.0, (starts - datetime.now(UTC)).total_seconds()) + 1.3)
    after = client.get(PAGES["events"])
    assert "Dumpling night" not in section(after.text, "upcoming-h")
    assert "Dumpling night" in section(after.text, "past-h")


def test_the_home_page_is_not_given_past_the_end_of_an_event_it_lists(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    """The community's home, kept for readers not signed in, lists an event over in a
    moment; read just after it ended, without any write, it lists it no more."""
    starts = _dumpling_night(db, in_seconds=5)  # room for a loaded machine
    for page in until_hit(app, client, PAGE):
        assert "Dumpling night" in page.text
    time.sleep(max(0.0, (starts - datetime.now(UTC)).total_seconds()) + 1.3)
    after = client.get(PAGE)
    assert after.status_code == 200
    assert "Dumpling night" not in after.text
    assert "No events coming up." in after.text


class _When:
    def __init__(self, starts_at: datetime | None, ends_at: datetime | None = None) -> None:
        self.starts_at, self.ends_at = starts_at, ends_at


def test_next_change_is_the_first_start_or_end_still_to_come() -> None:
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    hour = timedelta(hours=1)
    running = _When(now - hour, now + 2 * hour)  # started: its end is what changes
    later = _When(now + 3 * hour, now + 4 * hour)
    naive = _When((now + 90 * timedelta(minutes=1)).replace(tzinfo=None))  # stored as UTC
    assert next_change(now, [later, running]) == now + 2 * hour
    assert next_change(now, [later, running, naive]) == now + 90 * timedelta(minutes=1)
    assert next_change(now, [_When(now - hour, now - hour / 2)]) is None
    assert next_change(now, [_When(now, None)]) is None  # now itself has already come
    assert next_change(now, []) is None


def test_the_shared_network_page_never_holds_what_only_members_see(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    from commonpot.accounts import Viewer
    from commonpot.accounts.models import User
    from commonpot.network import service as network

    world = make_recipe_world(db)
    with db.unit_of_work() as session:
        network.create_offer(
            session,
            fetch_community(session, "publicville"),
            Viewer(user=session.get(User, world.world.member.id)),
            category="squash",
            quantity=7,
            lat=51.45,
            lon=-2.59,
            description="Crown Prince squash from the allotment",
        )
    url = PAGES["network"]
    for page in until_hit(app, client, url):
        assert "Crown Prince" not in page.text
    sign_in(client, db, world.world.member)
    assert "Crown Prince" in client.get(url).text
    client.cookies.clear()
    assert "Crown Prince" not in client.get(url).text
