"""Events over HTTP: the JSON API, calendar feeds, and the live stream."""

from __future__ import annotations

from datetime import timedelta

import icalendar
from fastapi.testclient import TestClient

from commonpot.db import Database, utcnow
from tests.factories.accounts import bearer, form, make_world, sign_in

BASE = "/api/communities/publicville/events"


def _event_body(**fields: object) -> dict[str, object]:
    start = (utcnow() + timedelta(days=3)).replace(microsecond=0, tzinfo=None)
    body: dict[str, object] = {
        "title": "Harvest supper",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
        "timezone": "Europe/London",
        "capacity": 1,
        "roles": [{"name": "cook", "wanted": 2}, {"name": "dishwasher"}],
        "visibility": "public",
        "languages": "en, es",
        "accessibility": "Step-free entrance",
    }
    body.update(fields)
    return body


def test_create_reads_naive_times_in_the_event_zone(client: TestClient, db: Database) -> None:
    world = make_world(db)
    body = _event_body()  # once: a second call a minute later would name another minute
    made = client.post(BASE, json=body, headers=bearer(db, world.member))
    assert made.status_code == 201, made.text
    event = made.json()
    assert event["languages"] == ["en", "es"]
    assert event["roles"][0] == {"name": "cook", "wanted": 2}
    assert event["starts_local"][11:16] == str(body["starts_at"])[11:16]
    assert event["ics_url"].endswith(f"/events/{event['id']}.ics")
    listed = client.get(BASE).json()
    assert [e["id"] for e in listed] == [event["id"]]


