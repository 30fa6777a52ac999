"""Events services on real SQLite and PostgreSQL: sign-ups, waitlist, sessions, menus, feeds."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import icalendar
import pytest
from sqlalchemy import func, select

from commonpot.accounts.models import User
from commonpot.accounts.service import calendar_token
from commonpot.actions import ENGLISH
from commonpot.bus import take_queued
from commonpot.communities.models import Community
from commonpot.communities.service import add_member, remove_member
from commonpot.db import Database, utcnow
from commonpot.errors import Conflict, Forbidden, Invalid
from commonpot.events import feeds, menu, planning, service, signup
from commonpot.events.models import Attendance, Event, EventSession, Registration
from commonpot.events.schemas import EventPatch
from commonpot.network.models import Need
from tests.factories.accounts import World, make_user, make_world
from tests.factories.events import as_viewer, make_event


def _reload(s: Any, world: World) -> tuple[Community, User]:
    community = s.get(Community, world.public.id)
    steward = s.get(User, world.steward.id)
    return community, steward


def _members(db: Database, world: World, n: int) -> list[User]:
    with db.unit_of_work() as s:
        community = s.get(Community, world.public.id)
        people = [make_user(s, f"Cook {i}") for i in range(n)]
        for person in people:
            add_member(s, community, person)
        return people


def test_bad_input_is_refused_with_a_field_and_nothing_is_stored(db: Database) -> None:
    world = make_world(db)
    start = utcnow() + timedelta(days=2)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"ends_at": start - timedelta(hours=1)}, "ends_at"),
        ({"capacity": -3}, "capacity"),
        ({"capacity": 0}, "capacity"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"title": "  "}, "title"),
        ({"rrule": "FREQ=WEEKLY"}, "rrule"),
        ({"roles": [{"name": "Elder!!"}]}, "roles[0].name"),
        ({"place_id": 999_999}, None),
    ]
    for changes, field in cases:
        with pytest.raises((Invalid, Exception)) as caught, db.unit_of_work() as s:
            community, steward = _reload(s, world)
            make_event(s, community, steward, starts_at=start, **changes)
        if field is not None:
            assert isinstance(caught.value, Invalid)
            assert caught.value.field == field, changes
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count(Event.id))) == 0
        assert s.scalar(select(func.count(EventSession.id))) == 0


def test_waitlist_then_exact_promotion_in_queue_order(db: Database) -> None:
    world = make_world(db)
    people = _members(db, world, 5)
    with db.unit_of_work() as s:
        community, steward = _reload(s, world)
        event = make_event(s, community, steward, capacity=2)
        statuses = [
            signup.register(s, community, as_viewer(s.get(User, p.id)), event).status
            for p in people
        ]
        assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
        with pytest.raises(Conflict, match="already signed up"):
            signup.register(s, community, as_viewer(s.get(User, people[0].id)), event)
        _, promoted = signup.cancel(s, community, as_viewer(s.get(User, people[1].id)), event)
        assert [r.user_id for r in promoted] == [people[2].id]
        # a waitlisted person leaving promotes nobody
        _, promoted = signup.cancel(s, community, as_viewer(s.get(User, people[4].id)), event)
        assert promoted == []
        assert signup.counts(s, event) == {"confirmed": 2, "waitlisted": 1}
        # raising capacity promotes the rest; lowering below the confirmed is refused
        service.update_event(s, community, as_viewer(steward), event, EventPatch(capacity=3))
        assert signup.counts(s, event) == {"confirmed": 3, "waitlisted": 0}
        # said without a plural form, so one person never reads as "1 people"
        with pytest.raises(Invalid, match=r"^Already confirmed: 3\. The capacity"):
            service.update_event(s, community, as_viewer(steward), event, EventPatch(capacity=1))
        # someone coming back joins at the end of the queue
        again = signup.register(s, community, as_viewer(s.get(User, people[1].id)), event)
        assert again.status == "waitlisted"


@pytest.mark.slow
def test_simultaneous_sign_ups_never_exceed_capacity(db: Database) -> None:
    world = make_world(db)
    people = _members(db, world, 14)
    with db.unit_of_work() as s:
        community, steward = _reload(s, world)
        event_id = make_event(s, community, steward, capacity=5).id
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def sign_up(user_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            with db.unit_of_work() as s:
                community = s.get(Community, world.public.id)
                event = s.get(Event, event_id)
                signup.register(s, community, as_viewer(s.get(User, user_id)), event)
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=sign_up, args=(p.id,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with db.unit_of_work() as s:
        event = s.get(Event, event_id)
        assert signup.counts(s, event) == {"confirmed": 5, "waitlisted": 9}
        queue = list(
            s.scalars(
                select(Registration)
                .where(Registration.event_id == event_id, Registration.status == "waitlisted")
                .order_by(Registration.queued_at, Registration.id)
            )
        )
        confirmed = list(
            s.scalars(
                select(Registration.user_id).where(
                    Registration.event_id == event_id, Registration.status == "confirmed"
                )
            )
        )
    # now three confirmed people withdraw at the same moment: exactly the first three wait-
    # listed move up, and capacity still holds
    leaving = confirmed[:3]
    barrier = threading.Barrier(len(leaving))

    def withdraw(user_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            with db.unit_of_work() as s:
                community = s.get(Community, world.public.id)
                event = s.get(Event, event_id)
                signup.cancel(s, community, as_viewer(s.get(User, user_id)), event)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=withdraw, args=(u,)) for u in leaving]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with db.unit_of_work(write=False) as s:
        event = s.get(Event, event_id)
        assert signup.counts(s, event) == {"confirmed": 5, "waitlisted": 6}
        now_confirmed = set(
            s.scalars(
                select(Registration.user_id).where(
                    Registration.event_id == event_id, Registration.status == "confirmed"
                )
            )
        )
    assert {r.user_id for r in queue[:3]} <= now_confirmed
    assert not {r.user_id for r in queue[3:]} & now_confirmed


def test_series_sessions_attendance_and_exdate_in_feed(db: Database) -> None:
    world = make_world(db)
    (cook,) = _members(db, world, 1)
    with db.unit_of_work() as s:
        community, steward = _reload(s, world)
        start = utcnow().replace(microsecond=0) - timedelta(hours=1)
        event = make_event(
            s, community, steward, kind="class", starts_at=start, rrule="FREQ=WEEKLY;COUNT=4"
        )
        sessions = service.sessions(s, event)
        assert len(sessions) == 4
        signup.register(s, community, as_viewer(s.get(User, cook.id)), event)
        here = signup.check_in(s, community, as_viewer(steward), event, cook.id)
        assert here.session_id == sessions[0].id
        again = signup.check_in(s, community, as_viewer(steward), event, cook.id)
        assert again.id == here.id  # checking in twice is harmless
        signup.check_in(s, community, as_viewer(steward), event, cook.id, sessions[1].id)
        assert signup.attendance(s, community, as_viewer(steward), event) == {
            sessions[0].id: {cook.id},
            sessions[1].id: {cook.id},
        }
        with pytest.raises(Forbidden):
            signup.check_in(s, community, as_viewer(s.get(User, cook.id)), event, cook.id)
        service.cancel_session(s, community, as_viewer(steward), event, sessions[2].id)
        with pytest.raises(Conflict, match="cancelled"):
            signup.check_in(s, community, as_viewer(steward), event, cook.id, sessions[2].id)
        with pytest.raises(Conflict, match="checked in"):
            service.update_event(
                s,
                community,
                as_viewer(steward),
                event,
                EventPatch(
                    starts_at=start + timedelta(days=1), ends_at=start + timedelta(days=1, hours=3)
                ),
            )
        body = feeds.event_feed(s, community, event, "http://example.org")
        history = signup.history(s, as_viewer(s.get(User, cook.id)))
        assert [sess.id for _, sess in history] == [sessions[1].id, sessions[0].id]
    vevent = next(iter(icalendar.Calendar.from_ical(body).walk("VEVENT")))
    assert vevent["RRULE"].to_ical() == b"FREQ=WEEKLY;COUNT=4"
    assert vevent["EXDATE"].dts[0].dt == sessions[2].starts_at
    assert vevent.decoded("DTSTART") == start
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count(Attendance.id))) == 2


def test_cancelled_event_says_so_and_refuses_sign_ups(db: Database) -> None:
    world = make_world(db)
    (cook,) = _members(db, world, 1)
    with db.unit_of_work() as s:
        community, steward = _reload(s, world)
        event = make_event(s, community, steward, visibility="public")
        service.cancel_event(s, community, as_viewer(steward), event)
        with pytest.raises(Conflict, match="cancelled"):
            signup.register(s, community, as_viewer(s.get(User, cook.id)), event)
        body = feeds.event_feed(s, community, event, "http://example.org")
    vevent = next(iter(icalendar.Calendar.from_ical(body).walk("VEVENT")))
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert int(vevent["SEQUENCE"]) == 1


def test_personal_feed_lists_sign_ups_across_communities_and_rotates(db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        public, steward = _reload(s, world)
        private = s.get(Community, world.private.id)
        priya = make_user(s, "Priya")
        add_member(s, public, priya)
        add_member(s, private, priya)
        here = make_event(s, public, steward, title="Riverside supper")
        there = make_event(
            s, private, s.get(User, world.private_steward.id), title="Hillside bread"
        )
        signup.register(s, public, as_viewer(priya), here)
        signup.register(s, private, as_viewer(priya), there)
        token = calendar_token(s, priya)
        body = feeds.personal_feed(s, token, "http://example.org")
        titles = {str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
        assert titles == {"Riverside supper", "Hillside bread"}
        # leaving the private community drops its members-only event from the feed
        remove_member(s, private, as_viewer(priya), priya.id)
        body = feeds.personal_feed(s, token, "http://example.org")
        titles = {str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
        assert titles == {"Riverside supper"}
        new = calendar_token(s, priya, rotate=True)
        assert new != token
        with pytest.raises(Exception, match="No calendar"):
            feeds.personal_feed(s, token, "http://example.org")


def _grams(line: menu.ShoppingItem) -> float:
    assert line.quantity is not None
    return line.quantity * {"gram": 1, "kilogram": 1000}[str(line.unit)]


def test_menu_scales_to_head_count_and_posts_needs(db: Database) -> None:
    recipes = pytest.importorskip("tests.factories.recipes")
    world = make_world(db)
    people = _members(db, world, 3)
    with db.unit_of_work() as s:
        community, steward = _reload(s, world)
        stew = recipes.make_recipe(
            s, community, steward, name="Pozole", servings=6, ingredients=["600 g hominy"]
        )
        bread = recipes.make_recipe(
            s, community, steward, name="Cornbread", servings=2, ingredients=["200 g hominy"]
        )
        event = make_event(s, community, steward, capacity=10)
        menu.add_recipe(s, community, as_viewer(steward), event, stew.id)
        menu.add_recipe(s, community, as_viewer(steward), event, bread.id)
        with pytest.raises(Invalid, match="no recipe 999999") as caught:
            menu.add_recipe(s, community, as_viewer(steward), event, 999_999)
        assert caught.value.field == "recipe_id"
        with pytest.raises(Conflict, match="already on the menu"):
            menu.add_recipe(s, community, as_viewer(steward), event, stew.id)
        for person in people:
            signup.register(s, community, as_viewer(s.get(User, person.id)), event)
        view = menu.shopping(s, community, as_viewer(steward), event)
        assert view.servings == 3
        hominy = [line for line in view.lines if "hominy" in line.food]
        assert len(hominy) == 1  # merged across recipes
        assert _grams(hominy[0]) == pytest.approx(600 * 3 / 6 + 200 * 3 / 2)
        bigger = menu.shopping(s, community, as_viewer(steward), event, head_count=12)
        assert [_grams(x) for x in bigger.lines if "hominy" in x.food] == [
            pytest.approx(600 * 2 + 200 * 6)
        ]
        posted = menu.turn_into_needs(s, community, as_viewer(steward), event)
        needs = {n.id: n for n in s.scalars(select(Need).where(Need.community_id == community.id))}
        assert [p["food"] for p in posted] == [hominy[0].food]
        assert needs[posted[0]["need_id"]].category == hominy[0].food[:60]
        assert event.title in needs[posted[0]["need_id"]].description
        assert menu.turn_into_needs(s, community, as_viewer(steward), event) == []


def test_pairing_service_with_pins_from_registrations(db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        community, steward = _reload(s, world)
        rosa = make_user(s, "Rosa", birth_year=1941, languages="es,en")
        kenji = make_user(s, "Kenji", birth_year=1952, languages="ja,en")
        lina = make_user(s, "Lina", birth_year=2004, languages="en,es")
        sam = make_user(s, "Sam", birth_year=2009, languages="en")
        for person in (rosa, kenji, lina, sam):
            add_member(s, community, person)
        event = make_event(
            s,
            community,
            steward,
            kind="class",
            roles=[{"name": "elder"}, {"name": "apprentice"}],
        )
        for person, role, dishes in (
            (rosa, "elder", ["Tamales"]),
            (kenji, "elder", ["miso soup"]),
            (lina, "apprentice", ["tamales"]),
            (sam, "apprentice", ["Miso soup"]),
        ):
            signup.register(s, community, as_viewer(person), event, role=role, recipes=dishes)
        view = planning.pairs(s, community, as_viewer(lina), event)
        assert {(p.teacher_id, p.learner_id) for p in view.result.pairs} == {
            (rosa.id, lina.id),
            (kenji.id, sam.id),
        }
        with pytest.raises(Forbidden):
            planning.set_rule(
                s,
                community,
                as_viewer(lina),
                event,
                teacher_id=rosa.id,
                learner_id=sam.id,
                rule="pin",
            )
        planning.set_rule(
            s,
            community,
            as_viewer(steward),
            event,
            teacher_id=rosa.id,
            learner_id=sam.id,
            rule="pin",
        )
        view = planning.pairs(s, community, as_viewer(steward), event)
        assert {(p.teacher_id, p.learner_id) for p in view.result.pairs} == {
            (rosa.id, sam.id),
            (kenji.id, lina.id),
        }
        with pytest.raises(Invalid, match="not a confirmed learner"):
            planning.set_rule(
                s,
                community,
                as_viewer(steward),
                event,
                teacher_id=rosa.id,
                learner_id=kenji.id,
                rule="forbid",
            )


def test_outreach_uses_places_and_the_shared_access_function(db: Database) -> None:
    from tests.factories.accounts import make_place

    world = make_world(db)
    with db.unit_of_work() as s:
        community, steward = _reload(s, world)
        make_place(s, community, "Market", kind="market", lat=51.454, lon=-2.587)
        make_place(
            s, community, "Far Enclave", kind="enclave", lat=51.44, lon=-2.61, population=400
        )
        make_place(
            s, community, "Near Enclave", kind="enclave", lat=51.455, lon=-2.586, population=400
        )
        found, origin = planning.outreach_plan(s, community, as_viewer(steward))
    assert origin in {"fallback", "ecology"}
    assert [x.home.name for x in found] == ["Far Enclave", "Near Enclave"]
    assert found[0].venue is not None and found[0].venue.name == "Public Kitchen"


def test_needs_reach_the_real_network_when_it_is_there(db: Database) -> None:
    from tests.factories import recipes

    world = make_world(db)
    with db.unit_of_work() as s:
        community, steward = _reload(s, world)
        stew = recipes.make_recipe(
            s, community, steward, servings=4, ingredients=["400 g beans", "2 onions", "salt"]
        )
        event = make_event(s, community, steward)
        menu.add_recipe(s, community, as_viewer(steward), event, stew.id)
        signup.register(s, community, as_viewer(steward), event)
        menu.set_pantry(s, community, as_viewer(steward), event, ["salt"])
        posted = menu.turn_into_needs(s, community, as_viewer(steward), event)
        assert {p["food"] for p in posted} == {"beans", "onion"} or len(posted) == 2
    with db.unit_of_work(write=False) as s:
        needs = list(s.scalars(select(Need)))
        assert len(needs) == 2
        assert all(n.community_id == world.public.id for n in needs)
        assert any("for Cooking together" in n.description for n in needs)


def test_flash_call_reaches_members_live_queue_and_personal_feed(db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        community, steward = _reload(s, world)
        flash = make_event(s, community, steward, kind="flash", title="Bring your recipe")
        messages = take_queued(s)
        assert messages == [(f"community:{community.id}", service.flash_message(flash))]
        with pytest.raises(Forbidden, match="flash"):
            make_event(s, community, s.get(User, world.member.id), kind="flash")
        token = calendar_token(s, s.get(User, world.member.id))
        body = feeds.personal_feed(s, token, "http://example.org")
        outsider_token = calendar_token(s, s.get(User, world.outsider.id))
        nothing = feeds.personal_feed(s, outsider_token, "http://example.org")
    (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Bring your recipe"
    assert str(vevent["STATUS"]) == "TENTATIVE"
    assert str(vevent["DESCRIPTION"]) and str(vevent["LOCATION"])
    assert icalendar.Calendar.from_ical(nothing).walk("VEVENT") == []


def test_upcoming_and_past_lists_account_for_whole_series(db: Database) -> None:
    world = make_world(db)
    with db.unit_of_work() as s:
        community, steward = _reload(s, world)
        long_ago = utcnow() - timedelta(days=60)
        done = make_event(
            s,
            community,
            steward,
            title="Old series",
            starts_at=long_ago,
            rrule="FREQ=WEEKLY;COUNT=2",
        )
        running = make_event(
            s,
            community,
            steward,
            title="Running series",
            starts_at=long_ago,
            rrule="FREQ=WEEKLY;COUNT=20",
        )
        upcoming = service.list_events(s, community, as_viewer(steward), upcoming=True)
        past = service.list_events(s, community, as_viewer(steward), upcoming=False)
    assert [e.id for e in upcoming] == [running.id]
    assert [e.id for e in past] == [done.id]


def test_random_sign_ups_and_withdrawals_keep_the_waitlist_exact(db: Database) -> None:
    import random

    world = make_world(db)
    people = _members(db, world, 9)
    rng = random.Random(2026)
    with db.unit_of_work() as s:
        community, steward = _reload(s, world)
        event = make_event(s, community, steward, capacity=3)
        queue: list[int] = []  # the model: who waits, in order
        coming: set[int] = set()
        for _ in range(60):
            person = rng.choice(people)
            viewer = as_viewer(s.get(User, person.id))
            if person.id in coming or person.id in queue:
                signup.cancel(s, community, viewer, event)
                if person.id in coming:
                    coming.discard(person.id)
                    if queue:
                        coming.add(queue.pop(0))
                else:
                    queue.remove(person.id)
            else:
                found = signup.register(s, community, viewer, event)
                if len(coming) < 3:
                    coming.add(person.id)
                    assert found.status == "confirmed"
                else:
                    queue.append(person.id)
                    assert found.status == "waitlisted"
            stored = signup.registrations(s, community, as_viewer(steward), event)
            assert {r.user_id for r in stored if r.status == "confirmed"} == coming
            assert [r.user_id for r in stored if r.status == "waitlisted"] == queue
            assert len(coming) <= 3 and (not queue or len(coming) == 3)


def test_a_proposal_can_let_members_call_flash_events(db: Database) -> None:
    from commonpot import actions
    from commonpot.accounts.service import OPERATOR

    world = make_world(db)
    action = actions.get("events_members_call_flash")
    with db.unit_of_work() as s:
        community = s.get(Community, world.public.id)
        with pytest.raises(Invalid):
            action.validate(s, community, {"allowed": "yes"})
        params = action.validate(s, community, {"allowed": True})
        assert action.describe(params, ENGLISH) == "Every member may call flash events"
        action.execute(s, community, params, OPERATOR)
        member = s.get(User, world.member.id)
        flash = make_event(s, community, member, kind="flash", title="Members call too")
        assert flash.kind == "flash"


def test_community_attendance_history_counts_sessions(db: Database) -> None:
    world = make_world(db)
    (cook,) = _members(db, world, 1)
    with db.unit_of_work() as s:
        community, steward = _reload(s, world)
        start = utcnow().replace(microsecond=0) - timedelta(hours=1)
        event = make_event(s, community, steward, starts_at=start, rrule="FREQ=DAILY;COUNT=3")
        first, second, _ = service.sessions(s, event)
        for person in (cook, steward):
            signup.register(s, community, as_viewer(s.get(User, person.id)), event)
        for occasion in (first, second):
            signup.check_in(s, community, as_viewer(steward), event, cook.id, occasion.id)
        signup.check_in(s, community, as_viewer(steward), event, steward.id, first.id)
        rows = signup.community_attendance(s, community, as_viewer(steward))
        assert [(u.id, n, last) for u, n, last in rows] == [
            (cook.id, 2, second.starts_at),
            (steward.id, 1, first.starts_at),
        ]
        with pytest.raises(Forbidden):
            signup.community_attendance(s, community, as_viewer(s.get(User, cook.id)))


def test_menu_needs_skip_staples_round_and_group(db: Database) -> None:
    from tests.factories import recipes

    world = make_world(db)
    with db.unit_of_work() as s:
        community, steward = _reload(s, world)
        stew = recipes.make_recipe(
            s,
            community,
            steward,
            servings=8,
            ingredients=[
                "1.5 l water",
                "2 tsp salt",
                "350 g hominy",
                "1 plantain",
                "3 tbsp olive oil",
            ],
        )
        side = recipes.make_recipe(s, community, steward, servings=1, ingredients=["2 plantains"])
        event = make_event(s, community, steward)
        menu.add_recipe(s, community, as_viewer(steward), event, stew.id)
        menu.add_recipe(s, community, as_viewer(steward), event, side.id)
        signup.register(s, community, as_viewer(steward), event)
        menu.turn_into_needs(s, community, as_viewer(steward), event)
    with db.unit_of_work(write=False) as s:
        needs = {(n.category, n.unit): n.quantity for n in s.scalars(select(Need))}
        # water, salt and oil are staples; 350/8 g of hominy is one 250 g bag; 1/8 plantain
        # and 2 plantains are one need: the shopping list gives 2 (countables round to the
        # nearest whole item, halves up), which the network asks for as is
        assert needs == {("hominy", "g"): 250, ("plantain", "pieces"): 2}
