"""Pickup windows are shown and typed in the community's time zone, not in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from commonpot import communities
from commonpot.accounts.service import Viewer
from commonpot.communities.models import Community
from commonpot.db import Database, utcnow
from commonpot.network.models import Handover
from commonpot.settings import Settings
from tests.api.test_network_handovers_web import PAGE, commit_one
from tests.factories.accounts import bearer, form, make_world, sign_in

ZONE = "America/Mexico_City"  # UTC-6 all year since 2022


def _set_zone(db: Database, w, zone: str) -> None:  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        communities.update_community(
            s, s.merge(w.public), Viewer(user=w.steward), {"timezone": zone}
        )


def test_windows_are_shown_and_typed_in_the_communitys_zone(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    hid = commit_one(db, w)
    _set_zone(db, w, ZONE)
    with db.unit_of_work(write=False) as s:
        handover = s.get(Handover, hid)
        assert handover is not None
        start_utc = handover.window_start
    local_start = start_utc.astimezone(ZoneInfo(ZONE))
    sign_in(client, db, w.custodian)
    page = client.get(f"{PAGE}/my-food")
    assert page.status_code == 200
    assert f"From ({ZONE})" in page.text and "From (UTC)" not in page.text
    assert f'value="{local_start.strftime("%Y-%m-%dT%H:%M")}"' in page.text
    assert f'value="{start_utc.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")}"' not in page.text

    day = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%d")
    ok = client.post(
        f"{PAGE}/handovers/{hid}/confirm",
        data=form({"window_start": f"{day}T17:30", "window_end": f"{day}T19:00"}),
        follow_redirects=False,
    )
    assert ok.status_code == 303, ok.text
    with db.unit_of_work(write=False) as s:
        stored = s.get(Handover, hid)
        assert stored is not None
        expected = datetime.fromisoformat(f"{day}T17:30").replace(tzinfo=ZoneInfo(ZONE))
        assert stored.window_start == expected.astimezone(UTC)
        assert stored.window_start.astimezone(UTC).hour == 23  # 17:30 in Mexico City
    again = client.get(f"{PAGE}/my-food")
    assert f'value="{day}T17:30"' in again.text


def test_without_a_zone_the_instance_default_applies(db: Database, settings: Settings) -> None:
    from commonpot.app import create_app

    w = make_world(db)
    commit_one(db, w)
    local = TestClient(create_app(settings.model_copy(update={"default_timezone": "Asia/Tokyo"})))
    sign_in(local, db, w.custodian)
    page = local.get(f"{PAGE}/my-food")
    assert page.status_code == 200
    assert "From (Asia/Tokyo)" in page.text


def test_a_bad_time_zone_is_a_problem_and_changes_nothing(client: TestClient, db: Database) -> None:
    w = make_world(db)
    steward, member = bearer(db, w.steward), bearer(db, w.member)
    url = "/api/communities/publicville"
    bad = client.patch(url, json={"timezone": "Mars/Olympus_Mons"}, headers=steward)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["field"] == "timezone"
    traversal = client.patch(url, json={"timezone": "../../etc/passwd"}, headers=steward)
    assert traversal.status_code == 422
    assert client.patch(url, json={"timezone": ZONE}, headers=member).status_code == 403
    with db.unit_of_work(write=False) as s:
        assert "timezone" not in (s.get(Community, w.public.id).settings or {})
    assert client.patch(url, json={"timezone": ZONE}, headers=steward).status_code == 200
    with db.unit_of_work(write=False) as s:
        assert communities.timezone_of(s.get(Community, w.public.id)) == ZONE


def test_stewards_choose_the_zone_on_the_settings_form(client: TestClient, db: Database) -> None:
    w = make_world(db)
    sign_in(client, db, w.steward)
    url = "/communities/publicville/settings"
    shown = client.get(url)
    assert shown.status_code == 200 and 'name="timezone" maxlength="60" value="UTC"' in shown.text
    with db.unit_of_work(write=False) as s:
        c = s.get(Community, w.public.id)
        assert c is not None
        typed = {
            "name": c.name,
            "description": c.description,
            "location": c.location,
            "lat": str(c.lat),
            "lon": str(c.lon),
            "visibility": c.visibility,
        }
    bad = client.post(url, data=form({**typed, "timezone": "Nowhere/Atlantis"}))
    assert bad.status_code == 422
    assert 'value="Nowhere/Atlantis"' in bad.text
    with db.unit_of_work(write=False) as s:
        assert "timezone" not in (s.get(Community, w.public.id).settings or {})
    ok = client.post(url, data=form({**typed, "timezone": ZONE}), follow_redirects=False)
    assert ok.status_code == 303
    with db.unit_of_work(write=False) as s:
        assert communities.timezone_of(s.get(Community, w.public.id)) == ZONE
