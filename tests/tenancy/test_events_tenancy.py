"""Events tenancy: private communities' events and feeds do not exist for outsiders, and
members cannot do the organisers' or stewards' work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.communities.models import Community
from commonpot.db import Database, utcnow
from commonpot.events.models import Attendance, Event, MenuItem, PairRule, Registration
from tests.factories.accounts import World, bearer, browser, form, make_world, sign_in
from tests.factories.events import make_event


def _events(db: Database, world: World) -> tuple[int, int, int]:
    """A private community's event, a members-only and a public event in the public one."""
    with db.unit_of_work() as s:
        private = s.get(Community, world.private.id)
        public = s.get(Community, world.public.id)
        hidden = make_event(s, private, world.private_steward, title="Hillside secret supper")
        members = make_event(s, public, world.steward, title="Members soup", capacity=1)
        open_ = make_event(s, public, world.steward, title="Open bread", visibility="public")
        return hidden.id, members.id, open_.id


def _snapshot(db: Database) -> tuple[int, ...]:
    with db.unit_of_work(write=False) as s:
        counts = [
            int(s.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Event, Registration, Attendance, MenuItem, PairRule)
        ]
        counts.append(int(s.scalar(select(func.sum(Event.sequence))) or 0))
        counts.append(int(s.scalar(select(func.sum(Event.learners_per_elder))) or 0))
        return tuple(counts)


