"""The community home shows what is happening, only what the viewer may see (issue 19)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from commonpot.accounts.models import User
from commonpot.db import Database
from commonpot.settings import Settings
from tests.factories.accounts import World, make_world, sign_in
from tests.factories.biotumblers import register
from tests.factories.ecology import seed_domes
from tests.factories.events import make_event, weekly_bread_class
from tests.factories.governance import fetch_community, make_proposal
from tests.factories.network import add_need, add_offer
from tests.factories.recipes import make_recipe


def _happening(db: Database, settings: Settings) -> World:
    world = make_world(db)
    with db.unit_of_work() as s:
        public = fetch_community(s, "publicville")
        private = fetch_community(s, "privatehill")
        steward = s.get(User, world.steward.id)
        member = s.get(User, world.member.id)
        private_steward = s.get(User, world.private_steward.id)
        assert steward and member and private_steward
        make_event(s, public, steward, title="Open tamale class", visibility="public")
        make_event(s, public, steward, title="Members-only supper", visibility="community")
        make_event(s, private, private_steward, title="Hidden hill feast")
        make_recipe(s, public, steward, name="Public pozole", reach="public")
        make_recipe(s, public, steward, name="Members mole", reach="community")
        make_recipe(s, private, private_steward, name="Hill secret stew", reach="community")
        add_offer(s, public, member, 4, category="courgettes")
        add_need(s, public, member, 2, category="flour")
        register(s, public, steward, device="north-tumbler")
        seed_domes(s, public, steward)
    make_proposal(db, world.steward, "publicville", settings, title="Plant a walnut grove")
    make_proposal(db, world.steward, "publicville", settings, title="Draft only", opened=False)
    return world


def test_member_sees_everything_happening_each_linking_on(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = _happening(db, settings)
    sign_in(client, db, world.member)
    page = client.get("/communities/publicville")
    assert page.status_code == 200
    html = page.text
    for text in (
        "Open tamale class",
        "Members-only supper",
        "Public pozole",
        "Members mole",
        "Plant a walnut grove",
        "courgettes",
        "flour",
        "North-Tumbler",
        "/communities/publicville/biotumblers/north-tumbler",
        "/communities/publicville/governance/proposals/1",
        "/communities/publicville/recipes/",
        "/communities/publicville/events/",
    ):
        assert text in html, text
    assert "Draft only" not in html  # a draft is its author's and the stewards' only
    assert "Hidden hill feast" not in html and "Hill secret stew" not in html
    assert "3 members" in html  # plural through ngettext
    assert "5 crops grow on 270 m²." in html


def test_outsider_sees_only_public_things(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = _happening(db, settings)
    sign_in(client, db, world.outsider)
    html = client.get("/communities/publicville").text
    assert "Open tamale class" in html and "Public pozole" in html
    assert "Members-only supper" not in html
    assert "Members mole" not in html
    assert "courgettes" not in html and "flour" not in html  # food sharing is for members
    assert client.get("/communities/privatehill").status_code == 404


def test_anonymous_visitor_sees_public_things_in_spanish(
    client: TestClient, db: Database, settings: Settings
) -> None:
    _happening(db, settings)
    html = client.get("/communities/publicville", headers={"Accept-Language": "es"}).text
    assert "Open tamale class" in html and "Members-only supper" not in html
    assert "Próximos eventos y clases" in html
    assert "3 miembros" in html
    assert "5 cultivos crecen en 270 m²." in html


def test_private_member_sees_her_community_happenings(
    client: TestClient, db: Database, settings: Settings
) -> None:
    world = _happening(db, settings)
    sign_in(client, db, world.private_member)
    html = client.get("/communities/privatehill").text
    assert "Hidden hill feast" in html and "Hill secret stew" in html
    assert "Open tamale class" not in html


def test_a_weekly_class_that_began_weeks_ago_shows_when_it_meets_next(
    client: TestClient, db: Database
) -> None:
    """Not its first, past, session (the demo's bread class showed 21 Nov on 6 Dec)."""
    from datetime import timedelta

    from babel.dates import format_datetime

    from commonpot.db import utcnow

    world = make_world(db)
    first = utcnow().replace(microsecond=0, second=0) - timedelta(days=20)
    with db.unit_of_work() as s:
        public = fetch_community(s, "publicville")
        steward = s.get(User, world.steward.id)
        assert steward
        weekly_bread_class(s, public, steward, first)
    sign_in(client, db, world.member)
    html = client.get("/communities/publicville", headers={"Accept-Language": "en"}).text
    assert "Weekly bread class" in html
    following = first + timedelta(days=21)  # sessions on days 0, 7, 14 are over
    assert format_datetime(following, "short", locale="en") in html
    assert format_datetime(first, "short", locale="en") not in html


def test_the_kept_section_shows_each_member_their_own_and_a_change_at_once(
    client: TestClient, db: Database, settings: Settings
) -> None:
    """ "What is happening" is written once per what it shows: a second member with other
    needs never gets the first one's, and a new offer shows on the very next view."""
    world = _happening(db, settings)
    with db.unit_of_work() as s:
        custodian = s.get(User, world.custodian.id)
        add_need(s, fetch_community(s, "publicville"), custodian, 3, category="beans")
    sign_in(client, db, world.member)
    first = client.get("/communities/publicville").text
    assert "flour" in first and "beans" not in first
    assert client.get("/communities/publicville").text.count("flour") == first.count("flour")
    sign_in(client, db, world.custodian)
    theirs = client.get("/communities/publicville").text
    assert "beans" in theirs and "flour" not in theirs
    with db.unit_of_work() as s:
        member = s.get(User, world.member.id)
        add_offer(s, fetch_community(s, "publicville"), member, 9, category="walnuts")
    assert "walnuts" in client.get("/communities/publicville").text
