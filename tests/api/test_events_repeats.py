"""Repeating classes as people meet them: the next session under "Coming up", every
session on its own date, the repeat picker building the rule, and repeats in words
(real SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.db import Database, utcnow
from commonpot.events.models import Event, EventSession
from tests.factories.accounts import bearer, form, make_world, sign_in
from tests.factories.events import make_event
from tests.factories.governance import fetch_community

PAGES = "/communities/publicville/events"
API = "/api/communities/publicville/events"
LONDON = ZoneInfo("Europe/London")


def _coming_up(html: str) -> list[str]:
    block = html.split('id="coming-up"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<time datetime="([^"]+)"', block)


def test_weekly_class_shows_its_next_session_and_each_on_its_date(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    first = (utcnow() - timedelta(days=20)).replace(hour=18, minute=0, second=0, microsecond=0)
    with db.unit_of_work() as s:
        event = make_event(
            s,
            fetch_community(s, "publicville"),
            s.merge(w.steward),
            title="Tamales class",
            kind="class",
            starts_at=first,
            ends_at=first + timedelta(hours=2),
            rrule="FREQ=WEEKLY;COUNT=8",
        )
        sessions = sorted(
            s.scalars(select(EventSession.starts_at).where(EventSession.event_id == event.id))
        )
        weekday = first.astimezone(LONDON).strftime("%A")
    now = utcnow()
    still_to_come = [
        x for x in sessions if x.replace(tzinfo=x.tzinfo or UTC) + timedelta(hours=2) >= now
    ]
    assert 4 <= len(still_to_come) < 8
    sign_in(client, db, w.member)
    page = client.get(PAGES).text
    shown = [datetime.fromisoformat(t) for t in _coming_up(page)]
    assert len(shown) == len(still_to_come)  # one card per session still to come
    assert shown == sorted(shown) and len(set(shown)) == len(shown)
    assert all(t + timedelta(hours=2) >= now for t in shown)  # not the first, past, session
    assert shown[0] == still_to_come[0].replace(tzinfo=still_to_come[0].tzinfo or UTC)
    assert f"Every {weekday}, 8 times" in page


def test_picker_builds_the_rule_and_the_page_says_it_in_words(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    sign_in(client, db, w.member)
    fields = {
        "title": "Bread on Tuesdays and Thursdays",
        "kind": "class",
        "starts_at": "2031-01-07T18:00",
        "ends_at": "2031-01-07T20:00",
        "timezone": "Europe/London",
        "repeat": "weekly",
        "repeat_interval": "1",
        "repeat_day_TU": "on",
        "repeat_day_TH": "on",
        "repeat_end": "count",
        "repeat_count": "6",
    }
    made = client.post(PAGES, data=form(fields), follow_redirects=True)
    assert made.status_code == 200
    assert "Every Tuesday and Thursday, 6 times" in made.text
    with db.unit_of_work(write=False) as s:
        event = s.scalar(select(Event).where(Event.title == fields["title"]))
        assert event is not None
        assert event.rrule == "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=6"
        n = s.scalar(select(func.count()).where(EventSession.event_id == event.id))
        assert n == 6
        event_id = event.id
    edit = client.get(f"{PAGES}/{event_id}/edit").text  # the picker reads the rule back
    assert re.search(r'<option value="weekly" selected', edit)
    assert re.search(r'name="repeat_day_TU" id="ev-day-TU" checked', edit)
    assert re.search(r'name="repeat_day_WE" id="ev-day-WE" >', edit)
    assert 'id="ev-rrule" name="rrule" value=""' in edit

    every_other = {
        **fields,
        "title": "Fortnightly pickling",
        "repeat_day_TH": "",
        "repeat_interval": "2",
        "repeat_end": "until",
        "repeat_until": "2031-03-04",
    }
    made = client.post(PAGES, data=form(every_other), follow_redirects=True)
    assert made.status_code == 200
    assert "Every 2 weeks on Tuesday, until Mar 4, 2031" in made.text  # US English dates
    with db.unit_of_work(write=False) as s:
        event = s.scalar(select(Event).where(Event.title == "Fortnightly pickling"))
        assert event is not None and event.rrule is not None
        assert event.rrule.startswith("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20310304T")
        n = s.scalar(select(func.count()).where(EventSession.event_id == event.id))
        assert n == 5  # 7 and 21 Jan, 4 and 18 Feb, 4 Mar 2031


def test_picker_refuses_a_repeat_without_an_end_and_stores_nothing(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    sign_in(client, db, w.member)
    fields = {
        "title": "Endless soup",
        "starts_at": "2031-01-07T18:00",
        "ends_at": "2031-01-07T20:00",
        "timezone": "Europe/London",
        "repeat": "weekly",
        "repeat_end": "count",
        "repeat_count": "",
    }
    refused = client.post(PAGES, data=form(fields))
    assert refused.status_code == 422
    assert (
        'name="repeat_count" type="number" min="1" max="104" value="" aria-invalid="true"'
        in refused.text
    )
    assert '<option value="weekly" selected' in refused.text  # what was picked stays picked
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Event)) == 0


def test_the_api_still_takes_a_typed_rule(client: TestClient, db: Database) -> None:
    w = make_world(db)
    body = {
        "title": "Monthly market",
        "starts_at": "2031-02-01T10:00:00",
        "ends_at": "2031-02-01T13:00:00",
        "timezone": "Europe/London",
        "rrule": "FREQ=MONTHLY;COUNT=3",
    }
    made = client.post(API, json=body, headers=bearer(db, w.steward))
    assert made.status_code == 201, made.text
    sign_in(client, db, w.member)
    page = client.get(f"{PAGES}/{made.json()['id']}").text
    assert "Every month, 3 times" in page


def test_an_elder_takes_a_class_of_learners(client: TestClient, db: Database) -> None:
    from commonpot.accounts.models import User
    from commonpot.communities.service import add_member
    from commonpot.events import signup
    from tests.factories.accounts import make_user
    from tests.factories.events import as_viewer

    w = make_world(db)
    with db.unit_of_work() as s:
        community = fetch_community(s, "publicville")
        event = make_event(
            s,
            community,
            s.get(User, w.steward.id),
            title="Tamales with Rosa",
            kind="class",
            roles=[{"name": "elder"}, {"name": "apprentice"}],
        )
        signup.register(s, community, as_viewer(s.get(User, w.custodian.id)), event, role="elder")
        for i in range(3):
            youth = make_user(s, f"youth{i}")
            add_member(s, community, youth, "member")
            signup.register(s, community, as_viewer(youth), event, role="apprentice")
        url = f"{PAGES}/{event.id}"
    sign_in(client, db, w.member)
    page = client.get(url).text
    assert "Each elder takes 1 learner." in page
    assert page.count("youth") >= 3 and "Still looking for a teacher:" in page
    refused = client.post(url + "/class-size", data=form({"learners_per_elder": "3"}))
    assert refused.status_code == 403  # only the organiser or a steward
    sign_in(client, db, w.steward)
    bad = client.post(url + "/class-size", data=form({"learners_per_elder": "0"}))
    assert bad.status_code == 422 and 'id="class-size-input"' in bad.text
    assert "Each elder takes 1 learner." in bad.text  # nothing changed
    saved = client.post(
        url + "/class-size", data=form({"learners_per_elder": "3"}), follow_redirects=True
    )
    assert saved.status_code == 200
    assert "Each elder takes up to 3 learners." in saved.text
    table = saved.text.split('id="pairs"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr><td>") == 3  # one elder, three learners
    assert "Still looking for a teacher:" not in saved.text.split('id="pairs"', 1)[1]


def test_repeats_and_results_read_in_spanish(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.member)
    fields = {
        "title": "Pan los martes",
        "starts_at": "2031-01-07T18:00",
        "ends_at": "2031-01-07T20:00",
        "timezone": "Europe/London",
        "repeat": "weekly",
        "repeat_day_TU": "on",
        "repeat_end": "count",
        "repeat_count": "8",
    }
    made = client.post(
        PAGES, data=form(fields), headers={"Accept-Language": "es"}, follow_redirects=True
    )
    assert made.status_code == 200
    assert "Cada martes, 8 veces" in made.text
    new = client.get(f"{PAGES}/new", headers={"Accept-Language": "es"}).text
    assert "No se repite" in new and "Cuándo termina la serie" in new