def test_bad_input_is_a_problem_with_the_field_and_stores_nothing(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    headers = bearer(db, world.steward)
    start = _event_body()["starts_at"]
    for body, field in (
        (_event_body(ends_at=start), "ends_at"),
        (_event_body(capacity=-5), "capacity"),
        (_event_body(timezone="Nowhere/Land"), "timezone"),
        (_event_body(rrule="FREQ=HOURLY;COUNT=3"), "rrule"),
        (_event_body(visibility="everyone"), "visibility"),
    ):
        response = client.post(BASE, json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["field"] == field
        assert response.json()["detail"]
    assert client.get(BASE, headers=headers).json() == []


def test_sign_up_waitlist_and_promotion_over_api(client: TestClient, db: Database) -> None:
    world = make_world(db)
    event = client.post(BASE, json=_event_body(), headers=bearer(db, world.steward)).json()
    first, second = bearer(db, world.member), bearer(db, world.custodian)
    url = f"{BASE}/{event['id']}/registrations"
    one = client.post(url, json={"role": "cook"}, headers=first)
    two = client.post(url, json={"role": "dishwasher"}, headers=second)
    assert (one.json()["status"], two.json()["status"]) == ("confirmed", "waitlisted")
    wrong = client.post(url, json={"role": "juggler"}, headers=bearer(db, world.steward))
    assert wrong.status_code == 422 and wrong.json()["field"] == "role"
    gone = client.delete(f"{url}/{world.member.id}", headers=first)
    assert gone.status_code == 200
    assert [p["user_id"] for p in gone.json()["promoted"]] == [world.custodian.id]
    again = client.get(f"{BASE}/{event['id']}").json()
    assert (again["confirmed"], again["waitlisted"]) == (1, 0)


def test_the_event_list_counts_each_events_sign_ups(client: TestClient, db: Database) -> None:
    """The list reads every event's numbers at once; each event has its own, as it has alone
    (and an anonymous reader's list, shared on PostgreSQL, follows a new sign-up)."""
    world = make_world(db)
    steward = bearer(db, world.steward)
    full = client.post(BASE, json=_event_body(), headers=steward).json()
    roomy = client.post(BASE, json=_event_body(title="Bread day", capacity=9), headers=steward)
    empty = client.post(BASE, json=_event_body(title="Quiet day"), headers=steward).json()
    for who in (world.member, world.custodian):
        signed = client.post(
            f"{BASE}/{full['id']}/registrations", json={"role": "cook"}, headers=bearer(db, who)
        )
        assert signed.status_code == 201
    bread = f"{BASE}/{roomy.json()['id']}/registrations"
    assert client.post(bread, json={}, headers=bearer(db, world.member)).status_code == 201
    listed = {e["id"]: (e["confirmed"], e["waitlisted"]) for e in client.get(BASE).json()}
    assert listed == {full["id"]: (1, 1), roomy.json()["id"]: (1, 0), empty["id"]: (0, 0)}
    for event_id, numbers in listed.items():
        alone = client.get(f"{BASE}/{event_id}").json()
        assert (alone["confirmed"], alone["waitlisted"]) == numbers
    late = client.post(bread, json={}, headers=bearer(db, world.steward))
    assert late.status_code == 201
    again = {e["id"]: e["confirmed"] for e in client.get(BASE).json()}
    assert again[roomy.json()["id"]] == 2


def test_calendar_feeds_parse_and_personal_feed_rotates(client: TestClient, db: Database) -> None:
    world = make_world(db)
    event = client.post(BASE, json=_event_body(), headers=bearer(db, world.steward)).json()
    feed = client.get("/communities/publicville/events.ics")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    vevents = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    assert [str(v["SUMMARY"]) for v in vevents] == ["Harvest supper"]
    assert str(vevents[0]["URL"]).endswith(f"/communities/publicville/events/{event['id']}")
    assert vevents[0]["DTSTART"].params["TZID"] == "Europe/London"
    single = client.get(f"/communities/publicville/events/{event['id']}.ics")
    assert icalendar.Calendar.from_ical(single.content).walk("VEVENT")[0]["UID"] == event["uid"]
    member = bearer(db, world.member)
    client.post(f"{BASE}/{event['id']}/registrations", json={}, headers=member)
    address = client.get("/api/me/calendar", headers=member).json()["url"]
    path = address.removeprefix("http://testserver")
    mine = icalendar.Calendar.from_ical(client.get(path).content).walk("VEVENT")
    assert [str(v["SUMMARY"]) for v in mine] == ["Harvest supper"]
    rotated = client.post("/api/me/calendar/rotate", headers=member).json()["url"]
    assert rotated != address
    assert client.get(path).status_code == 404
    assert client.get(rotated.removeprefix("http://testserver")).status_code == 200


def test_live_stream_carries_counts_to_an_open_page(client: TestClient, db: Database) -> None:
    world = make_world(db)
    event = client.post(BASE, json=_event_body(), headers=bearer(db, world.steward)).json()
    member = bearer(db, world.member)
    lines: list[str] = []
    with client.stream("GET", "/communities/publicville/events/live?limit=1") as stream:
        chunks = stream.iter_lines()
        while not next(chunks).startswith(": connected"):
            pass
        client.post(f"{BASE}/{event['id']}/registrations", json={}, headers=member)
        for line in chunks:
            if line and not line.startswith(":"):
                lines.append(line)
            if line.startswith("data:"):
                break
    assert lines[0] == "event: count"
    assert f'"event_id": {event["id"]}' in lines[1] and '"confirmed": 1' in lines[1]


def test_shopping_list_explains_an_empty_menu_and_outreach_ranks(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    event = client.post(BASE, json=_event_body(), headers=bearer(db, world.steward)).json()
    shopping = client.get(f"{BASE}/{event['id']}/shopping-list").json()
    assert shopping["lines"] == [] and "No dishes" in shopping["explanation"]
    unknown = client.post(
        f"{BASE}/{event['id']}/menu", json={"recipe_id": 424242}, headers=bearer(db, world.steward)
    )
    assert unknown.status_code in {409, 422}
    assert client.get(f"{BASE}/{event['id']}/menu").json() == []
    member = bearer(db, world.member)
    client.post(
        "/api/communities/publicville/places",
        json={"name": "Far Enclave", "kind": "enclave", "lat": 51.40, "lon": -2.60},
        headers=member,
    )
    ranked = client.get("/api/communities/publicville/outreach").json()
    assert ranked[0]["home"] == "Far Enclave"
    assert ranked[0]["venue"] == "Public Kitchen" and "Far Enclave" in ranked[0]["reason"]


def test_event_page_shows_everything_and_form_errors_keep_input(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    event = client.post(BASE, json=_event_body(), headers=bearer(db, world.steward)).json()
    page = client.get(f"/communities/publicville/events/{event['id']}")
    assert page.status_code == 200
    for text in ("Harvest supper", "Shopping list", "Who is coming", "Step-free entrance", ".ics"):
        assert text in page.text
    sign_in(client, db, world.member)
    bad = client.post(
        "/communities/publicville/events",
        data=form(
            {
                "title": "Soup night",
                "starts_at": "2031-01-01T18:00",
                "ends_at": "2031-01-01T17:00",
                "timezone": "Europe/London",
            }
        ),
    )
    assert bad.status_code == 422
    assert "The end must come after the start." in bad.text
    assert 'value="Soup night"' in bad.text
    assert len(client.get(BASE).json()) == 1


def test_organiser_edits_through_the_form_and_members_cannot(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    event = client.post(BASE, json=_event_body(), headers=bearer(db, world.steward)).json()
    edit = f"/communities/publicville/events/{event['id']}/edit"
    sign_in(client, db, world.member)
    assert client.get(edit).status_code == 403
    sign_in(client, db, world.steward)
    page = client.get(edit)
    assert page.status_code == 200 and 'value="Harvest supper"' in page.text
    assert 'value="cook:2, dishwasher"' in page.text
    fields = {
        "title": "Harvest supper (moved)",
        "starts_at": "2031-05-01T18:00",
        "ends_at": "2031-05-01T21:00",
        "timezone": "Europe/London",
        "capacity": "8",
        "roles": "cook:2, dishwasher",
        "visibility": "public",
    }
    bad = client.post(edit, data=form({**fields, "capacity": "-1"}))
    assert bad.status_code == 422 and "Capacity" in bad.text
    saved = client.post(edit, data=form(fields), follow_redirects=False)
    assert saved.status_code == 303
    after = client.get(f"{BASE}/{event['id']}").json()
    assert after["title"] == "Harvest supper (moved)" and after["capacity"] == 8
    assert after["starts_local"].startswith("2031-05-01T18:00:00+01:00")


def test_ids_too_large_for_the_database_are_refused(client: TestClient, db: Database) -> None:
    world = make_world(db)
    steward = bearer(db, world.steward)
    event = client.post(BASE, json=_event_body(), headers=steward).json()
    huge = 2**40
    # a path id beyond any INTEGER column is refused up front (params.Id): 422, never 500
    assert client.get(f"{BASE}/{huge}", headers=steward).status_code == 422
    assert client.get(f"/communities/publicville/events/{huge}.ics").status_code == 422
    made = client.post(BASE, json=_event_body(place_id=huge), headers=steward)
    assert made.status_code == 422 and made.json()["field"] == "place_id"
    url = f"{BASE}/{event['id']}"
    assert (
        client.post(f"{url}/check-ins", json={"user_id": huge}, headers=steward).status_code == 404
    )
    assert client.delete(f"{url}/registrations/{huge}", headers=steward).status_code == 422
    assert client.delete(f"{url}/menu/{huge}", headers=steward).status_code == 422
    assert client.delete(f"{url}/pair-rules/{huge}", headers=steward).status_code == 422
    assert client.post(f"{url}/sessions/{huge}/cancel", headers=steward).status_code == 422


def test_titles_with_line_breaks_still_give_calendars(client: TestClient, db: Database) -> None:
    world = make_world(db)
    headers = bearer(db, world.member)
    for title in ("Soup night\nBEGIN:VEVENT", "Soup\r\nnight", "Tamales 🫔 – día de reyes"):
        made = client.post(BASE, json=_event_body(title=title), headers=headers)
        assert made.status_code == 201, made.text
        single = client.get(f"/communities/publicville/events/{made.json()['id']}.ics")
        assert single.status_code == 200
        assert single.content.split(b"\r\n").count(b"BEGIN:VEVENT") == 1
        (vevent,) = icalendar.Calendar.from_ical(single.content).walk("VEVENT")
        assert "\n" not in str(vevent["SUMMARY"])
    feed = client.get("/communities/publicville/events.ics")
    assert feed.status_code == 200
    assert feed.content.split(b"\r\n").count(b"BEGIN:VEVENT") == 3


def test_changing_an_event_into_a_flash_call_needs_the_right_to_call_one(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    member = bearer(db, world.member)
    made = client.post(BASE, json=_event_body(), headers=member).json()
    refused = client.patch(f"{BASE}/{made['id']}", json={"kind": "flash"}, headers=member)
    assert refused.status_code == 403
    assert client.get(f"{BASE}/{made['id']}", headers=member).json()["kind"] == "event"
    steward = bearer(db, world.steward)
    moved = client.patch(f"{BASE}/{made['id']}", json={"kind": "class"}, headers=member)
    assert moved.status_code == 200 and moved.json()["kind"] == "class"
    flash = client.patch(f"{BASE}/{made['id']}", json={"kind": "flash"}, headers=steward)
    assert flash.status_code == 200 and flash.json()["kind"] == "flash"