def test_private_community_events_are_404_on_every_read_path(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    hidden, _, _ = _events(db, world)
    paths = [
        "/communities/privatehill/events",
        f"/communities/privatehill/events/{hidden}",
        f"/communities/privatehill/events/{hidden}.ics",
        "/communities/privatehill/events.ics",
        "/communities/privatehill/events/live?limit=1",
        "/communities/privatehill/events/outreach",
        f"/communities/privatehill/events/{hidden}/check-in",
        "/api/communities/privatehill/events",
        f"/api/communities/privatehill/events/{hidden}",
        f"/api/communities/privatehill/events/{hidden}/registrations",
        f"/api/communities/privatehill/events/{hidden}/shopping-list",
        f"/api/communities/privatehill/events/{hidden}/pairs",
        "/api/communities/privatehill/outreach",
    ]
    for headers in ({}, bearer(db, world.outsider), bearer(db, world.member)):
        for path in paths:
            response = client.get(path, headers=headers)
            assert response.status_code == 404, (path, headers)
            assert "Hillside secret supper" not in response.text
    insider = bearer(db, world.private_member)
    assert (
        client.get(f"/api/communities/privatehill/events/{hidden}", headers=insider).json()["title"]
        == "Hillside secret supper"
    )
    feed = client.get("/communities/privatehill/events.ics", headers=insider)
    assert b"Hillside secret supper" in feed.content


def test_members_only_events_hide_from_visitors_in_a_public_community(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    _, members, open_ = _events(db, world)
    for headers in ({}, bearer(db, world.outsider)):
        assert (
            client.get(f"/communities/publicville/events/{members}", headers=headers).status_code
            == 404
        )
        assert (
            client.get(
                f"/communities/publicville/events/{members}.ics", headers=headers
            ).status_code
            == 404
        )
        assert (
            client.get(
                f"/api/communities/publicville/events/{members}", headers=headers
            ).status_code
            == 404
        )
        titles = [
            e["title"]
            for e in client.get("/api/communities/publicville/events", headers=headers).json()
        ]
        assert titles == ["Open bread"]
        feed = client.get("/communities/publicville/events.ics", headers=headers).content
        assert b"Open bread" in feed and b"Members soup" not in feed
        page = client.get("/communities/publicville/events", headers=headers).text
        assert "Open bread" in page and "Members soup" not in page
    # visitors see no names of who is coming, even on a public event
    member = bearer(db, world.member)
    client.post(
        f"/api/communities/publicville/events/{open_}/registrations", json={}, headers=member
    )
    assert client.get(f"/api/communities/publicville/events/{open_}/registrations").json() == []
    feed = client.get("/communities/publicville/events.ics", headers=member).content
    assert b"Members soup" in feed


def test_outsiders_cannot_sign_up_or_create_and_nothing_changes(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    hidden, members, _ = _events(db, world)
    before = _snapshot(db)
    outsider = bearer(db, world.outsider)
    start = (utcnow() + timedelta(days=1)).isoformat()
    body = {"title": "Takeover", "starts_at": start, "ends_at": start, "timezone": "UTC"}
    attempts = [
        ("post", f"/api/communities/privatehill/events/{hidden}/registrations", {}, 404),
        (
            "put",
            f"/api/communities/privatehill/events/{hidden}/class-size",
            {"learners_per_elder": 3},
            404,
        ),
        (
            "put",
            f"/api/communities/publicville/events/{members}/class-size",
            {"learners_per_elder": 3},
            404,
        ),
        ("post", "/api/communities/privatehill/events", body, 404),
        ("post", f"/api/communities/publicville/events/{members}/registrations", {}, 404),
        (
            "post",
            "/api/communities/publicville/events",
            {**body, "ends_at": "2099-01-01T00:00:00"},
            403,
        ),
    ]
    for method, path, payload, status in attempts:
        response = getattr(client, method)(path, json=payload, headers=outsider)
        assert response.status_code == status, (path, response.text)
    anonymous = client.post(f"/api/communities/publicville/events/{members}/registrations", json={})
    assert anonymous.status_code in {401, 404}
    assert _snapshot(db) == before


def test_personal_feed_with_a_wrong_token_is_404(client: TestClient, db: Database) -> None:
    make_world(db)
    assert client.get("/me/calendar/not-a-real-token-at-all-123456.ics").status_code == 404
    assert client.get("/me/calendar/x.ics").status_code == 404


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("post", "/cancel", None),
        ("post", "/check-ins", {"user_id": 0}),
        ("post", "/menu", {"recipe_id": 1}),
        ("put", "/pantry", {"foods": ["salt"]}),
        ("post", "/needs", None),
        ("post", "/pair-rules", {"teacher_id": 0, "learner_id": 0, "rule": "pin"}),
        ("put", "/class-size", {"learners_per_elder": 3}),
        ("patch", "", {"capacity": 50}),
        ("delete", "/registrations/{steward}", None),
    ],
)
def test_members_cannot_do_organisers_work(
    client: TestClient, db: Database, method: str, suffix: str, payload: object
) -> None:
    world = make_world(db)
    _, members, _ = _events(db, world)
    steward = bearer(db, world.steward)
    client.post(
        f"/api/communities/publicville/events/{members}/registrations", json={}, headers=steward
    )
    before = _snapshot(db)
    path = f"/api/communities/publicville/events/{members}{suffix}".replace(
        "{steward}", str(world.steward.id)
    )
    kwargs = {"json": payload} if payload is not None else {}
    response = getattr(client, method)(path, headers=bearer(db, world.member), **kwargs)
    assert response.status_code == 403, response.text
    assert _snapshot(db) == before


def test_member_web_forms_for_stewards_work_are_refused(client: TestClient, db: Database) -> None:
    world = make_world(db)
    _, members, _ = _events(db, world)
    before = _snapshot(db)
    sign_in(client, db, world.member)
    base = f"/communities/publicville/events/{members}"
    assert client.get(base + "/check-in").status_code == 403
    assert client.post(base + "/cancel", data=form({})).status_code == 403
    flash = client.post(
        "/communities/publicville/events/flash", data=form({"title": "Members-only flash"})
    )
    assert flash.status_code == 403
    setting = client.post(
        "/communities/publicville/events/settings", data=form({"members_flash": "on"})
    )
    assert setting.status_code == 403
    assert _snapshot(db) == before
    with db.unit_of_work(write=False) as s:
        assert "events.members_call_flash" not in (s.get(Community, world.public.id).settings or {})
    # unless a steward lets every member call flash events
    sign_in(client, db, world.steward)
    allow = client.post(
        "/communities/publicville/events/settings",
        data=form({"members_flash": "on"}),
        follow_redirects=False,
    )
    assert allow.status_code == 303
    sign_in(client, db, world.member)
    allowed = client.post(
        "/communities/publicville/events/flash",
        data=form({"title": "Members-only flash"}),
        follow_redirects=False,
    )
    assert allowed.status_code == 303


def test_forms_without_csrf_are_refused(client: TestClient, db: Database) -> None:
    world = make_world(db)
    _, members, _ = _events(db, world)
    before = _snapshot(db)
    browser(client)
    sign_in(client, db, world.steward)
    refused = client.post(f"/communities/publicville/events/{members}/cancel", data={})
    assert refused.status_code == 403
    assert _snapshot(db) == before


def test_attendance_history_is_for_stewards(client: TestClient, db: Database) -> None:
    world = make_world(db)
    assert client.get("/api/communities/publicville/attendance").status_code == 401
    member = client.get("/api/communities/publicville/attendance", headers=bearer(db, world.member))
    assert member.status_code == 403
    hidden = client.get(
        "/api/communities/privatehill/attendance", headers=bearer(db, world.outsider)
    )
    assert hidden.status_code == 404
    steward = client.get(
        "/api/communities/publicville/attendance", headers=bearer(db, world.steward)
    )
    assert steward.status_code == 200 and steward.json() == []


def test_live_stream_hides_members_only_updates_from_visitors(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    _, members, open_ = _events(db, world)
    steward = bearer(db, world.steward)
    lines: list[str] = []
    with client.stream("GET", "/communities/publicville/events/live?limit=1") as stream:
        chunks = stream.iter_lines()
        while not next(chunks).startswith(": connected"):
            pass
        base = "/api/communities/publicville/events"
        client.post(f"{base}/{members}/registrations", json={}, headers=steward)
        client.post(f"{base}/{open_}/registrations", json={}, headers=steward)
        for line in chunks:
            if line.startswith("data:"):
                lines.append(line)
                break
    assert f'"event_id": {open_}' in lines[0]
    assert f'"event_id": {members}' not in "".join(lines)
