"""Biotumbler HTTP API: device-token ingest per the spec, problems, registration, pages, SSE."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonpot.biotumblers.models import Biotumbler, Reading
from commonpot.db import Database
from tests.factories.accounts import bearer, form, make_world, sign_in
from tests.factories.biotumblers import register, wire

URL = "/api/communities/publicville/biotumblers"


def stored(db: Database) -> int:
    with db.unit_of_work(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(Reading)) or 0)


def setup(db: Database) -> str:
    w = make_world(db)
    with db.unit_of_work() as s:
        return register(s, s.merge(w.public), w.steward)[1]


def test_post_readings_accepts_and_reports_rejections(client: TestClient, db: Database) -> None:
    token = setup(db)
    auth = {"Authorization": f"Bearer {token}"}
    body = [wire(0, 60, 56), {"t": "2026-11-01T00:10:00Z", "temperature_c": {"core": 101}},
            {"t": 1761955800000, "moisture_pct": 50}, {"bogus": 1}]  # fmt: skip
    r = client.post(f"{URL}/tumbler-1/readings", json=body, headers=auth)
    assert r.status_code == 202
    out = r.json()
    assert out["accepted"] == 2
    assert [x["index"] for x in out["rejected"]] == [1, 3]
    assert out["rejected"][0]["reason"].startswith("temperature_c.core")
    # one reading, not an array; the same time again replaces
    r = client.post(f"{URL}/tumbler-1/readings", json=wire(0, 61, 57), headers=auth)
    assert r.status_code == 202
    assert r.json() == {"accepted": 1, "rejected": []}
    assert stored(db) == 2
    device = client.get(f"{URL}/tumbler-1").json()
    assert device["readings"] == 2
    assert device["rejected"] == 2
    assert device["sanitised"] is False
    assert device["phase"] == "thermophilic"
    assert set(device) >= {"sanitised_at", "longest_hot_hours", "hot_since", "alerts"}


def test_wrong_or_missing_token_is_404_and_stores_nothing(client: TestClient, db: Database) -> None:
    token = setup(db)
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": f"Bearer {token}x"}):
        r = client.post(f"{URL}/tumbler-1/readings", json=[wire(0, 60)], headers=headers)
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/problem+json")
    r = client.post(
        "/api/communities/publicville/biotumblers/ghost/readings",
        json=[wire(0, 60)],
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 404
    assert stored(db) == 0


def test_bad_bodies_are_problems(client: TestClient, db: Database) -> None:
    token = setup(db)
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    r = client.post(f"{URL}/tumbler-1/readings", content=b"{not json", headers=auth)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    r = client.post(
        f"{URL}/tumbler-1/readings", content=json.dumps([wire(0, 60)] * 10_001), headers=auth
    )
    assert r.status_code == 422
    assert r.json()["field"] == "body"
    assert stored(db) == 0


def test_register_and_rotate_through_the_api(client: TestClient, db: Database) -> None:
    w = make_world(db)
    steward = bearer(db, w.steward)
    r = client.post(
        URL, json={"device": "t9", "name": "Nine", "probes": [{"name": "core"}]}, headers=steward
    )
    assert r.status_code == 201
    token = r.json()["token"]
    r = client.post(
        f"{URL}/t9/readings", json=[wire(0, 50)], headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 202
    r = client.post(f"{URL}/t9/token", headers=steward)
    assert r.status_code == 200
    r = client.post(
        f"{URL}/t9/readings", json=[wire(5, 50)], headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 404
    r = client.post(URL, json={"device": "t9"}, headers=steward)
    assert r.status_code == 409
    r = client.post(URL, json={"device": "Nope!"}, headers=steward)
    assert r.status_code == 422
    member = bearer(db, w.member)
    r = client.post(URL, json={"device": "t10"}, headers=member)
    assert r.status_code == 403
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(Biotumbler.device)).all() == ["t9"]


def test_steward_registers_on_the_web_and_sees_the_token_once(
    client: TestClient, db: Database
) -> None:
    w = make_world(db)
    sign_in(client, db, w.steward)
    r = client.post(
        "/communities/publicville/biotumblers",
        data=form({"device": "web-1", "name": "Web one", "probes": "core: centre\nedge: door"}),
    )
    assert r.status_code == 201
    assert 'id="device-token"' in r.text
    token = r.text.split('id="device-token">')[1].split("<")[0]
    assert token.startswith("cpb_")
    r = client.post(
        "/api/communities/publicville/biotumblers/web-1/readings",
        json=[wire(i * 10, 56, 55) for i in range(10)],
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 202
    page = client.get("/communities/publicville/biotumblers/web-1")
    assert page.status_code == 200
    assert 'type="application/json" id="bt-data"' in page.text
    assert token not in page.text
    assert "Not sanitised yet" in page.text
    overview = client.get("/communities/publicville/biotumblers")
    assert "Web one" in overview.text
    csv = client.get("/communities/publicville/biotumblers/web-1/evidence.csv")
    assert csv.text.splitlines()[0].startswith("t,temperature_c.core,temperature_c.edge")
    assert len(csv.text.splitlines()) == 11


def test_live_stream_carries_new_readings(client: TestClient, db: Database) -> None:
    token = setup(db)
    got: list[str] = []

    def listen() -> None:
        with client.stream(
            "GET", "/communities/publicville/biotumblers/tumbler-1/live?limit=1"
        ) as r:
            for line in r.iter_lines():
                got.append(line)
                if line.startswith("data:"):
                    break

    thread = threading.Thread(target=listen)
    thread.start()
    for _ in range(50):
        if got:
            break
        threading.Event().wait(0.05)
    client.post(
        f"{URL}/tumbler-1/readings",
        json=[wire(0, 60)],
        headers={"Authorization": f"Bearer {token}"},
    )
    thread.join(10)
    data = [json.loads(line[5:]) for line in got if line.startswith("data:")]
    assert data and data[0]["type"] == "biotumbler.readings"
    assert data[0]["readings"][0]["temperature_c"] == {"core": 60.0}


def test_live_stream_announces_an_opened_alert_once(client: TestClient, db: Database) -> None:
    token = setup(db)
    auth = {"Authorization": f"Bearer {token}"}
    client.post(f"{URL}/tumbler-1/readings", json=[wire(0, 60)], headers=auth)
    got: list[str] = []

    def listen() -> None:
        path = "/communities/publicville/biotumblers/tumbler-1/live?limit=3"
        with client.stream("GET", path) as r:
            for line in r.iter_lines():
                got.append(line)
                if sum(x.startswith("data:") for x in got) == 3:
                    break

    thread = threading.Thread(target=listen)
    thread.start()
    for _ in range(50):
        if got:
            break
        threading.Event().wait(0.05)
    client.post(f"{URL}/tumbler-1/readings", json=[wire(10, 66)], headers=auth)
    client.post(f"{URL}/tumbler-1/readings", json=[wire(20, 67)], headers=auth)  # still open
    thread.join(10)
    events = [json.loads(line[5:]) for line in got if line.startswith("data:")]
    assert [e["type"] for e in events] == [
        "biotumbler.readings",
        "biotumbler.alert",
        "biotumbler.readings",
    ]
    assert events[1]["kind"] == "overheat"
    assert events[1]["level"] == "warn"
    assert events[1]["to"] is None


def _chart_of(page: str) -> dict[str, object]:
    raw = page.split('id="bt-data">')[1].split("</script>", maxsplit=1)[0]
    return dict(json.loads(raw))


def test_device_chart_shows_a_new_reading_on_the_next_view(
    client: TestClient, db: Database
) -> None:
    """The chart kept between views is dropped by the next reading (no stale page)."""
    token = setup(db)
    auth = {"Authorization": f"Bearer {token}"}
    now = datetime.now(UTC).replace(second=0, microsecond=0)

    def at(minutes_ago: int, core: float) -> dict[str, object]:
        t = (now - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"t": t, "temperature_c": {"core": core}}

    r = client.post(f"{URL}/tumbler-1/readings", json=[at(30, 41.5), at(20, 42.0)], headers=auth)
    assert r.status_code == 202
    page = "/communities/publicville/biotumblers/tumbler-1?span=24h"
    first = _chart_of(client.get(page).text)
    assert first["temperature"] == {"core": [41.5, 42.0]}
    assert _chart_of(client.get(page).text) == first  # the same view again, the same chart
    r = client.post(f"{URL}/tumbler-1/readings", json=[at(5, 63.25)], headers=auth)
    assert r.status_code == 202
    again = _chart_of(client.get(page).text)
    assert again["temperature"] == {"core": [41.5, 42.0, 63.25]}
    assert len(again["x"]) == 3  # type: ignore[arg-type]


def test_a_reading_before_the_epoch_is_rejected_and_the_pages_stay_up(
    client: TestClient, db: Database
) -> None:
    token = setup(db)
    auth = {"Authorization": f"Bearer {token}"}
    # a year below 1000 was accepted, then written in a form SQLite could not read back:
    # every biotumbler page and API answer of the community was a 500 from then on
    body = [
        {"t": "0999-06-01T00:00:00Z", "moisture_pct": 50},
        {"t": -30000000000000, "moisture_pct": 50},
        {"t": "1969-12-31T23:59:59Z", "moisture_pct": 50},
        {"t": "9999-12-31T23:59:59Z", "moisture_pct": 50},
    ]
    r = client.post(f"{URL}/tumbler-1/readings", json=body, headers=auth)
    assert r.status_code in (202, 422), r.text
    if r.status_code == 202:
        assert r.json()["accepted"] == 0 and len(r.json()["rejected"]) == 4
        assert all("1970" in x["reason"] for x in r.json()["rejected"])
    assert stored(db) == 0
    assert client.get(URL).status_code == 200
    assert client.get(f"{URL}/tumbler-1").status_code == 200
    # the epoch itself is a time a device with an unset clock may send: kept
    r = client.post(f"{URL}/tumbler-1/readings", json={"t": 0, "moisture_pct": 50}, headers=auth)
    assert r.json()["accepted"] == 1
    assert client.get(f"{URL}/tumbler-1").status_code == 200
