"""Biotumbler API and pages for stewards: unknown-device counts, stored alert episodes, and
finished compost offered to the network or delivered to a dome."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from commonpot import biotumblers
from commonpot.accounts.models import User
from commonpot.accounts.service import Viewer
from commonpot.biotumblers import ingest, links, service
from commonpot.biotumblers.models import Batch, Biotumbler, UnknownDevice
from commonpot.communities.models import Community, Place
from commonpot.db import Database
from commonpot.network.models import Offer
from tests.factories.accounts import World, bearer, form, make_world, sign_in
from tests.factories.biotumblers import T0, series, wire

URL = "/api/communities/publicville/biotumblers"
WEB = "/communities/publicville/biotumblers"


def setup(db: Database) -> tuple[World, str]:
    w = make_world(db)
    with db.unit_of_work() as s:
        _, token = service.register_device(
            s,
            s.merge(w.public),
            Viewer(user=s.get(User, w.steward.id)),
            device="tumbler-1",
            name="Drum one",
            lat=52.1,
            lon=5.1,
        )
    return w, token


def test_unknown_devices_are_counted_for_stewards_only(client: TestClient, db: Database) -> None:
    w, _ = setup(db)
    for _ in range(2):
        r = client.post(
            f"{URL}/ghost/readings", json=[wire(0, 50)], headers={"Authorization": "Bearer x"}
        )
        assert r.status_code == 404
    # a wrong token for a registered device, or an unknown community: 404, not counted here
    r = client.post(
        f"{URL}/tumbler-1/readings", json=[wire(0, 50)], headers={"Authorization": "Bearer x"}
    )
    assert r.status_code == 404
    r = client.post("/api/communities/nowhere/biotumblers/ghost/readings", json=[wire(0, 50)],
                    headers={"Authorization": "Bearer x"})  # fmt: skip
    assert r.status_code == 404
    with db.unit_of_work(write=False) as s:
        rows = s.execute(select(UnknownDevice.device, UnknownDevice.messages)).all()
    assert [tuple(r) for r in rows] == [("ghost", 2)]
    steward = bearer(db, w.steward)
    out = client.get(f"{URL}/unknown", headers=steward).json()
    assert out["total"] == 2
    assert [(d["device"], d["messages"]) for d in out["devices"]] == [("ghost", 2)]
    assert client.get(f"{URL}/unknown", headers=bearer(db, w.member)).status_code == 403
    private = "/api/communities/privatehill/biotumblers/unknown"
    assert client.get(private, headers=bearer(db, w.outsider)).status_code == 404
    sign_in(client, db, w.steward)
    page = client.get(WEB)
    assert 'data-unknown="ghost"' in page.text
    sign_in(client, db, w.member)
    assert 'data-unknown="ghost"' not in client.get(WEB).text


def test_many_unknown_ids_are_capped_per_community(db: Database) -> None:
    make_world(db)
    seen = Counter({("publicville", f"ghost-{i}"): 1 for i in range(ingest.MAX_UNKNOWN + 5)})
    seen[("publicville", "Not An Id!")] = 3
    with db.unit_of_work() as s:
        assert ingest.count_unknown(s, seen) == ingest.MAX_UNKNOWN + 8
    with db.unit_of_work(write=False) as s:
        rows = dict(s.execute(select(UnknownDevice.device, UnknownDevice.messages)).all())
    assert len(rows) == ingest.MAX_UNKNOWN  # the rest add up under "*"
    assert sum(rows.values()) == ingest.MAX_UNKNOWN + 8
    assert rows[ingest.OTHER] == 3 + 6


def test_episodes_endpoint_and_device_summary(client: TestClient, db: Database) -> None:
    _, token = setup(db)
    auth = {"Authorization": f"Bearer {token}"}
    body = [wire(0, 50) | {"moisture_pct": 35.0}, wire(10, 50) | {"moisture_pct": 32.5}]
    assert client.post(f"{URL}/tumbler-1/readings", json=body, headers=auth).status_code == 202
    (episode,) = client.get(f"{URL}/tumbler-1/episodes").json()
    assert episode["kind"] == "moisture_low"
    assert episode["from"] == "2026-11-01T00:00:00Z"
    assert episode["to"] is None
    assert episode["peak"] == 32.5
    assert episode["notified"] is True
    summary = client.get(f"{URL}/tumbler-1").json()
    assert [e["kind"] for e in summary["open_episodes"]] == ["moisture_low"]
    assert summary["expected_every_minutes"] == 30
    assert client.get("/api/communities/privatehill/biotumblers/x/episodes").status_code == 404
    page = client.get(f"{WEB}/tumbler-1")
    assert 'data-episode="moisture_low-warn" data-open="true"' in page.text


def finished(db: Database, w: World, *, hot: bool = True, start: datetime = T0) -> int:
    """An ended batch with 73 h of readings at 56 °C (sanitised) or at 50 °C (not)."""
    with db.unit_of_work() as s:
        community, steward = s.merge(w.public), Viewer(user=s.get(User, w.steward.id))
        device = s.scalar(select(Biotumbler).where(Biotumbler.device == "tumbler-1"))
        assert device is not None
        batch = service.start_batch(s, community, steward, "tumbler-1", started_at=start)
        temps = [56.0 if hot else 50.0] * (73 * 6 + 1)
        ingest.store(s, device, series(temps, start=start), live=False)
        service.end_batch(s, community, steward, "tumbler-1", ended_at=start + timedelta(hours=74))
        return batch.id


def test_a_sanitised_batch_is_offered_to_the_network_once(client: TestClient, db: Database) -> None:
    w, _ = setup(db)
    steward = bearer(db, w.steward)
    unsafe = finished(db, w, hot=False)
    r = client.post(
        f"{URL}/tumbler-1/batches/{unsafe}/offer", json={"compost_kg": 40}, headers=steward
    )
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "sanitised" in r.json()["detail"]
    safe = finished(db, w, start=T0 + timedelta(days=5))
    r = client.post(
        f"{URL}/tumbler-1/batches/{safe}/offer", json={"compost_kg": 0}, headers=steward
    )
    assert r.status_code == 422
    member = bearer(db, w.member)
    r = client.post(
        f"{URL}/tumbler-1/batches/{safe}/offer", json={"compost_kg": 40}, headers=member
    )
    assert r.status_code == 403
    r = client.post(
        f"{URL}/tumbler-1/batches/{safe}/offer", json={"compost_kg": 40.4}, headers=steward
    )
    assert r.status_code == 201
    offer = r.json()
    assert (offer["category"], offer["quantity"], offer["lat"], offer["lon"]) == (
        "compost",
        40,
        52.1,
        5.1,
    )
    with db.unit_of_work(write=False) as s:
        stored = s.get_one(Offer, offer["id"])
        assert stored.category == "compost"
        batch = s.get_one(Batch, safe)
        assert (batch.offer_id, batch.compost_kg) == (offer["id"], 40.4)
    again = client.post(
        f"{URL}/tumbler-1/batches/{safe}/offer", json={"compost_kg": 5}, headers=steward
    )
    assert again.status_code == 409
    batches = client.get(f"{URL}/tumbler-1/batches").json()
    assert [b["offer_id"] for b in batches] == [offer["id"], None]


def test_compost_delivered_to_a_dome_and_summed_per_place(client: TestClient, db: Database) -> None:
    w, _ = setup(db)
    steward = bearer(db, w.steward)
    safe = finished(db, w)
    with db.unit_of_work(write=False) as s:
        mine = s.scalar(select(Place.id).where(Place.community_id == w.public.id))
        theirs = s.scalar(select(Place.id).where(Place.community_id == w.private.id))
    body = {"place_id": theirs, "compost_kg": 30}
    r = client.post(f"{URL}/tumbler-1/batches/{safe}/delivery", json=body, headers=steward)
    assert r.status_code == 404  # another community's place is not here
    body = {"place_id": mine, "compost_kg": 30}
    r = client.post(f"{URL}/tumbler-1/batches/{safe}/delivery", json=body, headers=steward)
    assert r.status_code == 200
    assert (r.json()["place_id"], r.json()["compost_kg"]) == (mine, 30.0)
    with db.unit_of_work(write=False) as s:
        community = s.get_one(Community, w.public.id)
        anyone = Viewer(user=None)
        assert biotumblers.compost_delivered(s, community, anyone) == {mine: 30.0}  # public
        hidden = s.get_one(Community, w.private.id)
        assert links.compost_delivered(s, hidden, anyone) == {}


def test_offer_form_shows_the_page_again_with_what_was_typed(
    client: TestClient, db: Database
) -> None:
    w, _ = setup(db)
    safe = finished(db, w)
    sign_in(client, db, w.steward)
    page = client.get(f"{WEB}/tumbler-1")
    assert "Offer to the network" in page.text
    bad = {"batch_id": str(safe), "compost_kg": "lots"}
    r = client.post(f"{WEB}/tumbler-1/compost/offer", data=form(bad), follow_redirects=False)
    assert r.status_code == 422
    assert 'value="lots"' in r.text
    assert 'aria-invalid="true"' in r.text
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(Offer)).all() == []
    good = {"batch_id": str(safe), "compost_kg": "12,5"}
    r = client.post(f"{WEB}/tumbler-1/compost/offer", data=form(good), follow_redirects=False)
    assert r.status_code == 303
    assert 'data-compost="offered"' in client.get(f"{WEB}/tumbler-1").text
    with db.unit_of_work(write=False) as s:
        (offer,) = s.scalars(select(Offer)).all()
        assert offer.quantity == 12


def test_register_form_keeps_input_on_error(client: TestClient, db: Database) -> None:
    w, _ = setup(db)
    sign_in(client, db, w.steward)
    data = {"device": "tumbler-1", "name": "Twin", "expected_every_minutes": "15"}
    r = client.post(WEB, data=form(data), follow_redirects=False)
    assert r.status_code == 422
    assert 'value="Twin"' in r.text
    assert 'id="b-device" name="device"' in r.text and 'aria-invalid="true"' in r.text
    data = {"device": "tumbler-2", "expected_every_minutes": "0"}
    r = client.post(WEB, data=form(data), follow_redirects=False)
    assert r.status_code == 422
    data = {"device": "tumbler-2", "expected_every_minutes": "15"}
    assert client.post(WEB, data=form(data), follow_redirects=False).status_code == 201
    with db.unit_of_work(write=False) as s:
        found = s.scalar(select(Biotumbler).where(Biotumbler.device == "tumbler-2"))
        assert found is not None and found.expected_every_s == 900


def test_ecology_dome_pages_show_compost_delivered_per_place(
    client: TestClient, db: Database
) -> None:
    w, _ = setup(db)
    steward = bearer(db, w.steward)
    first = finished(db, w)
    second = finished(db, w, start=T0 + timedelta(days=5))
    with db.unit_of_work(write=False) as s:
        place = s.scalars(select(Place).where(Place.community_id == w.public.id)).first()
        assert place is not None
        place_id, place_name = place.id, place.name
    ecology = "/communities/publicville/ecology"
    assert 'id="compost-h"' not in client.get(ecology).text  # nothing delivered yet
    for batch, kg in ((first, 30), (second, 12.5)):
        body = {"place_id": place_id, "compost_kg": kg}
        r = client.post(f"{URL}/tumbler-1/batches/{batch}/delivery", json=body, headers=steward)
        assert r.status_code == 200, r.text

    page = client.get(ecology)  # the public ratings page, to a visitor
    assert page.status_code == 200
    section = page.text.split('id="compost-h"', 1)[1].split("</section>", 1)[0]
    assert f'data-place="{place_id}"' in section and place_name in section
    assert "42.5" in section
    sign_in(client, db, w.member)
    inventory = client.get(f"{ecology}/inventory")
    assert inventory.status_code == 200
    assert "42.5" in inventory.text.split('id="compost-h"', 1)[1]
    # another community's pages never show it
    sign_in(client, db, w.private_member)
    other = client.get("/communities/privatehill/ecology")
    assert other.status_code == 200 and 'id="compost-h"' not in other.text
